// KASSERT: a broken kernel invariant is a kernel bug and panics. Bad arguments
// from processes are never asserted: they get a Status.
#pragma once

#include "kernel/platform.h"

#define AXL_STRINGIFY_DETAIL(x) #x
#define AXL_STRINGIFY(x) AXL_STRINGIFY_DETAIL(x)

#define KASSERT(condition)                                                                     \
    do {                                                                                       \
        if (!(condition)) [[unlikely]]                                                         \
            ::axl::platform::panic(__FILE__ ":" AXL_STRINGIFY(__LINE__) ": KASSERT(" #condition \
                                            ") failed");                                       \
    } while (0)
