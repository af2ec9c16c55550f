#include "tools/axl/campaign_totals.h"

#include <fmt/format.h>

#include <algorithm>

#include "kernel/lib/splitmix64.h"
#include "tools/axl/exit_status.h"
#include "tools/axl/invocation.h"
#include "tools/axl/shell_quote.h"

namespace axl::tools {
using splitmix64::mix;

uint64_t CampaignTotals::faults_drawn() const {
    uint64_t total = 0;
    for (const KindTally& kind : kinds) total += kind.drawn;
    return total;
}

uint64_t CampaignTotals::faults_injected() const {
    uint64_t total = 0;
    for (const KindTally& kind : kinds) total += kind.injected;
    return total;
}

LatencySamples CampaignTotals::detection() const {
    LatencySamples all;
    for (const KindTally& kind : kinds) all.merge(kind.detection);
    return all;
}

LatencySamples CampaignTotals::recovery() const {
    LatencySamples all;
    for (const KindTally& kind : kinds) all.merge(kind.recovery);
    return all;
}

uint64_t CampaignTotals::runs_in_shards() const {
    uint64_t total = 0;
    for (uint32_t shard : shards)
        if (shard < runs_planned) total += (runs_planned - shard + shard_count - 1) / shard_count;
    return total;
}

double CampaignTotals::faults_per_second() const {
    return wall_seconds > 0 ? static_cast<double>(faults_injected()) / wall_seconds : 0;
}

void record(CampaignTotals& totals, uint64_t seed, const RunResult& result) {
    totals.runs += 1;
    totals.count(result.run_class) += 1;
    for (const sim::CreditedFault& fault : result.faults) {
        KindTally& kind = totals.kinds[static_cast<size_t>(fault.kind)];
        kind.drawn += 1;
        kind.injected += fault.injected ? 1 : 0;
        if (fault.detection_ns) kind.detection.add(*fault.detection_ns);
        if (fault.recovery_ns) kind.recovery.add(*fault.recovery_ns);
    }
    const uint64_t outcome = result.digest ? *result.digest : static_cast<uint64_t>(result.run_class) + 1;
    totals.runs_digest ^= mix(seed * splitmix64::golden_gamma + mix(outcome));
    if (result.run_class == sim::RunClass::survived) return;
    totals.failed.push_back(FailedRun{.index = result.index,
                                      .seed = seed,
                                      .run_class = result.run_class,
                                      .detail = result.detail,
                                      .verdict = result.verdict,
                                      .digest = result.digest,
                                      .output = result.output});
}

void sort_failed_runs(CampaignTotals& totals) {
    std::sort(totals.failed.begin(), totals.failed.end(),
              [](const FailedRun& a, const FailedRun& b) { return a.index < b.index; });
}

std::string replay_command(const std::string& path, uint64_t seed) {
    return fmt::format("{} replay {} --seed {}", invoked_as(), shell_quote(path), seed);
}

int campaign_exit_code(const CampaignTotals& totals, const std::vector<sim::RunClass>& fail_on) {
    bool failed = false;
    for (sim::RunClass run_class : fail_on)
        if (totals.count(run_class) > 0) {
            fmt::print(stderr, "axl campaign: --fail-on {}: {} run{} ended as {}\n", sim::to_string(run_class),
                       totals.count(run_class), totals.count(run_class) == 1 ? "" : "s", sim::to_string(run_class));
            failed = true;
        }
    if (failed || totals.count(sim::RunClass::simulator_crash) > 0 || totals.count(sim::RunClass::kernel_panic) > 0)
        return exit_failed;
    return totals.interrupted ? exit_interrupted : exit_ok;
}

}  // namespace axl::tools
