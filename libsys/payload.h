// Payloads that differ in every word, and checksums over them: how workloads
// check that what arrived is what was sent.
#pragma once

#include <cstdint>

#include "kernel/api/message.h"
#include "kernel/lib/splitmix64.h"

namespace axl::sys {

// One SplitMix64 step from `x`: cheap, well mixed, the same on every port.
constexpr uint64_t mix64(uint64_t x) { return splitmix64::next(x); }

// Order-sensitive checksum of a message's payload words.
inline uint64_t payload_checksum(const Message& message) {
    uint64_t sum = 0;
    for (uint64_t word : message.payload.words) sum = mix64(sum ^ word);
    return sum;
}

inline constexpr uint32_t payload_words = Message::payload_bytes / 8;

}  // namespace axl::sys
