// The IPC primitives (send, receive from one / from any, sendrec, sendnb),
// each under every IPC strategy: what the receiver gets, from whom, with which
// payload, and what every call returns. Processes are scripts
// (tests/support/script_program.h) that log each call's result.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/script_program.h"

namespace axl::test {
namespace {

using sim::Expectation;
using sim::RunReport;


class IpcPrimitives : public ::testing::TestWithParam<IpcStrategyKind> {
protected:
    IpcStrategyKind strategy() const { return GetParam(); }
    bool buffered() const { return strategy() != IpcStrategyKind::rendezvous; }
};

// ---- send + receive ------------------------------------------------------------------

// The sender runs first (the receiver is not waiting yet): rendezvous blocks
// the sender, ring/queue buffer the message; the receiver gets it either way.
TEST_P(IpcPrimitives, SendThenReceive) {
    SystemBuilder b(strategy());
    b.add_parked("A", "send B t=7 w=42");  // stays alive: B receives from A by name
    b.add("B", "recv A");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "A"), L("send B -> ok")) << describe(r);
    EXPECT_EQ(lines_of(r, "B"), L("recv A -> ok src=A type=7 w=42")) << describe(r);
    EXPECT_EQ(process(r, "A").counters.sent, 1u);
    EXPECT_EQ(process(r, "A").counters.received, 0u);
    EXPECT_EQ(process(r, "B").counters.received, 1u);
    EXPECT_EQ(process(r, "B").counters.sent, 0u);
    EXPECT_EQ(r.messages, 1u);
    // Only rendezvous makes the sender wait for a receiver that is not there
    // yet (the other block is the final park).
    EXPECT_EQ(process(r, "A").counters.blocked, buffered() ? 1u : 2u) << describe(r);
}

// The receiver runs first and waits: every strategy delivers directly.
TEST_P(IpcPrimitives, ReceiveThenSend) {
    SystemBuilder b(strategy());
    b.add("B", "recv A");
    b.add("A", "send B t=7 w=42");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "B"), L("recv A -> ok src=A type=7 w=42")) << describe(r);
    EXPECT_EQ(lines_of(r, "A"), L("send B -> ok"));
    EXPECT_EQ(process(r, "A").counters.blocked, 0u) << "the receiver was waiting: nobody else blocks";
    EXPECT_EQ(process(r, "B").counters.blocked, 1u);
}

// ---- receive from one endpoint -------------------------------------------------------

// B and C have both sent (blocked or buffered) when A asks for C's message
// first: it gets C's although B's is older, then B's.
TEST_P(IpcPrimitives, ReceiveFromSpecificSkipsOtherSenders) {
    SystemBuilder b(strategy());
    b.add_parked("B", "send A w=1");
    b.add_parked("C", "send A w=2");
    b.add("A", "recv C; recv B");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "A"), L("recv C -> ok src=C type=1 w=2", "recv B -> ok src=B type=1 w=1"))
        << describe(r);
}

// A waits for C only: B's message does not wake it, C's does; B's is
// received afterwards.
TEST_P(IpcPrimitives, WaitingForOneSenderIgnoresOthers) {
    SystemBuilder b(strategy());
    b.add("A", "recv C; log got-C; recv B");
    b.add_parked("B", "send A w=1; log B-sent");
    b.add("C", "compute 30000; send A w=2");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "A"), L("recv C -> ok src=C type=1 w=2", "got-C", "recv B -> ok src=B type=1 w=1"))
        << describe(r);
    EXPECT_EQ(process(r, "A").counters.blocked, 1u) << "woken once, by C; B's message never woke it";
}

// ---- receive from any -------------------------------------------------------------------

TEST_P(IpcPrimitives, ReceiveFromAnyTakesWhoeverSent) {
    SystemBuilder b(strategy());
    b.add("A", "recv any; recv any");
    b.add("B", "send A w=1");
    b.add("C", "send A w=2");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    // A waits; B's send goes straight to it; C's waits (blocked or buffered)
    // until A receives again.
    EXPECT_EQ(received(lines_of(r, "A")), L("B:1", "C:2")) << describe(r);
    EXPECT_EQ(process(r, "A").counters.received, 2u);
}

// ---- sendrec --------------------------------------------------------------------------------

TEST_P(IpcPrimitives, SendrecRoundTripClientFirst) {
    SystemBuilder b(strategy());
    b.add("C", "sendrec S t=5 w=41");
    b.add("S", "recv any; reply t=6 w=42");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "S"), L("recv any -> ok src=C type=5 w=41", "reply -> ok")) << describe(r);
    EXPECT_EQ(lines_of(r, "C"), L("sendrec S -> ok src=S type=6 w=42")) << describe(r);
    EXPECT_EQ(process(r, "C").counters.sent, 1u);
    EXPECT_EQ(process(r, "C").counters.received, 1u);
    EXPECT_EQ(process(r, "S").counters.sent, 1u);
    EXPECT_EQ(process(r, "S").counters.received, 1u);
}

TEST_P(IpcPrimitives, SendrecRoundTripServerFirst) {
    SystemBuilder b(strategy());
    b.add("S", "recv any; reply t=6 w=42");
    b.add("C", "sendrec S t=5 w=41");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "C"), L("sendrec S -> ok src=S type=6 w=42")) << describe(r);
    EXPECT_EQ(lines_of(r, "S"), L("recv any -> ok src=C type=5 w=41", "reply -> ok"));
}

// Several round trips in a row, each reply distinct: no reply is lost,
// duplicated or handed to the wrong call.
TEST_P(IpcPrimitives, RepeatedSendrecGetsEachReplyOnce) {
    std::string server;
    std::vector<std::string> expected;
    for (int i = 0; i < 5; ++i) {
        server += "recv any; reply t=6 w=" + std::to_string(100 + i) + ";";
        expected.push_back("sendrec S -> ok src=S type=6 w=" + std::to_string(100 + i));
    }
    SystemBuilder b(strategy());
    b.add("C", "5*sendrec S t=5 w=0");
    b.add("S", server);
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "C"), expected) << describe(r);
    EXPECT_EQ(received(lines_of(r, "S")), L("C:0", "C:1", "C:2", "C:3", "C:4"));
}

// A client's sendrec only completes with the server's reply: a third process
// sending to the client meanwhile is not taken as the reply.
TEST_P(IpcPrimitives, SendrecReplyComesOnlyFromTheServer) {
    SystemBuilder b(strategy());
    b.add("C", "sendrec S w=1; recv any");
    b.add("X", "send C t=9 w=666");
    b.add("S", "recv any; compute 20000; reply t=6 w=2");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "C"), L("sendrec S -> ok src=S type=6 w=2", "recv any -> ok src=X type=9 w=666"))
        << describe(r);
}

// ---- sendnb ------------------------------------------------------------------------------------

TEST_P(IpcPrimitives, SendnbSucceedsWhenTheReceiverWaits) {
    SystemBuilder b(strategy());
    b.add("R", "recv any");
    b.add("S", "sendnb R w=5");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "S"), L("sendnb R -> ok")) << describe(r);
    EXPECT_EQ(lines_of(r, "R"), L("recv any -> ok src=S type=1 w=5"));
    EXPECT_EQ(process(r, "S").counters.blocked, 0u);
}

// sendnb to a receiver that is not waiting: rendezvous refuses at once
// (would_block); ring and queue accept until the buffer is full (ring:
// config::ring_capacity per sending CPU, queue: config::queue_capacity), then
// refuse. Nothing refused is ever delivered, and sendnb never blocks.
TEST_P(IpcPrimitives, SendnbWouldBlockWhenNothingCanTakeIt) {
    const uint32_t capacity = buffer_capacity(strategy());
    SystemBuilder b(strategy());
    b.add("S", "fill R w=0; sendnb R w=999");
    b.add("R", std::to_string(capacity) + "*recv any");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "S"), L("fill R -> " + std::to_string(capacity) + " would_block", "sendnb R -> would_block"))
        << describe(r);
    EXPECT_EQ(received(lines_of(r, "R")), sequence("S", 0, capacity)) << describe(r);
    EXPECT_EQ(process(r, "S").counters.blocked, 0u);
    EXPECT_EQ(process(r, "S").counters.sent, capacity);
    EXPECT_EQ(process(r, "R").counters.received, capacity);
}

TEST(IpcPrimitivesCapacity, ConfiguredCapacitiesAreWhatTheTestsAssume) {
    EXPECT_EQ(config::ring_capacity, 8u);
    EXPECT_EQ(config::queue_capacity, 16u);
}

// Once the receiver drained the buffer, sendnb succeeds again.
TEST_P(IpcPrimitives, SendnbSucceedsAgainAfterTheReceiverDrained) {
    if (!buffered()) GTEST_SKIP() << "rendezvous never buffers";
    const uint32_t capacity = buffer_capacity(strategy());
    SystemBuilder b(strategy());
    sim::ProcessDescription& s = b.add("S", "fill R w=0; yield; sendnb R w=500");
    s.priority = 8;
    sim::ProcessDescription& recv = b.add("R", std::to_string(capacity + 1) + "*recv any");
    recv.priority = 8;
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    // S fills, yields; R drains everything and waits; S's sendnb finds it waiting.
    EXPECT_EQ(lines_of(r, "S"), L("fill R -> " + std::to_string(capacity) + " would_block", "sendnb R -> ok"))
        << describe(r);
    EXPECT_EQ(received(lines_of(r, "R")), concat(sequence("S", 0, capacity), L("S:500")));
}

// ---- message integrity ------------------------------------------------------------------------------

TEST(MessageLayout, IsOneCacheLineWith56PayloadBytes) {
    EXPECT_EQ(sizeof(Message), 64u);
    EXPECT_EQ(alignof(Message), 64u);
    EXPECT_EQ(Message::payload_bytes, 56u);
    EXPECT_EQ(offsetof(Message, payload), 8u);
}

TEST(MessageLayout, PatternCoversEveryByteDistinctly) {
    // The check in the payload tests is only meaningful if two seeds differ
    // in every byte position the tests compare.
    for (uint32_t i = 0; i < Message::payload_bytes; ++i) EXPECT_NE(pattern_byte(11, i), pattern_byte(12, i)) << i;
}

// All 56 payload bytes and the type arrive unchanged, on the direct path
// (receiver waiting), the blocked/buffered path (sender first), and in both
// directions of a sendrec.
TEST_P(IpcPrimitives, PayloadArrivesIntactOnEveryPath) {
    SystemBuilder b(strategy());
    b.add_parked("Early", "send R t=3735928559 p=11");   // before R waits
    b.add("R", "recv Early; check 11; recv Late; check 12; recv C; check 13; reply p=14");
    b.add_parked("Late", "compute 20000; send R t=77 p=12");  // R waits by then
    b.add("C", "compute 40000; sendrec R t=5 p=13; check 14");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    std::vector<std::string> lines = lines_of(r, "R");
    ASSERT_EQ(lines.size(), 7u) << describe(r);
    EXPECT_TRUE(lines[0].starts_with("recv Early -> ok src=Early type=3735928559 ")) << lines[0];
    EXPECT_EQ(lines[1], "check -> ok") << describe(r);
    EXPECT_TRUE(lines[2].starts_with("recv Late -> ok src=Late type=77 ")) << lines[2];
    EXPECT_EQ(lines[3], "check -> ok") << describe(r);
    EXPECT_TRUE(lines[4].starts_with("recv C -> ok src=C type=5 ")) << lines[4];
    EXPECT_EQ(lines[5], "check -> ok") << describe(r);
    EXPECT_EQ(lines_of(r, "C").back(), "check -> ok") << describe(r);
}

// The check itself fails on a different pattern (negative control).
TEST_P(IpcPrimitives, PayloadCheckDetectsADifferentPayload) {
    SystemBuilder b(strategy());
    b.add_parked("S", "send R p=21");
    b.add("R", "recv S; check 22");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    ASSERT_EQ(lines_of(r, "R").size(), 2u);
    EXPECT_TRUE(lines_of(r, "R")[1].starts_with("check -> bad byte ")) << describe(r);
}

// ---- the source is the kernel's word, never the sender's ---------------------------------------------

// The sender writes a made-up source, or another live process's endpoint, into
// the message; the receiver sees the real sender on every path.
TEST_P(IpcPrimitives, SourceCannotBeForged) {
    SystemBuilder b(strategy());
    b.add("Liar", "send R w=1 f=raw:123456; send R w=2 f=Victim");
    b.add("Victim", "recv R; reply w=5");  // hears only from R, never from Liar
    b.add("R", "recv any; recv any; sendrec Victim w=4 f=#0");  // #0 is Liar's endpoint
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "R"), L("recv any -> ok src=Liar type=1 w=1", "recv any -> ok src=Liar type=1 w=2",
                                  "sendrec Victim -> ok src=Victim type=1 w=5"))
        << describe(r);
    // sendrec's request reaches Victim with R as its source, not Liar.
    EXPECT_EQ(lines_of(r, "Victim"), L("recv R -> ok src=R type=1 w=4", "reply -> ok")) << describe(r);
}

// A forged source on the direct path (receiver already waiting) and in a reply.
TEST_P(IpcPrimitives, SourceCannotBeForgedOnTheDirectPathOrInAReply) {
    SystemBuilder b(strategy());
    b.add("R", "recv any");
    b.add("Liar", "sendnb R w=1 f=R");
    b.add("C", "sendrec S w=2");
    b.add("S", "recv any; reply w=3 f=raw:42");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "R"), L("recv any -> ok src=Liar type=1 w=1")) << describe(r);
    EXPECT_EQ(lines_of(r, "Liar"), L("sendnb R -> ok")) << describe(r);
    EXPECT_EQ(lines_of(r, "C"), L("sendrec S -> ok src=S type=1 w=3")) << describe(r);
}

INSTANTIATE_TEST_SUITE_P(AllStrategies, IpcPrimitives, ::testing::ValuesIn(all_strategies), strategy_param_name);

// ---- ring: capacity is per sending CPU; queue: one mailbox for everyone ----------------------------------

// Two senders on different CPUs fill one receiver: the ring gives each CPU
// its own ring_capacity; the queue gives all senders together queue_capacity.
TEST(IpcPrimitivesCapacity, RingCapacityIsPerSendingCpuQueueCapacityIsShared) {
    for (IpcStrategyKind kind : all_strategies) {
        SCOPED_TRACE(to_string(kind));
        SystemBuilder b(kind, 2);
        sim::ProcessDescription& r0 = b.add("R", "compute 1000000; 32*recv any");
        r0.cpu = 0;
        r0.priority = 12;
        r0.expect = Expectation::serve;
        b.add("S0", "fill R w=0").cpu = 0;
        b.add("S1", "fill R w=100").cpu = 1;
        RunReport r = run(b);
        ASSERT_TRUE(r.ok) << describe(r);

        auto filled = [&](const std::string& name) {
            std::vector<std::string> lines = lines_of(r, name);
            EXPECT_EQ(lines.size(), 1u);
            // "fill R -> N would_block"
            return lines.empty() ? -1 : std::stoi(lines[0].substr(std::string("fill R -> ").size()));
        };
        int s0 = filled("S0");
        int s1 = filled("S1");
        switch (kind) {
            case IpcStrategyKind::rendezvous:
                EXPECT_EQ(s0, 0);
                EXPECT_EQ(s1, 0);
                break;
            case IpcStrategyKind::ring:
                EXPECT_EQ(s0, static_cast<int>(config::ring_capacity)) << describe(r);
                EXPECT_EQ(s1, static_cast<int>(config::ring_capacity)) << describe(r);
                break;
            case IpcStrategyKind::queue:
                EXPECT_EQ(s0 + s1, static_cast<int>(config::queue_capacity)) << describe(r);
                break;
        }
        EXPECT_EQ(process(r, "R").counters.received, static_cast<uint64_t>(s0 + s1));
    }
}

}  // namespace
}  // namespace axl::test
