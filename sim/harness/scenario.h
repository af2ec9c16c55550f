// Scenario: a fault experiment written once and replayed bit for bit. A TOML
// file names the system description to boot, the faults to inject into it, and
// what the run must show despite them (docs/scenarios.md). Loading checks
// everything it can before anything runs, as system descriptions do: every
// problem is a DescriptionError reading "file:line: problem", including
// expectations the system could never meet (a restart bound with no
// reincarnation server to restart anything).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/harness/campaign.h"
#include "sim/harness/fault_injector.h"
#include "sim/port/simulator.h"
#include "sim/config/system_description.h"

namespace axl::sim {

// [expect]: what the verdict checks. Lines point back into the scenario file.
struct ScenarioExpectations {
    bool completes = true;  // true: every process met its expectation; false: the run must fail
    uint32_t completes_line = 0;  // 0: not in the file (the default applies)
    std::optional<uint64_t> recovery_within_ns;  // each fault's target restarted within this, after injection
    uint32_t recovery_within_line = 0;
    std::optional<std::vector<std::string>> may_restart;  // only these processes may restart
    uint32_t may_restart_line = 0;
    std::optional<uint32_t> restarts_max;  // restarts of all processes together
    uint32_t restarts_max_line = 0;
    // The run's device events, in order, exactly: each "what" (any device) or
    // "device: what". [] = none may happen.
    std::optional<std::vector<std::string>> device_events;
    uint32_t device_events_line = 0;
};

struct Scenario {
    std::string path;
    std::string name;         // [scenario] name, or the file stem
    std::string system_path;  // resolved against the scenario file's directory
    // Loaded with the scenario's overrides (seed, ipc, until) and the command
    // line's (ScenarioOverrides) applied: what runs.
    SystemDescription system;
    std::vector<FaultSpec> faults;  // in file order; FaultSpec::line is the [[fault]] table's
    // [campaign]: the fault space `axl campaign` draws each run's faults from.
    std::optional<CampaignSpace> campaign;
    // For one run of a campaign (campaign_run): how many of `faults`, at the
    // end, were drawn for its seed. A drawn fault that finds nothing to act on
    // (its target is down, the run ended first) is not held against the run.
    size_t drawn_faults = 0;
    ScenarioExpectations expect;
};

// Command-line values that override the scenario file (which overrides the system's).
struct ScenarioOverrides {
    std::optional<uint64_t> seed;
};

// Parses and validates, loading the system description it names (whose own
// errors pass through, naming the system file). Throws DescriptionError.
Scenario load_scenario(const std::string& path, const ScenarioOverrides& overrides = {});
// Same, from text already in memory (tests); `path` names it in errors and
// is where the system path is resolved from.
Scenario parse_scenario(const std::string& text, const std::string& path,
                        const ScenarioOverrides& overrides = {});

// The run options that inject the scenario's faults.
RunOptions scenario_run_options(const Scenario& scenario, RunOptions options = {});

// One fault as the run went: times are virtual ns since boot.
struct FaultVerdict {
    FaultSpec spec;
    bool injected = false;
    uint64_t injected_ns = 0;
    // A device fault is measured on the device's driver, if it comes to a death.
    std::optional<uint64_t> detected_ns;   // the target's first death at or after the injection
    std::optional<uint64_t> recovered_ns;  // its first restart after that death

    std::optional<uint64_t> detection_latency_ns() const;
    std::optional<uint64_t> recovery_latency_ns() const;
};

struct ScenarioVerdict {
    bool passed = true;
    std::vector<std::string> failures;  // one line per unmet expectation
    std::vector<FaultVerdict> faults;   // parallel to Scenario::faults
};

// Holds the run against the scenario's expectations. A fault that was never
// injected (its target had ended, or never reached the trigger) fails it,
// unless a campaign drew it (Scenario::drawn_faults).
// recovery_within holds process faults only: a driver may absorb a device
// fault with retries, and then no restart is owed.
ScenarioVerdict judge(const Scenario& scenario, const RunReport& report);

// Whose death and restart measure a fault: its target, or a device's driver.
std::string watched_process(const Scenario& scenario, const FaultSpec& fault);

// "crash of 'block' at 2ms" / "hang of 'block' at its call 500": how the
// verdict and `axl replay` name a fault.
std::string describe_fault(const FaultSpec& fault);
// 2'000'000 -> "2ms", 1'500 -> "1500ns": exact, in the largest unit that divides it.
std::string exact_duration(uint64_t ns);

}  // namespace axl::sim
