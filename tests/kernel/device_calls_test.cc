// Device kernel calls and their privilege checks: device_io, irq_control,
// alarm, grant and safecopy. A process without a call's privilege is refused
// it (call_denied); one with the call but without the resource (a port outside
// its ranges, a line it was not given, a grant not made to it) is refused the
// resource (resource_denied); in both cases nothing happens to the device.
// Under the direct access model the same refusals hold: a port outside the
// ranges opened to the driver is not reachable without the kernel, and the
// kernel refuses it.
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <string>
#include <vector>

#include "hw/timer.h"
#include "kernel/api/device.h"
#include "kernel/api/grant.h"
#include "sim/port/simulator.h"
#include "sim/config/system_description.h"
#include "tests/support/script_program.h"

namespace {
using namespace axl;

uint16_t timer_base() { return static_cast<uint16_t>(arg_int("io_base", 0x1000)); }

// Tries every device call and logs "what -> status".
AXL_PROGRAM(kt_device_prober, "device_calls_test: tries every device kernel call and logs the statuses",
            integer_option("io_base", 0x1000, 0, 0xFFFF, "the timer's first port"),
            integer_option("irq", 0, 0, 63, "the timer's interrupt line")) {
    uint32_t value = 0;
    log("io_read in range -> %s", to_string(io_read(timer_base() + hw::timer::period, value, IoWidth::word)));
    log("io_write in range -> %s",
        to_string(io_write(timer_base() + hw::timer::period, 5000, IoWidth::word)));
    log("io_read past range -> %s", to_string(io_read(timer_base() + hw::timer::io_size, value, IoWidth::word)));
    log("io_read straddling -> %s",
        to_string(io_read(timer_base() + hw::timer::io_size - 2, value, IoWidth::word)));
    log("io_read 0x3f8 -> %s", to_string(io_read(0x3F8, value)));
    log("irq_attach own -> %s", to_string(irq_attach(static_cast<uint32_t>(arg_int("irq", 0)))));
    log("irq_attach other -> %s", to_string(irq_attach(9)));
    log("irq_enable unattached -> %s", to_string(irq_enable(10)));
    log("irq_attach 64 -> %s", to_string(irq_attach(64)));
    log("alarm -> %s", to_string(set_alarm(1000)));
    uint8_t buffer[16] = {};
    GrantId grant;
    log("grant -> %s", to_string(grant_create(self(), buffer, sizeof buffer, GrantAccess::read, grant)));
    log("safecopy -> %s", to_string(safecopy_from(self(), grant, 0, buffer, 4)));
    return 0;
}

// Reads the timer's period register back: proves whether a refused write changed it.
AXL_PROGRAM(kt_period_reader, "device_calls_test: logs the timer's period register") {
    uint32_t value = 0;
    Status s = io_read(timer_base() + hw::timer::period, value, IoWidth::word);
    log("period %s %u", to_string(s), value);
    return 0;
}
}  // namespace

namespace axl::test {
namespace {

sim::SystemDescription system_with(const std::string& prober_privileges, const std::string& access) {
    const std::string text = R"(
[system]
name = "device_calls"
[[device]]
name = "timer0"
kind = "timer"
driver = "owner"
irq = 0
access = ")" + access + R"("
[[process]]
name = "prober"
program = "kt_device_prober"
)" + prober_privileges + R"(
[process.args]
io_base = 4096
irq = 0
[[process]]
name = "owner"
program = "kt_period_reader"
priority = 12
)";
    return sim::parse_system_description(text, "device_calls.toml");
}

class DeviceCalls : public ::testing::TestWithParam<std::string> {};

// The prober drives nothing: it has no ranges and no lines, and without the
// kernel calls not even the attempt is allowed.
TEST_P(DeviceCalls, WithoutThePrivilegeEveryCallIsRefused) {
    sim::RunReport r = run(system_with(R"(primitives = ["sendrec"]
kernel_calls = ["log", "self"])", GetParam()));
    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "prober"),
              L("io_read in range -> call_denied", "io_write in range -> call_denied", "io_read past range -> call_denied",
                "io_read straddling -> call_denied", "io_read 0x3f8 -> call_denied", "irq_attach own -> call_denied",
                "irq_attach other -> call_denied", "irq_enable unattached -> call_denied",
                "irq_attach 64 -> call_denied", "alarm -> call_denied", "grant -> call_denied",
                "safecopy -> call_denied"));
    EXPECT_EQ(lines_of(r, "owner"), L("period ok 0")) << "the refused write reached the device";
}

// With the kernel calls but none of the device's resources: every register
// and line is refused as a resource.
TEST_P(DeviceCalls, WithTheCallsButNotTheDeviceEveryAccessIsRefused) {
    sim::RunReport r = run(system_with(R"(primitives = ["sendrec"]
kernel_calls = ["log", "self", "device_io", "irq_control", "alarm", "grant", "safecopy"])", GetParam()));
    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "prober"),
              L("io_read in range -> resource_denied", "io_write in range -> resource_denied",
                "io_read past range -> resource_denied", "io_read straddling -> resource_denied",
                "io_read 0x3f8 -> resource_denied", "irq_attach own -> resource_denied",
                "irq_attach other -> resource_denied", "irq_enable unattached -> resource_denied",
                "irq_attach 64 -> bad_argument", "alarm -> ok", "grant -> ok", "safecopy -> ok"));
    EXPECT_EQ(lines_of(r, "owner"), L("period ok 0"));
}

INSTANTIATE_TEST_SUITE_P(AccessModels, DeviceCalls, ::testing::Values("kernel", "direct"));

// The driver of the device gets exactly its registers and its line.
TEST(DeviceCalls, TheDriverReachesItsOwnRegistersOnly) {
    for (const char* access : {"kernel", "direct"}) {
        const std::string text = std::string(R"(
[system]
name = "own_device"
[[device]]
kind = "timer"
driver = "prober"
irq = 0
access = ")") + access + R"("
[[process]]
name = "prober"
program = "kt_device_prober"
kernel_calls = ["log", "self", "alarm", "grant", "safecopy"]
)";
        sim::RunReport r = run(sim::parse_system_description(text, "own_device.toml"));
        ASSERT_TRUE(r.ok) << describe(r);
        EXPECT_EQ(lines_of(r, "prober"),
                  L("io_read in range -> ok", "io_write in range -> ok", "io_read past range -> resource_denied",
                    "io_read straddling -> resource_denied", "io_read 0x3f8 -> resource_denied",
                    "irq_attach own -> ok", "irq_attach other -> resource_denied",
                    "irq_enable unattached -> resource_denied", "irq_attach 64 -> bad_argument", "alarm -> ok",
                    "grant -> ok", "safecopy -> ok"))
            << access;
    }
}

}  // namespace
}  // namespace axl::test

namespace {
using namespace axl;

// Sets the timer's one-shot 20 us ahead, computes for 100 us (the interrupt
// arrives meanwhile), then receives the notification: it must say when the
// line was raised, not when it was delivered.
AXL_PROGRAM(kt_irq_timestamp, "device_calls_test: checks a hardware notification's irq_raised_at_ns") {
    const uint16_t base = static_cast<uint16_t>(arg_int("io_base", 0x1000));
    if (irq_attach(0) != Status::ok) return 1;
    uint64_t set_at = 0;
    (void)clock(set_at);
    (void)io_write(base + hw::timer::control, hw::timer::irq_enable, IoWidth::word);
    (void)io_write(base + hw::timer::one_shot, 20'000, IoWidth::word);
    (void)compute(100'000);
    Message m;
    if (receive(endpoints::hardware, m) != Status::ok) return 2;
    uint64_t now = 0;
    (void)clock(now);
    const uint64_t raised = irq_raised_at_ns(m);
    const bool in_time = raised >= set_at + 20'000 && raised <= set_at + 21'000;
    const bool waited = now >= raised + 79'000;
    log("%s: raised %s, delivered %s", irq_lines_of(m) == 1 ? "line 0" : "another line",
        in_time ? "when the one-shot fired" : "at the wrong time", waited ? "after the computation" : "too early");
    return 0;
}
}  // namespace

namespace axl::test {
namespace {

TEST(DeviceCalls, AHardwareNotificationSaysWhenItsLineWasRaised) {
    const std::string text = R"(
[system]
name = "irq_timestamp"
[[device]]
kind = "timer"
driver = "driver"
irq = 0
[[process]]
name = "driver"
program = "kt_irq_timestamp"
primitives = ["receive"]
kernel_calls = ["log", "clock", "compute"]
)";
    sim::RunReport r = run(sim::parse_system_description(text, "irq_timestamp.toml"));
    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "driver"), L("line 0: raised when the one-shot fired, delivered after the computation"));
}

}  // namespace
}  // namespace axl::test
