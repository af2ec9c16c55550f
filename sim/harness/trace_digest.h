// TraceDigest: a 64-bit running hash over the kernel's trace events. Every
// run prints it; two runs of the same system with the same seed must print the
// same digest, and a replay that does not is a determinism bug.
//
// It is updated for every kernel event in normal runs, so it is a few
// multiplies per event, header-inline, with no allocation. It is not a
// cryptographic hash: it guards against accidental divergence, not adversaries.
#pragma once

#include <cstdint>
#include <string>

#include "kernel/trace.h"

namespace axl::sim {

class TraceDigest {
public:
    // Absorbs one event. Every field except `reserved` takes part (reserved is
    // padding whose value the kernel does not define). The fields are packed
    // into three 64-bit words without overlap, so two events that differ in any
    // field differ in at least one word.
    void add(const TraceEvent& event) {
        m_time_lane = absorb(m_time_lane, event.time_ns);
        m_kind_cpu_a_lane = absorb(m_kind_cpu_a_lane, static_cast<uint64_t>(event.kind) |
                                                          static_cast<uint64_t>(event.cpu) << 8 |
                                                          static_cast<uint64_t>(event.a) << 32);
        m_b_c_lane =
            absorb(m_b_c_lane, static_cast<uint64_t>(event.b) | static_cast<uint64_t>(event.c) << 32);
        ++m_events;
    }

    // The digest of every event added so far. Folds the lanes and the event
    // count through the avalanche step, innermost first; each fold is a
    // bijection of the lane it adds, so a difference in any one lane (or in
    // the count) survives to the result. Cheap; may be read at any time.
    uint64_t value() const {
        const uint64_t folded = avalanche(m_b_c_lane ^ m_events * k_event_count_multiplier);
        return avalanche(m_time_lane ^ avalanche(m_kind_cpu_a_lane ^ folded));
    }

    uint64_t events() const { return m_events; }

private:
    // Arbitrary constants with well-spread bits (the multipliers are odd, as
    // they must be to be invertible): the golden ratio, SplitMix64's, the
    // hexadecimal digits of pi for the lanes' starting states.
    static constexpr uint64_t k_absorb_multiplier = 0x9e37'79b9'7f4a'7c15;
    static constexpr uint64_t k_diffuse_multiplier = 0xbf58'476d'1ce4'e5b9;
    static constexpr uint64_t k_event_count_multiplier = 0x94d0'49bb'1331'11eb;

    // One step of a lane. Every operation is a bijection of the state for a
    // fixed word (xor, multiply by an odd constant, xor-shift, multiply), so two
    // streams of equal length that differ in exactly one word can never reach
    // the same lane state: a single changed field always changes the digest.
    // The xor-shift between the multiplies feeds high bits back into low ones,
    // so the difference a change leaves depends on the data and a later change
    // cannot cancel it with a fixed pattern (as it could with one multiply,
    // which moves a flip of the top bit nowhere else).
    static constexpr uint64_t absorb(uint64_t lane, uint64_t word) {
        lane = (lane ^ word) * k_absorb_multiplier;
        lane ^= lane >> 32;
        return lane * k_diffuse_multiplier;
    }

    // The MurmurHash3 finaliser: every input bit flips each output bit with
    // probability close to 1/2, so digests of nearby streams look unrelated.
    static constexpr uint64_t avalanche(uint64_t x) {
        x ^= x >> 33;
        x *= 0xff51'afd7'ed55'8ccd;
        x ^= x >> 33;
        x *= 0xc4ce'b9fe'1a85'ec53;
        x ^= x >> 33;
        return x;
    }

    // One lane per packed word. The lanes do not depend on each other, so the
    // CPU runs their multiplies in parallel: the dependency chain per event is
    // one step (about 9 cycles), not three, and add() costs a few nanoseconds.
    uint64_t m_time_lane = 0x243f'6a88'85a3'08d3;
    uint64_t m_kind_cpu_a_lane = 0x1319'8a2e'0370'7344;
    uint64_t m_b_c_lane = 0xa409'3822'299f'31d0;
    uint64_t m_events = 0;
};

// 16 lowercase hex digits, zero-padded: how digests are printed and compared.
inline std::string to_hex(uint64_t value) {
    constexpr char digits[] = "0123456789abcdef";
    std::string text(16, '0');
    for (int i = 15; i >= 0; --i, value >>= 4)
        text[static_cast<size_t>(i)] = digits[value & 0xf];
    return text;
}

}  // namespace axl::sim
