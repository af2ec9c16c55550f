// Scenario files: the documented example reads into exactly the expected
// struct, overrides stack up (command line over scenario over system), every
// mistake is refused with "path:line: problem" at the right line, and judge()
// turns a run into a verdict with each fault's detection and recovery times.
#include "sim/harness/scenario.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "sim/harness/scenario_run.h"
#include "sim/port/program_registry.h"
#include "sim/port/simulator.h"
#include "tests/support/fanin_pair_system.h"
#include "tests/support/temp_dir.h"

namespace axl::sim {
namespace {

// The two clients of one server of tests/support/fanin_pair_system.h, and
// replicas of a server that nobody calls, for faults that name a replica.
const std::string fanin_system = std::string(test::fanin_system) + R"([[process]]
name = "worker"
replicas = 2
program = "fanin_server"
primitives = ["receive", "reply_receive"]
expect = "serve"
)";

class ScenarioFiles : public ::testing::Test {
protected:
    void SetUp() override { write("system.toml", fanin_system); }

    std::string write(const std::string& name, const std::string& text) const {
        std::ofstream(m_dir.file(name)) << text;
        return m_dir.file(name);
    }

    std::string scenario_path() const { return m_dir.file("scenario.toml"); }
    std::string system_path() const { return m_dir.file("system.toml"); }

    Scenario parse(const std::string& text, const ScenarioOverrides& overrides = {}) const {
        return parse_scenario(text, scenario_path(), overrides);
    }

    // The parser refused with "<scenario path>:<line>: ...<fragment>...".
    ::testing::AssertionResult refused(const std::string& text, uint32_t line, const std::string& fragment) const {
        return refused_in(text, scenario_path(), line, fragment);
    }

    ::testing::AssertionResult refused_in(const std::string& text, const std::string& file, uint32_t line,
                                          const std::string& fragment) const {
        try {
            parse(text);
        } catch (const DescriptionError& error) {
            const std::string message = error.what();
            const std::string prefix = file + ":" + std::to_string(line) + ": ";
            if (message.rfind(prefix, 0) != 0)
                return ::testing::AssertionFailure() << "expected prefix '" << prefix << "', got: " << message;
            if (message.find(fragment) == std::string::npos)
                return ::testing::AssertionFailure() << "expected '" << fragment << "' in: " << message;
            return ::testing::AssertionSuccess();
        }
        return ::testing::AssertionFailure() << "the scenario was accepted";
    }

    // A scenario of the fanin system: [scenario] then `rest`.
    static std::string scenario(const std::string& rest, const std::string& header_keys = "") {
        return "[scenario]\nsystem = \"system.toml\"\n" + header_keys + rest;
    }

    static bool has_reincarnation_server() { return find_program("rs") != nullptr; }

    // A system with the reincarnation server managing `server` (heartbeat-less)
    // and `a` (with a heartbeat); `b` is not managed.
    std::string write_system_with_rs() const {
        return write("system_rs.toml", R"([system]
[[process]]
name = "rs"
program = "rs"
expect = "serve"
[[process]]
name = "server"
program = "fanin_server"
primitives = ["receive", "reply_receive"]
destinations = ["a", "b"]
expect = "serve"
[process.restart]
limit = 3
[[process]]
name = "a"
program = "fanin_client"
destinations = ["server"]
[process.restart]
heartbeat = "1ms"
[[process]]
name = "b"
program = "fanin_client"
destinations = ["server"]
)");
    }

    test::TempDir m_dir;
};

// ---- what a valid file means ------------------------------------------------------

TEST_F(ScenarioFiles, ExampleReadsIntoEveryField) {
    const Scenario loaded = parse(R"([scenario]
name = "client crash"
system = "system.toml"
seed = 7
ipc = "ring"
until = "2ms"

[[fault]]
kind = "crash"
target = "b"
at = "20us"

[[fault]]
kind = "hang"
target = "a"
after_calls = 50

[[fault]]
kind = "bad_pointer"
target = "worker.1"
at = 0

[expect]
completes = false
)");
    EXPECT_EQ(loaded.path, scenario_path());
    EXPECT_EQ(loaded.name, "client crash");
    EXPECT_EQ(loaded.system_path, system_path());
    EXPECT_EQ(loaded.system.name, "fanin2");
    EXPECT_EQ(loaded.system.seed, 7u);
    EXPECT_EQ(loaded.system.ipc, IpcStrategyKind::ring);
    ASSERT_TRUE(loaded.system.until_ns.has_value());
    EXPECT_EQ(*loaded.system.until_ns, 2'000'000u);

    ASSERT_EQ(loaded.faults.size(), 3u);
    EXPECT_EQ(loaded.faults[0].kind, FaultSpec::Kind::crash);
    EXPECT_EQ(loaded.faults[0].target, "b");
    EXPECT_EQ(loaded.faults[0].at_ns, 20'000u);
    EXPECT_EQ(loaded.faults[0].after_calls, 0u);
    EXPECT_EQ(loaded.faults[0].line, 8u);
    EXPECT_EQ(loaded.faults[1].kind, FaultSpec::Kind::hang);
    EXPECT_EQ(loaded.faults[1].target, "a");
    EXPECT_EQ(loaded.faults[1].after_calls, 50u);
    EXPECT_EQ(loaded.faults[1].line, 13u);
    EXPECT_EQ(loaded.faults[2].kind, FaultSpec::Kind::bad_pointer);
    EXPECT_EQ(loaded.faults[2].target, "worker.1");
    EXPECT_EQ(loaded.faults[2].at_ns, 0u);

    EXPECT_FALSE(loaded.expect.completes);
    EXPECT_EQ(loaded.expect.completes_line, 24u);
    EXPECT_FALSE(loaded.expect.recovery_within_ns.has_value());
    EXPECT_FALSE(loaded.expect.may_restart.has_value());
    EXPECT_FALSE(loaded.expect.restarts_max.has_value());

    const RunOptions options = scenario_run_options(loaded);
    ASSERT_EQ(options.faults.size(), 3u);
    EXPECT_EQ(options.faults[1].target, "a");
    EXPECT_FALSE(options.parallel);
}

TEST_F(ScenarioFiles, DefaultsComeFromTheFileNameAndTheSystem) {
    const Scenario loaded = parse("[scenario]\nsystem = \"system.toml\"\n");
    EXPECT_EQ(loaded.name, "scenario");  // the file stem
    EXPECT_EQ(loaded.system.seed, 1u);   // the system's
    EXPECT_EQ(loaded.system.ipc, IpcStrategyKind::rendezvous);
    EXPECT_FALSE(loaded.system.until_ns.has_value());
    EXPECT_TRUE(loaded.faults.empty());  // a baseline run
    EXPECT_TRUE(loaded.expect.completes);
    EXPECT_EQ(loaded.expect.completes_line, 0u);
}

TEST_F(ScenarioFiles, CommandLineSeedOverridesTheScenariosWhichOverridesTheSystems) {
    EXPECT_EQ(parse(scenario("", "seed = 7\n")).system.seed, 7u);
    EXPECT_EQ(parse(scenario("", "seed = 7\n"), {.seed = 99}).system.seed, 99u);
    EXPECT_EQ(parse(scenario("", "seed = \"0xffffffffffffffff\"\n")).system.seed, ~uint64_t{0});
}

TEST_F(ScenarioFiles, SystemPathIsRelativeToTheScenarioFile) {
    std::filesystem::create_directories(std::filesystem::path(m_dir.file("scenarios")));
    const std::string path = write("scenarios/nested.toml", "[scenario]\nsystem = \"../system.toml\"\n");
    const Scenario loaded = load_scenario(path);
    EXPECT_EQ(loaded.system_path, system_path());
    EXPECT_EQ(loaded.name, "nested");
}

// ---- every refusal, with its line ---------------------------------------------------

TEST_F(ScenarioFiles, RefusesUnknownKeysWithASuggestion) {
    EXPECT_TRUE(refused(scenario("[faults]\n"), 3, "unknown key 'faults' in the top level; did you mean 'fault'?"));
    EXPECT_TRUE(refused(scenario("", "sed = 3\n"), 3, "unknown key 'sed' in [scenario]; did you mean 'seed'?"));
    EXPECT_TRUE(refused(scenario("[[fault]]\nkind = \"crash\"\ntarget = \"a\"\nat = 5\ntraget = \"b\"\n"), 7,
                        "unknown key 'traget' in [[fault]]; did you mean 'target'?"));
    EXPECT_TRUE(refused(scenario("[expect]\ncompletes = true\nrecovery = \"5ms\"\n"), 5,
                        "unknown key 'recovery' in [expect] (known keys: completes, recovery_within, "
                        "may_restart, restarts_max, device_events)"));
}

TEST_F(ScenarioFiles, RefusesAMissingOrBrokenHeader) {
    EXPECT_TRUE(refused("[expect]\ncompletes = true\n", 1, "missing [scenario] table"));
    EXPECT_TRUE(refused("[scenario]\nname = \"x\"\n", 1, "[scenario] has no system"));
    EXPECT_TRUE(refused("[scenario]\nsystem = \"absent.toml\"\n", 2, "system 'absent.toml'"));
    EXPECT_TRUE(refused("[scenario]\nsystem = \"system.toml\"\nname = \"\"\n", 3, "name must not be empty"));
    EXPECT_TRUE(refused(scenario("", "ipc = \"mailbox\"\n"), 3, "unknown ipc strategy 'mailbox'"));
    EXPECT_TRUE(refused(scenario("", "seed = -1\n"), 3, "seed must not be negative"));
    EXPECT_TRUE(refused(scenario("", "seed = \"0xnope\"\n"), 3, "is not a 64-bit unsigned number"));
    EXPECT_TRUE(refused(scenario("", "until = \"0ms\"\n"), 3, "until must be longer than 0"));
    EXPECT_TRUE(refused(scenario("", "until = \"3 parsecs\"\n"), 3, "unknown unit"));
    EXPECT_TRUE(refused("[scenario]\nsystem = \"system.toml\"\nseed = = 3\n", 3, "TOML syntax error"));
}

TEST_F(ScenarioFiles, SystemDescriptionErrorsNameTheSystemFile) {
    write("broken.toml", "[system]\n[[process]]\nname = \"x\"\nprogram = \"fanin_server\"\nprioirty = 3\n");
    EXPECT_TRUE(refused_in("[scenario]\nsystem = \"broken.toml\"\n", m_dir.file("broken.toml"), 5,
                           "unknown key 'prioirty'"));
}

TEST_F(ScenarioFiles, RefusesAnUnknownFaultKindListingTheKnownOnes) {
    EXPECT_TRUE(refused(scenario("[[fault]]\nkind = \"explode\"\ntarget = \"a\"\nat = 5\n"), 4,
                        "unknown fault kind 'explode' (known kinds: crash, bad_pointer, hang, corrupt_message, irq_lose, "));
    EXPECT_TRUE(refused(scenario("[[fault]]\nkind = \"crsh\"\ntarget = \"a\"\nat = 5\n"), 4, "did you mean 'crash'?"));
    EXPECT_TRUE(refused(scenario("[[fault]]\ntarget = \"a\"\nat = 5\n"), 3, "fault has no kind"));
    EXPECT_TRUE(refused(scenario("[[fault]]\nkind = 3\ntarget = \"a\"\nat = 5\n"), 4, "kind must be a string"));
    EXPECT_TRUE(refused("fault = 3\n" + scenario(""), 1, "fault must be an array of tables"));
}

TEST_F(ScenarioFiles, RefusesAFaultNamingAMissingProcess) {
    const std::string text = scenario("\n[[fault]]\nkind = \"crash\"\ntarget = \"blockdev\"\nat = \"2ms\"\n");
    EXPECT_TRUE(refused(text, 6, "fault target 'blockdev' is not a process of system 'fanin2' (" + system_path() + ")"));
    EXPECT_TRUE(refused(text, 6, "(its processes: server, a, b, worker.0, worker.1)"));
    EXPECT_TRUE(refused(scenario("[[fault]]\nkind = \"crash\"\ntarget = \"servr\"\nat = 5\n"), 5,
                        "did you mean 'server'?"));
    EXPECT_TRUE(refused(scenario("[[fault]]\nkind = \"crash\"\ntarget = \"worker\"\nat = 5\n"), 5,
                        "'worker' is a group of replicas, name one of them, e.g. 'worker.0'"));
    EXPECT_TRUE(refused(scenario("[[fault]]\nkind = \"crash\"\nat = 5\n"), 3, "fault has no target"));
}

TEST_F(ScenarioFiles, DeviceFaultsNameADeviceAndStrikeAtATime) {
    write("with_disk.toml", R"([system]
name = "disk"
[[device]]
name = "disk0"
kind = "block"
driver = "block"
scratch = "64KiB"
[[process]]
name = "block"
program = "block_driver"
expect = "serve"
)");
    auto on_disk = [](const std::string& fault) {
        return "[scenario]\nsystem = \"with_disk.toml\"\n[[fault]]\n" + fault;
    };
    const Scenario loaded = parse(on_disk("kind = \"irq_storm\"\ntarget = \"disk0\"\nat = \"1ms\"\n"));
    ASSERT_EQ(loaded.faults.size(), 1u);
    EXPECT_EQ(loaded.faults[0].kind, FaultSpec::Kind::irq_storm);
    EXPECT_EQ(describe_fault(loaded.faults[0]), "irq_storm of device 'disk0' at 1ms");

    EXPECT_TRUE(refused(on_disk("kind = \"device_error\"\ntarget = \"block\"\nat = 5\n"), 5,
                        "kind device_error strikes a device, and 'block' is not a [[device]] of system 'disk' (" +
                            m_dir.file("with_disk.toml") + ") (its devices: disk0)"));
    EXPECT_TRUE(refused(on_disk("kind = \"dma_corrupt\"\ntarget = \"disk0\"\nafter_calls = 5\n"), 6,
                        "kind dma_corrupt strikes device 'disk0' at a virtual time: use at = \"2ms\" instead of "
                        "after_calls"));
    EXPECT_TRUE(refused(scenario("[[fault]]\nkind = \"irq_lose\"\ntarget = \"a\"\nat = 5\n"), 5,
                        "'a' is not a [[device]] of system 'fanin2' (" + system_path() + "), which has none"));
    // Process faults still name processes, even where devices are.
    EXPECT_TRUE(refused(on_disk("kind = \"crash\"\ntarget = \"disk0\"\nat = 5\n"), 5,
                        "fault target 'disk0' is not a process of system 'disk'"));
}

TEST_F(ScenarioFiles, RefusesBothOrNeitherTrigger) {
    EXPECT_TRUE(refused(scenario("[[fault]]\nkind = \"crash\"\ntarget = \"a\"\nat = \"1ms\"\nafter_calls = 5\n"), 7,
                        "fault has two triggers, at (line 6) and after_calls; keep exactly one"));
    EXPECT_TRUE(refused(scenario("\n[[fault]]\nkind = \"crash\"\ntarget = \"a\"\n"), 4, "fault has no trigger"));
    EXPECT_TRUE(refused(scenario("[[fault]]\nkind = \"crash\"\ntarget = \"a\"\nafter_calls = 0\n"), 6,
                        "after_calls = 0 is out of range 1.."));
    EXPECT_TRUE(refused(scenario("[[fault]]\nkind = \"crash\"\ntarget = \"a\"\nat = \"1.5ms\"\n"), 6, "has a fraction"));
    EXPECT_TRUE(refused(scenario("[[fault]]\nkind = \"crash\"\ntarget = \"a\"\nat = \"2ms\"\n", "until = \"2ms\"\n"),
                        7, "at = 2ms is not before the run stops (until = 2ms): the fault could never be injected"));
}

TEST_F(ScenarioFiles, RefusesExpectationsThatCannotBeChecked) {
    const std::string crash = "[[fault]]\nkind = \"crash\"\ntarget = \"a\"\nat = 5\n";
    // Lines: 1-2 header, 3-6 the fault, 7 [expect], 8 the expectation.
    EXPECT_TRUE(refused(scenario(crash + "[expect]\nrecovery_within = \"5ms\"\n"), 8,
                        "recovery_within cannot be checked: system 'fanin2' (" + system_path() +
                            ") has no reincarnation server"));
    EXPECT_TRUE(refused(scenario(crash + "[expect]\nmay_restart = [\"a\"]\n"), 8,
                        "may_restart cannot be checked: system 'fanin2'"));
    EXPECT_TRUE(refused(scenario(crash + "[expect]\nrestarts_max = 2\n"), 8, "restarts_max cannot be checked"));
    EXPECT_TRUE(refused(scenario(crash + "[expect]\ncompletes = \"yes\"\n"), 8, "completes must be a boolean"));
    EXPECT_TRUE(refused(scenario(crash + "[expect]\nrecovery_within = 0\n"), 8, "recovery_within must be longer than 0"));
}

TEST_F(ScenarioFiles, WithTheReincarnationServerRefusesWhatItWouldNotRestart) {
    if (!has_reincarnation_server()) GTEST_SKIP() << "no program 'rs' is linked in yet (servers/rs.cc)";
    const std::string system = write_system_with_rs();
    auto with_rs = [](const std::string& rest) { return "[scenario]\nsystem = \"system_rs.toml\"\n" + rest; };
    // Lines: 1-2 header, 3-6 the fault, 7 [expect], 8 the expectation.
    EXPECT_TRUE(refused(with_rs("[[fault]]\nkind = \"crash\"\ntarget = \"b\"\nat = 5\n[expect]\nrecovery_within = "
                                "\"5ms\"\n"),
                        8, "recovery_within cannot be checked for the fault of line 3: 'b' has no [process.restart] "
                           "table in " + system + " (its [[process]] is on line 20)"));
    EXPECT_TRUE(refused(with_rs("[[fault]]\nkind = \"hang\"\ntarget = \"server\"\nat = 5\n[expect]\n"
                                "recovery_within = \"5ms\"\n"),
                        8, "recovery_within cannot be checked for the hang of line 3: 'server' has no heartbeat"));
    EXPECT_TRUE(refused(with_rs("[expect]\nrecovery_within = \"5ms\"\n"), 4,
                        "recovery_within cannot be checked: the scenario injects no faults"));
    EXPECT_TRUE(refused(with_rs("[expect]\nmay_restart = [\"server\", \"sever\"]\n"), 4,
                        "may_restart entry 'sever' is not a process of system"));
    // What it can check is accepted.
    const Scenario loaded = parse(with_rs("[[fault]]\nkind = \"hang\"\ntarget = \"a\"\nat = 5\n[expect]\n"
                                          "recovery_within = \"5ms\"\nmay_restart = [\"a\", \"server\"]\n"
                                          "restarts_max = 2\n"));
    EXPECT_EQ(loaded.expect.recovery_within_ns, 5'000'000u);
    EXPECT_EQ(loaded.expect.may_restart, (std::vector<std::string>{"a", "server"}));
    EXPECT_EQ(loaded.expect.restarts_max, 2u);
}

TEST_F(ScenarioFiles, MissingFileAndDirectoryAreLineZero) {
    try {
        load_scenario(m_dir.file("absent.toml"));
        FAIL() << "accepted a missing file";
    } catch (const DescriptionError& error) {
        EXPECT_NE(std::string(error.what()).find("absent.toml:0: cannot open file"), std::string::npos) << error.what();
    }
    EXPECT_THROW(load_scenario(m_dir.path().string()), DescriptionError);
}

// ---- runs and verdicts -----------------------------------------------------------------

RunReport run(const Scenario& scenario) {
    RunOptions quiet;
    quiet.echo_console = false;
    return run_scenario(scenario, quiet).report;
}

TEST_F(ScenarioFiles, InjectedCrashIsDetectedAtOnceAndTheVerdictFollowsTheExpectation) {
    const std::string crash = "[[fault]]\nkind = \"crash\"\ntarget = \"b\"\nafter_calls = 40\n";
    const Scenario expected_to_fail = parse(scenario(crash + "[expect]\ncompletes = false\n"));
    const RunReport report = run(expected_to_fail);
    ASSERT_EQ(report.faults.size(), 1u);
    EXPECT_TRUE(report.faults[0].injected);
    EXPECT_FALSE(report.ok);

    const ScenarioVerdict verdict = judge(expected_to_fail, report);
    EXPECT_TRUE(verdict.passed) << ::testing::PrintToString(verdict.failures);
    ASSERT_EQ(verdict.faults.size(), 1u);
    const FaultVerdict& fault = verdict.faults[0];
    EXPECT_TRUE(fault.injected);
    EXPECT_GT(fault.injected_ns, 0u);
    ASSERT_TRUE(fault.detected_ns.has_value());
    EXPECT_EQ(fault.detection_latency_ns(), 0u);  // a crash is its own detection
    EXPECT_FALSE(fault.recovered_ns.has_value());  // nothing restarts it

    // The same run, expected to complete: fails with the run's own reasons.
    const Scenario expected_to_complete = parse(scenario(crash));
    const ScenarioVerdict failed = judge(expected_to_complete, report);
    EXPECT_FALSE(failed.passed);
    ASSERT_FALSE(failed.failures.empty());
    EXPECT_NE(failed.failures[0].find("completes = true: process 'b' (fanin_client) was killed by a fault: injected "
                                      "crash"),
              std::string::npos)
        << failed.failures[0];
}

TEST_F(ScenarioFiles, AFaultNeverInjectedFailsTheVerdict) {
    const Scenario never = parse(
        scenario("[[fault]]\nkind = \"crash\"\ntarget = \"b\"\nafter_calls = 1000000\n[expect]\ncompletes = true\n"));
    const RunReport report = run(never);
    EXPECT_TRUE(report.ok);
    const ScenarioVerdict verdict = judge(never, report);
    EXPECT_FALSE(verdict.passed);
    ASSERT_EQ(verdict.failures.size(), 1u);
    EXPECT_NE(verdict.failures[0].find("fault of line 3 (crash of 'b' at its call 1000000): never injected: 'b' had "
                                       "exited at"),
              std::string::npos)
        << verdict.failures[0];

    const Scenario completing = parse(scenario("[[fault]]\nkind = \"crash\"\ntarget = \"b\"\nat = 5\n"));
    RunReport completed = run(completing);
    EXPECT_FALSE(judge(completing, completed).passed);  // crashed, so completes = true fails
}

TEST_F(ScenarioFiles, HangAndBadPointerActInTheVictim) {
    const Scenario bad_pointer = parse(scenario(
        "[[fault]]\nkind = \"bad_pointer\"\ntarget = \"b\"\nafter_calls = 10\n[expect]\ncompletes = false\n"));
    const RunReport crashed = run(bad_pointer);
    EXPECT_TRUE(judge(bad_pointer, crashed).passed);
    EXPECT_NE(crashed.processes[2].fault.find("SIGSEGV"), std::string::npos) << crashed.processes[2].fault;

    // A hung client never finishes: only `until` ends the run.
    const Scenario hang =
        parse(scenario("[[fault]]\nkind = \"hang\"\ntarget = \"b\"\nafter_calls = 10\n", "until = \"1ms\"\n"));
    const RunReport hung = run(hang);
    EXPECT_TRUE(hung.stopped_by_until);
    EXPECT_TRUE(is_alive(hung.processes[2].state));
    const ScenarioVerdict verdict = judge(hang, hung);
    ASSERT_EQ(verdict.faults.size(), 1u);
    EXPECT_TRUE(verdict.faults[0].injected);
    EXPECT_FALSE(verdict.faults[0].detected_ns.has_value());
}

TEST_F(ScenarioFiles, SameScenarioSameDigestAnotherSeedAnotherDigest) {
    const std::string text = scenario("[[fault]]\nkind = \"crash\"\ntarget = \"b\"\nat = \"20us\"\n");
    const uint64_t first = run(parse(text)).digest;
    EXPECT_EQ(run(parse(text)).digest, first);
    EXPECT_NE(run(parse(text, {.seed = 2})).digest, first);
}

// judge() on reports built by hand: restarts as the reincarnation server will
// report them, without depending on it.
class Judging : public ::testing::Test {
protected:
    Judging() {
        m_scenario.faults.push_back(FaultSpec{.kind = FaultSpec::Kind::hang, .target = "block", .at_ns = 1000,
                                              .line = 9});
        m_report.faults.push_back(FaultOutcome{.spec = m_scenario.faults[0], .injected = true, .injected_ns = 1000});
        for (const char* name : {"rs", "block", "storage"}) {
            ProcessReport process;
            process.name = name;
            m_report.processes.push_back(process);
        }
    }

    void lifecycle(uint64_t time_ns, const char* process, LifecycleEvent::What what) {
        m_report.lifecycle.push_back(LifecycleEvent{.time_ns = time_ns, .process = process, .what = what});
        if (what == LifecycleEvent::What::restarted)
            for (ProcessReport& report : m_report.processes)
                if (report.name == process) report.restarts += 1;
    }

    Scenario m_scenario;
    RunReport m_report;
};

TEST_F(Judging, LatenciesCountFromTheInjection) {
    lifecycle(500, "block", LifecycleEvent::What::died);  // before the injection: not this fault's
    lifecycle(600, "block", LifecycleEvent::What::restarted);
    lifecycle(4000, "storage", LifecycleEvent::What::died);
    lifecycle(5000, "block", LifecycleEvent::What::died);
    lifecycle(7500, "block", LifecycleEvent::What::restarted);
    m_scenario.expect.recovery_within_ns = 6500;
    const ScenarioVerdict verdict = judge(m_scenario, m_report);
    EXPECT_TRUE(verdict.passed) << ::testing::PrintToString(verdict.failures);
    ASSERT_EQ(verdict.faults.size(), 1u);
    EXPECT_EQ(verdict.faults[0].detected_ns, 5000u);
    EXPECT_EQ(verdict.faults[0].recovered_ns, 7500u);
    EXPECT_EQ(verdict.faults[0].detection_latency_ns(), 4000u);
    EXPECT_EQ(verdict.faults[0].recovery_latency_ns(), 6500u);
}

TEST_F(Judging, RecoveryTooLateOrNeverFails) {
    m_scenario.expect.recovery_within_ns = 5000;
    m_scenario.expect.recovery_within_line = 14;
    lifecycle(2000, "block", LifecycleEvent::What::died);
    ScenarioVerdict verdict = judge(m_scenario, m_report);
    ASSERT_EQ(verdict.failures.size(), 1u);
    EXPECT_EQ(verdict.failures[0], "fault of line 9 (hang of 'block' at 1us): 'block' died at 2000 ns and was never "
                                   "restarted; recovery_within = 5us (line 14)");

    lifecycle(9000, "block", LifecycleEvent::What::restarted);
    verdict = judge(m_scenario, m_report);
    ASSERT_EQ(verdict.failures.size(), 1u);
    EXPECT_EQ(verdict.failures[0], "fault of line 9 (hang of 'block' at 1us): 'block' was restarted 8000 ns after the "
                                   "injection; recovery_within = 5us (line 14)");

    m_report.lifecycle.clear();
    verdict = judge(m_scenario, m_report);
    ASSERT_EQ(verdict.failures.size(), 1u);
    EXPECT_NE(verdict.failures[0].find("'block' never died after the injection at 1000 ns"), std::string::npos);
}

TEST_F(Judging, OnlyTheListedProcessesMayRestartAndNotTooOften) {
    lifecycle(2000, "block", LifecycleEvent::What::died);
    lifecycle(3000, "block", LifecycleEvent::What::restarted);
    lifecycle(3000, "storage", LifecycleEvent::What::restarted);
    lifecycle(4000, "storage", LifecycleEvent::What::restarted);
    m_scenario.expect.may_restart = std::vector<std::string>{"block"};
    m_scenario.expect.may_restart_line = 20;
    m_scenario.expect.restarts_max = 2;
    m_scenario.expect.restarts_max_line = 21;
    const ScenarioVerdict verdict = judge(m_scenario, m_report);
    EXPECT_FALSE(verdict.passed);
    EXPECT_EQ(verdict.failures, (std::vector<std::string>{
                                    "'storage' was restarted 2 times; may_restart (line 20) allows only: block",
                                    "3 restarts in all; restarts_max = 2 (line 21)"}));
}

TEST(ScenarioNames, DurationsAndFaultsReadAsWritten) {
    EXPECT_EQ(exact_duration(0), "0ns");
    EXPECT_EQ(exact_duration(1'500), "1500ns");
    EXPECT_EQ(exact_duration(2'000'000), "2ms");
    EXPECT_EQ(exact_duration(3'000'000'000), "3s");
    EXPECT_EQ(describe_fault(FaultSpec{.kind = FaultSpec::Kind::crash, .target = "block", .at_ns = 2'000'000}),
              "crash of 'block' at 2ms");
    EXPECT_EQ(describe_fault(FaultSpec{.kind = FaultSpec::Kind::bad_pointer, .target = "nic", .after_calls = 500}),
              "bad_pointer of 'nic' at its call 500");
}

}  // namespace
}  // namespace axl::sim
