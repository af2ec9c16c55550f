// The workloads in workloads/*.toml, each under every IPC strategy: the same
// programs, unchanged, must pass their own self-checks and replay to the same
// digest. A negative control (workloads/tests/pingpong_liar.toml) proves the
// self-checks can fail.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <tuple>

#include "kernel/ipc_strategy.h"
#include "kernel/process.h"
#include "sim/port/simulator.h"
#include "sim/config/system_description.h"
#include "tests/support/source_dir.h"
#include "tests/support/report_text.h"

namespace axl::sim {
namespace {

constexpr IpcStrategyKind all_strategies[] = {IpcStrategyKind::rendezvous, IpcStrategyKind::ring,
                                              IpcStrategyKind::queue};

using test::source_dir;

std::string workload_path(const std::string& relative) { return source_dir() + "/workloads/" + relative; }

RunReport run_system(const std::string& path, IpcStrategyKind ipc) {
    DescriptionOverrides overrides;
    overrides.ipc = ipc;
    SystemDescription description = load_system_description(path, overrides);
    RunOptions options;
    options.echo_console = false;  // keep the console in the report, off the test's stdout
    Simulator simulator(description, options);
    return simulator.run();
}

std::string describe(const RunReport& report) { return test::report_text(report); }

const ProcessReport* find_process(const RunReport& report, const std::string& name) {
    for (const ProcessReport& process : report.processes)
        if (process.name == name) return &process;
    return nullptr;
}

std::string strategy_name(IpcStrategyKind kind) { return to_string(kind); }

// ---- every workload under every strategy ----------------------------------------------

using WorkloadCase = std::tuple<std::string, IpcStrategyKind>;

class WorkloadTest : public ::testing::TestWithParam<WorkloadCase> {
protected:
    std::string path() const { return workload_path(std::get<0>(GetParam()) + ".toml"); }
    IpcStrategyKind strategy() const { return std::get<1>(GetParam()); }
};

TEST_P(WorkloadTest, PassesItsSelfChecks) {
    RunReport report = run_system(path(), strategy());

    ASSERT_TRUE(report.ok) << describe(report);
    EXPECT_TRUE(report.failures.empty()) << describe(report);
    EXPECT_EQ(report.ipc, strategy()) << "the --ipc override did not take effect";
    EXPECT_FALSE(report.stopped_by_until) << describe(report);
    EXPECT_GT(report.messages, 0u);
    ASSERT_FALSE(report.processes.empty());

    size_t must_exit = 0;
    for (const ProcessReport& process : report.processes) {
        SCOPED_TRACE("process " + process.name + " (" + process.program + ")");
        EXPECT_TRUE(process.met_expectation) << describe(report);
        EXPECT_TRUE(process.fault.empty()) << process.fault;
        if (process.expect == Expectation::exit) {
            // A client: it ran its checks to the end and returned 0.
            must_exit += 1;
            EXPECT_EQ(process.state, ProcessState::exited) << describe(report);
            EXPECT_EQ(process.exit_status, 0) << describe(report);
        } else {
            EXPECT_EQ(process.expect, Expectation::serve);
            EXPECT_NE(process.state, ProcessState::faulted);
            if (process.state == ProcessState::exited) {
                EXPECT_EQ(process.exit_status, 0);
            }
        }
    }
    EXPECT_GT(must_exit, 0u) << "a workload needs at least one process whose exit proves something";

    // Every self-checking process logs one "ok: ..." line at the end of its
    // check phase; returning 0 any other way would be a workload bug.
    size_t ok_lines = 0;
    for (const std::string& line : report.console)
        if (line.find("ok: ") != std::string::npos) ok_lines += 1;
    EXPECT_GE(ok_lines, must_exit) << describe(report);
}

TEST_P(WorkloadTest, SameSeedSameDigest) {
    RunReport first = run_system(path(), strategy());
    RunReport second = run_system(path(), strategy());

    ASSERT_TRUE(first.ok) << describe(first);
    ASSERT_TRUE(second.ok) << describe(second);
    EXPECT_EQ(first.seed, second.seed);
    EXPECT_EQ(first.digest, second.digest) << "same system, strategy and seed must replay bit for bit";
    EXPECT_EQ(first.messages, second.messages);
    EXPECT_EQ(first.virtual_ns, second.virtual_ns);
    EXPECT_EQ(first.trace_events, second.trace_events);
    EXPECT_EQ(first.console, second.console);
}

INSTANTIATE_TEST_SUITE_P(AllStrategies, WorkloadTest,
                         ::testing::Combine(::testing::Values("pingpong", "fanin", "pipeline", "notify", "storage",
                                                              "irq_storm", "console", "dma_edu", "dma_edu_direct"),
                                            ::testing::ValuesIn(all_strategies)),
                         [](const ::testing::TestParamInfo<WorkloadCase>& test) {
                             return std::get<0>(test.param) + "_" + strategy_name(std::get<1>(test.param));
                         });

// ---- workloads where processes are meant to die ------------------------------------------

// isolation: seven processes break the rules of memory or privilege and are
// killed; restarts: rs restarts a crashing process three times. Both also run
// on x86-64 (cmake/boot_tests.cmake); hosted, the fault guard does the killing.
class FaultingWorkloadTest : public WorkloadTest {};

TEST_P(FaultingWorkloadTest, EveryFaultKillsOnlyItsProcessAndTheRestFinish) {
    RunReport report = run_system(path(), strategy());
    ASSERT_TRUE(report.ok) << describe(report);
    EXPECT_TRUE(report.failures.empty()) << describe(report);
    size_t faulted = 0, exited = 0;
    for (const ProcessReport& process : report.processes) {
        SCOPED_TRACE("process " + process.name + " (" + process.program + ")");
        EXPECT_TRUE(process.met_expectation) << describe(report);
        if (process.expect == Expectation::fault) {
            EXPECT_EQ(process.state, ProcessState::faulted);
            EXPECT_FALSE(process.fault.empty()) << "a real fault says what it was";
            faulted += 1;
        } else if (process.expect == Expectation::exit) {
            EXPECT_EQ(process.state, ProcessState::exited);
            EXPECT_EQ(process.exit_status, 0);
            exited += 1;
        } else {
            EXPECT_NE(process.state, ProcessState::faulted);
        }
    }
    EXPECT_GT(faulted, 0u);
    EXPECT_GT(exited, 0u);
    RunReport again = run_system(path(), strategy());
    EXPECT_EQ(report.digest, again.digest) << "faults replay too";
}

INSTANTIATE_TEST_SUITE_P(AllStrategies, FaultingWorkloadTest,
                         ::testing::Combine(::testing::Values("isolation", "restarts"),
                                            ::testing::ValuesIn(all_strategies)),
                         [](const ::testing::TestParamInfo<WorkloadCase>& test) {
                             return std::get<0>(test.param) + "_" + strategy_name(std::get<1>(test.param));
                         });

// ---- the self-checks can fail -----------------------------------------------------------

class LiarTest : public ::testing::TestWithParam<IpcStrategyKind> {};

// pingpong_liar_server corrupts every 100th reply: the client must notice the
// very first lie (round 99, counting from 0), report it and exit with status 1.
TEST_P(LiarTest, ClientCatchesACorruptedReply) {
    RunReport report = run_system(workload_path("tests/pingpong_liar.toml"), GetParam());

    EXPECT_FALSE(report.ok) << describe(report);
    EXPECT_FALSE(report.failures.empty()) << describe(report);

    const ProcessReport* client = find_process(report, "client");
    ASSERT_NE(client, nullptr) << describe(report);
    EXPECT_EQ(client->state, ProcessState::exited) << describe(report);
    EXPECT_EQ(client->exit_status, 1) << describe(report);
    EXPECT_FALSE(client->met_expectation);

    // The server only lied; it did not fail or fault.
    const ProcessReport* server = find_process(report, "server");
    ASSERT_NE(server, nullptr) << describe(report);
    EXPECT_TRUE(server->met_expectation) << describe(report);

    bool named_the_round = false;
    for (const std::string& line : report.console)
        if (line.find("round 99: reply word 3: expected") != std::string::npos) named_the_round = true;
    EXPECT_TRUE(named_the_round) << "the client should fail on the first lie, naming word, expected and actual\n"
                                 << describe(report);
}

INSTANTIATE_TEST_SUITE_P(AllStrategies, LiarTest, ::testing::ValuesIn(all_strategies),
                         [](const ::testing::TestParamInfo<IpcStrategyKind>& test) {
                             return strategy_name(test.param);
                         });

}  // namespace
}  // namespace axl::sim
