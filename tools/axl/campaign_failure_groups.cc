#include "tools/axl/campaign_failure_groups.h"

#include <algorithm>
#include <map>
#include <regex>
#include <tuple>
#include <utility>

namespace axl::tools {
namespace {

// A detail cut at its numbers: text[0] number[0] text[1] ... text[n].
struct Split {
    std::vector<std::string> text;
    std::vector<std::string> numbers;
};

Split split_numbers(std::string_view detail) {
    // Longest forms first: a digest would otherwise leave letters behind.
    static const std::regex numbers(
        R"(\b0x[0-9a-fA-F]+\b|\b(?=[0-9a-f]*[0-9])[0-9a-f]{8,}\b|\b[0-9]+(\.[0-9]+)?(ns|us|ms|s)?\b)");
    Split split;
    const std::string text(detail);
    size_t done = 0;
    for (auto match = std::sregex_iterator(text.begin(), text.end(), numbers); match != std::sregex_iterator();
         ++match) {
        split.text.push_back(text.substr(done, static_cast<size_t>(match->position()) - done));
        split.numbers.push_back(match->str());
        done = static_cast<size_t>(match->position() + match->length());
    }
    split.text.push_back(text.substr(done));
    return split;
}

std::string joined(const Split& split, const std::vector<bool>& varies) {
    std::string out = split.text.front();
    for (size_t i = 0; i < split.numbers.size(); ++i)
        out += (varies[i] ? std::string("#") : split.numbers[i]) + split.text[i + 1];
    return out;
}

}  // namespace

std::string failure_reason(std::string_view detail) {
    const Split split = split_numbers(detail);
    return joined(split, std::vector<bool>(split.numbers.size(), true));
}

std::vector<FailureGroup> group_failures(const CampaignTotals& totals, size_t seeds_kept) {
    struct Building {
        FailureGroup group;
        Split first;                // the first run's detail
        std::vector<bool> varies;   // which of its numbers differ in another run of the group
    };
    std::map<std::pair<sim::RunClass, std::string>, Building> groups;
    for (const FailedRun& run : totals.failed) {
        Split split = split_numbers(run.detail);
        Building& building = groups[{run.run_class, failure_reason(run.detail)}];
        if (building.group.count == 0) {
            building.group.run_class = run.run_class;
            building.varies.assign(split.numbers.size(), false);
            building.first = std::move(split);
        } else {
            for (size_t i = 0; i < split.numbers.size(); ++i)
                if (split.numbers[i] != building.first.numbers[i]) building.varies[i] = true;
        }
        building.group.count += 1;
        building.group.first_seeds.push_back(run.seed);
    }
    std::vector<FailureGroup> sorted;
    for (auto& [key, building] : groups) {
        FailureGroup& group = building.group;
        // Numbers every run of the group shares stay ("status 1"); those that vary show as '#'.
        group.reason = joined(building.first, building.varies);
        std::sort(group.first_seeds.begin(), group.first_seeds.end());
        if (group.first_seeds.size() > seeds_kept) group.first_seeds.resize(seeds_kept);
        sorted.push_back(std::move(group));
    }
    std::sort(sorted.begin(), sorted.end(), [](const FailureGroup& a, const FailureGroup& b) {
        return std::tuple(b.count, a.run_class, a.first_seeds.front()) <
               std::tuple(a.count, b.run_class, b.first_seeds.front());
    });
    return sorted;
}

}  // namespace axl::tools
