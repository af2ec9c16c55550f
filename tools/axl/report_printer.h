// The human-readable summary `axl run` prints after a run.
#pragma once

#include <cstdint>
#include <string>

#include "sim/port/simulator.h"

namespace axl::tools {

// The whole summary, ending in the line "digest: <16 lowercase hex digits>\n",
// which scripts compare between runs. `trace_path` is where --trace wrote its
// file, or empty.
std::string format_run_report(const sim::RunReport& report, const std::string& trace_path = {});

// "" unless the run recorded a trace (--trace, --trace-text) whose per-CPU
// buffers could not keep every event: then the warning, one line, for stderr.
std::string trace_truncation_warning(const sim::RunReport& report);

// 850 -> "850 ns", 12'345 -> "12.345 us", 1'500'000'000 -> "1.500 s".
std::string format_duration_ns(uint64_t ns);

}  // namespace axl::tools
