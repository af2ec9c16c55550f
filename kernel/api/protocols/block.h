// The block protocol: requests to a block driver (drivers/block.cc). Data
// moves through a grant the requester makes to the driver (write access for
// a read, read access for a write); the message carries only the request.
// Requests and replies are sealed (kernel/api/protocols/integrity.h): a
// corrupted request is answered with words[5] = integrity::resend.
#pragma once

#include <cstdint>

namespace axl::block {

inline constexpr uint32_t read = 0x7801;   // words: [0] first sector, [1] sectors, [2] grant, [3] offset in it
inline constexpr uint32_t write = 0x7802;  // the same; the driver copies from the grant
inline constexpr uint32_t info = 0x7803;   // no arguments
inline constexpr uint32_t reply = 0x7804;  // words: [0] Status, [1] sectors done or the disk's sectors,
                                           //        [2] device error code (hw/block.h), [3] sector bytes
inline constexpr uint32_t sector_bytes = 512;

}  // namespace axl::block
