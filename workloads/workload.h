// Workload: the shape every program in workloads/ follows (the FoundationDB
// TestWorkload idea, MODELS.md rule 13). A workload is a class whose
// constructor reads its named options with defaults, and which then goes through
// three phases:
//
//   1. setup(): validate options, look up the peers it talks to;
//   2. run():   produce the traffic, checking every message as it arrives;
//   3. check(): verify what the whole run produced, log a one-line result.
//
// A failed self-check calls axl::fail(), which logs "expected X, got Y" and
// exits the process with status 1, so a workload that reaches the end of
// check() has passed and its program returns 0. Servers never leave run().
//
// Only kernel/api/, libsys/ and freestanding headers: programs must build unchanged for
// the bare-metal port (no heap, no exceptions, no stdio).
#pragma once

#include <cstdint>

#include "kernel/api/endpoint.h"
#include "kernel/api/ipc.h"
#include "kernel/api/message.h"
#include "kernel/api/status.h"
#include "libsys/checks.h"
#include "libsys/payload.h"
#include "libsys/reply.h"

namespace axl::workloads {

template <typename W>
int32_t run_workload() {
    W workload;  // reads its options
    workload.setup();
    workload.run();
    workload.check();
    return 0;
}

// The program-side library (libsys/) is every workload's too.
using namespace axl::sys;

}  // namespace axl::workloads
