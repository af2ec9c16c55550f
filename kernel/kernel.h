// Kernel: the portable microkernel core. All state lives in this object and is
// passed explicitly, so the hosted port can run several kernels in one process.
//
// Execution model: kernel code runs to completion on the context it was
// entered on (the calling process's, in the hosted port), and never switches
// context itself. A call that blocks, ends or preempts its caller picks the
// next process (or none: idle) and returns; the port then continues
// running(), see kernel/platform.h. A blocked call's result reaches its
// process later, through Process::ipc_status, when the process is continued.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernel/api/calls.h"
#include "kernel/api/device.h"
#include "kernel/api/endpoint.h"
#include "kernel/api/fault.h"
#include "kernel/api/message.h"
#include "kernel/api/service.h"
#include "kernel/api/status.h"
#include "kernel/config.h"
#include "kernel/cost_model.h"
#include "kernel/grant_table.h"
#include "kernel/ipc_strategy.h"
#include "kernel/lib/atomic.h"
#include "kernel/platform.h"
#include "kernel/privilege.h"
#include "kernel/process.h"
#include "kernel/run_queue.h"
#include "kernel/trace.h"

namespace axl {

struct ProcessSpec {
    const char* name = "";
    uint16_t privilege = 0;
    uint8_t priority = 8;
    int32_t cpu = -1;  // -1: the kernel spreads processes over CPUs round-robin
    uint64_t quantum_ns = config::default_quantum_ns;
};

class Kernel {
public:
    Kernel(Port& port, IpcStrategy& strategy, const CostModel& costs, uint32_t cpu_count);
    Kernel(const Kernel&) = delete;
    Kernel& operator=(const Kernel&) = delete;

    // Boot: build the initial system before run() -------------------------------
    Status create_privilege(const PrivilegeSpec& spec, uint16_t& id);
    Status allow_destination(uint16_t privilege, uint16_t destination_privilege);
    Status allow_all_destinations(uint16_t privilege);
    Status spawn(const ProcessSpec& spec, Endpoint& endpoint);
    // Keep `cpu` free of processes spread round-robin, for one to be dedicated
    // to it later; then dedicate_cpu: it runs only `endpoint` (pinned to it).
    Status reserve_cpu(uint32_t cpu);
    Status dedicate_cpu(uint32_t cpu, Endpoint endpoint);
    void set_tracing(bool on) {
        m_tracing = on;
        update_fastpath();
    }
    // Parallel mode: one host thread per CPU, each running only its own CPU's
    // processes. The port serialises kernel entries (one lock around each) and
    // brackets each with enter_from_cpu/leave_to_cpu, so that running() is
    // that CPU's process during the entry and its choice is kept afterwards.
    void set_parallel(bool on) {
        m_parallel = on;
        update_fastpath();
    }
    bool parallel() const { return m_parallel; }
    void enter_from_cpu(uint32_t cpu) {
        m_running_cpu = cpu;
        m_running = m_cpus[cpu].current;
    }
    void leave_to_cpu() { m_cpus[m_running_cpu].current = m_running; }

    // Port side --------------------------------------------------------------------
    // From the port's idle loop: choose the next process to run (running()
    // afterwards). False if nothing was runnable.
    bool run_from_idle();
    // Parallel mode, from `cpu`'s idle loop (inside enter_from_cpu/leave_to_cpu):
    // choose that CPU's next process. False if it has none it may run now.
    bool run_from_idle_on(uint32_t cpu);
    // Parallel mode: `cpu` has a process it could run now (its idle loop should wake).
    bool cpu_has_work(uint32_t cpu) const { return start_time(cpu) < m_next_event_ns; }
    // The same as a hint, without the kernel lock: `cpu` has a runnable process.
    bool cpu_may_have_work(uint32_t cpu) const { return atomic::load(m_cpus[cpu].run_queue.nonempty) != 0; }
    // Earliest virtual time at which some CPU would run a process; UINT64_MAX if none.
    uint64_t next_runnable_time() const;
    // The port's next pending event; the kernel returns to idle before any CPU's
    // clock passes it so the port can deliver it in order.
    void set_next_event_time(uint64_t ns) { m_next_event_ns = ns; }
    // The running process hit a real fault (bad pointer, stack overflow, ...):
    // it is killed, and running() names who runs next. Its context is never
    // continued again.
    void fault_running(FaultKind kind, uint32_t detail);

    // System calls, on the running process's context ------------------------------
    Status ipc_send(Endpoint destination, const Message& message);
    Status ipc_receive(Endpoint from, Message& message);
    Status ipc_sendrec(Endpoint destination, Message& message);
    Status ipc_reply_receive(Endpoint client, Message& message);
    Status ipc_notify(Endpoint destination);
    Status ipc_sendnb(Endpoint destination, const Message& message);

    // Ends the caller; running() then names who runs next, never the caller.
    void kcall_exit(int32_t status);
    Status kcall_yield();
    Status kcall_compute(uint64_t ns);
    static constexpr uint64_t compute_ns_max = 3'600'000'000'000ull;  // an hour: longer is refused
    Status kcall_lookup(const char* name, Endpoint& endpoint);
    Status kcall_log(const char* text, size_t length);
    Status kcall_clock(uint64_t& ns);
    Status kcall_self(Endpoint& endpoint);
    // Drivers and servers (devices.cc, grants.cc). `address` and `local` are
    // the caller's memory, already checked by the port in the caller's context.
    Status kcall_device_io(uint16_t port, uint32_t width, bool write, uint32_t& value);
    Status kcall_device_mmio(uint64_t address, uint32_t width, bool write, uint32_t& value);
    Status kcall_irq_control(IrqOp op, uint32_t line, IrqPolicy policy);
    Status kcall_device_grant(Endpoint driver, DeviceResource resource, uint64_t first, uint64_t last, bool direct);
    Status kcall_alarm(uint64_t delay_ns);
    // A DMA buffer for the caller (dma.cc): its address in the caller, its bus address.
    Status kcall_dma(uint64_t bytes, uintptr_t& address, uint64_t& bus);
    Status kcall_grant_create(Endpoint grantee, uintptr_t address, uint64_t bytes, GrantAccess access,
                              GrantId& grant);
    Status kcall_grant_revoke(GrantId grant);
    Status kcall_safecopy(Endpoint granter, GrantId grant, uint64_t offset, uintptr_t local, uint64_t bytes,
                          bool to_granter);
    // The reincarnation server's calls (process_control.cc).
    Status kcall_watch_deaths();
    Status kcall_next_death(Death& death);
    Status kcall_kill(Endpoint target);
    Status kcall_restart(Endpoint dead, Endpoint& fresh);
    // From the port, outside any process's call: an injected crash of `slot`
    // (not the running process) at virtual time `now_ns`, as if it had
    // faulted with `kind`.
    void crash(uint32_t slot, FaultKind kind, uint32_t detail, uint64_t now_ns);

    // Hardware side (devices.cc), from the port outside any process's call
    // (hosted: the event loop, with no process running) -----------------------
    // Line `line` is asserted and unmasked: mask it, record it for its owner
    // and notify the owner from endpoints::hardware. `now_ns` is when it happened.
    void interrupt(uint32_t line, uint64_t now_ns);
    // The one-shot timer (platform::timer_arm) fired: alarms due by `now_ns`
    // notify their owners from endpoints::clock.
    void timer_expired(uint64_t now_ns);
    // The port has an event earlier than the one it last announced: calls end
    // and return to the port before a CPU's clock passes it.
    void event_scheduled(uint64_t ns) {
        if (ns < m_next_event_ns) m_next_event_ns = ns;
    }
    // Direct device access: the port checks a register access against the
    // running process's rights, as the CPU's I/O permission bitmap does, and
    // charges its time without a kernel entry. True when that time reached
    // the port's next event: the port then makes a preemption-point entry.
    // The caller's range holding ports [port, port + width), or nullptr.
    const IoRange* granted_io_range(uint16_t privilege, uint16_t port, uint32_t width) const;
    // Likewise for memory-mapped registers [address, address + width).
    const MmioRange* granted_mmio_range(uint16_t privilege, uint64_t address, uint32_t width) const;
    // Every device a privilege may touch (bare metal: the direct ranges are
    // opened in the TSS's I/O permission bitmap while its process runs).
    const DeviceRights& device_rights(uint16_t privilege) const { return m_device_rights[privilege]; }
    bool charge_user_time(uint64_t ns) {
        charge(ns);
        return m_cpus[m_running_cpu].clock_ns >= m_next_event_ns;
    }
    // The preemption point of a process that entered only because time passed
    // (hosted: after direct register accesses reached an event).
    Status preemption_point() { return end_of_call(m_running, Status::ok); }
    // DMA: where a device may read or write `bytes` at `offset` of a grant made
    // to endpoints::hardware, with `access`. ok and the memory, or the reason.
    Status dma_window(GrantId grant, uint64_t offset, uint64_t bytes, GrantAccess access, uint32_t& slot,
                      uintptr_t& address) const;
    uint64_t now_ns() const { return m_cpus[m_running_cpu].clock_ns; }

    // Inspection ---------------------------------------------------------------------
    const Process& process(uint32_t slot) const { return m_processes[slot]; }
    const Privilege& privilege(uint16_t id) const { return m_privileges[id]; }
    const Cpu& cpu(uint32_t index) const { return m_cpus[index]; }
    uint32_t cpu_count() const { return m_cpu_count; }
    uint32_t slots_used() const { return m_slots_used; }
    uint32_t running() const { return m_running; }
    uint32_t running_cpu() const { return m_running_cpu; }
    const CostModel& costs() const { return m_costs; }
    IpcStrategyKind strategy_kind() const { return m_strategy.kind(); }
    // Validates an endpoint as a destination: ok, bad_endpoint or dead_endpoint.
    Status check_endpoint(Endpoint endpoint) const;
    uint64_t messages_delivered() const {
        uint64_t total = 0;
        for (uint32_t c = 0; c < m_cpu_count; ++c) total += m_cpus[c].messages_delivered;
        return total;
    }

    // Parallel mode's unlocked fast paths (fastpath_unlocked.h), called by the
    // port from `cpu`'s thread without the kernel lock, for the process that
    // CPU runs. They handle a stream between CPUs through a strategy that
    // buffers unlocked (ring); anything else returns not_taken / false having
    // changed nothing, and the port makes the locked call instead.
    // full: everything was in order but the receiver's buffer had no room.
    enum class UnlockedSend : uint8_t { not_taken, full, done, done_receiver_waits };
    [[gnu::always_inline]] UnlockedSend ipc_send_unlocked(uint32_t cpu, Endpoint destination, const Message& message);
    [[gnu::always_inline]] bool ipc_receive_unlocked(uint32_t cpu, Endpoint from, Message& message);
    // After done_receiver_waits, as a locked call by the sender: the receiver
    // blocked while the message went in, so hand it what is kept for it.
    Status wake_receiver_with_kept(Endpoint receiver);
    // The port provides platform::fence_other_cpus: the unlocked sender's
    // half of the lost-wake-up handshake is then a compiler barrier, and a
    // receiver about to block pays for both sides (see fastpath_unlocked.h).
    void set_asymmetric_fences(bool on) { m_asymmetric_fences = on; }
    // `cpu` is dedicated to the process it runs (it has nothing else to run),
    // so while an unlocked call cannot complete (an empty or full buffer), the
    // port may poll for a while before making the locked call that blocks.
    bool may_poll_unlocked(uint32_t cpu) const {
        return m_unlocked && m_cpus[cpu].dedicated_to == m_cpus[cpu].current;
    }

private:
    // Scheduling (scheduler.cc)
    void enqueue(uint32_t slot);
    void enqueue_woken(uint32_t slot);
    void dequeue(uint32_t slot);
    void make_runnable(uint32_t slot, Status status);
    uint32_t pick_next(uint32_t& cpu) const;
    uint64_t start_time(uint32_t cpu) const;  // when its best process could run; UINT64_MAX if none
    void dispatch(uint32_t slot, uint32_t cpu);
    void block_running();
    void switch_away();
    Status end_of_call(uint32_t caller, Status status);
    bool must_preempt(const Process& caller, const Cpu& cpu) const;
    Status end_of_call_slow(uint32_t caller, Status status);
    void charge(uint64_t ns);
    void update_fastpath() {
        m_fastpath = !m_tracing && m_cpu_count == 1;
        m_unlocked = !m_tracing && m_parallel && m_strategy.buffers_unlocked();
    }
    // The process state, for readers without the kernel lock (parallel mode):
    // a wait is announced with a full fence, see kept_after_announcing_wait().
    static void set_state(Process& process, ProcessState state) {
        atomic::store(process.state, state,
                      state == ProcessState::receiving ? std::memory_order_seq_cst : std::memory_order_release);
    }
    // Messages the strategy keeps for a process: counted in deterministic
    // mode; in parallel mode unlocked senders do not count, so the strategy is asked.
    bool has_kept(const Process& process) const {
        return m_parallel ? m_strategy.pending(process.endpoint.slot()) : process.buffered != 0;
    }
    void count_kept(Process& process, int delta) {
        if (!m_parallel) process.buffered += static_cast<uint32_t>(delta);
    }
    bool kept_after_announcing_wait(Process& caller, Endpoint from, Message& message, bool reply);
    // The receiver's fence between announcing a wait and looking at its
    // buffers. Senders that were told to skip theirs are covered by making
    // every CPU fence (expensive, so only after a stream); later senders see
    // the flag cleared and fence themselves again.
    void fence_after_announcing_wait(Process& receiver) {
        receiver.unlocked_receives_in_a_row = 0;
        if (receiver.senders_skip_fence) {
            atomic::store(receiver.senders_skip_fence, uint8_t{0});
            platform::fence_other_cpus(m_port);
        } else {
            atomic::full_fence();
        }
    }
    bool may_stay_unlocked(const Process& caller, const Cpu& cpu, uint64_t charged) const;

    // Fast paths (fastpath.h): the common single-CPU cases of the hot
    // primitives, same semantics and same virtual-time charges as the general
    // path, which they fall back to (returning false, nothing changed) for
    // anything else.
    [[gnu::always_inline]] bool fastpath_hand_off(Primitive primitive, Endpoint target, Message& message,
                                                  Endpoint wait_for, bool awaiting_reply);
    [[gnu::always_inline]] bool fastpath_sendrec(Endpoint destination, Message& message);
    [[gnu::always_inline]] bool fastpath_reply_receive(Endpoint client, Message& message);
    [[gnu::always_inline]] bool fastpath_receive_any(Message& message);
    [[gnu::always_inline]] bool fastpath_send(Endpoint destination, const Message& message, Status& status);
    [[gnu::always_inline]] bool fastpath_receive_buffered(Message& message, Status& status);
    static bool may_send_to(const Privilege& privilege, Primitive primitive, const Process& destination);
    static bool runs_alone(uint32_t slot, uint32_t level, const RunQueue& queue);
    bool picked_next_among_others(uint32_t caller_slot, const Process& target,
                                                    const RunQueue& queue) const;
    Status ipc_send_general(Endpoint destination, const Message& message);
    Status ipc_sendrec_general(Endpoint destination, Message& message);
    Status ipc_reply_receive_general(Endpoint client, Message& message);
    Status ipc_receive_general(Endpoint from, Message& message);
    bool cpu_allows(uint32_t cpu, uint32_t slot) const;

    // IPC (ipc.cc)
    Status check_call(Primitive primitive);
    Status check_destination(Endpoint destination, uint32_t& slot);
    Status deny(uint32_t call, Status status);
    bool receiver_waits_for(const Process& receiver, Endpoint sender) const;
    void deliver(Process& receiver, const Message& message, Endpoint source);
    Status send_primitive(Primitive primitive, Endpoint destination, const Message& message, Message* reply);
    Status send_common(uint32_t destination_slot, const Message& message, bool then_receive,
                       bool may_block, Message* reply_buffer);
    Status receive_common(Endpoint from, Message& message, bool reply);
    bool take_pending(Process& receiver, Endpoint from, Message& out, bool reply);
    bool take_notification(Process& receiver, Endpoint from, Message& out);
    void refill_from_senders(uint32_t receiver_slot);
    void release_sender(uint32_t sender_slot, uint32_t receiver_slot);
    bool accepts_notification(const Process& receiver, Endpoint notifier) const;
    Status check_kernel_call(KernelCall call);
    Status finish_kernel_call(KernelCall call, Status status);
    bool would_deadlock(uint32_t caller, uint32_t target) const;
    void link_sender(uint32_t sender, uint32_t destination);
    void unlink_sender(uint32_t sender, uint32_t destination);
    Endpoint notification_source(uint16_t privilege_id) const;

    // Devices and grants (devices.cc, grants.cc)
    struct IrqLine {
        uint16_t owner = 0;  // privilege id; 0 (hardware's own) = not attached
        IrqPolicy policy = IrqPolicy::manual;
        bool enabled = false;
    };
    void post_notification(uint32_t slot, uint16_t source_privilege);
    void enter_from_hardware(uint32_t cpu, uint64_t now_ns);
    void rearm_timer();
    void release_devices(uint16_t privilege);
    void revoke_grants_of(Endpoint granter);
    Status find_grant(Endpoint granter, GrantId grant, Endpoint grantee, uint64_t offset, uint64_t bytes,
                      GrantAccess access, const GrantEntry*& entry) const;

    // Process lifetime (kernel.cc, process_control.cc)
    void start_in_slot(uint32_t slot, const ProcessSpec& spec, uint32_t cpu, uint32_t name_index);
    void record_death(const Process& process);
    void terminate(uint32_t slot, ProcessState final_state, int32_t status);
    uint32_t name_hash_slot(const char* name) const;

    void trace(TraceKind kind, uint32_t a, uint32_t b, uint32_t c) {
        if (m_tracing) [[unlikely]]
            emit_trace(kind, a, b, c);
    }
    void emit_trace(TraceKind kind, uint32_t a, uint32_t b, uint32_t c);

    Process& running_process() { return m_processes[m_running]; }
    Cpu& running_cpu_state() { return m_cpus[m_running_cpu]; }

    Port& m_port;
    IpcStrategy& m_strategy;
    CostModel m_costs;
    uint32_t m_cpu_count;
    bool m_tracing = false;
    bool m_fastpath = false;         // see update_fastpath()
    bool m_parallel = false;         // see set_parallel()
    bool m_unlocked = false;         // see update_fastpath()
    bool m_asymmetric_fences = false;  // see set_asymmetric_fences()
    uint32_t m_running = no_slot;    // slot the host is executing now
    uint32_t m_running_cpu = 0;
    uint32_t m_slots_used = 0;       // high-water mark of the process table
    uint32_t m_next_spawn_cpu = 0;
    uint64_t m_next_event_ns = ~uint64_t{0};
    Cpu m_cpus[config::cpus_max];
    Privilege m_privileges[config::privilege_slots_max];
    uint32_t m_name_table[config::name_table_size];  // slot + 1; 0 = empty
    DeviceRights m_device_rights[config::privilege_slots_max];
    uint64_t m_irqs_pending[config::privilege_slots_max] = {};  // lines raised since the last notification
    uint64_t m_irqs_raised_at_ns[config::privilege_slots_max] = {};  // the clock when the first of them was
    uint64_t m_alarm_at_ns[config::privilege_slots_max];        // platform::never_ns: none
    uint64_t m_timer_at_ns = platform::never_ns;                // what the port's timer is armed for
    IrqLine m_irq_lines[config::irq_lines];
    GrantEntry m_grants[config::grant_slots_max];
    uint64_t m_dma_bytes[config::process_slots_max] = {};  // DMA memory each process holds
    uint32_t m_grant_free_head = 0;  // index + 1; 0 = table full
    Endpoint m_death_watcher = endpoints::none;
    Death m_deaths[config::death_queue_size];
    uint32_t m_death_head = 0;
    uint32_t m_death_count = 0;
    uint64_t m_deaths_lost = 0;  // deaths that found the queue full
    Process m_processes[config::process_slots_max];
};

// Hot helpers, inline so the IPC paths compile into straight-line code --------------

inline void Kernel::charge(uint64_t ns) {
    m_cpus[m_running_cpu].clock_ns += ns;
    Process& process = m_processes[m_running];
    process.quantum_used_ns += ns;
    process.counters.cpu_ns += ns;
}

inline void Kernel::enqueue(uint32_t slot) {
    Process& process = m_processes[slot];
    RunQueue& queue = m_cpus[process.cpu].run_queue;
    uint32_t level = process.priority;
    process.run_next = no_slot;
    process.run_prev = queue.tail[level];
    if (queue.tail[level] != no_slot)
        m_processes[queue.tail[level]].run_next = slot;
    else
        queue.head[level] = slot;
    queue.tail[level] = slot;
    atomic::store(queue.nonempty, queue.nonempty | (1u << level));
}

// A process that blocked before its quantum was used up goes back to the
// front of its level when it is woken, as in MINIX 3 (sched(): "front =
// time_left"): a process that waits a lot, for a server or a device, runs
// again promptly instead of after every process of its level; one that used
// its quantum queues at the back, with a new one. A client/server pair therefore keeps its CPU
// for a quantum's worth of round trips, which keeps it in the cache, and the
// hand-off fast path applies whatever else is runnable.
inline void Kernel::enqueue_woken(uint32_t slot) {
    Process& process = m_processes[slot];
    if (process.quantum_used_ns >= process.quantum_ns) {
        process.quantum_used_ns = 0;
        enqueue(slot);
        return;
    }
    RunQueue& queue = m_cpus[process.cpu].run_queue;
    uint32_t level = process.priority;
    process.run_prev = no_slot;
    process.run_next = queue.head[level];
    if (queue.head[level] != no_slot)
        m_processes[queue.head[level]].run_prev = slot;
    else
        queue.tail[level] = slot;
    queue.head[level] = slot;
    atomic::store(queue.nonempty, queue.nonempty | (1u << level));
}

inline void Kernel::dequeue(uint32_t slot) {
    Process& process = m_processes[slot];
    RunQueue& queue = m_cpus[process.cpu].run_queue;
    uint32_t level = process.priority;
    if (process.run_prev != no_slot)
        m_processes[process.run_prev].run_next = process.run_next;
    else
        queue.head[level] = process.run_next;
    if (process.run_next != no_slot)
        m_processes[process.run_next].run_prev = process.run_prev;
    else
        queue.tail[level] = process.run_prev;
    process.run_next = process.run_prev = no_slot;
    if (queue.head[level] == no_slot) atomic::store(queue.nonempty, queue.nonempty & ~(1u << level));
}

// Every call ends here: the one place a running process can be preempted (its
// quantum is used up, a higher priority became ready, a port event is due, or
// another simulated CPU has fallen behind). One test in the common case. A
// caller that blocked or ended is no longer running: whoever runs instead is
// checked at the end of its own call.
inline Status Kernel::end_of_call(uint32_t caller, Status status) {
    if (m_running != caller) return status;
    if (must_preempt(m_processes[caller], m_cpus[m_running_cpu]) || m_cpu_count > 1) [[unlikely]]
        return end_of_call_slow(caller, status);
    return status;
}

// end_of_call()'s test on one CPU: the quantum is used up, a higher priority
// is ready, or a port event is due.
inline bool Kernel::must_preempt(const Process& caller, const Cpu& cpu) const {
    return caller.quantum_used_ns >= caller.quantum_ns ||
           (cpu.run_queue.nonempty & ((1u << caller.priority) - 1)) || cpu.clock_ns >= m_next_event_ns;
}

[[gnu::always_inline]] inline Status Kernel::ipc_send(Endpoint destination, const Message& message) {
    Status status;
    if (m_fastpath && fastpath_send(destination, message, status)) return status;
    return ipc_send_general(destination, message);
}

// The blocking fast paths return nothing useful to the caller: it waits, and
// its call returns Process::ipc_status when it is continued.
[[gnu::always_inline]] inline Status Kernel::ipc_sendrec(Endpoint destination, Message& message) {
    if (m_fastpath && fastpath_sendrec(destination, message)) return Status::ok;
    return ipc_sendrec_general(destination, message);
}

[[gnu::always_inline]] inline Status Kernel::ipc_reply_receive(Endpoint client, Message& message) {
    if (m_fastpath && fastpath_reply_receive(client, message)) return Status::ok;
    return ipc_reply_receive_general(client, message);
}

[[gnu::always_inline]] inline Status Kernel::ipc_receive(Endpoint from, Message& message) {
    if (m_fastpath && from == endpoints::any) {
        Status status;
        if (fastpath_receive_buffered(message, status)) return status;
        if (fastpath_receive_any(message)) return Status::ok;
    }
    return ipc_receive_general(from, message);
}

}  // namespace axl

#include "kernel/fastpath.h"
#include "kernel/fastpath_unlocked.h"
