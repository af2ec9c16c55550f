// SpscRing (ipc_strategies/ring/spsc_ring.h): FIFO, exact capacity, wrap-around
// far past the index range of one lap, and a producer and a consumer on two
// host threads losing, duplicating or reordering nothing.
#include <gtest/gtest.h>

#include <cstdint>
#include <thread>
#include <vector>

#include "ipc_strategies/ring/spsc_ring.h"

namespace axl {
namespace {

Message numbered(uint64_t n) {
    Message message;
    message.payload.words[0] = n;
    message.payload.words[6] = ~n;  // the last word too: a torn copy shows
    return message;
}

struct RingWithStorage {
    explicit RingWithStorage(uint32_t capacity) : slots(capacity) { ring.attach(slots.data(), capacity); }
    std::vector<Message> slots;
    SpscRing ring;
};

TEST(SpscRing, HoldsExactlyItsCapacityInOrder) {
    for (uint32_t capacity : {1u, 2u, 8u, 64u}) {
        RingWithStorage r(capacity);
        EXPECT_EQ(r.ring.size(), 0u);
        for (uint32_t i = 0; i < capacity; ++i) ASSERT_TRUE(r.ring.push(numbered(i))) << capacity;
        EXPECT_FALSE(r.ring.push(numbered(99))) << "a full ring refuses";
        EXPECT_EQ(r.ring.size(), capacity);
        Message out;
        for (uint32_t i = 0; i < capacity; ++i) {
            ASSERT_TRUE(r.ring.pop(out));
            EXPECT_EQ(out.payload.words[0], i);
        }
        EXPECT_FALSE(r.ring.pop(out)) << "an empty ring gives nothing";
    }
}

TEST(SpscRing, WrapsAroundManyTimes) {
    RingWithStorage r(4);
    Message out;
    uint64_t next_in = 0;
    uint64_t next_out = 0;
    for (int round = 0; round < 10'000; ++round) {
        const int burst = 1 + round % 4;
        for (int i = 0; i < burst; ++i) ASSERT_TRUE(r.ring.push(numbered(next_in++)));
        for (int i = 0; i < burst; ++i) {
            ASSERT_TRUE(r.ring.pop(out));
            ASSERT_EQ(out.payload.words[0], next_out++);
        }
    }
}

TEST(SpscRing, TwoThreadsLoseAndReorderNothing) {
    constexpr uint64_t count = 2'000'000;
    RingWithStorage r(16);
    std::thread producer([&r] {
        for (uint64_t i = 0; i < count;)
            if (r.ring.push(numbered(i))) ++i;
    });
    Message out;
    uint64_t expected = 0;
    bool ok = true;
    while (expected < count) {
        if (!r.ring.pop(out)) continue;
        ok = ok && out.payload.words[0] == expected && out.payload.words[6] == ~expected;
        ++expected;
    }
    producer.join();
    EXPECT_TRUE(ok);
    EXPECT_FALSE(r.ring.pop(out));
}

}  // namespace
}  // namespace axl
