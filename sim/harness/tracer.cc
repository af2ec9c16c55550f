#include "sim/harness/tracer.h"

#include <algorithm>
#include <bit>
#include <cctype>
#include <deque>
#include <functional>
#include <iterator>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <unordered_map>
#include <utility>

#include <fmt/compile.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "kernel/api/endpoint.h"
#include "kernel/process.h"

namespace axl::sim {

namespace {

// Events per buffer chunk: 16 Ki events of 32 bytes = 512 KiB, a power of two
// so indexing is a shift and a mask.
constexpr size_t k_chunk_events_max = size_t{1} << 14;

// Exports write through a memory buffer handed to the stream in pieces this big.
constexpr size_t k_flush_bytes = size_t{1} << 16;

// What a, b and c mean for each kind (mirrors the comments in kernel/trace.h),
// used to label Chrome-trace args. Slot fields are shown with process names.
struct FieldMeaning {
    const char* a;
    const char* b;
    const char* c;
    bool a_is_slot;
    bool b_is_slot;
    bool b_is_signed;  // exit status is an int32 carried in a uint32
};

constexpr FieldMeaning k_field_meanings[trace_kind_count] = {
    /* send        */ {"sender", "to", "type", true, true, false},
    /* deliver     */ {"receiver", "from", "type", true, true, false},
    /* buffered    */ {"sender", "to", "type", true, true, false},
    /* block       */ {"process", "on", "primitive", true, true, false},
    /* wake        */ {"process", "by", "status", true, true, false},
    /* dispatch    */ {"process", "previous", "cpu", true, true, false},
    /* notify      */ {"notifier", "to", "privilege_bit", true, true, false},
    /* kernel_call */ {"caller", "call", "status", true, false, false},
    /* denied      */ {"caller", "call", "status", true, false, false},
    /* exit        */ {"process", "status", "unused", true, false, true},
    /* fault       */ {"process", "fault", "detail", true, false, false},
    /* spawn       */ {"process", "endpoint", "cpu", true, false, false},
    /* idle        */ {"cpu", "unused", "unused", false, false, false},
    /* quantum     */ {"process", "priority", "unused", true, false, false},
    /* interrupt   */ {"line", "owner", "cpu", false, true, false},
    /* alarm       */ {"process", "unused", "unused", true, false, false},
    /* kill        */ {"process", "by", "unused", true, true, false},
    /* restart     */ {"process", "endpoint", "by", true, false, false},
    /* injected    */ {"target", "fault_kind", "fault", true, false, false},
};
static_assert(std::size(k_field_meanings) == trace_kind_count);

// Events of unknown kind (a newer kernel) still export, with neutral labels.
constexpr FieldMeaning k_unknown_kind_meaning = {"a", "b", "c", false, false, false};

const FieldMeaning& meaning_of(TraceKind kind) {
    const auto index = static_cast<uint32_t>(kind);
    return index < trace_kind_count ? k_field_meanings[index] : k_unknown_kind_meaning;
}

const char* pseudo_slot_name(uint32_t slot) {
    if (slot == endpoints::any.slot()) return "ANY";
    if (slot == endpoints::none.slot()) return "NONE";
    if (slot == endpoints::hardware.slot()) return "HARDWARE";
    if (slot == endpoints::system.slot()) return "SYSTEM";
    if (slot == endpoints::clock.slot()) return "CLOCK";
    return nullptr;
}

bool is_pseudo_slot(uint32_t slot) {
    return slot >= endpoints::pseudo_slot_first && slot <= Endpoint::slot_mask;
}

// "1234.567": virtual nanoseconds as the microseconds Chrome traces use,
// formatted from integers so the value is exact (no binary floating point).
template <typename Out>
void format_microseconds(Out out, uint64_t ns) {
    fmt::format_to(out, FMT_COMPILE("{}.{:03}"), ns / 1000, ns % 1000);
}

// Pairs each delivered message with the send that produced it. Per (sender,
// receiver) FIFO, as the kernel delivers; the message type must match too, so a
// notification (which has no send event) delivered between two messages of the
// same pair does not steal a send. The token is whatever the caller wants back
// at delivery (a send ordinal, a flow id).
class MessageMatcher {
public:
    void on_send(uint32_t sender, uint32_t receiver, uint32_t type, uint64_t token) {
        m_in_flight[{sender, receiver}].push_back({type, token});
    }

    std::optional<uint64_t> on_deliver(uint32_t receiver, uint32_t sender, uint32_t type) {
        const auto queue = m_in_flight.find({sender, receiver});
        if (queue == m_in_flight.end())
            return std::nullopt;
        auto& pending = queue->second;
        const auto match = std::find_if(pending.begin(), pending.end(),
                                        [type](const InFlight& m) { return m.type == type; });
        if (match == pending.end())
            return std::nullopt;
        const uint64_t token = match->token;
        pending.erase(match);
        return token;
    }

private:
    struct InFlight {
        uint32_t type;
        uint64_t token;
    };
    std::map<std::pair<uint32_t, uint32_t>, std::deque<InFlight>> m_in_flight;
};

// Memoises a per-slot string (a name, escaped or cleaned for its format).
// Exports label every event and names do not change during an export, so
// formatting and escaping once per slot instead of once per event is most of
// an export's speed. Looked up, never iterated, so the unordered map cannot
// make output order depend on hashing.
class SlotTextCache {
public:
    explicit SlotTextCache(std::function<std::string(uint32_t)> make) : m_make(std::move(make)) {}

    const std::string& operator()(uint32_t slot) {
        auto cached = m_texts.find(slot);
        if (cached == m_texts.end())
            cached = m_texts.emplace(slot, m_make(slot)).first;
        return cached->second;
    }

private:
    std::function<std::string(uint32_t)> m_make;
    std::unordered_map<uint32_t, std::string> m_texts;
};

std::string json_string(const std::string& text) {
    // replace, not throw, on invalid UTF-8: a bad name must not lose a trace
    return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Names go into a space-separated line, so whitespace and control characters
// in them become '_' to keep exactly six columns.
std::string one_column(std::string text) {
    for (char& c : text)
        if (std::isspace(static_cast<unsigned char>(c)) || std::iscntrl(static_cast<unsigned char>(c)))
            c = '_';
    return text;
}

}  // namespace

// --- storage ---------------------------------------------------------------------------

Tracer::Tracer(TraceLevel level, uint32_t cpu_count, size_t max_events_per_cpu)
    : m_level(level),
      m_max_events_per_cpu(max_events_per_cpu),
      m_chunk_events(std::bit_ceil(std::clamp<size_t>(max_events_per_cpu, 1, k_chunk_events_max))),
      m_chunk_shift(static_cast<uint32_t>(std::countr_zero(m_chunk_events))),
      m_cpus(std::max<uint32_t>(cpu_count, 1)) {}

Tracer::~Tracer() = default;

void Tracer::store(const TraceEvent& event) {
    // The sequence is the event's position in the hashed stream (record() has
    // just added it), so the merge can restore the exact recording order.
    const uint64_t sequence = m_digest.events() - 1;
    if (event.cpu >= m_cpus.size()) [[unlikely]] {
        ++m_dropped_out_of_range_cpu;
        return;
    }
    CpuBuffer& buffer = m_cpus[event.cpu];
    if (buffer.size >= m_max_events_per_cpu) [[unlikely]] {
        if (buffer.dropped++ == 0)
            buffer.first_dropped_ns = event.time_ns;
        return;
    }
    const size_t offset = buffer.size & (m_chunk_events - 1);
    if (offset == 0)
        buffer.chunks.push_back(std::make_unique<StoredEvent[]>(m_chunk_events));
    buffer.chunks.back()[offset] = StoredEvent{event, sequence};
    ++buffer.size;
}

void Tracer::set_process_name(uint32_t slot, std::string name) {
    if (slot >= m_process_names.size())
        m_process_names.resize(size_t{slot} + 1);
    m_process_names[slot] = std::move(name);
}

uint64_t Tracer::stored_count() const {
    uint64_t total = 0;
    for (const CpuBuffer& buffer : m_cpus)
        total += buffer.size;
    return total;
}

uint64_t Tracer::dropped() const {
    uint64_t total = m_dropped_out_of_range_cpu;
    for (const CpuBuffer& buffer : m_cpus)
        total += buffer.dropped;
    return total;
}

uint64_t Tracer::last_stored_ns() const {
    uint64_t last = 0;
    for (uint32_t cpu = 0; cpu < m_cpus.size(); ++cpu)
        if (m_cpus[cpu].size > 0)
            last = std::max(last, stored(cpu, m_cpus[cpu].size - 1).event.time_ns);
    return last;
}

std::string Tracer::process_name(uint32_t slot) const {
    if (slot == no_slot)
        return "-";
    if (is_pseudo_slot(slot)) {
        const char* name = pseudo_slot_name(slot);
        return name ? name : fmt::format("pseudo#{}", slot);
    }
    if (slot < m_process_names.size() && !m_process_names[slot].empty())
        return m_process_names[slot];
    return fmt::format("#{}", slot);
}

std::string Tracer::slot_label(uint32_t slot) const {
    if (slot == no_slot || is_pseudo_slot(slot))
        return process_name(slot);
    if (slot < m_process_names.size() && !m_process_names[slot].empty())
        return fmt::format("{}({})", m_process_names[slot], slot);
    return fmt::format("#{}", slot);
}

// --- global order ----------------------------------------------------------------------

// Walks every CPU buffer at once in (time_ns, sequence) order. Each buffer is
// already in that order (a CPU's virtual clock never runs backwards and the
// sequence grows), so a k-way merge is a full sort; with at most
// config::cpus_max buffers a linear scan of the heads beats a heap.
class Tracer::MergedOrder {
public:
    struct Position {
        uint32_t cpu;
        size_t index;  // within the CPU's buffer
        const StoredEvent* stored;
    };

    explicit MergedOrder(const Tracer& tracer) : m_tracer(tracer), m_next(tracer.m_cpus.size(), 0) {}

    std::optional<Position> next() {
        std::optional<Position> earliest;
        for (uint32_t cpu = 0; cpu < m_next.size(); ++cpu) {
            if (m_next[cpu] >= m_tracer.m_cpus[cpu].size)
                continue;
            const StoredEvent& head = m_tracer.stored(cpu, m_next[cpu]);
            if (!earliest || comes_before(head, *earliest->stored))
                earliest = Position{cpu, m_next[cpu], &head};
        }
        if (earliest)
            ++m_next[earliest->cpu];
        return earliest;
    }

private:
    static bool comes_before(const StoredEvent& x, const StoredEvent& y) {
        return x.event.time_ns != y.event.time_ns ? x.event.time_ns < y.event.time_ns
                                                  : x.sequence < y.sequence;
    }

    const Tracer& m_tracer;
    std::vector<size_t> m_next;
};

// --- Chrome trace ----------------------------------------------------------------------

// Writes the Chrome trace event JSON Object Format, one record per line, from a
// text buffer flushed in large pieces: a multi-million-event trace never
// exists as a JSON DOM. nlohmann::json is used only to escape names.
//
// Track layout: Chrome "processes" are simulated CPUs (pid = cpu) and
// "threads" are kernel process slots (tid = slot), so each CPU shows which
// process ran on it and when, and a process that migrates shows up under each
// CPU it ran on. Every event goes on the track of the CPU that emitted it and
// of the process it is about (field a).
class Tracer::ChromeTraceWriter {
public:
    ChromeTraceWriter(const Tracer& tracer, std::ostream& out)
        : m_tracer(tracer),
          m_out(out),
          m_trace_end_ns(tracer.last_stored_ns()),
          m_slice_search_from(tracer.m_cpus.size(), 0),
          m_named_threads(tracer.m_cpus.size()) {}

    void write() {
        const std::vector<bool> delivered = find_delivered_sends();
        write_preamble();
        write_cpu_tracks();
        write_events(delivered);
        write_drop_markers();
        append("\n]}\n");
        flush();
    }

private:
    using Position = MergedOrder::Position;

    // Pass 1: which sends (numbered in global order) were delivered within the
    // trace. Only those get a flow start, so every "s" has its "f".
    std::vector<bool> find_delivered_sends() const {
        std::vector<bool> delivered;
        MessageMatcher matcher;
        MergedOrder order(m_tracer);
        while (const auto position = order.next()) {
            const TraceEvent& event = position->stored->event;
            if (event.kind == TraceKind::send) {
                matcher.on_send(event.a, event.b, event.c, delivered.size());
                delivered.push_back(false);
            } else if (event.kind == TraceKind::deliver) {
                if (const auto send_ordinal = matcher.on_deliver(event.a, event.b, event.c))
                    delivered[*send_ordinal] = true;
            }
        }
        return delivered;
    }

    void write_preamble() {
        const uint64_t stored = m_tracer.stored_count();
        fmt::format_to(fmt::appender(m_buffer),
                       FMT_COMPILE(R"({{"displayTimeUnit":"ns","otherData":{{)"
                                   R"("digest":"{}","events":{},"stored_events":{},)"
                                   R"("dropped_events":{},"complete":{}}},)"
                                   "\n"
                                   R"("traceEvents":[)"),
                       to_hex(m_tracer.digest()), m_tracer.event_count(), stored,
                       m_tracer.dropped(), m_tracer.dropped() == 0 ? "true" : "false");
    }

    void write_cpu_tracks() {
        for (uint32_t cpu = 0; cpu < m_tracer.m_cpus.size(); ++cpu) {
            begin_record();
            fmt::format_to(fmt::appender(m_buffer),
                           FMT_COMPILE(R"({{"name":"process_name","ph":"M","pid":{},"tid":0,)"
                                       R"("args":{{"name":"CPU {}"}}}})"),
                           cpu, cpu);
            begin_record();
            fmt::format_to(fmt::appender(m_buffer),
                           FMT_COMPILE(R"({{"name":"process_sort_index","ph":"M","pid":{},"tid":0,)"
                                       R"("args":{{"sort_index":{}}}}})"),
                           cpu, cpu);
        }
    }

    // Pass 2: every event in global order.
    void write_events(const std::vector<bool>& delivered) {
        MessageMatcher matcher;
        uint64_t send_ordinal = 0;
        uint64_t next_flow_id = 1;
        MergedOrder order(m_tracer);
        while (const auto position = order.next()) {
            const TraceEvent& event = position->stored->event;
            switch (event.kind) {
                case TraceKind::dispatch:
                    write_dispatch_slice(*position);
                    break;
                case TraceKind::idle:
                    break;  // it only ends the CPU's current slice
                case TraceKind::send:
                    // The instant first, then the flow start: Perfetto binds an
                    // "s" to the innermost open slice on the track, the instant.
                    write_instant(event);
                    if (delivered[send_ordinal++]) {
                        matcher.on_send(event.a, event.b, event.c, next_flow_id);
                        write_flow('s', event, next_flow_id++);
                    }
                    break;
                case TraceKind::deliver:
                    // The flow end first, without "bp":"e": it binds to the next
                    // slice that starts on the receiver's track, which is this
                    // instant in Perfetto and the receiver's next run on this
                    // CPU in chrome://tracing (which never binds to instants).
                    if (const auto flow_id = matcher.on_deliver(event.a, event.b, event.c))
                        write_flow('f', event, *flow_id);
                    write_instant(event);
                    break;
                default:
                    write_instant(event);
                    break;
            }
            flush_if_large();
        }
    }

    // A slice runs from a dispatch to the next dispatch or idle on the same
    // CPU; the last one on a CPU runs to the end of the trace, or to the first
    // dropped event if the CPU's buffer filled up (nothing is known after it).
    uint64_t slice_end_ns(uint32_t cpu, size_t dispatch_index) {
        const CpuBuffer& buffer = m_tracer.m_cpus[cpu];
        size_t index = std::max(m_slice_search_from[cpu], dispatch_index + 1);
        while (index < buffer.size) {
            const TraceKind kind = m_tracer.stored(cpu, index).event.kind;
            if (kind == TraceKind::dispatch || kind == TraceKind::idle)
                break;
            ++index;
        }
        // Dispatches come in order, so the next search starts where this ended
        // and the whole export scans each buffer once.
        m_slice_search_from[cpu] = index;
        if (index < buffer.size)
            return m_tracer.stored(cpu, index).event.time_ns;
        return buffer.dropped > 0 ? buffer.first_dropped_ns : m_trace_end_ns;
    }

    void write_dispatch_slice(const Position& position) {
        const TraceEvent& event = position.stored->event;
        const uint64_t end_ns = std::max(slice_end_ns(position.cpu, position.index), event.time_ns);
        name_thread_once(event.cpu, event.a);
        begin_record();
        auto out = fmt::appender(m_buffer);
        fmt::format_to(out, FMT_COMPILE(R"({{"name":{},"cat":"sched","ph":"X","pid":{},"tid":{},"ts":)"),
                       m_json_name(event.a), event.cpu, event.a);
        format_microseconds(out, event.time_ns);
        append(",\"dur\":");
        format_microseconds(out, end_ns - event.time_ns);
        fmt::format_to(out, FMT_COMPILE(R"(,"args":{{"slot":{},"previous":{}}}}})"), event.a,
                       m_json_label(event.b));
    }

    void write_instant(const TraceEvent& event) {
        const FieldMeaning& meaning = meaning_of(event.kind);
        name_thread_once(event.cpu, event.a);
        begin_record();
        auto out = fmt::appender(m_buffer);
        fmt::format_to(out,
                       FMT_COMPILE(R"({{"name":"{}","cat":"{}","ph":"i","s":"t",)"
                                   R"("pid":{},"tid":{},"ts":)"),
                       to_string(event.kind), category_of(event.kind), event.cpu, event.a);
        format_microseconds(out, event.time_ns);
        fmt::format_to(out, FMT_COMPILE(R"(,"args":{{"{}":)"), meaning.a);
        if (meaning.a_is_slot)
            append(m_json_label(event.a));
        else
            fmt::format_to(out, FMT_COMPILE("{}"), event.a);
        fmt::format_to(out, FMT_COMPILE(R"(,"{}":)"), meaning.b);
        if (meaning.b_is_slot)
            append(m_json_label(event.b));
        else if (meaning.b_is_signed)
            fmt::format_to(out, FMT_COMPILE("{}"), static_cast<int32_t>(event.b));
        else
            fmt::format_to(out, FMT_COMPILE("{}"), event.b);
        fmt::format_to(out, FMT_COMPILE(R"(,"{}":{}}}}})"), meaning.c, event.c);
    }

    void write_flow(char phase, const TraceEvent& event, uint64_t flow_id) {
        name_thread_once(event.cpu, event.a);
        begin_record();
        auto out = fmt::appender(m_buffer);
        fmt::format_to(out,
                       FMT_COMPILE(R"({{"name":"message","cat":"ipc","ph":"{}","id":{},)"
                                   R"("pid":{},"tid":{},"ts":)"),
                       phase, flow_id, event.cpu, event.a);
        format_microseconds(out, event.time_ns);
        append("}");
    }

    // A process-wide marker where a CPU's buffer filled: the CPU's track is
    // silent after it because events were dropped, not because nothing ran.
    void write_drop_markers() {
        for (uint32_t cpu = 0; cpu < m_tracer.m_cpus.size(); ++cpu) {
            const CpuBuffer& buffer = m_tracer.m_cpus[cpu];
            if (buffer.dropped == 0)
                continue;
            begin_record();
            auto out = fmt::appender(m_buffer);
            fmt::format_to(out,
                           FMT_COMPILE(R"({{"name":"trace buffer full","cat":"tracer","ph":"i",)"
                                       R"("s":"p","pid":{},"tid":0,"ts":)"),
                           cpu);
            format_microseconds(out, buffer.first_dropped_ns);
            fmt::format_to(out, FMT_COMPILE(R"(,"args":{{"dropped_events":{}}}}})"), buffer.dropped);
        }
    }

    // Thread names are emitted the first time a (CPU, slot) track is used, so
    // only tracks that have events appear.
    void name_thread_once(uint32_t cpu, uint32_t slot) {
        if (!m_named_threads[cpu].insert(slot).second)
            return;
        begin_record();
        fmt::format_to(fmt::appender(m_buffer),
                       FMT_COMPILE(R"({{"name":"thread_name","ph":"M","pid":{},"tid":{},)"
                                   R"("args":{{"name":{}}}}})"),
                       cpu, slot, m_json_name(slot));
    }

    static const char* category_of(TraceKind kind) {
        switch (kind) {
            case TraceKind::send:
            case TraceKind::deliver:
            case TraceKind::buffered:
            case TraceKind::notify: return "ipc";
            case TraceKind::kernel_call:
            case TraceKind::denied: return "kernel";
            case TraceKind::exit:
            case TraceKind::fault:
            case TraceKind::spawn: return "process";
            default: return "sched";
        }
    }

    void begin_record() {
        append(m_first_record ? "\n" : ",\n");
        m_first_record = false;
    }

    void append(std::string_view text) { m_buffer.append(text.data(), text.data() + text.size()); }

    void flush_if_large() {
        if (m_buffer.size() >= k_flush_bytes)
            flush();
    }

    void flush() {
        m_out.write(m_buffer.data(), static_cast<std::streamsize>(m_buffer.size()));
        m_buffer.clear();
    }

    const Tracer& m_tracer;
    std::ostream& m_out;
    fmt::memory_buffer m_buffer;
    bool m_first_record = true;
    uint64_t m_trace_end_ns;
    std::vector<size_t> m_slice_search_from;        // per CPU
    std::vector<std::set<uint32_t>> m_named_threads;  // per CPU
    // Slot names as JSON strings: the bare name (track and slice names) and
    // the name with its slot (args).
    SlotTextCache m_json_name{[this](uint32_t slot) { return json_string(m_tracer.process_name(slot)); }};
    SlotTextCache m_json_label{[this](uint32_t slot) { return json_string(m_tracer.slot_label(slot)); }};
};

void Tracer::write_chrome_trace(std::ostream& out) const {
    ChromeTraceWriter(*this, out).write();
}

// --- text log --------------------------------------------------------------------------

void Tracer::write_text_log(std::ostream& out) const {
    SlotTextCache text_label([this](uint32_t slot) { return one_column(slot_label(slot)); });
    fmt::memory_buffer lines;
    auto text = fmt::appender(lines);
    auto write_out = [&] {
        out.write(lines.data(), static_cast<std::streamsize>(lines.size()));
        lines.clear();
    };
    MergedOrder order(*this);
    while (const auto position = order.next()) {
        const TraceEvent& event = position->stored->event;
        const FieldMeaning& meaning = meaning_of(event.kind);
        fmt::format_to(text, FMT_COMPILE("{} {} {} "), event.time_ns, event.cpu, to_string(event.kind));
        if (meaning.a_is_slot)
            fmt::format_to(text, FMT_COMPILE("{} "), text_label(event.a));
        else
            fmt::format_to(text, FMT_COMPILE("{} "), event.a);
        if (meaning.b_is_slot)
            fmt::format_to(text, FMT_COMPILE("{}"), text_label(event.b));
        else if (meaning.b_is_signed)
            fmt::format_to(text, FMT_COMPILE("{}"), static_cast<int32_t>(event.b));
        else
            fmt::format_to(text, FMT_COMPILE("{}"), event.b);
        fmt::format_to(text, FMT_COMPILE(" {}\n"), event.c);
        if (lines.size() >= k_flush_bytes)
            write_out();
    }
    if (dropped() > 0) {
        fmt::format_to(text, FMT_COMPILE("# {} events dropped (hashed into the digest, not stored):"),
                       dropped());
        for (uint32_t cpu = 0; cpu < m_cpus.size(); ++cpu)
            if (m_cpus[cpu].dropped > 0)
                fmt::format_to(text, FMT_COMPILE(" cpu {}: {} from {} ns;"), cpu, m_cpus[cpu].dropped,
                               m_cpus[cpu].first_dropped_ns);
        if (m_dropped_out_of_range_cpu > 0)
            fmt::format_to(text, FMT_COMPILE(" cpu out of range: {};"), m_dropped_out_of_range_cpu);
        fmt::format_to(text, FMT_COMPILE("\n"));
    }
    write_out();
}

}  // namespace axl::sim
