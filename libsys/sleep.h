// Waiting in virtual time: the calling process sleeps `ms` milliseconds (its
// one alarm, then the clock's notification), or ends loudly if it may not set
// an alarm. It replaces any alarm the process had set. Part of libsys.
#pragma once

#include <cstdint>

#include "kernel/api/device.h"
#include "kernel/api/ipc.h"
#include "kernel/api/message.h"
#include "libsys/checks.h"

namespace axl::sys {

inline void sleep_ms(uint64_t ms) {
    if (ms == 0) return;
    check_ok(set_alarm(ms * 1'000'000), "set an alarm");
    Message tick;
    check_ok(receive(endpoints::clock, tick), "wait for the alarm");
}

}  // namespace axl::sys
