// Message: the fixed 64-byte unit of IPC (one cache line). Bulk data moves
// through memory grants and safe copy, never through bigger messages.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernel/api/endpoint.h"

namespace axl {

struct alignas(64) Message {
    static constexpr size_t payload_bytes = 56;

    Endpoint source;  // filled in by the kernel on delivery; senders cannot forge it
    uint32_t type = 0;
    union {
        uint8_t bytes[payload_bytes];
        uint64_t words[payload_bytes / 8];
    } payload{};
};
static_assert(sizeof(Message) == 64, "a message is one cache line");
static_assert(offsetof(Message, payload) == 8);

// Message types at or above this value are reserved for the kernel: a
// process that sends one (send, sendnb, sendrec, reply_receive) is refused
// with bad_argument, so a message of such a type always comes from the kernel.
namespace message_types {
inline constexpr uint32_t kernel_first = 0x8000'0000u;
constexpr bool reserved(uint32_t type) { return type >= kernel_first; }
// A pending-notification delivery. source = the notifier; payload.words[0] = the
// notifier's bit (privilege id); payload.words[1] = virtual time of delivery (ns).
inline constexpr uint32_t notify = kernel_first + 1;
}  // namespace message_types

}  // namespace axl
