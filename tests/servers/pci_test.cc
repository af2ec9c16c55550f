// The PCI server (servers/pci.cc) on the hosted machine's PCI bus: it
// enumerates the bus through ports 0xCF8..0xCFF, tells a granted driver
// about its function (identity, BARs, IRQ line) and lets it reach its
// configuration space; it refuses a process the system description did not
// grant the function. The driver then reaches its memory BAR with mmio_read /
// mmio_write in both access models; a pvpanic-pci device turns the reported
// panic into a device event.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "kernel/api/device.h"
#include "kernel/api/ipc.h"
#include "kernel/api/program.h"
#include "kernel/api/protocols/pci.h"
#include "sim/config/system_description.h"
#include "sim/harness/fault_injector.h"
#include "sim/port/simulator.h"
#include "tests/support/report_text.h"

namespace {

using namespace axl;

Endpoint pci_server() {
    Endpoint server;
    if (lookup(arg_string("pci_server", "pci"), server) != Status::ok) fail("no PCI server");
    return server;
}

// A pvpanic-pci driver in miniature: finds its device, checks what the
// server says against what the device's profile is, reads the register and
// reports a panic.
constexpr ProgramOption serve_option = integer_option("serve", 0, 0, 1, "1: wait for good when done, as a service");

AXL_PROGRAM(pci_test_driver, "asks the PCI server for its device and reports a panic through it (pci tests)",
            serve_option) {
    const Endpoint server = pci_server();
    pci::DeviceInfo info;
    Status status = pci::device_info(server, 0, info);
    if (status != Status::ok) fail("device 0: %s", to_string(status));
    log("device %02x:%02x.%x %04x:%04x sub %04x:%04x class %06x rev %u irq %u pin %u bars %#x", info.address >> 8,
        info.address >> 3 & 31, info.address & 7, info.vendor, info.device, info.subsystem_vendor,
        info.subsystem_device, info.class_code, info.revision, info.irq_line, info.interrupt_pin, info.bars_present);
    pci::BarInfo bar;
    status = pci::bar_info(server, info.address, 0, bar);
    if (status != Status::ok) fail("bar 0: %s", to_string(status));
    log("bar0 %s base %#llx size %llu", bar.is_io() ? "io" : "mem", static_cast<unsigned long long>(bar.base),
        static_cast<unsigned long long>(bar.size));
    log("bar 1 -> %s", to_string(pci::bar_info(server, info.address, 1, bar)));
    log("device 1 -> %s", to_string(pci::device_info(server, 1, info)));
    uint32_t value = 0;
    status = pci::read_config(server, info.address, 0, 4, value);
    log("config_read vendor -> %s %#x", to_string(status), value);
    log("config_read misaligned -> %s", to_string(pci::read_config(server, info.address, 1, 2, value)));
    log("config_write bar0 elsewhere -> %s", to_string(pci::write_config(server, info.address, 0x10, 4, 0x1000)));
    log("config_write bar0 probe -> %s", to_string(pci::write_config(server, info.address, 0x10, 4, 0xFFFF'FFFF)));
    (void)pci::read_config(server, info.address, 0x10, 4, value);
    log("bar0 probed reads %#x", value);
    log("config_write bar0 restore -> %s", to_string(pci::write_config(server, info.address, 0x10, 4,
                                                                        static_cast<uint32_t>(bar.base))));
    log("config_read 0x3c foreign -> %s", to_string(pci::read_config(server, 0x00, 0x3c, 1, value)));  // the host bridge

    status = mmio_read(bar.base, value, IoWidth::byte);
    log("mmio_read events -> %s %#x", to_string(status), value);
    log("mmio_read past the bar -> %s", to_string(mmio_read(bar.base + bar.size, value, IoWidth::byte)));
    status = mmio_write(bar.base, 1, IoWidth::byte);
    log("mmio_write panicked -> %s", to_string(status));
    if (arg_int("serve", 0)) {
        Message never;
        (void)receive(endpoints::clock, never);  // no alarm is set: blocks for good
    }
    return 0;
}

// A process that is not the device's driver.
AXL_PROGRAM(pci_test_intruder, "asks the PCI server for a device it was not granted (pci tests)") {
    const Endpoint server = pci_server();
    pci::DeviceInfo info;
    log("intruder device 0 -> %s", to_string(pci::device_info(server, 0, info)));
    uint32_t value = 0;
    log("intruder config_read -> %s", to_string(pci::read_config(server, 0x18, 0, 4, value)));
    log("intruder config_write -> %s", to_string(pci::write_config(server, 0x18, 4, 2, 0)));
    pci::BarInfo bar;
    log("intruder bar -> %s", to_string(pci::bar_info(server, 0x18, 0, bar)));
    return 0;
}

}  // namespace

namespace axl::test {
namespace {

std::string system_text(const std::string& access) {
    return R"([system]
name = "pci_test"

[[device]]
name = "panic"
kind = "pvpanic-pci"
driver = "driver"
access = ")" + access + R"("

[[process]]
name = "pci"
program = "pci"
expect = "serve"

[[process]]
name = "driver"
program = "pci_test_driver"
kernel_calls = ["log"]

[[process]]
name = "intruder"
program = "pci_test_intruder"
kernel_calls = ["lookup", "log"]
destinations = ["pci"]
)";
}

sim::RunReport run(const std::string& text) {
    sim::SystemDescription system = sim::parse_system_description(text, "pci_test.toml");
    sim::RunOptions options;
    options.echo_console = false;
    sim::Simulator simulator(system, options);
    return simulator.run();
}

bool logged(const sim::RunReport& report, const std::string& text) {
    return std::any_of(report.console.begin(), report.console.end(),
                       [&](const std::string& line) { return line.find(text) != std::string::npos; });
}

class PciServer : public ::testing::TestWithParam<const char*> {};

TEST_P(PciServer, ServesItsGrantedDriverAndRefusesEveryoneElse) {
    const sim::RunReport report = run(system_text(GetParam()));
    ASSERT_TRUE(report.ok) << report_text(report);
    for (const char* line : {
             "00:00.0 8086:1237 class 060000",  // the host bridge, enumerated but granted to nobody
             "00:03.0 1b36:0011 class 088000",
             "BAR0 mem 0xfeb00000 size 0x10",
             "2 functions on bus 0, 1 granted to drivers",
             "device 00:03.0 1b36:0011 sub 1af4:1100 class 088000 rev 1 irq 255 pin 0 bars 0x1",
             "bar0 mem base 0xfeb00000 size 16",
             "bar 1 -> not_found",
             "device 1 -> not_found",
             "config_read vendor -> ok 0x111b36",
             "config_read misaligned -> bad_argument",
             "config_write bar0 elsewhere -> bad_argument",
             "config_write bar0 probe -> ok",
             "bar0 probed reads 0xfffffff0",
             "config_write bar0 restore -> ok",
             "config_read 0x3c foreign -> resource_denied",
             "mmio_read events -> ok 0x3",
             "mmio_read past the bar -> resource_denied",
             "mmio_write panicked -> ok",
             "intruder device 0 -> resource_denied",
             "intruder config_read -> resource_denied",
             "intruder config_write -> resource_denied",
             "intruder bar -> resource_denied",
         })
        EXPECT_TRUE(logged(report, line)) << "missing: " << line << "\n" << report_text(report);
    ASSERT_EQ(report.device_events.size(), 1u) << report_text(report);
    EXPECT_EQ(report.device_events[0].device, "panic");
    EXPECT_EQ(report.device_events[0].what, "panicked");
}

INSTANTIATE_TEST_SUITE_P(BothAccessModels, PciServer, ::testing::Values("kernel", "direct"));

// The server resolves a driver's name at each request: a driver that died and
// was started again by rs (a new endpoint) is served as before.
TEST(PciServer, ARestartedDriverKeepsItsAccess) {
    std::string text = system_text("kernel");
    text += R"(expect = "serve"
primitives = ["sendrec", "receive"]
args = { serve = 1 }
[process.restart]
limit = 3

[[process]]
name = "rs"
program = "rs"
expect = "serve"
)";
    // The restart table belongs to the driver: move the intruder after it.
    const size_t intruder = text.find("[[process]]\nname = \"intruder\"");
    const size_t restart = text.find("expect = \"serve\"\nprimitives");
    const std::string intruder_table = text.substr(intruder, restart - intruder);
    text.erase(intruder, restart - intruder);
    text += intruder_table;
    sim::SystemDescription system = sim::parse_system_description(text, "pci_test.toml");
    sim::RunOptions options;
    options.echo_console = false;
    sim::FaultSpec crash;
    crash.kind = sim::FaultSpec::Kind::crash;
    crash.target = "driver";
    crash.after_calls = 4;  // after its first answers from the server, before it reports the panic
    options.faults = {crash};
    sim::Simulator simulator(system, options);
    const sim::RunReport report = simulator.run();
    ASSERT_TRUE(report.ok) << report_text(report);
    size_t found = 0;
    for (const std::string& line : report.console)
        if (line.find("[driver] device 00:03.0 1b36:0011") != std::string::npos) ++found;
    EXPECT_EQ(found, 2u) << "once per incarnation\n" << report_text(report);
    for (const sim::ProcessReport& process : report.processes)
        if (process.name == "driver") EXPECT_EQ(process.restarts, 1u);
    ASSERT_EQ(report.device_events.size(), 1u) << "only the second incarnation got to report";
}

TEST(PciServer, TheSameRunGivesTheSameDigestAndThePanicChangesIt) {
    const sim::RunReport first = run(system_text("kernel"));
    const sim::RunReport second = run(system_text("kernel"));
    EXPECT_EQ(first.digest, second.digest);
    for (const char* ipc : {"ring", "queue"}) {
        std::string text = system_text("kernel");
        text.replace(text.find("[system]\n"), 9, std::string("[system]\nipc = \"") + ipc + "\"\n");
        const sim::RunReport under = run(text);
        EXPECT_TRUE(under.ok) << report_text(under);
        EXPECT_EQ(under.device_events.size(), 1u) << ipc;
        EXPECT_EQ(under.digest, run(text).digest) << ipc;
    }
    std::string quiet = system_text("kernel");
    quiet.replace(quiet.find("driver = \"driver\""), 17, "driver = \"driver\"\nevents = 2");  // panicked unsupported
    const sim::RunReport without_panic = run(quiet);
    ASSERT_TRUE(without_panic.ok) << report_text(without_panic);
    EXPECT_TRUE(without_panic.device_events.empty());
    EXPECT_NE(first.digest, without_panic.digest);
}

}  // namespace
}  // namespace axl::test
