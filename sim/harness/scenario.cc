// Reading scenario files and judging runs against them (format: docs/scenarios.md).
//
// Like system descriptions, a scenario is checked completely before anything
// boots, and every problem is "path:line: problem". Beyond the format, the
// checks hold the scenario against its system: faults must name its processes,
// and an expectation must be one the system could meet at all (a recovery
// bound needs the reincarnation server and a restart policy for the target),
// so a scenario that can only fail is refused instead of run.
#include "sim/harness/scenario.h"

#include "ipc_strategies/strategy_factory.h"
#include "sim/config/input_file.h"
#include "sim/config/toml_support.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <initializer_list>
#include <iterator>
#include <limits>
#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace axl::sim {
namespace {

using namespace toml_support;

std::vector<FaultSpec::Kind> fault_kinds() {
    std::vector<FaultSpec::Kind> kinds;
    for (uint32_t i = 0; i < FaultSpec::kind_count; ++i) kinds.push_back(static_cast<FaultSpec::Kind>(i));
    return kinds;
}

std::vector<std::string> fault_kind_names() {
    std::vector<std::string> names;
    for (FaultSpec::Kind kind : fault_kinds()) names.emplace_back(to_string(kind));
    return names;
}

const ProcessDescription* find_process(const SystemDescription& system, const std::string& name) {
    for (const ProcessDescription& process : system.processes)
        if (process.name == name) return &process;
    return nullptr;
}

class ScenarioReader : public Reader {
public:
    ScenarioReader(const std::string& path, const ScenarioOverrides& overrides)
        : Reader(path), m_path(path), m_overrides(overrides) {}

    Scenario read(const toml::table& root) {
        m_scenario.path = m_path;
        reject_unknown_keys(root, "the top level", {"scenario", "fault", "campaign", "expect"});
        read_header(root);
        read_faults(root);
        read_campaign(root);  // before [expect]: its checks count the campaign's faults too
        read_expectations(root);
        return std::move(m_scenario);
    }

private:
    // ---- typed access beyond toml_support::Reader's ----

    // An integer is nanoseconds; a string may carry a unit ("10us").
    std::optional<uint64_t> duration_ns(const toml::table& table, std::string_view key, bool zero_allowed) const {
        const toml::node* node = table.get(key);
        if (node == nullptr) return std::nullopt;
        return duration_of(*node, key, zero_allowed);
    }

    // `what` names the value in messages: a key, or an array's element.
    uint64_t duration_of(const toml::node& node, std::string_view what, bool zero_allowed) const {
        uint64_t ns = 0;
        if (const auto* integer_value = node.as_integer()) {
            if (integer_value->get() < 0) fail(line_of(node), std::string(what) + " must not be negative");
            ns = static_cast<uint64_t>(integer_value->get());
        } else if (const auto* string_value = node.as_string()) {
            try {
                ns = parse_duration_ns(string_value->get());
            } catch (const std::invalid_argument& reason) {
                fail(line_of(node), std::string(what) + ": " + reason.what());
            }
        } else {
            fail_type(node, what, "a duration (integer nanoseconds or a string such as \"10us\")");
        }
        if (ns == 0 && !zero_allowed) fail(line_of(node), std::string(what) + " must be longer than 0");
        return ns;
    }

    uint32_t line_of_key(const toml::table& table, std::string_view key) const {
        const toml::node* node = table.get(key);
        return node ? line_of(*node) : line_of(table);
    }

    // ---- [scenario] ----

    void read_header(const toml::table& root) {
        const toml::node* node = root.get("scenario");
        if (node == nullptr)
            fail(std::max(line_of(root), 1u), "missing [scenario] table (it names the system to run: "
                                              "[scenario] system = \"path/to/system.toml\")");
        const toml::table* header = node->as_table();
        if (header == nullptr) fail_type(*node, "scenario", "a table ([scenario])");
        reject_unknown_keys(*header, "[scenario]", {"name", "system", "seed", "ipc", "until"});

        if (auto name = string(*header, "name")) {
            if (name->empty()) fail(line_of(*header->get("name")), "name must not be empty");
            m_scenario.name = *name;
        } else {
            m_scenario.name = std::filesystem::path(m_path).stem().string();
            if (m_scenario.name.empty()) m_scenario.name = "scenario";
        }

        DescriptionOverrides system_overrides;
        if (auto ipc = string(*header, "ipc")) {
            system_overrides.ipc = parse_ipc_strategy(*ipc);
            if (!system_overrides.ipc)
                fail(line_of(*header->get("ipc")),
                     "unknown ipc strategy '" + *ipc + "' (expected " + strategy_names() + ")");
        }
        if (auto seed_value = seed(*header)) system_overrides.seed = *seed_value;
        if (m_overrides.seed) system_overrides.seed = m_overrides.seed;
        system_overrides.until_ns = duration_ns(*header, "until", false);

        auto system = string(*header, "system");
        if (!system)
            fail(line_of(*header), "[scenario] has no system (add system = \"path/to/system.toml\", relative to "
                                   "this file)");
        const uint32_t system_line = line_of(*header->get("system"));
        m_scenario.system_path = resolve(*system);
        std::error_code error;
        if (!std::filesystem::is_regular_file(m_scenario.system_path, error))
            fail(system_line, "system '" + *system + "' (" + m_scenario.system_path +
                                  ") does not exist or is not a regular file");
        // The description's own problems name the description's file and line.
        m_scenario.system = load_system_description(m_scenario.system_path, system_overrides);
    }

    std::string resolve(const std::string& path) const {
        std::filesystem::path file(path);
        if (file.is_absolute()) return path;
        return (std::filesystem::path(m_path).parent_path() / file).lexically_normal().string();
    }

    // ---- [[fault]] ----

    void read_faults(const toml::table& root) {
        const toml::node* node = root.get("fault");
        if (node == nullptr) return;  // a baseline: the system as it runs undisturbed
        const toml::array* faults = node->as_array();
        if (faults == nullptr || !faults->is_array_of_tables())
            fail(line_of(*node), "fault must be an array of tables: write each one as [[fault]]");
        for (const toml::node& element : *faults) m_scenario.faults.push_back(read_fault(*element.as_table()));
    }

    FaultSpec read_fault(const toml::table& table) {
        reject_unknown_keys(table, "[[fault]]", {"kind", "target", "at", "after_calls"});
        FaultSpec fault;
        fault.line = line_of(table);

        auto kind = string(table, "kind");
        if (!kind) fail(fault.line, "fault has no kind (add kind = \"crash\"; known kinds: " +
                                        join(fault_kind_names(), ", ") + ")");
        fault.kind = kind_named(*kind, line_of(*table.get("kind")));

        auto target = string(table, "target");
        if (!target) fail(fault.line, "fault has no target (add target = \"<process name>\")");
        const bool on_device = FaultSpec::targets_device(fault.kind);
        if (on_device)
            check_device_name(*target, line_of(*table.get("target")), *kind);
        else
            check_process_name(*target, line_of(*table.get("target")), "fault target");
        fault.target = *target;

        const toml::node* at = table.get("at");
        const toml::node* after_calls = table.get("after_calls");
        if (at && after_calls)
            fail(line_of(*after_calls), fmt::format("fault has two triggers, at (line {}) and after_calls; "
                                                    "keep exactly one",
                                                    line_of(*at)));
        if (!at && !after_calls)
            fail(fault.line, "fault has no trigger: add at = \"2ms\" (a virtual time) or after_calls = N "
                             "(the target's Nth kernel call or IPC)");
        // A device makes no calls: its faults strike at a time.
        if (after_calls && on_device)
            fail(line_of(*after_calls), "kind " + *kind + " strikes device '" + *target +
                                            "' at a virtual time: use at = \"2ms\" instead of after_calls");
        if (after_calls) {
            fault.after_calls =
                static_cast<uint64_t>(*integer(table, "after_calls", 1, std::numeric_limits<int64_t>::max()));
        } else {
            fault.at_ns = *duration_ns(table, "at", true);
            const std::optional<uint64_t>& until = m_scenario.system.until_ns;
            if (until && fault.at_ns >= *until)
                fail(line_of(*at), "at = " + exact_duration(fault.at_ns) + " is not before the run stops (until = " +
                                       exact_duration(*until) + "): the fault could never be injected");
        }
        return fault;
    }

    FaultSpec::Kind kind_named(const std::string& name, uint32_t line) const {
        for (FaultSpec::Kind candidate : fault_kinds())
            if (name == to_string(candidate)) return candidate;
        std::string problem = "unknown fault kind '" + name + "' (known kinds: " + join(fault_kind_names(), ", ") + ")";
        const std::string closest = closest_to(name, fault_kind_names());
        if (!closest.empty()) problem += "; did you mean '" + closest + "'?";
        fail(line, problem);
    }

    // ---- [campaign] ----

    void read_campaign(const toml::table& root) {
        const toml::node* node = root.get("campaign");
        if (node == nullptr) return;
        const toml::table* table = node->as_table();
        if (table == nullptr) fail_type(*node, "campaign", "a table ([campaign])");
        reject_unknown_keys(*table, "[campaign]", {"kinds", "targets", "window", "faults_per_run"});
        CampaignSpace space;
        space.line = line_of(*table);
        const SystemDescription& system = m_scenario.system;

        std::vector<uint32_t> kind_lines;
        for (const toml::node* item : string_array(*table, "kinds", "kinds = [\"crash\", \"hang\"]")) {
            const FaultSpec::Kind kind = kind_named(item->as_string()->get(), line_of(*item));
            const auto seen = std::find(space.kinds.begin(), space.kinds.end(), kind);
            if (seen != space.kinds.end())
                fail(line_of(*item), fmt::format("kind {} is listed twice (first on line {})", to_string(kind),
                                                 kind_lines[static_cast<size_t>(seen - space.kinds.begin())]));
            space.kinds.push_back(kind);
            kind_lines.push_back(line_of(*item));
        }

        // A name may be a process, a device, or (in principle) both: each kind
        // takes it in the role it strikes.
        std::vector<std::string> all_names;
        for (const ProcessDescription& process : system.processes) all_names.push_back(process.name);
        for (const DeviceDescription& device : system.devices) all_names.push_back(device.name);
        const bool any_process_kind = std::any_of(space.kinds.begin(), space.kinds.end(),
                                                  [](FaultSpec::Kind kind) { return !FaultSpec::targets_device(kind); });
        const bool any_device_kind = std::any_of(space.kinds.begin(), space.kinds.end(),
                                                 [](FaultSpec::Kind kind) { return FaultSpec::targets_device(kind); });
        std::vector<std::string> seen_targets;
        for (const toml::node* item : string_array(*table, "targets", "targets = [\"block\", \"disk0\"]")) {
            const std::string& name = item->as_string()->get();
            const uint32_t line = line_of(*item);
            if (std::find(seen_targets.begin(), seen_targets.end(), name) != seen_targets.end())
                fail(line, "target '" + name + "' is listed twice");
            seen_targets.push_back(name);
            const bool is_process = find_process(system, name) != nullptr;
            const bool is_device = std::any_of(system.devices.begin(), system.devices.end(),
                                               [&name](const DeviceDescription& device) { return device.name == name; });
            if (!is_process && !is_device) {
                std::string problem = "target '" + name + "' is neither a process nor a [[device]] of system '" +
                                      system.name + "' (" + m_scenario.system_path + ")";
                if (const std::string closest = closest_to(name, all_names); !closest.empty())
                    problem += "; did you mean '" + closest + "'?";
                else
                    problem += " (its processes and devices: " + join(all_names, ", ") + ")";
                fail(line, problem);
            }
            // A target no listed kind can strike is a mistake, not a choice.
            if (!(is_process && any_process_kind) && !(is_device && any_device_kind))
                fail(line, fmt::format("target '{}' is a {}, and no kind in kinds (line {}) strikes {}s", name,
                                       is_process ? "process" : "device", kind_lines.front(),
                                       is_process ? "process" : "device"));
            if (is_process && any_process_kind) space.process_targets.push_back(name);
            if (is_device && any_device_kind) space.device_targets.push_back(name);
        }
        for (size_t i = 0; i < space.kinds.size(); ++i) {
            const bool on_device = FaultSpec::targets_device(space.kinds[i]);
            if (on_device ? space.device_targets.empty() : space.process_targets.empty())
                fail(kind_lines[i], fmt::format("kind {} strikes a {}, and targets (line {}) names no {} of system "
                                                "'{}'; add one, or drop the kind",
                                                to_string(space.kinds[i]), on_device ? "device" : "process",
                                                line_of(*table->get("targets")),
                                                on_device ? "[[device]]" : "process", system.name));
        }

        const toml::node* window = table->get("window");
        if (window == nullptr)
            fail(space.line, "[campaign] has no window (add window = [\"1ms\", \"40ms\"]: the virtual times "
                             "faults are drawn from)");
        const toml::array* bounds = window->as_array();
        if (bounds == nullptr || bounds->size() != 2)
            fail(line_of(*window), "window must be an array of two durations, its start and its end, e.g. "
                                   "[\"1ms\", \"40ms\"]");
        space.window_begin_ns = duration_of(*bounds->get(0), "window start", true);
        space.window_end_ns = duration_of(*bounds->get(1), "window end", false);
        if (space.window_end_ns <= space.window_begin_ns)
            fail(line_of(*window), "window = [" + exact_duration(space.window_begin_ns) + ", " +
                                       exact_duration(space.window_end_ns) + "] ends before it starts");

        if (auto count = integer(*table, "faults_per_run", 1, 1'000'000))
            space.faults_per_run = static_cast<uint32_t>(*count);

        // Without a bound in virtual time, a run whose workload never finishes
        // would go on as long as anything ticks (the reincarnation server's
        // heartbeats do), and only the wall-clock watchdog could stop it.
        const std::optional<uint64_t>& until = system.until_ns;
        if (!until)
            fail(space.line, "[campaign] needs a bound on each run: add until = \"200ms\" to [scenario] (runs "
                             "still stop early once their workload is done)");
        if (space.window_end_ns > *until)
            fail(line_of(*window), "window ends at " + exact_duration(space.window_end_ns) +
                                       ", after the run stops (until = " + exact_duration(*until) +
                                       "): faults drawn after that could never be injected");
        m_scenario.campaign = std::move(space);
    }

    // A required, non-empty array of strings; `example` shows what one looks like.
    std::vector<const toml::node*> string_array(const toml::table& table, std::string_view key,
                                                std::string_view example) const {
        const toml::node* node = table.get(key);
        if (node == nullptr)
            fail(line_of(table), "[campaign] has no " + std::string(key) + " (add " + std::string(example) + ")");
        const toml::array* items = node->as_array();
        if (items == nullptr) fail_type(*node, key, "an array of strings, e.g. " + std::string(example));
        if (items->empty()) fail(line_of(*node), std::string(key) + " must not be empty");
        std::vector<const toml::node*> strings;
        for (const toml::node& item : *items) {
            if (!item.is_string()) fail_type(item, std::string(key) + " entries", "strings");
            strings.push_back(&item);
        }
        return strings;
    }

    // `what` names a process of the system: say which system, and what was meant.
    void check_process_name(const std::string& name, uint32_t line, std::string_view what) const {
        const SystemDescription& system = m_scenario.system;
        if (find_process(system, name)) return;
        std::vector<std::string> names;
        bool is_group = false;
        for (const ProcessDescription& process : system.processes) {
            names.push_back(process.name);
            is_group = is_group || process.group == name;
        }
        std::string problem = std::string(what) + " '" + name + "' is not a process of system '" + system.name +
                              "' (" + m_scenario.system_path + ")";
        if (is_group) {
            problem += "; '" + name + "' is a group of replicas, name one of them, e.g. '" + name + ".0'";
        } else if (const std::string closest = closest_to(name, names); !closest.empty()) {
            problem += "; did you mean '" + closest + "'?";
        } else {
            problem += " (its processes: " + join(names, ", ") + ")";
        }
        fail(line, problem);
    }

    void check_device_name(const std::string& name, uint32_t line, const std::string& kind) const {
        const SystemDescription& system = m_scenario.system;
        std::vector<std::string> names;
        for (const DeviceDescription& device : system.devices) {
            if (device.name == name) return;
            names.push_back(device.name);
        }
        std::string problem = "kind " + kind + " strikes a device, and '" + name + "' is not a [[device]] of system '" +
                              system.name + "' (" + m_scenario.system_path + ")";
        if (names.empty())
            problem += ", which has none";
        else if (const std::string closest = closest_to(name, names); !closest.empty())
            problem += "; did you mean '" + closest + "'?";
        else
            problem += " (its devices: " + join(names, ", ") + ")";
        fail(line, problem);
    }

    // ---- [expect] ----

    void read_expectations(const toml::table& root) {
        const toml::node* node = root.get("expect");
        if (node == nullptr) return;
        const toml::table* table = node->as_table();
        if (table == nullptr) fail_type(*node, "expect", "a table ([expect])");
        reject_unknown_keys(*table, "[expect]",
                            {"completes", "recovery_within", "may_restart", "restarts_max", "device_events"});
        ScenarioExpectations& expect = m_scenario.expect;

        if (auto completes = boolean(*table, "completes")) {
            expect.completes = *completes;
            expect.completes_line = line_of_key(*table, "completes");
        }
        if (auto within = duration_ns(*table, "recovery_within", false)) {
            expect.recovery_within_ns = within;
            expect.recovery_within_line = line_of_key(*table, "recovery_within");
            check_recovery_is_checkable(expect.recovery_within_line);
        }
        if (const toml::node* may_restart = table->get("may_restart")) {
            expect.may_restart_line = line_of(*may_restart);
            require_reincarnation_server("may_restart", expect.may_restart_line);
            const toml::array* names = may_restart->as_array();
            if (names == nullptr) fail_type(*may_restart, "may_restart", "an array of process names");
            std::vector<std::string> processes;
            for (const toml::node& item : *names) {
                const auto* name = item.as_string();
                if (name == nullptr) fail_type(item, "may_restart entries", "strings (process names)");
                check_process_name(name->get(), line_of(item), "may_restart entry");
                processes.push_back(name->get());
            }
            expect.may_restart = std::move(processes);
        }
        if (auto restarts_max = integer(*table, "restarts_max", 0, std::numeric_limits<uint32_t>::max())) {
            expect.restarts_max = static_cast<uint32_t>(*restarts_max);
            expect.restarts_max_line = line_of_key(*table, "restarts_max");
            require_reincarnation_server("restarts_max", expect.restarts_max_line);
        }
        if (const toml::node* events = table->get("device_events")) {
            expect.device_events_line = line_of(*events);
            const toml::array* list = events->as_array();
            if (list == nullptr) fail_type(*events, "device_events", "an array of event names (\"panicked\", \"eth0: ...\")");
            std::vector<std::string> names;
            for (const toml::node& item : *list) {
                const auto* name = item.as_string();
                if (name == nullptr) fail_type(item, "device_events entries", "strings");
                const std::string text = name->get();
                if (text.empty()) fail(line_of(item), "device_events entry is empty");
                // "device: what" must name a device of the system.
                if (const size_t colon = text.find(": "); colon != std::string::npos) {
                    const std::string device = text.substr(0, colon);
                    const auto& devices = m_scenario.system.devices;
                    if (std::none_of(devices.begin(), devices.end(),
                                     [&](const DeviceDescription& d) { return d.name == device; }))
                        fail(line_of(item), "device_events entry '" + text + "': system '" + m_scenario.system.name +
                                                "' has no device '" + device + "'");
                }
                names.push_back(text);
            }
            if (m_scenario.system.devices.empty() && !names.empty())
                fail(expect.device_events_line, "device_events cannot happen: system '" + m_scenario.system.name +
                                                    "' has no devices");
            expect.device_events = std::move(names);
        }
    }

    // Only the reincarnation server restarts processes: without it, every
    // restart expectation is decided before the run.
    void require_reincarnation_server(std::string_view key, uint32_t line) const {
        const SystemDescription& system = m_scenario.system;
        if (reincarnation_server(system)) return;
        fail(line, std::string(key) + " cannot be checked: system '" + system.name + "' (" + m_scenario.system_path +
                       ") has no reincarnation server, so nothing ever restarts (" + how_to_add_reincarnation_server() +
                       " and a [process.restart] table for each process it should restart)");
    }

    void check_recovery_is_checkable(uint32_t line) const {
        require_reincarnation_server("recovery_within", line);
        const SystemDescription& system = m_scenario.system;
        // Every process fault the scenario may inject: its own, and those its
        // [campaign] may draw (each process kind with each process target).
        struct PossibleFault {
            FaultSpec::Kind kind;
            std::string target;
            std::string fault;  // how messages name it: "the fault of line 3" ...
            std::string hang;   // ... and "the hang of line 3"
        };
        std::vector<PossibleFault> possible;
        for (const FaultSpec& fault : m_scenario.faults)
            possible.push_back({fault.kind, fault.target, fmt::format("the fault of line {}", fault.line),
                                fmt::format("the hang of line {}", fault.line)});
        if (const std::optional<CampaignSpace>& campaign = m_scenario.campaign)
            for (FaultSpec::Kind kind : campaign->kinds)
                for (const std::string& target : campaign->process_targets)
                    possible.push_back({kind, target, fmt::format("the faults [campaign] (line {}) draws", campaign->line),
                                        fmt::format("the hangs [campaign] (line {}) draws", campaign->line)});
        // A device fault may be absorbed by its driver's retries: no restart
        // is owed for it, so only process faults are held to the bound.
        std::erase_if(possible, [](const PossibleFault& fault) { return FaultSpec::targets_device(fault.kind); });
        if (possible.empty())
            fail(line, "recovery_within cannot be checked: the scenario injects no faults into processes (add a "
                       "[[fault]] table with kind crash, bad_pointer or hang)");
        for (const PossibleFault& fault : possible) {
            const ProcessDescription& target = *find_process(system, fault.target);
            if (!target.restart.managed)
                fail(line, fmt::format("recovery_within cannot be checked for {}: '{}' has no [process.restart] "
                                       "table in {} (its [[process]] is on line {}), so the reincarnation server "
                                       "does not restart it",
                                       fault.fault, fault.target, m_scenario.system_path, target.line));
            // A hung process is only found out by missing its heartbeats.
            if (fault.kind == FaultSpec::Kind::hang && target.restart.policy.heartbeat_ns == 0)
                fail(line, fmt::format("recovery_within cannot be checked for {}: '{}' has no "
                                       "heartbeat in its [process.restart] table ({}:{}), so a hang is never "
                                       "detected (add heartbeat = \"1ms\")",
                                       fault.hang, fault.target, m_scenario.system_path,
                                       target.restart.line));
        }
    }

    const std::string& m_path;
    const ScenarioOverrides& m_overrides;
    Scenario m_scenario;
};

std::string describe_trigger(const FaultSpec& fault) {
    return fault.after_calls > 0 ? fmt::format("at its call {}", fault.after_calls)
                                 : "at " + exact_duration(fault.at_ns);
}

}  // namespace

std::string watched_process(const Scenario& scenario, const FaultSpec& fault) {
    if (!FaultSpec::targets_device(fault.kind)) return fault.target;
    for (const DeviceDescription& device : scenario.system.devices)
        if (device.name == fault.target) return device.driver;
    return fault.target;
}

Scenario parse_scenario(const std::string& text, const std::string& path, const ScenarioOverrides& overrides) {
    ScenarioReader reader(path, overrides);
    toml::table root;
    try {
        root = toml::parse(std::string_view(text), std::string_view(path));
    } catch (const toml::parse_error& error) {
        reader.fail(error.source().begin.line, "TOML syntax error: " + std::string(error.description()));
    }
    return reader.read(root);
}

Scenario load_scenario(const std::string& path, const ScenarioOverrides& overrides) {
    return parse_scenario(read_input_file(path, description_bytes_max, "scenario"), path, overrides);
}

RunOptions scenario_run_options(const Scenario& scenario, RunOptions options) {
    options.faults = scenario.faults;
    options.parallel = false;
    return options;
}

std::string exact_duration(uint64_t ns) {
    if (ns == 0) return "0ns";
    if (ns % 1'000'000'000 == 0) return fmt::format("{}s", ns / 1'000'000'000);
    if (ns % 1'000'000 == 0) return fmt::format("{}ms", ns / 1'000'000);
    if (ns % 1'000 == 0) return fmt::format("{}us", ns / 1'000);
    return fmt::format("{}ns", ns);
}

std::string describe_fault(const FaultSpec& fault) {
    return fmt::format("{} of {}'{}' {}", to_string(fault.kind), FaultSpec::targets_device(fault.kind) ? "device " : "",
                       fault.target, describe_trigger(fault));
}

std::optional<uint64_t> FaultVerdict::detection_latency_ns() const {
    if (!injected || !detected_ns) return std::nullopt;
    return *detected_ns - injected_ns;
}

std::optional<uint64_t> FaultVerdict::recovery_latency_ns() const {
    if (!injected || !recovered_ns) return std::nullopt;
    return *recovered_ns - injected_ns;
}

ScenarioVerdict judge(const Scenario& scenario, const RunReport& report) {
    ScenarioVerdict verdict;
    const ScenarioExpectations& expect = scenario.expect;
    auto fail = [&verdict](std::string line) { verdict.failures.push_back(std::move(line)); };
    auto where = [](uint32_t line) { return line ? fmt::format(" (line {})", line) : std::string(); };

    if (expect.completes && !report.ok) {
        for (const std::string& failure : report.failures)
            fail("completes = true" + where(expect.completes_line) + ": " + failure);
    }
    if (!expect.completes && report.ok)
        fail("completes = false" + where(expect.completes_line) +
             ": the run completed, every process met its expectation");

    for (size_t i = 0; i < scenario.faults.size(); ++i) {
        FaultVerdict fault;
        fault.spec = scenario.faults[i];
        if (i < report.faults.size()) {
            fault.injected = report.faults[i].injected;
            fault.injected_ns = report.faults[i].injected_ns;
        }
        const std::string name = fmt::format("fault of line {} ({})", fault.spec.line, describe_fault(fault.spec));
        const bool on_device = FaultSpec::targets_device(fault.spec.kind);
        // A device fault shows in its driver: its death and restart, if it comes to that.
        const std::string watched = watched_process(scenario, fault.spec);
        // A fault drawn by a campaign may find its target down, or come after
        // the workload is done: the draw missed, the system did not fail.
        const bool drawn = i >= scenario.faults.size() - std::min(scenario.drawn_faults, scenario.faults.size());
        if (!fault.injected && drawn) {
            verdict.faults.push_back(std::move(fault));
            continue;
        }
        if (!fault.injected) {
            // Why not: the target was gone by then, or never got that far.
            std::string why = fault.spec.after_calls > 0
                                  ? fmt::format("the run ended at {} ns before '{}' reached its call {}",
                                                report.virtual_ns, fault.spec.target, fault.spec.after_calls)
                                  : fmt::format("the run ended at {} ns, before the fault's time", report.virtual_ns);
            if (on_device && report.virtual_ns >= fault.spec.at_ns)
                why = fmt::format("device '{}' had nothing for it to act on at that time", fault.spec.target);
            for (const LifecycleEvent& event : report.lifecycle)
                if (!on_device && event.process == watched && event.what == LifecycleEvent::What::died) {
                    why = fmt::format("'{}' had {} at {} ns", watched, to_string(event.state), event.time_ns);
                    break;
                }
            fail(name + ": never injected: " + why);
            verdict.faults.push_back(std::move(fault));
            continue;
        }
        size_t death = report.lifecycle.size();
        for (size_t e = 0; e < report.lifecycle.size(); ++e) {
            const LifecycleEvent& event = report.lifecycle[e];
            if (event.process == watched && event.what == LifecycleEvent::What::died &&
                event.time_ns >= fault.injected_ns) {
                death = e;
                fault.detected_ns = event.time_ns;
                break;
            }
        }
        for (size_t e = death + 1; e < report.lifecycle.size(); ++e) {
            const LifecycleEvent& event = report.lifecycle[e];
            if (event.process == watched && event.what == LifecycleEvent::What::restarted) {
                fault.recovered_ns = event.time_ns;
                break;
            }
        }
        if (expect.recovery_within_ns && !on_device) {
            const std::string bound = "recovery_within = " + exact_duration(*expect.recovery_within_ns) +
                                      where(expect.recovery_within_line);
            if (!fault.detected_ns)
                fail(fmt::format("{}: '{}' never died after the injection at {} ns, so it was never restarted; {}",
                                 name, fault.spec.target, fault.injected_ns, bound));
            else if (!fault.recovered_ns)
                fail(fmt::format("{}: '{}' died at {} ns and was never restarted; {}", name, fault.spec.target,
                                 *fault.detected_ns, bound));
            else if (*fault.recovery_latency_ns() > *expect.recovery_within_ns)
                fail(fmt::format("{}: '{}' was restarted {} ns after the injection; {}", name, fault.spec.target,
                                 *fault.recovery_latency_ns(), bound));
        }
        verdict.faults.push_back(std::move(fault));
    }

    uint64_t restarts = 0;
    for (const ProcessReport& process : report.processes) {
        restarts += process.restarts;
        if (!expect.may_restart || process.restarts == 0) continue;
        const std::vector<std::string>& allowed = *expect.may_restart;
        if (std::find(allowed.begin(), allowed.end(), process.name) != allowed.end()) continue;
        fail(fmt::format("'{}' was restarted {} time{}; may_restart{} allows only: {}", process.name,
                         process.restarts, process.restarts == 1 ? "" : "s", where(expect.may_restart_line),
                         allowed.empty() ? std::string("(none)") : join(allowed, ", ")));
    }
    if (expect.restarts_max && restarts > *expect.restarts_max)
        fail(fmt::format("{} restarts in all; restarts_max = {}{}", restarts, *expect.restarts_max,
                         where(expect.restarts_max_line)));
    if (expect.device_events) {
        const std::vector<std::string>& wanted = *expect.device_events;
        std::vector<std::string> seen;
        bool match = report.device_events.size() == wanted.size();
        for (size_t i = 0; i < report.device_events.size(); ++i) {
            const DeviceEventReport& event = report.device_events[i];
            seen.push_back(fmt::format("{}: {} at {}", event.device, event.what, exact_duration(event.time_ns)));
            if (i < wanted.size() && wanted[i] != event.what && wanted[i] != event.device + ": " + event.what)
                match = false;
        }
        if (!match)
            fail(fmt::format("device events were [{}]; device_events{} wants [{}]", join(seen, ", "),
                             where(expect.device_events_line), join(wanted, ", ")));
    }

    verdict.passed = verdict.failures.empty();
    return verdict;
}

}  // namespace axl::sim
