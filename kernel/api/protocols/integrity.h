// End-to-end integrity for protocol messages: the sender seals a message
// with a checksum of its type and first six payload words (words[6]), the
// receiver checks it. A message corrupted on the way (a fault scenario's
// corrupt_message, or a buggy copy) is then refused and sent again instead of
// acting on a wrong sector or length. Protocols that use it: block, storage.
#pragma once

#include <cstdint>

#include "kernel/api/message.h"

namespace axl::integrity {

inline constexpr uint32_t sealed_words = 6;  // words[0..5]; words[6] holds the checksum
// A reply's words[5] set to this: the request arrived corrupted, send it again.
inline constexpr uint64_t resend = 0x5E4D'0000'0000'0001ull;

inline uint64_t checksum(const Message& message) {
    uint64_t hash = 0xCBF2'9CE4'8422'2325ull ^ message.type;  // FNV-1a over the words
    for (uint32_t i = 0; i < sealed_words; ++i) hash = (hash ^ message.payload.words[i]) * 0x100'0000'01B3ull;
    return hash;
}
inline void seal(Message& message) { message.payload.words[sealed_words] = checksum(message); }
inline bool intact(const Message& message) { return message.payload.words[sealed_words] == checksum(message); }

}  // namespace axl::integrity
