// What a process may do: its IPC primitives, kernel calls and destinations
// ([[process]] keys primitives, kernel_calls, destinations). Each table has
// one privilege structure, shared by its replicas.
#pragma once

#include <toml++/toml.h>

#include <cstdint>

#include "sim/config/description_reader.h"
#include "sim/config/process_tables.h"
#include "sim/config/system_description.h"

namespace axl::sim {

uint32_t read_primitives(const DescriptionReader& reader, const toml::table& table);
uint32_t read_kernel_calls(const DescriptionReader& reader, const toml::table& table);
// Names are only collected here (with their lines, into `source`); whether
// they exist is known once every process is read: check_destinations.
void read_destinations(const DescriptionReader& reader, const toml::table& table, ProcessDescription& process,
                       TableSource& source);
void check_destinations(const DescriptionReader& reader, const ProcessTables& tables);

}  // namespace axl::sim
