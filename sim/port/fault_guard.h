// Fault guard: a real fault inside a process fiber (bad pointer, stack
// overflow into the guard page, divide by zero, illegal instruction) becomes
// the death of that one process, not a crash of the simulator.
//
// How: install_fault_guard() puts handlers for SIGSEGV, SIGBUS, SIGFPE and
// SIGILL in place, running on a per-thread alternate signal stack (the
// faulting stack may be the one that just overflowed). Around the code of a
// process the simulator arms the guard with a FaultTarget: the callback to run
// on a fault and the process's stack. A fault while armed does not longjmp out
// of the handler. The handler rewrites the interrupted register state so that
// its ordinary return (sigreturn) resumes in a landing function on a
// per-thread emergency stack, which calls on_fault(arg, info). Returning
// through sigreturn is what leaves the thread consistent: the kernel restores
// the signal mask and leaves the signal stack exactly as after any handler.
//
// on_fault runs like normal code (it may allocate, log, take locks the faulting
// process did not hold) but must never return: it switches to another context
// (the scheduler, the next process) and abandons its own context forever, e.g.
// with switch_fiber_and_abandon(). The next fault on this thread reuses the
// emergency stack from the top, so on_fault must not keep running the
// simulator on it, and must copy what it needs from `info` before switching
// away. If on_fault returns, the simulator aborts with a message.
//
// The handler disarms the guard before calling on_fault, so a fault in
// on_fault itself, or in the scheduler after it, is a simulator crash. The
// simulator re-arms when it resumes a process.
//
// A fault counts as the process's only when the guard is armed AND the stack
// pointer is inside the armed stack (or just below it, after an overflow).
// Anything else, including any fault with the guard disarmed, is a simulator
// bug: the handler prints one line to stderr, restores the default action and
// returns, the instruction faults again and the process dies of the signal,
// with a core dump if enabled. Kernel code that runs on a process's stack
// while the guard is armed would be blamed on the process: arm only around
// process code.
//
// Classification (FaultKind):
//   stack_overflow      address in the armed stack's guard region, or up to
//                       kOverflowSlack below the stack (a big frame that
//                       stepped past the guard), or the stack pointer there;
//   null_pointer        SIGSEGV at an address below 4096;
//   bad_pointer         any other SIGSEGV (including non-canonical addresses,
//                       which the CPU reports without an address);
//   divide_by_zero      SIGFPE FPE_INTDIV (x86 also reports INT_MIN / -1 so);
//   arithmetic          other SIGFPE (unmasked floating-point exceptions);
//   illegal_instruction SIGILL;
//   bus_error           SIGBUS (e.g. touching a file mapping past its end).
//
// x86-64 Linux only: the ucontext rewrite names its registers.
#pragma once

#include "kernel/api/fault.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

#include "sim/port/stack_pool.h"

namespace axl::sim {

using axl::FaultKind;  // kernel/api/fault.h: the ports share the vocabulary

// What the page fault was doing, from the CPU's error code (SIGSEGV only).
enum class MemoryAccess : uint8_t { unknown, read, write, execute };

// Plain data: the signal handler fills it in, describe() formats it later.
struct FaultInfo {
    FaultKind kind = FaultKind::bad_pointer;
    int signal = 0;
    int code = 0;                         // siginfo si_code
    const void* address = nullptr;        // si_addr: the data address for SIGSEGV/SIGBUS,
                                          // the faulting instruction for SIGFPE/SIGILL
    const void* instruction = nullptr;    // rip at the fault
    const void* stack_pointer = nullptr;  // rsp at the fault
    MemoryAccess access = MemoryAccess::unknown;
    Stack stack;                          // the armed stack

    // One line, e.g. "SIGSEGV: null pointer dereference at 0x0 (write, rip 0x55d1...)".
    std::string describe() const;
};

using FaultHandler = void (*)(void* arg, const FaultInfo& info);

// What the armed guard knows about the running process.
struct FaultTarget {
    FaultHandler on_fault = nullptr;
    void* arg = nullptr;
    Stack stack;
};

// Distance below a stack's guard region in which a fault still counts as an
// overflow of that stack.
inline constexpr size_t kOverflowSlack = 64 * 1024;

// Install the signal handlers (once per process) and this thread's alternate
// signal stack and emergency stack (once per thread; freed when the thread
// exits). Idempotent; call it on every host thread that runs process fibers,
// before arming. Throws std::runtime_error if the kernel refuses.
void install_fault_guard();
bool fault_guard_installed();  // on this thread

namespace detail {
// Read by the signal handler. Constant-initialized, so it is plain TLS the
// handler can touch safely and arming costs one store.
extern constinit thread_local const FaultTarget* armed_fault_target;
}  // namespace detail

// Faults on this thread now belong to `target`'s process. The handler reads
// `target` at fault time (and copies it), so it must stay alive and unchanged
// while armed. Arm right before switching to the process, disarm right after
// it switches back.
inline void arm_fault_guard(const FaultTarget& target) {
    // The handler runs on this thread, so a compiler barrier is all the
    // ordering needed: target's fields are written before the pointer is set.
    std::atomic_signal_fence(std::memory_order_release);
    detail::armed_fault_target = &target;
    std::atomic_signal_fence(std::memory_order_seq_cst);
}

inline void disarm_fault_guard() {
    std::atomic_signal_fence(std::memory_order_seq_cst);
    detail::armed_fault_target = nullptr;
    std::atomic_signal_fence(std::memory_order_seq_cst);
}

inline const FaultTarget* armed_fault_target() { return detail::armed_fault_target; }

}  // namespace axl::sim
