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

#include "bench/suite/stream_programs.h"
#include "kernel/api/calls.h"
#include "sim/port/simulator.h"
#include "sim/config/system_description.h"

namespace {

namespace sim = axl::sim;
using axl::bit;
using axl::IpcStrategyKind;
using axl::Primitive;

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
        stream_process("consumer", "bench_stream_timed_consumer", bit(Primitive::receive), nullptr),
        stream_process("producer", "bench_stream_counted_producer", bit(Primitive::send), "consumer"),
    };
    sim::Simulator simulator(system, {.trace_level = sim::TraceLevel::off, .echo_console = false});
    axl::bench::stream_state = &state;
    const sim::RunReport report = simulator.run();
    axl::bench::stream_state = nullptr;
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
