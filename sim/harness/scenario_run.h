// One run of a scenario, start to verdict: what `axl replay` prints and what
// every run of `axl campaign` is counted as. Both run a scenario through here,
// so a campaign run and its replay boot, fault and judge exactly alike.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sim/harness/scenario.h"
#include "sim/port/simulator.h"

namespace axl::sim {

// What a run ends as, in the classes a fault-injection study counts. A run
// judges itself as one of the first four; the last two are for whoever
// watched the process that ran it die.
enum class RunClass : uint8_t {
    survived,           // the verdict passed
    client_error,       // the workload failed: some process did not meet its expectation
    unmet_expectation,  // the workload completed, another expectation failed (recovery_within, ...)
    hang,               // stopped by `until` with the workload unfinished (or by a wall-clock watchdog)
    kernel_panic,       // the process running it died after the kernel panicked
    simulator_crash,    // the process running it died otherwise (a signal, an abort, an exception)
};
inline constexpr size_t run_class_count = 6;
inline constexpr std::array<RunClass, run_class_count> all_run_classes{
    RunClass::survived, RunClass::client_error,  RunClass::unmet_expectation,
    RunClass::hang,     RunClass::kernel_panic, RunClass::simulator_crash};

// "survived", "client_error", ...: the names campaign JSON uses.
const char* to_string(RunClass run_class);
std::optional<RunClass> run_class_named(std::string_view name);

struct ScenarioRun {
    RunReport report;
    ScenarioVerdict verdict;
    RunClass run_class = RunClass::survived;  // survived, client_error, unmet_expectation or hang
    std::string detail;                       // why it did not survive, in a line; "" if it did
};

// Boots the scenario's system with its faults injected (scenario_run_options
// over `options`), runs it and judges it. Throws DescriptionError if the
// kernel refuses to boot the system.
ScenarioRun run_scenario(const Scenario& scenario, RunOptions options = {});

}  // namespace axl::sim
