// A campaign's failed runs grouped by what they ended as and why: a thousand
// failed runs are usually a handful of distinct failures, and a study (or CI)
// wants those, each with how often it happened and the seeds that show it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tools/axl/campaign_totals.h"

namespace axl::tools {

struct FailureGroup {
    sim::RunClass run_class = sim::RunClass::client_error;
    std::string reason;               // the runs' detail, the numbers that differ among them as '#'
    uint64_t count = 0;
    std::vector<uint64_t> first_seeds;  // the smallest few, in order
};

// The key runs are grouped by: `detail` with every number (decimal, with a
// unit such as 82191ns or 1.5ms, 0x hex, and long hex words such as digests)
// replaced by '#', so "expected 5, got 7" and "expected 3, got 4" are one group.
std::string failure_reason(std::string_view detail);

// The groups of totals.failed, most frequent first (then by class, then by
// first seed), each with at most `seeds_kept` seeds.
std::vector<FailureGroup> group_failures(const CampaignTotals& totals, size_t seeds_kept = 5);

}  // namespace axl::tools
