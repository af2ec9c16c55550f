#include "kernel/arch/x86_64/run_verdict.h"

#include "kernel/arch/x86_64/console.h"
#include "kernel/arch/x86_64/port.h"
#include "kernel/arch/x86_64/x86.h"
#include "kernel/boot/verdict.h"
#include "kernel/kernel.h"

namespace axl::x86_64 {

namespace {

constexpr uint16_t debug_exit_port = 0xF4;  // QEMU -device isa-debug-exit,iobase=0xf4

// A faulted process's exit status is its FaultKind.
const char* fault_name(int32_t status) {
    return status >= 0 && status <= 0xFFFF ? to_string(static_cast<FaultKind>(status)) : "unknown";
}

// Slot i runs process i of the boot image (kernel/boot/build_system.h).
boot::Expectation expectation(const Port& port, uint32_t slot) {
    return slot < port.system->processes.count ? port.system->processes[slot].expect : boot::Expectation::serve;
}

// What went wrong, for a process that did not meet its expectation.
const char* why_not(const Process& process, boot::Expectation expect) {
    switch (expect) {
        case boot::Expectation::exit:
            return process.state == ProcessState::exited ? "exited with a non-zero status" : "did not exit";
        case boot::Expectation::fault: return "was expected to be killed by a fault";
        case boot::Expectation::serve: return "ended although it should serve";
    }
    return "?";
}

}  // namespace

void report_death(const Port& port, uint32_t slot) {
    const Process& process = port.kernel->process(slot);
    switch (process.state) {
        case ProcessState::exited:
            console::print("[kernel] %s exited with status %d\n", process.name, process.exit_status);
            break;
        case ProcessState::faulted:
            console::print("[kernel] %s killed by a fault (%s)\n", process.name, fault_name(process.exit_status));
            break;
        case ProcessState::killed:
            console::print("[kernel] %s killed\n", process.name);
            break;
        default:
            break;
    }
}

void report_fault(const Port& port, uint32_t slot, FaultKind kind, const char* what, uint64_t address, uint64_t rip) {
    const char* name = port.kernel->process(slot).name;
    if (address == no_address)
        console::print("[kernel] %s faulted: %s, %s (rip %#llx)\n", name, to_string(kind), what,
                       static_cast<unsigned long long>(rip));
    else
        console::print("[kernel] %s faulted: %s, %s at address %#llx (rip %#llx)\n", name, to_string(kind), what,
                       static_cast<unsigned long long>(address), static_cast<unsigned long long>(rip));
}

bool run_is_over(const Port& port) { return boot::workloads_done(*port.kernel, *port.system); }

void finish_run(const Port& port, bool quiescent) {
    const Kernel& kernel = *port.kernel;
    bool pass = true;
    const uint64_t elapsed_ns = kernel.cpu(0).clock_ns;
    const uint64_t messages = kernel.messages_delivered();
    console::print("[kernel] run over%s: %u processes, ipc %s, %llu messages in %llu.%03llu ms\n",
                   quiescent ? " (nothing left that can run)" : "", kernel.slots_used(),
                   to_string(kernel.strategy_kind()), static_cast<unsigned long long>(messages),
                   static_cast<unsigned long long>(elapsed_ns / 1'000'000),
                   static_cast<unsigned long long>(elapsed_ns / 1'000 % 1'000));
    console::print("[kernel]   %-20s %-9s %6s %10s %10s %8s %10s  %s\n", "process", "state", "status", "sent",
                   "received", "calls", "cpu us", "expected");
    for (uint32_t slot = 0; slot < kernel.slots_used(); ++slot) {
        const Process& process = kernel.process(slot);
        const boot::Expectation expect = expectation(port, slot);
        const bool ok = boot::meets(expect, process.state, process.exit_status);
        const char* why = ok ? "" : why_not(process, expect);
        pass = pass && ok;
        console::print("[kernel]   %-20s %-9s %6d %10llu %10llu %8llu %10llu  %s: %s%s\n", process.name,
                       to_string(process.state), process.exit_status,
                       static_cast<unsigned long long>(process.counters.sent),
                       static_cast<unsigned long long>(process.counters.received),
                       static_cast<unsigned long long>(process.counters.kernel_calls),
                       static_cast<unsigned long long>(process.counters.cpu_ns / 1'000), boot::to_string(expect),
                       ok ? "ok" : "FAILED, ", ok ? "" : why);
    }
    console::print("verdict: %s\n", pass ? "pass" : "fail");
    end_with_verdict(pass);
}

void end_with_verdict(bool pass) {
    x86::cli();
    x86::outb(debug_exit_port, pass ? 0 : 1);
    // Still here: not QEMU with the exit device (a real PC).
    console::print("[kernel] the run is over; the machine can be switched off\n");
    for (;;) x86::hlt();
}

}  // namespace axl::x86_64
