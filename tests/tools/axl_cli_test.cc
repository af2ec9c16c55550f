// The axl command as users meet it: bad descriptions exit 2 with "file:line:"
// on stderr and nothing run, and `axl list` names every IPC strategy. Runs the
// built binary ($AXL_BIN_DIR/axl, set by CTest).
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/axl_command.h"

namespace {

using axl::test::CommandResult;
using axl::test::read_file;

class AxlCli : public axl::test::AxlCommandTest {};

TEST_F(AxlCli, BadDescriptionExitsTwoWithFileAndLine) {
    std::filesystem::path file = write("bad.toml",
                                       "[system]\n"
                                       "cpus = 1\n"
                                       "\n"
                                       "[[process]]\n"
                                       "name = \"server\"\n"
                                       "program = \"pingpong_server\"\n"
                                       "prioirty = 3\n");
    CommandResult result = axl("run '" + file.string() + "'");
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(result.err.find(file.string() + ":7: unknown key 'prioirty'"), std::string::npos) << result.err;
    EXPECT_EQ(result.out.find("digest:"), std::string::npos) << "nothing may run: " << result.out;
}

TEST_F(AxlCli, OverrideThatBreaksAPinBlamesThePinLine) {
    std::filesystem::path file = write("pinned.toml",
                                       "[system]\n"
                                       "cpus = 4\n"
                                       "[[process]]\n"
                                       "name = \"server\"\n"
                                       "program = \"pingpong_server\"\n"
                                       "cpu = 3\n");
    CommandResult result = axl("run '" + file.string() + "' --cpus 2");
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(result.err.find(file.string() + ":6: "), std::string::npos) << result.err;
}

TEST_F(AxlCli, MissingFileExitsTwo) {
    CommandResult result = axl("run '" + (m_dir / "absent.toml").string() + "'");
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(result.err.find("absent.toml:0: cannot open file"), std::string::npos) << result.err;
}

TEST_F(AxlCli, CommandLineMistakesExitTwo) {
    EXPECT_EQ(axl("").exit_code, 2);                                  // no subcommand
    EXPECT_EQ(axl("run").exit_code, 2);                               // no file
    EXPECT_EQ(axl("run x.toml --ipc mailbox").exit_code, 2);          // unknown strategy
    EXPECT_EQ(axl("run x.toml --until 10parsecs").exit_code, 2);      // bad duration
    EXPECT_EQ(axl("run x.toml --seed -1").exit_code, 2);              // seeds are unsigned
}

TEST_F(AxlCli, ListNamesTheStrategies) {
    CommandResult result = axl("list");
    EXPECT_EQ(result.exit_code, 0) << result.err;
    for (const char* strategy : {"rendezvous", "ring", "queue"})
        EXPECT_NE(result.out.find(strategy), std::string::npos) << strategy << " missing from:\n" << result.out;
    EXPECT_NE(result.out.find("sender blocks until the receiver takes the message"), std::string::npos);
    EXPECT_NE(result.out.find("programs:"), std::string::npos);
}

}  // namespace

namespace {

std::string workload(const std::string& name) {
    const char* dir = std::getenv("AXL_SOURCE_DIR");
    return std::string(dir ? dir : ".") + "/workloads/" + name;
}

std::string digest_line(const std::string& out) {
    size_t at = out.rfind("digest: ");
    return at == std::string::npos ? std::string() : out.substr(at + 8, 16);
}

// The acceptance run of issue 2: pingpong under every strategy with --seed 7,
// twice each, prints the same digest both times.
TEST_F(AxlCli, PingpongDigestRepeatsUnderEveryStrategy) {
    for (const char* ipc : {"rendezvous", "ring", "queue"}) {
        std::string args = "run '" + workload("pingpong.toml") + "' --ipc " + ipc + " --seed 7 --quiet";
        CommandResult first = axl(args);
        CommandResult second = axl(args);
        ASSERT_EQ(first.exit_code, 0) << ipc << "\n" << first.out << first.err;
        ASSERT_EQ(second.exit_code, 0) << ipc;
        EXPECT_EQ(digest_line(first.out).size(), 16u) << first.out;
        EXPECT_EQ(digest_line(first.out), digest_line(second.out)) << ipc;
        EXPECT_NE(first.out.find("seed 7"), std::string::npos) << "the seed is printed before the run";
    }
}

TEST_F(AxlCli, JsonSummaryMatchesThePrintedOne) {
    std::filesystem::path json = m_dir / "report.json";
    CommandResult result = axl("run '" + workload("fanin.toml") + "' --quiet --seed 3 --json '" + json.string() + "'");
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    std::string text = read_file(json);
    EXPECT_NE(text.find("\"digest\": \"" + digest_line(result.out) + "\""), std::string::npos) << text;
    EXPECT_NE(text.find("\"seed\": 3"), std::string::npos) << text;
    EXPECT_NE(text.find("\"ok\": true"), std::string::npos) << text;
    EXPECT_NE(text.find("\"name\": \"client.7\""), std::string::npos) << text;
}

// A run whose workload fails its own checks exits 1 and says which process.
TEST_F(AxlCli, FailedSelfCheckExitsOne) {
    CommandResult result = axl("run '" + workload("tests/pingpong_liar.toml") + "' --quiet");
    EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
    EXPECT_NE(result.out.find("NOT MET"), std::string::npos) << result.out;
}

}  // namespace

namespace {
// A system with one [[device]] table (line 6 onwards) and its driver.
std::string system_with_devices(const std::string& devices) {
    return "[system]\n"          // 1
           "name = \"dev\"\n"    // 2
           "[[process]]\n"       // 3
           "name = \"drv\"\n"    // 4
           "program = \"uart_driver\"\n"  // 5
           + devices;
}
}  // namespace

// The three device errors the devices issue names, through the real command:
// each names the file and the line of the value to fix, and exits 2.
TEST_F(AxlCli, BadDeviceSectionsExitTwoWithFileAndLine) {
    struct Case {
        const char* what;
        std::string devices;
        std::string expected;  // after "path:"
    };
    const std::vector<Case> cases = {
        {"unknown kind", "[[device]]\nkind = \"floppy\"\ndriver = \"drv\"\n",
         "7: unknown device kind 'floppy' (expected timer, uart, block, nic, ne2000, pvpanic-pci, i6300esb, ib700, ne2k-pci or edu)"},
        {"IRQ line used twice",
         "[[device]]\nkind = \"uart\"\ndriver = \"drv\"\nirq = 5\n"
         "[[process]]\nname = \"t\"\nprogram = \"timer_storm\"\n"
         "[[device]]\nkind = \"timer\"\ndriver = \"t\"\nirq = 5\n",
         "16: IRQ line 5 of device 'timer' is already used by device 'uart' (line 6); IRQ lines are not shared, "
         "set irq"},
        {"missing backing file", "[[device]]\nkind = \"block\"\ndriver = \"drv\"\nfile = \"no-such-disk.img\"\n",
         "9: file '"},
    };
    for (const Case& c : cases) {
        std::filesystem::path file = write("devices.toml", system_with_devices(c.devices));
        CommandResult result = axl("run '" + file.string() + "'");
        EXPECT_EQ(result.exit_code, 2) << c.what << "\n" << result.err;
        EXPECT_EQ(result.err.rfind(file.string() + ":" + c.expected, 0), 0u) << c.what << "\n" << result.err;
    }
}
