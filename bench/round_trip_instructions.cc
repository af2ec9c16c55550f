// axl_round_trip_instructions: exact instruction counts per round trip, the
// noise-free companion of the wall-clock benchmarks. Run it under callgrind:
//
//   valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=/dev/null \
//       build/bin/axl_round_trip_instructions reply_receive 10000
//
// Collection is switched on only around the client's timed loop (after a
// warm-up), so callgrind's "Collected" total divided by the number of round
// trips is what one sendrec round trip costs: both processes' kernel calls,
// the port's switches and the programs' loops. The server replies with
// reply_receive, or with send then receive (`send_receive`).
#include <valgrind/callgrind.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "bench/bench_system.h"
#include "kernel/api/ipc.h"
#include "kernel/api/program.h"

namespace {

long g_rounds = 10000;

AXL_PROGRAM(instructions_server_reply_receive, "instruction count: echo server replying with reply_receive") {
    axl::Message message;
    if (axl::receive(axl::endpoints::any, message) != axl::Status::ok) return 1;
    for (;;)
        if (axl::reply_receive(message.source, message) != axl::Status::ok) return 1;
}

AXL_PROGRAM(instructions_server_send_receive, "instruction count: echo server replying with send, then receive") {
    axl::Message message;
    for (;;) {
        if (axl::receive(axl::endpoints::any, message) != axl::Status::ok) return 1;
        if (axl::send(message.source, message) != axl::Status::ok) return 1;
    }
}

AXL_PROGRAM(instructions_client, "instruction count: sendrec round trips, collected by callgrind") {
    axl::Endpoint server;
    if (axl::lookup("server", server) != axl::Status::ok) return 1;
    axl::Message message;
    for (int i = 0; i < 1000; ++i)
        if (axl::sendrec(server, message) != axl::Status::ok) return 1;
    CALLGRIND_START_INSTRUMENTATION;
    for (long i = 0; i < g_rounds; ++i) {
        message.payload.words[0] = static_cast<uint64_t>(i);
        if (axl::sendrec(server, message) != axl::Status::ok) return 1;
    }
    CALLGRIND_STOP_INSTRUMENTATION;
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace axl;
    const bool usage = argc < 2 || (std::strcmp(argv[1], "reply_receive") && std::strcmp(argv[1], "send_receive"));
    if (usage || argc > 3) {
        std::fprintf(stderr, "usage: %s reply_receive|send_receive [ROUNDS]   (run under callgrind, see the source)\n",
                     argv[0]);
        return 2;
    }
    if (argc == 3) g_rounds = std::atol(argv[2]);
    const bool reply_receive = std::strcmp(argv[1], "reply_receive") == 0;
    const uint32_t server_primitives =
        bit(Primitive::receive) | (reply_receive ? bit(Primitive::reply_receive) : bit(Primitive::send));
    sim::Simulator simulator(
        bench::two_process_system(
            "round-trip-instructions", IpcStrategyKind::rendezvous,
            {"server", reply_receive ? "instructions_server_reply_receive" : "instructions_server_send_receive", 4,
             server_primitives, {"*"}, true},
            {"client", "instructions_client", 8, bit(Primitive::sendrec), {"server"}, false}),
        {.trace_level = sim::TraceLevel::off, .echo_console = false});
    const sim::RunReport report = simulator.run();
    std::printf("%ld round trips (server: %s): %s\n", g_rounds, argv[1], report.ok ? "ok" : "FAILED");
    return report.ok ? 0 : 1;
}
