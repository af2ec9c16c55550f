// The tracer's recording side: per-CPU event storage, the run digest, and the
// names that label process slots. The exports read what is stored here:
// trace_export_chrome.cc and trace_export_text.cc.
#include "sim/harness/tracer.h"

#include <algorithm>
#include <bit>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "kernel/api/endpoint.h"
#include "kernel/process.h"

namespace axl::sim {

namespace {

// Events per buffer chunk: 16 Ki events of 32 bytes = 512 KiB, a power of two
// so indexing is a shift and a mask.
constexpr size_t k_chunk_events_max = size_t{1} << 14;

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

}  // namespace axl::sim
