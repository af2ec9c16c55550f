// The JSON a campaign writes (`axl campaign --json`) and a merge reads back
// (`axl campaign merge`): format "axl-campaign/1", described field by field in
// docs/scenarios.md, "Campaigns". It holds every latency sample, so that the
// merged percentiles of shards are exact.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "tools/axl/campaign_totals.h"

namespace axl::tools {

nlohmann::ordered_json campaign_to_json(const CampaignTotals& totals);
// Throws (std::runtime_error, nlohmann::json::exception) on a document that
// is not a campaign's.
CampaignTotals campaign_from_json(const nlohmann::ordered_json& document);

// The file's text: indented for people, the latency samples one list per line.
std::string campaign_json_text(const CampaignTotals& totals);
// Throws, with a message that does not repeat the path, if the file cannot
// be read or is not a campaign's JSON.
CampaignTotals read_campaign_json(const std::string& path);

}  // namespace axl::tools
