// Linux's drivers, unmodified, as Axolotl driver processes (issue 15): the
// four of workloads/linux_*.toml, each under every IPC strategy, each run
// twice to show the run is a pure function of its seed (host traffic aside),
// each judged by what its device saw: pvpanic-pci reports the process's
// panics, the watchdogs fire when left unpinged and never when pinged, and
// ne2k-pci echoes a real host client's datagrams.
//
// A driver that passes here is recorded for the coverage tiers
// (tools/linux/coverage.py): BUILD/linux/tiers/T2.d/<module> (it probed its
// simulated device) and T3.d/<module> (it passed its functional test, hosted).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "sim/config/system_description.h"
#include "sim/harness/scenario.h"
#include "sim/harness/scenario_run.h"
#include "sim/port/simulator.h"
#include "tests/support/report_text.h"
#include "tests/support/source_dir.h"
#include "tests/support/temp_dir.h"
#include "tests/support/udp_peer.h"

namespace axl::sim {
namespace {

constexpr IpcStrategyKind all_strategies[] = {IpcStrategyKind::rendezvous, IpcStrategyKind::ring,
                                              IpcStrategyKind::queue};
constexpr uint64_t second = 1'000'000'000;

std::string workload_text(const std::string& name) {
    std::ifstream in(test::source_dir() + "/workloads/" + name);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// The workload's text with `from` replaced by `to` (each must be there once).
std::string edited(std::string text, const std::string& from, const std::string& to) {
    const size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    return text;
}

// The workload with its device in `access` model ("kernel" is every
// description's default): the driver's register accesses are kernel calls,
// or, "direct", plain accesses to the ranges opened to it. The Linux driver's
// source is the same either way.
std::string with_access(const std::string& text, const std::string& driver, const std::string& access) {
    if (access == "kernel") return text;
    return edited(text, "driver = \"" + driver + "\"\n", "driver = \"" + driver + "\"\naccess = \"" + access + "\"\n");
}

constexpr const char* access_models[] = {"kernel", "direct"};

RunReport run_text(const std::string& text, const std::string& name, IpcStrategyKind ipc) {
    DescriptionOverrides overrides;
    overrides.ipc = ipc;
    RunOptions options;
    options.echo_console = false;
    Simulator simulator(parse_system_description(text, name, overrides), options);
    return simulator.run();
}

const ProcessReport* process(const RunReport& report, const std::string& name) {
    for (const ProcessReport& p : report.processes)
        if (p.name == name) return &p;
    return nullptr;
}

size_t console_count(const RunReport& report, const std::string& needle) {
    size_t count = 0;
    for (const std::string& line : report.console) count += line.find(needle) != std::string::npos;
    return count;
}

// Records a passed driver for tools/linux/coverage.py's tiers.
void record_tier(const char* tier, const char* module) {
    const char* bin = std::getenv("AXL_BIN_DIR");
    if (!bin) return;
    const std::filesystem::path folder = std::filesystem::path(bin) / ".." / "linux" / "tiers" / (std::string(tier) + ".d");
    std::error_code ignored;
    std::filesystem::create_directories(folder, ignored);
    std::ofstream(folder / module) << "hosted: tests/linux_env/linux_drivers_test.cc\n";
}

TEST(LinuxDrivers, PvpanicPciReportsEveryPanicOfItsProcessWhichComesBackEachTime) {
    for (const char* access : access_models)
    for (IpcStrategyKind ipc : all_strategies) {
        SCOPED_TRACE(std::string(access) + " " + to_string(ipc));
        const std::string text = with_access(workload_text("linux_pvpanic.toml"), "pvpanic", access);
        const RunReport report = run_text(text, "linux_pvpanic.toml", ipc);
        ASSERT_TRUE(report.ok) << test::report_text(report);
        ASSERT_EQ(report.device_events.size(), 2u) << test::report_text(report);
        for (const DeviceEventReport& event : report.device_events) {
            EXPECT_EQ(event.device, "pvpanic0");
            EXPECT_EQ(event.what, "panicked");
        }
        EXPECT_EQ(console_count(report, "Kernel panic - not syncing: requested by linux_panic"), 2u);
        EXPECT_EQ(console_count(report, "linux: linux_pvpanic_pci: started"), 3u) << "probed again after each panic";
        ASSERT_NE(process(report, "pvpanic"), nullptr);
        EXPECT_EQ(process(report, "pvpanic")->restarts, 2u);
        EXPECT_EQ(run_text(text, "linux_pvpanic.toml", ipc).digest, report.digest) << "the same seed, another run";
    }
    record_tier("T2", "pvpanic-pci");
    record_tier("T3", "pvpanic-pci");
}

struct Watchdog {
    const char* workload;
    const char* module;
    const char* started;  // what the driver logs when it probed
};
constexpr Watchdog watchdogs[] = {
    {"linux_watchdog.toml", "i6300esb", "i6300ESB timer 0000:00:03.0: initialized. heartbeat=30 sec"},
    {"linux_ib700.toml", "ib700wdt", "ib700wdt: WDT driver for IB700 single board computer initialising"},
};

TEST(LinuxDrivers, APingedWatchdogNeverFiresAndTheMagicCloseStopsIt) {
    for (const Watchdog& watchdog : watchdogs)
    for (const char* access : access_models) {
        const std::string text = with_access(workload_text(watchdog.workload), "watchdog", access);
        for (IpcStrategyKind ipc : all_strategies) {
            SCOPED_TRACE(std::string(watchdog.module) + " " + access + " " + to_string(ipc));
            const RunReport report = run_text(text, watchdog.workload, ipc);
            ASSERT_TRUE(report.ok) << test::report_text(report);
            EXPECT_TRUE(report.device_events.empty()) << test::report_text(report);
            EXPECT_EQ(console_count(report, watchdog.started), 1u) << test::report_text(report);
            EXPECT_EQ(console_count(report, "stopped by the magic close"), 1u) << test::report_text(report);
            EXPECT_EQ(run_text(text, watchdog.workload, ipc).digest, report.digest) << "the same seed, another run";
        }
    }
}

TEST(LinuxDrivers, AWatchdogLeftUnpingedFiresOneTimeoutAfterTheLastPing) {
    for (const Watchdog& watchdog : watchdogs) {
        // Pings every interval, then stops pinging and keeps the device open.
        const std::string text = edited(workload_text(watchdog.workload), "magic_close = 1", "magic_close = 0\nlinger_ms = 60000");
        const bool esb = std::string(watchdog.module) == "i6300esb";
        const uint64_t last_ping = esb ? 10 * second / 2 : 6 * second / 2;  // 10 or 6 pings, 500 ms apart
        const uint64_t timeout = 2 * second;
        for (IpcStrategyKind ipc : all_strategies) {
            SCOPED_TRACE(std::string(watchdog.module) + " " + to_string(ipc));
            const RunReport report = run_text(text, watchdog.workload, ipc);
            ASSERT_TRUE(report.ok) << test::report_text(report);
            ASSERT_EQ(report.device_events.size(), 1u) << test::report_text(report);
            EXPECT_EQ(report.device_events[0].device, "wdt");
            EXPECT_EQ(report.device_events[0].what, "watchdog reset");
            EXPECT_EQ(report.stopped_by_device, "wdt: watchdog reset");
            // The last ping reached the device a few microseconds after its time.
            EXPECT_GE(report.device_events[0].time_ns, last_ping + timeout);
            EXPECT_LT(report.device_events[0].time_ns, last_ping + timeout + second / 1000);
            EXPECT_EQ(run_text(text, watchdog.workload, ipc).digest, report.digest) << "the same seed, another run";
        }
        record_tier("T2", watchdog.module);
        record_tier("T3", watchdog.module);
    }
}

TEST(LinuxDrivers, Ne2kPciEchoesARealHostClientsDatagrams) {
    const size_t sizes[] = {1, 5, 46, 300, 1000, 1500};
    for (const char* access : access_models)
    for (IpcStrategyKind ipc : all_strategies) {
        SCOPED_TRACE(std::string(access) + " " + to_string(ipc));
        uint16_t port = 0;
        {
            test::UdpPeer probe;  // a port free right now
            port = probe.port();
        }
        std::string text = edited(with_access(workload_text("linux_ne2k_echo.toml"), "net", access), "udp_port = 7071",
                                  "udp_port = " + std::to_string(port));
        text = edited(text, "frames = 4", "frames = " + std::to_string(std::size(sizes)));
        DescriptionOverrides overrides;
        overrides.ipc = ipc;
        RunOptions options;
        options.echo_console = false;
        Simulator simulator(parse_system_description(text, "linux_ne2k_echo.toml", overrides), options);
        test::UdpPeer client;
        std::vector<std::string> problems;
        const RunReport report = test::beside_host([&](const std::atomic<bool>& over) {
            for (size_t i = 0; i < std::size(sizes) && !over.load(); ++i) {
                std::vector<uint8_t> sent(sizes[i]);
                for (size_t b = 0; b < sent.size(); ++b) sent[b] = static_cast<uint8_t>(b * 7 + i);
                client.send_to(port, sent);
                std::vector<uint8_t> got;
                if (!client.receive(got, 20'000)) {
                    problems.push_back("no echo of datagram " + std::to_string(i));
                    break;
                }
                if (got != sent) problems.push_back("datagram " + std::to_string(i) + " came back changed");
            }
            while (!problems.empty() && !over.load()) {  // let the echo server reach its count
                client.send_to(port, {0});
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            }
        }, [&] { return simulator.run(); });
        EXPECT_TRUE(problems.empty()) << problems.front() << "\n" << test::report_text(report);
        ASSERT_TRUE(report.ok) << test::report_text(report);
        EXPECT_EQ(console_count(report, "eth0: RealTek RTL-8029(AS) found at 0xc000, IRQ 5"), 1u)
            << test::report_text(report);
        EXPECT_EQ(console_count(report, "ok: echoed " + std::to_string(std::size(sizes)) + " frames"), 1u)
            << test::report_text(report);
    }
    record_tier("T2", "ne2k-pci");
    record_tier("T3", "ne2k-pci");
}

// Module parameters, as insmod takes them, from the process's `params`
// argument: Linux's own parse_args sets them before the modules' inits run.
TEST(LinuxDrivers, ModuleParametersFromTheDescriptionReachTheDriver) {
    const std::string restart = "[process.restart]\nlimit = 3\nbackoff = \"1ms\"\n";
    const std::string text = edited(workload_text("linux_watchdog.toml"), restart,
                                    restart + "[process.args]\nparams = \"heartbeat=10 nowayout=0\"\n");
    const RunReport report = run_text(text, "linux_watchdog.toml", IpcStrategyKind::rendezvous);
    ASSERT_TRUE(report.ok) << test::report_text(report);
    EXPECT_EQ(console_count(report, "i6300ESB timer 0000:00:03.0: initialized. heartbeat=10 sec (nowayout=0)"), 1u)
        << test::report_text(report);

    // An unknown one: Linux's parser refuses it, the driver does not start.
    const std::string unknown = edited(workload_text("linux_watchdog.toml"), restart,
                                       "[process.args]\nparams = \"no_such_parameter=1\"\n");
    const RunReport refused = run_text(unknown, "linux_watchdog.toml", IpcStrategyKind::rendezvous);
    EXPECT_FALSE(refused.ok);
    EXPECT_EQ(console_count(refused, "unknown module parameter 'no_such_parameter'"), 1u) << test::report_text(refused);
}

// Self-healing: the driver process crashes while its watchdog is open and
// pinged; rs restarts it, Linux's driver probes the device again, the daemon
// reopens it, and the watchdog never fires.
TEST(LinuxDrivers, ACrashedWatchdogDriverComesBackAndTheWatchdogKeepsBeingPinged) {
    for (IpcStrategyKind ipc : all_strategies) {
        SCOPED_TRACE(to_string(ipc));
        // The shipped scenario, under this strategy.
        std::string text = std::string(workload_text("scenarios/linux_watchdog_crash.toml"));
        text = edited(text, "system = \"../linux_watchdog.toml\"",
                      "system = \"" + test::source_dir() + "/workloads/linux_watchdog.toml\"\nipc = \"" + to_string(ipc) + "\"");
        test::TempDir dir;
        std::ofstream(dir.file("scenario.toml")) << text;
        const Scenario scenario = load_scenario(dir.file("scenario.toml"));
        RunOptions quiet;
        quiet.echo_console = false;
        const ScenarioRun run = run_scenario(scenario, quiet);
        EXPECT_TRUE(run.verdict.passed) << run.detail << "\n" << test::report_text(run.report);
        ASSERT_NE(process(run.report, "watchdog"), nullptr);
        EXPECT_EQ(process(run.report, "watchdog")->restarts, 1u);
        EXPECT_EQ(console_count(run.report, "i6300ESB timer 0000:00:03.0: initialized"), 2u) << "probed again";
        EXPECT_EQ(console_count(run.report, "reopened 1 times"), 1u) << test::report_text(run.report);
        EXPECT_TRUE(run.report.device_events.empty());
    }
}

// Self-healing with a real host: ne2k-pci's process crashes in the middle of
// the traffic (at its 700th kernel call: the third datagram or so); the host
// resends what got no echo, and every datagram comes back once the driver is
// up again.
// The description the bare-metal boot tests also run (boot_linux_i6300esb_restart_*):
// the driver, its registers mapped into it (direct), is made to run Linux's
// panic() mid-work; rs restarts it, it probes again, the daemon reopens the
// device and pings on, and the watchdog never fires.
TEST(LinuxDrivers, AWatchdogDriverKilledByItsOwnPanicComesBackAndIsPingedOn) {
    const std::string text = workload_text("linux_watchdog_restart.toml");
    for (IpcStrategyKind ipc : all_strategies) {
        SCOPED_TRACE(to_string(ipc));
        const RunReport report = run_text(text, "linux_watchdog_restart.toml", ipc);
        ASSERT_TRUE(report.ok) << test::report_text(report);
        EXPECT_TRUE(report.device_events.empty()) << test::report_text(report);
        EXPECT_EQ(console_count(report, "Kernel panic - not syncing: killed mid-work by linux_panic"), 1u);
        EXPECT_EQ(console_count(report, "i6300ESB timer 0000:00:03.0: initialized."), 2u) << "probed again";
        EXPECT_EQ(console_count(report, "stopped by the magic close, reopened 1 times"), 1u)
            << test::report_text(report);
        ASSERT_NE(process(report, "watchdog"), nullptr);
        EXPECT_EQ(process(report, "watchdog")->restarts, 1u);
        EXPECT_EQ(run_text(text, "linux_watchdog_restart.toml", ipc).digest, report.digest) << "the same seed";
    }
}

// What a register read and an interrupt delivery cost the driver
// (workloads/linux_path_length.toml; tools/path-length.sh measures the same
// on bare metal in instructions): every read is done and timed, the direct
// model's reads are cheaper, and interrupts were delivered and timed.
TEST(LinuxDrivers, PathLengthsOfRegisterReadsAndInterruptDeliveries) {
    const RunReport kernel = run_text(workload_text("linux_path_length.toml"), "linux_path_length.toml",
                                      IpcStrategyKind::rendezvous);
    const RunReport direct = run_text(workload_text("linux_path_length_direct.toml"),
                                      "linux_path_length_direct.toml", IpcStrategyKind::rendezvous);
    for (const RunReport* report : {&kernel, &direct}) {
        ASSERT_TRUE(report->ok) << test::report_text(*report);
        EXPECT_EQ(console_count(*report, "ok: 10000 register accesses"), 2u) << test::report_text(*report);
        EXPECT_EQ(console_count(*report, "interrupt deliveries"), 1u) << test::report_text(*report);
    }
    EXPECT_EQ(console_count(kernel, "ok: 10000 register accesses, 210.00 ns each"), 2u) << test::report_text(kernel);
    EXPECT_EQ(console_count(direct, "ok: 10000 register accesses, 150.00 ns each"), 2u) << test::report_text(direct);
}

TEST(LinuxDrivers, Ne2kPciCrashedMidTrafficComesBackAndTheEchoGoesOn) {
    constexpr size_t datagrams = 8;
    uint16_t port = 0;
    {
        test::UdpPeer probe;
        port = probe.port();
    }
    test::TempDir dir;
    std::string system = edited(workload_text("linux_ne2k_echo.toml"), "udp_port = 7071", "udp_port = " + std::to_string(port));
    // Its quota: the datagrams, their resends, then fillers until the run ends.
    system = edited(system, "frames = 4", "frames = 40");
    std::ofstream(dir.file("system.toml")) << system;
    std::ofstream(dir.file("scenario.toml"))
        << "[scenario]\nsystem = \"system.toml\"\n[[fault]]\nkind = \"crash\"\ntarget = \"net\"\n"
           "after_calls = 700\n[expect]\ncompletes = true\nmay_restart = [\"net\"]\nrestarts_max = 1\n";
    const Scenario scenario = load_scenario(dir.file("scenario.toml"));
    RunOptions quiet;
    quiet.echo_console = false;
    test::UdpPeer client;
    std::vector<std::string> problems;
    size_t resends = 0;
    const ScenarioRun run = test::beside_host([&](const std::atomic<bool>& over) {
        for (size_t i = 0; i < datagrams && !over.load(); ++i) {
            const std::vector<uint8_t> sent(100 + i, static_cast<uint8_t>(i + 1));
            bool echoed = false;
            for (int attempt = 0; attempt < 50 && !echoed && !over.load(); ++attempt) {
                if (attempt) ++resends;
                client.send_to(port, sent);
                std::vector<uint8_t> got;
                while (!echoed && client.receive(got, 300)) echoed = got == sent;  // an older echo: skip it
            }
            if (!echoed) problems.push_back("datagram " + std::to_string(i) + " never came back");
        }
        while (!over.load()) {  // fill the echo server's quota so the run ends
            client.send_to(port, {0});
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
    }, [&] { return run_scenario(scenario, quiet); });
    EXPECT_TRUE(problems.empty()) << problems.front() << "\n" << test::report_text(run.report);
    EXPECT_TRUE(run.verdict.passed) << run.detail << "\n" << test::report_text(run.report);
    ASSERT_NE(process(run.report, "net"), nullptr);
    EXPECT_EQ(process(run.report, "net")->restarts, 1u);
    EXPECT_EQ(console_count(run.report, "eth0: RealTek RTL-8029(AS) found at 0xc000, IRQ 5"), 2u) << "probed again";
    EXPECT_EQ(console_count(run.report, "reconnected after the driver's restart"), 1u) << test::report_text(run.report);
}

}  // namespace
}  // namespace axl::sim
