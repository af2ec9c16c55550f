// The text log export (Tracer::write_text_log): one line per event, for
// grep and diff.
#include <cctype>
#include <ostream>
#include <string>

#include <fmt/compile.h>
#include <fmt/format.h>

#include "sim/harness/trace_export.h"
#include "sim/harness/tracer.h"

namespace axl::sim {
namespace {

// Names go into a space-separated line, so whitespace and control characters
// in them become '_' to keep exactly six columns.
std::string one_column(std::string text) {
    for (char& c : text)
        if (std::isspace(static_cast<unsigned char>(c)) || std::iscntrl(static_cast<unsigned char>(c)))
            c = '_';
    return text;
}

}  // namespace

void Tracer::write_text_log(std::ostream& out) const {
    trace_export::SlotTextCache text_label([this](uint32_t slot) { return one_column(slot_label(slot)); });
    trace_export::ExportBuffer lines(out);
    auto text = lines.appender();
    MergedOrder order(*this);
    while (const auto position = order.next()) {
        const TraceEvent& event = position->stored->event;
        const trace_export::FieldMeaning& meaning = trace_export::meaning_of(event.kind);
        fmt::format_to(text, FMT_COMPILE("{} {} {} "), event.time_ns, event.cpu, to_string(event.kind));
        meaning.format_a(text, event, text_label);
        fmt::format_to(text, FMT_COMPILE(" "));
        meaning.format_b(text, event, text_label);
        fmt::format_to(text, FMT_COMPILE(" {}\n"), event.c);
        lines.flush_if_large();
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
    lines.flush();
}

}  // namespace axl::sim
