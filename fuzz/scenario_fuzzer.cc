// Fuzz target: the scenario reader (sim/harness/scenario.h, entry point
// parse_scenario): the [scenario], [[fault]], [campaign] and [expect] tables,
// and the system description a scenario names, which is loaded from disk
// (relative to workloads/scenarios/, so the seeds' "../storage_rs.toml" is
// found). Every refusal must be a DescriptionError reading "file:line:
// problem" (the scenario's, or the system file's it names); any other
// exception, a crash or a hang is a finding.
// Seeds: workloads/scenarios/*.toml.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "fuzz/description_error_check.h"
#include "sim/harness/scenario.h"

namespace {

const std::string input_path = std::string(AXL_FUZZ_WORKLOADS_DIR) + "/scenarios/fuzz_input.toml";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const axl::sim::Scenario scenario = axl::sim::parse_scenario(text, input_path);
        (void)axl::sim::scenario_run_options(scenario);
    } catch (const axl::sim::DescriptionError& error) {
        // The scenario's own errors, or the system file's it names (the
        // message's file is then that path, however the scenario spelled it).
        const std::string message = error.what();
        const size_t colon = message.find(':');
        axl::fuzz::check_clear_error(message, {input_path, message.substr(0, colon)});
    }
    return 0;
}
