#include "sim/machine/cost_model.h"

namespace axl::sim {

// First estimates for a current x86-64 core running the bare-metal port, taken
// from published path lengths (seL4 fastpath ~770 cycles per call+reply, L4Re
// 587 instructions per IPC) and typical syscall/IPI costs. They are meant to be
// replaced by figures measured on the bare-metal port (`-icount` path lengths),
// which is why the kernel reads them from here and never hard-codes any.
CostModel default_cost_model() {
    return CostModel{
        .kernel_entry_ns = 60,         // syscall + sysret with register save/restore
        .context_switch_ns = 120,      // kernel stack + address-space switch (PCID, no flush)
        .message_copy_ns = 8,          // 64 bytes, one cache line, already hot
        .notify_ns = 15,               // set a bit, build a 64-byte notification
        .buffer_op_ns = 12,            // push or pop of a ring/queue slot
        .cross_cpu_wakeup_ns = 1'500,  // IPI to a halted core and its wake-up
        .io_access_ns = 150,           // an uncached port access on the ISA/LPC path (~0.1-1 us)
        .interrupt_ns = 400,           // IDT entry, PIC/APIC acknowledge, handler, iret
        .copy_per_kib_ns = 100,        // ~10 GB/s memcpy between address spaces
    };
}

}  // namespace axl::sim
