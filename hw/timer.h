// The simulated interval timer's registers (sim/machine/timer.cc): a periodic
// tick and a one-shot alarm, both in virtual nanoseconds, on one IRQ line.
// All registers are 32 bits wide, at these offsets from the device's base port.
#pragma once

#include <cstdint>

namespace axl::hw::timer {

inline constexpr uint16_t io_size = 0x20;

inline constexpr uint16_t control = 0x00;   // rw: control bits below
inline constexpr uint16_t period = 0x04;    // rw: periodic tick interval in ns (0: stopped)
inline constexpr uint16_t one_shot = 0x08;  // w: fire once this many ns from now (0: cancel); r: ns left
inline constexpr uint16_t ticks = 0x0C;     // r: ticks since the last read of this register; reading clears it
inline constexpr uint16_t status = 0x10;    // r: status bits below; w: 1 bits clear them
inline constexpr uint16_t now_low = 0x14;   // r: virtual time in ns, low 32 bits (latches the high half)
inline constexpr uint16_t now_high = 0x18;  // r: high 32 bits, as latched by the last read of now_low

// control
inline constexpr uint32_t periodic_enable = 1u << 0;  // tick every `period` ns
inline constexpr uint32_t irq_enable = 1u << 1;       // raise the IRQ line on a tick or a one-shot expiry
                                                      // (setting it while a status bit is set raises it at once)

// status
inline constexpr uint32_t tick_pending = 1u << 0;     // at least one tick since the last clear
inline constexpr uint32_t one_shot_fired = 1u << 1;

}  // namespace axl::hw::timer
