// What a new user met (issue 14): inputs that exited 0 with nonsense, hung,
// or grew without bound. Each must now be refused with exit 2 and a message
// that names the file:line (or the field, or the argument), quickly and in
// bounded memory, and a run that cannot end must be stoppable. Runs the
// built binary ($AXL_BIN_DIR/axl, set by CTest).
#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "tests/support/axl_command.h"
#include "tests/support/source_dir.h"

namespace {

using axl::test::CommandResult;
using Clock = std::chrono::steady_clock;

class AxlBadInput : public axl::test::AxlCommandTest {
protected:
    std::string workload(const std::string& name) const {
        return (std::filesystem::path(axl::test::source_dir()) / "workloads" / name).string();
    }

    // Runs axl under a memory limit (address space, so a runaway allocation
    // fails at once instead of growing) and a time bound, and checks it
    // refused the input: exit 2 and `message` on stderr.
    ::testing::AssertionResult refused(const std::string& arguments, const std::string& message) const {
        const auto start = Clock::now();
        // 2 GiB of address space: the kernel's tables and the fiber stacks'
        // reservations fit; a run that grows for ever does not.
        const CommandResult result = axl(arguments, "ulimit -v 2097152;");
        const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
        if (result.exit_code != 2)
            return ::testing::AssertionFailure() << "exit " << result.exit_code << ", not 2; stderr: " << result.err
                                                 << "stdout: " << result.out.substr(0, 2000);
        if (result.err.find(message) == std::string::npos)
            return ::testing::AssertionFailure() << "expected '" << message << "' in stderr: " << result.err;
        if (seconds > 5) return ::testing::AssertionFailure() << "took " << seconds << " s";
        return ::testing::AssertionSuccess();
    }
};

// ---- [process.args] is checked against the program's declared options -----------------

std::string pingpong_with_args(const std::string& args) {
    return "[system]\n"
           "[[process]]\n"
           "name = \"server\"\n"
           "program = \"pingpong_server\"\n"
           "primitives = [\"receive\", \"reply_receive\"]\n"
           "destinations = [\"client\"]\n"
           "expect = \"serve\"\n"
           "[[process]]\n"
           "name = \"client\"\n"
           "program = \"pingpong_client\"\n"
           "destinations = [\"server\"]\n"
           "[process.args]\n" +
           args;
}

TEST_F(AxlBadInput, MisspeltArgumentIsRefusedWithDidYouMean) {
    const auto file = write("typo.toml", pingpong_with_args("roudns = 5\n"));
    EXPECT_TRUE(refused("run '" + file.string() + "'",
                        file.string() + ":13: unknown key 'roudns' in [process.args] of program 'pingpong_client'; "
                                        "did you mean 'rounds'?"));
}

TEST_F(AxlBadInput, ArgumentOfTheWrongTypeIsRefused) {
    const auto file = write("type.toml", pingpong_with_args("rounds = \"many\"\n"));
    EXPECT_TRUE(refused("run '" + file.string() + "'", file.string() + ":13: args.rounds must be an integer, not a string"));
}

TEST_F(AxlBadInput, ArgumentOutOfRangeIsRefused) {
    const auto file = write("range.toml", pingpong_with_args("rounds = 0\n"));
    EXPECT_TRUE(refused("run '" + file.string() + "'", file.string() + ":13: args.rounds = 0 is out of range 1.."));
}

TEST_F(AxlBadInput, ListShowsAProgramsArguments) {
    const CommandResult result = axl("list pingpong_client");
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.out.find("arguments ([process.args]):"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("rounds"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("integer 1..1099511627776"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("\"server\""), std::string::npos) << result.out;
    EXPECT_TRUE(refused("list pingpong_clinet", "unknown program 'pingpong_clinet'; did you mean 'pingpong_client'?"));
}

// ---- inputs that are not files, or too large ---------------------------------------------

TEST_F(AxlBadInput, DevZeroIsRefusedBeforeReading) {
    EXPECT_TRUE(refused("run /dev/zero", "/dev/zero:0: cannot read it as a system description: it is a character "
                                         "device, not a regular file"));
    EXPECT_TRUE(refused("replay /dev/zero", "/dev/zero:0: cannot read it as a scenario: it is a character device"));
    EXPECT_TRUE(refused("campaign /dev/zero --runs 1", "/dev/zero:0: cannot read it as a scenario"));
    EXPECT_TRUE(refused("bootfile /dev/zero", "/dev/zero:0: cannot read it as a system description"));
}

TEST_F(AxlBadInput, FifoAndDirectoryAreRefusedWithoutWaiting) {
    const std::string fifo = file("fifo.toml");
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    // Nobody writes to it: opening it to read would block for ever.
    EXPECT_TRUE(refused("run '" + fifo + "'", fifo + ":0: cannot read it as a system description: it is a FIFO"));
    EXPECT_TRUE(refused("run '" + m_dir.string() + "'", ":0: cannot read it as a system description: it is a directory"));
}

TEST_F(AxlBadInput, OversizedDescriptionIsRefused) {
    const auto file = write("huge.toml", "# " + std::string((1 << 20) + 10, 'x') + "\n");
    EXPECT_TRUE(refused("run '" + file.string() + "'", file.string() + ":0: the file is 1048589 bytes, more than the "
                                                                        "1 MiB a system description may have"));
}

// ---- systems that would hang or blow up --------------------------------------------------

TEST_F(AxlBadInput, BareMetalOnlySystemIsRefusedHosted) {
    EXPECT_TRUE(refused("run '" + workload("preemption.toml") + "' --until 1ms",
                        "preemption.toml:13: system 'preemption' is for bare metal only"));
    // The bare-metal path still takes it.
    const CommandResult bootfile = axl("bootfile '" + workload("preemption.toml") + "'");
    EXPECT_EQ(bootfile.exit_code, 0) << bootfile.err;
    const auto hosted_only = write("hosted.toml", "[system]\nports = [\"hosted\"]\n[[process]]\nname = \"s\"\n"
                                                  "program = \"pingpong_server\"\nexpect = \"serve\"\n");
    EXPECT_TRUE(refused("bootfile '" + hosted_only.string() + "'", "is for the hosted port only"));
    const auto typo = write("port.toml", "[system]\nports = [\"bare_metal\"]\n[[process]]\nname = \"s\"\n"
                                         "program = \"pingpong_server\"\n");
    EXPECT_TRUE(refused("run '" + typo.string() + "'", ":2: unknown port 'bare_metal'"));
}

// A process that never enters the kernel: virtual time stands still, so
// only the wall clock can end the run.
TEST_F(AxlBadInput, WallTimeoutStopsAProcessThatNeverEntersTheKernel) {
    const auto file = write("spin.toml", "[system]\nuntil = \"1ms\"\n[[process]]\nname = \"spinner\"\n"
                                         "program = \"spinner\"\nkernel_calls = []\nexpect = \"serve\"\n");
    const auto start = Clock::now();
    const CommandResult result = axl("run '" + file.string() + "' --wall-timeout 0.5");
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    EXPECT_EQ(result.exit_code, 124) << result.err;
    EXPECT_LT(seconds, 5);
    EXPECT_NE(result.err.find("--wall-timeout 0.5 s reached"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("warning: process 'spinner' (program spinner) was running its own code, not the "
                              "kernel (0 kernel calls so far)"),
              std::string::npos)
        << result.err;
    EXPECT_TRUE(refused("run '" + file.string() + "' --wall-timeout 0", "--wall-timeout"));
    EXPECT_TRUE(refused("run '" + file.string() + "' --wall-timeout soon", "--wall-timeout"));
}

TEST_F(AxlBadInput, WallTimeoutStopsAReplayToo) {
    write("spin.toml", "[system]\n[[process]]\nname = \"spinner\"\nprogram = \"spinner\"\nkernel_calls = []\n"
                       "expect = \"serve\"\n");
    const auto scenario = write("spin_scenario.toml", "[scenario]\nsystem = \"spin.toml\"\nuntil = \"1ms\"\n");
    const CommandResult result = axl("replay '" + scenario.string() + "' --wall-timeout 0.5");
    EXPECT_EQ(result.exit_code, 124) << result.err;
    EXPECT_NE(result.err.find("warning: process 'spinner' (program spinner) was running its own code"),
              std::string::npos)
        << result.err;
}

TEST_F(AxlBadInput, WallTimeoutDoesNotTouchARunThatEndsInTime) {
    const CommandResult result = axl("run '" + workload("pingpong.toml") + "' --quiet --wall-timeout 60");
    EXPECT_EQ(result.exit_code, 0) << result.err;
}

TEST_F(AxlBadInput, HugeRingsAreRefusedBeforeAllocation) {
    EXPECT_TRUE(refused("run '" + workload("pingpong_pairs.toml") + "' --ipc ring --ring-capacity 65536 --cpus 16",
                        "pingpong_pairs.toml:0: the ring strategy's rings would take "));
    EXPECT_TRUE(refused("run '" + workload("pingpong_pairs.toml") + "' --ipc ring --ring-capacity 65536 --cpus 16",
                        "more than the 4 GiB a system's IPC buffers may take"));
    const auto file = write("rings.toml", "[system]\nipc = \"ring\"\ncpus = 16\nring_capacity = 65536\n"
                                          "[[process]]\nname = \"s\"\nprogram = \"pingpong_server\"\nreplicas = 2000\n"
                                          "expect = \"serve\"\n");
    EXPECT_TRUE(refused("run '" + file.string() + "'", file.string() + ":4: the ring strategy's rings would take"));
}

TEST_F(AxlBadInput, AbsurdRunCountsAreRefusedWithoutReservingMemory) {
    EXPECT_TRUE(refused("campaign '" + workload("scenarios/campaign_storage.toml") + "' --runs 18446744073709551615",
                        "--runs 18446744073709551615 is more than a campaign may plan (at most 1000000000000 runs)"));
    EXPECT_TRUE(refused("campaign '" + workload("scenarios/campaign_storage.toml") +
                            "' --runs 1000 --seed-base 18446744073709551000",
                        "would pass the largest seed"));
}

// ---- campaign merge checks every field of its inputs ------------------------------------

// A campaign's JSON as `axl campaign --json` writes it: shard `index` of 2
// of 4 runs from seed 1, one survived and one failed run.
std::string campaign_json(const std::string& scenario = "s", const std::string& index = "0",
                          const std::string& runs = "2", const std::string& survived = "1") {
    const std::string failed_index = index == "1" ? "1" : "0";
    return R"({"format": "axl-campaign/1", "scenario": ")" + scenario +
           R"(", "path": "s.toml", "system": "sys", "seed_base": 1, "runs_planned": 4,
  "shard": {"count": 2, "indices": [)" + index + R"(]}, "jobs": 1, "wall_seconds": 0.5, "interrupted": false,
  "runs": )" + runs + R"(, "classes": {"survived": )" + survived + R"(, "client_error": 1, "unmet_expectation": 0,
  "hang": 0, "kernel_panic": 0, "simulator_crash": 0}, "faults_drawn": 2, "faults_injected": 2,
  "faults_per_second": 4, "detection_latency_ns": {"count": 1, "p50": 5, "p99": 5},
  "recovery_latency_ns": {"count": 0, "p50": null, "p99": null},
  "kinds": {"crash": {"drawn": 2, "injected": 2,
    "detection_latency_ns": {"count": 1, "p50": 5, "p99": 5, "samples": [[5, 1]]},
    "recovery_latency_ns": {"count": 0, "p50": null, "p99": null, "samples": []}}},
  "runs_digest": "0123456789abcdef",
  "failed_runs": [{"index": )" + failed_index + R"(, "seed": )" + std::to_string(std::stoi(failed_index) + 1) +
           R"(, "class": "client_error", "detail": "x", "verdict": [], "digest": null, "replay": "axl replay s.toml"}]})";
}

TEST_F(AxlBadInput, MergeOfTwoValidShardsWorks) {
    const auto a = write("a.json", campaign_json("s", "0")), b = write("b.json", campaign_json("s", "1"));
    const CommandResult result = axl("campaign merge '" + a.string() + "' '" + b.string() + "'");
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.out.find("shards 0, 1 of 2"), std::string::npos) << result.out;
}

TEST_F(AxlBadInput, MergeRefusesFieldsThatMakeNoSense) {
    const auto negative = write("negative.json", campaign_json("s", "0", "-5"));
    EXPECT_TRUE(refused("campaign merge '" + negative.string() + "'",
                        "negative.json: field \"runs\": must be a non-negative integer, not -5"));
    const auto huge = write("huge.json", campaign_json("s", "0", "2", "1e30"));
    EXPECT_TRUE(refused("campaign merge '" + huge.string() + "'",
                        "huge.json: field \"classes.survived\": must be a non-negative integer, not 1e+30"));
    const auto shard = write("shard.json", campaign_json("s", "5"));
    EXPECT_TRUE(refused("campaign merge '" + shard.string() + "'",
                        "shard.json: field \"shard.indices[0]\": shard 5 of 2 does not exist (0..1)"));
    const auto more = write("more.json", campaign_json("s", "0", "2", "2"));
    EXPECT_TRUE(refused("campaign merge '" + more.string() + "'",
                        "more.json: field \"classes\": the classes add up to 3 runs, but runs is 2"));
    const auto past = write("past.json", campaign_json("s", "0", "3", "2"));
    EXPECT_TRUE(refused("campaign merge '" + past.string() + "'",
                        "past.json: field \"runs\": 3 runs, but the shards it covers hold 2 of the 4 planned"));
    EXPECT_TRUE(refused("campaign merge /dev/zero", "/dev/zero: cannot read it as a campaign's JSON"));
}

TEST_F(AxlBadInput, MergeOfTwoCampaignsSaysSo) {
    const auto a = write("a.json", campaign_json("first", "0")), b = write("b.json", campaign_json("second", "0"));
    EXPECT_TRUE(refused("campaign merge '" + a.string() + "' '" + b.string() + "'",
                        "b.json: not a shard of the same campaign as " + a.string() +
                            " (scenario second here, first there)"));
}

}  // namespace
