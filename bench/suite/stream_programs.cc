#include "bench/suite/stream_programs.h"

#include <cstdint>

#include "kernel/api/calls.h"
#include "kernel/api/ipc.h"
#include "kernel/api/program.h"

namespace axl::bench {

benchmark::State* stream_state = nullptr;

namespace {

AXL_PROGRAM(bench_stream_timed_consumer, "benchmark: times receiving a producer's stream, checks its order") {
    benchmark::State& state = *stream_state;
    Message message;
    uint64_t expected = 0;
    uint64_t start_ns = 0;
    uint64_t end_ns = 0;
    (void)clock(start_ns);
    for (auto _ : state) {
        if (receive(endpoints::any, message) != Status::ok) fail("receive failed");
        if (message.payload.words[0] != expected++) fail("message %llu out of order", (unsigned long long)expected);
    }
    (void)clock(end_ns);
    if (expected) state.counters["virtual_ns"] = static_cast<double>(end_ns - start_ns) / static_cast<double>(expected);
    return 0;
}

AXL_PROGRAM(bench_stream_counted_producer, "benchmark: sends the consumer as many messages as it will time") {
    Endpoint consumer;
    if (lookup("consumer", consumer) != Status::ok) return 1;
    const auto count = static_cast<uint64_t>(stream_state->max_iterations);
    Message message;
    for (uint64_t i = 0; i < count; ++i) {
        message.payload.words[0] = i;
        if (send(consumer, message) != Status::ok) return 1;
    }
    return 0;
}

}  // namespace
}  // namespace axl::bench
