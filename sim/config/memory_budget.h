// What a system's memory would be, checked before anything is allocated:
// a description that is valid key by key can still ask for more than the
// host has (a ring of 65,536 messages per receiver and sending CPU, for
// 2,000 processes on 16 CPUs, is 134 GB). Refused here with the line (or the
// command-line flag) to change, instead of std::bad_alloc half-way through
// building the system. The limit: docs/system-description.md, "Everything that is checked".
#pragma once

#include <cstdint>

#include "sim/config/description_reader.h"
#include "sim/config/system_description.h"
#include "sim/config/system_table.h"

namespace axl::sim {

// The most the IPC strategy's message buffers may take (the ring strategy's
// rings, the queue strategy's queues): they are allocated whole, up front.
inline constexpr uint64_t ipc_buffer_bytes_max = uint64_t{4} << 30;  // 4 GiB

// The bytes the strategy's buffers take for this system (0 for rendezvous).
uint64_t ipc_buffer_bytes(const SystemDescription& system);

// Refuses a system whose buffers exceed ipc_buffer_bytes_max.
void check_memory_budget(const DescriptionReader& reader, const SystemTableSource& source,
                         const SystemDescription& system);

}  // namespace axl::sim
