// device_grant: the PCI server's call that adds a BAR's range or an IRQ line
// to a driver's rights while the system runs. A driver refused a register
// before the grant reaches it after, in both access models; the grant is
// checked before anything changes (bad arguments, a dead driver, a full
// table), and a range the driver already holds changes nothing.
#include <gtest/gtest.h>

#include <string>

#include "hw/timer.h"
#include "kernel/api/device.h"
#include "kernel/api/ipc.h"
#include "sim/config/system_description.h"
#include "sim/port/simulator.h"
#include "tests/support/script_program.h"

namespace {
using namespace axl;

constexpr uint32_t ask = 0x6A01;
constexpr uint16_t timer_base = 0x1000;

// Waits for the driver to ask, tries the refusals, then grants it the
// timer's ports and line, twice (the second changes nothing), and answers.
AXL_PROGRAM(kt_granter, "device_grant_test: grants the asker the timer's ports and line",
            integer_option("direct", 0, 0, 1, "grant in the direct access model")) {
    Message m;
    if (receive(endpoints::any, m) != Status::ok) return 1;
    const Endpoint driver = m.source;
    const uint64_t last = timer_base + hw::timer::io_size - 1;
    const bool direct = arg_int("direct", 0) != 0;
    log("unknown resource -> %s",
        to_string(device_grant(driver, static_cast<DeviceResource>(7), timer_base, last, direct)));
    log("first above last -> %s", to_string(device_grant(driver, DeviceResource::io, last, timer_base, direct)));
    log("port above 0xFFFF -> %s", to_string(device_grant(driver, DeviceResource::io, 0xFFF0, 0x10000, direct)));
    log("line 64 -> %s", to_string(device_grant(driver, DeviceResource::irq, 64, 64, false)));
    log("a range of lines -> %s", to_string(device_grant(driver, DeviceResource::irq, 0, 1, false)));
    log("no process -> %s", to_string(device_grant(Endpoint{0x7FFF'0000}, DeviceResource::io, 1, 2, false)));
    log("ports -> %s", to_string(device_grant(driver, DeviceResource::io, timer_base, last, direct)));
    log("ports again -> %s", to_string(device_grant(driver, DeviceResource::io, timer_base, last, direct)));
    log("line -> %s", to_string(device_grant(driver, DeviceResource::irq, 0, 0, false)));
    // Room for config::mmio_ranges_max memory ranges, then no more.
    Status status = Status::ok;
    uint32_t granted = 0;
    for (; granted < 16 && status == Status::ok; ++granted) {
        const uint64_t first = 0xFEB0'0000ull + granted * 0x1000;
        status = device_grant(driver, DeviceResource::mmio, first, first + 0xFFF, direct);
    }
    log("memory ranges -> %u, then %s", granted - 1, to_string(status));
    m = Message{};
    return send(driver, m) == Status::ok ? 0 : 1;
}

AXL_PROGRAM(kt_nominal_driver, "device_grant_test: the timer's driver in the description, which does nothing") {
    return 0;
}

AXL_PROGRAM(kt_grantee, "device_grant_test: reads a timer register before and after it is granted") {
    uint32_t value = 0;
    log("before -> %s", to_string(io_read(timer_base + hw::timer::period, value, IoWidth::word)));
    log("line before -> %s", to_string(irq_attach(0)));
    Endpoint granter;
    if (lookup("granter", granter) != Status::ok) return 1;
    Message m;
    if (sendrec(granter, m) != Status::ok) return 1;
    log("after -> %s", to_string(io_read(timer_base + hw::timer::period, value, IoWidth::word)));
    log("past the range -> %s", to_string(io_read(timer_base + hw::timer::io_size, value, IoWidth::word)));
    log("line after -> %s", to_string(irq_attach(0)));
    return 0;
}

}  // namespace

namespace axl::test {
namespace {

std::string system_text(const char* granter_calls, bool direct) {
    return std::string(R"(
[system]
name = "device_grant"
[[device]]
name = "timer0"
kind = "timer"
driver = "owner"
irq = 0
io_base = 4096
[[process]]
name = "owner"
program = "kt_nominal_driver"
priority = 12
kernel_calls = ["log"]
[[process]]
name = "granter"
program = "kt_granter"
primitives = ["receive", "send"]
destinations = ["driver"]
kernel_calls = )") + granter_calls + R"(
[process.args]
direct = )" + (direct ? "1" : "0") + R"(
[[process]]
name = "driver"
program = "kt_grantee"
primitives = ["sendrec"]
destinations = ["granter"]
kernel_calls = ["log", "lookup", "device_io", "irq_control"]
)";
}

TEST(DeviceGrant, ADriverReachesWhatWasGrantedAndNothingElse) {
    for (bool direct : {false, true}) {
        sim::SystemDescription system =
            sim::parse_system_description(system_text(R"(["log", "device_grant"])", direct), "device_grant.toml");
        sim::RunReport r = run(system);
        EXPECT_EQ(lines_of(r, "granter"),
                  L("unknown resource -> bad_argument", "first above last -> bad_argument",
                    "port above 0xFFFF -> bad_argument", "line 64 -> bad_argument", "a range of lines -> bad_argument",
                    "no process -> bad_endpoint", "ports -> ok", "ports again -> ok", "line -> ok",
                    "memory ranges -> 6, then no_space"))
            << (direct ? "direct" : "kernel");
        EXPECT_EQ(lines_of(r, "driver"), L("before -> resource_denied", "line before -> resource_denied",
                                           "after -> ok", "past the range -> resource_denied", "line after -> ok"))
            << (direct ? "direct" : "kernel");
    }
}

TEST(DeviceGrant, WithoutTheCallNothingIsGranted) {
    sim::SystemDescription system =
        sim::parse_system_description(system_text(R"(["log"])", false), "device_grant.toml");
    sim::RunReport r = run(system);
    EXPECT_EQ(lines_of(r, "granter"),
              L("unknown resource -> call_denied", "first above last -> call_denied",
                "port above 0xFFFF -> call_denied", "line 64 -> call_denied", "a range of lines -> call_denied",
                "no process -> call_denied", "ports -> call_denied", "ports again -> call_denied",
                "line -> call_denied", "memory ranges -> 0, then call_denied"));
    EXPECT_EQ(lines_of(r, "driver"), L("before -> resource_denied", "line before -> resource_denied",
                                       "after -> resource_denied", "past the range -> resource_denied",
                                       "line after -> resource_denied"));
}

}  // namespace
}  // namespace axl::test
