#include "tools/axl/campaign_merge.h"

#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "tools/axl/campaign_json.h"
#include "tools/axl/campaign_summary.h"
#include "tools/axl/campaign_totals.h"
#include "tools/axl/exit_status.h"
#include "tools/axl/output_file.h"

namespace axl::tools {
namespace {

// Shards of one campaign: the same runs, split the same way.
bool same_campaign(const CampaignTotals& a, const CampaignTotals& b) {
    return a.scenario == b.scenario && a.system == b.system && a.seed_base == b.seed_base &&
           a.runs_planned == b.runs_planned && a.shard_count == b.shard_count;
}

void add_shard(CampaignTotals& merged, const CampaignTotals& shard) {
    merged.shards.insert(merged.shards.end(), shard.shards.begin(), shard.shards.end());
    merged.jobs = std::max(merged.jobs, shard.jobs);
    merged.wall_seconds += shard.wall_seconds;
    merged.interrupted = merged.interrupted || shard.interrupted;
    merged.runs += shard.runs;
    for (size_t c = 0; c < sim::run_class_count; ++c) merged.classes[c] += shard.classes[c];
    for (size_t k = 0; k < sim::FaultSpec::kind_count; ++k) {
        merged.kinds[k].drawn += shard.kinds[k].drawn;
        merged.kinds[k].injected += shard.kinds[k].injected;
        merged.kinds[k].detection.merge(shard.kinds[k].detection);
        merged.kinds[k].recovery.merge(shard.kinds[k].recovery);
    }
    merged.runs_digest ^= shard.runs_digest;
    merged.failed.insert(merged.failed.end(), shard.failed.begin(), shard.failed.end());
}

}  // namespace

int merge_campaigns(const CampaignArguments& args) {
    OutputFile json_file("--json", args.merge_json_path);
    if (!json_file.open()) return exit_usage;
    std::optional<CampaignTotals> merged;
    std::set<uint32_t> shards_seen;
    for (const std::string& path : args.merge_inputs) {
        CampaignTotals shard;
        try {
            shard = read_campaign_json(path);
        } catch (const std::exception& error) {
            fmt::print(stderr, "{}: {}\n", path, error.what());
            return exit_usage;
        }
        for (uint32_t index : shard.shards)
            if (!shards_seen.insert(index).second) {
                fmt::print(stderr, "{}: shard {}/{} is in the merge twice\n", path, index, shard.shard_count);
                return exit_usage;
            }
        if (!merged) {
            merged = std::move(shard);
            continue;
        }
        if (!same_campaign(shard, *merged)) {
            fmt::print(stderr,
                       "{}: not a shard of the same campaign as {} (scenario '{}', seeds from {}, {} runs in {} "
                       "shards here; '{}', seeds from {}, {} runs in {} shards there)\n",
                       path, args.merge_inputs.front(), shard.scenario, shard.seed_base, shard.runs_planned,
                       shard.shard_count, merged->scenario, merged->seed_base, merged->runs_planned,
                       merged->shard_count);
            return exit_usage;
        }
        add_shard(*merged, shard);
    }
    std::sort(merged->shards.begin(), merged->shards.end());
    sort_failed_runs(*merged);

    std::string shard_list;
    for (uint32_t index : merged->shards) shard_list += (shard_list.empty() ? "" : ", ") + std::to_string(index);
    fmt::print("axl campaign merge: scenario {}, system {}, seeds {}..{} ({} runs), shards {} of {}{}\n",
               merged->scenario, merged->system, merged->seed_base, merged->seed_base + merged->runs_planned - 1,
               merged->runs_planned, shard_list, merged->shard_count,
               merged->shards.size() < merged->shard_count ? " (not all: this is part of the campaign)" : "");
    fmt::print("{}", format_summary(*merged, true));
    if (json_file.wanted()) json_file.stream() << campaign_json_text(*merged);
    if (!json_file.close()) return exit_failed;
    return campaign_exit_code(*merged, fail_on_classes(args));
}

}  // namespace axl::tools
