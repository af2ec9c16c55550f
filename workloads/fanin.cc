// fanin: many clients, one server. Every client sends `rounds` numbered
// requests with sendrec, then asks the server for a report of what it counted.
// Contention at one receiver is where the strategies differ most: rendezvous
// queues blocked senders, ring and queue buffer their messages.
//
// Protocol:
//   request        type request: words[0] = client id, words[1] = sequence number,
//                  words[2] = mix64(id << 32 | seq)
//   reply          type reply: words[0..1] echoed, words[2] = mix64(words[2] ^ reply_salt),
//                  words[3] = requests the server has counted for this client so far
//   report         type report: words[0] = client id
//   report reply   type report_reply: words[0] = id, words[1] = requests counted for
//                  this client, words[2] = requests counted in total
//
// Server checks, per request: the id is in range, each id always comes from the
// same sender and each sender always uses the same id, and sequence numbers go
// 0, 1, 2, ... per client (a smaller one is a duplicate, a larger one a loss).
// When the expected total (clients * rounds) has arrived it verifies that every
// client sent exactly `rounds`, logs the totals and goes on serving (reports).
// Every reply goes out with reply_receive (reply + wait for the next request in
// one kernel entry); a reply that cannot be delivered is logged and counted,
// and the server goes on with a plain receive.
// Client checks: every reply field, the reply's source, and the final report.
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
inline constexpr uint32_t request = 0x201;
inline constexpr uint32_t reply = 0x202;
inline constexpr uint32_t report = 0x203;
inline constexpr uint32_t report_reply = 0x204;
}  // namespace types

inline constexpr uint64_t reply_salt = 0xFA11'0000'0000'F00Dull;
inline constexpr int64_t clients_max = 64;  // the server's table; fixed, no heap

constexpr ProgramOption clients_option = integer_option("clients", 8, 1, clients_max, "clients the server waits for");
constexpr ProgramOption server_rounds_option =
    integer_option("rounds", 1000, 1, int64_t{1} << 40, "requests each client sends");
constexpr ProgramOption server_option = string_option("server", "server", "the server's process name");
constexpr ProgramOption id_option = integer_option("id", 0, 0, clients_max - 1, "this client's number, unique");
constexpr ProgramOption client_rounds_option =
    integer_option("rounds", 1000, 1, int64_t{1} << 40, "requests to send");
constexpr ProgramOption think_ns_option =
    integer_option("think_ns", 0, 0, 1'000'000'000, "virtual ns computed between requests");
constexpr ProgramOption think_jitter_ns_option =
    integer_option("think_jitter_ns", 0, 0, 1'000'000'000, "up to this many ns more, drawn per request");

constexpr uint64_t request_value(uint64_t id, uint64_t seq) { return mix64(id << 32 | seq); }
constexpr uint64_t reply_value(uint64_t value) { return mix64(value ^ reply_salt); }

class FaninServer {
public:
    FaninServer()
        : m_clients(static_cast<uint64_t>(option_int(clients_option))),
          m_rounds(static_cast<uint64_t>(option_int(server_rounds_option))) {}

    void setup() { m_expected_total = m_clients * m_rounds; }

    // The reply and the wait for the next request are one reply_receive; a
    // reply that fails is counted and logged, then the server receives again
    // (reply_then_receive in workload.h).
    [[noreturn]] void run() {
        Message m;
        Status status = receive(endpoints::any, m);
        for (;;) {
            check_ok(status, "receive");
            const Endpoint client = m.source;
            if (m.type == types::request)
                m = serve_request(m);
            else if (m.type == types::report)
                m = serve_report(m);
            else
                fail("from slot %u: expected message type %#x or %#x, got %#x", m.source.slot(), types::request,
                     types::report, m.type);
            status = reply_then_receive(client, m, m_failed_replies);
        }
    }

    // Runs once, when the expected total has arrived.
    void check() {
        for (uint64_t id = 0; id < m_clients; ++id) {
            if (m_next_seq[id] != m_rounds)
                fail("client %llu: expected %llu requests, counted %llu", ull(id), ull(m_rounds), ull(m_next_seq[id]));
        }
        log("ok: %llu requests from %llu clients, %llu each, no duplicates or losses, %llu failed replies so far",
            ull(m_total), ull(m_clients), ull(m_rounds), ull(m_failed_replies));
    }

private:
    // The id a request claims, checked against who sent it.
    uint64_t client_id(const Message& m) {
        uint64_t id = m.payload.words[0];
        if (id >= m_clients)
            fail("from slot %u: expected a client id below %llu, got %llu", m.source.slot(), ull(m_clients), ull(id));
        if (m_sender[id].raw == 0) {
            for (uint64_t other = 0; other < m_clients; ++other) {
                if (m_sender[other] == m.source)
                    fail("slot %u: expected client id %llu (its first), got %llu", m.source.slot(), ull(other), ull(id));
            }
            m_sender[id] = m.source;
        } else if (m_sender[id] != m.source) {
            fail("client id %llu: expected sender slot %u generation %u, got slot %u generation %u", ull(id),
                 m_sender[id].slot(), m_sender[id].generation(), m.source.slot(), m.source.generation());
        }
        return id;
    }

    // Checks and counts a request; returns its reply.
    Message serve_request(const Message& m) {
        uint64_t id = client_id(m);
        uint64_t seq = m.payload.words[1];
        if (seq != m_next_seq[id])
            fail("client %llu: expected sequence number %llu, got %llu (%s)", ull(id), ull(m_next_seq[id]), ull(seq),
                 seq < m_next_seq[id] ? "duplicate" : "lost requests");
        if (m.payload.words[2] != request_value(id, seq))
            fail("client %llu request %llu: expected value %016llx, got %016llx", ull(id), ull(seq),
                 ull(request_value(id, seq)), ull(m.payload.words[2]));
        if (m_total >= m_expected_total)
            fail("expected %llu requests in total, got one more (client %llu, seq %llu)", ull(m_expected_total), ull(id),
                 ull(seq));
        m_next_seq[id] += 1;
        m_total += 1;

        Message reply;
        reply.type = types::reply;
        reply.payload.words[0] = id;
        reply.payload.words[1] = seq;
        reply.payload.words[2] = reply_value(m.payload.words[2]);
        reply.payload.words[3] = m_next_seq[id];
        if (m_total == m_expected_total) check();
        return reply;
    }

    Message serve_report(const Message& m) {
        uint64_t id = client_id(m);
        Message reply;
        reply.type = types::report_reply;
        reply.payload.words[0] = id;
        reply.payload.words[1] = m_next_seq[id];
        reply.payload.words[2] = m_total;
        return reply;
    }

    uint64_t m_clients;
    uint64_t m_rounds;
    uint64_t m_expected_total = 0;
    uint64_t m_total = 0;
    uint64_t m_failed_replies = 0;          // replies reply_receive could not deliver
    uint64_t m_next_seq[clients_max] = {};  // = requests counted per client
    Endpoint m_sender[clients_max] = {};    // raw 0 = not heard from yet
};

class FaninClient {
public:
    FaninClient()
        : m_server_name(option_string(server_option)),
          m_id(static_cast<uint64_t>(option_int(id_option))),
          m_rounds(static_cast<uint64_t>(option_int(client_rounds_option))),
          m_think_ns(static_cast<uint64_t>(option_int(think_ns_option))),
          m_think_jitter_ns(static_cast<uint64_t>(option_int(think_jitter_ns_option))) {}

    void setup() { m_server = lookup_or_fail(m_server_name); }

    void run() {
        for (uint64_t seq = 0; seq < m_rounds; ++seq) {
            // Jitter comes from the run's seed: another seed, another interleaving.
            uint64_t think = m_think_ns + (m_think_jitter_ns ? random_u64() % (m_think_jitter_ns + 1) : 0);
            if (think) check_ok(compute(think), "compute");
            Message m;
            m.type = types::request;
            m.payload.words[0] = m_id;
            m.payload.words[1] = seq;
            m.payload.words[2] = request_value(m_id, seq);
            check_ok(sendrec(m_server, m), "sendrec");
            expect_from_server(m, types::reply, seq);
            expect_word(m, 0, m_id, seq);
            expect_word(m, 1, seq, seq);
            expect_word(m, 2, reply_value(request_value(m_id, seq)), seq);
            expect_word(m, 3, seq + 1, seq);
            m_checksum = mix64(m_checksum ^ m.payload.words[2]);
        }
    }

    // The server's own count for this client must match what the client sent.
    void check() {
        Message m;
        m.type = types::report;
        m.payload.words[0] = m_id;
        check_ok(sendrec(m_server, m), "sendrec report");
        expect_from_server(m, types::report_reply, m_rounds);
        expect_word(m, 0, m_id, m_rounds);
        expect_word(m, 1, m_rounds, m_rounds);
        if (m.payload.words[2] < m_rounds)
            fail("report: expected a server total of at least %llu, got %llu", ull(m_rounds), ull(m.payload.words[2]));
        log("ok: client %llu, %llu requests verified, checksum %016llx", ull(m_id), ull(m_rounds), ull(m_checksum));
    }

private:
    void expect_from_server(const Message& m, uint32_t type, uint64_t seq) {
        if (m.source != m_server)
            fail("request %llu: expected a reply from slot %u, got slot %u", ull(seq), m_server.slot(), m.source.slot());
        if (m.type != type) fail("request %llu: expected reply type %#x, got %#x", ull(seq), type, m.type);
    }

    static void expect_word(const Message& m, uint32_t word, uint64_t expected, uint64_t seq) {
        if (m.payload.words[word] != expected)
            fail("request %llu: reply word %u: expected %016llx, got %016llx", ull(seq), word, ull(expected),
                 ull(m.payload.words[word]));
    }

    const char* m_server_name;
    uint64_t m_id;
    uint64_t m_rounds;
    uint64_t m_think_ns;
    uint64_t m_think_jitter_ns;
    Endpoint m_server;
    uint64_t m_checksum = 0;
};

}  // namespace

AXL_PROGRAM(fanin_server, "counts numbered requests per client, rejects duplicates/losses, verifies the totals",
            clients_option, server_rounds_option) {
    FaninServer server;
    server.setup();
    server.run();
}

AXL_PROGRAM(fanin_client, "sends `rounds` numbered requests to `server`, then checks the server's count for `id`",
            server_option, id_option, client_rounds_option, think_ns_option, think_jitter_ns_option) {
    return run_workload<FaninClient>();
}
