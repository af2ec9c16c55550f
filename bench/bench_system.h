// Helpers for benchmarks whose timing loop runs inside a simulated process:
// the two-process system they boot, and the run that hands Google Benchmark's
// State to the timing process.
#pragma once

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "kernel/api/calls.h"
#include "sim/port/simulator.h"
#include "sim/config/system_description.h"

namespace axl::bench {

struct BenchProcess {
    const char* name;
    const char* program;
    uint8_t priority;
    uint32_t primitives;
    std::vector<std::string> destinations;  // {"*"} = any
    bool serves;                            // may still wait at the end
};

inline sim::ProcessDescription describe(const BenchProcess& process) {
    sim::ProcessDescription description;
    description.name = process.name;
    description.program = process.program;
    description.priority = process.priority;
    description.primitives = process.primitives;
    description.kernel_calls = default_kernel_calls;
    if (process.destinations == std::vector<std::string>{"*"})
        description.all_destinations = true;
    else
        description.destinations = process.destinations;
    description.expect = process.serves ? sim::Expectation::serve : sim::Expectation::exit;
    return description;
}

inline sim::SystemDescription two_process_system(const char* name, IpcStrategyKind ipc, const BenchProcess& first,
                                                 const BenchProcess& second) {
    sim::SystemDescription system;
    system.path = "<bench>";
    system.name = name;
    system.ipc = ipc;
    system.processes = {describe(first), describe(second)};
    return system;
}

// Boots `system` untraced and runs it; the timing process reads `state`
// through `handoff` for the duration of the run.
inline void run_in_simulation(benchmark::State& state, const sim::SystemDescription& system,
                              benchmark::State*& handoff) {
    sim::Simulator simulator(system, {.trace_level = sim::TraceLevel::off, .echo_console = false});
    handoff = &state;
    sim::RunReport report = simulator.run();
    handoff = nullptr;
    if (!report.ok) state.SkipWithError(("the system " + system.name + " failed").c_str());
    state.SetLabel(to_string(system.ipc));
}

}  // namespace axl::bench
