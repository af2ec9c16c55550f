// The iB700 single-board computer's watchdog (ISA, port I/O; QEMU's "ib700"):
// a write to `stop` disables it; a write to `start` (re)starts it with the
// timeout the low four bits select from `timeouts_s`. It has no interrupt:
// expiry resets the machine.
#pragma once

#include <cstdint>

namespace axl::hw::ib700 {

inline constexpr uint16_t default_base = 0x441;
inline constexpr uint16_t io_size = 3;  // 0x441..0x443
inline constexpr uint16_t stop = 0x0;   // offset of port 0x441: any write stops the timer
inline constexpr uint16_t start = 0x2;  // offset of port 0x443: write N: time out in timeouts_s[N & 15] s

inline constexpr uint8_t timeouts_s[16] = {30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0};

}  // namespace axl::hw::ib700
