// `axl compare SYSTEM.toml` through the built binary ($AXL_BIN_DIR/axl): one
// system under every IPC strategy, a row each, each row the same as that
// strategy's `axl run` (the digest says so).
#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/axl_command.h"

namespace {

using json = nlohmann::json;
using axl::test::CommandResult;
using axl::test::read_file;

class AxlCompare : public axl::test::AxlCommandTest {};

std::string digest_of(const std::string& out) {
    const size_t at = out.rfind("digest: ");
    return at == std::string::npos ? std::string() : out.substr(at + 8, 16);
}

TEST_F(AxlCompare, EveryStrategyARowMatchingItsOwnRun) {
    CommandResult result = axl("compare '" + workload("pipeline.toml") + "' --seed 3 --json '" + file("c.json") + "'");
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_NE(result.out.find("system pipeline, cpus 1, seed 3, under rendezvous, ring, queue\n"), std::string::npos)
        << result.out;
    EXPECT_NE(result.out.find("\nipc         ok   messages"), std::string::npos) << result.out;
    EXPECT_EQ(result.out.find("[client"), std::string::npos) << "no console lines without --console";
    const json summary = json::parse(read_file(file("c.json")));
    ASSERT_EQ(summary["runs"].size(), 3u);
    EXPECT_TRUE(summary["ok"].get<bool>());
    EXPECT_TRUE(summary.contains("build"));
    for (const json& run : summary["runs"]) {
        const std::string ipc = run["ipc"];
        CommandResult alone = axl("run '" + workload("pipeline.toml") + "' --seed 3 --quiet --ipc " + ipc);
        EXPECT_EQ(digest_of(alone.out), run["digest"]) << ipc;
        // The row: the strategy, ok, and its digest at the end.
        EXPECT_NE(result.out.find("\n" + ipc), std::string::npos) << result.out;
        EXPECT_NE(result.out.find(run["digest"].get<std::string>() + "\n"), std::string::npos) << result.out;
    }
    // pipeline streams with send: the buffered strategies keep messages, so they diverge from rendezvous.
    EXPECT_NE(result.out.find("\ndigests: differ"), std::string::npos) << result.out;

    CommandResult pingpong = axl("compare '" + workload("pingpong.toml") + "'");
    EXPECT_EQ(pingpong.exit_code, 0);
    EXPECT_NE(pingpong.out.find("\ndigests: identical under every strategy"), std::string::npos) << pingpong.out;
}

TEST_F(AxlCompare, AFailingSystemExitsOneAndBadInputTwo) {
    CommandResult liar = axl("compare '" + workload("tests/pingpong_liar.toml") + "'");
    EXPECT_EQ(liar.exit_code, 1) << liar.out << liar.err;
    EXPECT_NE(liar.out.find("  NO "), std::string::npos) << liar.out;
    EXPECT_NE(liar.out.find("failure: process 'client' (pingpong_client) exited with status 1"), std::string::npos)
        << liar.out;

    CommandResult missing = axl("compare '" + (m_dir / "absent.toml").string() + "'");
    EXPECT_EQ(missing.exit_code, 2);
    EXPECT_NE(missing.err.find("absent.toml:0: cannot open file"), std::string::npos) << missing.err;
}

}  // namespace
