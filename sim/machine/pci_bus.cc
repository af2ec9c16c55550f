#include "sim/machine/pci_bus.h"

namespace axl::sim {

namespace {

uint32_t all_ones(uint32_t width) { return width >= 4 ? 0xFFFF'FFFFu : (1u << (8 * width)) - 1; }

// The host bridge: identity only (Intel's 440FX, as QEMU's default PC and
// most PC firmware know it); no BARs, no interrupt.
constexpr PciProfile host_bridge_profile{
    .vendor = 0x8086, .device = 0x1237, .class_code = 0x060000, .revision = 0x02, .interrupt_pin = 0};

class HostBridge final : public PciFunction {
public:
    explicit HostBridge(DeviceHost& host) : PciFunction(host_bridge_profile, host, 0) {}
    uint32_t bar_read(uint32_t, uint32_t, uint32_t width) override { return all_ones(width); }
    void bar_write(uint32_t, uint32_t, uint32_t, uint32_t) override {}
};

}  // namespace

PciBus::PciBus(DeviceHost& host) : m_host_bridge(std::make_unique<HostBridge>(host)) {
    attach(PciAddress{0, 0, 0}, *m_host_bridge);
}

PciBus::~PciBus() = default;

void PciBus::attach(PciAddress address, PciFunction& function) {
    m_functions[address.raw()] = &function;
    // Function 0 of a device says whether the device has more functions.
    const PciAddress first{address.bus, address.device, 0};
    if (PciFunction* zero = function_at(first)) {
        bool multi = false;
        for (uint8_t f = 1; f < 8; ++f) multi |= function_at({address.bus, address.device, f}) != nullptr;
        zero->set_multi_function(multi);
    }
}

PciFunction* PciBus::function_at(PciAddress address) const {
    auto found = m_functions.find(address.raw());
    return found == m_functions.end() ? nullptr : found->second;
}

// The function and register CONFIG_ADDRESS selects, if enabled and present.
PciFunction* PciBus::selected(uint32_t& offset) const {
    if (!(m_address & config_enable)) return nullptr;
    offset = m_address & 0xFC;
    return function_at(PciAddress::of(static_cast<uint16_t>(m_address >> 8 & 0xFFFF)));
}

uint32_t PciBus::read(uint16_t offset, uint32_t width) {
    if (offset == 0) return width == 4 ? m_address : all_ones(width);
    if (offset < 4 || offset % width != 0) return all_ones(width);  // 0xCF9..0xCFB: not ours
    uint32_t reg = 0;
    PciFunction* function = selected(reg);
    // No function there: the master abort reads all ones (vendor 0xFFFF).
    if (!function) return all_ones(width);
    return function->config_read(reg + (offset - 4u), width);
}

void PciBus::write(uint16_t offset, uint32_t width, uint32_t value) {
    if (offset == 0) {
        // Only a 32-bit write is CONFIG_ADDRESS; reserved bits read as 0.
        if (width == 4) m_address = value & 0x80FF'FFFCu;
        return;
    }
    if (offset < 4 || offset % width != 0) return;
    uint32_t reg = 0;
    if (PciFunction* function = selected(reg)) function->config_write(reg + (offset - 4u), width, value);
}

bool PciBus::io_read(uint16_t port, uint32_t width, uint32_t& value) {
    uint32_t bar = 0, offset = 0;
    for (auto& [address, function] : m_functions) {
        if (!function->decodes_io(port, width, bar, offset)) continue;
        value = function->bar_read(bar, offset, width) & all_ones(width);
        return true;
    }
    return false;
}

bool PciBus::io_write(uint16_t port, uint32_t width, uint32_t value) {
    uint32_t bar = 0, offset = 0;
    for (auto& [address, function] : m_functions) {
        if (!function->decodes_io(port, width, bar, offset)) continue;
        function->bar_write(bar, offset, width, value & all_ones(width));
        return true;
    }
    return false;
}

uint32_t PciBus::mmio_read(uint64_t address, uint32_t width) {
    uint32_t bar = 0, offset = 0;
    for (auto& [bus_address, function] : m_functions)
        if (function->decodes_memory(address, width, bar, offset))
            return function->bar_read(bar, offset, width) & all_ones(width);
    return all_ones(width);
}

void PciBus::mmio_write(uint64_t address, uint32_t width, uint32_t value) {
    uint32_t bar = 0, offset = 0;
    for (auto& [bus_address, function] : m_functions) {
        if (!function->decodes_memory(address, width, bar, offset)) continue;
        function->bar_write(bar, offset, width, value & all_ones(width));
        return;
    }
}

}  // namespace axl::sim
