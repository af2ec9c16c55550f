// PCI functions on the hosted machine's PCI bus (sim/machine/pci_bus.h): a
// function is a device model with a 256-byte configuration space (type 0
// header) and up to six base address registers, each of which maps a window of
// its registers into the port bus (an I/O BAR) or the physical MMIO space (a
// memory BAR) wherever the firmware or a driver puts it.
//
// A model derives from PciFunction, describes itself with a PciProfile (its
// identity and BAR layout, constant, so the description reader can assign
// addresses and grant them before any model exists) and implements
// bar_read/bar_write. Device-specific configuration registers (at 0x40 and
// above) are its device_config_read/write. The standard header's semantics
// (read-only identity, BAR sizing, command enable bits, status write-1-to-clear)
// live here, once. A plain port-I/O Device becomes a PCI function with
// wrap_port_device (sim/machine/pci_port_function.h).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sim/machine/device.h"

namespace axl::sim {

// A bus address: bus << 8 | device << 3 | function (the "BDF").
struct PciAddress {
    uint8_t bus = 0;
    uint8_t device = 0;    // 0..31
    uint8_t function = 0;  // 0..7
    uint16_t raw() const { return static_cast<uint16_t>(bus << 8 | device << 3 | function); }
    static PciAddress of(uint16_t raw) {
        return {static_cast<uint8_t>(raw >> 8), static_cast<uint8_t>(raw >> 3 & 31), static_cast<uint8_t>(raw & 7)};
    }
    bool operator==(const PciAddress&) const = default;
};
// "00:03.0" (bus:device.function, hexadecimal as lspci writes them), or nullopt.
std::optional<PciAddress> parse_pci_address(std::string_view text);
std::string to_string(PciAddress address);

inline constexpr uint32_t pci_bar_count = 6;

struct PciBarLayout {
    enum class Type : uint8_t { none, io, memory };
    Type type = Type::none;
    uint32_t size = 0;  // bytes (ports for I/O), a power of two: I/O >= 4, memory >= 16
    bool prefetchable = false;
};

// What a PCI device kind is, before any model exists: fixed per kind.
struct PciProfile {
    uint16_t vendor = 0;
    uint16_t device = 0;
    uint16_t subsystem_vendor = 0;
    uint16_t subsystem_device = 0;
    uint32_t class_code = 0;    // 24 bits: base class, subclass, programming interface
    uint8_t revision = 0;
    uint8_t interrupt_pin = 1;  // 1 = INTA#; 0: the function raises no interrupt
    std::array<PciBarLayout, pci_bar_count> bars{};
};

// Configuration space offsets of the type 0 header (PCI Local Bus 3.0, 6.1).
namespace pci_config {
inline constexpr uint32_t vendor_id = 0x00;
inline constexpr uint32_t device_id = 0x02;
inline constexpr uint32_t command = 0x04;
inline constexpr uint32_t status = 0x06;
inline constexpr uint32_t revision = 0x08;
inline constexpr uint32_t class_code = 0x09;  // 3 bytes: prog-if, subclass, class
inline constexpr uint32_t cache_line_size = 0x0C;
inline constexpr uint32_t latency_timer = 0x0D;
inline constexpr uint32_t header_type = 0x0E;
inline constexpr uint32_t bar0 = 0x10;
inline constexpr uint32_t subsystem_vendor_id = 0x2C;
inline constexpr uint32_t subsystem_id = 0x2E;
inline constexpr uint32_t rom_address = 0x30;
inline constexpr uint32_t capabilities = 0x34;
inline constexpr uint32_t interrupt_line = 0x3C;
inline constexpr uint32_t interrupt_pin = 0x3D;
inline constexpr uint32_t device_specific = 0x40;  // from here on: the model's own registers
inline constexpr uint32_t size = 0x100;

inline constexpr uint16_t command_io = 1u << 0;
inline constexpr uint16_t command_memory = 1u << 1;
inline constexpr uint16_t command_master = 1u << 2;
inline constexpr uint16_t command_parity = 1u << 6;
inline constexpr uint16_t command_serr = 1u << 8;
inline constexpr uint16_t command_intx_disable = 1u << 10;
inline constexpr uint16_t status_interrupt = 1u << 3;  // INTx asserted (read-only)
inline constexpr uint8_t header_multi_function = 0x80;
inline constexpr uint32_t bar_io = 0x1;            // bit 0 of an I/O BAR
inline constexpr uint32_t bar_prefetchable = 0x8;  // bit 3 of a memory BAR
}  // namespace pci_config

class PciFunction : public Device {
public:
    // `irq`: the interrupt controller line INTx is wired to (the [[device]]'s irq).
    PciFunction(const PciProfile& profile, DeviceHost& host, uint32_t irq);

    // Not on the fixed port bus: a function's registers are where its BARs say.
    uint16_t io_size() const final { return 0; }
    uint32_t read(uint16_t, uint32_t) final { return 0xFFFF'FFFFu; }
    void write(uint16_t, uint32_t, uint32_t) final {}

    // Configuration space, `width` 1, 2 or 4 at `offset` (< 256, naturally aligned).
    uint32_t config_read(uint32_t offset, uint32_t width);
    void config_write(uint32_t offset, uint32_t width, uint32_t value);

    // The registers of BAR `bar` at `offset` from its base (the bus decoded it).
    virtual uint32_t bar_read(uint32_t bar, uint32_t offset, uint32_t width) = 0;
    virtual void bar_write(uint32_t bar, uint32_t offset, uint32_t width, uint32_t value) = 0;

    // Decoding, from the BARs and the command register as they are now.
    // True with the BAR and offset if this function claims the access.
    bool decodes_io(uint16_t port, uint32_t width, uint32_t& bar, uint32_t& offset) const;
    bool decodes_memory(uint64_t address, uint32_t width, uint32_t& bar, uint32_t& offset) const;

    // What the firmware does at boot: a BAR's base, the interrupt line, the
    // command register's decode enables.
    void firmware_set_bar(uint32_t bar, uint32_t base);
    void firmware_enable(uint16_t command_bits);
    void set_multi_function(bool multi);

    const PciProfile& profile() const { return m_profile; }
    uint16_t command() const;
    uint32_t irq_line() const { return m_irq; }
    // INTx raised since the last clear_intx (the status register's bit).
    bool intx_asserted() const;

protected:
    // The model's own configuration registers, offset >= 0x40. Default: none
    // (reads 0, writes ignored).
    virtual uint32_t device_config_read(uint32_t offset, uint32_t width);
    virtual void device_config_write(uint32_t offset, uint32_t width, uint32_t value);
    // Asserts INTx: raises the line unless the command register disables INTx.
    void raise_intx();
    // The model deasserted INTx (its interrupt cause was acknowledged).
    void clear_intx();
    DeviceHost& host() { return m_host; }

private:
    uint32_t bar_register(uint32_t bar) const;
    uint32_t bar_mask(uint32_t bar) const;  // writable bits

    const PciProfile& m_profile;
    DeviceHost& m_host;
    uint32_t m_irq;
    std::array<uint8_t, pci_config::device_specific> m_header{};
};

}  // namespace axl::sim
