// pvpanic-pci (QEMU's paravirtual panic device, PCI 1b36:0011): one byte
// register at offset 0 of memory BAR 0. Reading it gives the events the
// device supports; writing an event reports it to the host.
#pragma once

#include <cstdint>

namespace axl::hw::pvpanic {

inline constexpr uint16_t vendor = 0x1b36;  // Red Hat
inline constexpr uint16_t device = 0x0011;
inline constexpr uint32_t class_code = 0x088000;  // base system peripheral, other
inline constexpr uint8_t revision = 1;
inline constexpr uint32_t bar0_size = 16;  // the smallest memory BAR; the register is byte 0

inline constexpr uint32_t events = 0x00;   // r: supported events; w: report events

inline constexpr uint8_t panicked = 1u << 0;      // the guest panicked
inline constexpr uint8_t crash_loaded = 1u << 1;  // the guest loaded a crash kernel (kdump)

}  // namespace axl::hw::pvpanic
