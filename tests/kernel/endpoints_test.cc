// Endpoints: slot + generation. A handle to a process that is gone fails
// cleanly with dead_endpoint; a handle that never named a process (a slot
// never used, beyond the table, or a pseudo-endpoint where a process is
// needed) fails with bad_endpoint; processes blocked on a process that dies
// are woken with dead_endpoint; lookup of a dead or unknown name is not_found.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/script_program.h"

// lookup() edge cases a script cannot spell (empty name, null pointer,
// names too long for the kernel's name field). Exit status: 0 when every
// result was as expected, else the number of the first mismatch.
AXL_PROGRAM(kt_ep_lookup_edges, "endpoints_test: lookup with empty, null and over-long names") {
    using namespace axl;
    Endpoint e = endpoints::none;
    if (lookup("", e) != Status::bad_argument) return 1;
    if (lookup(nullptr, e) != Status::bad_argument) return 2;
    // 23 characters fit (process_name_bytes - 1); 24 do not.
    if (lookup("abcdefghijklmnopqrstuvw", e) != Status::not_found) return 3;
    if (lookup("abcdefghijklmnopqrstuvwx", e) != Status::bad_argument) return 4;
    if (e != endpoints::none) return 5;  // failed lookups leave the output alone
    if (lookup("kt_ep_lookup_edges_self", e) != Status::ok) return 6;
    if (e != self()) return 7;
    return 0;
}

namespace axl::test {
namespace {

using sim::Expectation;
using sim::RunReport;

class Endpoints : public ::testing::TestWithParam<IpcStrategyKind> {
protected:
    IpcStrategyKind strategy() const { return GetParam(); }
    bool buffered() const { return strategy() != IpcStrategyKind::rendezvous; }
};

// Slots follow the order of the description, generation 1 on a fresh boot;
// self() returns the caller's own endpoint.
TEST_P(Endpoints, BootAssignsSlotsInOrderWithGenerationOne) {
    SystemBuilder b(strategy());
    b.add("A", "self");
    b.add("B", "self; lookup A");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    ASSERT_EQ(r.processes.size(), 2u);
    EXPECT_EQ(r.processes[0].endpoint, Endpoint::make(0, 1));
    EXPECT_EQ(r.processes[1].endpoint, Endpoint::make(1, 1));
    EXPECT_EQ(lines_of(r, "A"), L("self -> A"));
    EXPECT_EQ(lines_of(r, "B"), L("self -> B", "lookup A -> not_found")) << "A had exited";
}

// ---- stale endpoints --------------------------------------------------------------------

// A looks B up, lets it exit, then uses the old endpoint with every primitive.
TEST_P(Endpoints, EveryPrimitiveOnAnExitedProcessIsDeadEndpoint) {
    SystemBuilder b(strategy());
    b.add("A", "lookup B; yield; send B w=1; sendnb B w=2; sendrec B w=3; notify B; recv B; lookup B");
    b.add("B", "log bye");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "A"),
              L("lookup B -> ok", "send B -> dead_endpoint", "sendnb B -> dead_endpoint", "sendrec B -> dead_endpoint",
                "notify B -> dead_endpoint", "recv B -> dead_endpoint", "lookup B -> not_found"))
        << describe(r);
    EXPECT_LT(position(r, "B", "bye"), position(r, "A", "send B -> dead_endpoint"));
    EXPECT_EQ(process(r, "A").counters.denied, 5u);
    EXPECT_EQ(process(r, "A").counters.sent, 0u);
    EXPECT_EQ(process(r, "A").counters.notifies_sent, 0u);
    EXPECT_EQ(process(r, "A").counters.blocked, 0u);
    EXPECT_EQ(r.messages, 0u);
}

// An endpoint with the right slot but another generation is stale too: it
// never reaches the process now in that slot.
TEST_P(Endpoints, WrongGenerationIsDeadEndpoint) {
    SystemBuilder b(strategy());
    b.add("A", "send #1:2 w=1; notify #1:2; recv #1:2; send #1:1 w=2");
    b.add("B", "recv any");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "A"),
              L("send #1:2 -> dead_endpoint", "notify #1:2 -> dead_endpoint", "recv #1:2 -> dead_endpoint",
                "send #1:1 -> ok"))
        << describe(r);
    EXPECT_EQ(lines_of(r, "B"), L("recv any -> ok src=A type=1 w=2")) << "only the right generation got through";
}

// ---- endpoints that never named a process ----------------------------------------------------

TEST_P(Endpoints, NeverUsedSlotIsBadEndpoint) {
    SystemBuilder b(strategy());
    b.add("A", "send #5 w=1; sendnb #5; sendrec #5; notify #5; recv #5; send #200000; recv #200000");
    b.add("B", "");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "A"),
              L("send #5 -> bad_endpoint", "sendnb #5 -> bad_endpoint", "sendrec #5 -> bad_endpoint",
                "notify #5 -> bad_endpoint", "recv #5 -> bad_endpoint", "send #200000 -> bad_endpoint",
                "recv #200000 -> bad_endpoint"))
        << describe(r);
    EXPECT_EQ(process(r, "A").counters.denied, 7u);
}

TEST_P(Endpoints, PseudoEndpointAsDestinationIsBadEndpoint) {
    SystemBuilder b(strategy());
    b.add("A",
          "send hardware; send system; send clock; send any; send none; sendnb hardware; sendrec system; "
          "sendrec any; notify clock; notify any; recv none");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "A"),
              L("send hardware -> bad_endpoint", "send system -> bad_endpoint", "send clock -> bad_endpoint",
                "send any -> bad_endpoint", "send none -> bad_endpoint", "sendnb hardware -> bad_endpoint",
                "sendrec system -> bad_endpoint", "sendrec any -> bad_endpoint", "notify clock -> bad_endpoint",
                "notify any -> bad_endpoint", "recv none -> bad_endpoint"))
        << describe(r);
    EXPECT_EQ(process(r, "A").counters.denied, 11u);
}

// Receiving from a pseudo-source (here HARDWARE, which this system never
// raises) is allowed and simply waits.
TEST_P(Endpoints, ReceiveFromAPseudoSourceWaits) {
    SystemBuilder b(strategy());
    b.add("A", "recv hardware").expect = Expectation::serve;
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_TRUE(lines_of(r, "A").empty()) << describe(r);
    EXPECT_EQ(process(r, "A").state, ProcessState::receiving);
    EXPECT_EQ(process(r, "A").counters.denied, 0u);
}

// ---- processes blocked on a process that goes away ---------------------------------------------

// The server never takes the request: the client is blocked in sendrec's send
// phase (rendezvous) or waits for the reply with the request buffered
// (ring/queue); either way it wakes with dead_endpoint.
TEST_P(Endpoints, SendrecToServerThatExitsWithoutReceiving) {
    SystemBuilder b(strategy());
    b.add("C", "sendrec S w=1; log woke");
    b.add("S", "compute 1000; log bye");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "C"), L("sendrec S -> dead_endpoint", "woke")) << describe(r);
    EXPECT_LT(position(r, "S", "bye"), position(r, "C", "sendrec S -> dead_endpoint"));
    EXPECT_EQ(process(r, "C").counters.blocked, 1u);
    EXPECT_EQ(process(r, "C").counters.received, 0u);
    EXPECT_EQ(process(r, "S").counters.received, 0u);
}

// The server takes the request and exits without replying: the client, waiting
// for the reply, wakes with dead_endpoint.
TEST_P(Endpoints, SendrecToServerThatExitsAfterReceiving) {
    SystemBuilder b(strategy());
    b.add("C", "sendrec S w=1; log woke");
    b.add("S", "recv any; log bye");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "S"), L("recv any -> ok src=C type=1 w=1", "bye"));
    EXPECT_EQ(lines_of(r, "C"), L("sendrec S -> dead_endpoint", "woke")) << describe(r);
    EXPECT_EQ(process(r, "C").counters.sent, 1u);
    EXPECT_EQ(process(r, "C").counters.received, 0u);
}

// Everyone blocked in receive(from X) wakes with dead_endpoint when X exits;
// a receive(any) is not about X and keeps waiting.
TEST_P(Endpoints, ReceiveFromAProcessThatExits) {
    SystemBuilder b(strategy());
    b.add("A1", "recv X; log woke");
    b.add("A2", "recv X; log woke");
    b.add("W", "recv any").expect = Expectation::serve;
    b.add("X", "compute 1000; log bye");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "A1"), L("recv X -> dead_endpoint", "woke")) << describe(r);
    EXPECT_EQ(lines_of(r, "A2"), L("recv X -> dead_endpoint", "woke")) << describe(r);
    EXPECT_LT(position(r, "X", "bye"), position(r, "A1", "recv X -> dead_endpoint"));
    EXPECT_TRUE(lines_of(r, "W").empty());
    EXPECT_EQ(process(r, "W").state, ProcessState::receiving);
}

// A plain send blocked on a receiver that exits: rendezvous wakes the sender
// with dead_endpoint; ring/queue had accepted the message (send returned ok)
// and drop it with the receiver.
TEST_P(Endpoints, SendToAReceiverThatExits) {
    SystemBuilder b(strategy());
    b.add("S", "send R w=1; log after");
    b.add("R", "compute 1000; log bye");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    if (buffered()) {
        EXPECT_EQ(lines_of(r, "S"), L("send R -> ok", "after")) << describe(r);
        EXPECT_EQ(process(r, "S").counters.sent, 1u);
        EXPECT_EQ(process(r, "S").counters.blocked, 0u);
    } else {
        EXPECT_EQ(lines_of(r, "S"), L("send R -> dead_endpoint", "after")) << describe(r);
        EXPECT_EQ(process(r, "S").counters.sent, 0u);
        EXPECT_EQ(process(r, "S").counters.blocked, 1u);
    }
    EXPECT_EQ(process(r, "R").counters.received, 0u);
    EXPECT_EQ(r.messages, 0u);
}

// Senders blocked because the receiver's buffer is full (rendezvous: because
// it is not receiving) wake with dead_endpoint when it exits, whether they
// were in send or in sendrec's send phase.
TEST_P(Endpoints, SendersBlockedOnAFullBufferOfAnExitingReceiver) {
    SystemBuilder b(strategy());
    b.add("S1", "fill R w=0; send R w=100; log s1-woke");
    b.add("S2", "sendrec R w=200; log s2-woke");
    b.add("R", "compute 1000; log bye");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "S1"), L("fill R -> " + std::to_string(buffer_capacity(strategy())) + " would_block",
                                   "send R -> dead_endpoint", "s1-woke"))
        << describe(r);
    EXPECT_EQ(lines_of(r, "S2"), L("sendrec R -> dead_endpoint", "s2-woke")) << describe(r);
    EXPECT_EQ(process(r, "S1").counters.blocked, 1u);
    EXPECT_EQ(process(r, "S2").counters.blocked, 1u);
    EXPECT_EQ(process(r, "R").counters.received, 0u);
}

// Messages from a sender that has since exited stay sent: under ring and
// queue they stay in the receiver's buffer, and receive(from that sender) gets
// them as receive(any) does (a kept message is looked for before the dead
// endpoint refuses). Under rendezvous the sender cannot have exited with a
// message pending: it is still blocked in send. Either way R sees the same.
TEST_P(Endpoints, MessagesFromAnExitedSender) {
    SystemBuilder b(strategy());
    b.add("R", "lookup S; compute 50000; recv S; recv any; recv any").expect = Expectation::serve;
    b.add("S", "send R w=1; send R w=2; log bye");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "R"), L("lookup S -> ok", "recv S -> ok src=S type=1 w=1", "recv any -> ok src=S type=1 w=2"))
        << describe(r);
    EXPECT_EQ(process(r, "R").state, ProcessState::receiving) << "third receive: S is gone";
    if (buffered()) EXPECT_EQ(process(r, "S").state, ProcessState::exited) << "S did not wait for R";
}

// ---- lookup ------------------------------------------------------------------------------------

TEST_P(Endpoints, LookupOfDeadOrUnknownNameIsNotFound) {
    SystemBuilder b(strategy());
    b.add("A", "lookup B; yield; lookup B; lookup nobody; lookup A; lookup abcdefghijklmnopqrstuvwxyz");
    b.add("B", "");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "A"), L("lookup B -> ok", "lookup B -> not_found", "lookup nobody -> not_found",
                                  "lookup A -> ok", "lookup abcdefghijklmnopqrstuvwxyz -> bad_argument"))
        << describe(r);
}

TEST(EndpointsLookup, EmptyNullAndOverlongNames) {
    SystemBuilder b;
    b.add_program("kt_ep_lookup_edges_self", "kt_ep_lookup_edges");
    RunReport r = run(b);
    EXPECT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(process(r, "kt_ep_lookup_edges_self").exit_status, 0)
        << "the number of the first lookup that returned something else";
}

// Across CPUs: the client on CPU 0 waits in sendrec, the server on CPU 1
// takes the request and exits; the client wakes with dead_endpoint.
TEST_P(Endpoints, ServerExitWakesAClientOnAnotherCpu) {
    SystemBuilder b(strategy(), 2);
    b.add("C", "sendrec S w=1; log woke").cpu = 0;
    b.add("S", "recv any; compute 5000; log bye").cpu = 1;
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "C"), L("sendrec S -> dead_endpoint", "woke")) << describe(r);
    EXPECT_EQ(lines_of(r, "S"), L("recv any -> ok src=C type=1 w=1", "bye"));
}

INSTANTIATE_TEST_SUITE_P(AllStrategies, Endpoints, ::testing::ValuesIn(all_strategies), strategy_param_name);

}  // namespace
}  // namespace axl::test
