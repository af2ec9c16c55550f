// What a user reads after a run, through the built binary ($AXL_BIN_DIR/axl):
// a failed process's axl::fail reason in the failures line and the JSON (also
// under --quiet); processes `until` cut short reported as stopped; output
// files that cannot be written refused before anything runs; a truncated
// trace said on stderr; a campaign's failed runs grouped by class and reason,
// --fail-on, --plot; and the replay of a campaign's hang failing as a hang.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/axl_command.h"
#include "tests/support/fanin_pair_system.h"

namespace {

using json = nlohmann::json;
using axl::test::CommandResult;
using axl::test::read_file;

// A client whose server is not there: its lookup fails, and it says so with
// axl::fail (libsys/checks.h), then exits with status 1.
constexpr const char* lonely_client = R"([system]
name = "lonely"
[[process]]
name = "client"
program = "fanin_client"
kernel_calls = ["lookup", "compute", "log"]
[process.args]
server = "nobody"
rounds = 3
)";


class AxlReports : public axl::test::AxlCommandTest {
protected:
    void SetUp() override {
        AxlCommandTest::SetUp();
        if (IsSkipped()) return;
        write("system.toml", axl::test::fanin_system);
        m_scenario = write("campaign.toml", axl::test::fanin_campaign_scenario).string();
    }
    std::string m_scenario;
};

TEST_F(AxlReports, FailReasonIsInTheFailuresLineAndTheJsonEvenWhenQuiet) {
    const std::string system = write("lonely.toml", lonely_client).string();
    CommandResult result = axl("run '" + system + "' --quiet --json '" + file("r.json") + "'");
    EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
    const std::string reason = "lookup(\"nobody\"): expected status ok, got not_found";
    EXPECT_NE(result.out.find("  process 'client' (fanin_client) exited with status 1; expected to exit with status 0 "
                              "(failed: " + reason + ")\n"),
              std::string::npos)
        << result.out;
    EXPECT_NE(result.out.find("failed: " + reason), std::string::npos) << "a note under the process row";
    EXPECT_EQ(result.out.find("[client]"), std::string::npos) << "--quiet: no console lines:\n" << result.out;
    const json report = json::parse(read_file(file("r.json")));
    EXPECT_EQ(report["processes"][0]["failure"], reason);
    EXPECT_EQ(report["processes"][0]["outcome"], "not_met");
    EXPECT_NE(report["failures"][0].get<std::string>().find(reason), std::string::npos) << report.dump(2);
}

TEST_F(AxlReports, ProcessesCutShortByUntilAreReportedAsStopped) {
    CommandResult result = axl("run '" + workload("fanin.toml") + "' --quiet --until 20us --json '" + file("r.json") + "'");
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_NE(result.out.find("exit (stopped)"), std::string::npos) << result.out;
    EXPECT_EQ(result.out.find("exit (met)"), std::string::npos) << "no client finished in 20 us:\n" << result.out;
    const json report = json::parse(read_file(file("r.json")));
    bool stopped = false;
    for (const json& process : report["processes"]) {
        if (process["expect"] == "exit") EXPECT_EQ(process["outcome"], "stopped") << process.dump();
        stopped = stopped || process["outcome"] == "stopped";
        if (process["expect"] == "serve") EXPECT_EQ(process["outcome"], "met") << process.dump();
    }
    EXPECT_TRUE(stopped);

    CommandResult whole = axl("run '" + workload("fanin.toml") + "' --quiet");
    EXPECT_EQ(whole.out.find("(stopped)"), std::string::npos) << "a run that finished stops nobody:\n" << whole.out;
}

// Every file option is opened before the run: a path that cannot be written
// is exit 2 with the option, the path and the errno's message, and nothing ran.
TEST_F(AxlReports, OutputFilesThatCannotBeWrittenAreRefusedBeforeTheRun) {
    const std::string bad = "/nonexistent/x.json";
    const std::string run = "run '" + workload("pingpong.toml") + "' --quiet ";
    const std::string replay = "replay '" + m_scenario + "' --quiet --seed 3 ";
    const std::string campaign = "campaign '" + m_scenario + "' --quiet --runs 2 ";
    for (const std::string& command :
         {run + "--trace " + bad, run + "--trace-text " + bad, run + "--json " + bad, replay + "--trace " + bad,
          replay + "--json " + bad, campaign + "--json " + bad, "compare '" + workload("pingpong.toml") + "' --json " + bad}) {
        CommandResult result = axl(command);
        EXPECT_EQ(result.exit_code, 2) << command << "\n" << result.out << result.err;
        EXPECT_NE(result.err.find(" " + bad + ": cannot write it (No such file or directory)"), std::string::npos)
            << command << "\n" << result.err;
        EXPECT_EQ(result.out.find("digest"), std::string::npos) << command << ": nothing may run\n" << result.out;
    }
    CommandResult directory = axl(run + "--json '" + m_dir.string() + "'");
    EXPECT_EQ(directory.exit_code, 2);
    EXPECT_NE(directory.err.find("--json " + m_dir.string() + ": cannot write it (Is a directory)"), std::string::npos)
        << directory.err;

    CommandResult bootfile = axl("bootfile '" + workload("pingpong.toml") + "' -o " + bad);
    EXPECT_EQ(bootfile.exit_code, 2) << bootfile.err;
    EXPECT_NE(bootfile.err.find("-o " + bad + ": cannot write it (No such file or directory)"), std::string::npos)
        << bootfile.err;

    ASSERT_EQ(axl(campaign + "--json '" + file("c.json") + "'").exit_code, 0);
    CommandResult merge = axl("campaign merge '" + file("c.json") + "' --json " + bad);
    EXPECT_EQ(merge.exit_code, 2) << merge.out << merge.err;
    EXPECT_NE(merge.err.find("--json " + bad + ": cannot write it"), std::string::npos) << merge.err;
}

TEST_F(AxlReports, ATruncatedTraceSaysSoOnStderr) {
    CommandResult cut = axl("run '" + workload("pingpong.toml") + "' --quiet --trace '" + file("t.json") +
                            "' --trace-limit 100");
    EXPECT_EQ(cut.exit_code, 0) << cut.out << cut.err;
    EXPECT_NE(cut.err.find("axl: warning: the trace is truncated: "), std::string::npos) << cut.err;
    EXPECT_NE(cut.err.find("events did not fit the per-CPU trace buffers"), std::string::npos) << cut.err;

    CommandResult whole = axl("run '" + workload("pingpong.toml") + "' --quiet --trace '" + file("t.json") + "'");
    EXPECT_EQ(whole.exit_code, 0);
    EXPECT_EQ(whole.err.find("truncated"), std::string::npos) << whole.err;

    CommandResult replay = axl("replay '" + m_scenario + "' --quiet --seed 3 --trace '" + file("r.json") +
                               "' --trace-limit 10");
    EXPECT_NE(replay.err.find("axl: warning: the trace is truncated: "), std::string::npos) << replay.err;
}

// run_scenario counts a run that `until` ends with the workload unfinished as
// a hang; its replay used to print "verdict: pass", since `until` excuses
// unfinished processes in the verdict.
TEST_F(AxlReports, ReplayingACampaignsHangFailsAsAHang) {
    ASSERT_EQ(axl("campaign '" + m_scenario + "' --quiet --runs 16 --json '" + file("c.json") + "'").exit_code, 0);
    const json summary = json::parse(read_file(file("c.json")));
    size_t hangs = 0;
    for (const json& failed : summary["failed_runs"]) {
        if (failed["class"] != "hang") continue;
        const std::string seed = std::to_string(failed["seed"].get<long>());
        CommandResult replay = axl("replay '" + m_scenario + "' --quiet --seed " + seed + " --json '" + file("r.json") +
                                   "' --expect-digest " + failed["digest"].get<std::string>());
        EXPECT_EQ(replay.exit_code, 1) << replay.out;
        EXPECT_NE(replay.out.find("\nverdict: FAIL (hang)\n  hang: the run reached until = 20ms with the workload "
                                  "unfinished (b)\n"),
                  std::string::npos)
            << replay.out;
        EXPECT_EQ(replay.out.find("digest mismatch"), std::string::npos) << "the same run:\n" << replay.out;
        const json verdict = json::parse(read_file(file("r.json")));
        EXPECT_EQ(verdict["passed"], false);
        EXPECT_EQ(verdict["class"], "hang");
        ++hangs;
    }
    EXPECT_GT(hangs, 0u) << summary.dump(2);
}

TEST_F(AxlReports, CampaignGroupsFailedRunsByClassAndReason) {
    CommandResult result = axl("campaign '" + m_scenario + "' --quiet --runs 16 --json '" + file("c.json") + "'");
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_NE(result.out.find("failures by class and reason (2 groups):\n"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find(" x hang: the run reached until = 20ms with the workload unfinished (b)\n          seeds "),
              std::string::npos)
        << result.out;
    EXPECT_NE(result.out.find(" x client_error: completes = true: process 'b' (fanin_client) was killed by a fault: "
                              "injected crash; expected to exit with status 0\n          seeds "),
              std::string::npos)
        << result.out;
    const json summary = json::parse(read_file(file("c.json")));
    ASSERT_EQ(summary["failure_groups"].size(), 2u) << summary.dump(2);
    uint64_t grouped = 0;
    for (const json& group : summary["failure_groups"]) {
        grouped += group["count"].get<uint64_t>();
        EXPECT_EQ(group["count"].get<uint64_t>(), summary["classes"][group["class"].get<std::string>()].get<uint64_t>());
        EXPECT_LE(group["first_seeds"].size(), 5u);
        EXPECT_TRUE(std::is_sorted(group["first_seeds"].begin(), group["first_seeds"].end()));
    }
    EXPECT_EQ(grouped, summary["failed_runs"].size());
}

TEST_F(AxlReports, FailOnMakesACampaignExitOne) {
    CommandResult hang = axl("campaign '" + m_scenario + "' --quiet --runs 16 --fail-on hang");
    EXPECT_EQ(hang.exit_code, 1) << hang.out << hang.err;
    EXPECT_NE(hang.err.find("axl campaign: --fail-on hang: "), std::string::npos) << hang.err;
    EXPECT_NE(hang.err.find(" runs ended as hang"), std::string::npos) << hang.err;

    CommandResult both = axl("campaign '" + m_scenario + "' --quiet --runs 16 --fail-on hang,client_error --json '" +
                             file("c.json") + "'");
    EXPECT_EQ(both.exit_code, 1);
    EXPECT_NE(both.err.find("--fail-on client_error: "), std::string::npos) << both.err;

    // Classes no run ended as fail nothing; neither does a campaign without --fail-on.
    EXPECT_EQ(axl("campaign '" + m_scenario + "' --quiet --runs 16 --fail-on unmet_expectation,kernel_panic").exit_code, 0);
    EXPECT_EQ(axl("campaign '" + m_scenario + "' --quiet --runs 16").exit_code, 0);
    EXPECT_EQ(axl("campaign merge '" + file("c.json") + "' --fail-on hang").exit_code, 1);
    EXPECT_EQ(axl("campaign merge '" + file("c.json") + "'").exit_code, 0);

    CommandResult typo = axl("campaign '" + m_scenario + "' --runs 2 --fail-on hangs");
    EXPECT_EQ(typo.exit_code, 2);
    EXPECT_NE(typo.err.find("'hangs' is not a class a run can fail as"), std::string::npos) << typo.err;
    EXPECT_EQ(axl("campaign '" + m_scenario + "' --runs 2 --fail-on survived").exit_code, 2);
}

TEST_F(AxlReports, CampaignPlotsItsDistributionsAsPngs) {
    const std::filesystem::path plots = m_dir / "plots";
    CommandResult result = axl("campaign '" + m_scenario + "' --quiet --runs 16 --plot '" + plots.string() + "'");
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_TRUE(std::filesystem::exists(plots / "campaign.json")) << "the JSON next to the plots";
    for (const char* name : {"detection_latency.png", "recovery_latency.png", "run_classes.png"}) {
        const std::string png = read_file(plots / name);
        ASSERT_GT(png.size(), 1000u) << name << "\n" << result.err;
        EXPECT_EQ(png.substr(1, 3), "PNG") << name;
    }
    CommandResult blocked = axl("campaign '" + m_scenario + "' --quiet --runs 2 --plot '" +
                                (plots / "campaign.json" / "x").string() + "'");
    EXPECT_EQ(blocked.exit_code, 2) << blocked.out;
    EXPECT_NE(blocked.err.find("--plot "), std::string::npos) << blocked.err;
}

}  // namespace
