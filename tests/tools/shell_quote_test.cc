// Words for a shell (tools/axl/shell_quote.h): what axl prints for people to
// paste, the QEMU command line and the replay command of a failed run.
#include "tools/axl/shell_quote.h"

#include <gtest/gtest.h>

namespace axl::tools {
namespace {

TEST(ShellQuote, SafeWordsStayAsTheyAre) {
    EXPECT_EQ(shell_quote("workloads/scenarios/block_crash.toml"), "workloads/scenarios/block_crash.toml");
    EXPECT_EQ(shell_quote("file=a,,b:c@d%e+f-g_h"), "file=a,,b:c@d%e+f-g_h");
}

TEST(ShellQuote, OtherWordsAreSingleQuoted) {
    EXPECT_EQ(shell_quote(""), "''");
    EXPECT_EQ(shell_quote("my scenario.toml"), "'my scenario.toml'");
    EXPECT_EQ(shell_quote("$HOME"), "'$HOME'");
    EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
}

}  // namespace
}  // namespace axl::tools
