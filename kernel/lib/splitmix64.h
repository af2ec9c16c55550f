// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, every seed good, and the
// same on every port and compiler. The one generator of the project: behind
// axl::random_u64() (one stream per process, started from the run's seed and
// the process's slot, so a program draws the same numbers hosted and on bare
// metal), libsys's payload mixing, and a campaign's fault draws (which must
// never depend on a standard library's generators or distributions).
#pragma once

#include <cstdint>

namespace axl::splitmix64 {

inline constexpr uint64_t golden_gamma = 0x9E37'79B9'7F4A'7C15ull;

constexpr uint64_t stream_start(uint64_t seed, uint32_t slot) { return seed ^ (golden_gamma * (uint64_t{slot} + 1)); }

// The output function: a bijection that spreads every input bit over the
// whole word (also usable alone, to fold values into a digest).
constexpr uint64_t mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58'476D'1CE4'E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D0'49BB'1331'11EBull;
    return z ^ (z >> 31);
}

constexpr uint64_t next(uint64_t& state) { return mix(state += golden_gamma); }

// A generator object, for code that draws many numbers from one seed.
class Generator {
public:
    explicit constexpr Generator(uint64_t seed) : m_state(seed) {}

    constexpr uint64_t next() { return splitmix64::next(m_state); }

    // Uniform in [0, bound), bound > 0: multiply-shift with rejection of the
    // few values that would favour the low results (Lemire 2019).
    constexpr uint64_t below(uint64_t bound) {
        for (;;) {
            const unsigned __int128 product = static_cast<unsigned __int128>(next()) * bound;
            const auto low = static_cast<uint64_t>(product);
            if (low >= bound || low >= (0 - bound) % bound) return static_cast<uint64_t>(product >> 64);
        }
    }

private:
    uint64_t m_state;
};

}  // namespace axl::splitmix64
