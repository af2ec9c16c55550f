#include "sim/harness/campaign.h"

#include <algorithm>

#include "kernel/lib/splitmix64.h"
#include "sim/harness/scenario.h"

namespace axl::sim {
namespace {

// The system uses the same seed for its own choices; a stream of the
// campaign's own keeps the two from echoing each other.
constexpr uint64_t campaign_stream = 0xCA3D'A161'F0A7'5EEDull;

}  // namespace

std::vector<FaultSpec> draw_faults(const CampaignSpace& space, uint64_t seed) {
    std::vector<FaultSpec> faults;
    if (space.kinds.empty() || space.window_end_ns <= space.window_begin_ns) return faults;
    splitmix64::Generator random(seed ^ campaign_stream);
    const uint64_t span = space.window_end_ns - space.window_begin_ns;
    const uint64_t count = space.faults_per_run;
    for (uint64_t i = 0; i < count; ++i) {
        // Slice i of the window; 128-bit products so long windows cannot overflow.
        const auto slice_begin =
            static_cast<uint64_t>(static_cast<unsigned __int128>(span) * i / count);
        const auto slice_end =
            static_cast<uint64_t>(static_cast<unsigned __int128>(span) * (i + 1) / count);
        FaultSpec fault;
        fault.kind = space.kinds[random.below(space.kinds.size())];
        const std::vector<std::string>& targets =
            FaultSpec::targets_device(fault.kind) ? space.device_targets : space.process_targets;
        // Loading refuses a kind without a target of its type; a space built
        // by hand that has none simply draws nothing for that slice.
        const uint64_t target = targets.empty() ? 0 : random.below(targets.size());
        const uint64_t offset = slice_end > slice_begin ? random.below(slice_end - slice_begin) : 0;
        if (targets.empty()) continue;
        fault.target = targets[target];
        fault.at_ns = space.window_begin_ns + slice_begin + offset;
        fault.line = space.line;
        faults.push_back(std::move(fault));
    }
    std::stable_sort(faults.begin(), faults.end(),
                     [](const FaultSpec& a, const FaultSpec& b) { return a.at_ns < b.at_ns; });
    return faults;
}

Scenario campaign_run(const Scenario& scenario, uint64_t seed) {
    Scenario run = scenario;
    run.system.seed = seed;
    run.faults.resize(run.faults.size() - run.drawn_faults);  // a run of a run: redraw, do not pile up
    run.drawn_faults = 0;
    if (scenario.campaign) {
        std::vector<FaultSpec> drawn = draw_faults(*scenario.campaign, seed);
        run.drawn_faults = drawn.size();
        run.faults.insert(run.faults.end(), std::make_move_iterator(drawn.begin()),
                          std::make_move_iterator(drawn.end()));
    }
    return run;
}

std::vector<CreditedFault> credit_deaths(const Scenario& scenario, const ScenarioVerdict& verdict) {
    std::vector<std::string> watched;
    for (const FaultVerdict& fault : verdict.faults) watched.push_back(watched_process(scenario, fault.spec));
    std::vector<CreditedFault> faults;
    for (size_t i = 0; i < verdict.faults.size(); ++i) {
        const FaultVerdict& fault = verdict.faults[i];
        CreditedFault credited{fault.spec.kind, fault.injected, std::nullopt, std::nullopt};
        if (fault.injected && fault.detected_ns) {
            bool superseded = false;
            for (size_t j = 0; j < verdict.faults.size() && !superseded; ++j) {
                const FaultVerdict& other = verdict.faults[j];
                if (j == i || !other.injected || watched[j] != watched[i]) continue;
                const bool after = other.injected_ns > fault.injected_ns ||
                                   (other.injected_ns == fault.injected_ns && j > i);
                superseded = after && other.injected_ns <= *fault.detected_ns;
            }
            if (!superseded) {
                credited.detection_ns = fault.detection_latency_ns();
                credited.recovery_ns = fault.recovery_latency_ns();
            }
        }
        faults.push_back(credited);
    }
    return faults;
}

}  // namespace axl::sim
