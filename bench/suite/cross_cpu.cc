// Cross-CPU IPC in parallel mode: two simulated CPUs as two host threads, one
// process dedicated to each, for every IPC strategy.
//
//   BM_CrossCpuStream/ipc:S/ring_capacity:C
//       a producer on CPU 0 sends one-way to a consumer on CPU 1. One
//       iteration = one message received (and checked for order) by the
//       consumer, which holds the timing loop, as the consumer of
//       BM_Baseline_SpscStreamCrossThread does (its reference). The ring
//       strategy's sends and receives take no kernel lock
//       (kernel/fastpath_unlocked.h); rendezvous and queue go through the
//       locked kernel. C is the ring's capacity per sending CPU (the system
//       description's ring_capacity; only the ring strategy uses it).
//   BM_CrossCpuRoundTrip/ipc:S
//       a client on CPU 0 sendrecs to a server on CPU 1, which answers with
//       reply_receive. One iteration = one round trip, timed by the client.
//       Every round trip wakes a process on the other CPU through the kernel
//       lock; the reference is BM_Baseline_FutexRoundTrip/cross_cpu:1.
//
// Both processes get a quantum far longer than a run (each has its CPU to
// itself), so no quantum expiry sends a stream through the locked path.
// Wall time (UseRealTime); the host threads are not pinned to host cores.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

#include "bench/suite/stream_programs.h"
#include "kernel/api/calls.h"
#include "kernel/api/ipc.h"
#include "kernel/api/program.h"
#include "sim/port/simulator.h"
#include "sim/config/system_description.h"

namespace {

namespace sim = axl::sim;
using axl::bit;
using axl::IpcStrategyKind;
using axl::Primitive;

benchmark::State* g_state = nullptr;

AXL_PROGRAM(bench_xcpu_client, "benchmark: times sendrec round trips to the server on the other CPU") {
    axl::Endpoint server;
    if (axl::lookup("server", server) != axl::Status::ok) return 1;
    axl::Message message;
    uint64_t sent = 0;
    for (auto _ : *g_state) {
        message.payload.words[0] = sent;
        if (axl::sendrec(server, message) != axl::Status::ok) axl::fail("sendrec failed");
        if (message.payload.words[0] != sent + 1) axl::fail("wrong reply");
        ++sent;
    }
    return 0;
}

AXL_PROGRAM(bench_xcpu_server, "benchmark: answers every request with its word 0 plus one") {
    axl::Message message;
    if (axl::receive(axl::endpoints::any, message) != axl::Status::ok) return 0;
    for (;;) {
        const axl::Endpoint client = message.source;
        message.payload.words[0] += 1;
        if (axl::reply_receive(client, message) != axl::Status::ok) return 0;
    }
}

sim::ProcessDescription dedicated(const char* name, const char* program, int32_t cpu, uint32_t primitives,
                                  const char* destination, sim::Expectation expect) {
    sim::ProcessDescription process;
    process.name = name;
    process.program = program;
    process.cpu = cpu;
    process.dedicated_cpu = true;
    process.quantum_ns = uint64_t{1} << 50;
    process.primitives = primitives;
    process.kernel_calls = axl::default_kernel_calls;
    if (destination) process.destinations = {destination};
    process.expect = expect;
    return process;
}

void run_parallel(benchmark::State& state, sim::SystemDescription system) {
    system.path = "<bench>";
    system.cpus = 2;
    sim::Simulator simulator(system, {.trace_level = sim::TraceLevel::off, .echo_console = false, .parallel = true});
    g_state = &state;
    axl::bench::stream_state = &state;
    const sim::RunReport report = simulator.run();
    g_state = nullptr;
    axl::bench::stream_state = nullptr;
    if (!report.ok) state.SkipWithError(("the system " + system.name + " failed").c_str());
    state.SetItemsProcessed(state.iterations());
}

void BM_CrossCpuStream(benchmark::State& state) {
    sim::SystemDescription system;
    system.name = "cross-cpu-stream";
    system.ipc = static_cast<IpcStrategyKind>(state.range(0));
    system.ring_capacity = static_cast<uint32_t>(state.range(1));
    system.processes = {
        dedicated("consumer", "bench_stream_timed_consumer", 1, bit(Primitive::receive), nullptr, sim::Expectation::exit),
        dedicated("producer", "bench_stream_counted_producer", 0, bit(Primitive::send), "consumer", sim::Expectation::exit),
    };
    run_parallel(state, system);
    std::string label = to_string(system.ipc);
    if (system.ipc == IpcStrategyKind::ring) label += ", ring_capacity " + std::to_string(system.ring_capacity);
    state.SetLabel(label + ", parallel, 2 CPUs");
}
BENCHMARK(BM_CrossCpuStream)
    ->ArgNames({"ipc", "ring_capacity"})
    ->Args({static_cast<int>(IpcStrategyKind::rendezvous), 8})
    ->Args({static_cast<int>(IpcStrategyKind::ring), 8})
    ->Args({static_cast<int>(IpcStrategyKind::ring), 1024})
    ->Args({static_cast<int>(IpcStrategyKind::queue), 8})
    ->UseRealTime();

void BM_CrossCpuRoundTrip(benchmark::State& state) {
    sim::SystemDescription system;
    system.name = "cross-cpu-round-trip";
    system.ipc = static_cast<IpcStrategyKind>(state.range(0));
    system.processes = {
        dedicated("server", "bench_xcpu_server", 1, bit(Primitive::receive) | bit(Primitive::reply_receive), "client",
                  sim::Expectation::serve),
        dedicated("client", "bench_xcpu_client", 0, bit(Primitive::sendrec), "server", sim::Expectation::exit),
    };
    run_parallel(state, system);
    state.SetLabel(std::string(to_string(system.ipc)) + ", parallel, 2 CPUs");
}
BENCHMARK(BM_CrossCpuRoundTrip)
    ->ArgName("ipc")
    ->Arg(static_cast<int>(IpcStrategyKind::rendezvous))
    ->Arg(static_cast<int>(IpcStrategyKind::ring))
    ->Arg(static_cast<int>(IpcStrategyKind::queue))
    ->UseRealTime();

}  // namespace
