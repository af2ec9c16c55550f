// The hosted port's machine state: what kernel/platform.h's `Port` is here.
// One per Simulator; the platform functions (sim/platform_hosted.cc) and the
// user-side calls (sim/user_calls.cc) reach everything through it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kernel/api/program.h"
#include "kernel/kernel.h"
#include "sim/event_queue.h"
#include "sim/fault_guard.h"
#include "sim/fiber.h"
#include "sim/simulator.h"
#include "sim/stack_pool.h"
#include "sim/system_description.h"
#include "sim/tracer.h"

namespace axl {

namespace sim {

// A process as the host sees it: its program, arguments, stack and context.
struct alignas(128) HostedProcess {
    const ProcessDescription* description = nullptr;
    const ProgramInfo* program = nullptr;
    Stack stack;
    bool has_stack = false;
    FiberHandle context = nullptr;
    FaultTarget fault_target;  // armed while its program code runs
    uint64_t random_state = 0; // SplitMix64 state behind axl::random_u64()
    std::string fault;  // what killed it, when a real fault did
};

}  // namespace sim

struct Port {
    const sim::SystemDescription* system = nullptr;
    sim::RunOptions options;
    sim::StackPool stacks;
    std::vector<sim::HostedProcess> processes;  // by kernel slot
    const sim::ProcessDescription* spawning = nullptr;  // description being spawned now
    std::vector<uint32_t> stacks_to_release;    // slots whose process ended on its own stack
    sim::FiberHandle idle_context = nullptr;
    sim::EventQueue events;  // device completions, timers, injected faults (virtual time)
    std::unique_ptr<sim::Tracer> tracer;
    std::vector<std::string> console;
    std::unique_ptr<unsigned char, void (*)(unsigned char*)> strategy_storage{nullptr, nullptr};
    IpcStrategy* strategy = nullptr;
    std::unique_ptr<Kernel> kernel;

    void release_finished_stacks();
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

// sim/fiber_switch_x86_64.S typed for kernel calls: suspends into *save and
// continues `to`, whose suspended kernel call returns `status`.
extern "C" Status axl_process_switch(FiberHandle* save, FiberHandle to, Status status);

// Leaves the running context, saved into `save`, for what the kernel chose to
// run next: a process (with the guard armed for it; its suspended call
// returns its ipc_status) or, with no_slot, the idle loop. Returns when
// something continues `save`, with the status that continuation handed over.
inline Status switch_to_chosen(Port& port, FiberHandle& save) {
    const Kernel& kernel = *port.kernel;
    const uint32_t next = kernel.running();
    if (next == no_slot) {
        running_fault_target = nullptr;
        return axl_process_switch(&save, port.idle_context, Status::ok);
    }
    HostedProcess& target = port.processes[next];
    running_fault_target = &target.fault_target;
    arm_fault_guard(target.fault_target);
    return axl_process_switch(&save, target.context, kernel.process(next).ipc_status);
}

// One turn of an idle loop: continue the process the kernel chose (after an
// exit or fault handed over), else the next runnable one; returns when control
// is back in the idle loop, with the stacks of ended processes released. False
// if nothing was runnable.
bool run_from_idle(Port& port);

// The running process has ended (exit or fault): leave its context for good,
// for the idle loop, which releases its stack and continues whatever the
// kernel chose.
[[noreturn]] inline void leave_for_good(Port& port) {
    running_fault_target = nullptr;
    switch_fiber_and_abandon(port.idle_context);
}
}  // namespace sim

}  // namespace axl
