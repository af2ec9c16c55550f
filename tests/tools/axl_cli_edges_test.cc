// The edges of the axl command line, through the built binary
// ($AXL_BIN_DIR/axl): a misspelt subcommand gets a suggestion, --version and
// the JSON reports name the build, --runs 0 is refused in one readable line,
// printed replay commands name the binary the user ran, and campaign progress
// has a percentage and an ETA.
#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/axl_command.h"
#include "tests/support/fanin_pair_system.h"

namespace {

using json = nlohmann::json;
using axl::test::CommandResult;
using axl::test::read_file;

class AxlCliEdges : public axl::test::AxlCommandTest {
protected:
    void SetUp() override {
        AxlCommandTest::SetUp();
        if (IsSkipped()) return;
        write("system.toml", axl::test::fanin_system);
        m_scenario = write("campaign.toml", axl::test::fanin_campaign_scenario).string();
    }
    std::string m_scenario;
};

TEST_F(AxlCliEdges, AMisspeltSubcommandGetsASuggestion) {
    CommandResult typo = axl("rnu workloads/pingpong.toml");
    EXPECT_EQ(typo.exit_code, 2);
    EXPECT_EQ(typo.err, "axl: unknown subcommand 'rnu'; did you mean 'run'?\n");
    CommandResult campain = axl("campain x.toml");
    EXPECT_EQ(campain.exit_code, 2);
    EXPECT_EQ(campain.err, "axl: unknown subcommand 'campain'; did you mean 'campaign'?\n");
    CommandResult far = axl("frobnicate");
    EXPECT_EQ(far.exit_code, 2);
    EXPECT_NE(far.err.find("axl: unknown subcommand 'frobnicate' (subcommands: run, replay, campaign, compare, "),
              std::string::npos)
        << far.err;
}

TEST_F(AxlCliEdges, VersionAndJsonReportsNameTheBuild) {
    CommandResult version = axl("--version");
    EXPECT_EQ(version.exit_code, 0) << version.err;
    EXPECT_EQ(version.out.rfind("axl ", 0), 0u) << version.out;
    EXPECT_NE(version.out.find(" build, "), std::string::npos) << version.out;
    EXPECT_NE(version.out.find("(commit "), std::string::npos) << version.out;

    ASSERT_EQ(axl("run '" + workload("pingpong.toml") + "' --quiet --json '" + file("run.json") + "'").exit_code, 0);
    const json run = json::parse(read_file(file("run.json")));
    ASSERT_TRUE(run.contains("build")) << run.dump(2);
    for (const char* field : {"version", "commit", "build_type", "compiler"})
        EXPECT_FALSE(run["build"][field].get<std::string>().empty()) << field;
    // The same build as --version prints.
    EXPECT_NE(version.out.find(run["build"]["commit"].get<std::string>()), std::string::npos);
    EXPECT_NE(version.out.find(run["build"]["version"].get<std::string>()), std::string::npos);

    ASSERT_EQ(axl("campaign '" + m_scenario + "' --quiet --runs 2 --json '" + file("c.json") + "'").exit_code, 0);
    const json campaign = json::parse(read_file(file("c.json")));
    EXPECT_EQ(campaign["build"], run["build"]);
    ASSERT_EQ(axl("campaign merge '" + file("c.json") + "' --json '" + file("m.json") + "'").exit_code, 0);
    EXPECT_EQ(json::parse(read_file(file("m.json")))["build"], run["build"]) << "a merge keeps the shards' build";
}

TEST_F(AxlCliEdges, ZeroRunsOrJobsIsRefusedInOneLine) {
    for (const char* option : {"--runs 0", "--runs 4 --jobs 0", "--runs 4 --run-timeout 0"}) {
        CommandResult result = axl("campaign '" + m_scenario + "' " + option);
        EXPECT_EQ(result.exit_code, 2) << option;
        EXPECT_NE(result.err.find(": 0 is not allowed: give a number greater than 0\n"), std::string::npos)
            << option << "\n" << result.err;
        EXPECT_LT(result.err.size(), 200u) << "no 300-digit range:\n" << result.err;
        EXPECT_EQ(result.out.find("seeds"), std::string::npos) << "nothing ran";
    }
}

TEST_F(AxlCliEdges, ReplayCommandsNameTheBinaryTheUserRan) {
    CommandResult result = axl("campaign '" + m_scenario + "' --quiet --runs 8");
    ASSERT_EQ(result.exit_code, 0) << result.err;
    const std::string prefix = "\n  " + m_axl.string() + " replay " + m_scenario + " --seed ";
    const size_t at = result.out.find(prefix);
    ASSERT_NE(at, std::string::npos) << result.out;
    // And pasted as printed, it runs.
    const size_t end = result.out.find('\n', at + 1);
    const std::string command = result.out.substr(at + 3, end - at - 3);
    const int status = std::system((command + " --quiet >/dev/null 2>&1").c_str());
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << command << ": the failed run fails again";
}

TEST_F(AxlCliEdges, CampaignProgressHasAPercentageAndAnEta) {
    CommandResult result = axl("campaign '" + m_scenario + "' --runs 16 --jobs 1");
    ASSERT_EQ(result.exit_code, 0) << result.err;
    // Not a terminal: one line per report; the last says how long it took.
    EXPECT_NE(result.err.find("campaign: 16/16 runs (100.0%), "), std::string::npos) << result.err;
    EXPECT_NE(result.err.find(" failed, took "), std::string::npos) << result.err;
}

}  // namespace
