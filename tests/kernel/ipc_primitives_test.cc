// The IPC primitives (send, receive from one / from any, sendrec, sendnb,
// reply_receive), each under every IPC strategy: what the receiver gets, from
// whom, with which payload, and what every call returns. Processes are scripts
// (tests/support/script_program.h) that log each call's result.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sim/machine/cost_model.h"
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

// ---- reply_receive ---------------------------------------------------------------------------------

// A server answers a waiting sendrec client and takes the next request in one
// call. C2's request arrived while the server was busy (blocked sender under
// rendezvous, buffered under ring/queue), so the receive half finds it at once
// and the server does not block again.
TEST_P(IpcPrimitives, ReplyReceiveRepliesThenTakesTheQueuedRequest) {
    SystemBuilder b(strategy());
    // Quanta shorter than one call: every call ends its process's turn and a
    // woken process queues at the back of its level -- strict round-robin, the
    // order this test's choreography needs (with quantum left a woken process
    // would go to the front: Kernel::enqueue_woken).
    b.add("S", "recv any; replyrecv last t=6 w=100; reply t=6 w=101").quantum_ns = 1;
    b.add("C1", "sendrec S t=5 w=1");
    b.add("C2", "sendrec S t=5 w=2");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "S"),
              L("recv any -> ok src=C1 type=5 w=1", "replyrecv last -> ok src=C2 type=5 w=2", "reply -> ok"))
        << describe(r);
    EXPECT_EQ(lines_of(r, "C1"), L("sendrec S -> ok src=S type=6 w=100")) << describe(r);
    EXPECT_EQ(lines_of(r, "C2"), L("sendrec S -> ok src=S type=6 w=101")) << describe(r);
    EXPECT_EQ(process(r, "S").counters.sent, 2u);
    EXPECT_EQ(process(r, "S").counters.received, 2u);
    EXPECT_EQ(process(r, "S").counters.blocked, 1u) << "only the first recv waited";
    EXPECT_EQ(process(r, "S").counters.denied, 0u);
    EXPECT_EQ(process(r, "C1").counters.received, 1u);
    EXPECT_EQ(process(r, "C2").counters.received, 1u);
    EXPECT_EQ(r.messages, 4u);
}

// Nothing is queued when the server replies: the reply goes out, the client
// runs, and the server waits in the receive half until the next request comes.
TEST_P(IpcPrimitives, ReplyReceiveWaitsForTheNextRequest) {
    SystemBuilder b(strategy());
    b.add("S", "recv any; replyrecv last t=6 w=100; reply t=6 w=101");
    b.add("C1", "sendrec S t=5 w=1; log C1-replied");
    // Lower priority: C2 runs only once S waits again and C1 is done.
    b.add("C2", "log C2-asks; sendrec S t=5 w=2").priority = 12;
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "S"),
              L("recv any -> ok src=C1 type=5 w=1", "replyrecv last -> ok src=C2 type=5 w=2", "reply -> ok"))
        << describe(r);
    EXPECT_EQ(lines_of(r, "C1"), L("sendrec S -> ok src=S type=6 w=100", "C1-replied")) << describe(r);
    EXPECT_EQ(lines_of(r, "C2"), L("C2-asks", "sendrec S -> ok src=S type=6 w=101")) << describe(r);
    // The reply reached C1 before C2 even asked: the reply half did not wait
    // for the receive half.
    EXPECT_LT(position(r, "C1", "C1-replied"), position(r, "C2", "C2-asks")) << describe(r);
    EXPECT_EQ(process(r, "S").counters.blocked, 2u) << "the first recv, and replyrecv's receive half";
    EXPECT_EQ(process(r, "S").counters.sent, 2u);
    EXPECT_EQ(process(r, "S").counters.received, 2u);
}

// A server loop: every reply goes to the right request, none is lost or
// doubled, and the server sees every request in order.
TEST_P(IpcPrimitives, ReplyReceiveLoopAnswersEveryRequestOnce) {
    SystemBuilder b(strategy());
    b.add("S", "recv any; 4*replyrecv last t=6 w=100; reply t=6 w=104");
    b.add("C", "5*sendrec S t=5 w=0");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    std::vector<std::string> expected;
    for (int i = 0; i < 5; ++i) expected.push_back("sendrec S -> ok src=S type=6 w=" + std::to_string(100 + i));
    EXPECT_EQ(lines_of(r, "C"), expected) << describe(r);
    EXPECT_EQ(received(lines_of(r, "S")), sequence("C", 0, 5)) << describe(r);
    EXPECT_EQ(process(r, "S").counters.sent, 5u);
    EXPECT_EQ(process(r, "S").counters.received, 5u);
    EXPECT_EQ(process(r, "C").counters.sent, 5u);
    EXPECT_EQ(process(r, "C").counters.received, 5u);
}

// Two clients interleaved: each replyrecv answers one client and receives the
// other's next request.
TEST_P(IpcPrimitives, ReplyReceiveAlternatesBetweenTwoClients) {
    SystemBuilder b(strategy());
    // Quanta shorter than one call: every call ends its process's turn and a
    // woken process queues at the back of its level -- strict round-robin, the
    // order this test's choreography needs (with quantum left a woken process
    // would go to the front: Kernel::enqueue_woken).
    b.add("S", "recv any; 5*replyrecv last t=6 w=100; reply t=6 w=105").quantum_ns = 1;
    b.add("A", "3*sendrec S t=5 w=10").quantum_ns = 1;
    b.add("B", "3*sendrec S t=5 w=20").quantum_ns = 1;
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(received(lines_of(r, "S")), L("A:10", "B:20", "A:11", "B:21", "A:12", "B:22")) << describe(r);
    EXPECT_EQ(lines_of(r, "A"), L("sendrec S -> ok src=S type=6 w=100", "sendrec S -> ok src=S type=6 w=102",
                                  "sendrec S -> ok src=S type=6 w=104"))
        << describe(r);
    EXPECT_EQ(lines_of(r, "B"), L("sendrec S -> ok src=S type=6 w=101", "sendrec S -> ok src=S type=6 w=103",
                                  "sendrec S -> ok src=S type=6 w=105"))
        << describe(r);
}

// The reply half is sendnb: to a client that is not waiting, rendezvous
// refuses at once (would_block) and the server receives nothing -- it goes on
// without blocking, before anyone sent it anything. Ring and queue keep the
// reply for the client (as for sendnb) and the server then waits for the next
// message as usual.
TEST_P(IpcPrimitives, ReplyReceiveToAClientThatIsNotWaiting) {
    SystemBuilder b(strategy());
    // S runs first: X has not reached its recv yet.
    b.add("S", std::string("replyrecv X t=6 w=7; log S-after") + (buffered() ? "" : "; recv any"));
    b.add("X", "compute 60000; recv any").expect = Expectation::serve;  // rendezvous: never answered
    b.add("T", "compute 20000; log T-sends; send S w=9");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    if (buffered()) {
        EXPECT_EQ(lines_of(r, "S"), L("replyrecv X -> ok src=T type=1 w=9", "S-after")) << describe(r);
        EXPECT_EQ(lines_of(r, "X"), L("recv any -> ok src=S type=6 w=7")) << describe(r);
        EXPECT_LT(position(r, "T", "T-sends"), position(r, "S", "S-after")) << describe(r);
        EXPECT_EQ(process(r, "S").counters.sent, 1u);
        EXPECT_EQ(process(r, "S").counters.blocked, 1u) << "in the receive half";
        EXPECT_EQ(process(r, "X").counters.received, 1u);
        EXPECT_EQ(r.messages, 2u);
    } else {
        EXPECT_EQ(lines_of(r, "S"), L("replyrecv X -> would_block", "S-after", "recv any -> ok src=T type=1 w=9"))
            << describe(r);
        // S went on at once: it logged before T (who runs after it) sent anything.
        EXPECT_LT(position(r, "S", "S-after"), position(r, "T", "T-sends")) << describe(r);
        EXPECT_TRUE(lines_of(r, "X").empty()) << describe(r);
        EXPECT_EQ(process(r, "X").state, ProcessState::receiving);
        EXPECT_EQ(process(r, "S").counters.sent, 0u);
        EXPECT_EQ(process(r, "S").counters.blocked, 1u) << "only in the later recv any";
        EXPECT_EQ(process(r, "S").counters.denied, 0u) << "would_block is not a refusal";
        EXPECT_EQ(process(r, "X").counters.received, 0u);
        EXPECT_EQ(r.messages, 1u);
    }
    EXPECT_EQ(process(r, "S").counters.received, 1u);
}

// would_block leaves a request that is already waiting for the server alone:
// the receive half does not run, and the next recv gets it.
TEST_P(IpcPrimitives, ReplyReceiveThatWouldBlockReceivesNothing) {
    if (buffered()) GTEST_SKIP() << "ring and queue keep the reply instead";
    SystemBuilder b(strategy());
    b.add_parked("P", "send S w=8");  // blocked sender before S runs
    b.add("S", "replyrecv X w=1; log S-after; recv any");
    b.add("X", "compute 60000; recv any").expect = Expectation::serve;
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "S"), L("replyrecv X -> would_block", "S-after", "recv any -> ok src=P type=1 w=8"))
        << describe(r);
    EXPECT_EQ(process(r, "S").counters.received, 1u);
    EXPECT_EQ(process(r, "S").counters.blocked, 0u);
    EXPECT_EQ(process(r, "X").counters.received, 0u);
}

// The client has exited before its answer: dead_endpoint, nothing received
// (P's message, already there, waits for the next recv), and the server goes on.
TEST_P(IpcPrimitives, ReplyReceiveToAnExitedClientIsDeadEndpoint) {
    SystemBuilder b(strategy());
    // Quanta shorter than one call: every call ends its process's turn and a
    // woken process queues at the back of its level -- strict round-robin, the
    // order this test's choreography needs (with quantum left a woken process
    // would go to the front: Kernel::enqueue_woken).
    b.add("S", "recv any; replyrecv last w=1; log S-after; recv any").quantum_ns = 1;
    b.add("C", "send S w=5; log C-bye");
    b.add_parked("P", "send S w=8");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "S"), L("recv any -> ok src=C type=1 w=5", "replyrecv last -> dead_endpoint", "S-after",
                                  "recv any -> ok src=P type=1 w=8"))
        << describe(r);
    EXPECT_LT(position(r, "C", "C-bye"), position(r, "S", "replyrecv last -> dead_endpoint")) << describe(r);
    EXPECT_EQ(process(r, "C").state, ProcessState::exited);
    EXPECT_EQ(process(r, "S").counters.denied, 1u);
    EXPECT_EQ(process(r, "S").counters.sent, 0u);
    EXPECT_EQ(process(r, "S").counters.received, 2u);
    EXPECT_EQ(process(r, "S").counters.blocked, 1u) << "only the first recv; the failed call never waits";
    EXPECT_EQ(process(r, "C").counters.received, 0u);
}

// A stale endpoint by name (looked up while the client lived) is refused the same way.
TEST_P(IpcPrimitives, ReplyReceiveToAStaleNameIsDeadEndpoint) {
    SystemBuilder b(strategy());
    b.add("S", "lookup C; yield; replyrecv C w=1; log S-after");
    b.add("C", "log C-bye");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "S"), L("lookup C -> ok", "replyrecv C -> dead_endpoint", "S-after")) << describe(r);
    EXPECT_EQ(process(r, "S").counters.denied, 1u);
    EXPECT_EQ(process(r, "S").counters.blocked, 0u);
}

// Endpoints that never named a process -- a never-used slot, a slot beyond the
// table, a pseudo endpoint -- are bad_endpoint; nothing is received (P's
// message waits for the recv).
TEST_P(IpcPrimitives, ReplyReceiveToABadEndpoint) {
    SystemBuilder b(strategy());
    b.add_parked("P", "send S w=8");
    b.add("S", "replyrecv #5 w=1; replyrecv #200000 w=2; replyrecv any; replyrecv none; replyrecv hardware; "
               "log S-after; recv any");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "S"), L("replyrecv #5 -> bad_endpoint", "replyrecv #200000 -> bad_endpoint",
                                  "replyrecv any -> bad_endpoint", "replyrecv none -> bad_endpoint",
                                  "replyrecv hardware -> bad_endpoint", "S-after", "recv any -> ok src=P type=1 w=8"))
        << describe(r);
    EXPECT_EQ(process(r, "S").counters.denied, 5u);
    EXPECT_EQ(process(r, "S").counters.sent, 0u);
    EXPECT_EQ(process(r, "S").counters.received, 1u);
    EXPECT_EQ(process(r, "S").counters.blocked, 0u);
}

// The receive half is receive(any): a pending notification comes before a
// queued message (it is not a sendrec reply wait, so nothing is held).
TEST_P(IpcPrimitives, ReplyReceiveTakesAPendingNotificationFirst) {
    SystemBuilder b(strategy());
    // Quanta shorter than one call: every call ends its process's turn and a
    // woken process queues at the back of its level -- strict round-robin, the
    // order this test's choreography needs (with quantum left a woken process
    // would go to the front: Kernel::enqueue_woken).
    b.add("S", "recv any; replyrecv last w=1; recv any").quantum_ns = 1;
    b.add("C", "sendrec S w=5");
    b.add_parked("P", "send S w=8");   // while S is busy: blocked or buffered
    b.add_parked("N", "notify S");     // after P's message
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    std::vector<std::string> lines = lines_of(r, "S");
    ASSERT_EQ(lines.size(), 3u) << describe(r);
    EXPECT_EQ(lines[0], "recv any -> ok src=C type=1 w=5");
    EXPECT_TRUE(lines[1].starts_with("replyrecv last -> ok src=N type=notify ")) << describe(r);
    EXPECT_EQ(lines[2], "recv any -> ok src=P type=1 w=8") << describe(r);
    EXPECT_EQ(process(r, "S").counters.blocked, 1u);
    EXPECT_EQ(lines_of(r, "C"), L("sendrec S -> ok src=S type=1 w=1")) << describe(r);
}

// Payload and type arrive intact in both directions.
TEST_P(IpcPrimitives, ReplyReceivePayloadArrivesIntact) {
    SystemBuilder b(strategy());
    b.add("S", "recv any; check 31; replyrecv last t=2147483647 p=32; check 33; reply p=34");
    b.add("C1", "sendrec S t=5 p=31; check 32");
    b.add("C2", "sendrec S t=77 p=33; check 34");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    std::vector<std::string> lines = lines_of(r, "S");
    ASSERT_EQ(lines.size(), 5u) << describe(r);
    EXPECT_EQ(lines[1], "check -> ok");
    EXPECT_TRUE(lines[2].starts_with("replyrecv last -> ok src=C2 type=77 ")) << lines[2];
    EXPECT_EQ(lines[3], "check -> ok");
    ASSERT_EQ(lines_of(r, "C1").size(), 2u) << describe(r);
    EXPECT_TRUE(lines_of(r, "C1")[0].starts_with("sendrec S -> ok src=S type=2147483647 ")) << describe(r);
    EXPECT_EQ(lines_of(r, "C1")[1], "check -> ok");
    EXPECT_EQ(lines_of(r, "C2").back(), "check -> ok") << describe(r);
}

// One kernel entry for both halves: the same exchange written as reply + recv
// costs the server exactly one more kernel entry (and one more log line, also
// a kernel entry), nothing else.
TEST_P(IpcPrimitives, ReplyReceiveIsOneKernelEntry) {
    auto server_cpu_ns = [&](const std::string& server_script) {
        SystemBuilder b(strategy());
        b.add("S", server_script);
        b.add("C1", "sendrec S w=1");
        b.add("C2", "sendrec S w=2");
        RunReport r = run(b);
        EXPECT_TRUE(r.ok) << describe(r);
        EXPECT_EQ(received(lines_of(r, "S")), L("C1:1", "C2:2")) << describe(r);
        return process(r, "S").counters.cpu_ns;
    };
    uint64_t separate = server_cpu_ns("recv any; reply w=10; recv any; reply w=20");
    uint64_t combined = server_cpu_ns("recv any; replyrecv last w=10; reply w=20");
    EXPECT_EQ(separate - combined, 2 * sim::default_cost_model().kernel_entry_ns)
        << "separate " << separate << " ns, combined " << combined << " ns";
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
    b.add_parked("Early", "send R t=2147483647 p=11");   // before R waits
    b.add("R", "recv Early; check 11; recv Late; check 12; recv C; check 13; reply p=14");
    b.add_parked("Late", "compute 20000; send R t=77 p=12");  // R waits by then
    b.add("C", "compute 40000; sendrec R t=5 p=13; check 14");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    std::vector<std::string> lines = lines_of(r, "R");
    ASSERT_EQ(lines.size(), 7u) << describe(r);
    EXPECT_TRUE(lines[0].starts_with("recv Early -> ok src=Early type=2147483647 ")) << lines[0];
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

// ---- reserved message types -----------------------------------------------------------

// Types at or above message_types::kernel_first are the kernel's own (a
// notification is one): no process may send one, on any sending primitive,
// whether the receiver already waits (the fast paths) or not.
TEST_P(IpcPrimitives, AReservedMessageTypeIsRefusedOnEverySendingPrimitive) {
    SystemBuilder b(strategy());
    b.add("R", "recv any; recv any");
    const std::string notify = std::to_string(message_types::notify);
    b.add("X", "send R t=" + notify + "; sendnb R t=2147483648; sendrec R t=" + notify +
                   "; replyrecv R t=4294967295; send R t=7; send R t=8");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "X"), L("send R -> bad_argument", "sendnb R -> bad_argument", "sendrec R -> bad_argument",
                                  "replyrecv R -> bad_argument", "send R -> ok", "send R -> ok"))
        << describe(r);
    EXPECT_EQ(lines_of(r, "R"), L("recv any -> ok src=X type=7 w=0", "recv any -> ok src=X type=8 w=0"))
        << describe(r);
    EXPECT_EQ(process(r, "X").counters.denied, 4u);
    EXPECT_EQ(process(r, "X").counters.sent, 2u);
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
