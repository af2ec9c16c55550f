// Campaigns (sim/harness/campaign.h): the faults of a run are a pure function of its
// seed and the fault space, stay inside it (kinds, targets of the right type,
// the window, one per slice), and differ between seeds; [campaign] tables are
// read into that space or refused with "path:line: problem"; and a run of a
// campaign is the same run whether it is the first in its process or comes
// after others (a campaign's workers run many, `axl replay` one).
#include "sim/harness/campaign.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sim/harness/scenario.h"
#include "sim/harness/scenario_run.h"
#include "tests/support/fanin_pair_system.h"
#include "sim/port/simulator.h"
#include "tests/support/temp_dir.h"

namespace axl::sim {
namespace {

CampaignSpace storage_space() {
    CampaignSpace space;
    space.kinds = {FaultSpec::Kind::crash, FaultSpec::Kind::hang, FaultSpec::Kind::irq_lose,
                   FaultSpec::Kind::dma_corrupt};
    space.process_targets = {"block", "storage"};
    space.device_targets = {"disk0"};
    space.window_begin_ns = 1'000'000;
    space.window_end_ns = 41'000'000;
    space.faults_per_run = 20;
    space.line = 7;
    return space;
}

bool same(const FaultSpec& a, const FaultSpec& b) {
    return a.kind == b.kind && a.target == b.target && a.at_ns == b.at_ns && a.after_calls == b.after_calls &&
           a.line == b.line;
}

bool same(const std::vector<FaultSpec>& a, const std::vector<FaultSpec>& b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](const FaultSpec& x, const FaultSpec& y) {
               return same(x, y);
           });
}

TEST(DrawFaults, SameSeedSameFaults) {
    const CampaignSpace space = storage_space();
    for (uint64_t seed : {0ull, 1ull, 42ull, ~0ull}) EXPECT_TRUE(same(draw_faults(space, seed), draw_faults(space, seed)));
}

TEST(DrawFaults, AnotherSeedOtherFaults) {
    const CampaignSpace space = storage_space();
    std::set<std::string> draws;
    for (uint64_t seed = 1; seed <= 50; ++seed) {
        std::string key;
        for (const FaultSpec& fault : draw_faults(space, seed))
            key += std::to_string(static_cast<int>(fault.kind)) + fault.target + std::to_string(fault.at_ns) + ";";
        draws.insert(key);
    }
    EXPECT_EQ(draws.size(), 50u);
}

// Pinned values: a change to the generator changes every campaign's runs, and
// old `axl replay --seed S` commands would no longer repeat what they reported.
TEST(DrawFaults, TheDrawIsPinnedDown) {
    CampaignSpace space = storage_space();
    space.faults_per_run = 3;
    const std::vector<FaultSpec> faults = draw_faults(space, 1);
    ASSERT_EQ(faults.size(), 3u);
    std::string drawn;
    for (const FaultSpec& fault : faults) drawn += describe_fault(fault) + "; ";
    EXPECT_EQ(drawn, "hang of 'storage' at 1109186ns; hang of 'storage' at 23634519ns; "
                     "crash of 'storage' at 28775749ns; ");
}

TEST(DrawFaults, StaysInsideTheSpaceOneFaultPerSliceOfTheWindow) {
    const CampaignSpace space = storage_space();
    std::set<FaultSpec::Kind> kinds_seen;
    std::set<std::string> targets_seen;
    for (uint64_t seed = 0; seed < 200; ++seed) {
        const std::vector<FaultSpec> faults = draw_faults(space, seed);
        ASSERT_EQ(faults.size(), space.faults_per_run);
        const uint64_t slice = (space.window_end_ns - space.window_begin_ns) / space.faults_per_run;
        for (size_t i = 0; i < faults.size(); ++i) {
            const FaultSpec& fault = faults[i];
            EXPECT_NE(std::find(space.kinds.begin(), space.kinds.end(), fault.kind), space.kinds.end());
            const std::vector<std::string>& targets =
                FaultSpec::targets_device(fault.kind) ? space.device_targets : space.process_targets;
            EXPECT_NE(std::find(targets.begin(), targets.end(), fault.target), targets.end())
                << to_string(fault.kind) << " of " << fault.target;
            // Sorted by time, and the i-th in the i-th slice: spread, never bunched.
            EXPECT_GE(fault.at_ns, space.window_begin_ns + i * slice);
            EXPECT_LT(fault.at_ns, space.window_begin_ns + (i + 1) * slice);
            EXPECT_EQ(fault.after_calls, 0u);
            EXPECT_EQ(fault.line, space.line);
            kinds_seen.insert(fault.kind);
            targets_seen.insert(fault.target);
        }
    }
    EXPECT_EQ(kinds_seen.size(), space.kinds.size());
    EXPECT_EQ(targets_seen.size(), 3u);
}

TEST(DrawFaults, MoreFaultsThanNanosecondsAndLongWindows) {
    CampaignSpace space = storage_space();
    space.window_begin_ns = 10;
    space.window_end_ns = 13;  // 3 ns for 20 faults: some slices are empty, every fault still lands inside
    for (const FaultSpec& fault : draw_faults(space, 5)) {
        EXPECT_GE(fault.at_ns, 10u);
        EXPECT_LT(fault.at_ns, 13u);
    }
    space.window_begin_ns = 0;
    space.window_end_ns = ~uint64_t{0};  // no overflow in the slicing
    const std::vector<FaultSpec> faults = draw_faults(space, 5);
    ASSERT_EQ(faults.size(), 20u);
    EXPECT_TRUE(std::is_sorted(faults.begin(), faults.end(),
                               [](const FaultSpec& a, const FaultSpec& b) { return a.at_ns < b.at_ns; }));
    EXPECT_GE(faults.back().at_ns, ~uint64_t{0} / 20 * 19);
}

TEST(DrawFaults, AKindWithoutATargetOfItsTypeDrawsNothingForItsSlice) {
    CampaignSpace space = storage_space();
    space.device_targets.clear();  // loading refuses this; draw_faults just skips
    for (const FaultSpec& fault : draw_faults(space, 3)) EXPECT_FALSE(FaultSpec::targets_device(fault.kind));
}

// ---- [campaign] tables --------------------------------------------------------------

// Two clients of one server (workloads/fanin.cc) and a disk with its driver
// under the reincarnation server: process and device targets.
const std::string campaign_system = std::string(R"([system]
name = "campaign_sys"
seed = 1
until = "50ms"
[[device]]
name = "disk0"
kind = "block"
driver = "block"
scratch = "64KiB"
[[process]]
name = "rs"
program = "rs"
expect = "serve"
[[process]]
name = "block"
program = "block_driver"
primitives = ["receive", "sendnb"]
kernel_calls = ["grant", "safecopy", "log"]
expect = "serve"
[process.restart]
heartbeat = "1ms"
)") + test::fanin_pair_processes;

class CampaignTables : public ::testing::Test {
protected:
    void SetUp() override { std::ofstream(m_dir.file("system.toml")) << campaign_system; }

    std::string path() const { return m_dir.file("campaign.toml"); }

    Scenario parse(const std::string& campaign, const std::string& rest = "") const {
        return parse_scenario("[scenario]\nsystem = \"system.toml\"\n" + rest + "[campaign]\n" + campaign, path());
    }

    ::testing::AssertionResult refused(const std::string& campaign, uint32_t line, const std::string& fragment,
                                       const std::string& rest = "") const {
        try {
            parse(campaign, rest);
        } catch (const DescriptionError& error) {
            const std::string message = error.what();
            const std::string prefix = path() + ":" + std::to_string(line) + ": ";
            if (message.rfind(prefix, 0) != 0)
                return ::testing::AssertionFailure() << "expected prefix '" << prefix << "', got: " << message;
            if (message.find(fragment) == std::string::npos)
                return ::testing::AssertionFailure() << "expected '" << fragment << "' in: " << message;
            return ::testing::AssertionSuccess();
        }
        return ::testing::AssertionFailure() << "the scenario was accepted";
    }

    test::TempDir m_dir;
};

TEST_F(CampaignTables, ReadIntoTheFaultSpace) {
    const Scenario scenario = parse(R"(kinds = ["crash", "hang", "irq_lose"]
targets = ["b", "disk0", "block"]
window = ["1ms", 40000000]
faults_per_run = 12
)");
    ASSERT_TRUE(scenario.campaign.has_value());
    const CampaignSpace& space = *scenario.campaign;
    EXPECT_EQ(space.kinds, (std::vector<FaultSpec::Kind>{FaultSpec::Kind::crash, FaultSpec::Kind::hang,
                                                         FaultSpec::Kind::irq_lose}));
    EXPECT_EQ(space.process_targets, (std::vector<std::string>{"b", "block"}));
    EXPECT_EQ(space.device_targets, (std::vector<std::string>{"disk0"}));
    EXPECT_EQ(space.window_begin_ns, 1'000'000u);
    EXPECT_EQ(space.window_end_ns, 40'000'000u);
    EXPECT_EQ(space.faults_per_run, 12u);
    EXPECT_EQ(space.line, 3u);
    EXPECT_TRUE(scenario.faults.empty());  // drawn per run, not at loading
    EXPECT_EQ(scenario.drawn_faults, 0u);

    EXPECT_EQ(parse("kinds = [\"crash\"]\ntargets = [\"a\"]\nwindow = [0, \"1ms\"]\n").campaign->faults_per_run, 1u);
}

TEST_F(CampaignTables, RefusedWithTheLineOfTheProblem) {
    const std::string ok_targets = "targets = [\"b\", \"disk0\"]\n";
    const std::string ok_window = "window = [\"1ms\", \"40ms\"]\n";
    EXPECT_TRUE(refused("kinds = [\"crash\"]\n" + ok_targets + ok_window + "faults = 3\n", 7,
                        "unknown key 'faults' in [campaign]"));
    EXPECT_TRUE(refused(ok_targets + ok_window, 3, "[campaign] has no kinds"));
    EXPECT_TRUE(refused("kinds = []\n" + ok_targets + ok_window, 4, "kinds must not be empty"));
    EXPECT_TRUE(refused("kinds = \"crash\"\n" + ok_targets + ok_window, 4, "kinds must be an array of strings"));
    EXPECT_TRUE(refused("kinds = [\"crash\",\n  \"melt\"]\n" + ok_targets + ok_window, 5,
                        "unknown fault kind 'melt' (known kinds: crash, "));
    EXPECT_TRUE(refused("kinds = [\"crash\", \"crash\"]\n" + ok_targets + ok_window, 4,
                        "kind crash is listed twice (first on line 4)"));
    EXPECT_TRUE(refused("kinds = [\"crash\"]\n" + ok_window, 3, "[campaign] has no targets"));
    EXPECT_TRUE(refused("kinds = [\"crash\"]\ntargets = [\"bb\"]\n" + ok_window, 5,
                        "target 'bb' is neither a process nor a [[device]] of system 'campaign_sys' (" +
                            m_dir.file("system.toml") + "); did you mean 'b'?"));
    EXPECT_TRUE(refused("kinds = [\"crash\"]\ntargets = [\"b\", \"b\"]\n" + ok_window, 5,
                        "target 'b' is listed twice"));
    // Each kind needs a target of its type, and each target a kind that strikes it.
    EXPECT_TRUE(refused("kinds = [\"crash\", \"irq_lose\"]\ntargets = [\"b\"]\n" + ok_window, 4,
                        "kind irq_lose strikes a device, and targets (line 5) names no [[device]] of system "
                        "'campaign_sys'"));
    EXPECT_TRUE(refused("kinds = [\"crash\"]\ntargets = [\"b\", \"disk0\"]\n" + ok_window, 5,
                        "target 'disk0' is a device, and no kind in kinds (line 4) strikes devices"));
    // The window.
    EXPECT_TRUE(refused("kinds = [\"crash\"]\ntargets = [\"b\"]\n", 3,
                        "[campaign] has no window"));
    EXPECT_TRUE(refused("kinds = [\"crash\"]\ntargets = [\"b\"]\nwindow = [\"1ms\"]\n", 6,
                        "window must be an array of two durations"));
    EXPECT_TRUE(refused("kinds = [\"crash\"]\ntargets = [\"b\"]\nwindow = [\"2ms\", \"1ms\"]\n", 6,
                        "window = [2ms, 1ms] ends before it starts"));
    EXPECT_TRUE(refused("kinds = [\"crash\"]\ntargets = [\"b\"]\nwindow = [\"1ms\", \"3 parsecs\"]\n", 6,
                        "window end: "));
    EXPECT_TRUE(refused("kinds = [\"crash\"]\ntargets = [\"b\"]\nwindow = [\"1ms\", \"60ms\"]\n", 6,
                        "window ends at 60ms, after the run stops (until = 50ms)"));
    EXPECT_TRUE(refused("kinds = [\"crash\"]\ntargets = [\"b\"]\n" + ok_window + "faults_per_run = 0\n", 7,
                        "faults_per_run = 0 is out of range 1..1000000"));
}

TEST_F(CampaignTables, NeedARunBound) {
    std::ofstream(m_dir.file("unbounded.toml")) << std::string(campaign_system).replace(
        std::string(campaign_system).find("until = \"50ms\"\n"), 15, "");
    try {
        parse_scenario("[scenario]\nsystem = \"unbounded.toml\"\n[campaign]\nkinds = [\"crash\"]\ntargets = "
                       "[\"b\"]\nwindow = [\"1ms\", \"2ms\"]\n",
                       path());
        FAIL() << "accepted";
    } catch (const DescriptionError& error) {
        EXPECT_NE(std::string(error.what()).find(path() + ":3: [campaign] needs a bound on each run"),
                  std::string::npos)
            << error.what();
    }
}

TEST_F(CampaignTables, RecoveryBoundsHoldForEveryProcessTheCampaignMayStrike) {
    // 'b' has no restart policy: a bound on its recovery could never be met.
    EXPECT_TRUE(refused("kinds = [\"crash\"]\ntargets = [\"block\", \"b\"]\nwindow = [\"1ms\", \"2ms\"]\n[expect]\n"
                        "recovery_within = \"1ms\"\n",
                        8,
                        "recovery_within cannot be checked for the faults [campaign] (line 3) draws: 'b' has no "
                        "[process.restart] table"));
    // Device faults alone are not held to it.
    EXPECT_TRUE(refused("kinds = [\"irq_lose\"]\ntargets = [\"disk0\"]\nwindow = [\"1ms\", \"2ms\"]\n[expect]\n"
                        "recovery_within = \"1ms\"\n",
                        8, "the scenario injects no faults into processes"));
    EXPECT_NO_THROW(parse("kinds = [\"crash\", \"irq_lose\"]\ntargets = [\"block\", \"disk0\"]\nwindow = [\"1ms\", "
                          "\"2ms\"]\n[expect]\nrecovery_within = \"1ms\"\n"));
}

// ---- runs of a campaign -------------------------------------------------------------------

TEST_F(CampaignTables, ARunHasTheSeedAndTheDrawnFaultsAfterTheScenariosOwn) {
    const Scenario scenario = parse("kinds = [\"crash\"]\ntargets = [\"a\", \"b\"]\nwindow = [\"10us\", \"2ms\"]\n"
                                    "faults_per_run = 4\n",
                                    "[[fault]]\nkind = \"hang\"\ntarget = \"block\"\nat = \"1ms\"\n");
    ASSERT_EQ(scenario.faults.size(), 1u);
    const Scenario run = campaign_run(scenario, 77);
    EXPECT_EQ(run.system.seed, 77u);
    ASSERT_EQ(run.faults.size(), 5u);
    EXPECT_EQ(run.drawn_faults, 4u);
    EXPECT_EQ(run.faults[0].kind, FaultSpec::Kind::hang);  // the [[fault]] first
    EXPECT_TRUE(same(std::vector<FaultSpec>(run.faults.begin() + 1, run.faults.end()),
                     draw_faults(*scenario.campaign, 77)));
    // A run of a run draws afresh instead of piling up.
    const Scenario again = campaign_run(run, 78);
    EXPECT_EQ(again.faults.size(), 5u);
    EXPECT_TRUE(same(std::vector<FaultSpec>(again.faults.begin() + 1, again.faults.end()),
                     draw_faults(*scenario.campaign, 78)));
    // What `axl replay --seed 77` loads: the seed through the overrides.
    const Scenario replayed = parse_scenario(
        "[scenario]\nsystem = \"system.toml\"\n[[fault]]\nkind = \"hang\"\ntarget = \"block\"\nat = \"1ms\"\n"
        "[campaign]\nkinds = [\"crash\"]\ntargets = [\"a\", \"b\"]\nwindow = [\"10us\", \"2ms\"]\nfaults_per_run = 4\n",
        path(), {.seed = 77});
    const Scenario replay_run = campaign_run(replayed, replayed.system.seed);
    EXPECT_EQ(replay_run.system.seed, run.system.seed);
    EXPECT_TRUE(same(replay_run.faults, run.faults));
}

RunReport run_quietly(const Scenario& scenario) {
    RunOptions quiet;
    quiet.echo_console = false;
    return run_scenario(scenario, quiet).report;
}

TEST_F(CampaignTables, DrawnFaultsThatFindNothingToStrikeDoNotFailTheRun) {
    // Crashes of 'a' late in the window: after the first, 'a' is dead (nothing
    // restarts it), so the others cannot be injected.
    const Scenario scenario = parse("kinds = [\"crash\"]\ntargets = [\"a\"]\nwindow = [\"10us\", \"200us\"]\n"
                                    "faults_per_run = 3\n[expect]\ncompletes = false\n");
    const Scenario run = campaign_run(scenario, 1);
    const RunReport report = run_quietly(run);
    const ScenarioVerdict verdict = judge(run, report);
    ASSERT_EQ(verdict.faults.size(), 3u);
    EXPECT_TRUE(verdict.faults[0].injected);
    EXPECT_FALSE(verdict.faults[1].injected);
    EXPECT_FALSE(verdict.faults[2].injected);
    EXPECT_TRUE(verdict.passed) << ::testing::PrintToString(verdict.failures);

    // The same faults written as [[fault]]s: each one not injected fails the verdict.
    Scenario written = run;
    written.drawn_faults = 0;
    EXPECT_EQ(judge(written, report).failures.size(), 2u);
}

// A campaign's worker runs many runs in one process, back to back; `axl
// replay` runs one in a fresh process. Both must give the same run.
TEST_F(CampaignTables, ARunIsTheSameAfterOtherRunsInTheSameProcess) {
    const Scenario scenario = parse("kinds = [\"crash\", \"hang\", \"bad_pointer\", \"irq_lose\"]\n"
                                    "targets = [\"block\", \"disk0\"]\nwindow = [\"10us\", \"3ms\"]\n"
                                    "faults_per_run = 6\n",
                                    "until = \"5ms\"\n");
    const uint64_t first = run_quietly(campaign_run(scenario, 5)).digest;
    std::set<uint64_t> others;
    for (uint64_t seed = 1; seed <= 4; ++seed) others.insert(run_quietly(campaign_run(scenario, seed)).digest);
    EXPECT_EQ(run_quietly(campaign_run(scenario, 5)).digest, first);
    EXPECT_EQ(others.count(first), 0u);
    EXPECT_EQ(others.size(), 4u);
}

// ---- crediting deaths to faults ----------------------------------------------------------

FaultVerdict injected(FaultSpec::Kind kind, const char* target, uint64_t at_ns, std::optional<uint64_t> died_ns,
                      std::optional<uint64_t> restarted_ns) {
    return FaultVerdict{.spec = FaultSpec{.kind = kind, .target = target, .at_ns = at_ns},
                        .injected = true,
                        .injected_ns = at_ns,
                        .detected_ns = died_ns,
                        .recovered_ns = restarted_ns};
}

TEST(CreditDeaths, EachDeathGoesToTheLastFaultInjectedIntoItsProcessBeforeIt) {
    Scenario scenario;
    ScenarioVerdict verdict;
    // Two faults into 'block' before its one death at 300 ns: the later one is credited.
    verdict.faults.push_back(injected(FaultSpec::Kind::corrupt_message, "block", 100, 300, 400));
    verdict.faults.push_back(injected(FaultSpec::Kind::crash, "block", 200, 300, 400));
    // Another process's death is its own fault's.
    verdict.faults.push_back(injected(FaultSpec::Kind::hang, "a", 150, 350, std::nullopt));
    // A fault that found nothing to strike.
    verdict.faults.push_back(FaultVerdict{.spec = FaultSpec{.kind = FaultSpec::Kind::crash, .target = "b"}});

    const std::vector<CreditedFault> faults = credit_deaths(scenario, verdict);
    ASSERT_EQ(faults.size(), 4u);
    EXPECT_EQ(faults[0].kind, FaultSpec::Kind::corrupt_message);
    EXPECT_TRUE(faults[0].injected);
    EXPECT_FALSE(faults[0].detection_ns.has_value());
    EXPECT_FALSE(faults[0].recovery_ns.has_value());
    EXPECT_EQ(faults[1].detection_ns, 100u);
    EXPECT_EQ(faults[1].recovery_ns, 200u);
    EXPECT_EQ(faults[2].detection_ns, 200u);
    EXPECT_FALSE(faults[2].recovery_ns.has_value());
    EXPECT_FALSE(faults[3].injected);
    EXPECT_FALSE(faults[3].detection_ns.has_value());
}

TEST(CreditDeaths, AFaultAfterTheDeathDoesNotTakeItsCredit) {
    Scenario scenario;
    ScenarioVerdict verdict;
    verdict.faults.push_back(injected(FaultSpec::Kind::crash, "block", 100, 100, 180));
    verdict.faults.push_back(injected(FaultSpec::Kind::crash, "block", 200, 200, 290));
    const std::vector<CreditedFault> faults = credit_deaths(scenario, verdict);
    ASSERT_EQ(faults.size(), 2u);
    EXPECT_EQ(faults[0].detection_ns, 0u);
    EXPECT_EQ(faults[0].recovery_ns, 80u);
    EXPECT_EQ(faults[1].detection_ns, 0u);
    EXPECT_EQ(faults[1].recovery_ns, 90u);
}

}  // namespace
}  // namespace axl::sim
