// The machine-readable form of a run's summary (`axl run --json FILE`), for
// scripts that collect experiments: every figure the printed summary shows.
#pragma once

#include <string>

#include "sim/port/simulator.h"

namespace axl::tools {

// A JSON object; see docs/run-report.md for the fields.
std::string format_run_report_json(const sim::RunReport& report);

}  // namespace axl::tools
