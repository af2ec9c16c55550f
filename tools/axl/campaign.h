// `axl campaign SCENARIO.toml --runs N`: a fault campaign. Runs the scenario
// with seeds B..B+N-1, each run with faults drawn for its seed from the
// scenario's [campaign] fault space (sim/harness/campaign.h), in worker processes so
// a run that takes the simulator down costs only itself, and sums up: how
// many runs survived, how many ended in a simulator crash, a kernel panic, a
// hang or an error the workload saw, the detection and recovery latencies in
// virtual time, faults per wall second, and the `axl replay` command that
// reproduces each failed run. `axl campaign merge` combines the JSON of shards
// run apart (--shard I/K). Format and classes: docs/scenarios.md, "Campaigns".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "sim/harness/scenario_run.h"

namespace axl::tools {

// The most runs one campaign may plan: at ten thousand runs a second, three
// years of runs; a larger --runs is a typo, refused before anything runs.
inline constexpr uint64_t campaign_runs_max = 1'000'000'000'000;

struct CampaignArguments {
    std::string path;
    uint64_t runs = 0;
    uint32_t jobs = 0;          // 0: one per CPU
    std::string shard;          // "" or "I/K"
    std::string seed_base;      // "" (the scenario's seed) or a 64-bit number
    std::string json_path;
    std::string plot_dir;       // --plot DIR: PNGs of the distributions (tools/plot_campaign.py)
    double run_timeout_seconds = 60;
    bool quiet = false;
    // --fail-on CLASS[,CLASS]: run classes that make the campaign exit 1 (campaign and merge).
    std::vector<std::string> fail_on;
    // `axl campaign merge A.json B.json ... [--json OUT]`
    CLI::App* merge = nullptr;
    std::vector<std::string> merge_inputs;
    std::string merge_json_path;
};

CLI::App* add_campaign_command(CLI::App& app, CampaignArguments& args);

// Exit code: 0 no run crashed the simulator or panicked the kernel (runs that
// failed their verdict are results, not errors), 1 some did (or the JSON
// could not be written), 2 the command line, the scenario or a JSON to merge
// is wrong and nothing ran, 130 it was interrupted (the summary covers the
// runs done).
int run_campaign(const CampaignArguments& args);

// The classes --fail-on named (checked by its validator when parsed).
std::vector<sim::RunClass> fail_on_classes(const CampaignArguments& args);

}  // namespace axl::tools
