#include "tools/axl/cli_checks.h"

#include <stdexcept>
#include <string>

#include "ipc_strategies/strategy_factory.h"
#include "sim/config/system_description.h"
#include "sim/config/toml_support.h"

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

CLI::Validator positive_check() {
    return CLI::Validator(
        [](const std::string& text) {
            double value = 0;
            if (!CLI::detail::lexical_cast(text, value)) return "'" + text + "' is not a number";
            if (!(value > 0)) return text + " is not allowed: give a number greater than 0";
            return std::string();
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

std::string unknown_subcommand(const CLI::App& app, int argc, const char* const* argv) {
    if (argc < 2 || argv[1][0] == '-') return {};
    const std::string word = argv[1];
    std::vector<std::string> names;
    for (const CLI::App* subcommand : app.get_subcommands({})) {
        if (subcommand->check_name(word)) return {};
        names.push_back(subcommand->get_name());
    }
    const std::string closest = sim::toml_support::closest_to(word, names);
    if (!closest.empty()) return "unknown subcommand '" + word + "'; did you mean '" + closest + "'?";
    return "unknown subcommand '" + word + "' (subcommands: " + sim::toml_support::join(names, ", ") + ")";
}

std::vector<std::string> strategy_choices() {
    std::vector<std::string> names;
    for (const StrategyInfo& strategy : ipc_strategies) names.emplace_back(strategy.name);
    return names;
}

}  // namespace axl::tools
