// The device workloads end to end (workloads/storage.toml, irq_storm.toml,
// console.toml): user-mode drivers on simulated devices, under every IPC
// strategy and both device-access models.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "sim/port/simulator.h"
#include "sim/config/system_description.h"
#include "tests/support/script_program.h"
#include "tests/support/source_dir.h"

namespace axl::test {
namespace {

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string replace(std::string text, const std::string& what, const std::string& with) {
    const size_t at = text.find(what);
    EXPECT_NE(at, std::string::npos) << what;
    if (at != std::string::npos) text.replace(at, what.size(), with);
    return text;
}

// A workload's description, edited as text (so edits go through the same
// validation), parsed as if it were the file itself.
sim::SystemDescription workload(const std::string& name, const std::vector<std::pair<std::string, std::string>>& edits,
                                const sim::DescriptionOverrides& overrides = {}) {
    const std::string path = source_dir() + "/workloads/" + name;
    std::string text = read_file(path);
    for (const auto& [what, with] : edits) text = replace(text, what, with);
    return sim::parse_system_description(text, path, overrides);
}

std::string line_starting(const sim::RunReport& report, const std::string& process, const std::string& prefix) {
    for (const std::string& line : lines_of(report, process))
        if (line.rfind(prefix, 0) == 0) return line;
    return "";
}

const IpcStrategyKind all_strategies[] = {IpcStrategyKind::rendezvous, IpcStrategyKind::ring, IpcStrategyKind::queue};

// Random sizes and offsets, read back byte for byte by the workload itself;
// the region's checksum depends on the seed only: not on the strategy, not on
// whether the driver's register accesses enter the kernel.
TEST(StorageWorkload, ReadAfterWriteHoldsUnderEveryStrategyAndAccessModel) {
    for (uint64_t seed : {1ull, 7ull, 12345ull}) {
        std::string expected;
        for (IpcStrategyKind ipc : all_strategies) {
            for (const char* access : {"kernel", "direct"}) {
                sim::DescriptionOverrides overrides;
                overrides.ipc = ipc;
                overrides.seed = seed;
                sim::RunReport r = run(workload(
                    "storage.toml",
                    {{"access = \"kernel\"", std::string("access = \"") + access + "\""}, {"ops = 200", "ops = 120"}},
                    overrides));
                ASSERT_TRUE(r.ok) << describe(r);
                const std::string summary = line_starting(r, "client", "ok: ");
                ASSERT_FALSE(summary.empty()) << describe(r);
                if (expected.empty()) expected = summary;
                EXPECT_EQ(summary, expected) << "seed " << seed << ", " << to_string(ipc) << ", " << access;
            }
        }
    }
}

TEST(StorageWorkload, SameSeedSameDigestAndTheSeedMatters) {
    sim::DescriptionOverrides overrides;
    overrides.seed = 99;
    const uint64_t first = run(workload("storage.toml", {{"ops = 200", "ops = 50"}}, overrides)).digest;
    const uint64_t again = run(workload("storage.toml", {{"ops = 200", "ops = 50"}}, overrides)).digest;
    overrides.seed = 100;
    const uint64_t other = run(workload("storage.toml", {{"ops = 200", "ops = 50"}}, overrides)).digest;
    EXPECT_EQ(first, again);
    EXPECT_NE(first, other);
}

// A real backing file keeps what was written: a second run reads the first
// run's data as its starting point and checks it against its shadow.
TEST(StorageWorkload, ABackingFileKeepsItsDataAcrossRuns) {
    const auto dir = std::filesystem::temp_directory_path() / ("axl-storage-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto disk = dir / "disk.img";
    {
        std::ofstream out(disk, std::ios::binary);
        std::vector<char> zeros(256 * 1024, 0);
        out.write(zeros.data(), static_cast<std::streamsize>(zeros.size()));
    }
    const std::string scratch = "scratch = \"1MiB\"";
    const std::string file = "file = \"" + disk.string() + "\"";
    sim::RunReport first = run(workload("storage.toml", {{scratch, file}, {"ops = 200", "ops = 60"}}));
    ASSERT_TRUE(first.ok) << describe(first);
    const std::string after_first = read_file(disk.string());
    EXPECT_NE(after_first, std::string(256 * 1024, '\0')) << "nothing reached the backing file";
    sim::DescriptionOverrides overrides;
    overrides.seed = 2;
    sim::RunReport second = run(workload("storage.toml", {{scratch, file}, {"ops = 200", "ops = 60"}}, overrides));
    ASSERT_TRUE(second.ok) << describe(second);
    std::filesystem::remove_all(dir);
}

// Thousands of interrupts while the driver is busy: every tick is counted,
// the raises merge into about one delivery per busy spell, nothing crashes.
TEST(IrqStorm, NoInterruptIsLostWhileTheDriverIsBusy) {
    for (const char* access : {"kernel", "direct"}) {
        sim::RunReport r = run(workload("irq_storm.toml", {{"irq = 0", std::string("irq = 0\naccess = \"") + access + "\""}}));
        ASSERT_TRUE(r.ok) << describe(r);
        ASSERT_EQ(r.devices.size(), 1u);
        const sim::DeviceReport& timer = r.devices[0];
        const std::string summary = line_starting(r, "storm", "ok: ");
        unsigned long long ticks = 0, notifications = 0;
        ASSERT_EQ(std::sscanf(summary.c_str(), "ok: %llu ticks in %llu notifications", &ticks, &notifications), 2)
            << summary;
        EXPECT_GE(ticks, 9'000u);
        EXPECT_EQ(ticks, timer.interrupts_raised) << "every raise is a tick the driver counted";
        // Each notification the driver took was a delivery; one more may be
        // on its way after its last irq_enable (the timer ticked on until stopped).
        EXPECT_GE(timer.interrupts_delivered, notifications) << access;
        EXPECT_LE(timer.interrupts_delivered, notifications + 1) << access;
        EXPECT_LE(timer.interrupts_delivered, 51u) << "raises while masked merge";
    }
}

TEST(Console, ProgramsPrintThroughTheUartDriver) {
    const auto output = std::filesystem::temp_directory_path() / ("axl-console-" + std::to_string(::getpid()));
    for (IpcStrategyKind ipc : all_strategies) {
        sim::DescriptionOverrides overrides;
        overrides.ipc = ipc;
        sim::RunReport r = run(workload(
            "console.toml", {{"# output = \"console.out\"", "output = \"" + output.string() + "\""}}, overrides));
        ASSERT_TRUE(r.ok) << describe(r);
        EXPECT_EQ(read_file(output.string()),
                  "hello from a user process through the UART, line 1\n"
                  "hello from a user process through the UART, line 2\n"
                  "hello from a user process through the UART, line 3\n")
            << to_string(ipc);
    }
    std::filesystem::remove(output);
}

TEST(Console, InputFromAFileIsEchoedBack) {
    const auto dir = std::filesystem::temp_directory_path() / ("axl-console-in-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string input = "typed on the line: 0123456789 abcdefghijklmnopqrstuvwxyz\n";
    std::ofstream(dir / "in.txt") << input;
    sim::RunReport r = run(workload(
        "console.toml",
        {{"# output = \"console.out\"", "output = \"" + (dir / "out.txt").string() + "\"\ninput = \"" +
                                            (dir / "in.txt").string() + "\""},
         {"lines = 3", "lines = 1\necho_bytes = " + std::to_string(input.size())}}));
    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(read_file((dir / "out.txt").string()),
              "hello from a user process through the UART, line 1\n" + input);
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace axl::test
