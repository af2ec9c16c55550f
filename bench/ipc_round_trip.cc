// sendrec + reply round trips per IPC strategy, next to the raw Boost.Context
// switch round trip (the floor) measured in the same binary.
//
// The strategy benchmarks run Google Benchmark's timing loop *inside* a
// simulated client process: each iteration is one axl::sendrec to an echo
// server and its reply, through the real kernel and port, with tracing off.
// Simulator construction and boot stay outside the timed region.
#include <benchmark/benchmark.h>

#include <boost/context/detail/fcontext.hpp>
#include <cstdlib>
#include <memory>

#include "kernel/api/calls.h"
#include "kernel/api/ipc.h"
#include "kernel/api/program.h"
#include "sim/simulator.h"
#include "sim/system_description.h"

namespace {

namespace ctx = boost::context::detail;

// The floor: two raw fcontext switches (A -> B -> A) per iteration.
void echo_fiber(ctx::transfer_t from) {
    for (;;) from = ctx::jump_fcontext(from.fctx, nullptr);
}

void BM_RawContextSwitchRoundTrip(benchmark::State& state) {
    constexpr size_t stack_bytes = 64 * 1024;
    std::unique_ptr<char[]> stack(new char[stack_bytes]);
    ctx::fcontext_t fiber = ctx::make_fcontext(stack.get() + stack_bytes, stack_bytes, &echo_fiber);
    ctx::transfer_t t = ctx::jump_fcontext(fiber, nullptr);  // start it; it jumps straight back
    for (auto _ : state) {
        t = ctx::jump_fcontext(t.fctx, nullptr);
        benchmark::ClobberMemory();
    }
    state.SetLabel("floor");
}
BENCHMARK(BM_RawContextSwitchRoundTrip);

// Handed from the host benchmark to the simulated client.
benchmark::State* g_state = nullptr;

AXL_PROGRAM(bench_echo_server, "benchmark: replies to every request with its payload, forever") {
    axl::Message message;
    for (;;) {
        if (axl::receive(axl::endpoints::any, message) != axl::Status::ok) return 1;
        if (axl::send(message.source, message) != axl::Status::ok) return 1;
    }
}

AXL_PROGRAM(bench_round_trip_client, "benchmark: times sendrec round trips to the echo server") {
    axl::Endpoint server;
    if (axl::lookup("server", server) != axl::Status::ok) return 1;
    axl::Message message;
    uint64_t start_ns = 0;
    uint64_t end_ns = 0;
    (void)axl::clock(start_ns);
    uint64_t rounds = 0;
    for (auto _ : *g_state) {
        message.payload.words[0] = rounds++;
        if (axl::sendrec(server, message) != axl::Status::ok) std::abort();
    }
    (void)axl::clock(end_ns);
    if (rounds) g_state->counters["virtual_ns"] = static_cast<double>(end_ns - start_ns) / static_cast<double>(rounds);
    return 0;
}

axl::sim::SystemDescription round_trip_system(axl::IpcStrategyKind ipc) {
    using namespace axl;
    sim::SystemDescription system;
    system.path = "<bench>";
    system.name = "round-trip";
    system.ipc = ipc;
    sim::ProcessDescription server;
    server.name = "server";
    server.program = "bench_echo_server";
    server.priority = 4;
    server.primitives = bit(Primitive::receive) | bit(Primitive::send);
    server.kernel_calls = default_kernel_calls;
    server.all_destinations = true;
    server.expect = sim::Expectation::serve;
    sim::ProcessDescription client;
    client.name = "client";
    client.program = "bench_round_trip_client";
    client.priority = 8;
    client.primitives = bit(Primitive::sendrec);
    client.kernel_calls = default_kernel_calls;
    client.destinations = {"server"};
    system.processes = {server, client};
    return system;
}

void BM_SendrecRoundTrip(benchmark::State& state) {
    auto ipc = static_cast<axl::IpcStrategyKind>(state.range(0));
    axl::sim::Simulator simulator(round_trip_system(ipc),
                                  {.trace_level = axl::sim::TraceLevel::off, .echo_console = false});
    g_state = &state;
    axl::sim::RunReport report = simulator.run();
    g_state = nullptr;
    if (!report.ok) state.SkipWithError("the round-trip system failed");
    state.SetLabel(axl::to_string(ipc));
}
BENCHMARK(BM_SendrecRoundTrip)
    ->ArgName("ipc")
    ->Arg(static_cast<int>(axl::IpcStrategyKind::rendezvous))
    ->Arg(static_cast<int>(axl::IpcStrategyKind::ring))
    ->Arg(static_cast<int>(axl::IpcStrategyKind::queue));

}  // namespace
