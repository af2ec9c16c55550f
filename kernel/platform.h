// The one seam between the portable kernel and a machine. kernel/ reaches the
// machine only through these functions; sim/ (hosted) and kernel/arch/x86_64/
// (bare metal) each define all of them. Functions are bound at link time, so
// there is no indirection on the switch path; `Port` is each port's own state,
// opaque here, so several kernels can live in one hosted process.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernel/api/grant.h"
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
//
// There is no switch function: the kernel never changes context in the middle
// of its own code. Every kernel entry (a call, a fault) runs to completion and
// leaves its decision in Kernel::running(): the process the port must continue
// on leaving the kernel, or no_slot for the port's idle loop. A process that
// blocked is continued later, when it is chosen again, and its call then
// returns Kernel::process(slot).ipc_status. This is the bare-metal shape (one
// kernel stack per CPU; the exit path restores whichever process was chosen)
// and it lets the hosted port switch fibers at the very end of a call.

// Machine --------------------------------------------------------------------
// Makes every CPU that runs this kernel's processes execute a full memory
// barrier, as if each had run one where it is now, before this returns
// (hosted: membarrier(2) PRIVATE_EXPEDITED; bare metal: an IPI to the other
// CPUs). The heavy half of an asymmetric fence: parallel mode's unlocked
// senders then need only a compiler barrier on their hot path (see
// kernel/fastpath_unlocked.h). Called only after the port enabled it
// (Kernel::set_asymmetric_fences).
void fence_other_cpus(Port& port);
void console_write(Port& port, const char* text, size_t length);

// Devices --------------------------------------------------------------------
// Register access on the I/O port bus, already checked against the caller's
// rights (hosted: the simulated devices; bare metal: in/out instructions).
// `width` is 1, 2 or 4 bytes. A port nothing answers reads as all ones.
uint32_t io_read(Port& port, uint16_t address, uint32_t width);
void io_write(Port& port, uint16_t address, uint32_t width, uint32_t value);
// The same for memory-mapped registers at a physical address (a PCI memory
// BAR). Hosted: the simulated PCI bus; bare metal: not yet (no privilege
// carries an MMIO range there, so the kernel never calls them).
uint32_t mmio_read(Port& port, uint64_t address, uint32_t width);
void mmio_write(Port& port, uint64_t address, uint32_t width, uint32_t value);
// A process's device rights grew while it exists (Kernel::kcall_device_grant):
// the port opens what the direct access model needs (bare metal: the I/O
// bitmap, the driver's uncached mappings of its memory ranges, its startup
// block's list of direct ranges). Hosted ports read the rights at each access.
void device_rights_changed(Port& port, uint32_t slot);
// A DMA buffer for the process in `slot` (Kernel::kcall_dma): `bytes` (whole
// pages) of contiguous, zeroed memory, mapped into the process at `address`,
// owned by its context (released with it by context_destroy). `bus` is where
// a device reaches it: bare metal, its physical address (below 256 MiB when
// possible); hosted, an address of the simulated bus that the machine maps to
// `window`, a grant of the buffer to endpoints::hardware the kernel makes
// for the process. False: no memory (nothing allocated).
bool dma_allocate(Port& port, uint32_t slot, uint64_t bytes, GrantId window, uintptr_t& address, uint64_t& bus);
// The interrupt controller: a masked line is not delivered; a line unmasked
// while its device still asserts it is delivered again (Kernel::interrupt).
void irq_mask(Port& port, uint32_t line);
void irq_unmask(Port& port, uint32_t line);
// One-shot timer: call Kernel::timer_expired once virtual (or real) time
// reaches `at_ns`. A new call replaces the previous one; never_ns disarms.
inline constexpr uint64_t never_ns = ~uint64_t{0};
void timer_arm(Port& port, uint64_t at_ns);
// Copies between process memories (hosted: one address space; bare metal:
// through each one's page tables). False, having copied nothing useful, if
// either range is not mapped: the kernel reports bad_address, it never faults.
bool copy_memory(Port& port, uint32_t to_slot, uintptr_t to, uint32_t from_slot, uintptr_t from, size_t bytes);
void trace(Port& port, const TraceEvent& event);
[[noreturn]] void panic(const char* message);

}  // namespace platform
}  // namespace axl
