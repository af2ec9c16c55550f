#include "sim/harness/trace_digest.h"

#include "kernel/lib/splitmix64.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <map>
#include <string>
#include <vector>

namespace axl::sim {
namespace {

// The project's one generator (kernel/lib/splitmix64.h), so the streams are
// the same on every machine and standard library.
using TestRandom = splitmix64::Generator;

TraceEvent random_event(TestRandom& random, uint64_t time_ns) {
    return TraceEvent{.time_ns = time_ns,
                      .kind = static_cast<TraceKind>(random.below(trace_kind_count)),
                      .cpu = static_cast<uint8_t>(random.below(4)),
                      .a = static_cast<uint32_t>(random.below(64)),
                      .b = static_cast<uint32_t>(random.below(64)),
                      .c = static_cast<uint32_t>(random.below(16))};
}

// Plausible streams: small slots, few kinds, rising time, as the kernel emits.
std::vector<TraceEvent> random_stream(uint64_t seed, size_t length) {
    TestRandom random(seed);
    std::vector<TraceEvent> events;
    uint64_t time_ns = 0;
    for (size_t i = 0; i < length; ++i) {
        time_ns += random.below(500);
        events.push_back(random_event(random, time_ns));
    }
    return events;
}

uint64_t digest_of(const std::vector<TraceEvent>& events) {
    TraceDigest digest;
    for (const TraceEvent& event : events)
        digest.add(event);
    return digest.value();
}

bool same_event(const TraceEvent& x, const TraceEvent& y) {
    return x.time_ns == y.time_ns && x.kind == y.kind && x.cpu == y.cpu && x.a == y.a && x.b == y.b &&
           x.c == y.c;
}

bool same_stream(const std::vector<TraceEvent>& x, const std::vector<TraceEvent>& y) {
    if (x.size() != y.size())
        return false;
    for (size_t i = 0; i < x.size(); ++i)
        if (!same_event(x[i], y[i]))
            return false;
    return true;
}

const TraceEvent k_sample{.time_ns = 123'456'789, .kind = TraceKind::send, .cpu = 1, .a = 3, .b = 7, .c = 42};

TEST(TraceDigest, IsDeterministic) {
    const auto events = random_stream(1, 1000);
    EXPECT_EQ(digest_of(events), digest_of(events));
    EXPECT_NE(digest_of(events), digest_of(random_stream(2, 1000)));
}

TEST(TraceDigest, CountsEvents) {
    TraceDigest digest;
    EXPECT_EQ(digest.events(), 0u);
    for (int i = 0; i < 5; ++i)
        digest.add(k_sample);
    EXPECT_EQ(digest.events(), 5u);
}

TEST(TraceDigest, EmptyAndNonEmptyDiffer) {
    TraceDigest empty;
    TraceDigest one;
    one.add(TraceEvent{});
    EXPECT_NE(empty.value(), one.value());
    // An all-zero event still counts: n zero events differ from n + 1.
    TraceDigest two;
    two.add(TraceEvent{});
    two.add(TraceEvent{});
    EXPECT_NE(one.value(), two.value());
}

// Printed digests are compared across machines and committed in results/;
// changing the function must be a deliberate act that updates this value.
TEST(TraceDigest, IsStableAcrossBuilds) {
    TraceDigest digest;
    digest.add(k_sample);
    digest.add(TraceEvent{.time_ns = 1, .kind = TraceKind::idle, .cpu = 0, .a = 0, .b = 0, .c = 0});
    EXPECT_EQ(to_hex(digest.value()), "815db5af2917a2e3");
}

TEST(TraceDigest, IsOrderSensitive) {
    TraceEvent first = k_sample;
    TraceEvent second = k_sample;
    second.kind = TraceKind::deliver;
    EXPECT_NE(digest_of({first, second}), digest_of({second, first}));

    auto events = random_stream(3, 100);
    const uint64_t before = digest_of(events);
    std::swap(events[10], events[60]);
    EXPECT_NE(digest_of(events), before);
}

// Flipping any single bit of any field (every bit of every field, at the
// start, middle and end of a stream) changes the digest.
TEST(TraceDigest, ChangesWithEverySingleBitOfEveryField) {
    const auto base = random_stream(4, 20);
    const uint64_t base_digest = digest_of(base);
    for (size_t position : {size_t{0}, size_t{9}, size_t{19}}) {
        for (int bit = 0; bit < 64; ++bit) {
            auto events = base;
            events[position].time_ns ^= uint64_t{1} << bit;
            EXPECT_NE(digest_of(events), base_digest) << "time_ns bit " << bit << " at " << position;
        }
        for (int bit = 0; bit < 8; ++bit) {
            auto events = base;
            const auto kind_bits = static_cast<uint8_t>(events[position].kind);
            events[position].kind = static_cast<TraceKind>(kind_bits ^ (1u << bit));
            EXPECT_NE(digest_of(events), base_digest) << "kind bit " << bit;
            events = base;
            events[position].cpu ^= static_cast<uint8_t>(1u << bit);
            EXPECT_NE(digest_of(events), base_digest) << "cpu bit " << bit;
        }
        for (int bit = 0; bit < 32; ++bit) {
            for (uint32_t TraceEvent::*field : {&TraceEvent::a, &TraceEvent::b, &TraceEvent::c}) {
                auto events = base;
                events[position].*field ^= 1u << bit;
                EXPECT_NE(digest_of(events), base_digest) << "a/b/c bit " << bit << " at " << position;
            }
        }
    }
}

// Fields whose packed words could be confused: moving a value from one field
// to its neighbour must still change the digest.
TEST(TraceDigest, DistinguishesFieldsFromEachOther) {
    TraceEvent ab{.time_ns = 0, .kind = TraceKind::send, .cpu = 0, .a = 5, .b = 0, .c = 0};
    TraceEvent ba{.time_ns = 0, .kind = TraceKind::send, .cpu = 0, .a = 0, .b = 5, .c = 0};
    TraceEvent bc{.time_ns = 0, .kind = TraceKind::send, .cpu = 0, .a = 0, .b = 0, .c = 5};
    TraceEvent kc{.time_ns = 0, .kind = TraceKind::send, .cpu = 5, .a = 0, .b = 0, .c = 0};
    TraceEvent t{.time_ns = 5, .kind = TraceKind::send, .cpu = 0, .a = 0, .b = 0, .c = 0};
    const std::vector<uint64_t> digests = {digest_of({ab}), digest_of({ba}), digest_of({bc}),
                                           digest_of({kc}), digest_of({t})};
    for (size_t i = 0; i < digests.size(); ++i)
        for (size_t j = i + 1; j < digests.size(); ++j)
            EXPECT_NE(digests[i], digests[j]) << i << " vs " << j;
}

TEST(TraceDigest, IgnoresReservedPadding) {
    TraceEvent padded = k_sample;
    padded.reserved = 0xbeef;
    EXPECT_EQ(digest_of({k_sample}), digest_of({padded}));
}

// Thousands of random small edits of one stream (a changed field, swapped,
// dropped or duplicated events, and two edits at once) give pairwise
// different digests: no collisions among distinct streams.
TEST(TraceDigest, RandomPerturbationsDoNotCollide) {
    const auto base = random_stream(5, 300);
    TestRandom random(6);
    std::map<uint64_t, std::vector<TraceEvent>> seen{{digest_of(base), base}};
    int distinct = 0;
    for (int trial = 0; trial < 5000; ++trial) {
        auto events = base;
        const int edits = 1 + static_cast<int>(random.below(2));
        for (int edit = 0; edit < edits; ++edit) {
            const size_t i = random.below(static_cast<uint32_t>(events.size()));
            const size_t j = random.below(static_cast<uint32_t>(events.size()));
            switch (random.below(8)) {
                case 0: events[i].time_ns += 1 + random.below(1000); break;
                case 1: events[i].kind = static_cast<TraceKind>(random.below(trace_kind_count)); break;
                case 2: events[i].cpu = static_cast<uint8_t>(random.below(4)); break;
                case 3: events[i].a = random.below(64); break;
                case 4: events[i].b = random.below(64); break;
                case 5: events[i].c = random.below(16); break;
                case 6: std::swap(events[i], events[j]); break;
                case 7:
                    if (random.below(2) == 0)
                        events.erase(events.begin() + static_cast<ptrdiff_t>(i));
                    else
                        events.insert(events.begin() + static_cast<ptrdiff_t>(i), events[j]);
                    break;
            }
        }
        const uint64_t digest = digest_of(events);
        const auto [existing, inserted] = seen.emplace(digest, events);
        if (inserted)
            ++distinct;
        else
            ASSERT_TRUE(same_stream(existing->second, events))
                << "collision on trial " << trial << ": " << to_hex(digest);
    }
    // Most edits produce a new stream; the check above is not vacuous.
    EXPECT_GT(distinct, 4500);
}

// Avalanche: one flipped input bit flips about half of the 64 output bits,
// even in the last event, which no later lane step gets to mix (the
// finaliser alone must do it). Every bit of every field is tried.
TEST(TraceDigest, IsWellMixed) {
    const auto base = random_stream(7, 10);
    const uint64_t base_digest = digest_of(base);
    int flipped_bits = 0;
    int trials = 0;
    int fewest_flipped = 64;
    auto flip_and_measure = [&](auto flip) {
        auto events = base;
        flip(events.back());
        const int flipped = std::popcount(digest_of(events) ^ base_digest);
        flipped_bits += flipped;
        fewest_flipped = std::min(fewest_flipped, flipped);
        ++trials;
    };
    for (int bit = 0; bit < 64; ++bit)
        flip_and_measure([bit](TraceEvent& e) { e.time_ns ^= uint64_t{1} << bit; });
    for (int bit = 0; bit < 8; ++bit) {
        flip_and_measure([bit](TraceEvent& e) { e.cpu ^= static_cast<uint8_t>(1u << bit); });
        flip_and_measure([bit](TraceEvent& e) {
            e.kind = static_cast<TraceKind>(static_cast<uint8_t>(e.kind) ^ (1u << bit));
        });
    }
    for (int bit = 0; bit < 32; ++bit)
        for (uint32_t TraceEvent::*field : {&TraceEvent::a, &TraceEvent::b, &TraceEvent::c})
            flip_and_measure([bit, field](TraceEvent& e) { e.*field ^= 1u << bit; });
    const double average = static_cast<double>(flipped_bits) / trials;
    EXPECT_GT(average, 30.0);
    EXPECT_LT(average, 34.0);
    EXPECT_GE(fewest_flipped, 16);  // no input bit is weakly connected to the output
}

TEST(TraceDigest, ToHexIsSixteenLowercaseDigits) {
    EXPECT_EQ(to_hex(0), "0000000000000000");
    EXPECT_EQ(to_hex(0xdeadbeef), "00000000deadbeef");
    EXPECT_EQ(to_hex(0x0123'4567'89ab'cdef), "0123456789abcdef");
    EXPECT_EQ(to_hex(~uint64_t{0}), "ffffffffffffffff");
}

}  // namespace
}  // namespace axl::sim
