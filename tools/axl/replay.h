// `axl replay SCENARIO.toml`: runs a fault scenario (sim/harness/scenario.h) and
// prints its verdict, each fault with its detection and recovery latency, and
// the digest that a later replay must reproduce.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "sim/harness/scenario.h"
#include "sim/harness/scenario_run.h"

namespace axl::tools {

struct ReplayArguments {
    std::string path;
    std::string seed;           // "" or a 64-bit number, decimal or 0x hex
    std::string expect_digest;  // "" or hex
    std::string trace_path;
    std::string json_path;
    size_t trace_limit = 0;  // 0: the tracer's default
    bool quiet = false;
    double wall_timeout_seconds = 0;  // 0: no limit
};

CLI::App* add_replay_command(CLI::App& app, ReplayArguments& args);

// Exit code: 0 the verdict passed (and the digest matched, if one was
// expected), 1 it did not, 2 the scenario (or its system) is wrong and nothing ran.
int replay_scenario(const ReplayArguments& args);

// The part of the output after the run summary: the faults table, the
// verdict and the digest line (tests read it without a terminal). A run that
// `until` stopped with the workload unfinished fails as the hang a campaign
// counts it as, though the verdict's expectations excuse the processes it cut short.
std::string format_replay_verdict(const sim::ScenarioRun& run);

// The run passed: its verdict did and it was no hang.
bool replay_passed(const sim::ScenarioRun& run);

}  // namespace axl::tools
