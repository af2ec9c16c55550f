// pipeline: source -> stage 1 -> ... -> stage K -> sink. The source sends
// `items` numbered items with plain `send`; every stage receives from its
// predecessor only (a specific endpoint, never `any`), applies
// x = x * 31 + stage, and sends the item on. Under rendezvous every hop is a
// hand-off; under ring and queue the stages run decoupled by their buffers.
//
// Protocol:
//   item  type item: words[0] = sequence number, words[1] = value, words[2] = hops so far
//   end   type end:  words[0] = items sent; sent with sendrec, so it is acknowledged
//   ack   type ack:  words[0] = items the sink verified, words[1] = the sink's checksum
//
// Every process checks its input completely: sequence numbers 0, 1, 2, ... in
// order, the value (recomputed from the sequence number and the stages it has
// passed), the hop count, and the sender. The sink checks the final values.
//
// Why end-of-stream is a sendrec (acknowledged, relayed back up the chain):
// under ring/queue a sender can run far ahead of its receiver, and the ack
// carries the sink's verdict back to the source, which checks that all it
// sent was verified before it exits. Every process exits: the run ends by
// itself.
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
inline constexpr uint32_t item = 0x301;
inline constexpr uint32_t end = 0x302;
inline constexpr uint32_t ack = 0x303;
}  // namespace types

inline constexpr int64_t stages_max = 1000;
inline constexpr int64_t items_max = int64_t{1} << 40;

constexpr uint64_t initial_value(uint64_t seq) { return seq * 0x9E37'79B9'7F4A'7C15ull + 1; }
constexpr uint64_t stage_transform(uint64_t x, uint64_t stage) { return x * 31 + stage; }

// The value of item `seq` after stages 1..stages_done.
constexpr uint64_t expected_value(uint64_t seq, uint64_t stages_done) {
    uint64_t x = initial_value(seq);
    for (uint64_t stage = 1; stage <= stages_done; ++stage) x = stage_transform(x, stage);
    return x;
}

// Receives from `from` only and checks the item stream: what every stage and
// the sink do with their input. `stages_done` = stages the items have passed.
class ItemStream {
public:
    ItemStream(Endpoint from, const char* from_name, uint64_t stages_done)
        : m_from(from), m_from_name(from_name), m_stages_done(stages_done) {}

    // Receives the next message; true for an item (checked), false for end
    // (whose item count is checked against what arrived).
    bool next(Message& m) {
        check_ok(receive(m_from, m), "receive");
        if (m.source != m_from)
            fail("item %llu: expected a message from %s (slot %u), got slot %u", ull(m_received), m_from_name,
                 m_from.slot(), m.source.slot());
        if (m.type == types::end) {
            if (m.payload.words[0] != m_received)
                fail("end of stream: expected %llu items, %s says it sent %llu", ull(m_received), m_from_name,
                     ull(m.payload.words[0]));
            return false;
        }
        if (m.type != types::item)
            fail("item %llu: expected message type %#x, got %#x", ull(m_received), types::item, m.type);
        uint64_t seq = m.payload.words[0];
        if (seq != m_received)
            fail("expected item %llu next, got item %llu (%s)", ull(m_received), ull(seq),
                 seq < m_received ? "duplicate" : "lost or reordered");
        if (m.payload.words[2] != m_stages_done)
            fail("item %llu: expected %llu hops, got %llu", ull(seq), ull(m_stages_done), ull(m.payload.words[2]));
        uint64_t expected = expected_value(seq, m_stages_done);
        if (m.payload.words[1] != expected)
            fail("item %llu: expected value %016llx, got %016llx", ull(seq), ull(expected), ull(m.payload.words[1]));
        m_received += 1;
        return true;
    }

    uint64_t received() const { return m_received; }

private:
    Endpoint m_from;
    const char* m_from_name;
    uint64_t m_stages_done;
    uint64_t m_received = 0;
};

// Sends end-of-stream with sendrec and checks the ack that comes back.
Message send_end(Endpoint to, const char* to_name, uint64_t items) {
    Message m;
    m.type = types::end;
    m.payload.words[0] = items;
    check_ok(sendrec(to, m), "sendrec end");
    if (m.source != to) fail("ack: expected it from %s (slot %u), got slot %u", to_name, to.slot(), m.source.slot());
    if (m.type != types::ack) fail("ack: expected message type %#x, got %#x", types::ack, m.type);
    if (m.payload.words[0] != items)
        fail("ack: expected the sink to have verified %llu items, it says %llu", ull(items), ull(m.payload.words[0]));
    return m;
}

class PipelineSource {
public:
    PipelineSource()
        : m_next_name(arg_string("next", "stage.1")),
          m_items(static_cast<uint64_t>(option_int("items", 2000, 0, items_max))) {}

    void setup() { m_next = lookup_or_fail(m_next_name); }

    void run() {
        for (uint64_t seq = 0; seq < m_items; ++seq) {
            Message m;
            m.type = types::item;
            m.payload.words[0] = seq;
            m.payload.words[1] = initial_value(seq);
            m.payload.words[2] = 0;
            check_ok(send(m_next, m), "send item");
        }
        m_ack = send_end(m_next, m_next_name, m_items);
    }

    void check() {
        log("ok: sent %llu items to %s, sink verified them all, sink checksum %016llx", ull(m_items), m_next_name,
            ull(m_ack.payload.words[1]));
    }

private:
    const char* m_next_name;
    uint64_t m_items;
    Endpoint m_next;
    Message m_ack;
};

class PipelineStage {
public:
    PipelineStage()
        : m_stage(static_cast<uint64_t>(option_int("stage", 1, 1, stages_max))),
          m_prev_name(arg_string("prev", "source")),
          m_next_name(arg_string("next", "sink")) {}

    void setup() {
        // Both neighbours are alive now: the predecessor waits for our ack before
        // it exits, the successor waits for our end message.
        m_prev = lookup_or_fail(m_prev_name);
        m_next = lookup_or_fail(m_next_name);
    }

    void run() {
        ItemStream input(m_prev, m_prev_name, m_stage - 1);
        Message m;
        while (input.next(m)) {
            m.payload.words[1] = stage_transform(m.payload.words[1], m_stage);
            m.payload.words[2] += 1;
            check_ok(send(m_next, m), "send item");
        }
        m_items = input.received();
        // 1. Pass end-of-stream on and wait for the sink's ack to come back.
        Message ack = send_end(m_next, m_next_name, m_items);
        // 2. Relay it upstream: the predecessor may now exit.
        check_ok(send(m_prev, ack), "send ack");
    }

    void check() { log("ok: stage %llu forwarded %llu items in order", ull(m_stage), ull(m_items)); }

private:
    uint64_t m_stage;
    const char* m_prev_name;
    const char* m_next_name;
    Endpoint m_prev;
    Endpoint m_next;
    uint64_t m_items = 0;
};

class PipelineSink {
public:
    PipelineSink()
        : m_prev_name(arg_string("prev", "stage.4")),
          m_stages(static_cast<uint64_t>(option_int("stages", 4, 0, stages_max))),
          m_items(static_cast<uint64_t>(option_int("items", 2000, 0, items_max))) {}

    void setup() { m_prev = lookup_or_fail(m_prev_name); }

    void run() {
        ItemStream input(m_prev, m_prev_name, m_stages);
        Message m;
        while (input.next(m)) m_checksum = mix64(m_checksum ^ m.payload.words[1]);
        m_received = input.received();
        if (m_received != m_items) fail("expected %llu items, got %llu", ull(m_items), ull(m_received));
        Message ack;
        ack.type = types::ack;
        ack.payload.words[0] = m_received;
        ack.payload.words[1] = m_checksum;
        check_ok(send(m_prev, ack), "send ack");
    }

    void check() {
        log("ok: %llu items through %llu stages, all in order and correct, checksum %016llx", ull(m_received),
            ull(m_stages), ull(m_checksum));
    }

private:
    const char* m_prev_name;
    uint64_t m_stages;
    uint64_t m_items;
    Endpoint m_prev;
    uint64_t m_received = 0;
    uint64_t m_checksum = 0;
};

}  // namespace

AXL_PROGRAM(pipeline_source, "sends `items` numbered items to `next` with send, then an acknowledged end") {
    return run_workload<PipelineSource>();
}

AXL_PROGRAM(pipeline_stage, "receives items from `prev` only, applies x*31+stage, sends them to `next`") {
    return run_workload<PipelineStage>();
}

AXL_PROGRAM(pipeline_sink, "receives items from `prev` only and checks each against `stages` transformations") {
    return run_workload<PipelineSink>();
}
