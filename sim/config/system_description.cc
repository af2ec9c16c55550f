// Reading and validating system descriptions (format: docs/system-description.md).
//
// The rule is "nothing runs half-configured": every problem a description can
// have is found here, before anything boots, and reported as
// "path:line: problem" pointing at the value (or key, or table) to fix. Command
// line overrides are applied first and then validated like the file's own
// values, so `--cpus 2` against a `cpu = 3` pin blames the pin's line.
#include "sim/config/system_description.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <limits>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "ipc_strategies/strategy_factory.h"
#include "kernel/api/calls.h"
#include "kernel/config.h"
#include "hw/block.h"
#include "hw/nic.h"
#include "hw/timer.h"
#include "hw/uart_16550.h"
#include "sim/port/program_registry.h"
#include "sim/config/toml_support.h"

namespace axl::sim {
namespace {

using namespace toml_support;

constexpr uint64_t kib = 1024;
constexpr uint64_t mib = 1024 * kib;
constexpr uint64_t stack_bytes_min = 16 * kib;
constexpr uint64_t stack_bytes_max = 64 * mib;
constexpr uint8_t default_priority = 8;
// The kernel keeps the first privilege structures for itself (as MINIX does for
// its kernel tasks); every described process needs one of the others.
constexpr uint32_t reserved_privileges = 3;
constexpr uint32_t process_privileges_max = config::privilege_slots_max - reserved_privileges;

// ---- numbers with units ------------------------------------------------------------

std::string in_quotes(std::string_view text) { return "\"" + std::string(text) + "\""; }

struct NumberWithUnit {
    uint64_t number;
    std::string_view unit;  // whatever follows the digits, possibly empty
};

// "64KiB" -> {64, "KiB"}. Only plain decimal digits: a fraction such as
// "0.5ms" is refused rather than rounded, so the value in the file is exact.
NumberWithUnit split_number_and_unit(std::string_view text) {
    if (text.empty()) throw std::invalid_argument("empty value");
    uint64_t number = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (error == std::errc::result_out_of_range)
        throw std::invalid_argument(in_quotes(text) + " is too large");
    if (error != std::errc{} || end == text.data())
        throw std::invalid_argument(in_quotes(text) + " does not start with a non-negative whole number");
    std::string_view unit(end, static_cast<size_t>(text.data() + text.size() - end));
    // "10 ms" reads as well as "10ms"; both mean the same.
    while (unit.starts_with(' ')) unit.remove_prefix(1);
    if (!unit.empty() && (unit.front() == '.' || unit.front() == ','))
        throw std::invalid_argument(in_quotes(text) + " has a fraction; use a smaller unit instead");
    return {number, unit};
}

uint64_t scale_or_throw(uint64_t number, uint64_t scale, std::string_view text) {
    if (number > std::numeric_limits<uint64_t>::max() / scale)
        throw std::invalid_argument(in_quotes(text) + " is too large");
    return number * scale;
}

// Sizes use binary units only: "KB" would leave readers guessing 1000 or 1024.
uint64_t parse_size_bytes(std::string_view text) {
    auto [number, unit] = split_number_and_unit(text);
    if (unit.empty() || unit == "B") return number;
    if (unit == "KiB") return scale_or_throw(number, kib, text);
    if (unit == "MiB") return scale_or_throw(number, mib, text);
    throw std::invalid_argument(in_quotes(text) + " has an unknown unit '" + std::string(unit) +
                                "' (use B, KiB or MiB)");
}

// ---- small helpers for messages --------------------------------------------------





std::vector<std::string> primitive_names() {
    std::vector<std::string> names;
    for (uint32_t i = 0; i < primitive_count; ++i) names.emplace_back(to_string(static_cast<Primitive>(i)));
    return names;
}

std::vector<std::string> kernel_call_names() {
    std::vector<std::string> names;
    for (uint32_t i = 0; i < kernel_call_count; ++i) names.emplace_back(to_string(static_cast<KernelCall>(i)));
    return names;
}

bool is_valid_process_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
}

// ---- the reader ---------------------------------------------------------------------

// One [[process]] table: where in the file each cross-checked value came
// from, so problems found only after every process is read (pins vs cpus,
// destinations) still point at it, and which processes it became (one, or
// `replicas` of them, all alike but for name and arguments).
struct TableSource {
    std::string name;              // the process's name, or its group's when replicated
    uint32_t line = 0;             // of the [[process]] table itself
    uint32_t name_line = 0;
    uint32_t replicas_line = 0;    // 0 = not replicated
    uint32_t cpu = 0;
    uint32_t dedicated_cpu = 0;
    std::vector<uint32_t> destinations;  // parallel to ProcessDescription::destinations
    size_t first = 0;              // its first process in SystemDescription::processes
    size_t count = 1;              // its processes: replicas, or 1

    bool replicated() const { return replicas_line != 0; }
    // "process 'x'" / "every replica of 'x'": the subject of a sentence about it.
    std::string subject() const {
        return (replicated() ? "every replica of '" : "process '") + name + "'";
    }
};

// Who a name belongs to: a table (a process's or a replicated group's name),
// or one replica of a replicated table ("<group>.<replica>").
struct NameUse {
    size_t table = 0;     // index into the reader's tables
    int64_t replica = -1; // -1: the table's own name
};

// The one placeholder of replicated tables' string arguments.
constexpr std::string_view replica_placeholder = "{replica}";

bool is_identifier_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Every "{word}" in `text` (word: letters, digits, '_'), in order. Other
// braces are plain text.
std::vector<std::string_view> placeholders_in(std::string_view text) {
    std::vector<std::string_view> found;
    for (size_t open = text.find('{'); open != std::string_view::npos; open = text.find('{', open + 1)) {
        size_t end = open + 1;
        while (end < text.size() && is_identifier_char(text[end])) ++end;
        if (end < text.size() && text[end] == '}' && end > open + 1) found.push_back(text.substr(open, end + 1 - open));
    }
    return found;
}

std::string replace_all(std::string text, std::string_view what, std::string_view with) {
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + with.size()))
        text.replace(at, what.size(), with);
    return text;
}

class DescriptionReader : public Reader {
public:
    DescriptionReader(const std::string& path, const DescriptionOverrides& overrides)
        : Reader(path), m_path(path), m_overrides(overrides) {}

    SystemDescription read(const toml::table& root) {
        m_system.path = m_path;
        reject_unknown_keys(root, "the top level", {"system", "process", "device"});
        read_system(root);
        apply_overrides();
        read_processes(root);
        check_destinations();
        check_cpu_placement();
        read_devices(root);
        wire_reincarnation_server();
        return std::move(m_system);
    }

private:
    // ---- typed access beyond toml_support::Reader's ----

    // An integer is nanoseconds; a string may carry a unit ("10us").
    std::optional<uint64_t> duration_ns(const toml::table& table, std::string_view key) const {
        const toml::node* node = table.get(key);
        if (node == nullptr) return std::nullopt;
        uint64_t ns = 0;
        if (const auto* integer_value = node->as_integer()) {
            if (integer_value->get() < 0)
                fail(line_of(*node), std::string(key) + " must not be negative");
            ns = static_cast<uint64_t>(integer_value->get());
        } else if (const auto* string_value = node->as_string()) {
            try {
                ns = parse_duration_ns(string_value->get());
            } catch (const std::invalid_argument& reason) {
                fail(line_of(*node), std::string(key) + ": " + reason.what());
            }
        } else {
            fail_type(*node, key, "a duration (integer nanoseconds or a string such as \"10us\")");
        }
        if (ns == 0) fail(line_of(*node), std::string(key) + " must be longer than 0");
        return ns;
    }

    std::optional<uint64_t> size_bytes(const toml::table& table, std::string_view key, uint64_t min,
                                       uint64_t max) const {
        const toml::node* node = table.get(key);
        if (node == nullptr) return std::nullopt;
        uint64_t bytes = 0;
        if (const auto* integer_value = node->as_integer()) {
            if (integer_value->get() < 0) fail(line_of(*node), std::string(key) + " must not be negative");
            bytes = static_cast<uint64_t>(integer_value->get());
        } else if (const auto* string_value = node->as_string()) {
            try {
                bytes = parse_size_bytes(string_value->get());
            } catch (const std::invalid_argument& reason) {
                fail(line_of(*node), std::string(key) + ": " + reason.what());
            }
        } else {
            fail_type(*node, key, "a size (integer bytes or a string such as \"64KiB\")");
        }
        if (bytes < min || bytes > max)
            fail(line_of(*node), std::string(key) + " = " + std::to_string(bytes) + " bytes is out of range " +
                                     std::to_string(min / kib) + "KiB.." + std::to_string(max / mib) + "MiB");
        return bytes;
    }

    // An array of strings, each handed to `element` with its own node (for its line).
    template <typename OnElement>
    bool for_each_string(const toml::table& table, std::string_view key, OnElement&& element) const {
        const toml::node* node = table.get(key);
        if (node == nullptr) return false;
        const toml::array* array = node->as_array();
        if (array == nullptr) fail_type(*node, key, "an array of strings");
        for (const toml::node& item : *array) {
            const auto* value = item.as_string();
            if (value == nullptr) fail_type(item, std::string(key) + " entries", "strings");
            element(value->get(), item);
        }
        return true;
    }

    // ---- [system] ----

    void read_system(const toml::table& root) {
        const toml::node* node = root.get("system");
        if (node == nullptr) fail(std::max(line_of(root), 1u), "missing [system] table");
        const toml::table* system = node->as_table();
        if (system == nullptr) fail_type(*node, "system", "a table ([system])");
        m_system_line = line_of(*system);
        reject_unknown_keys(*system, "[system]", {"name", "cpus", "ipc", "ring_capacity", "seed", "until"});

        if (auto name = string(*system, "name")) {
            if (name->empty()) fail(line_of(*system->get("name")), "name must not be empty");
            m_system.name = *name;
        } else {
            // The file stem is what people call a system anyway ("pingpong.toml").
            m_system.name = std::filesystem::path(m_path).stem().string();
            if (m_system.name.empty()) m_system.name = "system";
        }

        if (auto cpus = integer(*system, "cpus", 1, config::cpus_max)) {
            m_system.cpus = static_cast<uint32_t>(*cpus);
            m_cpus_line = line_of(*system->get("cpus"));
        }

        if (auto ipc = string(*system, "ipc")) {
            auto kind = parse_ipc_strategy(*ipc);
            if (!kind)
                fail(line_of(*system->get("ipc")),
                     "unknown ipc strategy '" + *ipc + "' (expected " + strategy_names() + ")");
            m_system.ipc = *kind;
        }

        if (auto capacity = integer(*system, "ring_capacity", 1, config::ring_capacity_max)) {
            if ((*capacity & (*capacity - 1)) != 0)
                fail(line_of(*system->get("ring_capacity")),
                     "ring_capacity must be a power of two (got " + std::to_string(*capacity) + ")");
            m_system.ring_capacity = static_cast<uint32_t>(*capacity);
        }

        if (auto seed_value = seed(*system)) m_system.seed = *seed_value;

        m_system.until_ns = duration_ns(*system, "until");
    }

    // Overrides come from the command line, not the file: their problems are
    // reported on line 0, the "whole file" line.
    void apply_overrides() {
        if (m_overrides.ipc) m_system.ipc = *m_overrides.ipc;
        if (m_overrides.seed) m_system.seed = *m_overrides.seed;
        if (m_overrides.ring_capacity) {
            const uint32_t capacity = *m_overrides.ring_capacity;
            if (capacity < 1 || capacity > config::ring_capacity_max || (capacity & (capacity - 1)) != 0)
                fail(0, "--ring-capacity " + std::to_string(capacity) + " must be a power of two in 1.." +
                            std::to_string(config::ring_capacity_max));
            m_system.ring_capacity = capacity;
        }
        if (m_overrides.cpus) {
            uint32_t cpus = *m_overrides.cpus;
            if (cpus < 1 || cpus > config::cpus_max)
                fail(0, "--cpus " + std::to_string(cpus) + " is out of range 1.." +
                            std::to_string(config::cpus_max));
            m_system.cpus = cpus;
            m_cpus_overridden = true;
        }
        if (m_overrides.until_ns) {
            if (*m_overrides.until_ns == 0) fail(0, "--until must be longer than 0");
            m_system.until_ns = m_overrides.until_ns;
        }
    }

    // ---- [[process]] ----

    void read_processes(const toml::table& root) {
        const toml::node* node = root.get("process");
        if (node == nullptr)
            fail(m_system_line, "no processes: a system needs at least one [[process]] table");
        const toml::array* processes = node->as_array();
        if (processes != nullptr && processes->empty())
            fail(line_of(*node), "no processes: a system needs at least one [[process]] table");
        if (processes == nullptr || !processes->is_array_of_tables())
            fail(line_of(*node), "process must be an array of tables: write each one as [[process]]");

        // Checked before reading any process, and blamed on the first one that
        // does not fit, so a huge generated file fails fast.
        if (processes->size() > config::process_slots_max)
            fail(line_of(*processes->get(config::process_slots_max)),
                 "too many processes: " + std::to_string(processes->size()) +
                     ", the kernel process table holds " + std::to_string(config::process_slots_max) +
                     " (config::process_slots_max)");
        if (processes->size() > process_privileges_max)
            fail(line_of(*processes->get(process_privileges_max)),
                 "too many [[process]] tables: " + std::to_string(processes->size()) +
                     ", each needs its own privilege structure and the kernel has " +
                     std::to_string(process_privileges_max) +
                     " for processes (config::privilege_slots_max - " + std::to_string(reserved_privileges) +
                     "); the replicas of one table share one, so write many alike processes as "
                     "one table with replicas = N");

        m_tables.reserve(processes->size());
        for (const toml::node& element : *processes) read_process(*element.as_table());
    }

    void read_process(const toml::table& table) {
        reject_unknown_keys(table, "[[process]]",
                            {"name", "program", "replicas", "priority", "cpu", "dedicated_cpu", "quantum",
                             "stack", "primitives", "kernel_calls", "destinations", "expect", "args",
                             "restart"});
        ProcessDescription process;
        TableSource source;
        process.line = source.line = line_of(table);
        const size_t table_index = m_tables.size();

        auto name = string(table, "name");
        if (!name) fail(process.line, "process has no name (add name = \"...\")");
        source.name = *name;
        source.name_line = line_of(*table.get("name"));
        check_process_name(*name, source.name_line);
        read_replicas(table, source);
        register_name(*name, source, table_index, -1);
        process.name = *name;

        auto program = string(table, "program");
        if (!program) fail(process.line, "process '" + process.name + "' has no program (add program = \"...\")");
        if (find_program(*program) == nullptr)
            fail(line_of(*table.get("program")),
                 "unknown program '" + *program + "' (`axl list` shows the registered programs)");
        process.program = *program;

        if (auto priority = integer(table, "priority", 0, config::priority_levels - 1))
            process.priority = static_cast<uint8_t>(*priority);
        else
            process.priority = default_priority;

        // Only the hard limit is checked here: whether the CPU exists depends
        // on cpus after overrides (check_cpu_placement).
        if (auto cpu = integer(table, "cpu", 0, config::cpus_max - 1)) {
            process.cpu = static_cast<int32_t>(*cpu);
            source.cpu = line_of(*table.get("cpu"));
        }
        if (auto dedicated = boolean(table, "dedicated_cpu")) {
            process.dedicated_cpu = *dedicated;
            source.dedicated_cpu = line_of(*table.get("dedicated_cpu"));
            if (*dedicated && process.cpu < 0)
                fail(source.dedicated_cpu, "dedicated_cpu = true needs a pinned cpu (add cpu = N)");
        }

        process.quantum_ns = duration_ns(table, "quantum").value_or(config::default_quantum_ns);
        process.stack_bytes = size_bytes(table, "stack", stack_bytes_min, stack_bytes_max).value_or(64 * kib);
        process.primitives = read_primitives(table);
        process.kernel_calls = read_kernel_calls(table);
        read_destinations(table, process, source);
        process.expect = read_expectation(table);
        process.args = read_args(table, source);
        read_restart_policy(table, process);

        if (source.replicated() && source.count > 1) {
            // Replicas share one privilege structure, and a notification names
            // its source by privilege: the kernel refuses notify from a shared one.
            if (process.primitives & bit(Primitive::notify))
                fail(line_of(*table.get("primitives")),
                     "replicas = " + std::to_string(source.count) +
                         " processes share one privilege structure, and the kernel lets only a process that holds "
                         "its privilege alone notify; remove notify (\"all\" includes it) or use replicas = 1");
            if (process.dedicated_cpu)
                fail(source.dedicated_cpu, "dedicated_cpu = true cannot be shared by " +
                                               std::to_string(source.count) +
                                               " replicas: a dedicated cpu runs one process (pin them with cpu "
                                               "alone, or use replicas = 1)");
        }

        m_tables.push_back(std::move(source));
        if (m_tables.back().replicated())
            add_replicas(std::move(process), table_index);
        else
            m_system.processes.push_back(std::move(process));
    }

    // replicas = N: the table describes N processes. Checked here, before the
    // rest of the table: the names it implies and the process table's room.
    void read_replicas(const toml::table& table, TableSource& source) const {
        source.first = m_system.processes.size();
        auto replicas = integer(table, "replicas", 1, config::process_slots_max);
        if (replicas) {
            source.replicas_line = line_of(*table.get("replicas"));
            source.count = static_cast<size_t>(*replicas);
            const std::string last = source.name + "." + std::to_string(source.count - 1);
            if (last.size() > config::process_name_bytes - 1)
                fail(source.name_line, "process name '" + source.name + "' with replicas = " +
                                           std::to_string(source.count) + " (line " +
                                           std::to_string(source.replicas_line) + ") gives names up to '" + last +
                                           "', " + std::to_string(last.size()) +
                                           " characters; names must be 1.." +
                                           std::to_string(config::process_name_bytes - 1) +
                                           " characters long (config::process_name_bytes - 1)");
        }
        if (source.first + source.count > config::process_slots_max) {
            const std::string these =
                source.replicated() ? " and " + std::to_string(source.count) + " replicas here" : " and this one";
            fail(source.replicated() ? source.replicas_line : source.line,
                 "too many processes: " + std::to_string(source.first) + " before this table" + these + " make " +
                     std::to_string(source.first + source.count) + ", the kernel process table holds " +
                     std::to_string(config::process_slots_max) + " (config::process_slots_max)");
        }
    }

    // The N processes of a replicated table: "<group>.<i>", each with the
    // integer argument replica = i and "{replica}" in its string arguments
    // replaced by i. Everything else, privileges included, is the table's.
    void add_replicas(ProcessDescription&& prototype, size_t table_index) {
        const TableSource& source = m_tables[table_index];
        std::vector<std::string> templated;  // argument keys whose strings hold {replica}
        for (const auto& [key, value] : prototype.args) {
            const auto* text = std::get_if<std::string>(&value);
            if (text != nullptr && text->find(replica_placeholder) != std::string::npos) templated.push_back(key);
        }
        prototype.group = source.name;
        for (size_t i = 0; i < source.count; ++i) {
            ProcessDescription replica = prototype;
            const std::string index = std::to_string(i);
            replica.name = source.name + "." + index;
            replica.replica = static_cast<int32_t>(i);
            for (const std::string& key : templated) {
                std::string& text = std::get<std::string>(replica.args.at(key));
                text = replace_all(std::move(text), replica_placeholder, index);
            }
            replica.args.emplace("replica", static_cast<int64_t>(i));
            register_name(replica.name, source, table_index, static_cast<int64_t>(i));
            m_system.processes.push_back(std::move(replica));
        }
    }

    // Process names and the names of replicated tables share one namespace:
    // destinations and lookups could not tell them apart otherwise.
    void register_name(const std::string& name, const TableSource& source, size_t table_index, int64_t replica) {
        auto [found, inserted] = m_names.try_emplace(name, NameUse{table_index, replica});
        if (inserted) return;
        const NameUse& earlier = found->second;
        const TableSource& other = m_tables[earlier.table];  // always an earlier table
        const std::string where = "line " + std::to_string(other.name_line);
        if (replica < 0 && earlier.replica < 0)
            fail(source.name_line, "duplicate process name '" + name + "' (first used on " + where + ")");
        if (replica < 0)
            fail(source.name_line, "process name '" + name + "' is already the name of replica " +
                                       std::to_string(earlier.replica) + " of '" + other.name + "' (" + where + ")");
        fail(source.name_line, "replica " + std::to_string(replica) + " of '" + source.name + "' would be named '" +
                                   name + "', which is already used on " + where);
    }

    // Names end up in the kernel's fixed name field and on command lines and
    // trace files, hence the short, shell- and file-name-safe alphabet.
    void check_process_name(const std::string& name, uint32_t line) const {
        if (name.empty() || name.size() > config::process_name_bytes - 1)
            fail(line, "process name '" + name + "' must be 1.." + std::to_string(config::process_name_bytes - 1) +
                           " characters long");
        if (!std::all_of(name.begin(), name.end(), is_valid_process_name_char))
            fail(line, "process name '" + name + "' may only contain letters, digits, '_', '.' and '-'");
    }

    uint32_t read_primitives(const toml::table& table) const {
        uint32_t mask = 0;
        bool present = for_each_string(table, "primitives", [&](const std::string& name, const toml::node& item) {
            if (name == "all") {
                mask |= all_primitives;
                return;
            }
            for (uint32_t i = 0; i < primitive_count; ++i)
                if (name == to_string(static_cast<Primitive>(i))) {
                    mask |= bit(static_cast<Primitive>(i));
                    return;
                }
            fail(line_of(item), "unknown primitive '" + name + "' (expected " + join(primitive_names(), ", ") +
                                    " or all)");
        });
        // Without a word in the file a process may only call servers and wait
        // for their answer: the MINIX user-process default.
        return present ? mask : bit(Primitive::sendrec);
    }

    uint32_t read_kernel_calls(const toml::table& table) const {
        uint32_t mask = 0;
        bool present = for_each_string(table, "kernel_calls", [&](const std::string& name, const toml::node& item) {
            if (name == "all") {
                mask |= all_kernel_calls;
                return;
            }
            if (name == "default") {
                mask |= default_kernel_calls;
                return;
            }
            for (uint32_t i = 0; i < kernel_call_count; ++i)
                if (name == to_string(static_cast<KernelCall>(i))) {
                    mask |= bit(static_cast<KernelCall>(i));
                    return;
                }
            fail(line_of(item), "unknown kernel call '" + name + "' (expected " +
                                    join(kernel_call_names(), ", ") + ", default or all)");
        });
        return present ? mask : default_kernel_calls;
    }

    // Names are only collected here; whether they exist is known once every
    // process is read (a process may name one further down the file).
    void read_destinations(const toml::table& table, ProcessDescription& process, TableSource& lines) const {
        for_each_string(table, "destinations", [&](const std::string& name, const toml::node& item) {
            bool wildcard = name == "*";
            if (wildcard || process.all_destinations) {
                if (process.all_destinations || !process.destinations.empty())
                    fail(line_of(item), "'*' (any destination) must be the only entry of destinations");
                process.all_destinations = true;
                return;
            }
            if (std::find(process.destinations.begin(), process.destinations.end(), name) !=
                process.destinations.end())
                fail(line_of(item), "destination '" + name + "' is listed twice");
            process.destinations.push_back(name);
            lines.destinations.push_back(line_of(item));
        });
    }

    Expectation read_expectation(const toml::table& table) const {
        auto expect = string(table, "expect");
        if (!expect || *expect == "exit") return Expectation::exit;
        if (*expect == "serve") return Expectation::serve;
        if (*expect == "fault") return Expectation::fault;
        fail(line_of(*table.get("expect")), "unknown expect '" + *expect + "' (expected exit, serve or fault)");
    }

    // Arguments are opaque to the simulator; the program reads them by name.
    // Only integers and strings cross the kernel API, so nothing else is allowed.
    // (Integers beyond int64 never get here: the TOML parser refuses them.)
    // In a replicated table "{replica}" in a string stands for the replica's
    // index (add_replicas replaces it) and "replica" is not the file's to set.
    std::map<std::string, ArgValue> read_args(const toml::table& table, const TableSource& source) const {
        std::map<std::string, ArgValue> args;
        const toml::node* node = table.get("args");
        if (node == nullptr) return args;
        const toml::table* arg_table = node->as_table();
        if (arg_table == nullptr) fail_type(*node, "args", "a table ([process.args])");
        for (auto&& [key, value] : *arg_table) {
            std::string name(key.str());
            if (name == "replica" && source.replicated())
                fail(line_of(key), "args.replica is set for every replica to its index (0.." +
                                       std::to_string(source.count - 1) + "); use another key");
            if (const auto* integer_value = value.as_integer()) {
                args.emplace(name, integer_value->get());
            } else if (const auto* string_value = value.as_string()) {
                check_placeholders(string_value->get(), "args." + name, line_of(value), source);
                args.emplace(name, string_value->get());
            } else {
                fail_type(value, "args." + name, "an integer or a string");
            }
        }
        return args;
    }

    // Refuses what would otherwise silently stay as written: "{replica}"
    // outside a replicated table, and any other "{word}" inside one (a typo).
    void check_placeholders(std::string_view text, const std::string& key, uint32_t line,
                            const TableSource& source) const {
        for (std::string_view placeholder : placeholders_in(text)) {
            if (placeholder == replica_placeholder) {
                if (!source.replicated())
                    fail(line, key + ": \"{replica}\" is replaced only in replicated processes; add replicas = N "
                                     "to the table");
                continue;
            }
            if (!source.replicated()) continue;  // plain text, as it always was
            std::string problem = key + ": unknown placeholder '" + std::string(placeholder) +
                                  "' (replicated processes have one: {replica}, the replica's index)";
            if (edit_distance(placeholder, replica_placeholder) < 3) problem += "; did you mean '{replica}'?";
            fail(line, problem);
        }
    }

    // ---- [process.restart] and the reincarnation server ----

    void read_restart_policy(const toml::table& table, ProcessDescription& process) {
        const toml::node* node = table.get("restart");
        if (node == nullptr) return;
        const toml::table* policy = node->as_table();
        if (policy == nullptr) fail_type(*node, "restart", "a table ([process.restart])");
        reject_unknown_keys(*policy, "[process.restart]",
                            {"heartbeat", "missed", "limit", "backoff", "backoff_max", "with", "notify"});
        ProcessDescription::RestartPolicy& restart = process.restart;
        restart.managed = true;
        restart.line = line_of(*node);
        restart.heartbeat_ns = duration_or_zero(*policy, "heartbeat");
        restart.missed = static_cast<uint32_t>(integer(*policy, "missed", 1, 1000).value_or(3));
        restart.limit = static_cast<uint32_t>(integer(*policy, "limit", 0, 1'000'000).value_or(10));
        restart.backoff_ns = duration_or_zero(*policy, "backoff");
        restart.backoff_max_ns = duration_or_zero(*policy, "backoff_max", restart.backoff_max_ns);
        for_each_string(*policy, "with", [&](const std::string& name, const toml::node& item) {
            m_restart_names.push_back({name, line_of(item)});
            restart.with.push_back(name);
        });
        for_each_string(*policy, "notify", [&](const std::string& name, const toml::node& item) {
            m_restart_names.push_back({name, line_of(item)});
            restart.notify.push_back(name);
        });
    }

    // The process running program "rs" is the reincarnation server: it gets
    // the calls and destinations it needs, and its services' policies as
    // arguments (service_count, service.<i>.name, .heartbeat, .missed, .limit,
    // .backoff, .backoff_max, .with, .notify: names separated by commas).
    // Every managed process may answer it.
    void wire_reincarnation_server() {
        for (const auto& [name, line] : m_restart_names)
            if (m_names.find(name) == m_names.end())
                fail(line, "'" + name + "' in a [process.restart] table is not a process of this system");
        ProcessDescription* server = nullptr;
        for (ProcessDescription& process : m_system.processes)
            if (process.program == "rs") server = &process;
        const ProcessDescription* first_managed = nullptr;
        for (const ProcessDescription& process : m_system.processes)
            if (process.restart.managed && !first_managed) first_managed = &process;
        if (!server) {
            if (first_managed)
                fail(first_managed->restart.line,
                     "process '" + first_managed->name +
                         "' has a [process.restart] table but no process runs the reincarnation server "
                         "(add a [[process]] with program = \"rs\")");
            return;
        }
        if (!server->group.empty())
            fail(server->line, "the reincarnation server must not be replicated");
        server->primitives |= bit(Primitive::receive) | bit(Primitive::sendnb) | bit(Primitive::notify);
        server->kernel_calls |= bit(KernelCall::process_control) | bit(KernelCall::alarm) |
                                bit(KernelCall::lookup) | bit(KernelCall::log) | bit(KernelCall::clock);
        server->all_destinations = true;
        int64_t count = 0;
        auto joined = [](const std::vector<std::string>& names) {
            std::string text;
            for (const std::string& name : names) text += (text.empty() ? "" : ",") + name;
            return text;
        };
        for (ProcessDescription& process : m_system.processes) {
            if (!process.restart.managed) continue;
            if (&process == server) fail(process.restart.line, "the reincarnation server cannot restart itself");
            const ProcessDescription::RestartPolicy& policy = process.restart;
            const std::string key = "service." + std::to_string(count) + ".";
            server->args[key + "name"] = process.name;
            server->args[key + "heartbeat"] = static_cast<int64_t>(policy.heartbeat_ns);
            server->args[key + "missed"] = static_cast<int64_t>(policy.missed);
            server->args[key + "limit"] = static_cast<int64_t>(policy.limit);
            server->args[key + "backoff"] = static_cast<int64_t>(policy.backoff_ns);
            server->args[key + "backoff_max"] = static_cast<int64_t>(policy.backoff_max_ns);
            server->args[key + "with"] = joined(policy.with);
            server->args[key + "notify"] = joined(policy.notify);
            count += 1;
            // It answers the server's pings: rs is one of its destinations.
            if (std::find(process.destinations.begin(), process.destinations.end(), privilege_group(*server)) ==
                    process.destinations.end() &&
                !process.all_destinations)
                process.destinations.push_back(privilege_group(*server));
            process.primitives |= bit(Primitive::sendnb);
        }
        server->args["service_count"] = count;
    }

    // ---- [[device]] ----

    struct DeviceKindInfo {
        DeviceKind kind;
        const char* name;
        uint16_t io_base;  // defaults: free ports of the hosted bus (COM1 for the UART)
        uint16_t io_size;
        uint32_t irq;
        // Its own keys, beyond the common ones. A vector, not an initializer_list: the
        // list's backing array would die with the expression that built the table.
        std::vector<std::string_view> keys;
    };
    static const std::vector<DeviceKindInfo>& device_kinds() {
        static const std::vector<DeviceKindInfo> kinds = {
            {DeviceKind::timer, "timer", 0x1000, hw::timer::io_size, 0, {}},
            {DeviceKind::uart, "uart", 0x3F8, hw::uart::io_size, 4, {"output", "input", "baud", "input_start"}},
            {DeviceKind::block, "block", 0x1100, hw::block::io_size, 14,
             {"file", "scratch", "access_time", "sector_time", "max_sectors"}},
            {DeviceKind::nic, "nic", 0x1200, hw::nic::io_size, 11, {"udp_port", "latency", "record"}},
        };
        return kinds;
    }

    void read_devices(const toml::table& root) {
        const toml::node* node = root.get("device");
        if (node == nullptr) return;
        const toml::array* devices = node->as_array();
        if (devices == nullptr || !devices->is_array_of_tables())
            fail(line_of(*node), "device must be an array of tables: write each one as [[device]]");
        std::unordered_map<std::string, uint32_t> names;        // device name -> line
        std::unordered_map<uint32_t, const DeviceDescription*> irq_users;
        std::unordered_map<std::string, std::string> driven_by;  // driver -> device name
        for (const toml::node& element : *devices) {
            const toml::table& table = *element.as_table();
            DeviceDescription device = read_device(table);
            if (auto [found, inserted] = names.try_emplace(device.name, device.line); !inserted)
                fail(table.get("name") ? line_of(*table.get("name")) : device.line,
                     "duplicate device name '" + device.name + "' (first used on line " +
                                                      std::to_string(found->second) + ")");
            for (const DeviceDescription& other : m_system.devices) {
                const uint32_t end = uint32_t{device.io_base} + device.io_size;
                const uint32_t other_end = uint32_t{other.io_base} + other.io_size;
                if (device.io_base < other_end && other.io_base < end)
                    fail(table.get("io_base") ? line_of(*table.get("io_base")) : device.line,
                         "device '" + device.name + "' registers " + port_range(device.io_base, device.io_size) +
                             " overlap device '" + other.name + "' " + port_range(other.io_base, other.io_size) +
                             " (line " + std::to_string(other.line) + "); set io_base");
            }
            const DeviceDescription* user = nullptr;
            for (const DeviceDescription& other : m_system.devices)
                if (other.irq == device.irq) user = &other;
            if (user)
                fail(table.get("irq") ? line_of(*table.get("irq")) : device.line,
                     "IRQ line " + std::to_string(device.irq) + " of device '" + device.name +
                         "' is already used by device '" + user->name + "' (line " + std::to_string(user->line) +
                         "); IRQ lines are not shared, set irq");
            if (auto [found, inserted] = driven_by.try_emplace(device.driver, device.name); !inserted)
                fail(line_of(*table.get("driver")), "process '" + device.driver + "' already drives device '" +
                                                        found->second + "'; a driver drives one device (start "
                                                        "another driver process for this one)");
            grant_to_driver(device, table);
            m_system.devices.push_back(std::move(device));
        }
    }

    static std::string port_range(uint16_t base, uint16_t size) {
        char text[32];
        std::snprintf(text, sizeof text, "0x%X..0x%X", base, base + size - 1u);
        return text;
    }

    DeviceDescription read_device(const toml::table& table) {
        DeviceDescription device;
        device.line = line_of(table);
        auto kind_name = string(table, "kind");
        if (!kind_name) fail(device.line, "device has no kind (add kind = \"timer\", \"uart\", \"block\" or \"nic\")");
        const DeviceKindInfo* info = nullptr;
        for (const DeviceKindInfo& candidate : device_kinds())
            if (*kind_name == candidate.name) info = &candidate;
        if (info == nullptr)
            fail(line_of(*table.get("kind")),
                 "unknown device kind '" + *kind_name + "' (expected timer, uart, block or nic)");
        std::vector<std::string_view> known = {"name", "kind", "irq", "io_base", "driver", "access"};
        known.insert(known.end(), info->keys.begin(), info->keys.end());
        reject_unknown_keys_list(table, "[[device]] of kind " + *kind_name, known);
        device.kind = info->kind;
        device.io_size = info->io_size;

        auto name = string(table, "name");
        device.name = name ? *name : *kind_name;
        if (name) check_process_name(*name, line_of(*table.get("name")));
        device.irq = static_cast<uint32_t>(integer(table, "irq", 0, config::irq_lines - 1).value_or(info->irq));
        device.io_base = static_cast<uint16_t>(
            integer(table, "io_base", 0, 0x10000 - info->io_size).value_or(info->io_base));

        auto driver = string(table, "driver");
        if (!driver) fail(device.line, "device '" + device.name + "' has no driver (add driver = \"<process name>\")");
        device.driver = *driver;
        auto access = string(table, "access");
        if (access && *access != "kernel" && *access != "direct")
            fail(line_of(*table.get("access")),
                 "unknown access '" + *access + "' (expected kernel: every register access is a kernel call, or "
                                                "direct: the registers are opened to the driver)");
        device.direct = access && *access == "direct";

        switch (device.kind) {
            case DeviceKind::timer: break;
            case DeviceKind::uart:
                if (auto output = string(table, "output"))
                    device.output = *output == "-" || *output == "none" || output->empty() ? *output : resolve(*output);
                if (auto input = string(table, "input")) {
                    device.input = *input == "-" || input->empty() ? *input : resolve(*input);
                    if (!device.input.empty() && device.input != "-")
                        require_file(device.input, "input", line_of(*table.get("input")));
                }
                device.baud = static_cast<uint32_t>(integer(table, "baud", 50, 10'000'000).value_or(115200));
                device.input_start_ns = duration_or_zero(table, "input_start");
                break;
            case DeviceKind::block: {
                auto file = string(table, "file");
                const toml::node* scratch = table.get("scratch");
                if (file && scratch)
                    fail(line_of(*scratch), "block device '" + device.name + "' has both a backing file (line " +
                                                std::to_string(line_of(*table.get("file"))) +
                                                ") and a scratch disk; keep one");
                if (scratch) {
                    device.scratch_bytes = size_bytes(table, "scratch", hw::block::sector_bytes, uint64_t{1} << 40).value();
                    if (device.scratch_bytes % hw::block::sector_bytes != 0)
                        fail(line_of(*scratch), "scratch = " + std::to_string(device.scratch_bytes) +
                                                    " bytes is not a multiple of the 512-byte sector");
                    device.access_ns = duration_or_zero(table, "access_time", device.access_ns);
                    device.sector_ns = duration_or_zero(table, "sector_time", device.sector_ns);
                    device.max_sectors = static_cast<uint32_t>(integer(table, "max_sectors", 1, 4096).value_or(256));
                    break;
                }
                if (!file)
                    fail(device.line, "block device '" + device.name +
                                          "' has no backing file (add file = \"disk.img\", or scratch = \"4MiB\" for a "
                                          "zeroed disk that lasts one run)");
                device.file = resolve(*file);
                require_file(device.file, "file", line_of(*table.get("file")));
                std::error_code error;
                const auto bytes = std::filesystem::file_size(device.file, error);
                if (!error && bytes % hw::block::sector_bytes != 0)
                    fail(line_of(*table.get("file")), "backing file '" + *file + "' is " + std::to_string(bytes) +
                                                          " bytes, not a multiple of the 512-byte sector");
                if (!error && bytes == 0)
                    fail(line_of(*table.get("file")), "backing file '" + *file + "' is empty: a disk needs sectors");
                device.access_ns = duration_or_zero(table, "access_time", device.access_ns);
                device.sector_ns = duration_or_zero(table, "sector_time", device.sector_ns);
                device.max_sectors = static_cast<uint32_t>(integer(table, "max_sectors", 1, 4096).value_or(256));
                break;
            }
            case DeviceKind::nic:
                device.udp_port = static_cast<uint16_t>(integer(table, "udp_port", 0, 65535).value_or(0));
                device.latency_ns = duration_or_zero(table, "latency", device.latency_ns);
                if (auto record = string(table, "record")) device.record = resolve(*record);
                break;
        }
        return device;
    }

    // The driver gets the device's registers, its IRQ line, the kernel calls
    // to use them, and two arguments: io_base and irq (unless set already).
    void grant_to_driver(const DeviceDescription& device, const toml::table& table) {
        const uint32_t line = line_of(*table.get("driver"));
        auto found = m_names.find(device.driver);
        if (found == m_names.end())
            fail(line, "driver '" + device.driver + "' of device '" + device.name + "' is not a process of this system");
        if (found->second.replica >= 0 || m_tables[found->second.table].replicated())
            fail(line, "driver '" + device.driver + "' is a replicated process; a device needs a driver of its own "
                       "(its IRQ notifications name one process)");
        ProcessDescription& driver = m_system.processes[m_tables[found->second.table].first];
        DeviceRights& rights = driver.device_rights;
        if (rights.io_range_count == config::io_ranges_max)
            fail(line, "driver '" + device.driver + "' has too many devices");
        rights.io[rights.io_range_count++] =
            IoRange{device.io_base, static_cast<uint16_t>(device.io_base + device.io_size - 1), device.direct};
        rights.irq_lines |= uint64_t{1} << device.irq;
        driver.kernel_calls |= bit(KernelCall::device_io) | bit(KernelCall::irq_control);
        driver.args.try_emplace("io_base", static_cast<int64_t>(device.io_base));
        driver.args.try_emplace("irq", static_cast<int64_t>(device.irq));
    }

    std::string resolve(const std::string& path) const {
        std::filesystem::path file(path);
        if (file.is_absolute()) return path;
        return (std::filesystem::path(m_path).parent_path() / file).lexically_normal().string();
    }

    void require_file(const std::string& path, const std::string& key, uint32_t line) const {
        std::error_code error;
        if (!std::filesystem::is_regular_file(path, error))
            fail(line, key + " '" + path + "' does not exist (or is not a regular file)");
    }

    uint64_t duration_or_zero(const toml::table& table, std::string_view key, uint64_t fallback = 0) const {
        const toml::node* node = table.get(key);
        if (node == nullptr) return fallback;
        if (const auto* integer_value = node->as_integer()) {
            if (integer_value->get() < 0) fail(line_of(*node), std::string(key) + " must not be negative");
            return static_cast<uint64_t>(integer_value->get());
        }
        const auto* text = node->as_string();
        if (text == nullptr) fail_type(*node, key, "a duration (\"50us\" or nanoseconds)");
        try {
            return parse_duration_ns(text->get());
        } catch (const std::invalid_argument& reason) {
            fail(line_of(*node), std::string(key) + ": " + reason.what());
        }
    }

    void reject_unknown_keys_list(const toml::table& table, const std::string& where,
                                  const std::vector<std::string_view>& known) const {
        if (auto problem = unknown_key(table, where, std::vector<std::string>(known.begin(), known.end())))
            fail(problem->line, problem->text);
    }

    // ---- checks across processes ----

    // Destinations name tables: a process of its own, or a replicated group
    // as a whole (the replicas share one privilege structure, and destination
    // grants are per privilege structure, so one replica cannot be singled out).
    void check_destinations() const {
        for (const TableSource& table : m_tables) {
            const ProcessDescription& process = m_system.processes[table.first];
            for (size_t d = 0; d < process.destinations.size(); ++d) {
                const std::string& destination = process.destinations[d];
                auto found = m_names.find(destination);
                if (found == m_names.end())
                    fail(table.destinations[d], "destination '" + destination + "' is not a process of this system");
                if (found->second.replica >= 0) {
                    const std::string& group = m_tables[found->second.table].name;
                    fail(table.destinations[d], "destination '" + destination + "' is replica " +
                                                    std::to_string(found->second.replica) + " of '" + group +
                                                    "'; replicas share one privilege structure, so a destination "
                                                    "names the whole group: '" + group + "'");
                }
            }
        }
    }

    // Per table: the replicas of one table are placed alike (and a dedicated
    // CPU never has more than one, see read_process).
    void check_cpu_placement() const {
        // Who owns each dedicated CPU, as an index into m_tables (or none).
        constexpr size_t nobody = std::numeric_limits<size_t>::max();
        std::vector<size_t> dedicated_to(m_system.cpus, nobody);
        bool any_unpinned = false;
        auto process_of = [&](size_t table) -> const ProcessDescription& {
            return m_system.processes[m_tables[table].first];
        };

        for (size_t t = 0; t < m_tables.size(); ++t) {
            const ProcessDescription& process = process_of(t);
            if (process.cpu < 0) {
                any_unpinned = true;
                continue;
            }
            if (static_cast<uint32_t>(process.cpu) >= m_system.cpus)
                fail(m_tables[t].cpu, m_tables[t].subject() + " is pinned to cpu " + std::to_string(process.cpu) +
                                          " but the system has " + cpus_origin() + "; cpus are numbered from 0");
            if (!process.dedicated_cpu) continue;
            size_t& owner = dedicated_to[static_cast<size_t>(process.cpu)];
            if (owner != nobody)
                fail(m_tables[t].dedicated_cpu, "cpu " + std::to_string(process.cpu) + " is already dedicated to '" +
                                                    process_of(owner).name + "' (line " +
                                                    std::to_string(m_tables[owner].dedicated_cpu) + ")");
            owner = t;
        }

        // A dedicated CPU runs its owner only: pinning anything else there, or
        // leaving unpinned processes with no CPU to go to, cannot be honoured.
        for (size_t t = 0; t < m_tables.size(); ++t) {
            const ProcessDescription& process = process_of(t);
            if (process.cpu < 0 || process.dedicated_cpu) continue;
            size_t owner = dedicated_to[static_cast<size_t>(process.cpu)];
            if (owner != nobody)
                fail(m_tables[t].cpu, m_tables[t].subject() + " is pinned to cpu " + std::to_string(process.cpu) +
                                          ", which is dedicated to '" + process_of(owner).name + "'");
        }
        if (any_unpinned && std::find(dedicated_to.begin(), dedicated_to.end(), nobody) == dedicated_to.end()) {
            for (const TableSource& table : m_tables)
                if (m_system.processes[table.first].cpu < 0)
                    fail(table.line, table.subject() + " is not pinned but every cpu is dedicated to "
                                                       "another process");
        }
    }

    // "2 cpus (--cpus 2)" / "2 cpus (cpus = 2 on line 4)": where the count came from.
    std::string cpus_origin() const {
        std::string count = std::to_string(m_system.cpus) + (m_system.cpus == 1 ? " cpu" : " cpus");
        if (m_cpus_overridden) return count + " (--cpus " + std::to_string(m_system.cpus) + ")";
        if (m_cpus_line != 0) return count + " (cpus = " + std::to_string(m_system.cpus) + " on line " +
                                     std::to_string(m_cpus_line) + ")";
        return count + " (the default)";
    }

    const std::string& m_path;
    const DescriptionOverrides& m_overrides;
    SystemDescription m_system;
    uint32_t m_system_line = 0;
    uint32_t m_cpus_line = 0;  // 0 = cpus not in the file
    bool m_cpus_overridden = false;
    std::vector<TableSource> m_tables;  // one per [[process]] table, in file order
    std::unordered_map<std::string, NameUse> m_names;  // every process name and table name
    std::vector<std::pair<std::string, uint32_t>> m_restart_names;  // names in restart tables, with lines
};

}  // namespace

SystemDescription parse_system_description(const std::string& text, const std::string& path,
                                           const DescriptionOverrides& overrides) {
    DescriptionReader reader(path, overrides);
    toml::table root;
    try {
        root = toml::parse(std::string_view(text), std::string_view(path));
    } catch (const toml::parse_error& error) {
        reader.fail(error.source().begin.line, "TOML syntax error: " + std::string(error.description()));
    }
    return reader.read(root);
}

SystemDescription load_system_description(const std::string& path, const DescriptionOverrides& overrides) {
    // A directory opens fine on Linux and then reads as empty.
    std::error_code ignored;
    if (std::filesystem::is_directory(path, ignored))
        throw DescriptionError(path + ":0: cannot open file (it is a directory)");
    std::ifstream file(path, std::ios::binary);
    if (!file.is_open())
        throw DescriptionError(path + ":0: cannot open file (" + std::strerror(errno) + ")");
    std::string text{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
    if (file.bad()) throw DescriptionError(path + ":0: cannot read file");
    return parse_system_description(text, path, overrides);
}

uint64_t parse_duration_ns(const std::string& text) {
    auto [number, unit] = split_number_and_unit(text);
    if (unit.empty() || unit == "ns") return number;
    if (unit == "us") return scale_or_throw(number, 1'000, text);
    if (unit == "ms") return scale_or_throw(number, 1'000'000, text);
    if (unit == "s") return scale_or_throw(number, 1'000'000'000, text);
    throw std::invalid_argument(in_quotes(text) + " has an unknown unit '" + std::string(unit) +
                                "' (use ns, us, ms or s)");
}

const char* to_string(DeviceKind kind) {
    switch (kind) {
        case DeviceKind::timer: return "timer";
        case DeviceKind::uart: return "uart";
        case DeviceKind::block: return "block";
        case DeviceKind::nic: return "nic";
    }
    return "?";
}

// Seeds span all 64 bits but TOML integers stop at 2^63 - 1, so a seed may also
// be written as a string, in decimal or 0x-prefixed hexadecimal.
uint64_t parse_seed(std::string_view text) {
    int base = 10;
    std::string_view digits = text;
    if (digits.starts_with("0x") || digits.starts_with("0X")) {
        base = 16;
        digits.remove_prefix(2);
    }
    uint64_t seed = 0;
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), seed, base);
    if (digits.empty() || error != std::errc{} || end != digits.data() + digits.size())
        throw std::invalid_argument(in_quotes(text) +
                                    " is not a 64-bit unsigned number (decimal or 0x hexadecimal)");
    return seed;
}

std::optional<IpcStrategyKind> parse_ipc_strategy(const std::string& name) {
    if (const StrategyInfo* strategy = find_strategy(name.c_str())) return strategy->kind;
    return std::nullopt;
}

}  // namespace axl::sim
