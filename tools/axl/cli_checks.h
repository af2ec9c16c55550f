// Checks of option values that several `axl` subcommands take. The messages
// are the parsers' own (sim/config/system_description.h), so a bad seed or duration
// reads the same on every command line as in every file.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace axl::tools {

// A 64-bit seed, decimal or 0x hexadecimal (sim::parse_seed). CLI11's own
// conversion would take "-1" and octal "010" silently.
CLI::Validator seed_check();
// A number greater than 0 ("--runs: 0 is not allowed: give a number greater
// than 0"), where CLI11's PositiveNumber would print its range, 300 digits long.
CLI::Validator positive_check();
// A duration such as "10ms" (sim::parse_duration_ns).
CLI::Validator duration_check();
// When the first word of the command line (argv[1]) is no option and names
// none of app's subcommands: "unknown subcommand 'rnu'; did you mean 'run'?"
// (or the list of them, when none is close). "" otherwise.
std::string unknown_subcommand(const CLI::App& app, int argc, const char* const* argv);
// The IPC strategies' names (ipc_strategies/strategy_factory.h), for --ipc.
std::vector<std::string> strategy_choices();
// --wall-timeout SECONDS of `run` and `replay` (sim/port/wall_timeout.h),
// into `seconds` (left 0 when absent: no limit).
void add_wall_timeout_option(CLI::App& command, double& seconds);

}  // namespace axl::tools
