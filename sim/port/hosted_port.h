// The hosted port's machine state: what kernel/platform.h's `Port` is here.
// One per Simulator; the platform functions (sim/port/platform_hosted.cc) and the
// user-side calls (sim/port/user_calls.cc) reach everything through it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kernel/api/program.h"
#include "kernel/boot/boot_image.h"
#include "kernel/kernel.h"
#include "sim/machine/machine.h"
#include "sim/machine/event_queue.h"
#include "sim/port/fault_guard.h"
#include "sim/port/fiber.h"
#include "sim/port/simulator.h"
#include "sim/port/stack_pool.h"
#include "sim/config/system_description.h"
#include "sim/harness/tracer.h"

namespace axl {

namespace sim {

struct ParallelRun;  // sim/port/parallel.h
class FaultInjector;  // sim/harness/fault_injector.h

// The host thread's idle loop context (the simulator's own stack): where a
// CPU goes when it has nothing to run, and where ended processes go last.
inline constinit thread_local FiberHandle idle_context = nullptr;
// The simulated CPU this host thread runs, in parallel mode.
inline constinit thread_local uint32_t host_cpu = 0;
// The process this host thread is running (no_slot in the idle loop): what
// program-side services (arguments, random numbers) belong to, without asking
// the kernel, whose running() another CPU's entry may be changing.
inline constinit thread_local uint32_t running_slot = 0xFFFF'FFFFu;

// A process as the host sees it: its program, arguments, stack and context.
struct alignas(128) HostedProcess {
    bool started = false;  // once started, a slot only restarts: it runs port.system->processes[slot]
    const ProgramInfo* program = nullptr;
    Stack stack;
    bool has_stack = false;
    FiberHandle context = nullptr;
    FaultTarget fault_target;  // armed while its program code runs
    uint64_t random_state = 0; // SplitMix64 state behind axl::random_u64()
    std::string fault;  // what killed it, when a real fault did
    std::string failure;  // what it gave axl::fail() as the reason, when it called it
    uint32_t restarts = 0;  // times the slot was started again after its first start
};

}  // namespace sim

struct Port {
    const sim::SystemDescription* system = nullptr;
    const boot::BootImage* image = nullptr;  // what the kernel was built from: slot i runs process i
    sim::RunOptions options;
    sim::StackPool stacks;
    std::vector<sim::HostedProcess> processes;  // by kernel slot
    // Per CPU: stacks of processes that ended (usually while running on them),
    // released by that CPU's idle loop once the host thread has left them.
    // The stack itself is kept, not the slot: a slot may be reused before then.
    struct FinishedStack {
        sim::Stack stack;
        sim::FiberHandle context;  // TSan builds retire its fiber with the stack
    };
    std::vector<std::vector<FinishedStack>> stacks_to_release;
    sim::ParallelRun* parallel = nullptr;  // set while a parallel run is going on
    // Set when a scenario injects faults: every kernel call of a process
    // passes its injection point first (sim/harness/fault_injector.h).
    sim::FaultInjector* injector = nullptr;
    sim::EventQueue events;  // device completions, timers, injected faults (virtual time)
    std::unique_ptr<sim::Machine> machine;  // devices, interrupt controller, the kernel's timer
    std::unique_ptr<sim::Tracer> tracer;
    std::vector<std::string> console;
    std::vector<sim::LifecycleEvent> lifecycle;
    std::unique_ptr<Kernel> kernel;

    void release_finished_stacks();              // every CPU's (one host thread)
    void release_finished_stacks(uint32_t cpu);  // parallel mode: one CPU's, kernel lock held
#if AXL_TSAN_FIBERS
    ~Port();  // retires the fibers of processes that never ended (sim/port/fiber.h)
#endif
};

namespace sim {
// The port whose processes this host thread is running; set for the whole of
// Simulator::run(). User-side calls find their kernel through it.
Port& current_port();
void set_current_port(Port* port);
// The fault target of the process this thread runs (nullptr in the idle
// loop): set on every switch, the user-side calls re-arm it on their way out.
extern constinit thread_local const FaultTarget* running_fault_target;
// The fault guard's callback for a fault in program code: kills that process.
[[noreturn]] void process_faulted(void* arg, const FaultInfo& info);

// sim/port/fiber_switch_x86_64.S typed for kernel calls: suspends into *save and
// continues `to`, whose suspended kernel call returns `status`.
#if AXL_TSAN_FIBERS
// Under TSan, the switch told to TSan first (sim/port/fiber.h); inlined for the same reason.
[[gnu::always_inline]] inline Status axl_process_switch(FiberHandle* save, FiberHandle to, Status status) {
    return static_cast<Status>(detail::axl_fiber_switch(save, to, static_cast<uint64_t>(status)));
}
#else
extern "C" Status axl_process_switch(FiberHandle* save, FiberHandle to, Status status);
#endif

// Leaves the running context, saved into `save`, for process `next` (its
// suspended call returns `status`, its ipc_status; the guard is armed for it)
// or, with no_slot, for this thread's idle loop. Returns when something
// continues `save`, with the status that continuation handed over.
inline Status switch_to_process(Port& port, FiberHandle& save, uint32_t next, Status status) {
    running_slot = next;
    if (next == no_slot) {
        running_fault_target = nullptr;
        return axl_process_switch(&save, idle_context, Status::ok);
    }
    HostedProcess& target = port.processes[next];
    running_fault_target = &target.fault_target;
    arm_fault_guard(target.fault_target);
    return axl_process_switch(&save, target.context, status);
}

// The same for what the kernel chose (one host thread: nobody else changes it).
inline Status switch_to_chosen(Port& port, FiberHandle& save) {
    const Kernel& kernel = *port.kernel;
    const uint32_t next = kernel.running();
    return switch_to_process(port, save, next, next == no_slot ? Status::ok : kernel.process(next).ipc_status);
}

// One turn of an idle loop: continue the process the kernel chose (after an
// exit or fault handed over), else the next runnable one; returns when control
// is back in the idle loop, with the stacks of ended processes released. False
// if nothing was runnable.
bool run_from_idle(Port& port);

// The running process has ended (exit or fault): leave its context for good,
// for the idle loop, which releases its stack and continues whatever the
// kernel chose.
[[noreturn]] inline void leave_for_good(Port&) {
    running_fault_target = nullptr;
    switch_fiber_and_abandon(idle_context);
}

// The injection point every kernel call of the running process passes when
// a fault injector is installed, in the process's own context with the fault
// guard disarmed (sim/harness/fault_injector.cc): an injected fault acts here.
void injection_point(Port& port);
// And where a message it received passes, when the call succeeded.
void received_point(Port& port, Message& message);

// The running process dies as if it had faulted with `kind` (an injected
// crash), `why` recorded as its fault: never returns.
[[noreturn]] void crash_running(Port& port, FaultKind kind, const std::string& why);

// exit() of the running process, from its own context: never returns.
[[noreturn]] void exit_running(Port& port, int32_t status);
}  // namespace sim

}  // namespace axl
