// The x86-64 port's state: what kernel/platform.h's `Port` is on bare metal.
// One kernel, one CPU, one of these (kernel_main.cc owns it).
#pragma once

#include <cstdint>

#include "kernel/api/message.h"
#include "kernel/arch/x86_64/address_space.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/multiboot.h"
#include "kernel/arch/x86_64/trap_frame.h"
#include "kernel/boot/system_file.h"
#include "kernel/config.h"
#include "kernel/process.h"

namespace axl {

class Kernel;

namespace x86_64 {

// A process as the port sees it. The trap frame comes first and the entry is
// 64-byte aligned, so the frame's end, where the CPU starts pushing, is
// 16-byte aligned as interrupt entry requires.
struct alignas(64) ProcessContext {
    TrapFrame frame;
    cpu::FpuState fpu;
    // The message a call passes and receives, kept in the kernel: the kernel
    // core may write a blocked receiver's message while another address space
    // is loaded, and the port copies it out when the receiver runs again.
    Message message;
    uint64_t copy_out_to = 0;  // user address the message goes to on resumption
    bool in_call = false;      // blocked in a call: its status comes from Process::ipc_status
    uint16_t direct_ports_of = 0;  // its privilege, if it has access = "direct" devices; else 0
    uint64_t dma_next = 0;         // where its next DMA buffer is mapped (0: dma_area_base)
    AddressSpace space;
};

}  // namespace x86_64

struct Port {
    Kernel* kernel = nullptr;
    const boot::BootImage* system = nullptr;   // slot i runs its process i
    const x86_64::BootInformation* boot = nullptr;
    uint32_t loaded = no_slot;                // whose address space and FPU state the CPU holds
    uint64_t last_charge_ns = 0;              // real time already charged to processes
    uint64_t timer_at_ns = ~uint64_t{0};      // Kernel's one-shot timer (platform::timer_arm)
    uint64_t irq_lines_open = 0;              // device lines unmasked for drivers
    uint16_t ports_open_for = 0;              // privilege whose direct I/O ports the TSS opens (0: none)
    bool run_over = false;
    x86_64::ProcessContext processes[config::process_slots_max];
};

namespace x86_64 {

Port& the_port();
// Continue what the kernel chose: its process (address space, FPU state,
// the result of a call it blocked in), or the idle loop.
[[noreturn]] void continue_chosen(Port& port);
TrapFrame* resume_frame(Port& port);
// Real time that passed since the last kernel entry, charged to the running process.
void account_time(Port& port);
[[noreturn]] void idle(Port& port);

}  // namespace x86_64
}  // namespace axl
