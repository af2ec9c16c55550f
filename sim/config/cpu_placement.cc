#include "sim/config/cpu_placement.h"

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

namespace axl::sim {

void check_cpu_placement(const DescriptionReader& reader, const ProcessTables& tables,
                         const SystemTableSource& system_table, const SystemDescription& system) {
    const std::vector<TableSource>& sources = tables.tables();
    // Who owns each dedicated CPU, as an index into `sources` (or none).
    constexpr size_t nobody = std::numeric_limits<size_t>::max();
    std::vector<size_t> dedicated_to(system.cpus, nobody);
    bool any_unpinned = false;
    auto process_of = [&](size_t table) -> const ProcessDescription& { return tables.process_of(sources[table]); };

    for (size_t t = 0; t < sources.size(); ++t) {
        const ProcessDescription& process = process_of(t);
        if (process.cpu < 0) {
            any_unpinned = true;
            continue;
        }
        if (static_cast<uint32_t>(process.cpu) >= system.cpus)
            reader.fail(sources[t].cpu, sources[t].subject() + " is pinned to cpu " + std::to_string(process.cpu) +
                                            " but the system has " + system_table.cpus_origin(system.cpus) +
                                            "; cpus are numbered from 0");
        if (!process.dedicated_cpu) continue;
        size_t& owner = dedicated_to[static_cast<size_t>(process.cpu)];
        if (owner != nobody)
            reader.fail(sources[t].dedicated_cpu, "cpu " + std::to_string(process.cpu) +
                                                      " is already dedicated to '" + process_of(owner).name +
                                                      "' (line " + std::to_string(sources[owner].dedicated_cpu) +
                                                      ")");
        owner = t;
    }

    // A dedicated CPU runs its owner only: pinning anything else there, or
    // leaving unpinned processes with no CPU to go to, cannot be honoured.
    for (size_t t = 0; t < sources.size(); ++t) {
        const ProcessDescription& process = process_of(t);
        if (process.cpu < 0 || process.dedicated_cpu) continue;
        size_t owner = dedicated_to[static_cast<size_t>(process.cpu)];
        if (owner != nobody)
            reader.fail(sources[t].cpu, sources[t].subject() + " is pinned to cpu " + std::to_string(process.cpu) +
                                            ", which is dedicated to '" + process_of(owner).name + "'");
    }
    if (any_unpinned && std::find(dedicated_to.begin(), dedicated_to.end(), nobody) == dedicated_to.end()) {
        for (const TableSource& table : sources)
            if (tables.process_of(table).cpu < 0)
                reader.fail(table.line, table.subject() + " is not pinned but every cpu is dedicated to "
                                                          "another process");
    }
}

}  // namespace axl::sim
