#include "sim/config/privileges.h"

#include <algorithm>
#include <string>
#include <vector>

#include "kernel/api/calls.h"

namespace axl::sim {
namespace {

using toml_support::join;
using toml_support::line_of;

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

}  // namespace

uint32_t read_primitives(const DescriptionReader& reader, const toml::table& table) {
    uint32_t mask = 0;
    bool present = reader.for_each_string(table, "primitives", [&](const std::string& name, const toml::node& item) {
        if (name == "all") {
            mask |= all_primitives;
            return;
        }
        for (uint32_t i = 0; i < primitive_count; ++i)
            if (name == to_string(static_cast<Primitive>(i))) {
                mask |= bit(static_cast<Primitive>(i));
                return;
            }
        reader.fail(line_of(item), "unknown primitive '" + name + "' (expected " + join(primitive_names(), ", ") +
                                       " or all)");
    });
    // Without a word in the file a process may only call servers and wait
    // for their answer: the MINIX user-process default.
    return present ? mask : bit(Primitive::sendrec);
}

uint32_t read_kernel_calls(const DescriptionReader& reader, const toml::table& table) {
    uint32_t mask = 0;
    bool present =
        reader.for_each_string(table, "kernel_calls", [&](const std::string& name, const toml::node& item) {
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
            reader.fail(line_of(item), "unknown kernel call '" + name + "' (expected " +
                                           join(kernel_call_names(), ", ") + ", default or all)");
        });
    return present ? mask : default_kernel_calls;
}

void read_destinations(const DescriptionReader& reader, const toml::table& table, ProcessDescription& process,
                       TableSource& source) {
    reader.for_each_string(table, "destinations", [&](const std::string& name, const toml::node& item) {
        bool wildcard = name == "*";
        if (wildcard || process.all_destinations) {
            if (process.all_destinations || !process.destinations.empty())
                reader.fail(line_of(item), "'*' (any destination) must be the only entry of destinations");
            process.all_destinations = true;
            return;
        }
        if (std::find(process.destinations.begin(), process.destinations.end(), name) != process.destinations.end())
            reader.fail(line_of(item), "destination '" + name + "' is listed twice");
        process.destinations.push_back(name);
        source.destinations.push_back(line_of(item));
    });
}

// Destinations name tables: a process of its own, or a replicated group
// as a whole (the replicas share one privilege structure, and destination
// grants are per privilege structure, so one replica cannot be singled out).
void check_destinations(const DescriptionReader& reader, const ProcessTables& tables) {
    for (const TableSource& table : tables.tables()) {
        const ProcessDescription& process = tables.process_of(table);
        for (size_t d = 0; d < process.destinations.size(); ++d) {
            const std::string& destination = process.destinations[d];
            const NameUse* found = tables.find(destination);
            if (found == nullptr)
                reader.fail(table.destinations[d], "destination '" + destination + "' is not a process of this system");
            if (found->replica >= 0) {
                const std::string& group = tables.tables()[found->table].name;
                reader.fail(table.destinations[d], "destination '" + destination + "' is replica " +
                                                       std::to_string(found->replica) + " of '" + group +
                                                       "'; replicas share one privilege structure, so a "
                                                       "destination names the whole group: '" + group + "'");
            }
        }
    }
}

}  // namespace axl::sim
