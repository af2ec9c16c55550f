#include "sim/port/fiber.h"

#include <cstdio>
#include <cstdlib>

#if defined(__SANITIZE_ADDRESS__)
#define AXL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AXL_ASAN 1
#endif
#endif
#if AXL_ASAN
#include <sanitizer/asan_interface.h>
#endif

namespace axl::sim {
namespace {

namespace ctx = boost::context::detail;

struct FiberStart {
    FiberEntry entry;
    void* arg;
#if AXL_TSAN_FIBERS
    void* creator_tsan_fiber;  // the fiber make_fiber() runs on, for the way back
#endif
};

// First code on every new fiber. make_fiber() jumps here once, right away, so
// that entry and arg can be copied onto this stack; then it suspends itself
// back to make_fiber(). That priming jump is why later switches need no
// special case for a fiber's first run: the next arrival is an ordinary
// switch, whose value the entry ignores.
void fiber_start(ctx::transfer_t creation) noexcept {
    const FiberStart start = *static_cast<const FiberStart*>(creation.data);
#if AXL_TSAN_FIBERS
    __tsan_switch_to_fiber(start.creator_tsan_fiber, 0);
#endif
    // Suspend back to make_fiber(); the first real switch here (whoever makes
    // it stored its own handle already) continues with the entry.
    (void)ctx::jump_fcontext(creation.fctx, nullptr);
    start.entry(start.arg);
    std::fprintf(stderr, "axl: a fiber's entry function returned (entry %p, arg %p); "
                         "an entry must switch away for good instead\n",
                 reinterpret_cast<void*>(start.entry), start.arg);
    std::abort();
}

}  // namespace

#if AXL_TSAN_FIBERS
// The priming jump is a switch as well, there and back: told to TSan like any
// other, so fiber_start's code is already the new fiber's.
FiberHandle make_fiber(const Stack& stack, FiberEntry entry, void* arg) {
    ctx::fcontext_t fresh = ctx::make_fcontext(stack.top(), stack.size, &fiber_start);
    FiberHandle fiber;
    fiber.tsan_fiber = __tsan_create_fiber(0);
    FiberStart start{entry, arg, __tsan_get_current_fiber()};
    __tsan_switch_to_fiber(fiber.tsan_fiber, 0);
    fiber.context = ctx::jump_fcontext(fresh, &start).fctx;
    return fiber;
}

void retire_fiber(FiberHandle& handle) {
    if (handle.tsan_fiber == nullptr) return;
    __tsan_destroy_fiber(handle.tsan_fiber);
    handle.tsan_fiber = nullptr;
}
#else
FiberHandle make_fiber(const Stack& stack, FiberEntry entry, void* arg) {
#if AXL_ASAN
    // AddressSanitizer (the fuzz build, docs/testing.md) does not see fiber
    // switches: the poisoned redzones of frames a fiber was abandoned in stay
    // in its shadow, and a pooled stack (or a new one mapped where an old one
    // was) would blame them on the next fiber. The stack is all this fiber's.
    __asan_unpoison_memory_region(stack.base, stack.size);
#endif
    FiberHandle fiber = ctx::make_fcontext(stack.top(), stack.size, &fiber_start);
    FiberStart start{entry, arg};
    return ctx::jump_fcontext(fiber, &start).fctx;
}
#endif

namespace detail {
void abandoned_fiber_resumed() {
    std::fprintf(stderr, "axl: a fiber left with switch_fiber_and_abandon() was resumed\n");
    std::abort();
}
}  // namespace detail

}  // namespace axl::sim
