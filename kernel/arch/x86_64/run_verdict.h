// The end of a run on bare metal, as the hosted port's run report ends one:
// every process's outcome against what the system file expects of it, the
// verdict, and the exit through QEMU's isa-debug-exit device (status 1 for
// pass, 3 for fail), or a halt on a real PC.
#pragma once

#include <cstdint>

#include "kernel/api/fault.h"

namespace axl {
struct Port;
}

namespace axl::x86_64 {

// A process ended (exit, fault or kill): one console line.
void report_death(const Port& port, uint32_t slot);
// A process is about to be killed for a fault: what it did, and where (a
// memory fault also names the address it touched).
inline constexpr uint64_t no_address = ~uint64_t{0};
void report_fault(const Port& port, uint32_t slot, FaultKind kind, const char* what, uint64_t address, uint64_t rip);
// Every process the system file expects to exit has ended (as the hosted
// simulator decides: processes expected to fault, and servers, may be
// restarted or go on serving).
bool run_is_over(const Port& port);
// The report and the verdict, from what each process did against what was
// expected of it. `quiescent`: the run ended because nothing could run any
// more (no runnable process, no alarm, no device line a driver waits on).
[[noreturn]] void finish_run(const Port& port, bool quiescent = false);
[[noreturn]] void end_with_verdict(bool pass);

}  // namespace axl::x86_64
