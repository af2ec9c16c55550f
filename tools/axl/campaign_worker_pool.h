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

// The runs of one shard of a campaign: indices first, first + step, ...,
// `count` of them. Drawn one at a time as workers become free, so a campaign
// of any size costs no memory per run before it starts.
struct RunIndices {
    uint64_t first = 0;
    uint64_t step = 1;
    uint64_t count = 0;

    uint64_t at(uint64_t k) const { return first + k * step; }
    // Shard `shard` of `shards` of the runs 0 .. runs - 1 (i % shards == shard).
    static RunIndices of_shard(uint64_t runs, uint32_t shard, uint32_t shards) {
        return {shard, shards, runs > shard ? (runs - shard - 1) / shards + 1 : 0};
    }
};

// Does the `runs` with totals.jobs workers, recording each into
// `totals` (and the wall time it took), with a progress line on stderr unless
// args.quiet. SIGINT or SIGTERM ends it early: the runs in flight finish,
// no more start, and totals.interrupted says so. False if the kernel refused
// to boot the scenario's system (said on stderr): nothing could run.
bool run_in_workers(const CampaignArguments& args, const sim::Scenario& scenario, CampaignTotals& totals,
                    RunIndices runs);

}  // namespace axl::tools
