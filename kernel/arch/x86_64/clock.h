// Time on a PC: the TSC, calibrated against the PIT at boot, gives
// nanoseconds; the PIT's channel 0 ticks at tick_hz on IRQ line 0 and is what
// preempts a process that never enters the kernel.
#pragma once

#include <cstdint>

namespace axl::x86_64::clock {

inline constexpr uint32_t tick_hz = 1000;
inline constexpr uint32_t tick_line = 0;

void initialise();     // calibrates the TSC, starts the tick (line still masked)
uint64_t now_ns();     // since initialise()
uint64_t tsc_hz();

}  // namespace axl::x86_64::clock
