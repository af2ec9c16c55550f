// Deterministic mode: a run is a pure function of the system, its inputs and
// the seed. Every workload in workloads/*.toml, under every IPC strategy, on
// one CPU and on two, replays to the same digest (and the same console,
// virtual time and message count) three times in a row; a changed input
// (fewer rounds) gives a different digest.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <tuple>
#include <vector>

#include "kernel/ipc_strategy.h"
#include "sim/port/simulator.h"
#include "sim/config/system_description.h"
#include "tests/support/report_text.h"

namespace axl::sim {
namespace {

constexpr IpcStrategyKind all_strategies[] = {IpcStrategyKind::rendezvous, IpcStrategyKind::ring,
                                              IpcStrategyKind::queue};

// CTest sets AXL_SOURCE_DIR; run by hand, use this file's location, else
// search upwards from the working directory (e.g. build/bin/tests).
std::string workloads_dir() {
    if (const char* dir = std::getenv("AXL_SOURCE_DIR"); dir != nullptr && *dir != '\0')
        return std::string(dir) + "/workloads";
    const std::string file = __FILE__;
    const std::string tail = "/tests/sim/port/determinism_test.cc";
    if (file.ends_with(tail) && std::filesystem::exists(file.substr(0, file.size() - tail.size()) + "/workloads"))
        return file.substr(0, file.size() - tail.size()) + "/workloads";
    for (const char* up : {".", "..", "../..", "../../.."})
        if (std::filesystem::exists(std::string(up) + "/workloads/pingpong.toml")) return std::string(up) + "/workloads";
    return "../../../workloads";
}

SystemDescription load(const std::string& workload, IpcStrategyKind ipc, uint32_t cpus) {
    DescriptionOverrides overrides;
    overrides.ipc = ipc;
    overrides.cpus = cpus;
    return load_system_description(workloads_dir() + "/" + workload + ".toml", overrides);
}

RunReport run(const SystemDescription& system, TraceLevel level = TraceLevel::digest) {
    RunOptions options;
    options.echo_console = false;
    options.trace_level = level;
    Simulator simulator(system, options);
    return simulator.run();
}

std::string describe(const RunReport& report) { return test::report_text(report); }

void set_arg(SystemDescription& d, const std::string& key, int64_t value, const std::vector<std::string>& processes) {
    for (ProcessDescription& p : d.processes)
        for (const std::string& name : processes)
            if (p.name == name || (name.ends_with("*") && p.name.starts_with(name.substr(0, name.size() - 1))))
                p.args[key] = value;
}

TEST(Determinism, AllFourWorkloadsAreThere) {
    for (const char* name : {"pingpong", "fanin", "pipeline", "notify"})
        EXPECT_TRUE(std::filesystem::exists(workloads_dir() + "/" + name + ".toml")) << workloads_dir() << " " << name;
}

using Case = std::tuple<std::string, IpcStrategyKind, uint32_t>;

class Replay : public ::testing::TestWithParam<Case> {
protected:
    SystemDescription system() const {
        return load(std::get<0>(GetParam()), std::get<1>(GetParam()), std::get<2>(GetParam()));
    }
};

TEST_P(Replay, SameSystemAndSeedGiveTheSameDigestThreeTimes) {
    SystemDescription d = system();
    RunReport first = run(d);
    ASSERT_TRUE(first.ok) << describe(first);
    EXPECT_NE(first.digest, 0u) << "the digest is computed";
    EXPECT_GT(first.trace_events, 0u);
    EXPECT_EQ(first.cpus, std::get<2>(GetParam()));
    EXPECT_EQ(first.ipc, std::get<1>(GetParam()));
    for (int again = 0; again < 2; ++again) {
        RunReport next = run(d);
        SCOPED_TRACE("replay " + std::to_string(again + 2));
        ASSERT_TRUE(next.ok) << describe(next);
        EXPECT_EQ(next.digest, first.digest);
        EXPECT_EQ(next.trace_events, first.trace_events);
        EXPECT_EQ(next.virtual_ns, first.virtual_ns);
        EXPECT_EQ(next.messages, first.messages);
        EXPECT_EQ(next.console, first.console);
        ASSERT_EQ(next.processes.size(), first.processes.size());
        for (size_t i = 0; i < next.processes.size(); ++i) {
            EXPECT_EQ(next.processes[i].counters.sent, first.processes[i].counters.sent) << next.processes[i].name;
            EXPECT_EQ(next.processes[i].counters.received, first.processes[i].counters.received);
            EXPECT_EQ(next.processes[i].counters.cpu_ns, first.processes[i].counters.cpu_ns);
        }
    }
}

// Recording the full trace (for export) must not change what is hashed.
TEST_P(Replay, FullTraceGivesTheSameDigest) {
    SystemDescription d = system();
    RunReport digest_only = run(d, TraceLevel::digest);
    RunReport full = run(d, TraceLevel::full);
    ASSERT_TRUE(full.ok) << describe(full);
    EXPECT_EQ(full.digest, digest_only.digest);
    EXPECT_EQ(full.trace_events, digest_only.trace_events);
}

INSTANTIATE_TEST_SUITE_P(Workloads, Replay,
                         ::testing::Combine(::testing::Values("pingpong", "fanin", "pipeline", "notify", "storage",
                                                              "irq_storm", "console"),
                                            ::testing::ValuesIn(all_strategies), ::testing::Values(1u, 2u)),
                         [](const ::testing::TestParamInfo<Case>& test_info) {
                             return std::get<0>(test_info.param) + "_" + to_string(std::get<1>(test_info.param)) + "_" +
                                    std::to_string(std::get<2>(test_info.param)) + "cpu";
                         });

// ---- changed inputs change the digest --------------------------------------------------------

class ChangedInput : public ::testing::TestWithParam<std::tuple<IpcStrategyKind, uint32_t>> {
protected:
    IpcStrategyKind ipc() const { return std::get<0>(GetParam()); }
    uint32_t cpus() const { return std::get<1>(GetParam()); }
};

TEST_P(ChangedInput, FewerPingpongRoundsChangeTheDigest) {
    SystemDescription base = load("pingpong", ipc(), cpus());
    SystemDescription changed = base;
    set_arg(changed, "rounds", 9999, {"client"});
    RunReport a = run(base);
    RunReport b = run(changed);
    ASSERT_TRUE(a.ok) << describe(a);
    ASSERT_TRUE(b.ok) << describe(b);
    EXPECT_NE(a.digest, b.digest);
    EXPECT_EQ(a.messages, 20000u);
    EXPECT_EQ(b.messages, 19998u);
}

TEST_P(ChangedInput, FewerFaninRoundsChangeTheDigest) {
    SystemDescription base = load("fanin", ipc(), cpus());
    SystemDescription changed = base;
    set_arg(changed, "rounds", 999, {"server", "client.*"});
    RunReport a = run(base);
    RunReport b = run(changed);
    ASSERT_TRUE(a.ok) << describe(a);
    ASSERT_TRUE(b.ok) << describe(b);
    EXPECT_NE(a.digest, b.digest);
    EXPECT_LT(b.messages, a.messages);
}

TEST_P(ChangedInput, FewerPipelineItemsChangeTheDigest) {
    SystemDescription base = load("pipeline", ipc(), cpus());
    SystemDescription changed = base;
    set_arg(changed, "items", 1999, {"source", "sink"});
    RunReport a = run(base);
    RunReport b = run(changed);
    ASSERT_TRUE(a.ok) << describe(a);
    ASSERT_TRUE(b.ok) << describe(b);
    EXPECT_NE(a.digest, b.digest);
}

TEST_P(ChangedInput, DifferentNotifyCountChangesTheDigest) {
    SystemDescription base = load("notify", ipc(), cpus());
    SystemDescription changed = base;
    set_arg(changed, "count", 1999, {"notifier.0"});
    RunReport a = run(base);
    RunReport b = run(changed);
    ASSERT_TRUE(a.ok) << describe(a);
    ASSERT_TRUE(b.ok) << describe(b);
    EXPECT_NE(a.digest, b.digest);
}

// A change that only moves work in time (a client's think time) changes the
// trace too: the digest covers timing, not just the messages.
TEST_P(ChangedInput, ChangedThinkTimeChangesTheDigest) {
    SystemDescription base = load("fanin", ipc(), cpus());
    SystemDescription changed = base;
    set_arg(changed, "think_ns", 75, {"client.2"});
    RunReport a = run(base);
    RunReport b = run(changed);
    ASSERT_TRUE(a.ok) << describe(a);
    ASSERT_TRUE(b.ok) << describe(b);
    EXPECT_EQ(a.messages, b.messages);
    EXPECT_NE(a.digest, b.digest);
}

INSTANTIATE_TEST_SUITE_P(AllStrategies, ChangedInput,
                         ::testing::Combine(::testing::ValuesIn(all_strategies), ::testing::Values(1u, 2u)),
                         [](const ::testing::TestParamInfo<std::tuple<IpcStrategyKind, uint32_t>>& test_info) {
                             return std::string(to_string(std::get<0>(test_info.param))) + "_" +
                                    std::to_string(std::get<1>(test_info.param)) + "cpu";
                         });

// The number of CPUs is part of the system: the same workload on 1 and on 2
// CPUs gives different traces (here: pingpong's client and server land on
// different CPUs and every round trip pays the cross-CPU wake-up).
TEST(Determinism, CpuCountChangesTheDigest) {
    RunReport one = run(load("pingpong", IpcStrategyKind::rendezvous, 1));
    RunReport two = run(load("pingpong", IpcStrategyKind::rendezvous, 2));
    ASSERT_TRUE(one.ok && two.ok);
    EXPECT_NE(one.digest, two.digest);
    EXPECT_GT(two.virtual_ns, one.virtual_ns) << "cross-CPU round trips cost more virtual time";
}

}  // namespace
}  // namespace axl::sim
