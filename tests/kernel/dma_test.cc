// dma: a driver's DMA buffers (kernel/dma.cc, kernel/api/device.h's
// dma_alloc). Whole pages, zeroed, below 256 MiB on the bus, within the
// budget the description gives (`dma`), refused beyond it and without the
// call; and hosted, a device reaches a buffer at its bus address and nothing
// outside the buffers (the machine maps bus addresses to the buffers' grants
// to endpoints::hardware, as an IOMMU would), and not another driver's buffer.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "hw/edu.h"
#include "kernel/api/device.h"
#include "kernel/api/ipc.h"
#include "kernel/api/protocols/pci.h"
#include "sim/config/system_description.h"
#include "sim/harness/fault_injector.h"
#include "sim/port/simulator.h"
#include "tests/support/report_text.h"
#include "tests/support/script_program.h"

namespace {
using namespace axl;

bool zeroed(const DmaBuffer& buffer) {
    const auto* bytes = static_cast<const uint8_t*>(buffer.address);
    for (uint64_t i = 0; i < buffer.bytes; ++i)
        if (bytes[i] != 0) return false;
    return true;
}

// Allocates until the budget (16 KiB in the test's description) runs out.
AXL_PROGRAM(kt_dma_user, "dma_test: allocates DMA buffers and logs what it got") {
    DmaBuffer buffer;
    log("0 bytes -> %s", to_string(dma_alloc(0, buffer)));
    Status status = dma_alloc(5000, buffer);
    log("5000 bytes -> %s", to_string(status));
    if (status != Status::ok) return 0;
    log("got %llu bytes, bus page-aligned %d, below 256 MiB %d, zeroed %d",
        static_cast<unsigned long long>(buffer.bytes), buffer.bus % 4096 == 0,
        buffer.bus + buffer.bytes <= (256u << 20), zeroed(buffer));
    static_cast<uint8_t*>(buffer.address)[buffer.bytes - 1] = 0x5A;  // writable, to its last byte
    DmaBuffer second;
    log("8192 bytes -> %s", to_string(dma_alloc(8192, second)));
    log("apart %d, zeroed %d", second.bus >= buffer.bus + buffer.bytes || second.bus + second.bytes <= buffer.bus,
        zeroed(second));
    DmaBuffer third{.address = nullptr, .bus = 77, .bytes = 0};
    log("1 more byte -> %s, untouched %d", to_string(dma_alloc(1, third)), third.bus == 77 && third.address == nullptr);
    log("128 MiB -> %s", to_string(dma_alloc(128ull << 20, third)));
    return 0;
}

// Finds edu through the PCI server and points its DMA engine at bus
// addresses: just past its one-page buffer, bus address 0, and then into the
// buffer, which it checks.
AXL_PROGRAM(kt_edu_rogue, "dma_test: programs edu's DMA engine outside and inside its buffer") {
    namespace reg = hw::edu;
    Endpoint server;
    if (lookup("pci", server) != Status::ok) return 1;
    pci::DeviceInfo device;
    pci::BarInfo bar;
    if (pci::device_info(server, 0, device) != Status::ok || pci::bar_info(server, device.address, 0, bar) != Status::ok)
        return 2;
    DmaBuffer buffer;
    if (dma_alloc(4096, buffer) != Status::ok) return 3;
    auto write = [&](uint32_t offset, uint32_t value) { (void)mmio_write(bar.base + offset, value); };
    auto transfer_to_ram = [&](uint64_t bus) {
        write(reg::dma_source, reg::buffer_address);
        write(reg::dma_destination, static_cast<uint32_t>(bus));
        write(reg::dma_count, 16);
        write(reg::dma_command, reg::command_start | reg::command_to_ram);
        uint32_t command = reg::command_start;
        while (command & reg::command_start) {
            (void)compute(1'000'000);
            (void)mmio_read(bar.base + reg::dma_command, command);
        }
    };
    // The device's buffer gets a pattern first (RAM -> device, from ours).
    auto* bytes = static_cast<uint8_t*>(buffer.address);
    for (uint32_t i = 0; i < 16; ++i) bytes[i] = static_cast<uint8_t>(0xA0 + i);
    write(reg::dma_source, static_cast<uint32_t>(buffer.bus));
    write(reg::dma_destination, reg::buffer_address);
    write(reg::dma_count, 16);
    write(reg::dma_command, reg::command_start);
    uint32_t command = reg::command_start;
    while (command & reg::command_start) {
        (void)compute(1'000'000);
        (void)mmio_read(bar.base + reg::dma_command, command);
    }
    for (uint32_t i = 0; i < 16; ++i) bytes[i] = 0;
    // Another process's buffer, whose bus address it tells us.
    Endpoint holder;
    Message m;
    if (lookup("holder", holder) != Status::ok || sendrec(holder, m) != Status::ok) return 4;
    transfer_to_ram(m.payload.words[0]);
    transfer_to_ram(buffer.bus + buffer.bytes);
    transfer_to_ram(0);
    transfer_to_ram(buffer.bus + buffer.bytes - 8);  // crosses the buffer's end
    log("outside -> buffer untouched %d", bytes[0] == 0);
    m = Message{};
    if (sendrec(holder, m) != Status::ok) return 5;
    transfer_to_ram(buffer.bus);
    bool back = true;
    for (uint32_t i = 0; i < 16; ++i) back = back && bytes[i] == 0xA0 + i;
    log("inside -> pattern back %d", back);
    return 0;
}

// Holds a DMA buffer of its own, tells the rogue its bus address, and checks
// it is unchanged once the rogue is done.
AXL_PROGRAM(kt_dma_holder, "dma_test: a DMA buffer no device of another driver may reach") {
    DmaBuffer buffer;
    if (dma_alloc(4096, buffer) != Status::ok) return 1;
    auto* bytes = static_cast<uint8_t*>(buffer.address);
    for (uint64_t i = 0; i < buffer.bytes; ++i) bytes[i] = 0x77;
    Message m;
    if (receive(endpoints::any, m) != Status::ok) return 2;
    const Endpoint rogue = m.source;
    m.payload.words[0] = buffer.bus;
    if (send(rogue, m) != Status::ok || receive(rogue, m) != Status::ok) return 3;
    bool untouched = true;
    for (uint64_t i = 0; i < buffer.bytes; ++i) untouched = untouched && bytes[i] == 0x77;
    log("untouched %d", untouched);
    return send(rogue, m) == Status::ok ? 0 : 4;
}

// Takes its whole budget, then one page more; then waits a while (long
// enough for the test to crash its first incarnation) and exits.
AXL_PROGRAM(kt_dma_restarted, "dma_test: takes its whole DMA budget in each incarnation") {
    DmaBuffer buffer;
    const Status first = dma_alloc(8192, buffer);
    log("8192 bytes -> %s at bus %#llx", to_string(first), static_cast<unsigned long long>(buffer.bus));
    DmaBuffer more;
    log("4096 more -> %s", to_string(dma_alloc(4096, more)));
    for (int i = 0; i < 10; ++i) (void)compute(1000);
    return 0;
}

}  // namespace

namespace axl::test {
namespace {

std::string user_system(const std::string& dma_line) {
    return R"(
[system]
name = "dma"
[[process]]
name = "user"
program = "kt_dma_user"
kernel_calls = ["log"]
)" + dma_line + "\n";
}

TEST(Dma, BuffersAreWholeZeroedPagesWithinTheBudget) {
    sim::RunReport r = run(sim::parse_system_description(user_system("dma = \"16KiB\""), "dma.toml"));
    EXPECT_EQ(lines_of(r, "user"),
              L("0 bytes -> bad_argument", "5000 bytes -> ok",
                "got 8192 bytes, bus page-aligned 1, below 256 MiB 1, zeroed 1", "8192 bytes -> ok",
                "apart 1, zeroed 1", "1 more byte -> no_space, untouched 1", "128 MiB -> no_space"));
}

TEST(Dma, WithoutABudgetTheCallIsDenied) {
    sim::RunReport r = run(sim::parse_system_description(user_system(""), "dma.toml"));
    EXPECT_EQ(lines_of(r, "user"), L("0 bytes -> call_denied", "5000 bytes -> call_denied"));
}

TEST(Dma, TheBudgetIsAPositiveSizeUpTo64MiB) {
    for (const char* bad : {"dma = \"1KiB\"", "dma = \"65MiB\"", "dma = 0", "dma = \"lots\""}) {
        try {
            sim::parse_system_description(user_system(bad), "dma.toml");
            ADD_FAILURE() << bad << " was accepted";
        } catch (const sim::DescriptionError& error) {
            EXPECT_NE(std::string(error.what()).find("dma.toml:8:"), std::string::npos) << error.what();
        }
    }
}

TEST(Dma, ADeviceReachesABufferAndNothingBesideIt) {
    sim::RunReport r = run(sim::parse_system_description(R"(
[system]
name = "dma_rogue"
[[device]]
name = "edu"
kind = "edu"
driver = "rogue"
[[process]]
name = "pci"
program = "pci"
expect = "serve"
[[process]]
name = "rogue"
program = "kt_edu_rogue"
destinations = ["holder"]
kernel_calls = ["log", "compute"]
dma = "4KiB"
[[process]]
name = "holder"
program = "kt_dma_holder"
primitives = ["receive", "send"]
destinations = ["rogue"]
kernel_calls = ["log"]
dma = "4KiB"
)",
                                                         "dma_rogue.toml"));
    EXPECT_EQ(lines_of(r, "rogue"), L("outside -> buffer untouched 1", "inside -> pattern back 1"));
    EXPECT_EQ(lines_of(r, "holder"), L("untouched 1"));
    ASSERT_EQ(r.device_events.size(), 4u);
    for (const sim::DeviceEventReport& event : r.device_events) {
        EXPECT_EQ(event.device, "edu");
        EXPECT_EQ(event.what, "dma refused");
    }
}

// A driver that dies gives its buffers back: restarted, it has its whole
// budget again, at the same bus address (first fit: the old mapping is gone).
TEST(Dma, ARestartedProcessAllocatesAgain) {
    sim::SystemDescription system = sim::parse_system_description(R"(
[system]
name = "dma_restart"
[[process]]
name = "rs"
program = "rs"
priority = 1
expect = "serve"
[[process]]
name = "driver"
program = "kt_dma_restarted"
priority = 4
kernel_calls = ["log", "compute"]
dma = "8KiB"
[process.restart]
limit = 1
)",
                                                                  "dma_restart.toml");
    sim::RunOptions options;
    options.echo_console = false;
    sim::FaultSpec crash;
    crash.kind = sim::FaultSpec::Kind::crash;
    crash.target = "driver";
    crash.after_calls = 5;  // after both allocations and their lines, while it computes
    options.faults = {crash};
    sim::Simulator simulator(system, options);
    const sim::RunReport report = simulator.run();
    ASSERT_TRUE(report.ok) << report_text(report);
    const std::vector<std::string> lines = lines_of(report, "driver");
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_EQ(lines[0].rfind("8192 bytes -> ok at bus 0x", 0), 0u) << lines[0];
    EXPECT_EQ(lines[1], "4096 more -> no_space");
    EXPECT_EQ(lines[2], lines[0]);
    EXPECT_EQ(lines[3], "4096 more -> no_space");
    for (const sim::ProcessReport& process : report.processes)
        if (process.name == "driver") EXPECT_EQ(process.restarts, 1u);
}

}  // namespace
}  // namespace axl::test
