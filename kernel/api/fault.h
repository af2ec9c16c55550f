// What kind of fault killed a process: a faulted process's exit status, and
// what the reincarnation server reads in Death::status. Each port classifies
// its own fault signals into these (hosted: sim/port/fault_guard.cc from signals;
// bare metal: kernel/arch/x86_64/traps.cc from CPU exceptions); the hosted
// fault injector's crashes have a kind of their own.
#pragma once

#include <cstdint>

namespace axl {

enum class FaultKind : uint16_t {
    null_pointer,         // an access to the first page
    bad_pointer,          // any other address the process may not touch that way
    stack_overflow,       // into the guard below its stack
    divide_by_zero,       // integer division by zero (and INT_MIN / -1 on x86)
    arithmetic,           // other arithmetic exceptions (unmasked floating point)
    illegal_instruction,  // undefined or privileged instruction
    bus_error,            // e.g. a misaligned access the machine refuses
    // A crash the hosted fault injector caused (sim/harness/fault_injector.h),
    // set apart from every kind a real fault can have.
    injected = 0x100,
};

constexpr const char* to_string(FaultKind kind) {
    switch (kind) {
        case FaultKind::null_pointer: return "null_pointer";
        case FaultKind::bad_pointer: return "bad_pointer";
        case FaultKind::stack_overflow: return "stack_overflow";
        case FaultKind::divide_by_zero: return "divide_by_zero";
        case FaultKind::arithmetic: return "arithmetic";
        case FaultKind::illegal_instruction: return "illegal_instruction";
        case FaultKind::bus_error: return "bus_error";
        case FaultKind::injected: return "injected";
    }
    return "unknown";
}

}  // namespace axl
