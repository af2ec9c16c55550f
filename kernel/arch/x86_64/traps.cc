// Interrupts and exceptions (entry.S's trap_common lands here). A fault in a
// process kills that process; a fault in the kernel is a panic, except in a
// copy from or to user memory, which fails the copy instead.
#include "kernel/api/fault.h"
#include "kernel/arch/x86_64/clock.h"
#include "kernel/arch/x86_64/console.h"
#include "kernel/arch/x86_64/interrupt_controller.h"
#include "kernel/arch/x86_64/port.h"
#include "kernel/arch/x86_64/run_verdict.h"
#include "kernel/arch/x86_64/syscall_abi.h"
#include "kernel/arch/x86_64/x86.h"
#include "kernel/kernel.h"
#include "kernel/lib/format.h"

extern "C" const uint64_t __fixups_start[], __fixups_end[];

namespace axl::x86_64 {

namespace {

enum Vector : uint64_t {
    divide_error = 0,
    breakpoint = 3,
    invalid_opcode = 6,
    device_not_available = 7,
    double_fault = 8,
    general_protection = 13,
    page_fault = 14,
    x87_error = 16,
    alignment_check = 17,
    simd_error = 19,
    spurious = 255,
};

const char* vector_name(uint64_t vector) {
    switch (vector) {
        case divide_error: return "divide error";
        case breakpoint: return "breakpoint";
        case invalid_opcode: return "invalid opcode";
        case device_not_available: return "FPU not available";
        case double_fault: return "double fault";
        case general_protection: return "general protection fault";
        case page_fault: return "page fault";
        case x87_error: return "x87 floating-point error";
        case alignment_check: return "alignment check";
        case simd_error: return "SIMD floating-point error";
        default: return "exception";
    }
}

// Page-fault error code bits.
constexpr uint64_t pf_write = 1u << 1, pf_fetch = 1u << 4, pf_present = 1u << 0;

FaultKind classify(const TrapFrame& frame, uint64_t address, uint64_t stack_bytes, const char*& what) {
    what = vector_name(frame.vector);
    switch (frame.vector) {
        case divide_error: return FaultKind::divide_by_zero;
        case x87_error:
        case simd_error: return FaultKind::arithmetic;
        case invalid_opcode:
        case breakpoint: return FaultKind::illegal_instruction;
        case alignment_check: return FaultKind::bus_error;
        case page_fault: {
            const bool present = frame.error & pf_present;
            if (frame.error & pf_fetch)
                what = present ? "executing a page that is not code" : "executing unmapped memory";
            else if (frame.error & pf_write)
                what = present ? "writing a read-only page" : "writing unmapped memory";
            else
                what = "reading unmapped memory";
            if (address < 4096) return FaultKind::null_pointer;
            const uint64_t stack_bottom = stack_top - stack_bytes;
            if (address < stack_bottom && address >= stack_bottom - 64 * 1024) return FaultKind::stack_overflow;
            return FaultKind::bad_pointer;
        }
        case general_protection:
            what = "general protection fault (a privileged instruction or a non-canonical address)";
            return FaultKind::bad_pointer;
        default: return FaultKind::bad_pointer;
    }
}

[[noreturn]] void kernel_fault(const TrapFrame& frame) {
    char text[256];
    format::format(text, sizeof text, "%s in the kernel (vector %llu, error %#llx) at rip %#llx, address %#llx",
                   vector_name(frame.vector), static_cast<unsigned long long>(frame.vector),
                   static_cast<unsigned long long>(frame.error), static_cast<unsigned long long>(frame.rip),
                   static_cast<unsigned long long>(x86::read_cr2()));
    platform::panic(text);
}

TrapFrame* process_fault(Port& port, TrapFrame* frame) {
    Kernel& kernel = *port.kernel;
    const uint32_t slot = kernel.running();
    const uint64_t address = frame->vector == page_fault ? x86::read_cr2() : no_address;
    // Slot i runs process i of the boot image (kernel/boot/build_system.h).
    const uint64_t stack_bytes = slot < port.system->processes.count ? port.system->processes[slot].stack_bytes : 0;
    const char* what = "";
    const FaultKind kind = classify(*frame, address, stack_bytes, what);
    account_time(port);
    report_fault(port, slot, kind, what, address, frame->rip);
    kernel.fault_running(kind, static_cast<uint32_t>(frame->vector));
    return resume_frame(port);
}

TrapFrame* interrupt(Port& port, TrapFrame* frame, bool from_user) {
    Kernel& kernel = *port.kernel;
    const uint32_t line = static_cast<uint32_t>(frame->vector - interrupt_controller::vector_base);
    if (!interrupt_controller::accept(line)) return frame;
    if (from_user) account_time(port);
    uint64_t now = clock::now_ns();
    if (kernel.cpu(0).clock_ns > now) now = kernel.cpu(0).clock_ns;
    if (line == clock::tick_line) {
        interrupt_controller::end_of_interrupt(line);
        if (port.timer_at_ns <= now) {
            port.timer_at_ns = platform::never_ns;
            kernel.timer_expired(now);
        }
    } else {
        kernel.interrupt(line, now);
        interrupt_controller::end_of_interrupt(line);
    }
    // From the idle loop: it looks for work itself once this returns.
    if (!from_user) return frame;
    // The tick is what preempts a process that never enters the kernel.
    (void)kernel.preemption_point();
    return resume_frame(port);
}

}  // namespace

}  // namespace axl::x86_64

extern "C" axl::x86_64::TrapFrame* axl_trap(axl::x86_64::TrapFrame* frame) {
    using namespace axl::x86_64;
    axl::Port& port = the_port();
    const bool from_user = (frame->cs & 3) != 0;
    if (frame->vector == spurious) return frame;
    if (frame->vector < interrupt_controller::vector_base) {
        if (from_user) return process_fault(port, frame);
        if (frame->vector == page_fault || frame->vector == general_protection) {
            for (const uint64_t* fixup = __fixups_start; fixup < __fixups_end; fixup += 2) {
                if (fixup[0] == frame->rip) {
                    frame->rip = fixup[1];  // the copy reports failure
                    return frame;
                }
            }
        }
        kernel_fault(*frame);
    }
    return interrupt(port, frame, from_user);
}
