// Where the IPC strategies genuinely differ, asserted rather than hidden
// (DESIGN.md, "IPC strategies"):
//
//   send under rendezvous blocks until the receiver has taken the message;
//   send under ring/queue returns once the message is buffered and blocks
//   only when the buffer is full (ring: ring_capacity per sending CPU, queue:
//   queue_capacity shared by all senders);
//   sendrec is synchronous for the caller under all three.
//
// And where they must not differ: when the receiver is always already waiting,
// every strategy takes the same direct path, so the whole trace (digest,
// virtual time) is identical; a stream of one-way sends is where they part.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "sim/config/system_description.h"
#include "tests/support/script_program.h"
#include "tests/support/source_dir.h"

namespace axl::test {
namespace {

using sim::Expectation;
using sim::RunReport;

class StrategySemantics : public ::testing::TestWithParam<IpcStrategyKind> {
protected:
    IpcStrategyKind strategy() const { return GetParam(); }
    bool buffered() const { return strategy() != IpcStrategyKind::rendezvous; }
    uint32_t cap() const { return buffer_capacity(strategy()); }
};

// S sends to R, which has not started receiving. The console order shows
// whether S went on before R received.
TEST_P(StrategySemantics, SendBlocksOnlyUnderRendezvous) {
    SystemBuilder b(strategy());
    b.add("S", "send R w=1; log after-send");
    b.add("R", "log before-receive; recv any");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    const long sent = position(r, "S", "send R -> ok");
    const long after = position(r, "S", "after-send");
    const long before = position(r, "R", "before-receive");
    const long got = position(r, "R", "recv any -> ok src=S type=1 w=1");
    ASSERT_TRUE(sent >= 0 && after >= 0 && before >= 0 && got >= 0) << describe(r);
    if (buffered()) {
        // S ran on to the end before R even started.
        EXPECT_LT(after, before) << describe(r);
        EXPECT_EQ(process(r, "S").counters.blocked, 0u);
    } else {
        // S's send returned only after R had received.
        EXPECT_LT(got, sent) << describe(r);
        EXPECT_LT(before, sent);
        EXPECT_EQ(process(r, "S").counters.blocked, 1u);
    }
    EXPECT_EQ(process(r, "R").counters.blocked, 0u) << "R found the message waiting (buffered or blocked sender)";
}

// A few sends in a row to a receiver that is busy elsewhere: under ring/queue
// the sender gets through all of them (below capacity) without waiting.
TEST_P(StrategySemantics, SenderRunsAheadUnderBufferedStrategies) {
    SystemBuilder b(strategy());
    b.add("S", "5*send R w=0; log sender-done");
    b.add("R", "log receiver-starts; 5*recv any");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(received(lines_of(r, "R")), sequence("S", 0, 5));
    if (buffered()) {
        EXPECT_LT(position(r, "S", "sender-done"), position(r, "R", "receiver-starts")) << describe(r);
        EXPECT_EQ(process(r, "S").counters.blocked, 0u);
    } else {
        EXPECT_GT(position(r, "S", "sender-done"), position(r, "R", "recv any -> ok src=S type=1 w=4"))
            << describe(r);
        // Each send either found R waiting or blocked until R came to it.
        EXPECT_GE(process(r, "S").counters.blocked, 1u);
    }
}

// Once the buffer is full the next send blocks, under every strategy, and
// returns only after the receiver has made room.
TEST_P(StrategySemantics, FullBufferBlocksTheSender) {
    SystemBuilder b(strategy());
    b.add("S", "fill R w=0; send R w=100; log after-send");
    b.add("R", "log receiver-starts; " + std::to_string(cap() + 1) + "*recv any").priority = 12;
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "S")[0], "fill R -> " + std::to_string(cap()) + " would_block") << describe(r);
    EXPECT_EQ(process(r, "S").counters.blocked, 1u);
    EXPECT_LT(position(r, "R", "receiver-starts"), position(r, "S", "send R -> ok")) << describe(r);
    EXPECT_EQ(received(lines_of(r, "R")), concat(sequence("S", 0, cap()), L("S:100")));
}

// Ring capacity is per sending CPU: two senders on one CPU share one ring.
// Queue capacity is per receiver: also shared. Rendezvous keeps nothing.
TEST_P(StrategySemantics, CapacityIsSharedBySendersOnOneCpu) {
    SystemBuilder b(strategy());
    b.add("S1", "fill R w=0");
    b.add("S2", "fill R w=100");
    b.add("R", std::to_string(cap()) + "*recv any").priority = 12;
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "S1"), L("fill R -> " + std::to_string(cap()) + " would_block"));
    EXPECT_EQ(lines_of(r, "S2"), L("fill R -> 0 would_block"));
}

// sendrec waits for the reply under every strategy: the client's next line
// comes after the server's reply, however long the server takes.
TEST_P(StrategySemantics, SendrecIsSynchronousUnderEveryStrategy) {
    SystemBuilder b(strategy());
    b.add("C", "sendrec S w=1; log client-continues");
    b.add("S", "recv any; compute 50000; log replying; reply w=2");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "C"), L("sendrec S -> ok src=S type=1 w=2", "client-continues")) << describe(r);
    EXPECT_LT(position(r, "S", "replying"), position(r, "C", "client-continues"));
    EXPECT_EQ(process(r, "C").counters.blocked, 1u);
}

INSTANTIATE_TEST_SUITE_P(AllStrategies, StrategySemantics, ::testing::ValuesIn(all_strategies),
                         strategy_param_name);

// ---- differential: the same system under the three strategies ----------------------------------

using test::source_dir;

sim::SystemDescription workload(const std::string& name, IpcStrategyKind kind) {
    sim::DescriptionOverrides overrides;
    overrides.ipc = kind;
    return sim::load_system_description(source_dir() + "/workloads/" + name + ".toml", overrides);
}

void set_arg(sim::SystemDescription& d, const std::string& process, const std::string& key, int64_t value) {
    for (sim::ProcessDescription& p : d.processes)
        if (p.name == process) p.args[key] = value;
}

// pingpong: the server (higher priority) is always waiting when a request
// arrives, the client always waiting when the reply arrives. Nothing is ever
// buffered or blocked on a full buffer, so the three strategies produce the
// same trace: same digest, same virtual time, same console.
TEST(StrategyDifferential, PingpongIsIdenticalUnderEveryStrategy) {
    std::vector<RunReport> reports;
    for (IpcStrategyKind kind : all_strategies) {
        sim::SystemDescription d = workload("pingpong", kind);
        set_arg(d, "client", "rounds", 500);
        reports.push_back(run(d));
        ASSERT_TRUE(reports.back().ok) << describe(reports.back());
        ASSERT_EQ(reports.back().ipc, kind);
    }
    for (size_t i = 1; i < reports.size(); ++i) {
        SCOPED_TRACE(to_string(reports[i].ipc));
        EXPECT_EQ(reports[i].digest, reports[0].digest) << "identical behaviour must give an identical trace";
        EXPECT_EQ(reports[i].virtual_ns, reports[0].virtual_ns);
        EXPECT_EQ(reports[i].messages, reports[0].messages);
        EXPECT_EQ(reports[i].trace_events, reports[0].trace_events);
        EXPECT_EQ(reports[i].console, reports[0].console);
    }
    EXPECT_EQ(reports[0].messages, 1000u);
}

// The same with script processes: the receiver is always waiting.
TEST(StrategyDifferential, AlwaysWaitingReceiverIsIdenticalUnderEveryStrategy) {
    std::vector<RunReport> reports;
    for (IpcStrategyKind kind : all_strategies) {
        SystemBuilder b(kind);
        std::string server;
        for (int i = 0; i < 20; ++i) server += "recv any; reply w=" + std::to_string(i) + "; ";
        b.add("S", server).priority = 4;
        b.add("C", "20*sendrec S w=0");
        b.add("R", "10*recv any").priority = 4;
        b.add("T", "10*send R w=50");  // one-way, but R (higher priority) always waits
        reports.push_back(run(b));
        ASSERT_TRUE(reports.back().ok) << describe(reports.back());
    }
    for (size_t i = 1; i < reports.size(); ++i) {
        SCOPED_TRACE(to_string(reports[i].ipc));
        EXPECT_EQ(reports[i].digest, reports[0].digest);
        EXPECT_EQ(reports[i].virtual_ns, reports[0].virtual_ns);
        EXPECT_EQ(reports[i].console, reports[0].console);
    }
}

// A stream of one-way sends to a receiver that is not always waiting: the
// receiver sees the same items in the same order under every strategy, but
// the traces differ (rendezvous hands off one at a time, ring blocks after
// 8, queue after 16).
TEST(StrategyDifferential, StreamingDiffersBetweenStrategies) {
    std::vector<RunReport> reports;
    for (IpcStrategyKind kind : all_strategies) {
        SystemBuilder b(kind);
        b.add("S", "30*send R w=0");
        b.add("R", "30*recv any");
        reports.push_back(run(b));
        ASSERT_TRUE(reports.back().ok) << describe(reports.back());
        EXPECT_EQ(received(lines_of(reports.back(), "R")), sequence("S", 0, 30));
    }
    EXPECT_NE(reports[0].digest, reports[1].digest) << "rendezvous vs ring";
    EXPECT_NE(reports[0].digest, reports[2].digest) << "rendezvous vs queue";
    EXPECT_NE(reports[1].digest, reports[2].digest) << "ring vs queue";
    EXPECT_NE(reports[0].console, reports[1].console) << "the interleaving of S and R differs";
}

// The pipeline workload, for the same reason: one-way sends down a chain.
TEST(StrategyDifferential, PipelineDiffersBetweenStrategies) {
    std::vector<RunReport> reports;
    for (IpcStrategyKind kind : all_strategies) {
        sim::SystemDescription d = workload("pipeline", kind);
        set_arg(d, "source", "items", 200);
        set_arg(d, "sink", "items", 200);
        reports.push_back(run(d));
        ASSERT_TRUE(reports.back().ok) << describe(reports.back());
    }
    EXPECT_NE(reports[0].digest, reports[1].digest);
    EXPECT_NE(reports[0].digest, reports[2].digest);
    EXPECT_NE(reports[1].digest, reports[2].digest);
    // Same work done: every item through every hop, plus the end-of-stream sendrecs.
    EXPECT_EQ(reports[0].messages, reports[1].messages);
    EXPECT_EQ(reports[0].messages, reports[2].messages);
}

}  // namespace
}  // namespace axl::test
