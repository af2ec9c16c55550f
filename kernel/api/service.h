// Process management for the reincarnation server (servers/rs.cc): it learns
// of every death, ends processes that hang, and starts dead ones again from
// their image. A restarted process keeps its slot and name and gets a new
// endpoint generation, so clients holding the old endpoint get dead_endpoint,
// look the name up again and retry. All need the process_control kernel call.
#pragma once

#include <cstdint>

#include "kernel/api/endpoint.h"
#include "kernel/api/status.h"

namespace axl {

enum class DeathKind : uint8_t { exited, faulted, killed };

struct Death {
    Endpoint endpoint;  // the incarnation that died
    int32_t status = 0;  // exit status, or the fault's kind
    DeathKind kind = DeathKind::exited;
    char name[process_name_bytes] = {};
};

// The caller is told of every later death: a notification from
// endpoints::system, then next_death() until it returns not_found.
Status watch_deaths();
Status next_death(Death& death);
// Ends `process` (not the caller) as killed; whoever waits for it gets dead_endpoint.
Status kill(Endpoint process);
// Starts the dead incarnation `dead` again, in its slot, from its image:
// `fresh` is its new endpoint. bad_argument if it is alive or already restarted.
Status restart(Endpoint dead, Endpoint& fresh);

}  // namespace axl
