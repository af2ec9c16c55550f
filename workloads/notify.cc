// notify: a notification storm. Several notifiers each notify one collector
// `count` times, interleaved with compute() and yield(), then tell it "done, I
// notified K times" with sendrec. notify never blocks and never allocates: it
// sets the notifier's bit in the collector's pending bitmap, so notifications
// from one source that arrive before the collector receives coalesce into one
// message (type message_types::notify, words[0] = the notifier's privilege bit).
//
// Protocol:
//   notify      (kernel-built) source = notifier, words[0] = its privilege bit
//   done        type done:     words[0] = notifications sent, words[1] = notifier id
//   done reply  type done_ack: words[0] = notifications the collector received from it
//
// Collector checks, as messages arrive: every notification names a process
// source, each source keeps one privilege bit and no two sources share one, no
// notification arrives after its source's done (a receive delivers pending
// notifications before messages, so a notifier's notifications all precede its
// done), no source is done twice. At each done: at least one notification from
// that notifier (if it sent any) and never more than it sent. At the end:
// exactly `notifiers` sources, all done, total received <= total sent.
// Notifier checks: the reply comes from the collector and its count is in [1, K].
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
inline constexpr uint32_t done = 0x401;
inline constexpr uint32_t done_ack = 0x402;
}  // namespace types

inline constexpr int64_t notifiers_max = 64;  // the collector's table; fixed, no heap
inline constexpr int64_t count_max = int64_t{1} << 40;

constexpr ProgramOption notifiers_option =
    integer_option("notifiers", 4, 1, notifiers_max, "notifiers whose done messages end the run");
constexpr ProgramOption collector_option = string_option("collector", "collector", "the collector's process name");
constexpr ProgramOption id_option = integer_option("id", 0, 0, count_max, "this notifier's number");
constexpr ProgramOption count_option = integer_option("count", 1000, 0, count_max, "notifications to send");
constexpr ProgramOption compute_ns_option =
    integer_option("compute_ns", 100, 0, 1'000'000'000, "virtual ns computed between notifications");
constexpr ProgramOption yield_every_option =
    integer_option("yield_every", 0, 0, count_max, "yield after every this many notifications (0: never)");

class NotifyCollector {
public:
    NotifyCollector() : m_notifiers(static_cast<uint32_t>(option_int(notifiers_option))) {}

    void setup() {}

    void run() {
        Message m;
        while (m_done < m_notifiers) {
            check_ok(receive(endpoints::any, m), "receive");
            if (m.type == message_types::notify)
                on_notification(m);
            else if (m.type == types::done)
                on_done(m);
            else
                fail("from slot %u: expected a notification or type %#x, got type %#x", m.source.slot(), types::done,
                     m.type);
        }
    }

    void check() {
        if (m_sources != m_notifiers) fail("expected %u notifiers, heard from %u", m_notifiers, m_sources);
        uint64_t sent = 0;
        uint64_t received = 0;
        for (uint32_t i = 0; i < m_sources; ++i) {
            if (!m_table[i].done) fail("slot %u: expected a done message, got none", m_table[i].source.slot());
            sent += m_table[i].sent;
            received += m_table[i].received;
        }
        if (received > sent) fail("expected at most %llu notifications in total, received %llu", ull(sent), ull(received));
        log("ok: %u notifiers sent %llu notifications, %llu delivered (%llu coalesced away)", m_notifiers, ull(sent),
            ull(received), ull(sent - received));
    }

private:
    struct Source {
        Endpoint source;
        uint64_t bit = 0;
        uint64_t received = 0;  // notification messages delivered from it
        uint64_t sent = 0;      // what its done message says it sent
        bool done = false;
    };

    Source& find_or_add(Endpoint source) {
        for (uint32_t i = 0; i < m_sources; ++i)
            if (m_table[i].source == source) return m_table[i];
        if (m_sources == m_notifiers)
            fail("slot %u generation %u: expected only %u notifiers, this is one more", source.slot(),
                 source.generation(), m_notifiers);
        Source& entry = m_table[m_sources++];
        entry.source = source;
        return entry;
    }

    void on_notification(const Message& m) {
        if (m.source.raw == 0 || endpoints::is_pseudo(m.source))
            fail("expected a notification from a process, got one from slot %u generation %u", m.source.slot(),
                 m.source.generation());
        uint64_t bit = m.payload.words[0];
        Source& entry = find_or_add(m.source);
        if (entry.done) fail("slot %u: expected no notification after its done message, got one", m.source.slot());
        if (entry.received == 0) {
            for (uint32_t i = 0; i < m_sources; ++i) {
                const Source& other = m_table[i];
                if (&other != &entry && other.received > 0 && other.bit == bit)
                    fail("privilege bit %llu: expected one owner, slots %u and %u both use it", ull(bit),
                         other.source.slot(), m.source.slot());
            }
            entry.bit = bit;
        } else if (entry.bit != bit) {
            fail("slot %u: expected privilege bit %llu, got %llu", m.source.slot(), ull(entry.bit), ull(bit));
        }
        entry.received += 1;
    }

    void on_done(const Message& m) {
        Source& entry = find_or_add(m.source);
        if (entry.done) fail("slot %u: expected one done message, got a second", m.source.slot());
        entry.done = true;
        entry.sent = m.payload.words[0];
        uint64_t id = m.payload.words[1];
        if (entry.sent > 0 && entry.received == 0)
            fail("notifier %llu (slot %u): expected at least 1 of its %llu notifications, got 0", ull(id),
                 m.source.slot(), ull(entry.sent));
        if (entry.received > entry.sent)
            fail("notifier %llu (slot %u): expected at most %llu notifications, got %llu", ull(id), m.source.slot(),
                 ull(entry.sent), ull(entry.received));
        m_done += 1;
        Message reply;
        reply.type = types::done_ack;
        reply.payload.words[0] = entry.received;
        check_ok(send(m.source, reply), "send done reply");
    }

    uint32_t m_notifiers;
    uint32_t m_sources = 0;
    uint32_t m_done = 0;
    Source m_table[notifiers_max];
};

class Notifier {
public:
    Notifier()
        : m_collector_name(option_string(collector_option)),
          m_id(static_cast<uint64_t>(option_int(id_option))),
          m_count(static_cast<uint64_t>(option_int(count_option))),
          m_compute_ns(static_cast<uint64_t>(option_int(compute_ns_option))),
          m_yield_every(static_cast<uint64_t>(option_int(yield_every_option))) {}

    void setup() { m_collector = lookup_or_fail(m_collector_name); }

    void run() {
        for (uint64_t i = 1; i <= m_count; ++i) {
            check_ok(notify(m_collector), "notify");
            if (m_compute_ns) check_ok(compute(m_compute_ns), "compute");
            if (m_yield_every && i % m_yield_every == 0) check_ok(yield(), "yield");
        }
        m_reply.type = types::done;
        m_reply.payload.words[0] = m_count;
        m_reply.payload.words[1] = m_id;
        check_ok(sendrec(m_collector, m_reply), "sendrec done");
    }

    void check() {
        if (m_reply.source != m_collector)
            fail("done reply: expected it from slot %u, got slot %u", m_collector.slot(), m_reply.source.slot());
        if (m_reply.type != types::done_ack)
            fail("done reply: expected type %#x, got %#x", types::done_ack, m_reply.type);
        uint64_t received = m_reply.payload.words[0];
        uint64_t low = m_count > 0 ? 1 : 0;
        if (received < low || received > m_count)
            fail("expected the collector to have received between %llu and %llu notifications, it says %llu", ull(low),
                 ull(m_count), ull(received));
        log("ok: notifier %llu notified %llu times, the collector received %llu", ull(m_id), ull(m_count),
            ull(received));
    }

private:
    const char* m_collector_name;
    uint64_t m_id;
    uint64_t m_count;
    uint64_t m_compute_ns;
    uint64_t m_yield_every;
    Endpoint m_collector;
    Message m_reply;
};

}  // namespace

AXL_PROGRAM(notify_collector, "counts notifications per source until `notifiers` done messages; checks coalescing bounds",
            notifiers_option) {
    return run_workload<NotifyCollector>();
}

AXL_PROGRAM(notify_notifier, "notifies `collector` `count` times between compute/yield, then reports with sendrec",
            collector_option, id_option, count_option, compute_ns_option, yield_every_option) {
    return run_workload<Notifier>();
}
