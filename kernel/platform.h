// The one seam between the portable kernel and a machine. kernel/ reaches the
// machine only through these functions; sim/ (hosted) and kernel/arch/x86_64/
// (bare metal) each define all of them. Functions are bound at link time, so
// there is no indirection on the switch path; `Port` is each port's own state,
// opaque here, so several kernels can live in one hosted process.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernel/trace.h"

namespace axl {

struct Port;  // defined by the port
class Kernel;

namespace platform {

// Execution contexts ---------------------------------------------------------
// A process was created in `slot`: prepare its context so that switching to it
// starts the program the port associated with the slot.
void context_create(Port& port, uint32_t slot);
// The process in `slot` will never run again. May be called on that process's
// own context; the port must defer releasing it until it has switched away.
void context_destroy(Port& port, uint32_t slot);
// Leave the context of `from` (a slot, or idle_context for the port's idle
// loop) and continue `to` on `cpu`. Returns when something switches back to
// `from`. A port may go to its idle loop instead (to deliver due events); the
// kernel therefore never assumes `to` ran.
inline constexpr uint32_t idle_context = 0xFFFF'FFFFu;
void switch_to(Port& port, uint32_t cpu, uint32_t from, uint32_t to);

// Machine --------------------------------------------------------------------
void console_write(Port& port, const char* text, size_t length);
void trace(Port& port, const TraceEvent& event);
[[noreturn]] void panic(const char* message);

}  // namespace platform
}  // namespace axl
