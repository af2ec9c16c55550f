// The summary `axl campaign` and `axl campaign merge` print: what the runs
// ended as, the latencies, the throughput, a table per fault kind, and the
// command that reproduces each failed run.
#pragma once

#include <string>

#include "tools/axl/campaign_totals.h"

namespace axl::tools {

// `merged`: the totals of shards run apart, whose wall times were added.
std::string format_summary(const CampaignTotals& totals, bool merged);

}  // namespace axl::tools
