// Parallel mode (sim/port/parallel.h): one host thread per simulated CPU. Runs are
// not reproducible, so these tests check what must hold in every run: every
// workload passes its own self-checks (counts, checksums: a lost, duplicated
// or corrupted message fails them) under every strategy, repeatedly, with 2
// and 4 CPUs; faults stay inside their process; `until` stops a run cleanly.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <tuple>

#include "kernel/api/calls.h"
#include "kernel/api/ipc.h"
#include "kernel/api/program.h"
#include "kernel/ipc_strategy.h"
#include "kernel/process.h"
#include "sim/port/simulator.h"
#include "sim/config/system_description.h"
#include "tests/support/script_program.h"
#include "tests/support/source_dir.h"
#include "tests/support/report_text.h"

namespace axl::sim {
namespace {

constexpr IpcStrategyKind all_strategies[] = {IpcStrategyKind::rendezvous, IpcStrategyKind::ring,
                                              IpcStrategyKind::queue};

using test::source_dir;

RunReport run_parallel_system(SystemDescription description) {
    RunOptions options;
    options.echo_console = false;
    options.parallel = true;
    Simulator simulator(description, options);
    return simulator.run();
}

std::string describe(const RunReport& report) { return test::report_text(report); }

// Reserved message types are refused in parallel mode too, where a send to
// another CPU under the ring strategy takes no kernel lock.
TEST(ParallelMode, AReservedMessageTypeIsRefusedAcrossCpus) {
    for (IpcStrategyKind ipc : all_strategies) {
        SCOPED_TRACE(to_string(ipc));
        test::SystemBuilder b(ipc, 2);
        b.add("R", "recv any; recv any").cpu = 1;
        b.add("X", "send R t=2147483649; send R t=7; sendnb R t=4294967295; send R t=8").cpu = 0;
        const RunReport report = run_parallel_system(b.system());
        ASSERT_TRUE(report.ok) << describe(report);
        EXPECT_EQ(test::lines_of(report, "X"),
                  test::L("send R -> bad_argument", "send R -> ok", "sendnb R -> bad_argument", "send R -> ok"));
        EXPECT_EQ(test::lines_of(report, "R"),
                  test::L("recv any -> ok src=X type=7 w=0", "recv any -> ok src=X type=8 w=0"));
    }
}

// A cycle of sendrecs across CPUs, where the members really run at the same
// time: whichever request would close the cycle is refused with deadlock, the
// others end with dead_endpoint as their peers exit, and no request is ever
// taken for a reply -- under every strategy, in every interleaving tried.
TEST(ParallelMode, ASendrecCycleAcrossCpusIsRefusedUnderEveryStrategy) {
    for (IpcStrategyKind ipc : all_strategies) {
        for (uint32_t members : {2u, 3u}) {
            SCOPED_TRACE(std::string(to_string(ipc)) + ", " + std::to_string(members) + " members");
            for (int run = 0; run < 10; ++run) {
                test::SystemBuilder b(ipc, members);
                const std::string names = "ABC";
                for (uint32_t i = 0; i < members; ++i) {
                    const std::string next(1, names[(i + 1) % members]);
                    b.add(std::string(1, names[i]), "sendrec " + next + " w=" + std::to_string(i)).cpu = i;
                }
                const RunReport report = run_parallel_system(b.system());
                uint32_t refused = 0, dead = 0;
                for (uint32_t i = 0; i < members; ++i) {
                    const std::vector<std::string> lines = test::lines_of(report, std::string(1, names[i]));
                    ASSERT_EQ(lines.size(), 1u) << describe(report);
                    refused += lines[0].ends_with("-> deadlock");
                    dead += lines[0].ends_with("-> dead_endpoint");
                }
                EXPECT_EQ(refused, 1u) << describe(report);
                EXPECT_EQ(dead, members - 1) << describe(report);
                EXPECT_EQ(report.messages, 0u) << describe(report);
            }
        }
    }
}

using WorkloadCase = std::tuple<std::string, IpcStrategyKind, uint32_t>;

class ParallelWorkload : public ::testing::TestWithParam<WorkloadCase> {};

TEST_P(ParallelWorkload, PassesItsSelfChecksEveryTime) {
    const auto& [name, ipc, cpus] = GetParam();
    DescriptionOverrides overrides;
    overrides.ipc = ipc;
    overrides.cpus = cpus;
    const SystemDescription description =
        load_system_description(source_dir() + "/workloads/" + name + ".toml", overrides);
    // Several runs: interleavings differ from run to run.
    for (int run = 0; run < 5; ++run) {
        const RunReport report = run_parallel_system(description);
        ASSERT_TRUE(report.ok) << "run " << run << "\n" << describe(report);
        EXPECT_TRUE(report.parallel);
        EXPECT_FALSE(report.stopped_by_until);
        EXPECT_GT(report.messages, 0u);
    }
}

INSTANTIATE_TEST_SUITE_P(
    AllStrategies, ParallelWorkload,
    ::testing::Combine(::testing::Values("pingpong", "fanin", "pipeline", "notify"),
                       ::testing::ValuesIn(all_strategies), ::testing::Values(2u, 4u)),
    [](const ::testing::TestParamInfo<WorkloadCase>& info) {
        return std::get<0>(info.param) + "_" + to_string(std::get<1>(info.param)) + "_" +
               std::to_string(std::get<2>(info.param)) + "cpus";
    });

// ---- cross-CPU stress: many senders on every CPU, one counting receiver -------

AXL_PROGRAM(parallel_test_sender, "parallel test: sends `count` numbered messages to `to`") {
    Endpoint to;
    if (lookup(arg_string("to", "sink"), to) != Status::ok) fail("no sink");
    const int64_t count = arg_int("count", 0);
    const int64_t id = arg_int("id", 0);
    for (int64_t i = 0; i < count; ++i) {
        Message message;
        message.type = 7;
        message.payload.words[0] = static_cast<uint64_t>(id);
        message.payload.words[1] = static_cast<uint64_t>(i);
        if (send(to, message) != Status::ok) fail("send %lld failed", static_cast<long long>(i));
    }
    return 0;
}

AXL_PROGRAM(parallel_test_sink, "parallel test: receives `senders` x `count` messages, checks order per sender") {
    const int64_t senders = arg_int("senders", 0);
    const int64_t count = arg_int("count", 0);
    int64_t next[64] = {};
    if (senders > 64) fail("too many senders");
    for (int64_t received = 0; received < senders * count; ++received) {
        Message message;
        if (receive(endpoints::any, message) != Status::ok) fail("receive failed");
        const uint64_t id = message.payload.words[0];
        if (id >= static_cast<uint64_t>(senders)) fail("message from unknown sender %llu", (unsigned long long)id);
        // Per-sender FIFO holds under every strategy: a gap is a lost message,
        // a repeat a duplicated one.
        if (message.payload.words[1] != static_cast<uint64_t>(next[id]))
            fail("sender %llu: got message %llu, expected %lld", (unsigned long long)id,
                 (unsigned long long)message.payload.words[1], static_cast<long long>(next[id]));
        next[id] += 1;
    }
    log("received %lld messages", static_cast<long long>(senders * count));
    return 0;
}

SystemDescription stress_system(IpcStrategyKind ipc, uint32_t cpus, int senders, int count) {
    SystemDescription system;
    system.path = "<parallel stress>";
    system.name = "parallel-stress";
    system.ipc = ipc;
    system.cpus = cpus;
    ProcessDescription sink;
    sink.name = "sink";
    sink.program = "parallel_test_sink";
    sink.primitives = bit(Primitive::receive);
    sink.kernel_calls = default_kernel_calls;
    sink.cpu = 0;
    sink.args["senders"] = int64_t{senders};
    sink.args["count"] = int64_t{count};
    system.processes.push_back(sink);
    for (int i = 0; i < senders; ++i) {
        ProcessDescription sender;
        sender.name = "sender" + std::to_string(i);
        sender.program = "parallel_test_sender";
        sender.primitives = bit(Primitive::send);
        sender.kernel_calls = default_kernel_calls;
        sender.destinations = {"sink"};
        sender.cpu = static_cast<int32_t>(i % cpus);
        sender.args["id"] = int64_t{i};
        sender.args["count"] = int64_t{count};
        system.processes.push_back(sender);
    }
    return system;
}

class ParallelStress : public ::testing::TestWithParam<IpcStrategyKind> {};

TEST_P(ParallelStress, NoMessageIsLostOrDuplicatedAcrossCpus) {
    for (uint32_t cpus : {2u, 4u}) {
        for (int run = 0; run < 3; ++run) {
            const RunReport report = run_parallel_system(stress_system(GetParam(), cpus, 12, 2000));
            ASSERT_TRUE(report.ok) << describe(report);
            EXPECT_EQ(report.messages, 12u * 2000u);
        }
    }
}

INSTANTIATE_TEST_SUITE_P(AllStrategies, ParallelStress, ::testing::ValuesIn(all_strategies),
                         [](const ::testing::TestParamInfo<IpcStrategyKind>& info) { return to_string(info.param); });

// ---- ring streams between CPUs without the kernel lock ------------------------
// (kernel/fastpath_unlocked.h). Tiny rings make senders block and receivers run
// dry all the time, so the lost-wake-up handshake and the hand-over between the
// unlocked and the locked paths are exercised on nearly every message.

TEST(ParallelRing, NoMessageIsLostOrDuplicatedAtAnyRingCapacity) {
    for (uint32_t capacity : {1u, 2u, 8u, 1024u}) {
        for (int run = 0; run < 3; ++run) {
            SystemDescription system = stress_system(IpcStrategyKind::ring, 2, 6, 5000);
            system.ring_capacity = capacity;
            const RunReport report = run_parallel_system(system);
            ASSERT_TRUE(report.ok) << "ring_capacity " << capacity << "\n" << describe(report);
            EXPECT_EQ(report.messages, 6u * 5000u);
        }
    }
}

AXL_PROGRAM(parallel_test_echo, "parallel test: answers each request with its word 0 plus one") {
    Message message;
    if (receive(endpoints::any, message) != Status::ok) return 0;
    for (;;) {
        message.payload.words[0] += 1;
        if (reply_receive(message.source, message) != Status::ok) return 0;
    }
}

// Receives a stream like parallel_test_sink, and every `every` messages makes a
// sendrec to the echo server: its wait for the reply is a selective receive,
// which parks the stream's messages that arrive meanwhile (the stash), while
// senders on the other CPU keep buffering without the lock.
AXL_PROGRAM(parallel_test_sink_with_calls, "parallel test: sink that also sendrecs to `echo` now and then") {
    Endpoint echo;
    if (lookup("echo", echo) != Status::ok) fail("no echo");
    const int64_t senders = arg_int("senders", 0);
    const int64_t count = arg_int("count", 0);
    const int64_t every = arg_int("every", 1);
    int64_t next[64] = {};
    for (int64_t received = 0; received < senders * count; ++received) {
        Message message;
        if (receive(endpoints::any, message) != Status::ok) fail("receive failed");
        const uint64_t id = message.payload.words[0];
        if (id >= static_cast<uint64_t>(senders) || message.payload.words[1] != static_cast<uint64_t>(next[id]))
            fail("sender %llu: message out of order", (unsigned long long)id);
        next[id] += 1;
        if (received % every == 0) {
            Message request;
            request.payload.words[0] = static_cast<uint64_t>(received);
            if (sendrec(echo, request) != Status::ok) fail("sendrec failed");
            if (request.payload.words[0] != static_cast<uint64_t>(received) + 1) fail("wrong reply");
        }
    }
    return 0;
}

TEST(ParallelRing, SelectiveReceivesAmidAnUnlockedStreamKeepOrder) {
    for (uint32_t capacity : {2u, 8u}) {
        for (int run = 0; run < 3; ++run) {
            SystemDescription system = stress_system(IpcStrategyKind::ring, 2, 4, 4000);
            system.ring_capacity = capacity;
            ProcessDescription& sink = system.processes[0];
            sink.program = "parallel_test_sink_with_calls";
            sink.primitives |= bit(Primitive::sendrec);
            sink.destinations = {"echo"};
            sink.args["every"] = int64_t{7};
            ProcessDescription echo;
            echo.name = "echo";
            echo.program = "parallel_test_echo";
            echo.primitives = bit(Primitive::receive) | bit(Primitive::reply_receive);
            echo.kernel_calls = default_kernel_calls;
            echo.destinations = {"sink"};
            echo.cpu = 1;
            echo.expect = Expectation::serve;
            system.processes.push_back(echo);
            const RunReport report = run_parallel_system(system);
            ASSERT_TRUE(report.ok) << "ring_capacity " << capacity << "\n" << describe(report);
        }
    }
}

// Bursts between two dedicated CPUs, each followed by an acknowledgement: within
// a burst the consumer streams (senders skip their fence, kernel/fastpath_unlocked.h),
// between bursts it polls, runs dry and blocks (fencing for the senders with
// platform::fence_other_cpus), and the next burst's first send must wake it.
AXL_PROGRAM(parallel_test_burst_producer, "parallel test: sends `bursts` bursts of `burst` messages, each acked") {
    Endpoint consumer;
    if (lookup("consumer", consumer) != Status::ok) fail("no consumer");
    const int64_t bursts = arg_int("bursts", 0);
    const int64_t burst = arg_int("burst", 0);
    uint64_t next = 0;
    for (int64_t b = 0; b < bursts; ++b) {
        for (int64_t i = 0; i < burst; ++i) {
            Message message;
            message.payload.words[0] = next++;
            if (send(consumer, message) != Status::ok) fail("send failed");
        }
        Message ack;
        if (receive(endpoints::any, ack) != Status::ok || ack.payload.words[0] != next) fail("bad ack");
    }
    return 0;
}

AXL_PROGRAM(parallel_test_burst_consumer, "parallel test: receives the bursts in order, acks each") {
    Endpoint producer;
    if (lookup("producer", producer) != Status::ok) fail("no producer");
    const int64_t bursts = arg_int("bursts", 0);
    const int64_t burst = arg_int("burst", 0);
    uint64_t expected = 0;
    for (int64_t b = 0; b < bursts; ++b) {
        for (int64_t i = 0; i < burst; ++i) {
            Message message;
            if (receive(endpoints::any, message) != Status::ok) fail("receive failed");
            if (message.payload.words[0] != expected) fail("got %llu, expected %llu",
                                                           (unsigned long long)message.payload.words[0],
                                                           (unsigned long long)expected);
            expected += 1;
        }
        Message ack;
        ack.payload.words[0] = expected;
        if (send(producer, ack) != Status::ok) fail("ack failed");
    }
    return 0;
}

TEST(ParallelRing, BurstsBetweenDedicatedCpusWakeTheConsumerEveryTime) {
    for (uint32_t capacity : {8u, 1024u}) {
        for (int run = 0; run < 3; ++run) {
            SystemDescription system;
            system.path = "<parallel bursts>";
            system.name = "parallel-bursts";
            system.ipc = IpcStrategyKind::ring;
            system.ring_capacity = capacity;
            system.cpus = 2;
            for (const char* name : {"consumer", "producer"}) {
                ProcessDescription process;
                process.name = name;
                const bool consumer = std::string(name) == "consumer";
                process.program = consumer ? "parallel_test_burst_consumer" : "parallel_test_burst_producer";
                process.primitives = bit(Primitive::send) | bit(Primitive::receive);
                process.kernel_calls = default_kernel_calls;
                process.destinations = {consumer ? "producer" : "consumer"};
                process.cpu = consumer ? 1 : 0;
                process.dedicated_cpu = true;
                process.args["bursts"] = int64_t{30};
                process.args["burst"] = int64_t{2000};
                system.processes.push_back(process);
            }
            const RunReport report = run_parallel_system(system);
            ASSERT_TRUE(report.ok) << "ring_capacity " << capacity << "\n" << describe(report);
            EXPECT_EQ(report.messages, 30u * 2000u + 30u);
        }
    }
}

// ---- faults and shutdown ------------------------------------------------------------

AXL_PROGRAM(parallel_test_crasher, "parallel test: dereferences a null pointer after `after` sends") {
    Endpoint to;
    if (lookup("sink", to) != Status::ok) fail("no sink");
    for (int64_t i = 0; i < arg_int("after", 0); ++i) {
        Message message;
        message.payload.words[0] = static_cast<uint64_t>(arg_int("id", 0));
        message.payload.words[1] = static_cast<uint64_t>(i);
        if (send(to, message) != Status::ok) fail("send failed");
    }
    volatile int* nothing = nullptr;
    return *nothing;
}

TEST(ParallelMode, AFaultKillsOnlyItsProcess) {
    SystemDescription system = stress_system(IpcStrategyKind::ring, 2, 3, 500);
    // Sender 2 (on CPU 0) crashes after 500 sends instead of finishing normally.
    system.processes[3].program = "parallel_test_crasher";
    system.processes[3].args["after"] = int64_t{500};
    system.processes[3].expect = Expectation::fault;
    const RunReport report = run_parallel_system(system);
    EXPECT_TRUE(report.ok) << describe(report);
    EXPECT_EQ(report.processes[3].state, ProcessState::faulted);
    EXPECT_NE(report.processes[3].fault.find("null pointer"), std::string::npos) << report.processes[3].fault;
}

AXL_PROGRAM(parallel_test_spinner, "parallel test: computes forever") {
    for (;;)
        if (compute(1000) != Status::ok) fail("compute failed");
}

TEST(ParallelMode, UntilStopsEveryCpuCleanly) {
    SystemDescription system;
    system.path = "<parallel until>";
    system.name = "parallel-until";
    system.cpus = 2;
    system.until_ns = 2'000'000;
    for (int i = 0; i < 4; ++i) {
        ProcessDescription spinner;
        spinner.name = "spinner" + std::to_string(i);
        spinner.program = "parallel_test_spinner";
        spinner.kernel_calls = default_kernel_calls;
        spinner.cpu = i % 2;
        system.processes.push_back(spinner);
    }
    const RunReport report = run_parallel_system(system);
    EXPECT_TRUE(report.ok) << describe(report);
    EXPECT_TRUE(report.stopped_by_until);
    EXPECT_GE(report.virtual_ns, 2'000'000u);
}

}  // namespace
}  // namespace axl::sim
