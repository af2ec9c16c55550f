// kernel/api/ipc.h for the hosted port. A "system call" here is a plain call
// into the kernel on the calling process's fiber; when the kernel chose
// another process to run, the call's last act is the switch to it (a tail
// call, see sim/port/fiber_switch_x86_64.S), and it returns when this process is
// continued, exactly where the bare-metal port restores a process's registers.
#include <cstdarg>
#include <chrono>
#include <cstdio>
#include <string>

#include "kernel/api/device.h"
#include "kernel/api/grant.h"
#include "kernel/api/ipc.h"
#include "kernel/api/service.h"
#include "kernel/lib/splitmix64.h"
#include "sim/port/hosted_port.h"
#include "sim/port/parallel.h"

namespace axl {

namespace {

thread_local Port* tl_port = nullptr;

// One kernel call by the running process, `call(kernel)`, and the way out:
// straight back to the caller's program if the kernel let it run on, else a
// switch to the process the kernel chose (or the idle loop); the call then
// returns when this process is continued, with its Process::ipc_status.
//
// Kernel code runs with the fault guard disarmed, so a kernel bug crashes the
// simulator loudly instead of being blamed on the calling process; the guard
// is re-armed for whichever process runs next.
// Parallel mode: a kernel entry holds the kernel lock, on behalf of this
// thread's CPU (see sim/port/parallel.h).
[[gnu::noinline]] void parallel_enter(Port& port) {
    port.parallel->kernel_lock.lock();
    port.kernel->enter_from_cpu(sim::host_cpu);
}

// ... and leaves it: the choice is kept for this CPU, idle CPUs given work are
// woken, and the lock is released before the switch (which needs none: only
// this CPU's thread ever continues the caller or the process it chose).
[[gnu::noinline]] Status parallel_leave(Port& port, uint32_t caller, Status status) {
    Kernel& k = *port.kernel;
    k.leave_to_cpu();
    port.parallel->wake_cpus_with_work(k);
    const uint32_t next = k.running();
    const Status handed = next == no_slot || next == caller ? Status::ok : k.process(next).ipc_status;
    port.parallel->kernel_lock.unlock();
    if (next == caller) {
        sim::arm_fault_guard(*sim::running_fault_target);
        return status;
    }
    return sim::switch_to_process(port, port.processes[caller].context, next, handed);
}

// Parallel mode's unlocked fast paths (kernel/fastpath_unlocked.h), which
// kernel_call tries before the locked call: a send into a ring between CPUs, a
// receive from one. `done` false: nothing happened, make the locked call. They
// run with the fault guard disarmed, as all kernel code.
struct UnlockedOutcome {
    bool done;
    Status status;
};

// A process alone on a dedicated CPU polls a while before it blocks (as an
// adaptive lock spins before it sleeps): blocking and the wake-up from the
// other CPU cost microseconds, the other side's next step a few nanoseconds.
// `attempt` is retried for up to poll_budget; true once it succeeded.
template <typename Attempt>
bool poll_briefly(Attempt&& attempt) {
    constexpr auto poll_budget = std::chrono::microseconds(20);
    const auto start = std::chrono::steady_clock::now();
    for (uint32_t round = 1;; ++round) {
        __builtin_ia32_pause();
        if (attempt()) return true;
        if (round % 32 == 0 && std::chrono::steady_clock::now() - start > poll_budget) return false;
    }
}

[[gnu::noinline]] UnlockedOutcome send_unlocked(Port& port, Endpoint destination, const Message& message) {
    Kernel& k = *port.kernel;
    const uint32_t cpu = sim::host_cpu;
    Kernel::UnlockedSend sent = k.ipc_send_unlocked(cpu, destination, message);
    if (sent == Kernel::UnlockedSend::full && k.may_poll_unlocked(cpu))
        (void)poll_briefly([&] { return (sent = k.ipc_send_unlocked(cpu, destination, message)) != Kernel::UnlockedSend::full; });
    if (sent != Kernel::UnlockedSend::done_receiver_waits) return {sent == Kernel::UnlockedSend::done, Status::ok};
    // The receiver blocked meanwhile: the locked follow-up wakes it.
    parallel_enter(port);
    const uint32_t caller = k.running();
    const Status status = k.wake_receiver_with_kept(destination);
    return {true, parallel_leave(port, caller, status)};
}

[[gnu::noinline]] UnlockedOutcome receive_unlocked(Port& port, Endpoint from, Message& message) {
    Kernel& k = *port.kernel;
    const uint32_t cpu = sim::host_cpu;
    bool done = k.ipc_receive_unlocked(cpu, from, message);
    if (!done && from == endpoints::any && k.may_poll_unlocked(cpu))
        done = poll_briefly([&] { return k.ipc_receive_unlocked(cpu, from, message); });
    return {done, Status::ok};
}

// Note for the fast path: nothing here may take the address of a local (GCC
// then gives up the tail call into the switch, and every switch costs a
// mispredicted return again: results/README.md).
// Calls without an unlocked path.
struct NoUnlockedPath {
    UnlockedOutcome operator()(Port&) const { return {false, Status::ok}; }
};

// check_injector false: the caller has just seen that no fault injector is
// installed (the receiving calls look first, see receive_with_injector).
template <bool check_injector = true, typename Call, typename Unlocked = NoUnlockedPath>
[[gnu::always_inline]] inline Status kernel_call(Call&& call, Unlocked unlocked = {}) {
    sim::disarm_fault_guard();
    Port& port = *tl_port;
    if (check_injector && port.injector) [[unlikely]]
        sim::injection_point(port);
    const bool parallel = port.parallel != nullptr;
    if (parallel) [[unlikely]] {
        const UnlockedOutcome outcome = unlocked(port);
        if (outcome.done) {
            sim::arm_fault_guard(*sim::running_fault_target);
            return outcome.status;
        }
        parallel_enter(port);
    }
    Kernel& k = *port.kernel;
    const uint32_t caller = k.running();
    const Status status = call(k);
    if (parallel) [[unlikely]]
        return parallel_leave(port, caller, status);
    if (k.running() == caller) [[likely]] {
        sim::arm_fault_guard(*sim::running_fault_target);
        return status;
    }
    return sim::switch_to_chosen(port, port.processes[caller].context);
}

}  // namespace

namespace sim {
constinit thread_local const FaultTarget* running_fault_target = nullptr;
Port& current_port() { return *tl_port; }
void set_current_port(Port* port) { tl_port = port; }
}  // namespace sim

// User memory is only ever touched in the process's own context, with the
// fault guard armed, before the kernel sees it: a bad pointer handed to a call
// then kills the process that passed it (as a bad pointer in its own code
// does) instead of faulting inside kernel code, which would crash the
// simulator. A message is probed -- its first and last byte read, and written
// back when the kernel will write it -- so the kernel's own accesses cannot
// fault (one host thread; nothing unmaps a process's memory while it waits).
// Names and result variables are copied instead. The bare-metal port gets the
// same guarantee from copying across address spaces.
namespace {
void probe_readable(const Message& message) {
    const volatile unsigned char* bytes = reinterpret_cast<const volatile unsigned char*>(&message);
    (void)bytes[0];
    (void)bytes[sizeof(Message) - 1];
}
void probe_writable(Message& message) {
    volatile unsigned char* bytes = reinterpret_cast<volatile unsigned char*>(&message);
    bytes[0] = bytes[0];
    bytes[sizeof(Message) - 1] = bytes[sizeof(Message) - 1];
}
}  // namespace

Status send(Endpoint destination, const Message& message) {
    probe_readable(message);
    return kernel_call([&](Kernel& k) { return k.ipc_send(destination, message); },
                       [&](Port& port) { return send_unlocked(port, destination, message); });
}
// A fault scenario may corrupt what a process receives (sim/harness/fault_injector.h):
// with an injector installed, the receiving calls take this slower way, so
// the normal ones keep their tail call into the switch. The call is passed by
// value and captures the caller's parameters by value: taking the address of
// any of the caller's locals would cost it that tail call (see kernel_call).
template <typename Call>
[[gnu::noinline]] Status receive_with_injector(Message& message, Call call) {
    const Status status = kernel_call(call);
    if (status == Status::ok) sim::received_point(*tl_port, message);
    return status;
}

Status receive(Endpoint from, Message& message) {
    probe_writable(message);
    if (tl_port->injector) [[unlikely]]
        return receive_with_injector(message, [from, &message](Kernel& k) { return k.ipc_receive(from, message); });
    return kernel_call<false>([&](Kernel& k) { return k.ipc_receive(from, message); },
                              [&](Port& port) { return receive_unlocked(port, from, message); });
}
Status sendrec(Endpoint destination, Message& message) {
    probe_writable(message);
    if (tl_port->injector) [[unlikely]]
        return receive_with_injector(message,
                                     [destination, &message](Kernel& k) { return k.ipc_sendrec(destination, message); });
    return kernel_call<false>([&](Kernel& k) { return k.ipc_sendrec(destination, message); });
}
Status reply_receive(Endpoint client, Message& message) {
    probe_writable(message);
    if (tl_port->injector) [[unlikely]]
        return receive_with_injector(message,
                                     [client, &message](Kernel& k) { return k.ipc_reply_receive(client, message); });
    return kernel_call<false>([&](Kernel& k) { return k.ipc_reply_receive(client, message); });
}
Status notify(Endpoint destination) {
    return kernel_call([&](Kernel& k) { return k.ipc_notify(destination); });
}
Status sendnb(Endpoint destination, const Message& message) {
    probe_readable(message);
    return kernel_call([&](Kernel& k) { return k.ipc_sendnb(destination, message); });
}

[[noreturn]] void exit(int32_t status) { sim::exit_running(*tl_port, status); }
Status yield() {
    return kernel_call([](Kernel& k) { return k.kcall_yield(); });
}
Status compute(uint64_t ns) {
    return kernel_call([&](Kernel& k) { return k.kcall_compute(ns); });
}
Status lookup(const char* name, Endpoint& endpoint) {
    // Copy the name in (at most one byte more than any valid name, so the
    // kernel still sees and refuses a name that is too long).
    char copy[config::process_name_bytes + 1] = {};
    for (size_t i = 0; name && i < config::process_name_bytes && name[i]; ++i) copy[i] = name[i];
    Endpoint found = endpoints::none;
    Status status = kernel_call([&](Kernel& k) { return k.kcall_lookup(name ? copy : nullptr, found); });
    if (status == Status::ok) endpoint = found;
    return status;
}
Status clock(uint64_t& virtual_ns) {
    uint64_t now = 0;
    Status status = kernel_call([&](Kernel& k) { return k.kcall_clock(now); });
    if (status == Status::ok) virtual_ns = now;
    return status;
}

Endpoint self() {
    Endpoint endpoint = endpoints::none;
    (void)kernel_call([&](Kernel& k) { return k.kcall_self(endpoint); });
    return endpoint;
}

// Devices ----------------------------------------------------------------------
namespace {
// A range opened to the driver (IoRange::direct) is accessed as the CPU would
// run an in/out instruction the I/O bitmap allows: no kernel entry, only the
// access's time. Time passes without a preemption point, so when it reaches
// the next event (a device completion, an interrupt) the port makes the
// entry a timer interrupt would; else a driver polling a status register
// would wait forever for an event that cannot fire.
// Memory-mapped ranges (MmioRange::direct) are accessed the same way, as a
// load or store to a page mapped into the driver would be.
template <typename Access>
bool direct_access(Access&& access) {
    Port& port = *tl_port;
    Kernel& kernel = *port.kernel;
    sim::disarm_fault_guard();  // the device model is the machine, not the process
    access(*port.machine);
    if (kernel.charge_user_time(kernel.costs().io_access_ns))
        (void)kernel_call([](Kernel& k) { return k.preemption_point(); });
    else
        sim::arm_fault_guard(*sim::running_fault_target);
    return true;
}

template <typename Access>
bool try_direct_io(uint16_t address, uint32_t width, Access&& access) {
    Port& port = *tl_port;
    if (port.parallel) return false;
    Kernel& kernel = *port.kernel;
    const IoRange* range = kernel.granted_io_range(kernel.process(kernel.running()).privilege, address, width);
    if (!range || !range->direct) return false;
    return direct_access(access);
}

template <typename Access>
bool try_direct_mmio(uint64_t address, uint32_t width, Access&& access) {
    Port& port = *tl_port;
    if (port.parallel) return false;
    Kernel& kernel = *port.kernel;
    const MmioRange* range = kernel.granted_mmio_range(kernel.process(kernel.running()).privilege, address, width);
    if (!range || !range->direct) return false;
    return direct_access(access);
}
}  // namespace

Status io_read(uint16_t port, uint32_t& value, IoWidth width) {
    const auto bytes = static_cast<uint32_t>(width);
    uint32_t result = 0;
    if (try_direct_io(port, bytes, [&](sim::Machine& machine) { result = machine.io_read(port, bytes); })) {
        value = result;
        return Status::ok;
    }
    Status status = kernel_call([&](Kernel& k) { return k.kcall_device_io(port, bytes, false, result); });
    if (status == Status::ok) value = result;
    return status;
}

Status io_write(uint16_t port, uint32_t value, IoWidth width) {
    const auto bytes = static_cast<uint32_t>(width);
    if (try_direct_io(port, bytes, [&](sim::Machine& machine) { machine.io_write(port, bytes, value); }))
        return Status::ok;
    return kernel_call([&](Kernel& k) {
        uint32_t written = value;
        return k.kcall_device_io(port, bytes, true, written);
    });
}

Status mmio_read(uint64_t address, uint32_t& value, IoWidth width) {
    const auto bytes = static_cast<uint32_t>(width);
    uint32_t result = 0;
    if (try_direct_mmio(address, bytes, [&](sim::Machine& machine) { result = machine.mmio_read(address, bytes); })) {
        value = result;
        return Status::ok;
    }
    Status status = kernel_call([&](Kernel& k) { return k.kcall_device_mmio(address, bytes, false, result); });
    if (status == Status::ok) value = result;
    return status;
}

Status mmio_write(uint64_t address, uint32_t value, IoWidth width) {
    const auto bytes = static_cast<uint32_t>(width);
    if (try_direct_mmio(address, bytes, [&](sim::Machine& machine) { machine.mmio_write(address, bytes, value); }))
        return Status::ok;
    return kernel_call([&](Kernel& k) {
        uint32_t written = value;
        return k.kcall_device_mmio(address, bytes, true, written);
    });
}

namespace {
Status irq_control(IrqOp op, uint32_t line, IrqPolicy policy) {
    return kernel_call([&](Kernel& k) { return k.kcall_irq_control(op, line, policy); });
}
}  // namespace
Status irq_attach(uint32_t line, IrqPolicy policy) { return irq_control(IrqOp::attach, line, policy); }
Status irq_enable(uint32_t line) { return irq_control(IrqOp::enable, line, IrqPolicy::manual); }
Status irq_disable(uint32_t line) { return irq_control(IrqOp::disable, line, IrqPolicy::manual); }
Status irq_detach(uint32_t line) { return irq_control(IrqOp::detach, line, IrqPolicy::manual); }

Status device_grant(Endpoint driver, DeviceResource resource, uint64_t first, uint64_t last, bool direct) {
    return kernel_call([&](Kernel& k) { return k.kcall_device_grant(driver, resource, first, last, direct); });
}

Status dma_alloc(uint64_t bytes, DmaBuffer& buffer) {
    uintptr_t address = 0;
    uint64_t bus = 0;
    const Status status = kernel_call([&](Kernel& k) { return k.kcall_dma(bytes, address, bus); });
    if (status == Status::ok)
        buffer = DmaBuffer{.address = reinterpret_cast<void*>(address), .bus = bus,
                           .bytes = (bytes + config::dma_page_bytes - 1) / config::dma_page_bytes * config::dma_page_bytes};
    return status;
}

Status set_alarm(uint64_t delay_ns) {
    return kernel_call([&](Kernel& k) { return k.kcall_alarm(delay_ns); });
}

// Grants -----------------------------------------------------------------------
// The kernel never dereferences these addresses itself: every copy goes
// through platform::copy_memory, which reports unmapped memory (bad_address)
// instead of faulting, so nothing here needs probing.
Status grant_create(Endpoint grantee, const void* address, size_t bytes, GrantAccess access, GrantId& grant) {
    GrantId created;
    Status status = kernel_call([&](Kernel& k) {
        return k.kcall_grant_create(grantee, reinterpret_cast<uintptr_t>(address), bytes, access, created);
    });
    if (status == Status::ok) grant = created;
    return status;
}

Status grant_revoke(GrantId grant) {
    return kernel_call([&](Kernel& k) { return k.kcall_grant_revoke(grant); });
}

Status safecopy_from(Endpoint granter, GrantId grant, size_t offset, void* to, size_t bytes) {
    return kernel_call([&](Kernel& k) {
        return k.kcall_safecopy(granter, grant, offset, reinterpret_cast<uintptr_t>(to), bytes, false);
    });
}

Status safecopy_to(Endpoint granter, GrantId grant, size_t offset, const void* from, size_t bytes) {
    return kernel_call([&](Kernel& k) {
        return k.kcall_safecopy(granter, grant, offset, reinterpret_cast<uintptr_t>(from), bytes, true);
    });
}

// Process management -----------------------------------------------------------
Status watch_deaths() {
    return kernel_call([](Kernel& k) { return k.kcall_watch_deaths(); });
}
Status next_death(Death& death) {
    Death taken;
    Status status = kernel_call([&](Kernel& k) { return k.kcall_next_death(taken); });
    if (status == Status::ok) death = taken;
    return status;
}
Status kill(Endpoint process) {
    return kernel_call([&](Kernel& k) { return k.kcall_kill(process); });
}
Status restart(Endpoint dead, Endpoint& fresh) {
    Endpoint started = endpoints::none;
    Status status = kernel_call([&](Kernel& k) { return k.kcall_restart(dead, started); });
    if (status == Status::ok) fresh = started;
    return status;
}

namespace {
// The line logged, as the console got it ("" when the format failed).
std::string vlog(const char* format, va_list arguments) {
    char line[512];
    int length = std::vsnprintf(line, sizeof line, format, arguments);
    if (length < 0) return {};
    size_t size = static_cast<size_t>(length) < sizeof line ? static_cast<size_t>(length) : sizeof line - 1;
    (void)kernel_call([&](Kernel& k) { return k.kcall_log(line, size); });
    return std::string(line, size);
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
    std::string reason = vlog(format, arguments);
    va_end(arguments);
    // Kept with the process, not only on the console: the run's report gives
    // it as the reason of the exit status that follows, even under --quiet.
    tl_port->processes[sim::running_slot].failure = std::move(reason);
    exit(1);
}

uint64_t random_u64() { return splitmix64::next(tl_port->processes[sim::running_slot].random_state); }

// Both ports answer from the boot image the kernel was built from.
int64_t arg_int(const char* key, int64_t fallback) {
    return boot::arg_int(*tl_port->image, sim::running_slot, key, fallback);
}

const char* arg_string(const char* key, const char* fallback) {
    return boot::arg_string(*tl_port->image, sim::running_slot, key, fallback);
}

}  // namespace axl
