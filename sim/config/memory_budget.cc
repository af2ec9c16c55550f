#include "sim/config/memory_budget.h"

#include <string>

#include "ipc_strategies/strategy_factory.h"
#include "sim/config/value_syntax.h"

namespace axl::sim {
namespace {

std::string bytes_text(uint64_t bytes) {
    constexpr uint64_t gib = uint64_t{1} << 30;
    if (bytes >= gib) return std::to_string((bytes + gib / 2) / gib) + " GiB";
    return std::to_string((bytes + mib / 2) / mib) + " MiB";
}

}  // namespace

uint64_t ipc_buffer_bytes(const SystemDescription& system) {
    const StrategyShape shape{.slots = static_cast<uint32_t>(system.processes.size()),
                              .cpus = system.cpus,
                              .ring_capacity = system.ring_capacity};
    return StrategyHolder::buffer_bytes(system.ipc, shape);
}

void check_memory_budget(const DescriptionReader& reader, const SystemTableSource& source,
                         const SystemDescription& system) {
    const uint64_t bytes = ipc_buffer_bytes(system);
    if (bytes <= ipc_buffer_bytes_max) return;
    const std::string what =
        system.ipc == IpcStrategyKind::ring
            ? "the ring strategy's rings would take " + bytes_text(bytes) + " (" +
                  std::to_string(system.processes.size()) + " processes x " + source.cpus_origin(system.cpus) +
                  " x ring_capacity " + std::to_string(system.ring_capacity) +
                  (source.ring_capacity_overridden ? " (--ring-capacity)" : "") + " messages)"
            : "the " + std::string(to_string(system.ipc)) + " strategy's buffers would take " + bytes_text(bytes) +
                  " for " + std::to_string(system.processes.size()) + " processes";
    const std::string fix = system.ipc == IpcStrategyKind::ring
                                ? "; use a smaller ring_capacity (--ring-capacity), fewer cpus or fewer processes"
                                : "; use fewer processes";
    // Blamed on the line that set the size, or line 0 when a flag did.
    uint32_t line = source.line;
    if (system.ipc == IpcStrategyKind::ring && !source.ring_capacity_overridden && source.ring_capacity_line != 0)
        line = source.ring_capacity_line;
    if (source.ring_capacity_overridden || source.cpus_overridden || source.ipc_overridden) line = 0;
    reader.fail(line, what + ", more than the " + bytes_text(ipc_buffer_bytes_max) +
                          " a system's IPC buffers may take (sim::ipc_buffer_bytes_max)" + fix);
}

}  // namespace axl::sim
