// Device benchmarks: what a register access, an interrupt and a block
// transfer cost under the two access models a driver can be given
// (kernel/api/device.h): kernel-mediated (access = "kernel": every register
// access is a device_io kernel call) and direct (access = "direct": the
// registers are opened to the driver, an access enters no kernel and only
// charges the I/O instruction's virtual time). Deterministic mode, one
// simulated CPU, tracing off.
//
//   BM_RegisterAccess/{kernel,direct}
//       A driver writes the timer's period register once, then reads it back
//       in the timing loop and checks every value against what it wrote (so
//       both models are seen to return the same thing). One iteration = one
//       register read. The timer stays stopped: nothing else happens.
//   BM_InterruptLatency/{kernel,direct}
//       A driver owns the timer's IRQ line. One iteration = one round:
//         arm the one-shot for 10 us (one register write), read the timer's
//         now registers (two reads; see the deadline below), wait in
//         receive(endpoints::hardware), read axl::clock, check the line,
//         acknowledge (clear the fired bit: one register write; unmask the
//         line: one irq_control kernel call).
//       The wall time of a round is therefore those four register accesses,
//       the clock and irq_enable kernel calls, the block in receive and the
//       switch away from the driver, the simulator's event loop finding the
//       CPU idle and advancing virtual time to the one-shot's expiry, the
//       device model raising its line, the kernel's interrupt entry, the
//       notification's delivery and the switch back to the driver. Only the
//       one-shot's 10 us of *virtual* waiting costs no wall time.
//       virtual_latency_ns = handler time - deadline, where the handler time
//       is axl::clock() right after receive returned (so it includes that
//       call's kernel entry) and the deadline is the moment the one-shot was
//       written plus 10 us. The timer's own now registers give that moment:
//       the write took effect exactly one register access before the now_low
//       read that follows it, and one access's virtual cost is measured at
//       start by two back-to-back now_low reads. Expected, in both models
//       alike (the interrupt path has no register access in it): the cost
//       model's interrupt_ns + notify_ns + kernel_entry_ns (the clock call).
//       No context_switch_ns: the driver is alone on its CPU, which idles
//       while it waits, and the kernel charges a switch only when the CPU
//       changes process (Kernel::dispatch); a handler that preempts another
//       process would pay it on top.
//   BM_BlockThroughput/{read,write}/{kernel,direct}
//       drivers/block.cc (block_driver) on an 8 MiB scratch disk (the default
//       latency model: 50 us per command + 2 us per sector) and a client that
//       sends it block::read or block::write requests of 64 KiB (128 sectors)
//       sequentially over the disk, wrapping to sector 0 at its end, through
//       one grant of a buffer on its stack. One iteration = one request
//       answered (the driver splits it into two 32 KiB commands through its
//       DMA window: per command six register writes, a status read, an
//       interrupt, the acknowledge, and a safecopy between the client's grant
//       and the window). The wall time includes the host's pread/pwrite of
//       the scratch file (in the page cache: /tmp, or $TMPDIR).
//
// As in the rest of the suite (bench/suite/workloads.cc), Google Benchmark's
// timing loop runs *inside* the simulated process that does the work (the
// reader, the handler, the client), so booting the system and the process's
// own setup stay outside the timed region and no baseline run is needed.
//
// Counters (averaged over the timed loop unless said otherwise):
//   time column, items_per_second: wall clock (UseRealTime) per iteration
//   RegisterAccess:    virtual_ns_per_access (axl::clock() around the loop);
//                      kernel_calls_per_access (the reader's kernel calls over
//                      the whole run per read: ~1 kernel-mediated, ~0 direct)
//   InterruptLatency:  virtual_latency_ns (above); deliveries_per_round (the
//                      timer's interrupts delivered over the run per round: 1)
//   BlockThroughput:   bytes_per_second (SetBytesProcessed: wall throughput);
//                      virtual_MiB_per_s (bytes moved / virtual seconds of the
//                      client's loop)
#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>

#include "hw/timer.h"
#include "kernel/api/device.h"
#include "kernel/api/grant.h"
#include "kernel/api/ipc.h"
#include "kernel/api/program.h"
#include "kernel/api/protocols/block.h"
#include "sim/port/simulator.h"
#include "sim/config/system_description.h"

namespace {

namespace sim = axl::sim;
namespace timer = axl::hw::timer;

// Handed from the host benchmark to the timing process of the running system.
benchmark::State* g_device_state = nullptr;

// A self-check failed in a process: stop the timing loop with the reason and
// end the process with status 1 (the run report then fails too).
int32_t bench_fail(const char* what) {
    if (g_device_state) g_device_state->SkipWithError(what);
    return 1;
}

enum class Access { kernel, direct };

const char* access_name(Access access) { return access == Access::direct ? "direct" : "kernel"; }

// The 32-bit registers of the device a driver was given (its io_base argument).
class Registers {
public:
    Registers() : m_base(static_cast<uint16_t>(axl::arg_int("io_base", 0))) {}

    bool read(uint16_t offset, uint32_t& value) const {
        return axl::io_read(port(offset), value, axl::IoWidth::word) == axl::Status::ok;
    }
    bool write(uint16_t offset, uint32_t value) const {
        return axl::io_write(port(offset), value, axl::IoWidth::word) == axl::Status::ok;
    }

private:
    uint16_t port(uint16_t offset) const { return static_cast<uint16_t>(m_base + offset); }

    const uint16_t m_base;
};

// Virtual time from the timer: now_low latches the high half, so the two
// halves belong together.
bool read_timer_now(const Registers& registers, uint64_t& now_ns) {
    uint32_t low = 0;
    uint32_t high = 0;
    if (!registers.read(timer::now_low, low) || !registers.read(timer::now_high, high)) return false;
    now_ns = uint64_t{high} << 32 | low;
    return true;
}

// System construction -----------------------------------------------------------------

sim::RunReport run_system(benchmark::State& state, const std::string& description_text, Access access) {
    sim::RunReport report;
    try {
        const sim::SystemDescription system = sim::parse_system_description(description_text, "devices-bench.toml");
        sim::RunOptions options;
        options.trace_level = sim::TraceLevel::off;
        options.echo_console = false;
        sim::Simulator simulator(system, options);
        g_device_state = &state;
        report = simulator.run();
        g_device_state = nullptr;
    } catch (const std::exception& error) {
        g_device_state = nullptr;
        state.SkipWithError((std::string("cannot run the system: ") + error.what()).c_str());
        return {};
    }
    state.SetLabel(access == Access::direct ? "direct" : "kernel-mediated");
    if (!report.ok) {
        std::string why = "the system " + report.system_name + " failed";
        for (const std::string& failure : report.failures) why += "; " + failure;
        state.SkipWithError(why.c_str());
    }
    return report;
}

const sim::ProcessReport* find_process(const sim::RunReport& report, const std::string& name) {
    for (const sim::ProcessReport& process : report.processes)
        if (process.name == name) return &process;
    return nullptr;
}

std::string device_access_line(Access access) { return std::string("access = \"") + access_name(access) + "\"\n"; }

// The timer alone, driven by one process running `program`.
std::string timer_system(const char* name, const char* program, Access access) {
    return std::string("[system]\nname = \"") + name +
           "\"\n"
           "[[device]]\n"
           "name = \"timer0\"\n"
           "kind = \"timer\"\n"
           "driver = \"driver\"\n" +
           device_access_line(access) +
           "[[process]]\n"
           "name = \"driver\"\n"
           "program = \"" +
           program +
           "\"\n"
           "primitives = [\"receive\"]\n"
           "kernel_calls = [\"clock\"]\n";  // device_io and irq_control come with the device
}

double per_iteration(const benchmark::State& state, uint64_t total) {
    return state.iterations() ? static_cast<double>(total) / static_cast<double>(state.iterations()) : 0.0;
}

// Register access ---------------------------------------------------------------------

AXL_PROGRAM(bench_register_reader, "benchmark: reads back a timer register it wrote; times register reads") {
    benchmark::State& state = *g_device_state;
    const Registers registers;
    // Not the register's reset value, so a read that missed the device shows.
    // The timer stays stopped (control 0): setting its period schedules nothing.
    constexpr uint32_t written = 0x00C0FFEE;
    if (!registers.write(timer::period, written)) return bench_fail("reader: cannot write the period register");
    uint64_t start_ns = 0;
    uint64_t end_ns = 0;
    uint64_t reads = 0;
    (void)axl::clock(start_ns);
    for (auto _ : state) {
        uint32_t value = 0;
        if (!registers.read(timer::period, value)) return bench_fail("reader: cannot read the period register");
        if (value != written) return bench_fail("reader: the period register read back another value");
        ++reads;
    }
    (void)axl::clock(end_ns);
    if (reads)
        state.counters["virtual_ns_per_access"] = static_cast<double>(end_ns - start_ns) / static_cast<double>(reads);
    return 0;
}

void BM_RegisterAccess(benchmark::State& state, Access access) {
    const sim::RunReport report =
        run_system(state, timer_system("register-access", "bench_register_reader", access), access);
    state.SetItemsProcessed(state.iterations());
    if (const sim::ProcessReport* reader = find_process(report, "driver"))
        state.counters["kernel_calls_per_access"] = per_iteration(state, reader->counters.kernel_calls);
}

// Interrupt latency -------------------------------------------------------------------

constexpr uint32_t one_shot_delay_ns = 10'000;

AXL_PROGRAM(bench_interrupt_handler, "benchmark: arms the timer's one-shot and takes its interrupt; times rounds") {
    benchmark::State& state = *g_device_state;
    const Registers registers;
    const auto line = static_cast<uint32_t>(axl::arg_int("irq", 0));
    if (axl::irq_attach(line) != axl::Status::ok) return bench_fail("handler: cannot attach the timer's line");
    if (!registers.write(timer::control, timer::irq_enable)) return bench_fail("handler: cannot enable the interrupt");
    // One register access's virtual cost in this access model: back-to-back
    // reads see the device's clock this far apart.
    uint32_t first_low = 0;
    uint32_t second_low = 0;
    if (!registers.read(timer::now_low, first_low) || !registers.read(timer::now_low, second_low))
        return bench_fail("handler: cannot read the timer's clock");
    const uint32_t access_ns = second_low - first_low;  // modulo 2^32, as the register wraps
    uint64_t latency_total_ns = 0;
    uint64_t rounds = 0;
    for (auto _ : state) {
        if (!registers.write(timer::one_shot, one_shot_delay_ns)) return bench_fail("handler: cannot arm the one-shot");
        uint64_t read_after_arming_ns = 0;
        if (!read_timer_now(registers, read_after_arming_ns)) return bench_fail("handler: cannot read the timer's clock");
        // The one-shot counts from its write, one access before that read.
        const uint64_t deadline_ns = read_after_arming_ns - access_ns + one_shot_delay_ns;
        axl::Message notification;
        if (axl::receive(axl::endpoints::hardware, notification) != axl::Status::ok)
            return bench_fail("handler: receive from HARDWARE failed");
        uint64_t handled_ns = 0;
        (void)axl::clock(handled_ns);
        if (!((axl::irq_lines_of(notification) >> line) & 1u))
            return bench_fail("handler: a HARDWARE notification without the timer's line");
        if (handled_ns < deadline_ns) return bench_fail("handler: the interrupt came before the one-shot's deadline");
        latency_total_ns += handled_ns - deadline_ns;
        ++rounds;
        // The manual policy masked the line at delivery: clear the cause, then unmask.
        if (!registers.write(timer::status, timer::one_shot_fired)) return bench_fail("handler: cannot clear the status");
        if (axl::irq_enable(line) != axl::Status::ok) return bench_fail("handler: cannot re-enable the line");
    }
    if (rounds)
        state.counters["virtual_latency_ns"] = static_cast<double>(latency_total_ns) / static_cast<double>(rounds);
    return 0;
}

void BM_InterruptLatency(benchmark::State& state, Access access) {
    const sim::RunReport report =
        run_system(state, timer_system("interrupt-latency", "bench_interrupt_handler", access), access);
    state.SetItemsProcessed(state.iterations());
    if (report.devices.size() == 1)
        state.counters["deliveries_per_round"] = per_iteration(state, report.devices[0].interrupts_delivered);
}

// Block throughput --------------------------------------------------------------------

constexpr uint64_t request_sectors = 128;
constexpr size_t request_bytes = request_sectors * axl::block::sector_bytes;  // 64 KiB

enum class Transfer { read, write };

bool reply_ok(const axl::Message& reply) {
    return reply.type == axl::block::reply && reply.payload.words[0] == static_cast<uint64_t>(axl::Status::ok);
}

AXL_PROGRAM(bench_block_client, "benchmark: sequential 64 KiB block reads or writes (write = 1); times requests",
            axl::integer_option("write", 0, 0, 1, "1: write, 0: read")) {
    benchmark::State& state = *g_device_state;
    const bool writing = axl::arg_int("write", 0) != 0;
    axl::Endpoint driver;
    if (axl::lookup("block", driver) != axl::Status::ok) return bench_fail("client: no block driver");
    alignas(64) uint8_t buffer[request_bytes];
    // Never all zeros: the scratch disk is, so a read that moved nothing shows.
    for (size_t i = 0; i < request_bytes; ++i) buffer[i] = static_cast<uint8_t>(i % 251 + 1);
    axl::GrantId grant;
    const axl::GrantAccess driver_may = writing ? axl::GrantAccess::read : axl::GrantAccess::write;
    if (axl::grant_create(driver, buffer, request_bytes, driver_may, grant) != axl::Status::ok)
        return bench_fail("client: cannot grant the buffer");
    axl::Message info;
    info.type = axl::block::info;
    if (axl::sendrec(driver, info) != axl::Status::ok || !reply_ok(info)) return bench_fail("client: block::info failed");
    const uint64_t disk_sectors = info.payload.words[1];
    if (disk_sectors < request_sectors) return bench_fail("client: the disk is smaller than one request");

    uint64_t sector = 0;
    uint64_t requests = 0;
    uint64_t start_ns = 0;
    uint64_t end_ns = 0;
    (void)axl::clock(start_ns);
    for (auto _ : state) {
        axl::Message request;
        request.type = writing ? axl::block::write : axl::block::read;
        request.payload.words[0] = sector;
        request.payload.words[1] = request_sectors;
        request.payload.words[2] = grant.raw;
        request.payload.words[3] = 0;  // offset in the grant
        if (axl::sendrec(driver, request) != axl::Status::ok) return bench_fail("client: sendrec to the driver failed");
        if (!reply_ok(request) || request.payload.words[1] != request_sectors)
            return bench_fail("client: the driver refused or cut short a request");
        if (!writing && (buffer[0] != 0 || buffer[request_bytes - 1] != 0))
            return bench_fail("client: a read of the zeroed disk left other bytes in the buffer");
        ++requests;
        sector += request_sectors;
        if (sector + request_sectors > disk_sectors) sector = 0;  // another sequential pass
    }
    (void)axl::clock(end_ns);
    if (requests && end_ns > start_ns) {
        const double mebibytes = static_cast<double>(requests * request_bytes) / (1024.0 * 1024.0);
        state.counters["virtual_MiB_per_s"] = mebibytes / (static_cast<double>(end_ns - start_ns) * 1e-9);
    }
    return 0;
}

// The driver as workloads/storage.toml runs it, serving the client directly.
std::string block_system(Transfer transfer, Access access) {
    return std::string(
               "[system]\n"
               "name = \"block-throughput\"\n"
               "[[device]]\n"
               "name = \"disk0\"\n"
               "kind = \"block\"\n"
               "driver = \"block\"\n"
               "scratch = \"8MiB\"\n"
               "access_time = \"50us\"\n"
               "sector_time = \"2us\"\n") +
           device_access_line(access) +
           "[[process]]\n"
           "name = \"block\"\n"
           "program = \"block_driver\"\n"
           "priority = 2\n"
           "stack = \"160KiB\"\n"  // its 32 KiB DMA window lives on its stack
           "primitives = [\"receive\", \"sendnb\"]\n"
           "destinations = [\"client\"]\n"
           "kernel_calls = [\"grant\", \"safecopy\", \"log\"]\n"
           "expect = \"serve\"\n"
           "[[process]]\n"
           "name = \"client\"\n"
           "program = \"bench_block_client\"\n"
           "priority = 8\n"
           "stack = \"256KiB\"\n"  // its 64 KiB buffer lives on its stack
           "primitives = [\"sendrec\"]\n"
           "destinations = [\"block\"]\n"
           "kernel_calls = [\"lookup\", \"grant\", \"clock\"]\n"
           "[process.args]\n"
           "write = " +
           (transfer == Transfer::write ? "1" : "0") + "\n";
}

void BM_BlockThroughput(benchmark::State& state, Transfer transfer, Access access) {
    (void)run_system(state, block_system(transfer, access), access);
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(request_bytes));
}

// Registration: names read BM_<case>/<variant>/<access model>.
[[maybe_unused]] const bool registered = [] {
    constexpr Access models[] = {Access::kernel, Access::direct};
    for (const Access access : models)
        benchmark::RegisterBenchmark((std::string("BM_RegisterAccess/") + access_name(access)).c_str(),
                                     BM_RegisterAccess, access)
            ->UseRealTime();
    for (const Access access : models)
        benchmark::RegisterBenchmark((std::string("BM_InterruptLatency/") + access_name(access)).c_str(),
                                     BM_InterruptLatency, access)
            ->UseRealTime();
    for (const Transfer transfer : {Transfer::read, Transfer::write})
        for (const Access access : models) {
            const std::string name = std::string("BM_BlockThroughput/") +
                                     (transfer == Transfer::read ? "read/" : "write/") + access_name(access);
            benchmark::RegisterBenchmark(name.c_str(), BM_BlockThroughput, transfer, access)->UseRealTime();
        }
    return true;
}();

}  // namespace
