// Fibers for the hosted port: every simulated process runs on its own stack
// and control moves between them with symmetric switches (A -> B -> C -> A),
// not only between a caller and a callee.
//
// A FiberHandle is the suspended state of one fiber: an opaque pointer into its
// stack where the registers were saved. A handle is single-use: switching to
// it consumes it. The fiber gets a new handle each time it switches away, and
// switch_fiber() writes that handle into the slot the fiber named. So every
// party keeps one slot per fiber it may resume (a process table entry, a
// scheduler's own slot) and always switches with the slot of the side that is
// leaving:
//
//     switch_fiber(process[a].context, process[b].context);  // a runs -> b runs
//
// Contexts are Boost.Context's raw fcontext layer: make_fcontext builds them,
// no allocation, no exceptions across switches. The switch itself is the
// port's own (sim/port/fiber_switch_x86_64.S), with jump_fcontext's frame and cost
// plus two properties the kernel-call path needs: the leaving side stores its
// own handle, and a resumed call returns a value (the status a process's
// kernel call returns), see sim/port/hosted_port.h. A round trip A -> B -> A costs
// two switches.
//
// Rules:
//   - An entry function must never return: there is nowhere to return to. A
//     fiber that is done switches away with switch_fiber_and_abandon() and is
//     never resumed; its stack can then be released. A returning entry aborts
//     the simulator with a message.
//   - Exceptions must not leave an entry function (std::terminate).
//   - Never switch to a fiber that is running (its handle was consumed).
//   - Fibers are not tied to a thread, but a fiber runs on one thread at a
//     time, and fault_guard's per-thread state follows the thread, not the fiber.
//   - Under TSan, retire a fiber that will never run again (retire_fiber)
//     before its stack is released, or TSan keeps its state until exit.
//
// ThreadSanitizer builds (AXL_SANITIZE=thread, `make test-tsan`): TSan keeps a
// call stack and a happens-before clock per thread. Unannotated, it books a
// fiber's code to whichever host thread runs it: calls entered on one fiber
// and left on another pile up on the thread's call stack, so reports show
// garbage stacks, and cannot tell one process from another. So TSan is told
// about fibers: make_fiber creates a TSan fiber with the context, a handle
// carries both, and every switch first tells TSan where it goes (a
// synchronising switch: what the leaving fiber did happens before what the
// resumed one does next, as it does on the host thread). The leaving side
// stores its own TSan fiber into its slot along with its stack pointer, so a
// host thread's own context (an idle loop, a test's main) needs no setup: its
// first switch away records it. Normal builds compile none of this: a handle
// is the bare fcontext_t and a switch is the one assembly call.
#pragma once

#include <boost/context/detail/fcontext.hpp>

#include <cassert>
#include <cstddef>
#include <cstdint>

#include "sim/port/stack_pool.h"

#if defined(__SANITIZE_THREAD__)
#define AXL_TSAN_FIBERS 1
#include <sanitizer/tsan_interface.h>
#else
#define AXL_TSAN_FIBERS 0
#endif

namespace axl::sim {

#if AXL_TSAN_FIBERS
struct FiberHandle {
    boost::context::detail::fcontext_t context = nullptr;
    // TSan's state for the fiber: the same in every handle the fiber gets, so
    // even a consumed handle still names the fiber (for retire_fiber).
    void* tsan_fiber = nullptr;

    constexpr FiberHandle() = default;
    constexpr FiberHandle(std::nullptr_t) {}
    friend constexpr bool operator==(const FiberHandle& handle, std::nullptr_t) { return handle.context == nullptr; }
};
#else
using FiberHandle = boost::context::detail::fcontext_t;
#endif
using FiberEntry = void (*)(void* arg);

// A suspended fiber on `stack` that calls entry(arg) the first time it is
// switched to. Nothing of entry runs before that. The stack must stay valid
// until the fiber has been abandoned.
FiberHandle make_fiber(const Stack& stack, FiberEntry entry, void* arg);

#if AXL_TSAN_FIBERS
// The fiber `handle` names (any handle it ever had) will never run again: its
// TSan fiber is destroyed. Call it before the fiber's stack is released, never
// for a thread's own context.
void retire_fiber(FiberHandle& handle);
// The name TSan's reports give the fiber (a process's name); copied.
inline void name_fiber(const FiberHandle& handle, const char* name) { __tsan_set_fiber_name(handle.tsan_fiber, name); }
#endif

namespace detail {
#if AXL_TSAN_FIBERS
// sim/port/fiber_switch_x86_64.S on the bare contexts.
uint64_t switch_unannotated(boost::context::detail::fcontext_t* save, boost::context::detail::fcontext_t to,
                            uint64_t value) __asm__("axl_fiber_switch");
// The same switch, told to TSan first. Always inlined: an instrumented function
// entered or left between telling TSan and switching would put its call-stack
// entry on one fiber and its exit on the other.
[[gnu::always_inline]] inline uint64_t axl_fiber_switch(FiberHandle* save, FiberHandle to, uint64_t value) {
    save->tsan_fiber = __tsan_get_current_fiber();
    __tsan_switch_to_fiber(to.tsan_fiber, 0);
    return switch_unannotated(&save->context, to.context, value);
}
#else
// sim/port/fiber_switch_x86_64.S: saves the running context into *save, resumes
// `to`, whose suspended call returns `value`.
extern "C" uint64_t axl_fiber_switch(FiberHandle* save, FiberHandle to, uint64_t value);
#endif
// Where switch_fiber_and_abandon() lets the next fiber store a handle nobody
// will use. Per thread so that parallel host threads do not share a write.
inline constinit thread_local FiberHandle abandoned_fiber = nullptr;
[[noreturn]] void abandoned_fiber_resumed();
}  // namespace detail

// Suspend the running fiber into `save_current` and continue `to`. Returns when
// some fiber switches to the handle stored in `save_current`.
inline void switch_fiber(FiberHandle& save_current, FiberHandle to) {
    assert(to != nullptr && "switching to a fiber that has no saved context");
    (void)detail::axl_fiber_switch(&save_current, to, 0);
}

// Continue `to` and drop the running fiber for good: nothing can resume it.
[[noreturn]] inline void switch_fiber_and_abandon(FiberHandle to) {
    switch_fiber(detail::abandoned_fiber, to);
    detail::abandoned_fiber_resumed();  // someone switched to a handle nobody owns
}

}  // namespace axl::sim
