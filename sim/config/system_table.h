// [system]: the machine and the run (cpus, IPC strategy, ring capacity,
// seed, until), with the command line's overrides applied.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <string>

#include "sim/config/description_reader.h"
#include "sim/config/system_description.h"

namespace axl::sim {

// Where [system]'s values came from, for messages about them later.
struct SystemTableSource {
    uint32_t line = 0;
    uint32_t cpus_line = 0;  // 0 = cpus not in the file
    bool cpus_overridden = false;
    uint32_t ring_capacity_line = 0;  // 0 = not in the file
    bool ring_capacity_overridden = false;
    bool ipc_overridden = false;

    // "2 cpus (--cpus 2)" / "2 cpus (cpus = 2 on line 4)": where the count came from.
    std::string cpus_origin(uint32_t cpus) const;
};

// Reads [system] into `system`, then applies `overrides` and checks them
// like the file's own values (their problems are reported on line 0).
SystemTableSource read_system_table(const DescriptionReader& reader, const toml::table& root,
                                    const DescriptionOverrides& overrides, SystemDescription& system);

}  // namespace axl::sim
