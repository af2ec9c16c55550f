// CostModel: how much virtual time each kernel action charges to the CPU that
// performs it. The kernel only applies the numbers; the hosted port fills them
// in (sim/machine/cost_model.cc documents where each value comes from), and a port on
// real hardware can pass zeros and account real time instead.
#pragma once

#include <cstdint>

namespace axl {

struct CostModel {
    uint64_t kernel_entry_ns = 0;     // trap into the kernel and back
    uint64_t context_switch_ns = 0;   // save one process, restore another
    uint64_t message_copy_ns = 0;     // one 64-byte message copy
    uint64_t notify_ns = 0;           // set a pending bit / build a notify message
    uint64_t buffer_op_ns = 0;        // push or pop of a strategy's buffer
    uint64_t cross_cpu_wakeup_ns = 0; // waking a process on another CPU (IPI)
    uint64_t io_access_ns = 0;        // one device register access (the I/O instruction)
    uint64_t interrupt_ns = 0;        // interrupt entry, controller acknowledge, handler
    uint64_t copy_per_kib_ns = 0;     // safe copy / DMA bandwidth: ns per KiB copied
};

}  // namespace axl
