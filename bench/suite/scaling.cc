// Process-count scaling: N processes in one instance, N/2 client/server pairs
// doing sendrec + reply_receive round trips, for N = 2 .. 100,000, and the
// floor at each size.
//
//   BM_ProcessScaling/processes:N               the hosted system (kernel + port)
//   BM_ProcessScalingOneActivePair/processes:N  the same N processes, one pair active
//   BM_RawSwitchScaling/fibers:N                the same switch order on bare fibers
//
// BM_ProcessScaling boots a two-table description with `replicas` (the shape
// of workloads/pingpong_pairs.toml): client.i calls server.i only, each group
// shares one privilege structure. One simulated CPU, deterministic mode,
// rendezvous, tracing off. The servers (priority 4) wait in receive; the
// clients (priority 8) take turns. A client woken with quantum left goes to
// the front of its level (Kernel::enqueue_woken, MINIX 3's rule), so a pair
// keeps the CPU for about a quantum's worth of round trips (10 us virtual,
// ~26 round trips) before the next client runs: the first round trip of a
// turn switches into two processes that last ran a lap ago (cache misses),
// the others find them hot. The hand-off fast path applies whatever else is
// runnable, as long as the target is the process picked next.
//
// What is timed: each client makes 2 warm-up round trips, then `rounds`
// measured ones, then one more, then parks (blocks for good). The host counts
// every round trip; the measured window opens when the count reaches
// 2 x pairs and closes at (2 + rounds) x pairs, so it excludes boot
// (Simulator construction), every process's first touch of its stack, and the
// end of the run. That window is the benchmark's (manual) time.
// Round trips per pair: max(100, 5,000,000 / pairs), i.e. 5 million measured
// round trips at every size (100 per pair at 100,000 processes), so that the
// small sizes are long enough to time and the largest takes a few seconds.
//
// Counters:
//   ns_per_round_trip     measured window / measured round trips (the figure)
//   run_ns_per_round_trip Simulator::run() wall time / all round trips
//                         (adds first touches, warm-up and parking)
//   boot_s                Simulator construction (the boot image)
//   peak_rss_MiB          VmHWM of the benchmark process during this case
//                         (reset before it through /proc/self/clear_refs; if
//                         the kernel refuses, the label says the figure is the
//                         whole benchmark process's high-water mark so far)
//   rss_per_process_B     (peak RSS - RSS before the case) / processes
//
// Clients park instead of exiting: today every exit scans the whole process
// table (Kernel::terminate, kernel/kernel.cc), so 50,000 exits among 100,000
// processes take ~45 s, which would swamp the benchmark's wall time.
//
// For the figures of the goal (issue 3), run the largest size alone:
//   build/bin/axl_bench --benchmark_filter='Scaling/(processes|fibers):(2|100000)/'
// (peak RSS is the process's high-water mark: each case returns freed memory
// with malloc_trim and resets the mark, but alone is the cleanest figure).
#include <benchmark/benchmark.h>

#include <fcntl.h>
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "kernel/api/calls.h"
#include "kernel/api/endpoint.h"
#include "kernel/api/ipc.h"
#include "kernel/api/message.h"
#include "kernel/api/program.h"
#include "kernel/api/status.h"
#include "sim/port/fiber.h"
#include "sim/port/simulator.h"
#include "sim/port/stack_pool.h"
#include "sim/config/system_description.h"

namespace {

using Clock = std::chrono::steady_clock;

constexpr uint64_t warmup_rounds = 2;
constexpr uint64_t cooldown_rounds = 1;
constexpr uint64_t measured_round_trips = 5'000'000;
constexpr uint64_t min_rounds_per_pair = 100;

// The host's view of one run; only the simulated clients touch it while it
// runs, on the one host thread (deterministic mode).
struct ScalingRun {
    uint64_t completed = 0;     // round trips every client has finished so far
    uint64_t window_open = 0;   // completed count at which the window opens
    uint64_t window_close = 0;  // ... and closes
    Clock::time_point opened;
    Clock::time_point closed;
};

ScalingRun* g_run = nullptr;

inline void count_round_trip() {
    ScalingRun& run = *g_run;
    run.completed += 1;
    if (run.completed == run.window_open) [[unlikely]]
        run.opened = Clock::now();
    else if (run.completed == run.window_close) [[unlikely]]
        run.closed = Clock::now();
}

}  // namespace

// The server is bench_reply_receive_echo_server (bench/ipc_round_trip.cc).
AXL_PROGRAM(bench_scaling_client,
            "benchmark: `rounds` sendrec round trips to `server` (echo), each counted by the host, then parks",
            axl::string_option("server", "", "the echo server's process name"),
            axl::integer_option("rounds", 0, 0, int64_t{1} << 40, "round trips")) {
    axl::Endpoint server;
    if (axl::lookup(axl::arg_string("server", ""), server) != axl::Status::ok) return 1;
    const int64_t rounds = axl::arg_int("rounds", 0);
    axl::Message message;
    for (int64_t round = 0; round < rounds; ++round) {
        message.payload.words[0] = static_cast<uint64_t>(round);
        if (axl::sendrec(server, message) != axl::Status::ok) return 2;
        if (message.payload.words[0] != static_cast<uint64_t>(round) || message.source != server) return 3;
        count_round_trip();
    }
    // Park: nothing ever comes from the hardware pseudo-endpoint.
    (void)axl::receive(axl::endpoints::hardware, message);
    return 4;
}

namespace {

// "VmRSS" / "VmHWM" from /proc/self/status, in bytes (0 if unreadable).
uint64_t proc_status_bytes(const char* field) {
    int fd = ::open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    char text[8192];
    ssize_t got = ::read(fd, text, sizeof text - 1);
    ::close(fd);
    if (got <= 0) return 0;
    text[got] = '\0';
    const size_t length = std::strlen(field);
    for (const char* line = text; line && *line; line = std::strchr(line, '\n')) {
        if (*line == '\n') ++line;
        if (std::strncmp(line, field, length) == 0 && line[length] == ':')
            return std::strtoull(line + length + 1, nullptr, 10) * 1024;
    }
    return 0;
}

// Resets VmHWM to the current RSS (Linux >= 4.0). False if refused.
bool reset_peak_rss() {
    int fd = ::open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
    if (fd < 0) return false;
    bool ok = ::write(fd, "5", 1) == 1;
    ::close(fd);
    return ok;
}

// `pairs` servers; `active` clients calling server.0 .. server.<active-1>
// `rounds_per_client` times; and pairs - active idle clients that only look
// their server up (server.0 ..) and park.
std::string scaling_description(uint64_t pairs, uint64_t active, uint64_t rounds_per_client) {
    auto client_table = [](const std::string& name, uint64_t replicas, uint64_t rounds) {
        return R"(
[[process]]
name = ")" + name + R"("
program = "bench_scaling_client"
replicas = )" + std::to_string(replicas) + R"(
priority = 8
primitives = ["sendrec", "receive"]
destinations = ["server"]
kernel_calls = ["lookup"]
expect = "serve"
[process.args]
server = "server.{replica}"
rounds = )" + std::to_string(rounds) + "\n";
    };
    std::string text = R"([system]
name = "scaling"
cpus = 1
ipc = "rendezvous"

[[process]]
name = "server"
program = "bench_reply_receive_echo_server"
replicas = )" + std::to_string(pairs) + R"(
priority = 4
primitives = ["receive", "reply_receive"]
destinations = [)" + std::string(pairs > active ? R"("client", "idle")" : R"("client")") + R"(]
kernel_calls = []
expect = "serve"
)";
    text += client_table("client", active, rounds_per_client);
    if (pairs > active) text += client_table("idle", pairs - active, 0);
    return text;
}

// 2 .. 100,000 processes (or fibers), a decade apart, and the goal's size.
void scaling_sizes(benchmark::internal::Benchmark* benchmark) {
    for (int64_t size : {2, 20, 200, 2'000, 20'000, 100'000}) benchmark->Arg(size);
}

// `processes` processes, of which 2 x `active_pairs` make round trips.
void run_scaling(benchmark::State& state, uint64_t processes, uint64_t active_pairs, const char* label) {
    const uint64_t pairs = processes / 2;
    const uint64_t rounds = std::max(min_rounds_per_pair, measured_round_trips / active_pairs);
    const uint64_t rounds_per_client = warmup_rounds + rounds + cooldown_rounds;

    // Memory earlier cases freed goes back to the system first, so that
    // neither this case's peak nor its baseline carries it.
    ::malloc_trim(0);
    const bool peak_was_reset = reset_peak_rss();
    const uint64_t rss_before = proc_status_bytes("VmRSS");
    double window_seconds = 0, run_seconds = 0, boot_seconds = 0;
    uint64_t measured = 0, all_round_trips = 0;

    for (auto _ : state) {
        ScalingRun run;
        run.window_open = warmup_rounds * active_pairs;
        run.window_close = (warmup_rounds + rounds) * active_pairs;

        const auto boot_start = Clock::now();
        std::unique_ptr<axl::sim::Simulator> simulator;
        {
            // The parsed description is dropped once the simulator holds its copy.
            axl::sim::SystemDescription system = axl::sim::parse_system_description(
                scaling_description(pairs, active_pairs, rounds_per_client), "<scaling>");
            simulator = std::make_unique<axl::sim::Simulator>(
                system, axl::sim::RunOptions{.trace_level = axl::sim::TraceLevel::off, .echo_console = false});
        }
        const auto run_start = Clock::now();
        g_run = &run;
        axl::sim::RunReport report = simulator->run();
        g_run = nullptr;
        const auto run_end = Clock::now();

        if (!report.ok || report.processes.size() != processes ||
            run.completed != rounds_per_client * active_pairs || run.closed <= run.opened) {
            state.SkipWithError(("the scaling system failed: " +
                                 (report.failures.empty() ? std::string("round trips missing")
                                                          : report.failures.front()))
                                    .c_str());
            return;
        }
        const double window = std::chrono::duration<double>(run.closed - run.opened).count();
        state.SetIterationTime(window);
        window_seconds += window;
        run_seconds += std::chrono::duration<double>(run_end - run_start).count();
        boot_seconds += std::chrono::duration<double>(run_start - boot_start).count();
        measured += rounds * active_pairs;
        all_round_trips += rounds_per_client * active_pairs;
    }

    const uint64_t peak = proc_status_bytes("VmHWM");
    const double iterations = static_cast<double>(state.iterations());
    state.counters["processes"] = static_cast<double>(processes);
    state.counters["rounds_per_pair"] = static_cast<double>(rounds);
    state.counters["ns_per_round_trip"] = window_seconds * 1e9 / static_cast<double>(measured);
    state.counters["run_ns_per_round_trip"] = run_seconds * 1e9 / static_cast<double>(all_round_trips);
    state.counters["boot_s"] = boot_seconds / iterations;
    state.counters["peak_rss_MiB"] = static_cast<double>(peak) / (1024.0 * 1024.0);
    state.counters["rss_per_process_B"] =
        peak > rss_before ? static_cast<double>(peak - rss_before) / static_cast<double>(processes) : 0.0;
    state.SetItemsProcessed(static_cast<int64_t>(measured));
    state.SetLabel(std::string(label) + (peak_was_reset ? "" : "; peak RSS is the process's so far"));
}

// Every pair active: the goal's case.
void BM_ProcessScaling(benchmark::State& state) {
    const auto processes = static_cast<uint64_t>(state.range(0));
    run_scaling(state, processes, processes / 2, "rendezvous, 1 cpu, all pairs active");
}

BENCHMARK(BM_ProcessScaling)
    ->ArgName("processes")
    ->Apply(scaling_sizes)
    ->UseManualTime()
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

// The same system with one pair active and everyone else blocked for good:
// what the number of processes costs by itself (table sizes, boot), apart from
// how many of them take turns. The active pair is alone on the CPU, so it gets
// the fast path, as the 2-process case does.
void BM_ProcessScalingOneActivePair(benchmark::State& state) {
    run_scaling(state, static_cast<uint64_t>(state.range(0)), 1, "rendezvous, 1 cpu, 1 pair active");
}

BENCHMARK(BM_ProcessScalingOneActivePair)
    ->ArgName("processes")
    ->Apply(scaling_sizes)
    ->UseManualTime()
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

// ---- the floor at each size: raw fiber switches, no kernel ----------------------------

// N fibers on the simulator's own stacks (StackPool, default 64 KiB, guard
// pages) switch in a ring, c0 -> s0 -> c1 -> s1 -> ..., each copying the
// 64-byte message the previous one left on its stack into its own: the same
// order and the same cold-stack touches as BM_ProcessScaling's round-robin
// pairs (a round trip there is two switches into two processes that ran last
// one lap ago), with nothing of the kernel or the port. Two switches count as
// one round trip.
struct RawRing {
    std::vector<axl::sim::FiberHandle> handles;  // by fiber
    axl::sim::FiberHandle main = nullptr;
    const axl::Message* in_flight = nullptr;
    uint64_t laps_left = 0;
};

struct RawFiber {
    RawRing* ring;
    uint32_t index;
};

[[noreturn]] void raw_ring_fiber(void* arg) {
    const RawFiber self = *static_cast<RawFiber*>(arg);
    RawRing& ring = *self.ring;
    const auto count = static_cast<uint32_t>(ring.handles.size());
    axl::Message local;
    for (;;) {
        local = *ring.in_flight;
        local.payload.words[0] += 1;
        ring.in_flight = &local;
        uint32_t next = self.index + 1;
        if (next == count) {
            next = 0;
            if (--ring.laps_left == 0) {
                axl::sim::switch_fiber(ring.handles[self.index], ring.main);
                continue;
            }
        }
        axl::sim::switch_fiber(ring.handles[self.index], ring.handles[next]);
    }
}

void BM_RawSwitchScaling(benchmark::State& state) {
    const auto fibers = static_cast<uint32_t>(state.range(0));
    const uint64_t round_trips_per_lap = fibers / 2;
    const uint64_t laps = std::max<uint64_t>(min_rounds_per_pair, measured_round_trips / round_trips_per_lap);

    ::malloc_trim(0);
    const bool peak_was_reset = reset_peak_rss();
    axl::sim::StackPool pool;
    std::vector<axl::sim::Stack> stacks;
    std::vector<RawFiber> args(fibers);
    RawRing ring;
    ring.handles.resize(fibers);
    for (uint32_t i = 0; i < fibers; ++i) {
        stacks.push_back(pool.acquire(64 * 1024));
        args[i] = RawFiber{&ring, i};
        ring.handles[i] = axl::sim::make_fiber(stacks.back(), &raw_ring_fiber, &args[i]);
    }
    axl::Message first;
    ring.in_flight = &first;
    // One lap untimed: every stack's first touch, as the warm-up rounds above.
    ring.laps_left = 1;
    axl::sim::switch_fiber(ring.main, ring.handles[0]);

    double seconds = 0;
    for (auto _ : state) {
        ring.laps_left = laps;
        const auto start = Clock::now();
        axl::sim::switch_fiber(ring.main, ring.handles[0]);
        const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
        state.SetIterationTime(elapsed);
        seconds += elapsed;
    }
    const uint64_t measured = static_cast<uint64_t>(state.iterations()) * laps * round_trips_per_lap;
    state.counters["fibers"] = static_cast<double>(fibers);
    state.counters["ns_per_round_trip"] = seconds * 1e9 / static_cast<double>(measured);
    state.counters["peak_rss_MiB"] = static_cast<double>(proc_status_bytes("VmHWM")) / (1024.0 * 1024.0);
    state.SetItemsProcessed(static_cast<int64_t>(measured));
    state.SetLabel(peak_was_reset ? "floor" : "floor; peak RSS is the process's so far");
    // The fibers stay suspended for good; the pool unmaps their stacks.
}

BENCHMARK(BM_RawSwitchScaling)
    ->ArgName("fibers")
    ->Apply(scaling_sizes)
    ->UseManualTime()
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace
