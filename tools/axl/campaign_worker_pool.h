// The parent's side of a campaign's isolation: worker processes
// (campaign_worker.h), each handed one run at a time, so a worker that meets
// long runs does not hold up the others and the parent always knows which run
// is in flight. A worker's stdout and stderr go to a pipe whose tail is kept.
// If a worker dies in a run, that run is the casualty: a kernel panic (the
// kernel printed "axolotl kernel panic" before aborting) or else a simulator
// crash; a fresh worker takes over the rest. A run that has not answered
// after the run timeout (wall time) is a hang: its worker is killed and
// replaced.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/harness/scenario.h"
#include "tools/axl/campaign.h"
#include "tools/axl/campaign_totals.h"

namespace axl::tools {

// Does the runs of `indices` with totals.jobs workers, recording each into
// `totals` (and the wall time it took), with a progress line on stderr unless
// args.quiet. SIGINT or SIGTERM ends it early: the runs in flight finish,
// no more start, and totals.interrupted says so. False if the kernel refused
// to boot the scenario's system (said on stderr): nothing could run.
bool run_in_workers(const CampaignArguments& args, const sim::Scenario& scenario, CampaignTotals& totals,
                    std::vector<uint64_t> indices);

}  // namespace axl::tools
