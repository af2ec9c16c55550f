// kernel/platform.h on x86-64, and the way back out of the kernel: loading
// the chosen process (address space, FPU state, the result of a call it had
// blocked in) or idling until an interrupt.
#include "kernel/api/fault.h"
#include "kernel/arch/x86_64/clock.h"
#include "kernel/arch/x86_64/console.h"
#include "kernel/arch/x86_64/interrupt_controller.h"
#include "kernel/arch/x86_64/physical_memory.h"
#include "kernel/arch/x86_64/port.h"
#include "kernel/arch/x86_64/process_image.h"
#include "kernel/arch/x86_64/run_verdict.h"
#include "kernel/arch/x86_64/user_memory.h"
#include "kernel/arch/x86_64/x86.h"
#include "kernel/kernel.h"

namespace axl {

namespace x86_64 {

void account_time(Port& port) {
    const uint64_t now = clock::now_ns();
    Kernel& kernel = *port.kernel;
    if (kernel.running() != no_slot && now > port.last_charge_ns)
        (void)kernel.charge_user_time(now - port.last_charge_ns);
    port.last_charge_ns = now;
}

// The I/O ports `privilege` may use directly are open in the TSS's bitmap
// while one of its processes runs, and only then (0: close them all).
[[gnu::noinline]] void open_direct_ports(Port& port, uint16_t privilege) {
    const Kernel& kernel = *port.kernel;
    auto set = [&](uint16_t owner, bool open) {
        const DeviceRights& rights = kernel.device_rights(owner);
        for (uint32_t r = 0; r < rights.io_range_count; ++r)
            if (rights.io[r].direct) cpu::set_io_ports(rights.io[r].first, rights.io[r].last, open);
    };
    if (port.ports_open_for) set(port.ports_open_for, false);
    if (privilege) set(privilege, true);
    port.ports_open_for = privilege;
}

TrapFrame* resume_frame(Port& port) {
    Kernel& kernel = *port.kernel;
    for (;;) {
        if (port.run_over) finish_run(port);
        const uint32_t next = kernel.running();
        if (next == no_slot) idle(port);
        ProcessContext& process = port.processes[next];
        if (port.loaded != next) {
            if (port.loaded != no_slot) cpu::fpu_save(port.processes[port.loaded].fpu);
            cpu::fpu_restore(process.fpu);
            x86::write_cr3(process.space.root());
            port.loaded = next;
            // Only a switch to or from a driver with direct devices changes the bitmap.
            if (process.direct_ports_of != port.ports_open_for) [[unlikely]]
                open_direct_ports(port, process.direct_ports_of);
        }
        if (process.in_call) {
            // It blocked (or was preempted) in a call: the call returns now.
            process.in_call = false;
            const Status status = kernel.process(next).ipc_status;
            process.frame.rax = static_cast<uint64_t>(static_cast<int64_t>(status));
            const uint64_t to = process.copy_out_to;
            process.copy_out_to = 0;
            if (to && status == Status::ok && !copy_to_user(to, &process.message, sizeof(Message))) {
                report_fault(port, next, FaultKind::bad_pointer, "its receive buffer is no longer writable", to,
                             process.frame.rip);
                kernel.fault_running(FaultKind::bad_pointer, 0);
                continue;
            }
        }
        cpu::set_kernel_entry_stack(reinterpret_cast<uint64_t>(&process.frame + 1));
        return &process.frame;
    }
}

void continue_chosen(Port& port) { axl_resume(resume_frame(port)); }

void idle(Port& port) {
    Kernel& kernel = *port.kernel;
    for (;;) {
        if (port.run_over) finish_run(port);
        if (kernel.run_from_idle()) {
            port.last_charge_ns = clock::now_ns();
            continue_chosen(port);
        }
        // Nothing can make a process runnable again: no alarm and no device
        // line a driver waits on. The run is over; the verdict says whether
        // every process did what was expected of it.
        if (port.timer_at_ns == platform::never_ns && port.irq_lines_open == 0) finish_run(port, true);
        x86::sti_hlt();
        x86::cli();
    }
}

}  // namespace x86_64

namespace platform {

using namespace x86_64;

void context_create(Port& port, uint32_t slot) {
    if (const char* problem = build_process_image(port, slot))
        panic(problem);  // boot checked every image; only memory can run out here
}

void context_destroy(Port& port, uint32_t slot) {
    ProcessContext& process = port.processes[slot];
    if (port.loaded == slot) {
        // Its tables are about to be freed: stand on the kernel's own.
        x86::write_cr3(kernel_root());
        port.loaded = no_slot;
    }
    process.space.destroy();
    process.in_call = false;
    process.copy_out_to = 0;
    report_death(port, slot);
    if (run_is_over(port)) port.run_over = true;
}

void fence_other_cpus(Port&) {}  // one CPU

void console_write(Port& port, const char* text, size_t length) {
    const uint32_t slot = port.kernel->running();
    const char* name = slot != no_slot ? port.kernel->process(slot).name : "kernel";
    while (length > 0 && text[length - 1] == '\n') --length;
    console::print("[%s] %.*s\n", name, static_cast<int>(length), text);
}

uint32_t io_read(Port&, uint16_t address, uint32_t width) {
    switch (width) {
        case 1: return x86::inb(address);
        case 2: return x86::inw(address);
        default: return x86::inl(address);
    }
}

void io_write(Port&, uint16_t address, uint32_t width, uint32_t value) {
    switch (width) {
        case 1: x86::outb(address, static_cast<uint8_t>(value)); break;
        case 2: x86::outw(address, static_cast<uint16_t>(value)); break;
        default: x86::outl(address, value); break;
    }
}

// The kernel access model reaches a register through the direct map of the
// first 4 GiB, where the firmware places 32-bit BARs. That map is write-back
// in the page tables, but the firmware's MTRRs make the PCI hole uncached, and
// an uncached MTRR wins over the page's type, so each access reaches the
// device. A register above 4 GiB (a 64-bit BAR placed high) is not mapped
// there: it reads as all ones, as the bus floats, and a write is dropped.
uint32_t mmio_read(Port&, uint64_t address, uint32_t width) {
    if (address + width > x86_64::physical_limit) return 0xFFFF'FFFFu;
    const volatile void* at = x86_64::phys_to_virt(address);
    switch (width) {
        case 1: return *static_cast<const volatile uint8_t*>(at);
        case 2: return *static_cast<const volatile uint16_t*>(at);
        default: return *static_cast<const volatile uint32_t*>(at);
    }
}
void mmio_write(Port&, uint64_t address, uint32_t width, uint32_t value) {
    if (address + width > x86_64::physical_limit) return;
    volatile void* at = x86_64::phys_to_virt(address);
    switch (width) {
        case 1: *static_cast<volatile uint8_t*>(at) = static_cast<uint8_t>(value); break;
        case 2: *static_cast<volatile uint16_t*>(at) = static_cast<uint16_t>(value); break;
        default: *static_cast<volatile uint32_t*>(at) = value; break;
    }
}

void device_rights_changed(Port& port, uint32_t slot) {
    if (const char* problem = x86_64::open_direct_devices(port, slot)) {
        // The rights stand; the driver's direct accesses will fault and say where.
        console::print("[kernel] %s: its new device rights cannot be opened to it: %s\n",
                       port.kernel->process(slot).name, problem);
    }
    if (port.loaded == slot) x86_64::open_direct_ports(port, port.processes[slot].direct_ports_of);
}

void irq_mask(Port& port, uint32_t line) {
    if (!interrupt_controller::serves(line) || line == clock::tick_line) return;
    interrupt_controller::mask(line);
    port.irq_lines_open &= ~(uint64_t{1} << line);
}

void irq_unmask(Port& port, uint32_t line) {
    if (!interrupt_controller::serves(line) || line == clock::tick_line) return;
    port.irq_lines_open |= uint64_t{1} << line;
    interrupt_controller::unmask(line);
}

void timer_arm(Port& port, uint64_t at_ns) { port.timer_at_ns = at_ns; }

bool copy_memory(Port& port, uint32_t to_slot, uintptr_t to, uint32_t from_slot, uintptr_t from, size_t bytes) {
    const AddressSpace& destination = port.processes[to_slot].space;
    const AddressSpace& source = port.processes[from_slot].space;
    while (bytes > 0) {
        uint64_t to_physical, from_physical;
        if (!destination.translate(to, true, to_physical) || !source.translate(from, false, from_physical))
            return false;
        // Up to the nearer page end of the two.
        size_t chunk = page_size - (to & (page_size - 1));
        const size_t from_room = page_size - (from & (page_size - 1));
        if (from_room < chunk) chunk = from_room;
        if (bytes < chunk) chunk = bytes;
        __builtin_memcpy(phys_to_virt(to_physical), phys_to_virt(from_physical), chunk);
        to += chunk;
        from += chunk;
        bytes -= chunk;
    }
    return true;
}

void trace(Port&, const TraceEvent&) {}  // tracing is a hosted-port feature for now

void panic(const char* message) {
    x86::cli();
    console::print("\nKERNEL PANIC: %s\n", message);
    end_with_verdict(false);
}

}  // namespace platform
}  // namespace axl

// The C++ runtime's one hook the kernel may reach: a call through an
// abstract class's vtable slot (IpcStrategy's) is a kernel bug.
extern "C" [[noreturn]] void __cxa_pure_virtual() { axl::platform::panic("pure virtual function called"); }
