// `axl campaign` as users meet it, through the built binary ($AXL_BIN_DIR/axl,
// set by CTest): a small campaign prints its summary and JSON; a failed run's
// replay command reproduces its digest; shards merge into exactly the
// unsharded totals, and --jobs changes nothing but the wall time; a worker
// that dies or stalls costs only its run, classified; bad [campaign] tables
// and command lines exit 2 with nothing run.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "tests/support/axl_command.h"
#include "tests/support/fanin_pair_system.h"

namespace {

using json = nlohmann::json;

using axl::test::CommandResult;
using axl::test::read_file;

using axl::test::fanin_system;



class AxlCampaign : public axl::test::AxlCommandTest {
protected:
    void SetUp() override {
        AxlCommandTest::SetUp();
        if (IsSkipped()) return;
        write("system.toml", fanin_system);
        m_scenario = write("campaign.toml", axl::test::fanin_campaign_scenario).string();
    }

    CommandResult campaign(const std::string& options, const std::string& environment = "") const {
        return axl("campaign '" + m_scenario + "' " + options, environment);
    }

    json json_of(const std::string& name) const { return json::parse(read_file(m_dir / name)); }

    std::string m_scenario;
};

// The number on the summary line starting with `label`, or -1.
long summary_count(const std::string& out, const std::string& label) {
    const size_t at = out.find("\n" + label + " ");
    if (at == std::string::npos) return -1;
    const size_t digits = out.find_first_of("0123456789", at + label.size() + 1);
    return std::stol(out.substr(digits));
}

TEST_F(AxlCampaign, SummarisesTheRunsAndWritesJson) {
    CommandResult result = campaign("--runs 16 --jobs 2 --json '" + file("all.json") + "'");
    EXPECT_EQ(result.exit_code, 0) << "failed runs are results, not errors:\n" << result.out << result.err;
    EXPECT_NE(result.out.find("axl campaign " + m_scenario +
                              ": scenario client b under fire, system fanin2, seeds 1..16, 16 runs, 2 jobs\n"
                              "fault space: 1 fault per run (crash, hang) into b, at times in [20us, 160us)\n"),
              std::string::npos)
        << result.out;
    EXPECT_EQ(summary_count(result.out, "runs"), 16);
    const long survived = summary_count(result.out, "survived");
    const long errors = summary_count(result.out, "client-visible errors");
    const long hangs = summary_count(result.out, "hangs");
    EXPECT_GT(survived, 0) << result.out;
    EXPECT_GT(errors, 0) << result.out;
    EXPECT_GT(hangs, 0) << result.out;
    EXPECT_EQ(survived + errors + hangs, 16) << result.out;
    EXPECT_EQ(summary_count(result.out, "simulator crashes"), 0);
    EXPECT_EQ(summary_count(result.out, "kernel panics"), 0);
    EXPECT_EQ(summary_count(result.out, "unmet expectations"), 0);
    EXPECT_NE(result.out.find("\ndetection latency     p50 0 ns, p99 0 ns ("), std::string::npos)
        << "a crash is detected at once, a hang of b never:\n" << result.out;
    EXPECT_NE(result.out.find("\nfaults per second     "), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("\nkind   drawn  injected  detected"), std::string::npos) << result.out;
    // With the axl the user ran, not whatever `axl` the PATH may hold.
    EXPECT_NE(result.out.find("each reproduced by its command:\n  " + m_axl.string() + " replay " + m_scenario +
                              " --seed "),
              std::string::npos)
        << result.out;
    EXPECT_NE(result.out.find("client_error: completes = true: process 'b' (fanin_client) was killed by a fault: "
                              "injected crash"),
              std::string::npos)
        << result.out;
    EXPECT_NE(result.out.find("hang: the run reached until = 20ms with the workload unfinished (b)"),
              std::string::npos)
        << result.out;
    EXPECT_NE(result.err.find("campaign: 16/16 runs (100.0%), "), std::string::npos) << "progress:\n" << result.err;

    const json summary = json_of("all.json");
    EXPECT_EQ(summary["format"], "axl-campaign/1");
    EXPECT_EQ(summary["runs"], 16);
    EXPECT_EQ(summary["classes"]["survived"], survived);
    EXPECT_EQ(summary["classes"]["simulator_crash"], 0);
    EXPECT_EQ(summary["faults_injected"].get<long>(), summary_count(result.out, "faults injected"));
    EXPECT_EQ(summary["kinds"]["crash"]["detection_latency_ns"]["p99"], 0);
    EXPECT_TRUE(summary["kinds"]["crash"]["detection_latency_ns"]["samples"].is_array());
    ASSERT_EQ(summary["failed_runs"].size(), static_cast<size_t>(errors + hangs));
    const json& failed = summary["failed_runs"][0];
    EXPECT_EQ(failed["replay"],
              m_axl.string() + " replay " + m_scenario + " --seed " + std::to_string(failed["seed"].get<long>()));
    EXPECT_EQ(failed["digest"].get<std::string>().size(), 16u);
    EXPECT_FALSE(failed["verdict"].empty());

    CommandResult quiet = campaign("--runs 2 --quiet");
    EXPECT_EQ(quiet.err, "") << "--quiet: no progress";
}

TEST_F(AxlCampaign, AFailedRunsReplayCommandReproducesItsDigest) {
    ASSERT_EQ(campaign("--runs 8 --quiet --json '" + file("c.json") + "'").exit_code, 0);
    const json summary = json_of("c.json");
    size_t replayed = 0;
    for (const json& failed : summary["failed_runs"]) {
        if (failed["class"] != "client_error") continue;
        std::string command = failed["replay"];
        ASSERT_EQ(command.rfind(m_axl.string() + " ", 0), 0u) << command;
        CommandResult replay = axl(command.substr(m_axl.string().size() + 1) + " --quiet --expect-digest " + failed["digest"].get<std::string>());
        EXPECT_EQ(replay.exit_code, 1) << "the verdict fails again, the digest matches:\n" << replay.out;
        EXPECT_NE(replay.out.find("seed " + std::to_string(failed["seed"].get<long>()) +
                                  ", until 20ms, 1 fault (1 drawn by [campaign])"),
                  std::string::npos)
            << replay.out;
        EXPECT_EQ(replay.out.find("digest mismatch"), std::string::npos) << replay.out;
        EXPECT_NE(replay.out.find(failed["verdict"][0].get<std::string>()), std::string::npos) << replay.out;
        ++replayed;
    }
    EXPECT_GT(replayed, 0u) << summary.dump(2);
}

TEST_F(AxlCampaign, ShardsMergeIntoTheUnshardedTotalsAndJobsChangeNothing) {
    ASSERT_EQ(campaign("--runs 12 --jobs 1 --quiet --json '" + file("whole.json") + "'").exit_code, 0);
    ASSERT_EQ(campaign("--runs 12 --jobs 2 --quiet --json '" + file("two_jobs.json") + "'").exit_code, 0);
    ASSERT_EQ(campaign("--runs 12 --quiet --shard 0/2 --json '" + file("s0.json") + "'").exit_code, 0);
    ASSERT_EQ(campaign("--runs 12 --quiet --shard 1/2 --json '" + file("s1.json") + "'").exit_code, 0);
    EXPECT_EQ(json_of("s0.json")["runs"], 6);

    CommandResult merged = axl("campaign merge '" + file("s1.json") + "' '" + file("s0.json") + "' --json '" +
                               file("merged.json") + "'");
    ASSERT_EQ(merged.exit_code, 0) << merged.out << merged.err;
    EXPECT_NE(merged.out.find("axl campaign merge: scenario client b under fire, system fanin2, seeds 1..12 (12 "
                              "runs), shards 0, 1 of 2\n"),
              std::string::npos)
        << merged.out;

    const json whole = json_of("whole.json"), two_jobs = json_of("two_jobs.json"), combined = json_of("merged.json");
    for (const char* field : {"runs", "classes", "faults_drawn", "faults_injected", "detection_latency_ns",
                              "recovery_latency_ns", "kinds", "runs_digest", "failed_runs"}) {
        EXPECT_EQ(combined[field], whole[field]) << field;
        EXPECT_EQ(two_jobs[field], whole[field]) << field;
    }
    EXPECT_EQ(combined["shard"]["indices"], json::array({0, 1}));

    // Shards of other campaigns, or one twice, do not merge.
    ASSERT_EQ(campaign("--runs 10 --quiet --shard 1/2 --json '" + file("other.json") + "'").exit_code, 0);
    CommandResult mismatched = axl("campaign merge '" + file("s0.json") + "' '" + file("other.json") + "'");
    EXPECT_EQ(mismatched.exit_code, 2);
    EXPECT_NE(mismatched.err.find("not a shard of the same campaign"), std::string::npos) << mismatched.err;
    CommandResult twice = axl("campaign merge '" + file("s0.json") + "' '" + file("s0.json") + "'");
    EXPECT_EQ(twice.exit_code, 2);
    EXPECT_NE(twice.err.find("shard 0/2 is in the merge twice"), std::string::npos) << twice.err;
    CommandResult not_campaign = axl("campaign merge '" + write("x.json", "{\"runs\": 3}").string() + "'");
    EXPECT_EQ(not_campaign.exit_code, 2);
    EXPECT_NE(not_campaign.err.find("not the JSON of an axl campaign"), std::string::npos) << not_campaign.err;
}

TEST_F(AxlCampaign, AWorkerThatDiesOrStallsCostsOnlyItsRun) {
    CommandResult aborted = campaign("--runs 6 --jobs 2 --quiet --json '" + file("abort.json") + "'",
                                     "AXL_CAMPAIGN_TEST_FAILURE=abort@3");
    EXPECT_EQ(aborted.exit_code, 1) << "a simulator crash fails the campaign:\n" << aborted.out << aborted.err;
    EXPECT_EQ(summary_count(aborted.out, "runs"), 6) << "the other runs went on:\n" << aborted.out;
    EXPECT_EQ(summary_count(aborted.out, "simulator crashes"), 1);
    EXPECT_NE(aborted.out.find("  " + m_axl.string() + " replay " + m_scenario + " --seed 3\n    simulator_crash: the worker died: "
                               "signal 6 ("),
              std::string::npos)
        << aborted.out;
    const json crash = json_of("abort.json")["failed_runs"];
    bool found = false;
    for (const json& run : crash)
        if (run["seed"] == 3) found = run["class"] == "simulator_crash" && run["digest"].is_null();
    EXPECT_TRUE(found) << crash.dump(2);

    CommandResult panicked = campaign("--runs 6 --jobs 2 --quiet", "AXL_CAMPAIGN_TEST_FAILURE=panic@5");
    EXPECT_EQ(panicked.exit_code, 1);
    EXPECT_EQ(summary_count(panicked.out, "kernel panics"), 1) << panicked.out;
    EXPECT_EQ(summary_count(panicked.out, "simulator crashes"), 0) << panicked.out;
    EXPECT_NE(panicked.out.find("--seed 5\n    kernel_panic: axolotl kernel panic: "), std::string::npos)
        << panicked.out;

    CommandResult stalled =
        campaign("--runs 4 --jobs 2 --quiet --run-timeout 0.5", "AXL_CAMPAIGN_TEST_FAILURE=stall@2");
    EXPECT_EQ(stalled.exit_code, 0) << "a hang is a result:\n" << stalled.out << stalled.err;
    EXPECT_EQ(summary_count(stalled.out, "runs"), 4);
    EXPECT_NE(stalled.out.find("--seed 2\n    hang: no result after 0.5 s of wall time: the watchdog killed its "
                               "worker"),
              std::string::npos)
        << stalled.out;
}

TEST_F(AxlCampaign, BadCampaignTablesExitTwoWithFileAndLine) {
    struct Case {
        const char* name;
        std::string campaign;
        std::string expected;  // after the scenario's path
    };
    const std::string header = "[scenario]\nsystem = \"system.toml\"\nuntil = \"20ms\"\n[campaign]\n";
    const Case cases[] = {
        {"kind.toml", "kinds = [\"crash\", \"explode\"]\ntargets = [\"b\"]\nwindow = [\"1us\", \"2us\"]\n",
         ":5: unknown fault kind 'explode'"},
        {"target.toml", "kinds = [\"crash\"]\ntargets = [\"c\"]\nwindow = [\"1us\", \"2us\"]\n",
         ":6: target 'c' is neither a process nor a [[device]] of system 'fanin2'"},
        {"device.toml", "kinds = [\"crash\", \"irq_lose\"]\ntargets = [\"b\"]\nwindow = [\"1us\", \"2us\"]\n",
         ":5: kind irq_lose strikes a device, and targets (line 6) names no [[device]]"},
        {"window.toml", "kinds = [\"crash\"]\ntargets = [\"b\"]\nwindow = [\"1ms\", \"30ms\"]\n",
         ":7: window ends at 30ms, after the run stops (until = 20ms)"},
        {"key.toml", "kinds = [\"crash\"]\ntargets = [\"b\"]\nwindow = [\"1us\", \"2us\"]\nfault_per_run = 3\n",
         ":8: unknown key 'fault_per_run' in [campaign]; did you mean 'faults_per_run'?"},
    };
    for (const Case& bad : cases) {
        const std::string path = write(bad.name, header + bad.campaign);
        CommandResult result = axl("campaign '" + path + "' --runs 3");
        EXPECT_EQ(result.exit_code, 2) << bad.name;
        EXPECT_NE(result.err.find(path + bad.expected), std::string::npos) << bad.name << ": " << result.err;
        EXPECT_EQ(result.out, "") << "nothing may run: " << result.out;
        // replay reads the same file the same way.
        EXPECT_EQ(axl("replay '" + path + "'").exit_code, 2) << bad.name;
    }
}

TEST_F(AxlCampaign, CommandLineMistakesExitTwo) {
    EXPECT_EQ(axl("campaign").exit_code, 2);                            // no scenario
    EXPECT_EQ(campaign("").exit_code, 2);                               // no --runs
    EXPECT_EQ(campaign("--runs 0").exit_code, 2);
    EXPECT_EQ(campaign("--runs 3 --jobs 0").exit_code, 2);
    EXPECT_EQ(campaign("--runs 3 --shard 2/2").exit_code, 2);
    EXPECT_EQ(campaign("--runs 3 --shard 1").exit_code, 2);
    EXPECT_EQ(campaign("--runs 3 --seed-base -1").exit_code, 2);
    EXPECT_EQ(campaign("--runs 3 --run-timeout 0").exit_code, 2);
    EXPECT_EQ(axl("campaign merge").exit_code, 2);                      // nothing to merge
    EXPECT_EQ(axl("campaign merge '" + file("absent.json") + "'").exit_code, 2);

    // --seed-base moves the whole campaign.
    CommandResult moved = campaign("--runs 2 --seed-base 0x10 --quiet");
    EXPECT_EQ(moved.exit_code, 0) << moved.err;
    EXPECT_NE(moved.out.find("seeds 16..17, 2 runs"), std::string::npos) << moved.out;
}

}  // namespace
