// Watchdogs end to end, judged as scenarios judge them: a driver program
// (written against kernel/api only, as Linux's i6300esb and ib700wdt drivers
// program the chips) sets a timeout, pings a while and then stops pinging.
// Pinged, no device event happens ([expect] device_events = []); not pinged,
// the run shows exactly one "watchdog reset" at the virtual time the timeout
// says; with on_reset = "stop" the run ends there. The i6300esb is found
// through the PCI server and programmed through its configuration space
// (config_write) and memory BAR (mmio_write), in both access models.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "kernel/api/device.h"
#include "kernel/api/ipc.h"
#include "kernel/api/program.h"
#include "kernel/api/protocols/pci.h"
#include "libsys/sleep.h"
#include "sim/harness/scenario.h"
#include "sim/harness/scenario_run.h"
#include "tests/support/report_text.h"
#include "tests/support/temp_dir.h"

namespace {

using namespace axl;

constexpr ProgramOption timeout_option = integer_option("timeout", 2, 1, 30, "watchdog timeout in seconds");
constexpr ProgramOption pings_option = integer_option("pings", 0, 0, 1000, "pings before it stops pinging");
constexpr ProgramOption interval_option = integer_option("interval_ms", 500, 1, 100000, "time between pings");
constexpr ProgramOption linger_option = integer_option("linger_ms", 5000, 0, 100000, "time it waits after the last ping");
constexpr ProgramOption io_base_option = integer_option("io_base", 0x441, 0, 0xFFFF, "the ib700's first port");

using sys::sleep_ms;

void check(Status status, const char* what) {
    if (status != Status::ok) fail("%s: %s", what, to_string(status));
}

struct Esb {
    Endpoint server;
    uint32_t address;
    uint64_t bar;
    void unlock() const {
        check(mmio_write(bar + 0x0C, 0x80, IoWidth::half), "unlock 1");
        check(mmio_write(bar + 0x0C, 0x86, IoWidth::half), "unlock 2");
    }
    void reload(uint32_t bits) const {
        unlock();
        check(mmio_write(bar + 0x0C, bits, IoWidth::half), "reload");
    }
};

AXL_PROGRAM(watchdog_test_esb, "programs an i6300esb as Linux's driver does, pings, then lingers (watchdog tests)",
            timeout_option, pings_option, interval_option, linger_option) {
    Esb esb{};
    if (lookup(arg_string("pci_server", "pci"), esb.server) != Status::ok) fail("no PCI server");
    pci::DeviceInfo info;
    check(pci::device_info(esb.server, 0, info), "device 0");
    if (info.vendor != 0x8086 || info.device != 0x25ab) fail("not an i6300esb: %04x:%04x", info.vendor, info.device);
    esb.address = info.address;
    pci::BarInfo bar;
    check(pci::bar_info(esb.server, info.address, 0, bar), "bar 0");
    esb.bar = bar.base;
    const auto timeout = static_cast<uint32_t>(arg_int("timeout", 2));
    check(pci::write_config(esb.server, esb.address, 0x60, 2, 0x0003), "config");
    check(pci::write_config(esb.server, esb.address, 0x68, 1, 0x00), "lock off");
    esb.reload(0x200 | 0x100);
    esb.unlock();
    check(mmio_write(esb.bar + 0x00, timeout << 9), "timer1");
    esb.unlock();
    check(mmio_write(esb.bar + 0x04, timeout << 9), "timer2");
    esb.reload(0x100);
    check(pci::write_config(esb.server, esb.address, 0x68, 1, 0x02), "enable");
    uint32_t lock = 0;
    check(pci::read_config(esb.server, esb.address, 0x68, 1, lock), "read lock");
    log("started: timeout %u s, lock %#x", timeout, lock);
    for (int64_t i = 0; i < arg_int("pings", 0); ++i) {
        sleep_ms(static_cast<uint64_t>(arg_int("interval_ms", 500)));
        esb.reload(0x100);
    }
    log("no more pings");
    sleep_ms(static_cast<uint64_t>(arg_int("linger_ms", 5000)));
    return 0;
}

AXL_PROGRAM(watchdog_test_ib700, "sets the ib700's timeout as Linux's driver does, pings, then lingers (watchdog tests)",
            timeout_option, pings_option, interval_option, linger_option, io_base_option) {
    const auto base = static_cast<uint16_t>(arg_int("io_base", 0x441));
    const auto timeout = static_cast<uint32_t>(arg_int("timeout", 2));
    const uint32_t margin = 15 - (timeout + 1) / 2;
    check(io_write(static_cast<uint16_t>(base + 2), margin), "start");
    for (int64_t i = 0; i < arg_int("pings", 0); ++i) {
        sleep_ms(static_cast<uint64_t>(arg_int("interval_ms", 500)));
        check(io_write(static_cast<uint16_t>(base + 2), margin), "ping");
    }
    log("no more pings");
    sleep_ms(static_cast<uint64_t>(arg_int("linger_ms", 5000)));
    return 0;
}

}  // namespace

namespace axl::sim {
namespace {

std::string esb_system(const std::string& access, const std::string& args, const std::string& device_extra = "") {
    return "[system]\nname = \"esb\"\n"
           "[[device]]\nname = \"wdt\"\nkind = \"i6300esb\"\ndriver = \"watchdog\"\naccess = \"" + access + "\"\n" +
           device_extra +
           "[[process]]\nname = \"pci\"\nprogram = \"pci\"\nexpect = \"serve\"\n"
           "[[process]]\nname = \"watchdog\"\nprogram = \"watchdog_test_esb\"\nprimitives = [\"sendrec\", \"receive\"]\n"
           "kernel_calls = [\"alarm\", \"log\"]\n[process.args]\n" + args;
}

std::string ib700_system(const std::string& args, const std::string& device_extra = "") {
    return "[system]\nname = \"ib700\"\n"
           "[[device]]\nname = \"wdt\"\nkind = \"ib700\"\ndriver = \"watchdog\"\n" + device_extra +
           "[[process]]\nname = \"watchdog\"\nprogram = \"watchdog_test_ib700\"\nprimitives = [\"receive\"]\n"
           "kernel_calls = [\"alarm\", \"log\"]\n[process.args]\n" + args;
}

class WatchdogScenarios : public ::testing::Test {
protected:
    ScenarioRun run(const std::string& system, const std::string& expect) const {
        std::ofstream(m_dir.file("system.toml")) << system;
        const Scenario scenario =
            parse_scenario("[scenario]\nsystem = \"system.toml\"\n[expect]\n" + expect, m_dir.file("scenario.toml"));
        RunOptions quiet;
        quiet.echo_console = false;
        return run_scenario(scenario, quiet);
    }
    test::TempDir m_dir;
};

constexpr uint64_t second = 1'000'000'000;

TEST_F(WatchdogScenarios, APingedI6300esbNeverFires) {
    for (const char* access : {"kernel", "direct"}) {
        SCOPED_TRACE(access);
        const ScenarioRun result = run(esb_system(access, "timeout = 2\npings = 10\ninterval_ms = 900\nlinger_ms = 1500\n"),
                                       "device_events = []\n");
        EXPECT_TRUE(result.verdict.passed) << result.detail << "\n" << test::report_text(result.report);
        EXPECT_TRUE(result.report.device_events.empty());
    }
}

TEST_F(WatchdogScenarios, AnI6300esbNotPingedFiresOnceAfterItsTimeout) {
    for (const char* access : {"kernel", "direct"}) {
        SCOPED_TRACE(access);
        const ScenarioRun result = run(esb_system(access, "timeout = 3\npings = 2\ninterval_ms = 1000\nlinger_ms = 10000\n"),
                                       "device_events = [\"wdt: watchdog reset\"]\n");
        EXPECT_TRUE(result.verdict.passed) << result.detail << "\n" << test::report_text(result.report);
        ASSERT_EQ(result.report.device_events.size(), 1u);
        // Last ping at 2 s (plus the few microseconds the program took): the reset 3 s later.
        const uint64_t at = result.report.device_events[0].time_ns;
        EXPECT_GE(at, 5 * second);
        EXPECT_LT(at, 5 * second + second / 1000);
    }
}

TEST_F(WatchdogScenarios, TheVerdictFailsWhenTheWatchdogDoesOtherwiseThanExpected) {
    const ScenarioRun fired = run(esb_system("kernel", "timeout = 1\npings = 0\nlinger_ms = 3000\n"), "device_events = []\n");
    EXPECT_FALSE(fired.verdict.passed);
    EXPECT_NE(fired.detail.find("device events were [wdt: watchdog reset at "), std::string::npos) << fired.detail;
    const ScenarioRun quiet = run(esb_system("kernel", "timeout = 5\npings = 0\nlinger_ms = 1000\n"),
                                  "device_events = [\"watchdog reset\"]\n");
    EXPECT_FALSE(quiet.verdict.passed);
    EXPECT_NE(quiet.detail.find("device events were []; device_events (line 4) wants [watchdog reset]"),
              std::string::npos)
        << quiet.detail;
}

TEST_F(WatchdogScenarios, OnResetStopEndsTheRunAtTheReset) {
    const ScenarioRun result = run(esb_system("kernel", "timeout = 2\npings = 0\nlinger_ms = 60000\n",
                                              "on_reset = \"stop\"\n"),
                                   "device_events = [\"watchdog reset\"]\n");
    EXPECT_TRUE(result.verdict.passed) << result.detail << "\n" << test::report_text(result.report);
    EXPECT_EQ(result.report.stopped_by_device, "wdt: watchdog reset");
    EXPECT_LT(result.report.virtual_ns, 3 * second) << "not the 60 s it would have lingered";
    EXPECT_TRUE(result.report.ok) << "the lingering driver is not held to exiting";
}

TEST_F(WatchdogScenarios, TheIb700FiresWhenNotPingedAndNotWhenPinged) {
    const ScenarioRun pinged = run(ib700_system("timeout = 4\npings = 8\ninterval_ms = 2000\nlinger_ms = 3000\n"),
                                   "device_events = []\n");
    EXPECT_TRUE(pinged.verdict.passed) << pinged.detail << "\n" << test::report_text(pinged.report);
    const ScenarioRun unpinged = run(ib700_system("timeout = 4\npings = 1\ninterval_ms = 2000\nlinger_ms = 10000\n"),
                                     "device_events = [\"wdt: watchdog reset\"]\n");
    EXPECT_TRUE(unpinged.verdict.passed) << unpinged.detail << "\n" << test::report_text(unpinged.report);
    ASSERT_EQ(unpinged.report.device_events.size(), 1u);
    EXPECT_GE(unpinged.report.device_events[0].time_ns, 6 * second);
    EXPECT_LT(unpinged.report.device_events[0].time_ns, 6 * second + second / 1000);
}

TEST_F(WatchdogScenarios, ADeviceEventEntryMustNameADeviceOfTheSystem) {
    std::ofstream(m_dir.file("system.toml")) << ib700_system("");
    try {
        parse_scenario("[scenario]\nsystem = \"system.toml\"\n[expect]\ndevice_events = [\"eth0: watchdog reset\"]\n",
                       m_dir.file("scenario.toml"));
        FAIL() << "accepted";
    } catch (const DescriptionError& error) {
        EXPECT_NE(std::string(error.what()).find("scenario.toml:4: device_events entry 'eth0: watchdog reset': system "
                                                 "'ib700' has no device 'eth0'"),
                  std::string::npos)
            << error.what();
    }
}

}  // namespace
}  // namespace axl::sim
