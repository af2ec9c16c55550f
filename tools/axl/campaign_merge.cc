#include "tools/axl/campaign_merge.h"

#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "tools/axl/campaign_json.h"
#include "tools/axl/campaign_summary.h"
#include "tools/axl/campaign_totals.h"
#include "tools/axl/exit_status.h"
#include "tools/axl/output_file.h"

namespace axl::tools {
namespace {

// Shards of one campaign: the same runs of the same scenario, split the same
// way. What differs, said field by field ("" when nothing does).
std::string campaign_differences(const CampaignTotals& a, const CampaignTotals& b) {
    std::vector<std::string> differences;
    auto differ = [&](const char* what, const auto& here, const auto& there) {
        if (here != there) differences.push_back(fmt::format("{} {} here, {} there", what, here, there));
    };
    differ("scenario", a.scenario, b.scenario);
    differ("system", a.system, b.system);
    differ("seeds from", a.seed_base, b.seed_base);
    differ("runs planned", a.runs_planned, b.runs_planned);
    differ("shard count", a.shard_count, b.shard_count);
    std::string joined;
    for (const std::string& difference : differences) joined += (joined.empty() ? "" : "; ") + difference;
    return joined;
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
        // Another campaign first: its shard numbers mean other runs, so a
        // repeated number says nothing until the campaigns are known to match.
        if (merged) {
            const std::string differences = campaign_differences(shard, *merged);
            if (!differences.empty()) {
                fmt::print(stderr, "{}: not a shard of the same campaign as {} ({})\n", path,
                           args.merge_inputs.front(), differences);
                return exit_usage;
            }
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
