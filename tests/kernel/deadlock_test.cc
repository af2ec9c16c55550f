// Deadlock refusal: a call that would block and thereby close a cycle of
// processes waiting on each other returns Status::deadlock instead, changes
// nothing, and the rest of the system carries on.
//
// A cycle needs every member blocked. Under rendezvous any send to a process
// that is not receiving blocks; under ring and queue a send blocks only once
// the receiver's buffer is full, so each scenario first fills the buffers it
// needs ("fill X": sendnb until would_block — zero messages under rendezvous),
// which makes one script work, and block at the same point, under every
// strategy.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/script_program.h"

namespace axl::test {
namespace {

using sim::Expectation;
using sim::RunReport;

class Deadlock : public ::testing::TestWithParam<IpcStrategyKind> {
protected:
    IpcStrategyKind strategy() const { return GetParam(); }
    uint32_t cap() const { return buffer_capacity(strategy()); }
    std::string n(uint32_t count) const { return std::to_string(count); }
};

bool mentions(const std::vector<std::string>& lines, const std::string& text) {
    for (const std::string& line : lines)
        if (line.find(text) != std::string::npos) return true;
    return false;
}

// A sendrec B while B is blocked sending to A: refused with deadlock. B's send
// is still pending: A then receives it (after whatever B had buffered), which
// releases B.
TEST_P(Deadlock, SendrecToAProcessBlockedSendingToTheCaller) {
    SystemBuilder b(strategy());
    b.add("B", "fill A w=0; send A w=99; log B-released; " + n(cap()) + "*recv any");
    b.add("C", "fill B w=500");  // so that A's request to B cannot be buffered either
    b.add("A", "sendrec B w=7; " + n(cap() + 1) + "*recv B");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    std::vector<std::string> a = lines_of(r, "A");
    ASSERT_FALSE(a.empty()) << describe(r);
    EXPECT_EQ(a[0], "sendrec B -> deadlock") << describe(r);
    EXPECT_EQ(received(a), concat(sequence("B", 0, cap()), L("B:99"))) << describe(r);
    EXPECT_EQ(lines_of(r, "B")[1], "send A -> ok") << describe(r);
    EXPECT_LT(position(r, "A", "sendrec B -> deadlock"), position(r, "B", "B-released"));
    EXPECT_EQ(process(r, "A").counters.denied, 1u);
    EXPECT_EQ(process(r, "A").counters.sent, 0u) << "the refused request was not sent";
    // B received only C's fill: A's refused request never reached it.
    EXPECT_EQ(received(lines_of(r, "B")), sequence("C", 500, cap())) << describe(r);
}

// A -> B -> C -> A, each a blocking send: the one that would close the cycle
// (C's) is refused; its message is never delivered; once C drains B, the
// chain unwinds and everyone finishes.
TEST_P(Deadlock, ThreeCycleOfBlockingSends) {
    SystemBuilder b(strategy());
    b.add("A", "fill B w=0; send B w=99; " + n(cap()) + "*recv any");
    b.add("B", "fill C w=0; send C w=99; " + n(cap() + 1) + "*recv any");
    b.add("C", "fill A w=0; send A w=99; " + n(cap() + 1) + "*recv any");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "C")[1], "send A -> deadlock") << describe(r);
    EXPECT_EQ(lines_of(r, "A")[1], "send B -> ok") << describe(r);
    EXPECT_EQ(lines_of(r, "B")[1], "send C -> ok") << describe(r);
    EXPECT_EQ(received(lines_of(r, "C")), concat(sequence("B", 0, cap()), L("B:99")));
    EXPECT_EQ(received(lines_of(r, "B")), concat(sequence("A", 0, cap()), L("A:99")));
    // A gets C's fill and nothing else: C's refused message never arrived.
    EXPECT_EQ(received(lines_of(r, "A")), sequence("C", 0, cap())) << describe(r);
    EXPECT_EQ(process(r, "A").counters.received, cap());
    EXPECT_EQ(process(r, "C").counters.denied, 1u);
    EXPECT_EQ(process(r, "A").counters.denied, 0u);
    EXPECT_EQ(process(r, "B").counters.denied, 0u);
}

// A waits for B only, B waits for A only: B's receive is refused; B can then
// send to A, which A (waiting for exactly that) receives.
TEST_P(Deadlock, TwoProcessesReceivingFromEachOther) {
    SystemBuilder b(strategy());
    b.add("A", "recv B");
    b.add("B", "recv A; send A w=5");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "B"), L("recv A -> deadlock", "send A -> ok")) << describe(r);
    EXPECT_EQ(lines_of(r, "A"), L("recv B -> ok src=B type=1 w=5")) << describe(r);
    EXPECT_EQ(process(r, "B").counters.denied, 1u);
    EXPECT_EQ(process(r, "B").counters.blocked, 0u) << "refused before blocking";
}

// A cycle mixing both kinds of wait: A receives from B, B is blocked sending
// to C, and C asks to receive from A.
TEST_P(Deadlock, CycleThroughAReceiveAndASend) {
    SystemBuilder b(strategy());
    b.add("A", "recv B");
    b.add("B", "fill C w=0; send C w=99; send A w=7");
    b.add("C", "recv A; " + n(cap() + 1) + "*recv any");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "C")[0], "recv A -> deadlock") << describe(r);
    EXPECT_EQ(received(lines_of(r, "C")), concat(sequence("B", 0, cap()), L("B:99")));
    EXPECT_EQ(lines_of(r, "A"), L("recv B -> ok src=B type=1 w=7")) << describe(r);
}

// A chain of blocked senders that does not close: A -> B -> C, C receiving
// from B. Nothing is refused; each blocks normally and is released in turn.
TEST_P(Deadlock, ChainWithoutACycleBlocksNormally) {
    SystemBuilder b(strategy());
    b.add("A", "fill B w=0; send B w=99");
    b.add("B", "fill C w=0; send C w=99; " + n(cap() + 1) + "*recv A");
    b.add("C", n(cap() + 1) + "*recv B");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    for (const char* name : {"A", "B", "C"}) {
        EXPECT_FALSE(mentions(lines_of(r, name), "deadlock")) << name << "\n" << describe(r);
        EXPECT_EQ(process(r, name).counters.denied, 0u) << name;
    }
    EXPECT_EQ(received(lines_of(r, "C")), concat(sequence("B", 0, cap()), L("B:99")));
    EXPECT_EQ(received(lines_of(r, "B")), concat(sequence("A", 0, cap()), L("A:99")));
    EXPECT_GE(process(r, "A").counters.blocked, 1u) << "A really blocked on B";
    EXPECT_GE(process(r, "B").counters.blocked, 1u) << "B really blocked on C";
}

// Many senders blocked on one receiver, which is itself blocked on another:
// no cycle, no refusal.
TEST_P(Deadlock, FanInToABlockedReceiverIsNoCycle) {
    SystemBuilder b(strategy());
    b.add("S1", "fill R w=0; send R w=99");
    b.add("S2", "send R w=98");
    b.add("R", "fill T w=0; send T w=97; " + n(cap() + 2) + "*recv any");
    b.add("T", "compute 20000; " + n(cap() + 1) + "*recv R");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    for (const char* name : {"S1", "S2", "R", "T"})
        EXPECT_FALSE(mentions(lines_of(r, name), "deadlock")) << name << "\n" << describe(r);
    EXPECT_EQ(received(lines_of(r, "R")), concat(sequence("S1", 0, cap()), L("S1:99", "S2:98")));
}

// Waiting for oneself can never end: receive(from self) is refused. A send to
// oneself is refused under rendezvous (nobody could ever receive it), but
// ring and queue buffer it and a later receive takes it.
TEST_P(Deadlock, Self) {
    SystemBuilder b(strategy());
    b.add("A", "recv self; send self w=3; recv self");
    RunReport r = run(b);

    std::vector<std::string> a = lines_of(r, "A");
    ASSERT_EQ(a.size(), 3u) << describe(r);
    EXPECT_EQ(a[0], "recv self -> deadlock");
    if (strategy() == IpcStrategyKind::rendezvous) {
        EXPECT_EQ(a[1], "send self -> deadlock");
        EXPECT_EQ(a[2], "recv self -> deadlock");
    } else {
        EXPECT_EQ(a[1], "send self -> ok");
        EXPECT_EQ(a[2], "recv self -> ok src=A type=1 w=3");
    }
    EXPECT_TRUE(r.ok) << describe(r);
}

// The refusal is only for the call that would block: sendnb never blocks, so
// it answers would_block (not deadlock) in the same situation.
TEST_P(Deadlock, SendnbInACycleIsWouldBlockNotDeadlock) {
    SystemBuilder b(strategy());
    b.add("B", "fill A w=0; send A w=99; " + n(cap()) + "*recv any");
    b.add("C", "fill B w=500");
    b.add("A", "sendnb B w=7; " + n(cap() + 1) + "*recv B");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "A")[0], "sendnb B -> would_block") << describe(r);
    EXPECT_EQ(process(r, "A").counters.denied, 0u);
}

// A sendrec completes only with a reply to its own request. A and B each
// sendrec the other: under every strategy one of them is refused with
// deadlock (before its request is sent), and the other's request is never
// taken, so when its peer exits it gets dead_endpoint -- never the peer's
// request as a "reply".
TEST_P(Deadlock, SendrecCycleOfTwo) {
    SystemBuilder b(strategy());
    b.add("A", "sendrec B w=1");
    b.add("B", "sendrec A w=2");
    RunReport r = run(b);

    EXPECT_EQ(lines_of(r, "A"), L("sendrec B -> dead_endpoint")) << describe(r);
    EXPECT_EQ(lines_of(r, "B"), L("sendrec A -> deadlock")) << describe(r);
    EXPECT_EQ(r.messages, 0u) << "no request was ever delivered\n" << describe(r);
}

// The same with three: A -> B -> C -> A, each a sendrec. The one that closes
// the cycle is refused; the other two end with dead_endpoint as the chain
// exits, and no request is ever received.
TEST_P(Deadlock, SendrecCycleOfThree) {
    SystemBuilder b(strategy());
    b.add("A", "sendrec B w=1");
    b.add("B", "sendrec C w=2");
    b.add("C", "sendrec A w=3");
    RunReport r = run(b);

    EXPECT_EQ(lines_of(r, "C"), L("sendrec A -> deadlock")) << describe(r);
    EXPECT_EQ(lines_of(r, "B"), L("sendrec C -> dead_endpoint")) << describe(r);
    EXPECT_EQ(lines_of(r, "A"), L("sendrec B -> dead_endpoint")) << describe(r);
    EXPECT_EQ(r.messages, 0u) << describe(r);
}

// B sent A a plain message that a buffering strategy kept (under rendezvous
// B's send blocks, and A's sendrec is then refused with deadlock). A's sendrec
// must complete with B's reply, sent after B received the request, not with
// that earlier message, which A receives afterwards.
TEST_P(Deadlock, SendrecIsNotCompletedByAMessageSentBeforeTheRequestWasReceived) {
    SystemBuilder b(strategy());
    b.add_parked("B", "send A w=5; recv A; reply w=6");
    b.add("A", "yield; sendrec B w=1; recv B");
    RunReport r = run(b);

    if (strategy() == IpcStrategyKind::rendezvous) {
        EXPECT_EQ(lines_of(r, "A"), L("sendrec B -> deadlock", "recv B -> ok src=B type=1 w=5")) << describe(r);
    } else {
        EXPECT_EQ(lines_of(r, "A"), L("sendrec B -> ok src=B type=1 w=6", "recv B -> ok src=B type=1 w=5"))
            << describe(r);
    }
}

INSTANTIATE_TEST_SUITE_P(AllStrategies, Deadlock, ::testing::ValuesIn(all_strategies), strategy_param_name);

// The same cycle with its members on different CPUs (rendezvous, so every
// send blocks): whichever send closes the cycle is refused, exactly one, and
// nothing else is.
TEST(DeadlockMultiCpu, ExactlyOneSendOfACrossCpuCycleIsRefused) {
    for (uint32_t cpus : {2u, 3u}) {
        SCOPED_TRACE(std::to_string(cpus) + " cpus");
        SystemBuilder b(IpcStrategyKind::rendezvous, cpus);
        b.add("A", "send B w=1; recv C").expect = Expectation::serve;
        b.add("B", "compute 3000; send C w=2; recv A").expect = Expectation::serve;
        b.add("C", "compute 7000; send A w=3; recv B").expect = Expectation::serve;
        RunReport r = run(b);

        ASSERT_TRUE(r.ok) << describe(r);
        int refused = 0;
        for (const char* name : {"A", "B", "C"})
            for (const std::string& line : lines_of(r, name)) refused += line.find("-> deadlock") != std::string::npos;
        EXPECT_EQ(refused, 1) << describe(r);
        // The two accepted sends were both received; the refused one never was.
        EXPECT_EQ(r.messages, 2u) << describe(r);
    }
}

}  // namespace
}  // namespace axl::test
