// pingpong: one client, one server, `rounds` sendrec round trips. The
// smallest IPC experiment: every round trip's cost is the strategy's fast path.
//
// The server answers with reply_receive: the reply and the wait for the next
// request in one kernel entry (a reply that fails is logged and counted, then
// the server receives again; see reply_then_receive in workload.h).
//
// Protocol (every payload word is checked, so a lost, duplicated, reordered or
// corrupted message in either direction is caught on the client):
//   request  type request: words[0] = sequence number, words[1..6] = mix64(seq*8 + i)
//   reply    type reply:   words[i] = request.words[i] + 1 for i in 0..5,
//                          words[6] = checksum of all seven request words
// The client recomputes the reply it expects from the request it sent.
//
// pingpong_liar_server is the same server corrupting every `lie_every`-th
// reply: it exists to prove the client's checks fire (workloads/tests/).
#include <cstdint>

#include "kernel/api/endpoint.h"
#include "kernel/api/ipc.h"
#include "kernel/api/message.h"
#include "kernel/api/program.h"
#include "kernel/api/status.h"
#include "workloads/workload.h"

namespace {

using namespace axl;
using namespace axl::workloads;

namespace types {
inline constexpr uint32_t request = 0x101;
inline constexpr uint32_t reply = 0x102;
}  // namespace types

constexpr ProgramOption server_option = string_option("server", "server", "the server's process name");
constexpr ProgramOption rounds_option = integer_option("rounds", 10'000, 1, int64_t{1} << 40, "round trips to make");
constexpr ProgramOption lie_every_option =
    integer_option("lie_every", 100, 1, int64_t{1} << 40, "corrupt every this-many-th reply");

Message make_request(uint64_t seq) {
    Message m;
    m.type = types::request;
    m.payload.words[0] = seq;
    for (uint32_t i = 1; i < payload_words; ++i) m.payload.words[i] = mix64(seq * 8 + i);
    return m;
}

// The reply a correct server sends for `request`.
Message make_reply(const Message& request) {
    Message m;
    m.type = types::reply;
    for (uint32_t i = 0; i + 1 < payload_words; ++i) m.payload.words[i] = request.payload.words[i] + 1;
    m.payload.words[payload_words - 1] = payload_checksum(request);
    return m;
}

class PingpongServer {
public:
    // lie_every = 0: honest. n > 0: every n-th reply has one word corrupted.
    explicit PingpongServer(uint64_t lie_every) : m_lie_every(lie_every) {}

    void setup() {}

    // One buffer: it holds a request, is overwritten with the reply, and
    // reply_receive refills it with the next request.
    [[noreturn]] void run() {
        Message m;
        Status status = receive(endpoints::any, m);
        for (;;) {
            check_ok(status, "receive");
            if (m.type != types::request)
                fail("from slot %u: expected message type %#x, got %#x", m.source.slot(), types::request, m.type);
            const Endpoint client = m.source;
            m = make_reply(m);
            m_served += 1;
            if (m_lie_every && m_served % m_lie_every == 0) m.payload.words[3] ^= 1u << 7;
            // A failed reply is counted and logged, then a plain receive.
            status = reply_then_receive(client, m, m_failed_replies);
        }
    }

    void check() {}

private:
    uint64_t m_lie_every;
    uint64_t m_served = 0;
    uint64_t m_failed_replies = 0;
};

class PingpongClient {
public:
    PingpongClient()
        : m_server_name(option_string(server_option)),
          m_rounds(static_cast<uint64_t>(option_int(rounds_option))) {}

    void setup() {
        m_server = lookup_or_fail(m_server_name);
        check_ok(clock(m_start_ns), "clock");
    }

    void run() {
        for (uint64_t seq = 0; seq < m_rounds; ++seq) {
            const Message request = make_request(seq);
            Message m = request;
            check_ok(sendrec(m_server, m), "sendrec");
            verify_reply(seq, request, m);
            m_checksum = mix64(m_checksum ^ m.payload.words[payload_words - 1]);
            m_done += 1;
        }
    }

    void check() {
        if (m_done != m_rounds)
            fail("expected %llu round trips, got %llu", ull(m_rounds), ull(m_done));
        uint64_t end_ns = 0;
        check_ok(clock(end_ns), "clock");
        log("ok: %llu round trips with %s, checksum %016llx, %llu virtual ns per round trip", ull(m_done),
            m_server_name, ull(m_checksum), ull((end_ns - m_start_ns) / m_done));
    }

private:
    void verify_reply(uint64_t seq, const Message& request, const Message& reply) {
        if (reply.source != m_server)
            fail("round %llu: expected the reply from slot %u generation %u, got slot %u generation %u", ull(seq),
                 m_server.slot(), m_server.generation(), reply.source.slot(), reply.source.generation());
        if (reply.type != types::reply)
            fail("round %llu: expected reply type %#x, got %#x", ull(seq), types::reply, reply.type);
        const Message expected = make_reply(request);
        for (uint32_t i = 0; i < payload_words; ++i) {
            if (reply.payload.words[i] != expected.payload.words[i])
                fail("round %llu: reply word %u: expected %016llx, got %016llx", ull(seq), i,
                     ull(expected.payload.words[i]), ull(reply.payload.words[i]));
        }
    }

    const char* m_server_name;
    uint64_t m_rounds;
    Endpoint m_server;
    uint64_t m_start_ns = 0;
    uint64_t m_done = 0;
    uint64_t m_checksum = 0;
};

}  // namespace

AXL_PROGRAM(pingpong_server, "serves pingpong requests forever: replies words+1 and a checksum") {
    PingpongServer server(0);
    server.setup();
    server.run();
}

AXL_PROGRAM(pingpong_liar_server,
            "pingpong_server that corrupts every lie_every-th reply (default 100): proves the client's checks fire",
            lie_every_option) {
    PingpongServer server(static_cast<uint64_t>(option_int(lie_every_option)));
    server.setup();
    server.run();
}

AXL_PROGRAM(pingpong_client, "sendrec `rounds` times to `server`, checking every reply word",
            server_option, rounds_option) {
    return run_workload<PingpongClient>();
}
