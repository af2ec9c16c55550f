// Where processes run: pins (cpu) and dedicated CPUs (dedicated_cpu), held
// against the system's cpus once overrides are applied.
#pragma once

#include "sim/config/description_reader.h"
#include "sim/config/process_tables.h"
#include "sim/config/system_table.h"

namespace axl::sim {

// The replicas of one table are placed alike (and a dedicated CPU never has
// more than one, see ProcessTables), so the check goes per table.
void check_cpu_placement(const DescriptionReader& reader, const ProcessTables& tables,
                         const SystemTableSource& system_table, const SystemDescription& system);

}  // namespace axl::sim
