// Campaigns: one scenario run many times, each run with its own seed and its
// own faults drawn at random from the scenario's fault space (its [campaign]
// table, docs/scenarios.md). Everything a run does follows from its seed: the
// seed is the system's, and the same seed draws the same faults, so
// `axl replay SCENARIO --seed S` repeats campaign run S exactly.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/harness/fault_injector.h"

namespace axl::sim {

struct Scenario;         // sim/harness/scenario.h
struct ScenarioVerdict;  // sim/harness/scenario.h

// A scenario's [campaign] table, checked against its system.
struct CampaignSpace {
    std::vector<FaultSpec::Kind> kinds;         // drawn with equal weight
    // `targets` split by what they name: each kind is drawn with a target of its type.
    std::vector<std::string> process_targets;
    std::vector<std::string> device_targets;
    uint64_t window_begin_ns = 0;  // `at` triggers fall in [begin, end)
    uint64_t window_end_ns = 0;
    uint32_t faults_per_run = 1;
    uint32_t line = 0;  // the [campaign] table's; drawn faults carry it as FaultSpec::line
};

// The faults of run `seed`, sorted by time: a pure function of its arguments
// (its own generator, so no library or platform changes what is drawn). The
// window is cut into faults_per_run equal slices with one fault at a random
// time in each, so faults spread over the window instead of bunching up.
std::vector<FaultSpec> draw_faults(const CampaignSpace& space, uint64_t seed);

// The scenario as campaign run `seed` runs it: that seed for the system, and
// the faults drawn for it after the scenario's own [[fault]]s
// (Scenario::drawn_faults counts them). Without a [campaign] table only the
// seed changes.
Scenario campaign_run(const Scenario& scenario, uint64_t seed);

// A fault of a campaign run as the campaign counts it. With many faults in
// one run, the judge's rule (a fault is detected by its target's first death
// after it) would credit one death to every fault before it, including device
// faults the driver absorbed without dying. A campaign credits each death (and
// the restart after it) to the last fault injected into that process before
// it; the earlier ones count as injected, not detected.
struct CreditedFault {
    FaultSpec::Kind kind = FaultSpec::Kind::crash;
    bool injected = false;
    // Only for the fault a death (and the restart after it) is credited to.
    std::optional<uint64_t> detection_ns;
    std::optional<uint64_t> recovery_ns;
};

// The run's faults, in the verdict's order, each with what it is credited with.
std::vector<CreditedFault> credit_deaths(const Scenario& scenario, const ScenarioVerdict& verdict);

}  // namespace axl::sim
