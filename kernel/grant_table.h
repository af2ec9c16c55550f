// GrantEntry: one slot of the kernel's grant table (kernel/api/grant.h). A
// grant id is the slot index in its low bits and the slot's generation above
// them, so an id revoked and reused for another grant stays invalid.
#pragma once

#include <cstdint>

#include "kernel/api/endpoint.h"
#include "kernel/api/grant.h"
#include "kernel/config.h"

namespace axl {

struct GrantEntry {
    Endpoint granter;                 // whose memory; endpoints::none when the slot is free
    Endpoint grantee;                 // who may copy (a process, or endpoints::hardware for DMA)
    uintptr_t address = 0;
    uint64_t bytes = 0;
    uint32_t generation = 0;
    GrantAccess access = GrantAccess::read;
    uint32_t next_free = 0;           // free-list link while free
};

namespace grant_ids {
inline constexpr uint32_t index_bits = 12;
static_assert((1u << index_bits) == config::grant_slots_max);
inline constexpr uint32_t index_mask = (1u << index_bits) - 1;
inline constexpr uint32_t generation_mask = (1u << (32 - index_bits)) - 1;
constexpr GrantId make(uint32_t index, uint32_t generation) {
    return GrantId{(generation & generation_mask) << index_bits | index};
}
constexpr uint32_t index(GrantId id) { return id.raw & index_mask; }
constexpr uint32_t generation(GrantId id) { return id.raw >> index_bits; }
}  // namespace grant_ids

}  // namespace axl
