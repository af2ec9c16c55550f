#include "sim/harness/scenario_run.h"

#include <fmt/format.h>

#include <utility>
#include <vector>

#include "kernel/process.h"

namespace axl::sim {

const char* to_string(RunClass run_class) {
    switch (run_class) {
        case RunClass::survived: return "survived";
        case RunClass::client_error: return "client_error";
        case RunClass::unmet_expectation: return "unmet_expectation";
        case RunClass::hang: return "hang";
        case RunClass::kernel_panic: return "kernel_panic";
        case RunClass::simulator_crash: return "simulator_crash";
    }
    return "?";
}

std::optional<RunClass> run_class_named(std::string_view name) {
    for (RunClass run_class : all_run_classes)
        if (name == to_string(run_class)) return run_class;
    return std::nullopt;
}

ScenarioRun run_scenario(const Scenario& scenario, RunOptions options) {
    Simulator simulator(scenario.system, scenario_run_options(scenario, std::move(options)));
    ScenarioRun run;
    run.report = simulator.run();
    run.verdict = judge(scenario, run.report);

    std::vector<std::string> unfinished;
    for (const ProcessReport& process : run.report.processes)
        if (process.expect == Expectation::exit && is_alive(process.state)) unfinished.push_back(process.name);
    if (run.report.stopped_by_until && !unfinished.empty()) {
        // `until` excuses living processes in the verdict; a fault study
        // wants to know that the workload never got done.
        run.run_class = RunClass::hang;
        std::string names;
        for (const std::string& name : unfinished) names += (names.empty() ? "" : ", ") + name;
        run.detail = fmt::format("the run reached until = {} with the workload unfinished ({})",
                                 exact_duration(*scenario.system.until_ns), names);
    } else if (run.verdict.passed) {
        run.run_class = RunClass::survived;
    } else {
        run.run_class = run.report.ok ? RunClass::unmet_expectation : RunClass::client_error;
        run.detail = run.verdict.failures.front();
    }
    return run;
}

}  // namespace axl::sim
