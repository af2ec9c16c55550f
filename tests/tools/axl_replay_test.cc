// `axl replay` as users meet it: a scenario runs, prints its faults, verdict
// and digest, and exits 0 when the verdict passes; the same scenario replays
// with the same digest and --expect-digest catches any divergence (exit 1);
// bad scenarios exit 2 with "file:line:" on stderr and nothing run. Runs the
// built binary ($AXL_BIN_DIR/axl, set by CTest).
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/axl_command.h"
#include "tests/support/fanin_pair_system.h"
#include "tests/support/source_dir.h"

namespace {

using axl::test::CommandResult;
using axl::test::read_file;

// The hex of the last "digest: " line, or "".
std::string digest_of(const std::string& out) {
    const size_t at = out.rfind("\ndigest: ");
    return at == std::string::npos ? std::string() : out.substr(at + 9, 16);
}

using axl::test::fanin_system;


// Client b crashes at its 40th call; without a reincarnation server the run
// cannot complete, and the scenario says so.
constexpr const char* crash_scenario = R"([scenario]
name = "client b crashes"
system = "system.toml"

[[fault]]
kind = "crash"
target = "b"
after_calls = 40

[expect]
completes = false
)";

class AxlReplay : public axl::test::AxlCommandTest {
protected:
    void SetUp() override {
        AxlCommandTest::SetUp();
        if (IsSkipped()) return;
        write("system.toml", fanin_system);
    }

    CommandResult replay(const std::string& scenario, const std::string& options = "") const {
        return axl("replay '" + scenario + "' " + options);
    }
};

TEST_F(AxlReplay, PassingScenarioPrintsItsFaultsVerdictAndDigest) {
    const std::string scenario = write("crash.toml", crash_scenario);
    CommandResult result = replay(scenario);
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_NE(result.out.find("axl replay " + scenario + ": scenario client b crashes, system fanin2"),
              std::string::npos)
        << result.out;
    EXPECT_NE(result.out.find("seed 1, 1 fault"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("[a] ok: client 0"), std::string::npos) << "the console is shown:\n" << result.out;
    EXPECT_NE(result.out.find("fault: injected crash"), std::string::npos) << "the run summary:\n" << result.out;
    EXPECT_NE(result.out.find("faults:\n  line  kind   target  trigger  injected at  detected after  recovered after\n"
                              "  5     crash  b       call 40  "),
              std::string::npos)
        << result.out;
    EXPECT_NE(result.out.find("+0 ns"), std::string::npos) << "a crash is detected at once:\n" << result.out;
    EXPECT_NE(result.out.find("\nrestarts: none\n\nverdict: pass\ndigest: "), std::string::npos)
        << result.out;
    EXPECT_EQ(digest_of(result.out).size(), 16u) << result.out;
    // One digest line, the last: the run summary's own is not repeated.
    EXPECT_EQ(result.out.find("digest: "), result.out.rfind("digest: ")) << result.out;

    CommandResult quiet = replay(scenario, "--quiet");
    EXPECT_EQ(quiet.exit_code, 0);
    EXPECT_EQ(quiet.out.find("[a] ok:"), std::string::npos) << quiet.out;
}

TEST_F(AxlReplay, SameScenarioSameDigestAndExpectDigestCatchesDivergence) {
    const std::string scenario = write("crash.toml", crash_scenario);
    const std::string digest = digest_of(replay(scenario, "--quiet").out);
    ASSERT_EQ(digest.size(), 16u);
    EXPECT_EQ(digest_of(replay(scenario, "--quiet").out), digest);

    CommandResult matching = replay(scenario, "--quiet --expect-digest " + digest);
    EXPECT_EQ(matching.exit_code, 0) << matching.out;
    EXPECT_EQ(matching.out.find("digest mismatch"), std::string::npos) << matching.out;

    CommandResult diverging = replay(scenario, "--quiet --expect-digest 0000000000000001");
    EXPECT_EQ(diverging.exit_code, 1);
    EXPECT_NE(diverging.out.find("digest mismatch: expected 0000000000000001, got " + digest), std::string::npos)
        << diverging.out;

    // Another seed, another interleaving of the clients' think times.
    CommandResult reseeded = replay(scenario, "--quiet --seed 2");
    EXPECT_EQ(reseeded.exit_code, 0) << reseeded.out;
    EXPECT_NE(reseeded.out.find("seed 2, 1 fault"), std::string::npos) << reseeded.out;
    EXPECT_NE(digest_of(reseeded.out), digest);
    EXPECT_EQ(replay(scenario, "--quiet --seed 2 --expect-digest " + digest).exit_code, 1);
}

TEST_F(AxlReplay, FailedVerdictExitsOneWithTheReasons) {
    // The same crash, but the scenario expects the run to complete.
    std::string text = crash_scenario;
    text.replace(text.find("completes = false"), 17, "completes = true");
    CommandResult result = replay(write("crash.toml", text), "--quiet");
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_NE(result.out.find("verdict: FAIL (1 unmet)\n  completes = true (line 11): process 'b' (fanin_client) "
                              "was killed by a fault: injected crash"),
              std::string::npos)
        << result.out;

    // A fault whose trigger never comes fails too.
    text = crash_scenario;
    text.replace(text.find("after_calls = 40"), 16, "after_calls = 99999");
    result = replay(write("never.toml", text), "--quiet");
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_NE(result.out.find("5     crash  b       call 99999  never"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("never injected: 'b' had exited at"), std::string::npos) << result.out;
}

TEST_F(AxlReplay, BadScenariosExitTwoWithFileAndLine) {
    struct Case {
        const char* name;
        std::string text;
        std::string expected;  // after the scenario's path
    };
    const std::string header = "[scenario]\nsystem = \"system.toml\"\n";
    const Case cases[] = {
        {"kind.toml", header + "[[fault]]\nkind = \"melt\"\ntarget = \"b\"\nat = 5\n",
         ":4: unknown fault kind 'melt' (known kinds: crash, bad_pointer, hang, "},
        {"target.toml", header + "[[fault]]\nkind = \"crash\"\ntarget = \"blockdev\"\nat = 5\n",
         ":5: fault target 'blockdev' is not a process of system 'fanin2' (" + (m_dir / "system.toml").string() + ")"},
        {"unchecked.toml", header + "[[fault]]\nkind = \"crash\"\ntarget = \"b\"\nat = 5\n[expect]\nrecovery_within = "
                                    "\"1ms\"\n",
         ":8: recovery_within cannot be checked: system 'fanin2'"},
        {"key.toml", header + "[[fault]]\nkind = \"crash\"\ntarget = \"b\"\nat = 5\nafter = 3\n",
         ":7: unknown key 'after' in [[fault]]"},
        {"triggers.toml", header + "[[fault]]\nkind = \"crash\"\ntarget = \"b\"\n", ":3: fault has no trigger"},
    };
    for (const Case& bad : cases) {
        const std::string path = write(bad.name, bad.text);
        CommandResult result = replay(path);
        EXPECT_EQ(result.exit_code, 2) << bad.name;
        EXPECT_NE(result.err.find(path + bad.expected), std::string::npos) << bad.name << ": " << result.err;
        EXPECT_EQ(result.out.find("digest:"), std::string::npos) << "nothing may run: " << result.out;
    }

    // The system's own mistakes name the system file.
    write("broken.toml", "[system]\n[[process]]\nname = \"x\"\nprogram = \"no_such_program\"\n");
    CommandResult broken = replay(write("uses_broken.toml", "[scenario]\nsystem = \"broken.toml\"\n"));
    EXPECT_EQ(broken.exit_code, 2);
    EXPECT_NE(broken.err.find((m_dir / "broken.toml").string() + ":4: unknown program 'no_such_program'"),
              std::string::npos)
        << broken.err;

    CommandResult missing = replay((m_dir / "absent.toml").string());
    EXPECT_EQ(missing.exit_code, 2);
    EXPECT_NE(missing.err.find("absent.toml:0: cannot open file"), std::string::npos) << missing.err;
}

TEST_F(AxlReplay, CommandLineMistakesExitTwo) {
    const std::string scenario = write("crash.toml", crash_scenario);
    EXPECT_EQ(axl("replay").exit_code, 2);                                          // no scenario
    EXPECT_EQ(replay(scenario, "--seed -1").exit_code, 2);                           // seeds are unsigned
    EXPECT_EQ(replay(scenario, "--expect-digest xyz").exit_code, 2);                 // not hex
    EXPECT_EQ(replay(scenario, "--expect-digest 00000000000000001").exit_code, 2);  // 17 digits
    EXPECT_EQ(replay(scenario, "--parallel").exit_code, 2);  // not an option: faults run deterministically
}

TEST_F(AxlReplay, TraceShowsTheFaultAndJsonHoldsTheVerdict) {
    const std::string scenario = write("crash.toml", crash_scenario);
    const std::string trace = (m_dir / "trace.json").string();
    const std::string json = (m_dir / "verdict.json").string();
    CommandResult result = replay(scenario, "--quiet --trace '" + trace + "' --json '" + json + "'");
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_NE(result.out.find("events written to " + trace), std::string::npos) << result.out;
    EXPECT_NE(read_file(trace).find(R"("name":"fault")"), std::string::npos) << "the crash is on the timeline";

    const std::string verdict = read_file(json);
    EXPECT_NE(verdict.find(R"("scenario": "client b crashes")"), std::string::npos) << verdict;
    EXPECT_NE(verdict.find(R"("passed": true)"), std::string::npos) << verdict;
    EXPECT_NE(verdict.find(R"("kind": "crash")"), std::string::npos) << verdict;
    EXPECT_NE(verdict.find(R"("detection_latency_ns": 0)"), std::string::npos) << verdict;
    EXPECT_NE(verdict.find(R"("digest": ")" + digest_of(result.out) + "\""), std::string::npos) << verdict;
    EXPECT_NE(verdict.find(R"("run": {)"), std::string::npos) << verdict;
}

// The scenarios shipped in workloads/scenarios/: each fault kind against the
// storage path kept alive by the reincarnation server, with every byte checked.
TEST_F(AxlReplay, ShippedScenariosPassAndReplayBitForBit) {
    const std::filesystem::path dir = std::filesystem::path(axl::test::source_dir()) / "workloads" / "scenarios";
    for (const char* name : {"block_crash.toml", "block_hang.toml", "block_bad_pointer.toml"}) {
        const std::string path = (dir / name).string();
        ASSERT_TRUE(std::filesystem::exists(path)) << path;
        CommandResult first = replay(path, "--quiet");
        EXPECT_EQ(first.exit_code, 0) << name << ":\n" << first.out << first.err;
        EXPECT_NE(first.out.find("restarts: block x1"), std::string::npos) << name << ":\n" << first.out;
        const std::string digest = digest_of(first.out);
        ASSERT_EQ(digest.size(), 16u) << first.out;
        CommandResult again = replay(path, "--quiet --expect-digest " + digest);
        EXPECT_EQ(again.exit_code, 0) << name << ":\n" << again.out;
    }
}

}  // namespace
