// What a campaign adds up: each run's result as it comes in, into counts per
// class, per fault kind and latency samples, plus the failed runs themselves
// with what reproduces them. The JSON (campaign_json.h), the printed summary
// (campaign_summary.h) and the merge of shards (campaign_merge.h) all work on
// these totals.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/harness/campaign.h"
#include "sim/harness/fault_injector.h"
#include "sim/harness/scenario_run.h"
#include "tools/axl/campaign_statistics.h"

namespace axl::tools {

// One run's result, as a worker reports it (or as the parent finds it, when
// the worker died in it).
struct RunResult {
    uint64_t index = 0;
    sim::RunClass run_class = sim::RunClass::survived;
    std::string detail;                    // why it failed, in a line
    std::vector<std::string> verdict;      // the verdict's failure lines
    std::optional<uint64_t> digest;        // none when the run never finished
    std::string output;                    // a dead worker's last words (stderr)
    std::vector<sim::CreditedFault> faults;
    std::string refused;                   // the kernel refused to boot the system: nothing can run
};

struct KindTally {
    uint64_t drawn = 0;
    uint64_t injected = 0;
    LatencySamples detection;  // one sample per fault credited with a death ...
    LatencySamples recovery;   // ... and with the restart after it
};

struct FailedRun {
    uint64_t index = 0;
    uint64_t seed = 0;
    sim::RunClass run_class = sim::RunClass::client_error;
    std::string detail;
    std::vector<std::string> verdict;
    std::optional<uint64_t> digest;
    std::string output;
};

struct CampaignTotals {
    // What was run.
    std::string path;
    std::string scenario;
    std::string system;
    uint64_t seed_base = 0;
    uint64_t runs_planned = 0;        // N: seeds seed_base .. seed_base + N - 1
    uint32_t shard_count = 1;
    std::vector<uint32_t> shards{0};  // the shards these totals cover
    uint32_t jobs = 0;
    double wall_seconds = 0;          // merged: the shards' wall times added
    // The build that ran it (tools/axl/build_identity.h), as the JSON's "build"
    // object: digests depend on it. Empty: this build's.
    std::string build;
    bool interrupted = false;
    // What came of it.
    uint64_t runs = 0;
    std::array<uint64_t, sim::run_class_count> classes{};
    std::array<KindTally, sim::FaultSpec::kind_count> kinds{};
    // An order-independent hash of every run's seed and digest (or class):
    // equal totals of the same runs, however sharded or scheduled, have equal ones.
    uint64_t runs_digest = 0;
    std::vector<FailedRun> failed;

    uint64_t& count(sim::RunClass run_class) { return classes[static_cast<size_t>(run_class)]; }
    uint64_t count(sim::RunClass run_class) const { return classes[static_cast<size_t>(run_class)]; }

    uint64_t faults_drawn() const;
    uint64_t faults_injected() const;
    LatencySamples detection() const;
    LatencySamples recovery() const;
    // The runs the covered shards hold: i in [0, runs_planned) with i % shard_count in shards.
    uint64_t runs_in_shards() const;
    double faults_per_second() const;
};

// Adds the run of `seed` to the totals.
void record(CampaignTotals& totals, uint64_t seed, const RunResult& result);

// Failed runs in the order of their seeds, however the workers finished them.
void sort_failed_runs(CampaignTotals& totals);

// The command that reproduces the run of `seed`, as people paste it: with
// the axl they invoked (tools/axl/invocation.h).
std::string replay_command(const std::string& path, uint64_t seed);

// The exit code of a campaign with these totals: runs that failed their
// verdict are results, runs that took the simulator or the kernel down are
// not, nor runs of a class in `fail_on` (--fail-on: CI's choice), each class
// that had some named on stderr.
int campaign_exit_code(const CampaignTotals& totals, const std::vector<sim::RunClass>& fail_on = {});

}  // namespace axl::tools
