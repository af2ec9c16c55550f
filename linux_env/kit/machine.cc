// The machine as a Linux driver sees it, on kernel/api/ only: the log,
// faults, registers, interrupt lines, virtual time and the PCI server.
// The C half (linux_env/emul/) calls these through lx_kit.h.
//
// An access the process's privileges refuse ends the process, as a #GP or a
// bus error would on Linux: a driver that touches what it was not granted is
// misbehaving, and rs, not the driver, decides what happens next.
#include <cstdint>

#include "kernel/api/device.h"
#include "kernel/api/ipc.h"
#include "kernel/api/protocols/pci.h"
#include "linux_env/kit/lx_kit.h"

namespace {

using namespace axl;

IoWidth io_width(unsigned int width) {
    switch (width) {
        case 1: return IoWidth::byte;
        case 2: return IoWidth::half;
        case 4: return IoWidth::word;
        default: lx_kit_fault("register access of an unsupported width");
    }
}

[[noreturn]] void refused(const char* what, uint64_t address, Status status) {
    log("linux: %s 0x%llx refused: %s", what, static_cast<unsigned long long>(address), to_string(status));
    lx_kit_fault("register access outside the process's privileges");
}

// Reset with the process's data: none at a start.
Endpoint pci_server = endpoints::none;

Endpoint pci_server_endpoint() {
    if (pci_server == endpoints::none && lookup("pci", pci_server) != Status::ok) pci_server = endpoints::none;
    return pci_server;
}

}  // namespace

extern "C" {

void lx_kit_log(const char* text, unsigned long length) {
    log("%.*s", static_cast<int>(length), text);
}

void lx_kit_fault(const char* why) {
    log("linux: fault: %s", why);
    __builtin_trap();
}

unsigned int lx_kit_port_read(unsigned int port, unsigned int width) {
    uint32_t value = 0;
    if (Status status = io_read(static_cast<uint16_t>(port), value, io_width(width)); status != Status::ok)
        refused("port read", port, status);
    return value;
}

void lx_kit_port_write(unsigned int port, unsigned int width, unsigned int value) {
    if (Status status = io_write(static_cast<uint16_t>(port), value, io_width(width)); status != Status::ok)
        refused("port write", port, status);
}

unsigned int lx_kit_mmio_read(unsigned long long address, unsigned int width) {
    uint32_t value = 0;
    if (Status status = mmio_read(address, value, io_width(width)); status != Status::ok)
        refused("mmio read", address, status);
    return value;
}

void lx_kit_mmio_write(unsigned long long address, unsigned int width, unsigned int value) {
    if (Status status = mmio_write(address, value, io_width(width)); status != Status::ok)
        refused("mmio write", address, status);
}

int lx_kit_pci_function(unsigned int index, struct lx_kit_pci_info* out) {
    Endpoint server = pci_server_endpoint();
    pci::DeviceInfo info;
    if (server == endpoints::none || pci::device_info(server, index, info) != Status::ok) return -1;
    out->bus_address = info.address;
    out->vendor = info.vendor;
    out->device = info.device;
    out->subsystem_vendor = info.subsystem_vendor;
    out->subsystem_device = info.subsystem_device;
    out->class_code = info.class_code;
    out->revision = info.revision;
    out->irq = info.interrupt_pin ? info.irq_line : ~0u;
    for (uint32_t bar = 0; bar < pci::bar_count; ++bar) {
        out->bar[bar] = {};
        pci::BarInfo bar_info;
        if (!(info.bars_present & (1u << bar)) || pci::bar_info(server, info.address, bar, bar_info) != Status::ok)
            continue;
        out->bar[bar].base = bar_info.base;
        out->bar[bar].size = bar_info.size;
        unsigned int flags = 0;
        if (bar_info.is_io()) flags |= LX_KIT_BAR_IO;
        if (bar_info.flags & pci::bar_flags::memory_64) flags |= LX_KIT_BAR_64BIT;
        if (bar_info.flags & pci::bar_flags::prefetchable) flags |= LX_KIT_BAR_PREFETCH;
        out->bar[bar].flags = flags;
    }
    return 0;
}

// Linux's errnos for what the PCI server answers.
constexpr int linux_eio = 5;
constexpr int linux_eperm = 1;
constexpr int linux_einval = 22;

static int errno_of(Status status) {
    switch (status) {
        case Status::ok: return 0;
        case Status::resource_denied: return -linux_eperm;
        case Status::bad_argument: return -linux_einval;
        default: return -linux_eio;
    }
}

int lx_kit_pci_config_read(unsigned int bus_address, unsigned int offset, unsigned int width, unsigned int* value) {
    uint32_t read = 0;
    Status status = pci::read_config(pci_server_endpoint(), bus_address, offset, width, read);
    *value = read;
    return errno_of(status);
}

int lx_kit_pci_config_write(unsigned int bus_address, unsigned int offset, unsigned int width, unsigned int value) {
    return errno_of(pci::write_config(pci_server_endpoint(), bus_address, offset, width, value));
}

int lx_kit_irq_attach(unsigned int line) {
    return errno_of(irq_attach(line, IrqPolicy::manual));
}

void lx_kit_irq_enable(unsigned int line) {
    (void)irq_enable(line);
}

unsigned long long lx_kit_now_ns(void) {
    uint64_t now = 0;
    (void)clock(now);
    return now;
}

void lx_kit_wake_at(unsigned long long ns) {
    if (ns == 0) {
        (void)set_alarm(0);
        return;
    }
    uint64_t now = lx_kit_now_ns();
    (void)set_alarm(ns > now ? ns - now : 1);
}

}  // extern "C"

extern "C" void lx_kit_delay_ns(unsigned long long ns) {
    (void)axl::compute(ns);
}
