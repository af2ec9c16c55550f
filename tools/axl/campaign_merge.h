// `axl campaign merge A.json B.json ... [--json OUT]`: the shards of one
// campaign, run apart (--shard I/K), summed up as if they had run together.
#pragma once

#include "tools/axl/campaign.h"

namespace axl::tools {

// Exit code: as run_campaign's for the merged totals; 2 if a file cannot be
// read, is not a campaign's JSON, or is not a shard of the same campaign as
// the first (or repeats a shard).
int merge_campaigns(const CampaignArguments& args);

}  // namespace axl::tools
