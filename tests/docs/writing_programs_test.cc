// docs/writing-programs.md walks its reader through adding a program,
// workloads/mirror.cc, and the system that runs it, workloads/mirror.toml. Neither
// is in the tree (the reader creates them); the build extracts both from the doc
// into this test (axl_docs_example, cmake/docs_examples.cmake), so the walkthrough's
// program compiles, registers and passes its own checks exactly as the doc shows it.
#include <gtest/gtest.h>

#include <string>

#include "kernel/ipc_strategy.h"
#include "sim/config/system_description.h"
#include "sim/port/simulator.h"
#include "tests/support/script_program.h"
#include "tests/support/report_text.h"

namespace axl::sim {
namespace {

const std::string mirror_toml = std::string(AXL_DOCS_EXAMPLE_DIR) + "/workloads/mirror.toml";

std::string describe(const RunReport& report) { return test::report_text(report); }

class WritingProgramsExample : public ::testing::TestWithParam<IpcStrategyKind> {};

TEST_P(WritingProgramsExample, TheSystemRunsAndEveryProcessMeetsItsExpectation) {
    DescriptionOverrides overrides;
    overrides.ipc = GetParam();
    SystemDescription description = load_system_description(mirror_toml, overrides);
    RunOptions options;
    options.echo_console = false;
    RunReport report = Simulator(description, options).run();
    ASSERT_TRUE(report.ok) << describe(report);
    ASSERT_EQ(report.processes.size(), 2u);
    EXPECT_EQ(report.processes[1].name, "client");
    // The client's 1,000 rounds all went through: none was lost or refused.
    EXPECT_EQ(report.processes[1].counters.sent, 1000u) << describe(report);
}

// The client checks what comes back: with a server that answers its first request
// with another word, the run must fail on the client's own check, or the
// walkthrough's checks would prove nothing.
TEST(WritingProgramsExampleControl, AClientOfAServerThatDoesNotMirrorFailsItsCheck) {
    SystemDescription description = load_system_description(mirror_toml, {});
    ProcessDescription& server = description.processes[0];
    ASSERT_EQ(server.program, "mirror_server");
    server.program = "axt_script";
    server.args = {{"script", std::string("recv any; replyrecv last w=99; park")}};
    RunOptions options;
    options.echo_console = false;
    RunReport report = Simulator(description, options).run();
    EXPECT_FALSE(report.ok) << describe(report);
    bool wrong_reply = false;
    for (const std::string& line : report.console) wrong_reply |= line.find("[client] wrong reply 0") != std::string::npos;
    EXPECT_TRUE(wrong_reply) << describe(report);
}

INSTANTIATE_TEST_SUITE_P(EveryStrategy, WritingProgramsExample,
                         ::testing::Values(IpcStrategyKind::rendezvous, IpcStrategyKind::ring,
                                           IpcStrategyKind::queue),
                         [](const auto& info) { return std::string(to_string(info.param)); });

}  // namespace
}  // namespace axl::sim
