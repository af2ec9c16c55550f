// The pseudo-random sequence behind axl::random_u64(): SplitMix64 (Steele,
// Lea, Flood 2014: tiny, fast, every seed good), one stream per process,
// started from the run's seed and the process's slot. Both ports use these,
// so a program draws the same numbers hosted and on bare metal.
#pragma once

#include <cstdint>

namespace axl::splitmix64 {

inline constexpr uint64_t golden_gamma = 0x9E37'79B9'7F4A'7C15ull;

constexpr uint64_t stream_start(uint64_t seed, uint32_t slot) { return seed ^ (golden_gamma * (uint64_t{slot} + 1)); }

constexpr uint64_t next(uint64_t& state) {
    uint64_t z = (state += golden_gamma);
    z = (z ^ (z >> 30)) * 0xBF58'476D'1CE4'E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D0'49BB'1331'11EBull;
    return z ^ (z >> 31);
}

}  // namespace axl::splitmix64
