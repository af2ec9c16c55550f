#include "sim/config/system_table.h"

#include <algorithm>
#include <filesystem>
#include <vector>

#include "ipc_strategies/strategy_factory.h"
#include "kernel/config.h"

namespace axl::sim {
namespace {

using toml_support::line_of;

// Overrides come from the command line, not the file: their problems are
// reported on line 0, the "whole file" line.
void apply_overrides(const DescriptionReader& reader, const DescriptionOverrides& overrides,
                     SystemDescription& system, SystemTableSource& source) {
    if (overrides.ipc) {
        system.ipc = *overrides.ipc;
        source.ipc_overridden = true;
    }
    if (overrides.seed) system.seed = *overrides.seed;
    if (overrides.ring_capacity) {
        const uint32_t capacity = *overrides.ring_capacity;
        if (capacity < 1 || capacity > config::ring_capacity_max || (capacity & (capacity - 1)) != 0)
            reader.fail(0, "--ring-capacity " + std::to_string(capacity) + " must be a power of two in 1.." +
                               std::to_string(config::ring_capacity_max));
        system.ring_capacity = capacity;
        source.ring_capacity_overridden = true;
    }
    if (overrides.cpus) {
        uint32_t cpus = *overrides.cpus;
        if (cpus < 1 || cpus > config::cpus_max)
            reader.fail(0, "--cpus " + std::to_string(cpus) + " is out of range 1.." + std::to_string(config::cpus_max));
        system.cpus = cpus;
        source.cpus_overridden = true;
    }
    if (overrides.until_ns) {
        if (*overrides.until_ns == 0) reader.fail(0, "--until must be longer than 0");
        system.until_ns = overrides.until_ns;
    }
}

}  // namespace

std::string SystemTableSource::cpus_origin(uint32_t cpus) const {
    std::string count = std::to_string(cpus) + (cpus == 1 ? " cpu" : " cpus");
    if (cpus_overridden) return count + " (--cpus " + std::to_string(cpus) + ")";
    if (cpus_line != 0) return count + " (cpus = " + std::to_string(cpus) + " on line " + std::to_string(cpus_line) + ")";
    return count + " (the default)";
}

SystemTableSource read_system_table(const DescriptionReader& reader, const toml::table& root,
                                    const DescriptionOverrides& overrides, SystemDescription& system) {
    SystemTableSource source;
    const toml::node* node = root.get("system");
    if (node == nullptr) reader.fail(std::max(line_of(root), 1u), "missing [system] table");
    const toml::table* table = node->as_table();
    if (table == nullptr) reader.fail_type(*node, "system", "a table ([system])");
    source.line = line_of(*table);
    reader.reject_unknown_keys(*table, "[system]", {"name", "cpus", "ipc", "ring_capacity", "seed", "until", "ports"});

    if (auto name = reader.string(*table, "name")) {
        if (name->empty()) reader.fail(line_of(*table->get("name")), "name must not be empty");
        system.name = *name;
    } else {
        // The file stem is what people call a system anyway ("pingpong.toml").
        system.name = std::filesystem::path(reader.path()).stem().string();
        if (system.name.empty()) system.name = "system";
    }

    if (auto cpus = reader.integer(*table, "cpus", 1, config::cpus_max)) {
        system.cpus = static_cast<uint32_t>(*cpus);
        source.cpus_line = line_of(*table->get("cpus"));
    }

    if (auto ipc = reader.string(*table, "ipc")) {
        auto kind = parse_ipc_strategy(*ipc);
        if (!kind)
            reader.fail(line_of(*table->get("ipc")), "unknown ipc strategy '" + *ipc + "' (expected " + strategy_names() + ")");
        system.ipc = *kind;
    }

    if (auto capacity = reader.integer(*table, "ring_capacity", 1, config::ring_capacity_max)) {
        if ((*capacity & (*capacity - 1)) != 0)
            reader.fail(line_of(*table->get("ring_capacity")),
                        "ring_capacity must be a power of two (got " + std::to_string(*capacity) + ")");
        system.ring_capacity = static_cast<uint32_t>(*capacity);
        source.ring_capacity_line = line_of(*table->get("ring_capacity"));
    }

    if (auto seed_value = reader.seed(*table)) system.seed = *seed_value;

    system.until_ns = reader.duration_ns(*table, "until");

    if (const toml::node* ports = table->get("ports")) {
        system.ports_line = line_of(*ports);
        system.hosted = system.bare_metal = false;
        reader.for_each_string(*table, "ports", [&](const std::string& port, const toml::node& item) {
            bool& wanted = port == "hosted" ? system.hosted : system.bare_metal;
            if (port != "hosted" && port != "bare-metal")
                reader.fail(line_of(item), "unknown port '" + port + "' (expected \"hosted\" or \"bare-metal\")");
            if (wanted) reader.fail(line_of(item), "port '" + port + "' is listed twice");
            wanted = true;
        });
        if (!system.hosted && !system.bare_metal)
            reader.fail(system.ports_line, "ports must name at least one port (\"hosted\", \"bare-metal\")");
    }

    apply_overrides(reader, overrides, system, source);
    return source;
}

}  // namespace axl::sim
