// One-way streaming per IPC strategy: a producer sends messages as fast as it
// can to a consumer of the same priority, so each runs until it blocks. Rendezvous then costs a switch pair per message; the
// buffered strategies let the producer fill the buffer first, so switches are
// amortised over a buffer's worth of messages. This is where they differ.
#include <benchmark/benchmark.h>

#include <cstdlib>

#include "kernel/api/calls.h"
#include "kernel/api/ipc.h"
#include "kernel/api/program.h"
#include "bench/bench_system.h"

namespace {

benchmark::State* g_stream_state = nullptr;

AXL_PROGRAM(bench_stream_consumer, "benchmark: receives messages forever and checks their order") {
    axl::Message message;
    uint64_t expected = 0;
    for (;;) {
        if (axl::receive(axl::endpoints::any, message) != axl::Status::ok) return 1;
        if (message.payload.words[0] != expected++) axl::fail("message out of order");
    }
}

AXL_PROGRAM(bench_stream_producer, "benchmark: times one-way sends to the consumer") {
    axl::Endpoint consumer;
    if (axl::lookup("consumer", consumer) != axl::Status::ok) return 1;
    axl::Message message;
    uint64_t sent = 0;
    uint64_t start_ns = 0;
    uint64_t end_ns = 0;
    (void)axl::clock(start_ns);
    for (auto _ : *g_stream_state) {
        message.payload.words[0] = sent++;
        if (axl::send(consumer, message) != axl::Status::ok) std::abort();
    }
    (void)axl::clock(end_ns);
    if (sent) g_stream_state->counters["virtual_ns"] = static_cast<double>(end_ns - start_ns) / static_cast<double>(sent);
    return 0;
}

void BM_OneWayStream(benchmark::State& state) {
    using namespace axl;
    auto ipc = static_cast<IpcStrategyKind>(state.range(0));
    bench::run_in_simulation(
        state,
        bench::two_process_system("stream", ipc,
                                  {"consumer", "bench_stream_consumer", 8, bit(Primitive::receive), {}, true},
                                  {"producer", "bench_stream_producer", 8, bit(Primitive::send), {"consumer"}, false}),
        g_stream_state);
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_OneWayStream)
    ->ArgName("ipc")
    ->Arg(static_cast<int>(axl::IpcStrategyKind::rendezvous))
    ->Arg(static_cast<int>(axl::IpcStrategyKind::ring))
    ->Arg(static_cast<int>(axl::IpcStrategyKind::queue));

}  // namespace
