// Tracer: the hosted port's receiver for kernel trace events (platform::trace).
// It hashes every event into the run digest and, at TraceLevel::full, keeps
// the events in per-CPU buffers for export as a Chrome trace (Perfetto) or a
// text log. See docs/tracing.md.
//
// Single-threaded by design, like deterministic mode: record() takes no lock.
// A parallel-mode caller must serialise calls (and its digest is then only as
// deterministic as that order).
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "kernel/trace.h"
#include "sim/port/simulator.h"
#include "sim/harness/trace_digest.h"

namespace axl::sim {

class Tracer {
public:
    static constexpr size_t default_max_events_per_cpu = 4'000'000;

    Tracer(TraceLevel level, uint32_t cpu_count,
           size_t max_events_per_cpu = default_max_events_per_cpu);
    ~Tracer();
    Tracer(const Tracer&) = delete;
    Tracer& operator=(const Tracer&) = delete;

    // Called for every kernel event, in the order the (deterministic) kernel
    // emits them. Hashing never stops, even when a buffer is full, so the digest
    // covers the whole run at every level except off.
    void record(const TraceEvent& event) {
        if (m_level == TraceLevel::off)
            return;
        m_digest.add(event);
        if (m_level == TraceLevel::full)
            store(event);
    }

    // Labels a kernel process slot in the exports. Names are resolved when a
    // trace is written, so the latest name given to a slot labels its whole
    // history; call it when a slot is (re)spawned. Never enters the digest.
    void set_process_name(uint32_t slot, std::string name);

    TraceLevel level() const { return m_level; }
    uint32_t cpu_count() const { return static_cast<uint32_t>(m_cpus.size()); }

    // The run digest; 0 when the level is off (nothing was hashed).
    uint64_t digest() const { return m_level == TraceLevel::off ? 0 : m_digest.value(); }
    // Events hashed (every recorded event; 0 when off).
    uint64_t event_count() const { return m_digest.events(); }
    // Events kept for export (only at TraceLevel::full).
    uint64_t stored_count() const;
    // Events hashed but not kept because their CPU's buffer was full (or their
    // cpu field was out of range) at TraceLevel::full.
    uint64_t dropped() const;

    // Chrome trace event JSON (Object Format): one process per simulated CPU,
    // one thread per process slot, dispatch slices, instants and message flows,
    // all in global (time, recording order). Streams; never builds a DOM.
    // (trace_export_chrome.cc)
    void write_chrome_trace(std::ostream& out) const;

    // One line per stored event, in the same order: `time_ns cpu kind a b c`,
    // slots shown as name(slot). A trailing '#' comment reports dropped events.
    // (trace_export_text.cc)
    void write_text_log(std::ostream& out) const;

private:
    // One event as kept for export, with its global recording sequence number:
    // the tie-break that makes the cross-CPU merge order deterministic.
    struct StoredEvent {
        TraceEvent event;
        uint64_t sequence;
    };

    // A CPU's events in recording order, in fixed-size chunks allocated as
    // needed up to the cap, so a short run does not reserve the worst case and
    // a long one never copies what it already holds.
    struct CpuBuffer {
        std::vector<std::unique_ptr<StoredEvent[]>> chunks;
        size_t size = 0;
        uint64_t dropped = 0;
        uint64_t first_dropped_ns = 0;  // time of the first event that did not fit
    };

    class MergedOrder;        // sim/harness/trace_export.h
    class ChromeTraceWriter;  // sim/harness/trace_export_chrome.cc

    void store(const TraceEvent& event);
    const StoredEvent& stored(uint32_t cpu, size_t index) const {
        return m_cpus[cpu].chunks[index >> m_chunk_shift][index & (m_chunk_events - 1)];
    }
    // How exports name a slot: the process name, a pseudo-endpoint's name,
    // "-" for no slot, "#N" for a slot never named.
    std::string process_name(uint32_t slot) const;
    // process_name plus the slot number ("server(2)"), for args and the text log.
    std::string slot_label(uint32_t slot) const;
    uint64_t last_stored_ns() const;

    TraceLevel m_level;
    size_t m_max_events_per_cpu;
    size_t m_chunk_events;  // a power of two
    uint32_t m_chunk_shift;
    TraceDigest m_digest;
    uint64_t m_dropped_out_of_range_cpu = 0;
    std::vector<CpuBuffer> m_cpus;
    std::vector<std::string> m_process_names;  // indexed by slot; "" = unnamed
};

}  // namespace axl::sim
