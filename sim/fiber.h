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
// port's own (sim/fiber_switch_x86_64.S), with jump_fcontext's frame and cost
// plus two properties the kernel-call path needs: the leaving side stores its
// own handle, and a resumed call returns a value (the status a process's
// kernel call returns), see sim/hosted_port.h. A round trip A -> B -> A costs
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
#pragma once

#include <boost/context/detail/fcontext.hpp>

#include <cassert>

#include "sim/stack_pool.h"

namespace axl::sim {

using FiberHandle = boost::context::detail::fcontext_t;
using FiberEntry = void (*)(void* arg);

// A suspended fiber on `stack` that calls entry(arg) the first time it is
// switched to. Nothing of entry runs before that. The stack must stay valid
// until the fiber has been abandoned.
FiberHandle make_fiber(const Stack& stack, FiberEntry entry, void* arg);

namespace detail {
// sim/fiber_switch_x86_64.S: saves the running context into *save, resumes
// `to`, whose suspended call returns `value`.
extern "C" uint64_t axl_fiber_switch(FiberHandle* save, FiberHandle to, uint64_t value);
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
