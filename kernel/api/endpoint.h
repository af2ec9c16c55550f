// Endpoint: how user code names a process. Slot + generation, so a handle to a
// process that died (or was restarted into the same slot) fails cleanly with
// Status::dead_endpoint instead of reaching the new incarnation.
#pragma once

#include <cstdint>

namespace axl {

struct Endpoint {
    static constexpr uint32_t slot_bits = 20;
    static constexpr uint32_t generation_bits = 32 - slot_bits;
    static constexpr uint32_t slot_mask = (1u << slot_bits) - 1;
    static constexpr uint32_t generation_mask = (1u << generation_bits) - 1;

    uint32_t raw = 0;  // zero is never a live endpoint: generations start at 1

    static constexpr Endpoint make(uint32_t slot, uint32_t generation) {
        return Endpoint{(generation & generation_mask) << slot_bits | (slot & slot_mask)};
    }
    constexpr uint32_t slot() const { return raw & slot_mask; }
    constexpr uint32_t generation() const { return raw >> slot_bits; }
    constexpr bool operator==(const Endpoint&) const = default;
};

// A process's name, as lookup() takes it and a Death reports it: at most
// process_name_bytes - 1 characters and a NUL. Part of the ABI, so programs
// size their buffers from it; kernel/config.h takes it from here.
inline constexpr uint32_t process_name_bytes = 24;

// Pseudo-endpoints live in slots no process table can reach (see kernel/config.h).
namespace endpoints {
inline constexpr uint32_t pseudo_slot_first = Endpoint::slot_mask - 15;
inline constexpr Endpoint any = Endpoint::make(Endpoint::slot_mask, Endpoint::generation_mask);
inline constexpr Endpoint none = Endpoint::make(Endpoint::slot_mask - 1, Endpoint::generation_mask);
// Source of interrupt notifications (issue: devices), and of kernel-originated ones.
inline constexpr Endpoint hardware = Endpoint::make(Endpoint::slot_mask - 2, Endpoint::generation_mask);
inline constexpr Endpoint system = Endpoint::make(Endpoint::slot_mask - 3, Endpoint::generation_mask);
inline constexpr Endpoint clock = Endpoint::make(Endpoint::slot_mask - 4, Endpoint::generation_mask);

constexpr bool is_pseudo(Endpoint e) { return e.slot() >= pseudo_slot_first; }
}  // namespace endpoints

}  // namespace axl
