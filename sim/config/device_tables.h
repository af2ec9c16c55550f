// [[device]] tables: the keys every device has (name, kind, irq, io_base,
// driver, access) and the checks across devices; each kind reads its own keys
// (sim/machine/device_kind.h). A device's driver is granted its registers.
#pragma once

#include <toml++/toml.h>

#include "sim/config/description_reader.h"
#include "sim/config/process_tables.h"
#include "sim/config/system_description.h"

namespace axl::sim {

void read_device_tables(const DescriptionReader& reader, const toml::table& root, ProcessTables& tables,
                        SystemDescription& system);

}  // namespace axl::sim
