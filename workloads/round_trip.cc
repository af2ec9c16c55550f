// round_trip: the bare IPC round trip, for path-length measurement. The
// client times `rounds` sendrec calls (after `warmup` more) with the kernel's
// clock; the server echoes each request with reply_receive, or with send and
// then receive when `two_calls` = 1. Neither does any other work, so the time
// per round trip is the IPC path alone (user-side wrappers included). Under
// `axl boot --icount` the x86-64 clock counts guest instructions, so the
// figure is instructions per round trip (results/README.md, "Path length").
#include <cstdint>

#include "kernel/api/ipc.h"
#include "kernel/api/message.h"
#include "kernel/api/program.h"
#include "kernel/api/status.h"
#include "workloads/workload.h"

namespace {

using namespace axl;
using namespace axl::workloads;

constexpr ProgramOption two_calls_option =
    integer_option("two_calls", 0, 0, 1, "1: answer with send + receive instead of reply_receive");
constexpr ProgramOption warmup_option = integer_option("warmup", 100, 1, int64_t{1} << 40, "untimed round trips first");
constexpr ProgramOption rounds_option = integer_option("rounds", 10000, 1, int64_t{1} << 40, "timed round trips");
constexpr ProgramOption server_option = string_option("server", "server", "the server's process name");

}  // namespace

AXL_PROGRAM(round_trip_server, "echoes every request as fast as it can: reply_receive, or send + receive",
            two_calls_option) {
    const bool two_calls = option_int(two_calls_option) != 0;
    Message message;
    Status status = receive(endpoints::any, message);
    for (;;) {
        if (status != Status::ok) fail("receive: %s", to_string(status));
        const Endpoint client = message.source;
        if (two_calls) {
            status = send(client, message);
            if (status == Status::ok) status = receive(endpoints::any, message);
        } else {
            status = reply_receive(client, message);
        }
    }
}

AXL_PROGRAM(round_trip_client, "times `rounds` bare sendrec round trips to `server` with the kernel clock",
            warmup_option, rounds_option, server_option) {
    const int64_t warmup = option_int(warmup_option);
    const int64_t rounds = option_int(rounds_option);
    const Endpoint server = lookup_or_fail(option_string(server_option));
    Message message;
    for (int64_t i = 0; i < warmup; ++i) check_ok(sendrec(server, message), "sendrec");
    uint64_t start = 0, end = 0;
    check_ok(clock(start), "clock");
    for (int64_t i = 0; i < rounds; ++i) check_ok(sendrec(server, message), "sendrec");
    check_ok(clock(end), "clock");
    const uint64_t hundredths = (end - start) * 100 / static_cast<uint64_t>(rounds);
    log("ok: %lld round trips, %llu.%02llu ns each (clock %llu ns in all)", sll(rounds), ull(hundredths / 100),
        ull(hundredths % 100), ull(end - start));
    return 0;
}
