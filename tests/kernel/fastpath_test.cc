// The fast paths (kernel/fastpath.h) must be invisible: with tracing on the
// kernel always takes the general path, with tracing off it takes the fast
// paths where they apply, and every observable result -- virtual time, every
// process counter, exit states, console -- must be identical. This is the
// same-seed differential test MODELS.md rule 12 asks of any fast path.
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "kernel/ipc_strategy.h"
#include "sim/machine/cost_model.h"
#include "sim/port/simulator.h"
#include "sim/config/system_description.h"
#include "tests/support/script_program.h"

namespace axl::sim {
namespace {

std::string workload_path(const std::string& name) {
    const char* dir = std::getenv("AXL_SOURCE_DIR");
    std::string root = dir && *dir ? dir : std::string(__FILE__).substr(0, std::string(__FILE__).rfind("/tests/"));
    return root + "/workloads/" + name + ".toml";
}

RunReport run(const std::string& workload, IpcStrategyKind ipc, TraceLevel level) {
    DescriptionOverrides overrides;
    overrides.ipc = ipc;
    RunOptions options;
    options.trace_level = level;
    options.echo_console = false;
    return Simulator(load_system_description(workload_path(workload), overrides), options).run();
}

class FastpathDifferential : public testing::TestWithParam<std::tuple<std::string, IpcStrategyKind>> {};

TEST_P(FastpathDifferential, TracingOffChangesNothingObservable) {
    auto [workload, ipc] = GetParam();
    RunReport general = run(workload, ipc, TraceLevel::digest);  // tracing on: general path only
    RunReport fast = run(workload, ipc, TraceLevel::off);        // fast paths where they apply
    ASSERT_TRUE(general.ok);
    ASSERT_TRUE(fast.ok);
    // Console, messages, virtual time, failures and every process's state and counters.
    test::expect_same_behaviour(general, fast);
    EXPECT_EQ(fast.digest, 0u) << "tracing off computes no digest";
    EXPECT_NE(general.digest, 0u);
}

// ---- reply_receive: script systems built here, run both ways -----------------------------
//
// test::run() runs each system with the trace digest (general path only) and
// with tracing off (fast paths where they apply) and checks every observable
// is the same; the scenarios below make sure fastpath_reply_receive is taken
// (a server alone on the CPU answering the one client that waits for it) and
// that it steps aside correctly when it must not run: another request already
// queued, another process runnable, a notification pending, a client that is
// not waiting, at different priorities, and with the end of the run (`until`,
// a port event) falling inside the call.

class FastpathReplyReceive : public testing::TestWithParam<IpcStrategyKind> {
protected:
    IpcStrategyKind strategy() const { return GetParam(); }
};

std::vector<std::string> replies(const std::string& server, uint64_t from, uint64_t count) {
    std::vector<std::string> lines;
    for (uint64_t i = 0; i < count; ++i)
        lines.push_back("sendrec " + server + " -> ok src=" + server + " type=6 w=" + std::to_string(from + i));
    return lines;
}

// One client, one server looping on reply_receive: every reply finds the
// client waiting and the server alone, the case the fast path is for.
TEST_P(FastpathReplyReceive, OneClientServerLoop) {
    test::SystemBuilder b(strategy());
    b.add("S", "recv any; 19*replyrecv last t=6 w=100; reply t=6 w=119");
    b.add("C", "20*sendrec S t=5 w=0");
    RunReport r = test::run(b);

    ASSERT_TRUE(r.ok) << test::describe(r);
    EXPECT_EQ(test::lines_of(r, "C"), replies("S", 100, 20)) << test::describe(r);
    EXPECT_EQ(test::received(test::lines_of(r, "S")), test::sequence("C", 0, 20));
}

// The server at a higher and at a lower priority than its client: the fast
// path hands the CPU to a process of another level.
TEST_P(FastpathReplyReceive, ServerAndClientAtDifferentPriorities) {
    for (uint8_t server_priority : {uint8_t{2}, uint8_t{8}, uint8_t{14}}) {
        SCOPED_TRACE("server priority " + std::to_string(server_priority));
        test::SystemBuilder b(strategy());
        b.add("S", "recv any; 9*replyrecv last t=6 w=100; reply t=6 w=109").priority = server_priority;
        b.add("C", "10*sendrec S t=5 w=0");
        RunReport r = test::run(b);

        ASSERT_TRUE(r.ok) << test::describe(r);
        EXPECT_EQ(test::lines_of(r, "C"), replies("S", 100, 10)) << test::describe(r);
    }
}

// Two clients: when the server replies, the other client's request is already
// queued for it (the fast path must not apply: the receive half takes it), or
// the client just answered is runnable (the server is not alone).
TEST_P(FastpathReplyReceive, TwoClientsQueued) {
    test::SystemBuilder b(strategy());
    // Quanta shorter than one call: every call ends its process's turn and a
    // woken process queues at the back of its level -- strict round-robin, the
    // order this test's choreography needs (with quantum left a woken process
    // would go to the front: Kernel::enqueue_woken).
    b.add("S", "recv any; 11*replyrecv last t=6 w=100; reply t=6 w=111").quantum_ns = 1;
    b.add("A", "6*sendrec S t=5 w=10").quantum_ns = 1;
    b.add("B", "6*sendrec S t=5 w=20").quantum_ns = 1;
    RunReport r = test::run(b);

    ASSERT_TRUE(r.ok) << test::describe(r);
    EXPECT_EQ(test::received(test::lines_of(r, "S")),
              test::L("A:10", "B:20", "A:11", "B:21", "A:12", "B:22", "A:13", "B:23", "A:14", "B:24", "A:15", "B:25"))
        << test::describe(r);
    std::vector<std::string> a_replies;
    for (int i = 0; i < 6; ++i) a_replies.push_back("sendrec S -> ok src=S type=6 w=" + std::to_string(100 + 2 * i));
    EXPECT_EQ(test::lines_of(r, "A"), a_replies) << test::describe(r);
}

// Many clients, some at other priorities, and a bystander that keeps
// computing: the server is rarely alone, so the fast path applies now and then.
TEST_P(FastpathReplyReceive, ManyClientsAndABystander) {
    test::SystemBuilder b(strategy());
    b.add("S", "recv any; 23*replyrecv last t=6 w=100; reply t=6 w=123");
    b.add("C1", "8*sendrec S t=5 w=10");
    b.add("C2", "compute 3000; 8*sendrec S t=5 w=20").priority = 6;
    b.add("C3", "8*sendrec S t=5 w=30").priority = 10;
    b.add("Busy", "20*compute 700").priority = 8;
    RunReport r = test::run(b);

    ASSERT_TRUE(r.ok) << test::describe(r);
    EXPECT_EQ(test::received(test::lines_of(r, "S")).size(), 24u) << test::describe(r);
    for (const char* client : {"C1", "C2", "C3"}) EXPECT_EQ(test::lines_of(r, client).size(), 8u) << client;
}

// A notification pending for the server (N notifies it while it holds C's
// first request): the first replyrecv must deliver it (general path) instead
// of waiting; the later ones, with nothing pending, are the fast path's.
TEST_P(FastpathReplyReceive, NotificationPendingForTheServer) {
    test::SystemBuilder b(strategy());
    // Quanta shorter than one call: every call ends its process's turn and a
    // woken process queues at the back of its level -- strict round-robin, the
    // order this test's choreography needs (with quantum left a woken process
    // would go to the front: Kernel::enqueue_woken).
    b.add("S", "recv any; replyrecv C t=6 w=100; recv any; 4*replyrecv C t=6 w=101; reply t=6 w=105").quantum_ns = 1;
    b.add("C", "6*sendrec S t=5 w=0");
    b.add_parked("N", "notify S");
    RunReport r = test::run(b);

    ASSERT_TRUE(r.ok) << test::describe(r);
    EXPECT_EQ(test::received(test::lines_of(r, "S")),
              test::L("C:0", "N:notify", "C:1", "C:2", "C:3", "C:4", "C:5"))
        << test::describe(r);
    EXPECT_EQ(test::lines_of(r, "C"), replies("S", 100, 6)) << test::describe(r);
}

// Replies the fast path cannot take: the client has exited (dead_endpoint), a
// bad endpoint, a client that is not waiting (D, a plain sender: under
// rendezvous it blocked and was just released, so the reply would_block; under
// ring/queue its request was kept, it went on to its recv and gets the reply).
TEST_P(FastpathReplyReceive, RepliesThatCannotBeDelivered) {
    const bool rendezvous = strategy() == IpcStrategyKind::rendezvous;
    test::SystemBuilder b(strategy());
    // Ends waiting in the last receive half. Under ring/queue D's reply was
    // kept and the receive half took E's request; rendezvous needs a recv.
    // S yields after its second reply so that D and E send while it is busy
    // (woken with quantum left, it would otherwise run first: Kernel::enqueue_woken).
    b.add("S", std::string("recv any; replyrecv last w=1; replyrecv #40 w=2; yield; recv any; replyrecv last w=3; ") +
                   (rendezvous ? "recv any; " : "") + "replyrecv last w=4")
        .expect = sim::Expectation::serve;
    b.add("C", "send S w=10; log C-bye");
    b.add("D", "compute 2000; send S w=20; recv any").expect = sim::Expectation::serve;
    b.add("E", "compute 4000; sendrec S w=30");
    RunReport r = test::run(b);
    ASSERT_TRUE(r.ok) << test::describe(r);
    std::vector<std::string> lines = test::lines_of(r, "S");
    ASSERT_EQ(lines.size(), rendezvous ? 6u : 5u) << test::describe(r);
    EXPECT_EQ(lines[1], "replyrecv last -> dead_endpoint");
    EXPECT_EQ(lines[2], "replyrecv #40 -> bad_endpoint");
    EXPECT_EQ(lines[4], rendezvous ? "replyrecv last -> would_block" : "replyrecv last -> ok src=E type=1 w=30")
        << test::describe(r);
    EXPECT_EQ(test::lines_of(r, "D"),
              rendezvous ? test::L("send S -> ok") : test::L("send S -> ok", "recv any -> ok src=S type=1 w=3"))
        << test::describe(r);
    EXPECT_EQ(test::lines_of(r, "E"), test::L("sendrec S -> ok src=S type=1 w=4")) << test::describe(r);
}

// The end of the run (`until`, the port's next event) falls inside a
// replyrecv: the fast path must step aside exactly when the general path
// would go idle instead of running the client (the reply is delivered, the
// client does not start before `until`). A first run reads the server's clock
// before its 10th replyrecv; the others put `until` at, and around, the moment
// that call's charges end, and further into the round trip.
TEST_P(FastpathReplyReceive, UntilFallsInsideTheCall) {
    auto build = [&](std::optional<uint64_t> until) {
        test::SystemBuilder b(strategy());
        b.system().until_ns = until;
        std::string server = "recv any; ";
        for (int i = 0; i < 20; ++i) server += "clock; replyrecv last t=6 w=" + std::to_string(100 + i) + "; ";
        b.add("S", server + "reply t=6 w=120").expect = sim::Expectation::serve;
        b.add("C", "21*sendrec S t=5 w=0").expect = sim::Expectation::serve;
        return b;
    };
    RunReport whole = test::run(build(std::nullopt));
    ASSERT_TRUE(whole.ok) << test::describe(whole);
    std::vector<uint64_t> clocks;
    for (const std::string& line : test::lines_of(whole, "S"))
        if (line.starts_with("clock -> ok ")) clocks.push_back(std::stoull(line.substr(12)));
    ASSERT_EQ(clocks.size(), 20u) << test::describe(whole);
    // The 10th replyrecv starts after the log of the clock line, and its
    // charges (entry + copy) end at `boundary`.
    const CostModel costs = default_cost_model();
    const uint64_t boundary = clocks[9] + costs.kernel_entry_ns + costs.kernel_entry_ns + costs.message_copy_ns;
    for (int64_t delta : {-70, -2, -1, 0, 1, 2, 60, 130, 250, 400}) {
        SCOPED_TRACE("until = boundary + " + std::to_string(delta) + " ns");
        RunReport r = test::run(build(boundary + delta));
        ASSERT_TRUE(r.ok) << test::describe(r);
        ASSERT_TRUE(r.stopped_by_until) << test::describe(r);
        // The run ends in the 10th round trip (or just after it).
        std::vector<std::string> c_lines = test::lines_of(r, "C");
        EXPECT_GE(c_lines.size(), 8u) << test::describe(r);
        EXPECT_LE(c_lines.size(), 11u) << test::describe(r);
    }
}

INSTANTIATE_TEST_SUITE_P(AllStrategies, FastpathReplyReceive,
                         testing::Values(IpcStrategyKind::rendezvous, IpcStrategyKind::ring, IpcStrategyKind::queue),
                         test::strategy_param_name);

INSTANTIATE_TEST_SUITE_P(
    Workloads, FastpathDifferential,
    testing::Combine(testing::Values("pingpong", "fanin", "pipeline", "notify"),
                     testing::Values(IpcStrategyKind::rendezvous, IpcStrategyKind::ring, IpcStrategyKind::queue)),
    [](const auto& info) {
        return std::get<0>(info.param) + "_" + to_string(std::get<1>(info.param));
    });

}  // namespace
}  // namespace axl::sim
