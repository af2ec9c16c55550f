#include "sim/config/process_tables.h"

#include <algorithm>
#include <utility>
#include <variant>

#include "kernel/api/calls.h"
#include "kernel/config.h"
#include "sim/config/privileges.h"
#include "sim/config/reincarnation.h"
#include "sim/port/program_registry.h"

namespace axl::sim {
namespace {

using toml_support::line_of;

constexpr uint64_t stack_bytes_min = 16 * kib;
constexpr uint64_t stack_bytes_max = 64 * mib;
constexpr uint64_t default_stack_bytes = 64 * kib;
constexpr uint8_t default_priority = 8;
// The kernel keeps the first privilege structures for itself (as MINIX does for
// its kernel tasks); every described process needs one of the others.
constexpr uint32_t reserved_privileges = 3;
constexpr uint32_t process_privileges_max = config::privilege_slots_max - reserved_privileges;

// The one placeholder of replicated tables' string arguments.
constexpr std::string_view replica_placeholder = "{replica}";

bool is_valid_process_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
}

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

}  // namespace

void check_process_name(const DescriptionReader& reader, const std::string& name, uint32_t line) {
    if (name.empty() || name.size() > config::process_name_bytes - 1)
        reader.fail(line, "process name '" + name + "' must be 1.." +
                              std::to_string(config::process_name_bytes - 1) + " characters long");
    if (!std::all_of(name.begin(), name.end(), is_valid_process_name_char))
        reader.fail(line, "process name '" + name + "' may only contain letters, digits, '_', '.' and '-'");
}

const NameUse* ProcessTables::find(const std::string& name) const {
    auto found = m_names.find(name);
    return found == m_names.end() ? nullptr : &found->second;
}

void ProcessTables::read(const toml::table& root, uint32_t system_line, Reincarnation& reincarnation) {
    const toml::node* node = root.get("process");
    if (node == nullptr)
        m_reader.fail(system_line, "no processes: a system needs at least one [[process]] table");
    const toml::array* processes = node->as_array();
    if (processes != nullptr && processes->empty())
        m_reader.fail(line_of(*node), "no processes: a system needs at least one [[process]] table");
    if (processes == nullptr || !processes->is_array_of_tables())
        m_reader.fail(line_of(*node), "process must be an array of tables: write each one as [[process]]");

    // Checked before reading any process, and blamed on the first one that
    // does not fit, so a huge generated file fails fast.
    if (processes->size() > config::process_slots_max)
        m_reader.fail(line_of(*processes->get(config::process_slots_max)),
                      "too many processes: " + std::to_string(processes->size()) +
                          ", the kernel process table holds " + std::to_string(config::process_slots_max) +
                          " (config::process_slots_max)");
    if (processes->size() > process_privileges_max)
        m_reader.fail(line_of(*processes->get(process_privileges_max)),
                      "too many [[process]] tables: " + std::to_string(processes->size()) +
                          ", each needs its own privilege structure and the kernel has " +
                          std::to_string(process_privileges_max) +
                          " for processes (config::privilege_slots_max - " + std::to_string(reserved_privileges) +
                          "); the replicas of one table share one, so write many alike processes as "
                          "one table with replicas = N");

    m_tables.reserve(processes->size());
    for (const toml::node& element : *processes) read_process(*element.as_table(), reincarnation);
}

void ProcessTables::read_process(const toml::table& table, Reincarnation& reincarnation) {
    m_reader.reject_unknown_keys(table, "[[process]]",
                                 {"name", "program", "replicas", "priority", "cpu", "dedicated_cpu", "quantum",
                                  "stack", "primitives", "kernel_calls", "destinations", "expect", "args",
                                  "restart", "role", "dma"});
    ProcessDescription process;
    TableSource source;
    process.line = source.line = line_of(table);
    const size_t table_index = m_tables.size();

    auto name = m_reader.string(table, "name");
    if (!name) m_reader.fail(process.line, "process has no name (add name = \"...\")");
    source.name = *name;
    source.name_line = line_of(*table.get("name"));
    check_process_name(m_reader, *name, source.name_line);
    read_replicas(table, source);
    register_name(*name, source, table_index, -1);
    process.name = *name;

    auto program = m_reader.string(table, "program");
    if (!program)
        m_reader.fail(process.line, "process '" + process.name + "' has no program (add program = \"...\")");
    if (find_program(*program) == nullptr)
        m_reader.fail(line_of(*table.get("program")),
                      "unknown program '" + *program + "' (`axl list` shows the registered programs)");
    process.program = *program;
    process.role = reincarnation.read_role(table, process.program);

    if (auto priority = m_reader.integer(table, "priority", 0, config::priority_levels - 1))
        process.priority = static_cast<uint8_t>(*priority);
    else
        process.priority = default_priority;

    // Only the hard limit is checked here: whether the CPU exists depends
    // on cpus after overrides (check_cpu_placement).
    if (auto cpu = m_reader.integer(table, "cpu", 0, config::cpus_max - 1)) {
        process.cpu = static_cast<int32_t>(*cpu);
        source.cpu = line_of(*table.get("cpu"));
    }
    if (auto dedicated = m_reader.boolean(table, "dedicated_cpu")) {
        process.dedicated_cpu = *dedicated;
        source.dedicated_cpu = line_of(*table.get("dedicated_cpu"));
        if (*dedicated && process.cpu < 0)
            m_reader.fail(source.dedicated_cpu, "dedicated_cpu = true needs a pinned cpu (add cpu = N)");
    }

    process.quantum_ns = m_reader.duration_ns(table, "quantum").value_or(config::default_quantum_ns);
    process.stack_bytes =
        m_reader.size_bytes(table, "stack", stack_bytes_min, stack_bytes_max).value_or(default_stack_bytes);
    process.primitives = read_primitives(m_reader, table);
    process.kernel_calls = read_kernel_calls(m_reader, table);
    // DMA memory it may allocate (dma_alloc): setting it grants the dma call.
    if (auto dma = m_reader.size_bytes(table, "dma", config::dma_page_bytes, config::dma_bytes_max)) {
        process.device_rights.dma_bytes = *dma;
        process.kernel_calls |= bit(KernelCall::dma);
    }
    read_destinations(m_reader, table, process, source);
    process.expect = read_expectation(table);
    process.args = read_args(table, source, process.program);
    reincarnation.read_policy(table, process);

    if (source.replicated() && source.count > 1) {
        // Replicas share one privilege structure, and a notification names
        // its source by privilege: the kernel refuses notify from a shared one.
        if (process.primitives & bit(Primitive::notify))
            m_reader.fail(line_of(*table.get("primitives")),
                          "replicas = " + std::to_string(source.count) +
                              " processes share one privilege structure, and the kernel lets only a process that "
                              "holds its privilege alone notify; remove notify (\"all\" includes it) or use "
                              "replicas = 1");
        if (process.dedicated_cpu)
            m_reader.fail(source.dedicated_cpu, "dedicated_cpu = true cannot be shared by " +
                                                    std::to_string(source.count) +
                                                    " replicas: a dedicated cpu runs one process (pin them with "
                                                    "cpu alone, or use replicas = 1)");
    }

    m_tables.push_back(std::move(source));
    if (m_tables.back().replicated())
        add_replicas(std::move(process), table_index);
    else
        m_system.processes.push_back(std::move(process));
}

// replicas = N: the table describes N processes. Checked here, before the
// rest of the table: the names it implies and the process table's room.
void ProcessTables::read_replicas(const toml::table& table, TableSource& source) const {
    source.first = m_system.processes.size();
    auto replicas = m_reader.integer(table, "replicas", 1, config::process_slots_max);
    if (replicas) {
        source.replicas_line = line_of(*table.get("replicas"));
        source.count = static_cast<size_t>(*replicas);
        const std::string last = source.name + "." + std::to_string(source.count - 1);
        if (last.size() > config::process_name_bytes - 1)
            m_reader.fail(source.name_line, "process name '" + source.name + "' with replicas = " +
                                                std::to_string(source.count) + " (line " +
                                                std::to_string(source.replicas_line) + ") gives names up to '" +
                                                last + "', " + std::to_string(last.size()) +
                                                " characters; names must be 1.." +
                                                std::to_string(config::process_name_bytes - 1) +
                                                " characters long (config::process_name_bytes - 1)");
    }
    if (source.first + source.count > config::process_slots_max) {
        const std::string these =
            source.replicated() ? " and " + std::to_string(source.count) + " replicas here" : " and this one";
        m_reader.fail(source.replicated() ? source.replicas_line : source.line,
                      "too many processes: " + std::to_string(source.first) + " before this table" + these +
                          " make " + std::to_string(source.first + source.count) +
                          ", the kernel process table holds " + std::to_string(config::process_slots_max) +
                          " (config::process_slots_max)");
    }
}

// The N processes of a replicated table: "<group>.<i>", each with the
// integer argument replica = i and "{replica}" in its string arguments
// replaced by i. Everything else, privileges included, is the table's.
void ProcessTables::add_replicas(ProcessDescription&& prototype, size_t table_index) {
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
void ProcessTables::register_name(const std::string& name, const TableSource& source, size_t table_index,
                                  int64_t replica) {
    auto [found, inserted] = m_names.try_emplace(name, NameUse{table_index, replica});
    if (inserted) return;
    const NameUse& earlier = found->second;
    const TableSource& other = m_tables[earlier.table];  // always an earlier table
    const std::string where = "line " + std::to_string(other.name_line);
    if (replica < 0 && earlier.replica < 0)
        m_reader.fail(source.name_line, "duplicate process name '" + name + "' (first used on " + where + ")");
    if (replica < 0)
        m_reader.fail(source.name_line, "process name '" + name + "' is already the name of replica " +
                                            std::to_string(earlier.replica) + " of '" + other.name + "' (" +
                                            where + ")");
    m_reader.fail(source.name_line, "replica " + std::to_string(replica) + " of '" + source.name +
                                        "' would be named '" + name + "', which is already used on " + where);
}

Expectation ProcessTables::read_expectation(const toml::table& table) const {
    auto expect = m_reader.string(table, "expect");
    if (!expect || *expect == "exit") return Expectation::exit;
    if (*expect == "serve") return Expectation::serve;
    if (*expect == "fault") return Expectation::fault;
    m_reader.fail(line_of(*table.get("expect")), "unknown expect '" + *expect + "' (expected exit, serve or fault)");
}

// Arguments are what the program declared (kernel/api/program.h
// ProgramOption, `axl list PROGRAM`): a key it does not declare, a value of
// the wrong type or out of the declared range is refused here, where the
// file can say which line, instead of the program quietly using its default.
// (Integers beyond int64 never get here: the TOML parser refuses them.)
// In a replicated table "{replica}" in a string stands for the replica's
// index (add_replicas replaces it) and "replica" is not the file's to set.
std::map<std::string, ArgValue> ProcessTables::read_args(const toml::table& table, const TableSource& source,
                                                         const std::string& program_name) const {
    std::map<std::string, ArgValue> args;
    const toml::node* node = table.get("args");
    if (node == nullptr) return args;
    const toml::table* arg_table = node->as_table();
    if (arg_table == nullptr) m_reader.fail_type(*node, "args", "a table ([process.args])");
    const ProgramInfo& program = *find_program(program_name);  // read_process checked it exists
    std::vector<std::string> declared;
    for (uint64_t i = 0; i < program.option_count; ++i) declared.emplace_back(program.options[i].name);
    const std::string where = "[process.args] of program '" + program_name + "'";
    for (auto&& [key, value] : *arg_table) {
        std::string name(key.str());
        if (name == "replica" && source.replicated())
            m_reader.fail(line_of(key), "args.replica is set for every replica to its index (0.." +
                                            std::to_string(source.count - 1) + "); use another key");
    }
    if (auto problem = toml_support::unknown_key(*arg_table, where, declared)) {
        if (declared.empty())
            m_reader.fail(problem->line, "program '" + program_name + "' takes no arguments, so args." +
                                             problem->key + " cannot be set (`axl list " + program_name + "`)");
        m_reader.fail(problem->line, problem->text + " (`axl list " + program_name + "` shows its arguments)");
    }
    for (auto&& [key, value] : *arg_table) {
        std::string name(key.str());
        const ProgramOption& option = *std::find_if(program.options, program.options + program.option_count,
                                                    [&](const ProgramOption& o) { return name == o.name; });
        if (option.type == ProgramOption::Type::integer) {
            const auto* integer_value = value.as_integer();
            if (integer_value == nullptr) m_reader.fail_type(value, "args." + name, "an integer");
            const int64_t number = integer_value->get();
            if (number < option.min || number > option.max)
                m_reader.fail(line_of(value), "args." + name + " = " + std::to_string(number) + " is out of range " +
                                                  std::to_string(option.min) + ".." + std::to_string(option.max) +
                                                  " (" + option.help + ")");
            args.emplace(name, number);
        } else {
            const auto* string_value = value.as_string();
            if (string_value == nullptr) m_reader.fail_type(value, "args." + name, "a string");
            check_placeholders(string_value->get(), "args." + name, line_of(value), source);
            args.emplace(name, string_value->get());
        }
    }
    return args;
}

// Refuses what would otherwise silently stay as written: "{replica}"
// outside a replicated table, and any other "{word}" inside one (a typo).
void ProcessTables::check_placeholders(std::string_view text, const std::string& key, uint32_t line,
                                       const TableSource& source) const {
    for (std::string_view placeholder : placeholders_in(text)) {
        if (placeholder == replica_placeholder) {
            if (!source.replicated())
                m_reader.fail(line, key + ": \"{replica}\" is replaced only in replicated processes; add "
                                          "replicas = N to the table");
            continue;
        }
        if (!source.replicated()) continue;  // plain text, as it always was
        std::string problem = key + ": unknown placeholder '" + std::string(placeholder) +
                              "' (replicated processes have one: {replica}, the replica's index)";
        if (toml_support::edit_distance(placeholder, replica_placeholder) < 3)
            problem += "; did you mean '{replica}'?";
        m_reader.fail(line, problem);
    }
}

}  // namespace axl::sim
