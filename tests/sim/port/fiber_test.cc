#include "sim/port/fiber.h"

#include <array>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "sim/port/stack_pool.h"

namespace axl::sim {
namespace {

// --- one fiber, switching back and forth with the main context ------------------

struct PingPong {
    FiberHandle main = nullptr;
    FiberHandle fiber = nullptr;
    Stack stack;
    int runs = 0;
    bool ran_on_its_stack = false;
    std::vector<int> seen;  // values main passed in, in order
    int mailbox = 0;
};

void ping_pong_entry(void* arg) {
    auto& self = *static_cast<PingPong*>(arg);
    int local = 0;
    self.ran_on_its_stack = self.stack.contains(&local);
    for (;;) {
        ++self.runs;
        self.seen.push_back(self.mailbox);
        if (self.mailbox < 0) switch_fiber_and_abandon(self.main);
        switch_fiber(self.fiber, self.main);
    }
}

TEST(Fiber, EntryRunsOnlyWhenSwitchedToAndOnItsOwnStack) {
    StackPool pool;
    PingPong state;
    state.stack = pool.acquire(32 * 1024);
    state.fiber = make_fiber(state.stack, &ping_pong_entry, &state);
    ASSERT_NE(state.fiber, nullptr);
    EXPECT_EQ(state.runs, 0) << "make_fiber must not run the entry";

    for (int i = 1; i <= 5; ++i) {
        state.mailbox = i * 10;
        switch_fiber(state.main, state.fiber);
        EXPECT_EQ(state.runs, i);
    }
    EXPECT_TRUE(state.ran_on_its_stack);
    state.mailbox = -1;
    switch_fiber(state.main, state.fiber);  // it abandons itself, back to us
    EXPECT_EQ(state.seen, (std::vector<int>{10, 20, 30, 40, 50, -1}));
    pool.release(state.stack);
}

// --- the value a switch hands to the call it resumes ------------------------------

// The hosted kernel-call path continues a process by returning a status from
// the switch call that suspended it; the value must arrive intact both ways,
// and the resumed side's own state must be as it left it.
struct Exchange {
    FiberHandle main = nullptr;
    FiberHandle fiber = nullptr;
    Stack stack;
    std::vector<uint64_t> received;  // what the fiber's switch calls returned
};

void exchange_entry(void* arg) {
    auto& self = *static_cast<Exchange*>(arg);
    uint64_t reply = 1000;
    for (;;) {
        // A value live across the switch (in a callee-saved register or on
        // the stack; the empty asm hides it from the optimiser) must survive.
        uint64_t kept = reply * 3;
        asm volatile("" : "+r"(kept));
        uint64_t got = detail::axl_fiber_switch(&self.fiber, self.main, reply);
        asm volatile("" : "+r"(kept));
        if (kept != reply * 3) got = ~uint64_t{0};
        self.received.push_back(got);
        if (got == 0) switch_fiber_and_abandon(self.main);
        reply = got + 1;
    }
}

TEST(Fiber, SwitchHandsItsValueToTheResumedCall) {
    StackPool pool;
    Exchange state;
    state.stack = pool.acquire(32 * 1024);
    state.fiber = make_fiber(state.stack, &exchange_entry, &state);
    // The first switch starts the fiber (a fresh fiber ignores the value).
    EXPECT_EQ(detail::axl_fiber_switch(&state.main, state.fiber, 7), 1000u);
    EXPECT_EQ(detail::axl_fiber_switch(&state.main, state.fiber, 41), 42u);
    EXPECT_EQ(detail::axl_fiber_switch(&state.main, state.fiber, 99), 100u);
    switch_fiber(state.main, state.fiber);  // value 0: it abandons itself, back to us
    EXPECT_EQ(state.received, (std::vector<uint64_t>{41, 99, 0}));
    pool.release(state.stack);
}

// --- three fibers passing control around a ring without going through main -----

struct Ring;
struct RingMember {
    Ring* ring = nullptr;
    int index = 0;
    char name = '?';
    FiberHandle context = nullptr;
    Stack stack;
};
struct Ring {
    static constexpr int kLaps = 1000;
    FiberHandle main = nullptr;
    std::array<RingMember, 3> members;
    std::string log;
    int corrupted = 0;  // locals found changed after a switch
};

void ring_entry(void* arg) {
    auto& self = *static_cast<RingMember*>(arg);
    Ring& ring = *self.ring;
    RingMember& next = ring.members[(self.index + 1) % ring.members.size()];
    // Locals the fiber owns; they live in registers and on its stack across
    // switches and must come back exactly as they were left.
    uint64_t counter = 0;
    double accumulator = self.index + 0.5;
    std::array<uint32_t, 64> pattern;
    for (size_t i = 0; i < pattern.size(); ++i) pattern[i] = static_cast<uint32_t>(i * 2654435761u) ^ self.index;

    for (int lap = 0; lap < Ring::kLaps; ++lap) {
        ring.log.push_back(self.name);
        ++counter;
        accumulator *= 1.0000001;
        const uint64_t counter_before = counter;
        const double accumulator_before = accumulator;
        const uint32_t pattern_sum_before = [&] {
            uint32_t sum = 0;
            for (uint32_t v : pattern) sum = sum * 31 + v;
            return sum;
        }();

        const bool last = lap == Ring::kLaps - 1 && self.index == 2;
        if (last) switch_fiber_and_abandon(ring.main);
        switch_fiber(self.context, next.context);

        uint32_t pattern_sum = 0;
        for (uint32_t v : pattern) pattern_sum = pattern_sum * 31 + v;
        if (counter != counter_before || accumulator != accumulator_before ||
            pattern_sum != pattern_sum_before || counter != static_cast<uint64_t>(lap) + 1)
            ++ring.corrupted;
    }
    // The first two members never get here: the third abandons the ring to main.
    ring.corrupted += 1000;
    switch_fiber_and_abandon(ring.main);
}

void run_ring(StackPool& pool, Ring& ring) {
    for (int i = 0; i < 3; ++i) {
        RingMember& member = ring.members[i];
        member.ring = &ring;
        member.index = i;
        member.name = static_cast<char>('A' + i);
        member.stack = pool.acquire(32 * 1024);
        member.context = make_fiber(member.stack, &ring_entry, &member);
    }
    const uint64_t main_local = 0x1234'5678'9abc'def0;
    switch_fiber(ring.main, ring.members[0].context);
    EXPECT_EQ(main_local, 0x1234'5678'9abc'def0u);
    for (RingMember& member : ring.members) pool.release(member.stack);
}

TEST(Fiber, ThreeFibersSwitchSymmetricallyInOrder) {
    StackPool pool;
    Ring ring;
    run_ring(pool, ring);
    std::string expected;
    for (int lap = 0; lap < Ring::kLaps; ++lap) expected += "ABC";
    EXPECT_EQ(ring.log, expected);
    EXPECT_EQ(ring.corrupted, 0);
}

// Rings on two host threads at once: fibers share nothing per process.
TEST(Fiber, IndependentRingsOnTwoThreads) {
    StackPool pool;
    Ring first, second;
    std::thread a([&] { run_ring(pool, first); });
    std::thread b([&] { run_ring(pool, second); });
    a.join();
    b.join();
    EXPECT_EQ(first.log.size(), 3u * Ring::kLaps);
    EXPECT_EQ(second.log.size(), 3u * Ring::kLaps);
    EXPECT_EQ(first.corrupted + second.corrupted, 0);
}

// --- creating fibers from inside a fiber ------------------------------------------

struct Nest {
    StackPool* pool = nullptr;
    FiberHandle main = nullptr;
    FiberHandle outer = nullptr;
    FiberHandle inner = nullptr;
    Stack inner_stack;
    std::string log;
};

void inner_entry(void* arg) {
    auto& nest = *static_cast<Nest*>(arg);
    nest.log += "inner;";
    switch_fiber(nest.inner, nest.outer);
    nest.log += "inner-again;";
    switch_fiber_and_abandon(nest.main);  // straight to main, past outer
}

void outer_entry(void* arg) {
    auto& nest = *static_cast<Nest*>(arg);
    nest.log += "outer;";
    nest.inner_stack = nest.pool->acquire(16 * 1024);
    nest.inner = make_fiber(nest.inner_stack, &inner_entry, &nest);
    nest.log += "made;";
    switch_fiber(nest.outer, nest.inner);
    nest.log += "outer-again;";
    switch_fiber(nest.outer, nest.main);
    nest.log += "NEVER;";
    switch_fiber_and_abandon(nest.main);
}

TEST(Fiber, FibersCanBeCreatedAndResumedFromInsideFibers) {
    StackPool pool;
    Nest nest;
    nest.pool = &pool;
    Stack outer_stack = pool.acquire(16 * 1024);
    nest.outer = make_fiber(outer_stack, &outer_entry, &nest);
    switch_fiber(nest.main, nest.outer);
    EXPECT_EQ(nest.log, "outer;made;inner;outer-again;");
    switch_fiber(nest.main, nest.inner);
    EXPECT_EQ(nest.log, "outer;made;inner;outer-again;inner-again;");
}

// --- misuse that must be loud -------------------------------------------------------

void returning_entry(void*) {}

TEST(FiberDeathTest, AnEntryThatReturnsAbortsTheSimulator) {
    EXPECT_DEATH(
        {
            StackPool pool;
            FiberHandle main = nullptr;
            FiberHandle fiber = make_fiber(pool.acquire(16 * 1024), &returning_entry, nullptr);
            switch_fiber(main, fiber);
        },
        "entry function returned");
}

TEST(FiberDeathTest, ResumingAnAbandonedFiberAborts) {
    EXPECT_DEATH(
        {
            StackPool pool;
            static FiberHandle main = nullptr;
            FiberHandle fiber = make_fiber(
                pool.acquire(16 * 1024), [](void*) { switch_fiber_and_abandon(main); }, nullptr);
            switch_fiber(main, fiber);
            FiberHandle stolen = detail::abandoned_fiber;  // nobody owns this handle
            switch_fiber(main, stolen);
        },
        "was resumed");
}

}  // namespace
}  // namespace axl::sim
