// Campaigns: one scenario run many times, each run with its own seed and its
// own faults drawn at random from the scenario's fault space (its [campaign]
// table, docs/scenarios.md). Everything a run does follows from its seed: the
// seed is the system's, and the same seed draws the same faults, so
// `axl replay SCENARIO --seed S` repeats campaign run S exactly.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/harness/fault_injector.h"

namespace axl::sim {

struct Scenario;  // sim/harness/scenario.h

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

}  // namespace axl::sim
