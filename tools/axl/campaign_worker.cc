#include "tools/axl/campaign_worker.h"

#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <exception>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "kernel/platform.h"
#include "sim/harness/campaign.h"
#include "sim/harness/scenario_run.h"
#include "tools/axl/subprocess.h"

namespace axl::tools {
namespace {

using json = nlohmann::ordered_json;

RunResult run_one(const sim::Scenario& base, uint64_t index, uint64_t seed) {
    RunResult result;
    result.index = index;
    try {
        const sim::Scenario scenario = sim::campaign_run(base, seed);
        sim::RunOptions options;
        options.echo_console = false;
        const sim::ScenarioRun run = sim::run_scenario(scenario, std::move(options));
        result.run_class = run.run_class;
        result.detail = run.detail;
        result.digest = run.report.digest;
        result.verdict = run.verdict.failures;
        result.faults = sim::credit_deaths(scenario, run.verdict);
    } catch (const sim::DescriptionError& error) {
        result.refused = error.what();  // the same for every seed: the campaign stops
    } catch (const std::exception& error) {
        result.run_class = sim::RunClass::simulator_crash;
        result.detail = std::string("the simulator threw: ") + error.what();
    }
    return result;
}

json optional_json(const std::optional<uint64_t>& value) { return value ? json(*value) : json(nullptr); }

std::optional<uint64_t> optional_from(const json& value) {
    return value.is_null() ? std::nullopt : std::optional<uint64_t>(value.get<uint64_t>());
}

// One line on the pipe: compact JSON (a dump without indentation has no newlines).
std::string to_line(const RunResult& result) {
    json faults = json::array();
    for (const sim::CreditedFault& fault : result.faults)
        faults.push_back(json::array({static_cast<uint32_t>(fault.kind), fault.injected,
                                      optional_json(fault.detection_ns), optional_json(fault.recovery_ns)}));
    json line = {{"index", result.index},
                 {"class", sim::to_string(result.run_class)},
                 {"detail", result.detail},
                 {"verdict", result.verdict},
                 {"digest", optional_json(result.digest)},
                 {"faults", std::move(faults)}};
    if (!result.refused.empty()) line["refused"] = result.refused;
    return line.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

// Test hook (tests/tools/axl_campaign_test.cc): AXL_CAMPAIGN_TEST_FAILURE=
// "abort@S", "panic@S" or "stall@S" makes the worker itself fail in the run
// of seed S the way a simulator bug would (an abort, a kernel panic, a loop
// that never ends), so the isolation can be tested without such a bug.
void fail_on_purpose_at(uint64_t seed) {
    static const char* const request = std::getenv("AXL_CAMPAIGN_TEST_FAILURE");
    if (request == nullptr) return;
    const std::string_view text(request);
    const size_t at = text.find('@');
    if (at == std::string_view::npos || std::to_string(seed) != text.substr(at + 1)) return;
    const std::string_view how = text.substr(0, at);
    if (how == "abort") std::abort();
    if (how == "panic") platform::panic("AXL_CAMPAIGN_TEST_FAILURE asked for a panic");
    if (how == "stall")
        for (;;) ::pause();
}

}  // namespace

void worker_main(const sim::Scenario& base, uint64_t seed_base, int commands, int results) {
    std::string pending;
    for (;;) {
        if (!read_some(commands, pending, 256)) ::_exit(0);
        for (size_t end; (end = pending.find('\n')) != std::string::npos;) {
            const uint64_t index = std::stoull(pending.substr(0, end));
            pending.erase(0, end + 1);
            fail_on_purpose_at(seed_base + index);
            const RunResult result = run_one(base, index, seed_base + index);
            if (!write_all(results, to_line(result))) ::_exit(0);  // the parent is gone
        }
    }
}

RunResult parse_result_line(const std::string& text) {
    const json line = json::parse(text);
    RunResult result;
    result.index = line.at("index").get<uint64_t>();
    result.run_class = sim::run_class_named(line.at("class").get<std::string>()).value_or(sim::RunClass::simulator_crash);
    result.detail = line.at("detail").get<std::string>();
    result.verdict = line.at("verdict").get<std::vector<std::string>>();
    result.digest = optional_from(line.at("digest"));
    for (const json& fault : line.at("faults")) {
        const auto kind = fault.at(0).get<uint32_t>();
        if (kind >= sim::FaultSpec::kind_count) throw std::runtime_error("a worker reported an unknown fault kind");
        result.faults.push_back({static_cast<sim::FaultSpec::Kind>(kind), fault.at(1).get<bool>(),
                                 optional_from(fault.at(2)), optional_from(fault.at(3))});
    }
    if (line.contains("refused")) result.refused = line.at("refused").get<std::string>();
    return result;
}

}  // namespace axl::tools
