// The Intel 6300ESB watchdog timer (PCI 8086:25ab), as its datasheet and
// QEMU's model describe it: configuration registers in PCI configuration
// space, four registers in memory BAR 0 (16 bytes).
//
// Two stages: after a reload, stage 1 counts down timer1 ticks; at its end
// it may raise an interrupt and stage 2 counts down timer2 ticks; at the end
// of stage 2 the watchdog resets the machine (when the reboot output is
// enabled). The preload and reload registers are locked: each write to them
// must follow the unlock sequence 0x80, 0x86 written to `reload`.
#pragma once

#include <cstdint>

namespace axl::hw::i6300esb {

inline constexpr uint16_t vendor = 0x8086;
inline constexpr uint16_t device = 0x25ab;
inline constexpr uint32_t class_code = 0x088000;  // base system peripheral, other
inline constexpr uint32_t bar0_size = 16;

// Configuration space.
inline constexpr uint32_t config = 0x60;  // 16 bits
inline constexpr uint16_t config_output_disable = 1u << 5;  // 0: expiry of stage 2 resets the machine
inline constexpr uint16_t config_1mhz = 1u << 2;            // 0: the ~1 kHz clock, 1: the ~1 MHz clock
inline constexpr uint16_t config_interrupt_type = 0x3;      // stage 1 expiry: 0 INTx, 2 SMI, 3 none
inline constexpr uint32_t lock = 0x68;  // 8 bits
inline constexpr uint8_t lock_free_run = 1u << 2;  // restart stage 1 after stage 2 (no reset)
inline constexpr uint8_t lock_enable = 1u << 1;    // the timer runs
inline constexpr uint8_t lock_locked = 1u << 0;    // lock and enable can no longer change (until reset)

// Memory BAR 0.
inline constexpr uint32_t timer1 = 0x00;  // 32 bits, w (unlocked): stage 1 preload, 20 bits
inline constexpr uint32_t timer2 = 0x04;  // 32 bits, w (unlocked): stage 2 preload, 20 bits
inline constexpr uint32_t interrupt_status = 0x08;  // r: bit 0 stage 1 interrupt; w 1 to clear
inline constexpr uint32_t reload = 0x0C;  // 16 bits: unlock sequence; then reload / timeout bits
inline constexpr uint16_t reload_timeout = 1u << 9;  // r: the last reset was the watchdog's; w (unlocked) 1: clear
inline constexpr uint16_t reload_reload = 1u << 8;   // w (unlocked): restart stage 1 (a ping)
inline constexpr uint16_t unlock1 = 0x80;
inline constexpr uint16_t unlock2 = 0x86;
inline constexpr uint32_t preload_mask = 0xFFFFF;

// Clock rates. The chip divides the 33 MHz PCI clock by 2^15 (~1 kHz) or
// 2^5 (~1 MHz); the model uses 1024 Hz and 2^20 Hz, the rates Linux's
// driver assumes (a timeout of N seconds is N << 9 ticks per stage), so a
// timeout is exactly what the driver asked for.
inline constexpr uint64_t slow_hz = 1024;
inline constexpr uint64_t fast_hz = 1u << 20;

}  // namespace axl::hw::i6300esb
