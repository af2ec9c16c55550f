#include "sim/config/privileges.h"

#include <algorithm>
#include <initializer_list>
#include <string>
#include <vector>

#include "kernel/api/calls.h"

namespace axl::sim {
namespace {

using toml_support::spoken_list;
using toml_support::line_of;

// A word of the file that stands for several values at once.
struct Shorthand {
    const char* word;
    uint32_t mask;
};

// An array of `Enum` value names (to_string) and shorthands, as a mask of
// bit(value); `absent` when the table does not have the key.
template <typename Enum>
uint32_t read_mask(const DescriptionReader& reader, const toml::table& table, std::string_view key,
                   uint32_t count, std::string_view what, std::initializer_list<Shorthand> shorthands,
                   uint32_t absent) {
    uint32_t mask = 0;
    bool present = reader.for_each_string(table, key, [&](const std::string& name, const toml::node& item) {
        for (const Shorthand& shorthand : shorthands)
            if (name == shorthand.word) {
                mask |= shorthand.mask;
                return;
            }
        for (uint32_t i = 0; i < count; ++i)
            if (name == to_string(static_cast<Enum>(i))) {
                mask |= bit(static_cast<Enum>(i));
                return;
            }
        std::vector<std::string> choices;
        for (uint32_t i = 0; i < count; ++i) choices.emplace_back(to_string(static_cast<Enum>(i)));
        for (const Shorthand& shorthand : shorthands) choices.emplace_back(shorthand.word);
        reader.fail(line_of(item),
                    "unknown " + std::string(what) + " '" + name + "' (expected " + spoken_list(choices) + ")");
    });
    return present ? mask : absent;
}

}  // namespace

// Without a word in the file a process may only call servers and wait for
// their answer: the MINIX user-process default.
uint32_t read_primitives(const DescriptionReader& reader, const toml::table& table) {
    return read_mask<Primitive>(reader, table, "primitives", primitive_count, "primitive",
                                {{"all", all_primitives}}, bit(Primitive::sendrec));
}

uint32_t read_kernel_calls(const DescriptionReader& reader, const toml::table& table) {
    return read_mask<KernelCall>(reader, table, "kernel_calls", kernel_call_count, "kernel call",
                                 {{"default", default_kernel_calls}, {"all", all_kernel_calls}},
                                 default_kernel_calls);
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
