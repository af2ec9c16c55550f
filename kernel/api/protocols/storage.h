// The storage protocol: a byte-addressed store on a block device
// (servers/storage.cc). Any offset and length: the server reads, modifies and
// writes whole sectors. Data moves through grants made to the server.
// Requests and replies are sealed (kernel/api/protocols/integrity.h): a
// corrupted request is answered with words[5] = integrity::resend.
#pragma once

#include <cstdint>

namespace axl::storage {

inline constexpr uint32_t read = 0x7901;   // words: [0] byte offset, [1] length, [2] grant (write access)
inline constexpr uint32_t write = 0x7902;  // the same, the grant with read access
inline constexpr uint32_t size = 0x7903;   // no arguments
inline constexpr uint32_t reply = 0x7904;  // words: [0] Status, [1] bytes done or the store's size,
                                           //        [2] device error code when the disk failed

}  // namespace axl::storage
