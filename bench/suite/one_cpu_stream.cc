// One-way streaming on one simulated CPU (deterministic mode) at chosen ring
// capacities, next to its reference BM_Baseline_SpscPushPop (a 1,024-slot
// spsc_queue push + pop on one thread):
//
//   BM_OneCpuStream/ipc:S/ring_capacity:C
//       a producer sends one-way to a consumer of the same priority; each runs
//       until it blocks (the producer on a full buffer, the consumer on an
//       empty one), so a context-switch pair is amortised over a buffer's
//       worth of messages. One iteration = one message received (and checked
//       for order) by the consumer, which holds the timing loop. C only
//       matters for the ring strategy (the system description's
//       ring_capacity); C = 1024 is the baseline queue's capacity, C = 8 the
//       default. bench/ipc_stream.cc's BM_OneWayStream (in `make run`'s table)
//       is the same stream at the default capacity, timed by the producer.
//
// Counters: virtual_ns per message (axl::clock() around the consumer's loop).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

#include "kernel/api/calls.h"
#include "kernel/api/ipc.h"
#include "kernel/api/program.h"
#include "sim/simulator.h"
#include "sim/system_description.h"

namespace {

namespace sim = axl::sim;
using axl::bit;
using axl::IpcStrategyKind;
using axl::Primitive;

benchmark::State* g_state = nullptr;

AXL_PROGRAM(bench_one_cpu_stream_consumer, "benchmark: times receiving a producer's stream, checks its order") {
    benchmark::State& state = *g_state;
    axl::Message message;
    uint64_t expected = 0;
    uint64_t start_ns = 0;
    uint64_t end_ns = 0;
    (void)axl::clock(start_ns);
    for (auto _ : state) {
        if (axl::receive(axl::endpoints::any, message) != axl::Status::ok) axl::fail("receive failed");
        if (message.payload.words[0] != expected++) axl::fail("message out of order");
    }
    (void)axl::clock(end_ns);
    if (expected) state.counters["virtual_ns"] = static_cast<double>(end_ns - start_ns) / static_cast<double>(expected);
    return 0;
}

AXL_PROGRAM(bench_one_cpu_stream_producer, "benchmark: sends the consumer as many messages as it will time") {
    axl::Endpoint consumer;
    if (axl::lookup("consumer", consumer) != axl::Status::ok) return 1;
    const auto count = static_cast<uint64_t>(g_state->max_iterations);
    axl::Message message;
    for (uint64_t i = 0; i < count; ++i) {
        message.payload.words[0] = i;
        if (axl::send(consumer, message) != axl::Status::ok) return 1;
    }
    return 0;
}

sim::ProcessDescription stream_process(const char* name, const char* program, uint32_t primitives,
                                       const char* destination) {
    sim::ProcessDescription process;
    process.name = name;
    process.program = program;
    process.primitives = primitives;
    process.kernel_calls = axl::default_kernel_calls;
    if (destination) process.destinations = {destination};
    return process;
}

void BM_OneCpuStream(benchmark::State& state) {
    sim::SystemDescription system;
    system.path = "<bench>";
    system.name = "one-cpu-stream";
    system.ipc = static_cast<IpcStrategyKind>(state.range(0));
    system.ring_capacity = static_cast<uint32_t>(state.range(1));
    system.processes = {
        stream_process("consumer", "bench_one_cpu_stream_consumer", bit(Primitive::receive), nullptr),
        stream_process("producer", "bench_one_cpu_stream_producer", bit(Primitive::send), "consumer"),
    };
    sim::Simulator simulator(system, {.trace_level = sim::TraceLevel::off, .echo_console = false});
    g_state = &state;
    const sim::RunReport report = simulator.run();
    g_state = nullptr;
    if (!report.ok) state.SkipWithError("the stream system failed");
    state.SetItemsProcessed(state.iterations());
    std::string label = to_string(system.ipc);
    if (system.ipc == IpcStrategyKind::ring) label += ", ring_capacity " + std::to_string(system.ring_capacity);
    state.SetLabel(label + ", 1 CPU");
}
BENCHMARK(BM_OneCpuStream)
    ->ArgNames({"ipc", "ring_capacity"})
    ->Args({static_cast<int>(IpcStrategyKind::rendezvous), 8})
    ->Args({static_cast<int>(IpcStrategyKind::ring), 8})
    ->Args({static_cast<int>(IpcStrategyKind::ring), 64})
    ->Args({static_cast<int>(IpcStrategyKind::ring), 1024})
    ->Args({static_cast<int>(IpcStrategyKind::queue), 8})
    ->UseRealTime();

}  // namespace
