// Alarms: set_alarm(delay) notifies the caller from endpoints::clock once the
// delay of virtual time has passed; a new alarm replaces the old one, 0
// cancels it, and an alarm dies with its owner.
#include <gtest/gtest.h>

#include <string>

#include "kernel/api/device.h"
#include "tests/support/script_program.h"

namespace {
using namespace axl;

AXL_PROGRAM(kt_alarm_user, "alarm_test: sets, replaces and cancels alarms and logs when they fire") {
    uint64_t start = 0;
    (void)clock(start);
    log("set 5us -> %s", to_string(set_alarm(5'000)));
    Message m;
    Status s = receive(endpoints::clock, m);
    uint64_t now = 0;
    (void)clock(now);
    log("fired %s type_notify=%d after>=5us=%d after<6us=%d", to_string(s), m.type == message_types::notify,
        now - start >= 5'000, now - start < 6'000);
    (void)clock(start);
    log("set 1us -> %s", to_string(set_alarm(1'000)));
    log("cancel -> %s", to_string(set_alarm(0)));
    log("set 20us -> %s", to_string(set_alarm(20'000)));
    log("replace with 30us -> %s", to_string(set_alarm(30'000)));
    s = receive(endpoints::any, m);
    (void)clock(now);
    log("fired %s from_clock=%d after>=30us=%d after<31us=%d", to_string(s), m.source == endpoints::clock,
        now - start >= 30'000, now - start < 31'000);
    log("set then exit -> %s", to_string(set_alarm(1'000)));
    return 0;
}
}  // namespace

namespace axl::test {
namespace {

TEST(Alarm, FiresOnceAfterItsDelayAndIsReplacedOrCancelled) {
    SystemBuilder b;
    b.add_program("A", "kt_alarm_user");
    sim::RunReport r = run(b);
    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "A"),
              L("set 5us -> ok", "fired ok type_notify=1 after>=5us=1 after<6us=1", "set 1us -> ok", "cancel -> ok",
                "set 20us -> ok", "replace with 30us -> ok", "fired ok from_clock=1 after>=30us=1 after<31us=1",
                "set then exit -> ok"));
    // The alarm of a process that ended does not keep the run going or fire.
    EXPECT_LT(r.virtual_ns, 80'000u);
}

TEST(Alarm, NeedsThePrivilege) {
    SystemBuilder b;
    auto& p = b.add("A", "log start");
    p.kernel_calls &= ~bit(KernelCall::alarm);
    p.program = "kt_alarm_user";
    sim::RunReport r = run(b);
    EXPECT_EQ(lines_of(r, "A").front(), "set 5us -> call_denied");
}

}  // namespace
}  // namespace axl::test
