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

std::vector<std::string> strategy_choices() {
    std::vector<std::string> names;
    for (const StrategyInfo& strategy : ipc_strategies) names.emplace_back(strategy.name);
    return names;
}

}  // namespace axl::tools
