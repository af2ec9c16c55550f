// One run of a scenario, judged (sim/harness/scenario_run.h): the class a run
// ends as, the line that says why, and the names campaign JSON uses for the
// classes. `axl replay` and every run of `axl campaign` go through it.
#include "sim/harness/scenario_run.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "tests/support/fanin_pair_system.h"
#include "tests/support/temp_dir.h"

namespace axl::sim {
namespace {

class ScenarioRuns : public ::testing::Test {
protected:
    void SetUp() override { std::ofstream(m_dir.file("system.toml")) << test::fanin_system; }

    ScenarioRun run(const std::string& rest) const {
        const Scenario scenario =
            parse_scenario("[scenario]\nsystem = \"system.toml\"\n" + rest, m_dir.file("scenario.toml"));
        RunOptions quiet;
        quiet.echo_console = false;
        return run_scenario(scenario, quiet);
    }

    test::TempDir m_dir;
};

TEST_F(ScenarioRuns, ARunWithoutFaultsSurvives) {
    const ScenarioRun result = run("");
    EXPECT_TRUE(result.report.ok);
    EXPECT_TRUE(result.verdict.passed);
    EXPECT_EQ(result.run_class, RunClass::survived);
    EXPECT_EQ(result.detail, "");
    EXPECT_NE(result.report.digest, 0u);
}

TEST_F(ScenarioRuns, TheFaultsOfTheScenarioAreInjected) {
    const ScenarioRun result = run("[[fault]]\nkind = \"crash\"\ntarget = \"b\"\nafter_calls = 40\n"
                                   "[expect]\ncompletes = false\n");
    ASSERT_EQ(result.verdict.faults.size(), 1u);
    EXPECT_TRUE(result.verdict.faults[0].injected);
    EXPECT_FALSE(result.report.ok);
    EXPECT_EQ(result.run_class, RunClass::survived);  // the run was expected to fail, and did
}

TEST_F(ScenarioRuns, AWorkloadThatFailsIsAClientError) {
    const ScenarioRun result = run("[[fault]]\nkind = \"crash\"\ntarget = \"b\"\nafter_calls = 40\n");
    EXPECT_EQ(result.run_class, RunClass::client_error);
    ASSERT_FALSE(result.verdict.failures.empty());
    EXPECT_EQ(result.detail, result.verdict.failures.front());
}

TEST_F(ScenarioRuns, ACompletedRunThatFailsAnotherExpectationIsUnmet) {
    const ScenarioRun result = run("[[fault]]\nkind = \"crash\"\ntarget = \"b\"\nafter_calls = 1000000\n");
    EXPECT_TRUE(result.report.ok);
    EXPECT_EQ(result.run_class, RunClass::unmet_expectation);
    EXPECT_NE(result.detail.find("never injected"), std::string::npos) << result.detail;
}

TEST_F(ScenarioRuns, AWorkloadUnfinishedAtUntilIsAHangThoughTheVerdictExcusesIt) {
    const ScenarioRun result =
        run("until = \"5ms\"\n[[fault]]\nkind = \"hang\"\ntarget = \"b\"\nat = \"20us\"\n");
    EXPECT_TRUE(result.report.stopped_by_until);
    EXPECT_EQ(result.run_class, RunClass::hang);
    EXPECT_EQ(result.detail, "the run reached until = 5ms with the workload unfinished (b)");
}

TEST(RunClasses, NamesReadBack) {
    for (RunClass run_class : all_run_classes) EXPECT_EQ(run_class_named(to_string(run_class)), run_class);
    EXPECT_EQ(to_string(RunClass::client_error), std::string("client_error"));
    EXPECT_FALSE(run_class_named("crashed").has_value());
}

}  // namespace
}  // namespace axl::sim
