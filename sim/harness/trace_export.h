// What the two trace exports (trace_export_chrome.cc, trace_export_text.cc)
// share: the one global order they both list events in, what each event's
// fields mean, and the text they write. Internal to the tracer: nothing
// outside sim/harness/tracer*.cc and trace_export*.cc includes this.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <fmt/compile.h>
#include <fmt/format.h>

#include "kernel/trace.h"
#include "sim/harness/tracer.h"

namespace axl::sim {

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

namespace trace_export {

// What a, b and c mean for each kind (mirrors the comments in kernel/trace.h):
// the names of Chrome-trace args, and how both exports show the values.
struct FieldMeaning {
    const char* a;
    const char* b;
    const char* c;
    bool a_is_slot;
    bool b_is_slot;
    bool b_is_signed;  // exit status is an int32 carried in a uint32

    // Field a or b as the exports show it: a slot by `label(slot)` (a name
    // escaped or cleaned for the format), an exit status signed, anything
    // else as the number it is.
    template <typename Out, typename Label>
    void format_a(Out out, const TraceEvent& event, Label& label) const {
        format_field(out, event.a, a_is_slot, false, label);
    }
    template <typename Out, typename Label>
    void format_b(Out out, const TraceEvent& event, Label& label) const {
        format_field(out, event.b, b_is_slot, b_is_signed, label);
    }

private:
    template <typename Out, typename Label>
    static void format_field(Out out, uint32_t value, bool is_slot, bool is_signed, Label& label) {
        if (is_slot)
            fmt::format_to(out, FMT_COMPILE("{}"), label(value));
        else if (is_signed)
            fmt::format_to(out, FMT_COMPILE("{}"), static_cast<int32_t>(value));
        else
            fmt::format_to(out, FMT_COMPILE("{}"), value);
    }
};

// Events of unknown kind (a newer kernel) still export, with neutral labels.
const FieldMeaning& meaning_of(TraceKind kind);

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

// An export's text, built in memory and handed to the stream in large
// pieces: a multi-million-event trace never exists as one string.
class ExportBuffer {
public:
    explicit ExportBuffer(std::ostream& out) : m_out(out) {}

    fmt::appender appender() { return fmt::appender(m_buffer); }
    void append(std::string_view text) { m_buffer.append(text.data(), text.data() + text.size()); }

    void flush_if_large() {
        if (m_buffer.size() >= flush_bytes)
            flush();
    }
    void flush() {
        m_out.write(m_buffer.data(), static_cast<std::streamsize>(m_buffer.size()));
        m_buffer.clear();
    }

private:
    static constexpr size_t flush_bytes = size_t{1} << 16;

    std::ostream& m_out;
    fmt::memory_buffer m_buffer;
};

}  // namespace trace_export
}  // namespace axl::sim
