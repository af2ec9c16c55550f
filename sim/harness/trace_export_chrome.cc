// The Chrome trace export (Tracer::write_chrome_trace): the trace event JSON
// Object Format that Perfetto and chrome://tracing open.
#include <algorithm>
#include <deque>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <utility>
#include <vector>

#include <fmt/compile.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sim/harness/trace_export.h"
#include "sim/harness/tracer.h"

namespace axl::sim {

using trace_export::ExportBuffer;
using trace_export::FieldMeaning;
using trace_export::meaning_of;
using trace_export::SlotTextCache;

namespace {

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

std::string json_string(const std::string& text) {
    // replace, not throw, on invalid UTF-8: a bad name must not lose a trace
    return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

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
          m_buffer(out),
          m_trace_end_ns(tracer.last_stored_ns()),
          m_slice_search_from(tracer.m_cpus.size(), 0),
          m_named_threads(tracer.m_cpus.size()) {}

    void write() {
        const std::vector<bool> delivered = find_delivered_sends();
        write_preamble();
        write_cpu_tracks();
        write_events(delivered);
        write_drop_markers();
        m_buffer.append("\n]}\n");
        m_buffer.flush();
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
        fmt::format_to(m_buffer.appender(),
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
            fmt::format_to(m_buffer.appender(),
                           FMT_COMPILE(R"({{"name":"process_name","ph":"M","pid":{},"tid":0,)"
                                       R"("args":{{"name":"CPU {}"}}}})"),
                           cpu, cpu);
            begin_record();
            fmt::format_to(m_buffer.appender(),
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
            m_buffer.flush_if_large();
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
        auto out = m_buffer.appender();
        fmt::format_to(out, FMT_COMPILE(R"({{"name":{},"cat":"sched","ph":"X","pid":{},"tid":{},"ts":)"),
                       m_json_name(event.a), event.cpu, event.a);
        format_microseconds(out, event.time_ns);
        m_buffer.append(",\"dur\":");
        format_microseconds(out, end_ns - event.time_ns);
        fmt::format_to(out, FMT_COMPILE(R"(,"args":{{"slot":{},"previous":{}}}}})"), event.a,
                       m_json_label(event.b));
    }

    void write_instant(const TraceEvent& event) {
        const FieldMeaning& meaning = meaning_of(event.kind);
        name_thread_once(event.cpu, event.a);
        begin_record();
        auto out = m_buffer.appender();
        fmt::format_to(out,
                       FMT_COMPILE(R"({{"name":"{}","cat":"{}","ph":"i","s":"t",)"
                                   R"("pid":{},"tid":{},"ts":)"),
                       to_string(event.kind), category_of(event.kind), event.cpu, event.a);
        format_microseconds(out, event.time_ns);
        fmt::format_to(out, FMT_COMPILE(R"(,"args":{{"{}":)"), meaning.a);
        meaning.format_a(out, event, m_json_label);
        fmt::format_to(out, FMT_COMPILE(R"(,"{}":)"), meaning.b);
        meaning.format_b(out, event, m_json_label);
        fmt::format_to(out, FMT_COMPILE(R"(,"{}":{}}}}})"), meaning.c, event.c);
    }

    void write_flow(char phase, const TraceEvent& event, uint64_t flow_id) {
        name_thread_once(event.cpu, event.a);
        begin_record();
        auto out = m_buffer.appender();
        fmt::format_to(out,
                       FMT_COMPILE(R"({{"name":"message","cat":"ipc","ph":"{}","id":{},)"
                                   R"("pid":{},"tid":{},"ts":)"),
                       phase, flow_id, event.cpu, event.a);
        format_microseconds(out, event.time_ns);
        m_buffer.append("}");
    }

    // A process-wide marker where a CPU's buffer filled: the CPU's track is
    // silent after it because events were dropped, not because nothing ran.
    void write_drop_markers() {
        for (uint32_t cpu = 0; cpu < m_tracer.m_cpus.size(); ++cpu) {
            const CpuBuffer& buffer = m_tracer.m_cpus[cpu];
            if (buffer.dropped == 0)
                continue;
            begin_record();
            auto out = m_buffer.appender();
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
        fmt::format_to(m_buffer.appender(),
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
        m_buffer.append(m_first_record ? "\n" : ",\n");
        m_first_record = false;
    }

    const Tracer& m_tracer;
    ExportBuffer m_buffer;
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

}  // namespace axl::sim
