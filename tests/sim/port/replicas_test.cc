// Replicated processes (`replicas = N`, docs/system-description.md) booted and
// run: workloads/pingpong_pairs.toml passes under every strategy, every
// replica learns its index and its own peer, a replicated group holds ONE
// privilege structure (shown by the kernel's own rule: a shared privilege may
// not notify), and a destination naming a group grants every replica in it.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "kernel/api/calls.h"
#include "kernel/ipc_strategy.h"
#include "kernel/process.h"
#include "sim/port/simulator.h"
#include "sim/config/system_description.h"
#include "tests/support/script_program.h"
#include "tests/support/source_dir.h"

namespace axl::test {
namespace {

using test::source_dir;

sim::RunReport run_quietly(const sim::SystemDescription& system) {
    sim::RunOptions options;
    options.echo_console = false;
    sim::Simulator simulator(system, options);
    return simulator.run();
}

// ---- workloads/pingpong_pairs.toml -------------------------------------------------------

class PingpongPairs : public ::testing::TestWithParam<IpcStrategyKind> {};

TEST_P(PingpongPairs, EveryClientFinishesWithItsOwnServer) {
    sim::DescriptionOverrides overrides;
    overrides.ipc = GetParam();
    sim::SystemDescription system =
        sim::load_system_description(source_dir() + "/workloads/pingpong_pairs.toml", overrides);
    ASSERT_EQ(system.processes.size(), 2000u);
    sim::RunReport report = run_quietly(system);

    ASSERT_TRUE(report.ok) << describe(report);
    ASSERT_EQ(report.processes.size(), 2000u);
    for (size_t i = 0; i < 1000; ++i) {
        const std::string index = std::to_string(i);
        const sim::ProcessReport& server = report.processes[i];
        const sim::ProcessReport& client = report.processes[1000 + i];
        ASSERT_EQ(server.name, "server." + index);
        ASSERT_EQ(client.name, "client." + index);
        EXPECT_EQ(client.state, ProcessState::exited);
        EXPECT_EQ(client.exit_status, 0);
        EXPECT_EQ(client.counters.sent, 100u);
        // Each server served exactly its own client's 100 requests.
        EXPECT_EQ(server.counters.received, 100u) << server.name;
        EXPECT_TRUE(is_alive(server.state)) << server.name;
    }
    // Every client logged its "ok" line naming its own server.
    size_t ok_lines = 0;
    for (const std::string& line : report.console) {
        const size_t close = line.find("] ok: 100 round trips with server.");
        if (close == std::string::npos) continue;
        ok_lines += 1;
        const std::string client_index = line.substr(std::string("[client.").size(), close - 8);
        const size_t server_start = close + std::string("] ok: 100 round trips with server.").size();
        EXPECT_EQ(line.substr(server_start, line.find(',', server_start) - server_start), client_index) << line;
    }
    EXPECT_EQ(ok_lines, 1000u);
}

INSTANTIATE_TEST_SUITE_P(AllStrategies, PingpongPairs, ::testing::ValuesIn(all_strategies), strategy_param_name);

TEST(PingpongPairs, SameSeedSameDigest) {
    sim::SystemDescription system = sim::load_system_description(source_dir() + "/workloads/pingpong_pairs.toml");
    sim::RunReport first = run_quietly(system);
    sim::RunReport second = run_quietly(system);
    ASSERT_TRUE(first.ok) << describe(first);
    EXPECT_EQ(first.digest, second.digest);
    EXPECT_EQ(first.virtual_ns, second.virtual_ns);
    EXPECT_EQ(first.console, second.console);
}

// ---- privileges of a replicated group ------------------------------------------------

// S: a replicated server group whose replicas each answer two requests with
// their index. C: replicated clients, each calling its own S.<i>. X: may send
// to the S group, so it reaches every replica. Y: may send to C only.
constexpr const char* groups = R"([system]

[[process]]
name = "S"
program = "axt_script"
replicas = 2
priority = 4
primitives = ["receive", "send"]
destinations = ["C", "X"]
kernel_calls = ["all"]
expect = "serve"
[process.args]
script = "log I am {replica}; recv any; reply w=10{replica}; recv any; reply w=20{replica}; park"

[[process]]
name = "C"
program = "axt_script"
replicas = 2
destinations = ["S"]
kernel_calls = ["all"]
[process.args]
script = "sendrec S.{replica} w={replica}"

[[process]]
name = "X"
program = "axt_script"
destinations = ["S"]
kernel_calls = ["all"]
[process.args]
script = "sendrec S.0; sendrec S.1"

[[process]]
name = "Y"
program = "axt_script"
destinations = ["C"]
kernel_calls = ["all"]
[process.args]
script = "sendrec S.0"
)";

TEST(ReplicatedGroups, ReplicasKnowTheirIndexAndAGroupDestinationGrantsEveryReplica) {
    sim::SystemDescription system = sim::parse_system_description(groups, "groups.toml");
    sim::RunReport report = run(system);  // traced and untraced, same behaviour

    ASSERT_TRUE(report.ok) << describe(report);
    EXPECT_EQ(lines_of(report, "S.0").front(), "I am 0");
    EXPECT_EQ(lines_of(report, "S.1").front(), "I am 1");
    EXPECT_EQ(lines_of(report, "C.0"), std::vector<std::string>{"sendrec S.0 -> ok src=S.0 type=1 w=100"})
        << describe(report);
    EXPECT_EQ(lines_of(report, "C.1"), std::vector<std::string>{"sendrec S.1 -> ok src=S.1 type=1 w=101"})
        << describe(report);
    EXPECT_EQ(lines_of(report, "X"), (std::vector<std::string>{"sendrec S.0 -> ok src=S.0 type=1 w=200",
                                                               "sendrec S.1 -> ok src=S.1 type=1 w=201"}))
        << describe(report);
    // Y was granted the C group, not S: refused by privilege, not by name.
    EXPECT_EQ(lines_of(report, "Y"), std::vector<std::string>{"sendrec S.0 -> destination_denied"})
        << describe(report);
}

// The kernel refuses notify to a process that shares its privilege: with the
// parser's check bypassed, that refusal proves the replicas hold one privilege
// structure, and that one replica (holding its own) may notify.
TEST(ReplicatedGroups, ReplicasHoldOnePrivilegeStructure) {
    sim::SystemDescription system = sim::parse_system_description(R"([system]
[[process]]
name = "R"
program = "axt_script"
expect = "serve"
primitives = ["receive"]
kernel_calls = ["all"]
[process.args]
script = "recv any; park"

[[process]]
name = "N"
program = "axt_script"
replicas = 2
destinations = ["R"]
kernel_calls = ["all"]
[process.args]
script = "notify R"

[[process]]
name = "One"
program = "axt_script"
replicas = 1
destinations = ["R"]
kernel_calls = ["all"]
[process.args]
script = "notify R"
)",
                                                                  "shared.toml");
    for (sim::ProcessDescription& process : system.processes) process.primitives |= bit(Primitive::notify);
    sim::RunReport report = run(system);

    ASSERT_TRUE(report.ok) << describe(report);
    EXPECT_EQ(lines_of(report, "N.0"), std::vector<std::string>{"notify R -> call_denied"}) << describe(report);
    EXPECT_EQ(lines_of(report, "N.1"), std::vector<std::string>{"notify R -> call_denied"}) << describe(report);
    EXPECT_EQ(lines_of(report, "One.0"), std::vector<std::string>{"notify R -> ok"}) << describe(report);
    EXPECT_EQ(lines_of(report, "R"), std::vector<std::string>{"recv any -> ok src=One.0 type=notify w=5"})
        << describe(report);
}

// More processes than the kernel has privilege structures: 1,000 replicas
// of a table use one.
TEST(ReplicatedGroups, MoreProcessesThanPrivilegeStructures) {
    sim::SystemDescription system = sim::parse_system_description(R"([system]
[[process]]
name = "p"
program = "axt_script"
replicas = 1000
kernel_calls = ["all"]
[process.args]
script = "log {replica}"
)",
                                                                  "many.toml");
    sim::RunReport report = run_quietly(system);
    ASSERT_TRUE(report.ok) << describe(report);
    ASSERT_EQ(report.processes.size(), 1000u);
    EXPECT_EQ(lines_of(report, "p.999"), std::vector<std::string>{"999"});
}

}  // namespace
}  // namespace axl::test
