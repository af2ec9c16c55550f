#include "sim/machine/pci_function.h"

#include <cstdio>

namespace axl::sim {

namespace cfg = pci_config;

std::optional<PciAddress> parse_pci_address(std::string_view text) {
    // bb:dd.f
    auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    if (text.size() != 7 || text[2] != ':' || text[5] != '.') return std::nullopt;
    const int b1 = hex(text[0]), b0 = hex(text[1]), d1 = hex(text[3]), d0 = hex(text[4]), f = hex(text[6]);
    if (b1 < 0 || b0 < 0 || d1 < 0 || d0 < 0 || f < 0) return std::nullopt;
    const int device = d1 * 16 + d0;
    if (device > 31 || f > 7) return std::nullopt;
    return PciAddress{static_cast<uint8_t>(b1 * 16 + b0), static_cast<uint8_t>(device), static_cast<uint8_t>(f)};
}

std::string to_string(PciAddress address) {
    char text[16];
    std::snprintf(text, sizeof text, "%02x:%02x.%x", address.bus, address.device, address.function);
    return text;
}

PciFunction::PciFunction(const PciProfile& profile, DeviceHost& host, uint32_t irq)
    : m_profile(profile), m_host(host), m_irq(irq) {
    auto put16 = [this](uint32_t offset, uint16_t value) {
        m_header[offset] = static_cast<uint8_t>(value);
        m_header[offset + 1] = static_cast<uint8_t>(value >> 8);
    };
    put16(cfg::vendor_id, profile.vendor);
    put16(cfg::device_id, profile.device);
    m_header[cfg::revision] = profile.revision;
    m_header[cfg::class_code] = static_cast<uint8_t>(profile.class_code);
    m_header[cfg::class_code + 1] = static_cast<uint8_t>(profile.class_code >> 8);
    m_header[cfg::class_code + 2] = static_cast<uint8_t>(profile.class_code >> 16);
    put16(cfg::subsystem_vendor_id, profile.subsystem_vendor);
    put16(cfg::subsystem_id, profile.subsystem_device);
    m_header[cfg::interrupt_pin] = profile.interrupt_pin;
    m_header[cfg::interrupt_line] = profile.interrupt_pin ? static_cast<uint8_t>(irq) : 0xFF;  // 0xFF: not connected
    for (uint32_t bar = 0; bar < pci_bar_count; ++bar) {
        const PciBarLayout& layout = profile.bars[bar];
        uint32_t flags = 0;
        if (layout.type == PciBarLayout::Type::io) flags = cfg::bar_io;
        if (layout.type == PciBarLayout::Type::memory && layout.prefetchable) flags = cfg::bar_prefetchable;
        m_header[cfg::bar0 + 4 * bar] = static_cast<uint8_t>(flags);
    }
}

uint16_t PciFunction::command() const {
    return static_cast<uint16_t>(m_header[cfg::command] | m_header[cfg::command + 1] << 8);
}

bool PciFunction::intx_asserted() const { return m_header[cfg::status] & cfg::status_interrupt; }

uint32_t PciFunction::bar_register(uint32_t bar) const {
    const uint32_t at = cfg::bar0 + 4 * bar;
    return uint32_t{m_header[at]} | uint32_t{m_header[at + 1]} << 8 | uint32_t{m_header[at + 2]} << 16 |
           uint32_t{m_header[at + 3]} << 24;
}

uint32_t PciFunction::bar_mask(uint32_t bar) const {
    const PciBarLayout& layout = m_profile.bars[bar];
    switch (layout.type) {
        case PciBarLayout::Type::io: return ~(layout.size - 1) & ~0x3u;
        case PciBarLayout::Type::memory: return ~(layout.size - 1) & ~0xFu;
        case PciBarLayout::Type::none: break;
    }
    return 0;
}

uint32_t PciFunction::config_read(uint32_t offset, uint32_t width) {
    if (offset >= cfg::size || offset % width != 0) return 0xFFFF'FFFFu;
    if (offset >= cfg::device_specific) return device_config_read(offset, width);
    uint32_t value = 0;
    for (uint32_t i = 0; i < width; ++i) value |= uint32_t{m_header[offset + i]} << (8 * i);
    return value;
}

void PciFunction::config_write(uint32_t offset, uint32_t width, uint32_t value) {
    if (offset >= cfg::size || offset % width != 0) return;
    if (offset >= cfg::device_specific) {
        device_config_write(offset, width, value);
        return;
    }
    const uint16_t command_before = command();
    for (uint32_t i = 0; i < width; ++i) {
        const uint32_t at = offset + i;
        const auto byte = static_cast<uint8_t>(value >> (8 * i));
        uint8_t writable = 0;
        if (at == cfg::command)
            writable = cfg::command_io | cfg::command_memory | cfg::command_master | cfg::command_parity;
        else if (at == cfg::command + 1)
            writable = (cfg::command_serr | cfg::command_intx_disable) >> 8;
        else if (at == cfg::status + 1) {
            m_header[at] &= static_cast<uint8_t>(~(byte & 0xF9));  // error bits: write 1 to clear
            continue;
        } else if (at == cfg::cache_line_size || at == cfg::latency_timer || at == cfg::interrupt_line)
            writable = 0xFF;
        else if (at >= cfg::bar0 && at < cfg::bar0 + 4 * pci_bar_count)
            writable = static_cast<uint8_t>(bar_mask((at - cfg::bar0) / 4) >> (8 * ((at - cfg::bar0) % 4)));
        m_header[at] = static_cast<uint8_t>((m_header[at] & ~writable) | (byte & writable));
    }
    // INTx re-enabled while the function still asserts it: the line sees it now.
    if ((command_before & cfg::command_intx_disable) && !(command() & cfg::command_intx_disable) && intx_asserted())
        m_host.raise_irq(m_irq);
}

bool PciFunction::decodes_io(uint16_t port, uint32_t width, uint32_t& bar, uint32_t& offset) const {
    if (!(command() & cfg::command_io)) return false;
    for (uint32_t b = 0; b < pci_bar_count; ++b) {
        const PciBarLayout& layout = m_profile.bars[b];
        if (layout.type != PciBarLayout::Type::io) continue;
        const uint64_t base = bar_register(b) & ~0x3u;
        if (base == 0 || base + layout.size > 0x10000) continue;
        if (port >= base && uint64_t{port} + width <= base + layout.size) {
            bar = b;
            offset = static_cast<uint32_t>(port - base);
            return true;
        }
    }
    return false;
}

bool PciFunction::decodes_memory(uint64_t address, uint32_t width, uint32_t& bar, uint32_t& offset) const {
    if (!(command() & cfg::command_memory)) return false;
    for (uint32_t b = 0; b < pci_bar_count; ++b) {
        const PciBarLayout& layout = m_profile.bars[b];
        if (layout.type != PciBarLayout::Type::memory) continue;
        const uint64_t base = bar_register(b) & ~0xFu;
        if (base == 0) continue;
        if (address >= base && address + width <= base + layout.size) {
            bar = b;
            offset = static_cast<uint32_t>(address - base);
            return true;
        }
    }
    return false;
}

void PciFunction::firmware_set_bar(uint32_t bar, uint32_t base) {
    if (bar < pci_bar_count) config_write(cfg::bar0 + 4 * bar, 4, base);
}

void PciFunction::firmware_enable(uint16_t command_bits) { config_write(cfg::command, 2, command() | command_bits); }

void PciFunction::set_multi_function(bool multi) {
    m_header[cfg::header_type] = multi ? cfg::header_multi_function : 0;
}

uint32_t PciFunction::device_config_read(uint32_t, uint32_t) { return 0; }
void PciFunction::device_config_write(uint32_t, uint32_t, uint32_t) {}

void PciFunction::raise_intx() {
    m_header[cfg::status] |= cfg::status_interrupt;
    if (!(command() & cfg::command_intx_disable)) m_host.raise_irq(m_irq);
}

void PciFunction::clear_intx() { m_header[cfg::status] &= static_cast<uint8_t>(~cfg::status_interrupt); }

}  // namespace axl::sim
