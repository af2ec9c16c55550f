// The pci protocol: what a driver asks the PCI server (servers/pci.cc) about
// the PCI functions it was granted. As in MINIX 3, the kernel does not own the
// bus: the PCI server alone may touch the configuration mechanism (ports
// 0xCF8..0xCFF), enumerates bus 0 at start, sizes every BAR, and then answers
// drivers, each about its own functions only. A driver finds its device by
// index (0, 1, ... until not_found), learns its BARs and IRQ line, and reaches
// the registers itself with io_read/io_write (I/O BARs) or
// mmio_read/mmio_write (memory BARs). The ranges and the line are granted to
// it by the server itself, with the device_grant kernel call, when it asks
// about the function (`device`): only the server knows where the firmware put
// them (docs/system-description.md, [[device]] of a PCI kind).
//
//   device        words: [0] index among the caller's functions (0-based)
//   bar           words: [0] bus address, [1] BAR index 0..5
//   config_read   words: [0] bus address, [1] offset 0..255, [2] width 1, 2 or 4
//   config_write  words: [0] bus address, [1] offset, [2] width, [3] value
//   reply         words: [0] Status
//                 device: [1] bus address (bus << 8 | device << 3 | function),
//                         [2] vendor | device << 16 | subsystem vendor << 32 | subsystem device << 48,
//                         [3] class code (24 bits: class, subclass, interface) | revision << 24,
//                         [4] IRQ line the driver may irq_attach (the configuration
//                             space's interrupt line) | interrupt pin << 8 (0: none, 1: INTA#)
//                         [5] bit b set: BAR b is implemented
//                 bar:    [1] base (a physical address or a port; 64-bit BARs whole),
//                         [2] size in bytes (ports), [3] bar_flags
//                 config_read: [1] the value
//
// Statuses: ok; not_found (device: no function of that index; bar: BAR not
// implemented, or the upper half of a 64-bit BAR); resource_denied (the bus
// address is not one of the caller's functions, or the caller is no driver of
// the system's PCI devices); bad_argument (an unknown request, an offset or
// width out of range or misaligned, a BAR index above 5; config_write: a
// value for a BAR register other than all ones, the sizing probe, or the
// value the firmware assigned: a driver must not move its BAR, since its
// privileges name the assigned range).
//
// Who may use which function comes from the system description: each
// [[device]] of a PCI kind names its driver, and the reader hands the server
// the list as arguments (device_count_key, then device.N.driver, device.N.ids,
// device.N.direct and, if the description fixes the slot, device.N.address:
// the *_field names below). A grant without an address takes the first
// function with its vendor and device IDs that no other grant took, in bus
// order: on a real machine (and QEMU) the description cannot know the slots.
// The server resolves a driver's name with lookup() at each request, so a
// driver restarted by rs keeps its access and a process that took a dead
// driver's slot gets none.
#pragma once

#include <cstdint>

#include "kernel/api/endpoint.h"
#include "kernel/api/ipc.h"
#include "kernel/api/message.h"
#include "kernel/api/status.h"

namespace axl::pci {

inline constexpr uint32_t device = 0x7C01;
inline constexpr uint32_t bar = 0x7C02;
inline constexpr uint32_t config_read = 0x7C03;
inline constexpr uint32_t config_write = 0x7C04;
inline constexpr uint32_t reply = 0x7C05;

inline constexpr uint32_t bar_count = 6;
inline constexpr uint32_t config_bytes = 256;

// bar reply, words[3].
namespace bar_flags {
inline constexpr uint64_t io = 1u << 0;            // a port range (else memory)
inline constexpr uint64_t memory_64 = 1u << 1;     // a 64-bit memory BAR (takes this and the next register)
inline constexpr uint64_t prefetchable = 1u << 2;
}  // namespace bar_flags

// The arguments the description reader gives the server: device_count, then
// for each N < device_count, device.N.driver (a process name), device.N.ids
// (vendor | device << 16), device.N.direct (1: the driver's access model is
// direct) and optionally device.N.address (the bus address, an integer).
inline constexpr const char* device_count_key = "device_count";
inline constexpr uint32_t devices_max = 64;
inline constexpr uint32_t key_bytes = 32;
// "device.<n>.driver" / "device.<n>.address" into `key` (key_bytes).
inline void grant_key(char* key, uint32_t n, const char* field) {
    const char prefix[] = "device.";
    uint32_t at = 0;
    for (const char* p = prefix; *p; ++p) key[at++] = *p;
    char digits[10];
    uint32_t count = 0;
    do {
        digits[count++] = static_cast<char>('0' + n % 10);
        n /= 10;
    } while (n);
    while (count) key[at++] = digits[--count];
    key[at++] = '.';
    for (const char* p = field; *p && at + 1 < key_bytes; ++p) key[at++] = *p;
    key[at] = '\0';
}
inline constexpr const char* driver_field = "driver";
inline constexpr const char* address_field = "address";
inline constexpr const char* ids_field = "ids";
inline constexpr const char* direct_field = "direct";

constexpr uint32_t bus_address(uint32_t bus, uint32_t device_number, uint32_t function) {
    return bus << 8 | device_number << 3 | function;
}

struct DeviceInfo {
    uint32_t address = 0;  // bus << 8 | device << 3 | function
    uint16_t vendor = 0;
    uint16_t device = 0;
    uint16_t subsystem_vendor = 0;
    uint16_t subsystem_device = 0;
    uint32_t class_code = 0;  // 24 bits
    uint8_t revision = 0;
    uint8_t irq_line = 0;
    uint8_t interrupt_pin = 0;
    uint8_t bars_present = 0;  // bit per implemented BAR
};

struct BarInfo {
    uint64_t base = 0;
    uint64_t size = 0;
    uint64_t flags = 0;  // bar_flags
    bool is_io() const { return flags & bar_flags::io; }
};

namespace detail {
inline Status request(Endpoint server, Message& m) {
    Status status = sendrec(server, m);
    if (status != Status::ok) return status;
    if (m.type != reply) return Status::bad_argument;
    return static_cast<Status>(m.payload.words[0]);
}
}  // namespace detail

// The caller's `index`-th function (not_found past the last).
inline Status device_info(Endpoint server, uint32_t index, DeviceInfo& info) {
    Message m;
    m.type = device;
    m.payload.words[0] = index;
    Status status = detail::request(server, m);
    if (status != Status::ok) return status;
    const uint64_t* w = m.payload.words;
    info.address = static_cast<uint32_t>(w[1]);
    info.vendor = static_cast<uint16_t>(w[2]);
    info.device = static_cast<uint16_t>(w[2] >> 16);
    info.subsystem_vendor = static_cast<uint16_t>(w[2] >> 32);
    info.subsystem_device = static_cast<uint16_t>(w[2] >> 48);
    info.class_code = static_cast<uint32_t>(w[3] & 0xFF'FFFF);
    info.revision = static_cast<uint8_t>(w[3] >> 24);
    info.irq_line = static_cast<uint8_t>(w[4]);
    info.interrupt_pin = static_cast<uint8_t>(w[4] >> 8);
    info.bars_present = static_cast<uint8_t>(w[5]);
    return Status::ok;
}

inline Status bar_info(Endpoint server, uint32_t address, uint32_t index, BarInfo& info) {
    Message m;
    m.type = bar;
    m.payload.words[0] = address;
    m.payload.words[1] = index;
    Status status = detail::request(server, m);
    if (status != Status::ok) return status;
    info.base = m.payload.words[1];
    info.size = m.payload.words[2];
    info.flags = m.payload.words[3];
    return Status::ok;
}

inline Status read_config(Endpoint server, uint32_t address, uint32_t offset, uint32_t width, uint32_t& value) {
    Message m;
    m.type = config_read;
    m.payload.words[0] = address;
    m.payload.words[1] = offset;
    m.payload.words[2] = width;
    Status status = detail::request(server, m);
    if (status == Status::ok) value = static_cast<uint32_t>(m.payload.words[1]);
    return status;
}

inline Status write_config(Endpoint server, uint32_t address, uint32_t offset, uint32_t width, uint32_t value) {
    Message m;
    m.type = config_write;
    m.payload.words[0] = address;
    m.payload.words[1] = offset;
    m.payload.words[2] = width;
    m.payload.words[3] = value;
    return detail::request(server, m);
}

}  // namespace axl::pci
