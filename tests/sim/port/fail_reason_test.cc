// axl::fail's reason travels with the exit on the hosted port: the report's
// process entry keeps it (ProcessReport::failure) and the failures line gives
// it, whether or not the console was echoed; a plain non-zero exit has none.
#include <gtest/gtest.h>

#include <string>

#include "tests/support/script_program.h"

AXL_PROGRAM(fr_fails, "fail_reason_test: logs, then fails with a formatted reason") {
    axl::log("working");
    axl::fail("record %d: expected %s, got %s", 7, "ok", "not_found");
}

AXL_PROGRAM(fr_exits_one, "fail_reason_test: exits with status 1 without a reason") {
    axl::log("giving up");
    return 1;
}

namespace axl::test {
namespace {

TEST(FailReason, TheReportKeepsWhatFailSaid) {
    SystemBuilder b(IpcStrategyKind::rendezvous);
    b.add_program("failer", "fr_fails");
    b.add_program("quitter", "fr_exits_one");
    const sim::RunReport r = run(b);

    EXPECT_FALSE(r.ok);
    const sim::ProcessReport& failer = process(r, "failer");
    EXPECT_EQ(failer.exit_status, 1);
    EXPECT_EQ(failer.failure, "record 7: expected ok, got not_found");
    EXPECT_TRUE(process(r, "quitter").failure.empty()) << "exit(1) alone gives no reason";
    ASSERT_EQ(r.failures.size(), 2u);
    EXPECT_EQ(r.failures[0],
              "process 'failer' (fr_fails) exited with status 1; expected to exit with status 0 "
              "(failed: record 7: expected ok, got not_found)");
    EXPECT_EQ(r.failures[1], "process 'quitter' (fr_exits_one) exited with status 1; expected to exit with status 0");
}

}  // namespace
}  // namespace axl::test
