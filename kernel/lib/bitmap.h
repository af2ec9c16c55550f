// Bitmap: a fixed-size bit set for privilege masks and pending notifications.
#pragma once

#include <bit>
#include <cstdint>

namespace axl {

template <uint32_t Bits>
struct Bitmap {
    static_assert(Bits % 64 == 0);
    static constexpr uint32_t word_count = Bits / 64;
    uint64_t words[word_count] = {};

    constexpr void set(uint32_t i) { words[i / 64] |= uint64_t{1} << (i % 64); }
    constexpr void clear(uint32_t i) { words[i / 64] &= ~(uint64_t{1} << (i % 64)); }
    constexpr bool test(uint32_t i) const { return (words[i / 64] >> (i % 64)) & 1u; }
    constexpr bool any() const {
        for (uint64_t w : words)
            if (w) return true;
        return false;
    }
    constexpr void set_all() {
        for (uint64_t& w : words) w = ~uint64_t{0};
    }
    // Lowest set bit, or Bits if none.
    constexpr uint32_t first() const {
        for (uint32_t i = 0; i < word_count; ++i)
            if (words[i]) return i * 64 + static_cast<uint32_t>(std::countr_zero(words[i]));
        return Bits;
    }
};

}  // namespace axl
