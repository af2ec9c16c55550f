// kernel/api/ipc.h for the hosted port. A "system call" here is a plain call
// into the kernel on the calling process's fiber: the kernel blocks it by
// switching fibers, exactly where the bare-metal port would switch stacks.
#include <cstdarg>
#include <cstdio>
#include <string>
#include <variant>

#include "kernel/api/ipc.h"
#include "sim/hosted_port.h"

namespace axl {

namespace {

thread_local Port* tl_port = nullptr;

// Kernel code runs with the fault guard disarmed, so a kernel bug crashes the
// simulator loudly instead of being blamed on the calling process; the guard
// is re-armed for whichever process the call returns to.
struct KernelEntry {
    KernelEntry() { sim::disarm_fault_guard(); }
    ~KernelEntry() { sim::arm_fault_guard(*sim::running_fault_target); }
};

Kernel& kernel() { return *tl_port->kernel; }

const sim::ProcessDescription& description() {
    return *tl_port->processes[tl_port->kernel->running()].description;
}

}  // namespace

namespace sim {
constinit thread_local const FaultTarget* running_fault_target = nullptr;
Port& current_port() { return *tl_port; }
void set_current_port(Port* port) { tl_port = port; }
}  // namespace sim

Status send(Endpoint destination, const Message& message) {
    KernelEntry entry;
    return kernel().ipc_send(destination, message);
}
Status receive(Endpoint from, Message& message) {
    KernelEntry entry;
    return kernel().ipc_receive(from, message);
}
Status sendrec(Endpoint destination, Message& message) {
    KernelEntry entry;
    return kernel().ipc_sendrec(destination, message);
}
Status notify(Endpoint destination) {
    KernelEntry entry;
    return kernel().ipc_notify(destination);
}
Status sendnb(Endpoint destination, const Message& message) {
    KernelEntry entry;
    return kernel().ipc_sendnb(destination, message);
}

[[noreturn]] void exit(int32_t status) {
    sim::disarm_fault_guard();
    kernel().kcall_exit(status);
}
Status yield() {
    KernelEntry entry;
    return kernel().kcall_yield();
}
Status compute(uint64_t ns) {
    KernelEntry entry;
    return kernel().kcall_compute(ns);
}
Status lookup(const char* name, Endpoint& endpoint) {
    KernelEntry entry;
    return kernel().kcall_lookup(name, endpoint);
}
Status clock(uint64_t& virtual_ns) {
    KernelEntry entry;
    return kernel().kcall_clock(virtual_ns);
}

Endpoint self() {
    KernelEntry entry;
    Endpoint endpoint = endpoints::none;
    (void)kernel().kcall_self(endpoint);
    return endpoint;
}

namespace {
void vlog(const char* format, va_list arguments) {
    char line[512];
    int length = std::vsnprintf(line, sizeof line, format, arguments);
    if (length < 0) return;
    size_t size = static_cast<size_t>(length) < sizeof line ? static_cast<size_t>(length) : sizeof line - 1;
    KernelEntry entry;
    (void)kernel().kcall_log(line, size);
}
}  // namespace

void log(const char* format, ...) {
    va_list arguments;
    va_start(arguments, format);
    vlog(format, arguments);
    va_end(arguments);
}

[[noreturn]] void fail(const char* format, ...) {
    va_list arguments;
    va_start(arguments, format);
    vlog(format, arguments);
    va_end(arguments);
    exit(1);
}

uint64_t random_u64() {
    // SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and every seed is good.
    uint64_t& state = tl_port->processes[tl_port->kernel->running()].random_state;
    uint64_t z = (state += 0x9E37'79B9'7F4A'7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58'476D'1CE4'E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D0'49BB'1331'11EBull;
    return z ^ (z >> 31);
}

int64_t arg_int(const char* key, int64_t fallback) {
    const auto& args = description().args;
    auto found = args.find(key);
    if (found == args.end()) return fallback;
    if (const int64_t* value = std::get_if<int64_t>(&found->second)) return *value;
    return fallback;
}

const char* arg_string(const char* key, const char* fallback) {
    const auto& args = description().args;
    auto found = args.find(key);
    if (found == args.end()) return fallback;
    if (const std::string* value = std::get_if<std::string>(&found->second)) return value->c_str();
    return fallback;
}

}  // namespace axl
