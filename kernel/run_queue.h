// RunQueue: one CPU's runnable processes, a FIFO per priority level plus a
// mask of non-empty levels so picking the next process is one bit scan.
#pragma once

#include <cstdint>

#include "kernel/config.h"

namespace axl {

struct RunQueue {
    uint32_t head[config::priority_levels];
    uint32_t tail[config::priority_levels];
    uint32_t nonempty = 0;  // bit L set = level L has a process
};

struct alignas(256) Cpu {
    uint64_t clock_ns = 0;   // virtual time on this CPU
    uint64_t idle_ns = 0;    // virtual time it spent with nothing to run
    uint64_t switches = 0;
    uint64_t messages_delivered = 0;  // to processes while they ran here (per CPU: no shared counter)
    uint32_t last_ran = 0xFFFF'FFFFu;      // slot it ran last, to charge switches only on change
    uint32_t dedicated_to = 0xFFFF'FFFFu;  // slot, when the CPU runs one process only
    uint32_t current = 0xFFFF'FFFFu;       // parallel mode: the slot this CPU runs (none: idle)
    bool reserved = false;                 // kept free for a process that will be dedicated to it
    RunQueue run_queue;
};
static_assert(sizeof(Cpu) == 256, "indexing the CPU table is a shift on every call");

}  // namespace axl
