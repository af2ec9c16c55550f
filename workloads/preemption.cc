// preemption: a process that computes forever and never enters the kernel.
// Only a timer interrupt can take the CPU from it, so the processes beside
// it finish only where the port preempts (x86-64: the clock tick; the hosted
// port preempts at kernel calls only, so this runs on bare metal alone).
#include <cstdint>

#include "kernel/api/program.h"

AXL_PROGRAM(spinner, "counts in a loop forever without a single kernel call (preemption)") {
    volatile uint64_t count = 0;
    for (;;) count = count + 1;
}
