// The linux_driver protocol: what every Linux driver process (linux_env/)
// answers besides the protocol of its device class. Today: panic, Linux's
// own panic() run on request, so a test or a scenario can make a Linux
// driver process panic the way its kernel would (the message, the panic
// notifiers: pvpanic reports the panic to the machine from one, then the
// process ends with a fault, as a panicked kernel stops; rs restarts it).
//
//   panic   bytes[0] = length of the reason (0..reason_bytes),
//           bytes[text_offset..] = the reason. No reply: the process ends.
//   reply   words[0] = Status: bad_argument for an unknown request or a
//           reason longer than reason_bytes.
#pragma once

#include <cstddef>
#include <cstdint>

namespace axl::linux_driver {

inline constexpr uint32_t panic = 0x7D01;
inline constexpr uint32_t reply = 0x7D02;
inline constexpr size_t text_offset = 8;
inline constexpr size_t reason_bytes = 48;

}  // namespace axl::linux_driver
