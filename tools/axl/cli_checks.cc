#include "tools/axl/cli_checks.h"

#include <stdexcept>
#include <string>

#include "ipc_strategies/strategy_factory.h"
#include "sim/config/system_description.h"

namespace axl::tools {

// Validators get an empty description so the help shows "--seed N", not "N:SEED".

CLI::Validator seed_check() {
    return CLI::Validator(
        [](const std::string& text) {
            try {
                (void)sim::parse_seed(text);
                return std::string();
            } catch (const std::invalid_argument& reason) {
                return std::string(reason.what());
            }
        },
        "");
}

CLI::Validator duration_check() {
    return CLI::Validator(
        [](const std::string& text) {
            try {
                (void)sim::parse_duration_ns(text);
                return std::string();
            } catch (const std::invalid_argument& reason) {
                return std::string(reason.what());
            }
        },
        "");
}

void add_wall_timeout_option(CLI::App& command, double& seconds) {
    command
        .add_option("--wall-timeout", seconds,
                    "stop after this many host seconds, naming the process that was running, and exit 124 (for a "
                    "process that never enters the kernel, which virtual time and --until cannot stop)")
        ->type_name("SECONDS")
        ->check(CLI::PositiveNumber.description(""))
        ->check(CLI::Range(0.0, 1e6).description(""));
}

std::vector<std::string> strategy_choices() {
    std::vector<std::string> names;
    for (const StrategyInfo& strategy : ipc_strategies) names.emplace_back(strategy.name);
    return names;
}

}  // namespace axl::tools
