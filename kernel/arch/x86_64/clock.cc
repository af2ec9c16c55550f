#include "kernel/arch/x86_64/clock.h"

#include "kernel/arch/x86_64/x86.h"

namespace axl::x86_64::clock {

namespace {
constexpr uint32_t pit_hz = 1'193'182;
constexpr uint16_t pit_channel0 = 0x40, pit_channel2 = 0x42, pit_command = 0x43, speaker_gate = 0x61;
uint64_t g_tsc_start = 0;
uint64_t g_tsc_hz = 0;
uint64_t g_ns_per_tsc_q32 = 0;  // ns per TSC tick, 32.32 fixed point

// Counts TSC ticks across `pit_ticks` of PIT channel 2 in one-shot mode
// (its gate and output are the speaker port's bits 0 and 5).
uint64_t tsc_ticks_over(uint16_t pit_ticks) {
    x86::outb(speaker_gate, static_cast<uint8_t>((x86::inb(speaker_gate) & ~0x02) | 0x01));
    x86::outb(pit_command, 0xB0);  // channel 2, lobyte/hibyte, mode 0 (interrupt on terminal count)
    x86::outb(pit_channel2, static_cast<uint8_t>(pit_ticks));
    x86::outb(pit_channel2, static_cast<uint8_t>(pit_ticks >> 8));
    // Restart the count by toggling the gate.
    const uint8_t gate = x86::inb(speaker_gate);
    x86::outb(speaker_gate, gate & ~0x01);
    x86::outb(speaker_gate, gate | 0x01);
    const uint64_t start = x86::rdtsc();
    while (!(x86::inb(speaker_gate) & 0x20)) x86::pause();
    return x86::rdtsc() - start;
}
}  // namespace

void initialise() {
    constexpr uint16_t calibration_ticks = pit_hz / 100;  // 10 ms
    uint64_t best = ~uint64_t{0};
    for (int round = 0; round < 3; ++round) {
        const uint64_t ticks = tsc_ticks_over(calibration_ticks);
        if (ticks < best) best = ticks;
    }
    g_tsc_hz = best * pit_hz / calibration_ticks;
    if (g_tsc_hz == 0) g_tsc_hz = 1'000'000'000;
    g_ns_per_tsc_q32 = (uint64_t{1'000'000'000} << 32) / g_tsc_hz;
    g_tsc_start = x86::rdtsc();

    constexpr uint16_t divisor = pit_hz / tick_hz;
    x86::outb(pit_command, 0x34);  // channel 0, lobyte/hibyte, mode 2 (rate generator)
    x86::outb(pit_channel0, static_cast<uint8_t>(divisor));
    x86::outb(pit_channel0, static_cast<uint8_t>(divisor >> 8));
}

uint64_t now_ns() {
    const unsigned __int128 ns = static_cast<unsigned __int128>(x86::rdtsc() - g_tsc_start) * g_ns_per_tsc_q32;
    return static_cast<uint64_t>(ns >> 32);
}

uint64_t tsc_hz() { return g_tsc_hz; }

}  // namespace axl::x86_64::clock
