// The linux_driver protocol: what every Linux driver process (linux_env/)
// answers besides the protocol of its device class. Today: panic, Linux's
// own panic() run on request, so a test or a scenario can make a Linux
// driver process panic the way its kernel would (the message, the panic
// notifiers: pvpanic reports the panic to the machine from one, then the
// process ends with a fault, as a panicked kernel stops; rs restarts it).
// And measure, the path lengths of the driver's device access
// (tools/path-length.sh, workloads/linux_path_length.cc).
//
//   panic   bytes[0] = length of the reason (0..reason_bytes),
//           bytes[text_offset..] = the reason. No reply: the process ends.
//   measure words[0] = what (measure_*), words[1] = a count.
//           registers: reads the first register of the process's first PCI
//             function's BAR 0 `count` times with Linux's own accessor
//             (readl on a memory BAR, inb on a port BAR), between two clock
//             readings: reply words[1] = reads done, words[2] = ns in all.
//           interrupts: what the deliveries of the interrupts handled so far
//             took, from the kernel's raising of the line (the notification's
//             irq_raised_at_ns) to Linux's handler being called: reply
//             words[1] = interrupts, words[2] = ns in all, [3] least, [4] most.
//   reply   words[0] = Status: bad_argument for an unknown request or a
//           reason longer than reason_bytes; not_found: no PCI function
//           with a BAR 0 to read.
#pragma once

#include <cstddef>
#include <cstdint>

namespace axl::linux_driver {

inline constexpr uint32_t panic = 0x7D01;
inline constexpr uint32_t reply = 0x7D02;
inline constexpr uint32_t measure = 0x7D03;
inline constexpr uint64_t measure_registers = 0;
inline constexpr uint64_t measure_interrupts = 1;
inline constexpr size_t text_offset = 8;
inline constexpr size_t reason_bytes = 48;

}  // namespace axl::linux_driver
