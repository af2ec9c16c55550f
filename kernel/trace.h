// Trace events: what the kernel reports to the port's trace hook. Compact and
// fixed-size so a port can keep them in a ring buffer and hash them for the
// run digest. Emitting costs one predictable branch while tracing is off.
#pragma once

#include <cstdint>

namespace axl {

enum class TraceKind : uint8_t {
    send,         // a = sender slot, b = destination slot, c = message type
    deliver,      // a = receiver slot, b = sender slot, c = message type
    buffered,     // a = sender slot, b = destination slot, c = message type
    block,        // a = process slot, b = waited-on slot (or pseudo), c = primitive
    wake,         // a = process slot, b = waker slot, c = status
    dispatch,     // a = process slot now executing, b = previous slot, c = cpu
    notify,       // a = notifier slot, b = destination slot, c = privilege bit
    kernel_call,  // a = caller slot, b = call number, c = status
    denied,       // a = caller slot, b = call (primitive, or kernel call | kernel_call_trace_flag), c = status
    exit,         // a = process slot, b = exit status
    fault,        // a = process slot, b = fault kind (port-defined), c = detail
    spawn,        // a = process slot, b = endpoint raw, c = cpu
    idle,         // a = cpu, b = 0, c = 0
    quantum,      // a = process slot, b = priority
    interrupt,    // a = IRQ line, b = owner slot (or no_slot: spurious), c = cpu
    alarm,        // a = process slot whose alarm fired, b = 0, c = 0
    kill,         // a = process slot killed, b = killer slot (or no_slot: the port, an injected fault)
    restart,      // a = process slot started again, b = its new endpoint raw, c = restarter slot
    injected,     // a port event: a = target slot (no_slot: a device), b = fault kind, c = fault index
    device_event, // a port event: a = device index, b = the run's device event number, c = hash of its name
};
inline constexpr uint32_t trace_kind_count = 20;

// In a `denied` event, tells a kernel call (its number | this flag) from an
// IPC primitive (its number alone).
inline constexpr uint32_t kernel_call_trace_flag = 0x100;

struct TraceEvent {
    uint64_t time_ns;
    TraceKind kind;
    uint8_t cpu;
    uint16_t reserved = 0;
    uint32_t a;
    uint32_t b;
    uint32_t c;
};
static_assert(sizeof(TraceEvent) == 24);

constexpr const char* to_string(TraceKind k) {
    constexpr const char* names[] = {"send",   "deliver", "buffered",    "block",  "wake",
                                     "dispatch", "notify", "kernel_call", "denied", "exit",
                                     "fault",  "spawn",   "idle",        "quantum", "interrupt", "alarm", "kill", "restart", "injected", "device_event"};
    return static_cast<uint32_t>(k) < trace_kind_count ? names[static_cast<uint32_t>(k)] : "?";
}

}  // namespace axl
