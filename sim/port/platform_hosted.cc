// kernel/platform.h for the hosted port: contexts are fibers, the console is
// the run's log, trace events go to the Tracer.
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "kernel/platform.h"
#include "sim/port/fault_guard.h"
#include "kernel/lib/splitmix64.h"
#include "sim/port/hosted_port.h"
#include "sim/port/parallel.h"
#include "sim/port/program_registry.h"

namespace axl {

namespace {

// A hand-built port (some kernel tests) has no machine: the kernel's clock then.
uint64_t lifecycle_time(const Port& port) {
    return port.machine ? port.machine->now_ns() : port.kernel->now_ns();
}

[[noreturn]] void process_entry(void* arg) {
    Port& port = *static_cast<Port*>(arg);
    sim::HostedProcess& process = port.processes[sim::running_slot];
    sim::arm_fault_guard(process.fault_target);
    int32_t status = process.program->entry();
    sim::exit_running(port, status);
}

}  // namespace

namespace sim {
bool run_from_idle(Port& port) {
    if (port.kernel->running() == no_slot && !port.kernel->run_from_idle()) return false;
    (void)switch_to_chosen(port, idle_context);
    port.release_finished_stacks();
    return true;
}

// A kernel entry that does not return to the process that made it (its exit,
// its fault): in parallel mode under the kernel lock, released before leaving.
template <typename Entry>
void final_kernel_entry(Port& port, Entry&& entry) {
    Kernel& kernel = *port.kernel;
    if (port.parallel) {
        std::lock_guard lock(port.parallel->kernel_lock);
        kernel.enter_from_cpu(host_cpu);
        entry(kernel);
        kernel.leave_to_cpu();
        port.parallel->wake_cpus_with_work(kernel);
        return;
    }
    entry(kernel);
}

void exit_running(Port& port, int32_t status) {
    disarm_fault_guard();
    final_kernel_entry(port, [&](Kernel& kernel) { kernel.kcall_exit(status); });
    leave_for_good(port);
}

void crash_running(Port& port, FaultKind kind, const std::string& why) {
    disarm_fault_guard();
    final_kernel_entry(port, [&](Kernel& kernel) {
        port.processes[kernel.running()].fault = why;
        kernel.fault_running(kind, 0);
    });
    leave_for_good(port);
}

// Runs on the fault guard's emergency stack, in place of the faulting code.
[[noreturn]] void process_faulted(void* arg, const FaultInfo& info) {
    Port& port = *static_cast<Port*>(arg);
    final_kernel_entry(port, [&](Kernel& kernel) {
        port.processes[kernel.running()].fault = info.describe();
        kernel.fault_running(info.kind, static_cast<uint32_t>(info.signal));
    });
    leave_for_good(port);
}
}  // namespace sim

void Port::release_finished_stacks(uint32_t cpu) {
    if (cpu >= stacks_to_release.size()) return;
    for (FinishedStack& finished : stacks_to_release[cpu]) {
#if AXL_TSAN_FIBERS
        sim::retire_fiber(finished.context);
#endif
        stacks.release(finished.stack);
    }
    stacks_to_release[cpu].clear();
}

void Port::release_finished_stacks() {
    for (uint32_t cpu = 0; cpu < stacks_to_release.size(); ++cpu) release_finished_stacks(cpu);
}

#if AXL_TSAN_FIBERS
// Processes still alive (a server, a run stopped by `until`) keep their stacks
// until the pool goes; TSan's state for their fibers goes here.
Port::~Port() {
    for (sim::HostedProcess& process : processes)
        if (process.has_stack) sim::retire_fiber(process.context);
}
#endif

namespace platform {

void context_create(Port& port, uint32_t slot) {
    if (slot >= port.processes.size()) port.processes.resize(slot + 1);
    sim::HostedProcess& process = port.processes[slot];
    // Slot i runs process i of the boot image (kernel/boot/build_system.h), at
    // boot and after every restart; a slot that ran before is being restarted.
    const sim::ProcessDescription* description = &port.system->processes[slot];
    const uint32_t restarts = process.started ? process.restarts + 1 : 0;
#if AXL_TSAN_FIBERS
    if (process.has_stack) sim::retire_fiber(process.context);
#endif
    if (process.has_stack) port.stacks.release(process.stack);
    process = sim::HostedProcess{};
    process.started = true;
    process.restarts = restarts;
    process.program = sim::find_program(description->program);
    process.stack = port.stacks.acquire(description->stack_bytes);
    process.has_stack = true;
    process.context = sim::make_fiber(process.stack, &process_entry, &port);
#if AXL_TSAN_FIBERS
    sim::name_fiber(process.context, description->name.c_str());
#endif
    process.fault_target = sim::FaultTarget{.on_fault = &sim::process_faulted, .arg = &port, .stack = process.stack};
    // Each process draws from its own stream, derived from the run's seed.
    process.random_state = splitmix64::stream_start(port.system->seed, slot);
    if (port.tracer) port.tracer->set_process_name(slot, description->name);
    if (restarts > 0)
        port.lifecycle.push_back(sim::LifecycleEvent{.time_ns = lifecycle_time(port),
                                                     .slot = slot,
                                                     .process = description->name,
                                                     .what = sim::LifecycleEvent::What::restarted,
                                                     .state = ProcessState::runnable});
}

void context_destroy(Port& port, uint32_t slot) {
    // Usually called on the dying process's own stack: release it only once
    // we run elsewhere (the idle loop, where the dying process goes last).
    sim::HostedProcess& process = port.processes[slot];
    if (process.started)
        port.lifecycle.push_back(sim::LifecycleEvent{.time_ns = lifecycle_time(port),
                                                     .slot = slot,
                                                     .process = port.system->processes[slot].name,
                                                     .what = sim::LifecycleEvent::What::died,
                                                     .state = port.kernel->process(slot).state});
    // Its grants are revoked already: no device reaches its buffers any more.
    port.machine->dma_release(slot);
    if (!process.has_stack) return;
    const uint32_t cpu = port.kernel->process(slot).cpu;
    if (cpu >= port.stacks_to_release.size()) port.stacks_to_release.resize(cpu + 1);
    port.stacks_to_release[cpu].push_back({process.stack, process.context});
    process.has_stack = false;  // the list owns the stack now
}

// membarrier(2): every thread of this process that is running now executes a
// full barrier before the call returns (the port registered for it before it
// enabled asymmetric fences: sim/port/parallel.cc).
void fence_other_cpus(Port&) {
    if (syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) != 0)
        platform::panic("membarrier(PRIVATE_EXPEDITED) failed after registration");
}

uint32_t io_read(Port& port, uint16_t address, uint32_t width) { return port.machine->io_read(address, width); }
uint32_t mmio_read(Port& port, uint64_t address, uint32_t width) { return port.machine->mmio_read(address, width); }
void mmio_write(Port& port, uint64_t address, uint32_t width, uint32_t value) {
    port.machine->mmio_write(address, width, value);
}
void io_write(Port& port, uint16_t address, uint32_t width, uint32_t value) {
    port.machine->io_write(address, width, value);
}
bool dma_allocate(Port& port, uint32_t slot, uint64_t bytes, GrantId window, uintptr_t& address, uint64_t& bus) {
    return port.machine->dma_allocate(slot, bytes, window, address, bus);
}
// The direct model reads the rights at each access (user_calls.cc): nothing to open.
void device_rights_changed(Port&, uint32_t) {}
void irq_mask(Port& port, uint32_t line) { port.machine->irq_mask(line); }
void irq_unmask(Port& port, uint32_t line) { port.machine->irq_unmask(line); }
void timer_arm(Port& port, uint64_t at_ns) { port.machine->timer_arm(at_ns); }

// One address space: the slots do not matter, only that both ranges are mapped.
bool copy_memory(Port&, uint32_t, uintptr_t to, uint32_t, uintptr_t from, size_t bytes) {
    return sim::safe_copy(reinterpret_cast<void*>(to), reinterpret_cast<const void*>(from), bytes);
}

void console_write(Port& port, const char* text, size_t length) {
    uint32_t slot = port.kernel->running();
    std::string line = "[";
    line += slot < port.processes.size() && port.processes[slot].started ? port.system->processes[slot].name
                                                                          : std::string("kernel");
    line += "] ";
    line.append(text, length);
    while (!line.empty() && line.back() == '\n') line.pop_back();
    if (port.options.echo_console) std::fprintf(stdout, "%s\n", line.c_str());
    port.console.push_back(std::move(line));
}

void trace(Port& port, const TraceEvent& event) { port.tracer->record(event); }

[[noreturn]] void panic(const char* message) {
    std::fprintf(stderr, "axolotl kernel panic: %s\n", message);
    std::fflush(nullptr);
    std::abort();
}

}  // namespace platform
}  // namespace axl
