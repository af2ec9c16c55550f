// `axl compare SYSTEM.toml`: the same system, with the same seed, under every
// IPC strategy, one after the other, and a table side by side: whether each
// run met every expectation, messages, virtual and wall time, throughput and
// the digest (equal digests: the strategy changed nothing the kernel saw).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "sim/port/simulator.h"

namespace axl::tools {

struct CompareArguments {
    std::string path;
    std::string seed;
    uint32_t cpus = 0;
    CLI::Option* cpus_option = nullptr;
    std::string until;
    std::string json_path;
    bool console = false;
};

CLI::App* add_compare_command(CLI::App& app, CompareArguments& args);

// Exit code: 0 every strategy's run met every expectation, 1 some did not,
// 2 the description or the command line is wrong and nothing ran.
int compare_strategies(const CompareArguments& args);

// The table and what follows it (tests read it without a terminal).
std::string format_comparison(const std::vector<sim::RunReport>& reports);

}  // namespace axl::tools
