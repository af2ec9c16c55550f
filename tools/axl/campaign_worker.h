// A campaign worker: a process forked from `axl campaign` once the scenario
// is loaded, which runs the runs it is handed one at a time, in-process and
// back to back (no exec, no reloading: a run costs only its simulation), and
// answers each with one line of JSON on a pipe. If a run takes the worker
// down, the pool (campaign_worker_pool.h) finds out from the pipe's end.
#pragma once

#include <cstdint>
#include <string>

#include "sim/harness/scenario.h"
#include "tools/axl/campaign_totals.h"

namespace axl::tools {

// A worker's life: run indices come in on `commands`, one per line, result
// lines go out on `results`; the end of `commands` is the end of the campaign.
[[noreturn]] void worker_main(const sim::Scenario& base, uint64_t seed_base, int commands, int results);

// A result line as the worker wrote it (without its newline). Throws on a
// line no worker writes.
RunResult parse_result_line(const std::string& line);

}  // namespace axl::tools
