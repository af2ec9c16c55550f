// Reading and validating system descriptions (format: docs/system-description.md).
//
// The rule is "nothing runs half-configured": every problem a description can
// have is found here, before anything boots, and reported as
// "path:line: problem" pointing at the value (or key, or table) to fix. Command
// line overrides are applied first and then validated like the file's own
// values, so `--cpus 2` against a `cpu = 3` pin blames the pin's line.
//
// Each part of the file has a reader of its own (system_table, process_tables,
// privileges, cpu_placement, device_tables, reincarnation); this file runs
// them in the order their checks depend on.
#include "sim/config/system_description.h"

#include <toml++/toml.h>

#include <string_view>

#include "sim/config/cpu_placement.h"
#include "sim/config/description_reader.h"
#include "sim/config/device_tables.h"
#include "sim/config/input_file.h"
#include "sim/config/memory_budget.h"
#include "sim/config/privileges.h"
#include "sim/config/process_tables.h"
#include "sim/config/reincarnation.h"
#include "sim/config/system_table.h"

namespace axl::sim {
namespace {

SystemDescription read(const DescriptionReader& reader, const toml::table& root,
                       const DescriptionOverrides& overrides) {
    SystemDescription system;
    system.path = reader.path();
    reader.reject_unknown_keys(root, "the top level", {"system", "process", "device"});
    const SystemTableSource system_table = read_system_table(reader, root, overrides, system);
    ProcessTables tables(reader, system);
    Reincarnation reincarnation(reader);
    tables.read(root, system_table.line, reincarnation);
    check_destinations(reader, tables);
    check_cpu_placement(reader, tables, system_table, system);
    check_memory_budget(reader, system_table, system);
    read_device_tables(reader, root, tables, system);
    reincarnation.wire(tables, system);
    return system;
}

}  // namespace

SystemDescription parse_system_description(const std::string& text, const std::string& path,
                                           const DescriptionOverrides& overrides) {
    DescriptionReader reader(path);
    toml::table root;
    try {
        root = toml::parse(std::string_view(text), std::string_view(path));
    } catch (const toml::parse_error& error) {
        reader.fail(error.source().begin.line, "TOML syntax error: " + std::string(error.description()));
    }
    return read(reader, root, overrides);
}

SystemDescription load_system_description(const std::string& path, const DescriptionOverrides& overrides) {
    return parse_system_description(read_input_file(path, description_bytes_max, "system description"), path,
                                    overrides);
}

}  // namespace axl::sim
