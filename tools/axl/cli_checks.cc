#include "tools/axl/cli_checks.h"

#include <stdexcept>
#include <string>

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

}  // namespace axl::tools
