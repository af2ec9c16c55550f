// The reincarnation server and the processes it restarts: the role that makes
// a process the server, [process.restart] tables, and the wiring between
// them (the server's privileges, and the policies handed to it as arguments,
// kernel/api/protocols/restart_policy.h).
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sim/config/description_reader.h"
#include "sim/config/process_tables.h"
#include "sim/config/system_description.h"

namespace axl::sim {

class Reincarnation {
public:
    explicit Reincarnation(const DescriptionReader& reader) : m_reader(reader) {}

    // A [[process]] table's role: its `role` key, or what its program implies.
    ProcessRole read_role(const toml::table& table, const std::string& program) const;
    // A [[process]] table's [process.restart] table, if it has one.
    void read_policy(const toml::table& table, ProcessDescription& process);
    // Once every process is read: the names the policies use exist, a managed
    // process has a server, and the server gets the calls and destinations it
    // needs and every policy as arguments. Every managed process may answer it.
    void wire(const ProcessTables& tables, SystemDescription& system) const;

private:
    const DescriptionReader& m_reader;
    std::vector<std::pair<std::string, uint32_t>> m_names;  // in `with` and `notify`, with their lines
};

}  // namespace axl::sim
