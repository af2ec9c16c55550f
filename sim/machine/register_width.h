// Register access widths, shared by the device models. A driver reads or
// writes 1, 2 or 4 bytes; a model answers with the low bytes of its register
// and keeps the low bytes of a written value. Any other width (a misbehaving
// driver) is taken as 4 rather than trusted, so no access can crash a model.
#pragma once

#include <cstdint>

namespace axl::sim {

constexpr uint32_t width_mask(uint32_t width) {
    switch (width) {
        case 1: return 0xFFu;
        case 2: return 0xFFFFu;
        default: return 0xFFFF'FFFFu;
    }
}

// What a read of an offset where no register lives returns: all ones, as an
// unoccupied bus does.
constexpr uint32_t unmapped_read(uint32_t width) { return width_mask(width); }

}  // namespace axl::sim
