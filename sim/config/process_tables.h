// [[process]] tables: one process each, or `replicas` alike ones; their
// names, scheduling, expectation and arguments. Privileges and restart
// policies are read through privileges.h and reincarnation.h.
#pragma once

#include <toml++/toml.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sim/config/description_reader.h"
#include "sim/config/system_description.h"

namespace axl::sim {

class Reincarnation;

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
    size_t table = 0;     // index into ProcessTables::tables()
    int64_t replica = -1; // -1: the table's own name
};

class ProcessTables {
public:
    ProcessTables(const DescriptionReader& reader, SystemDescription& system) : m_reader(reader), m_system(system) {}

    // Every [[process]] table of `root`, in file order, into system.processes
    // (replicas expanded). `system_line`: [system]'s, blamed when there are none.
    void read(const toml::table& root, uint32_t system_line, Reincarnation& reincarnation);

    const std::vector<TableSource>& tables() const { return m_tables; }
    // Whose name `name` is, or nullptr if it is no name of the file.
    const NameUse* find(const std::string& name) const;
    // The process a table of its own became.
    ProcessDescription& process_of(const TableSource& table) const { return m_system.processes[table.first]; }

private:
    void read_process(const toml::table& table, Reincarnation& reincarnation);
    void read_replicas(const toml::table& table, TableSource& source) const;
    void add_replicas(ProcessDescription&& prototype, size_t table_index);
    void register_name(const std::string& name, const TableSource& source, size_t table_index, int64_t replica);
    Expectation read_expectation(const toml::table& table) const;
    std::map<std::string, ArgValue> read_args(const toml::table& table, const TableSource& source,
                                              const std::string& program) const;
    void check_placeholders(std::string_view text, const std::string& key, uint32_t line,
                            const TableSource& source) const;

    const DescriptionReader& m_reader;
    SystemDescription& m_system;
    std::vector<TableSource> m_tables;                 // one per [[process]] table, in file order
    std::unordered_map<std::string, NameUse> m_names;  // every process name and table name
};

// Names end up in the kernel's fixed name field and on command lines and
// trace files, hence the short, shell- and file-name-safe alphabet. Device
// names follow the same rule.
void check_process_name(const DescriptionReader& reader, const std::string& name, uint32_t line);

}  // namespace axl::sim
