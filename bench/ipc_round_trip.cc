// sendrec round trips per IPC strategy, next to the raw Boost.Context switch
// round trip (the floor) measured in the same binary. Two echo servers, the
// same client:
//   BM_SendrecRoundTrip              server: receive(any), then send(reply)
//                                    (two kernel entries per request)
//   BM_SendrecReplyReceiveRoundTrip  server: reply_receive(client, reply), the
//                                    reply and the next receive(any) in one
//                                    kernel entry (seL4's ReplyRecv)
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
#include "bench/bench_system.h"

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

// The same echo with reply_receive. A failed reply (it cannot happen here: the
// only client always waits in sendrec) ends the server with status 1, which
// fails the run and so the benchmark, as a failed send does above.
AXL_PROGRAM(bench_reply_receive_echo_server,
            "benchmark: replies to every request with its payload using reply_receive, forever") {
    axl::Message message;
    if (axl::receive(axl::endpoints::any, message) != axl::Status::ok) return 1;
    for (;;) {
        if (axl::reply_receive(message.source, message) != axl::Status::ok) return 1;
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

void BM_SendrecRoundTrip(benchmark::State& state) {
    using namespace axl;
    auto ipc = static_cast<IpcStrategyKind>(state.range(0));
    bench::run_in_simulation(
        state,
        bench::two_process_system(
            "round-trip", ipc,
            {"server", "bench_echo_server", 4, bit(Primitive::receive) | bit(Primitive::send), {"*"}, true},
            {"client", "bench_round_trip_client", 8, bit(Primitive::sendrec), {"server"}, false}),
        g_state);
}
BENCHMARK(BM_SendrecRoundTrip)
    ->ArgName("ipc")
    ->Arg(static_cast<int>(axl::IpcStrategyKind::rendezvous))
    ->Arg(static_cast<int>(axl::IpcStrategyKind::ring))
    ->Arg(static_cast<int>(axl::IpcStrategyKind::queue));

// The client above against bench_reply_receive_echo_server: the same round
// trip, the server's half in one kernel entry instead of two.
void BM_SendrecReplyReceiveRoundTrip(benchmark::State& state) {
    using namespace axl;
    auto ipc = static_cast<IpcStrategyKind>(state.range(0));
    bench::run_in_simulation(
        state,
        bench::two_process_system("round-trip-reply-receive", ipc,
                                  {"server", "bench_reply_receive_echo_server", 4,
                                   bit(Primitive::receive) | bit(Primitive::reply_receive), {"*"}, true},
                                  {"client", "bench_round_trip_client", 8, bit(Primitive::sendrec), {"server"}, false}),
        g_state);
}
BENCHMARK(BM_SendrecReplyReceiveRoundTrip)
    ->ArgName("ipc")
    ->Arg(static_cast<int>(axl::IpcStrategyKind::rendezvous))
    ->Arg(static_cast<int>(axl::IpcStrategyKind::ring))
    ->Arg(static_cast<int>(axl::IpcStrategyKind::queue));

}  // namespace
