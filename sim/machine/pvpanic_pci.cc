#include "sim/machine/pvpanic_pci.h"

#include "hw/pvpanic_pci.h"
#include "sim/config/system_description.h"
#include "sim/machine/device_kind.h"

namespace axl::sim {

namespace reg = hw::pvpanic;

// As QEMU's: Red Hat's ids, QEMU's subsystem ids, revision 1, no interrupt.
constexpr PciProfile pvpanic_pci_profile{
    .vendor = reg::vendor,
    .device = reg::device,
    .subsystem_vendor = 0x1af4,
    .subsystem_device = 0x1100,
    .class_code = reg::class_code,
    .revision = reg::revision,
    .interrupt_pin = 0,
    .bars = {PciBarLayout{PciBarLayout::Type::memory, reg::bar0_size}},
};

PvpanicPci::PvpanicPci(DeviceHost& host, PvpanicConfig config)
    : PciFunction(pvpanic_pci_profile, host, 0), m_config(config) {}

uint32_t PvpanicPci::bar_read(uint32_t bar, uint32_t offset, uint32_t) {
    // The register is one byte; the rest of the BAR reads as zero.
    return bar == 0 && offset == reg::events ? m_config.events : 0;
}

void PvpanicPci::bar_write(uint32_t bar, uint32_t offset, uint32_t, uint32_t value) {
    if (bar != 0 || offset != reg::events) return;
    // Bits the device does not support are ignored (QEMU logs them as a guest error).
    const uint32_t events = value & m_config.events;
    if (events & reg::panicked) {
        ++m_reported;
        host().device_event(*this, "panicked");
    }
    if (events & reg::crash_loaded) {
        ++m_reported;
        host().device_event(*this, "crash loaded");
    }
}

// ---- kind = "pvpanic-pci" ----

namespace {

constexpr DeviceKey events_key{"events", DeviceKey::Type::integer, 0, 3};
constexpr DeviceKey pvpanic_keys[] = {events_key};

std::any read_pvpanic(const DeviceTable& table) {
    PvpanicConfig config;
    table.read(events_key, config.events);
    return config;
}

std::unique_ptr<Device> make_pvpanic(const DeviceDescription& device, DeviceHost& host) {
    return std::make_unique<PvpanicPci>(host, device.settings_as<PvpanicConfig>());
}

}  // namespace

extern constexpr DeviceKind pvpanic_pci_kind{
    .name = "pvpanic-pci",
    .description = "QEMU's panic device (PCI 1b36:0011): a panic the guest reports is a device event",
    .registers = "hw/pvpanic_pci.h",
    .io_size = 0,
    .io_base = 0,
    .irq = no_irq,
    .keys = pvpanic_keys,
    .read = read_pvpanic,
    .make = make_pvpanic,
    .pci = &pvpanic_pci_profile,
};

}  // namespace axl::sim
