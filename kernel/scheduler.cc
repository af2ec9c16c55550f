// Scheduling: MINIX-style fixed priorities with round-robin inside a level,
// one run queue per CPU, and the choice of which CPU the (single) host thread
// executes next in deterministic mode: always the runnable CPU whose virtual
// clock is furthest behind, so simulated CPUs advance together.
#include <bit>

#include "kernel/kassert.h"
#include "kernel/kernel.h"

namespace axl {

void Kernel::make_runnable(uint32_t slot, Status status) {
    Process& process = m_processes[slot];
    KASSERT(process.state == ProcessState::sending || process.state == ProcessState::receiving);
    set_state(process, ProcessState::runnable);
    process.ipc_status = status;
    process.waiting_on = endpoints::none;
    process.awaiting_reply = false;
    // It can run no earlier than the moment it was woken, on the waker's clock.
    uint64_t now = m_cpus[m_running_cpu].clock_ns;
    if (process.cpu != m_running_cpu) now += m_costs.cross_cpu_wakeup_ns;
    process.ready_at_ns = now;
    enqueue_woken(slot);
    trace(TraceKind::wake, slot, m_running, static_cast<uint32_t>(status));
}

uint32_t Kernel::pick_next(uint32_t& cpu) const {
    if (m_parallel) {
        // Each CPU's thread schedules only its own queue.
        cpu = m_running_cpu;
        const RunQueue& queue = m_cpus[cpu].run_queue;
        return queue.nonempty ? queue.head[std::countr_zero(queue.nonempty)] : no_slot;
    }
    uint32_t best = no_slot;
    uint64_t best_time = ~uint64_t{0};
    for (uint32_t c = 0; c < m_cpu_count; ++c) {
        uint64_t time = start_time(c);
        if (time < best_time) {
            const RunQueue& queue = m_cpus[c].run_queue;
            best = queue.head[std::countr_zero(queue.nonempty)];
            best_time = time;
            cpu = c;
        }
    }
    return best;
}

// With others runnable: once the caller (in the run queue) leaves, `target`,
// woken, is the process picked next (enqueue_woken puts it at the front of
// its level unless its quantum is used).
bool Kernel::picked_next_among_others(uint32_t caller_slot, const Process& target, const RunQueue& queue) const {
    const uint32_t caller_level = m_processes[caller_slot].priority;
    const bool alone_in_level = queue.head[caller_level] == caller_slot && queue.tail[caller_level] == caller_slot;
    const uint32_t others = alone_in_level ? queue.nonempty & ~(1u << caller_level) : queue.nonempty;
    if (others & ((1u << target.priority) - 1)) return false;  // a higher priority runs first
    if (target.quantum_used_ns >= target.quantum_ns && (others & (1u << target.priority)))
        return false;  // it would queue behind them
    return true;
}

uint64_t Kernel::next_runnable_time() const {
    uint64_t earliest = ~uint64_t{0};
    for (uint32_t c = 0; c < m_cpu_count; ++c) {
        uint64_t time = start_time(c);
        if (time < earliest) earliest = time;
    }
    return earliest;
}

void Kernel::block_running() {
    Process& process = running_process();
    // Runnable, or (parallel mode) announced as receiving already, see
    // kept_after_announcing_wait().
    KASSERT(process.state == ProcessState::runnable || process.state == ProcessState::receiving);
    dequeue(m_running);
    process.counters.blocked += 1;
}

// Makes `slot` the process the host executes on `cpu`: the CPU's clock catches
// up with the moment the process became ready, and a change of process costs
// a context switch.
void Kernel::dispatch(uint32_t slot, uint32_t cpu) {
    Cpu& target = m_cpus[cpu];
    Process& process = m_processes[slot];
    KASSERT(process.state == ProcessState::runnable);
    if (target.clock_ns < process.ready_at_ns) {
        target.idle_ns += process.ready_at_ns - target.clock_ns;
        target.clock_ns = process.ready_at_ns;
    }
    m_running = slot;
    m_running_cpu = cpu;
    if (target.last_ran != slot) {
        target.clock_ns += m_costs.context_switch_ns;
        target.switches += 1;
        trace(TraceKind::dispatch, slot, target.last_ran, cpu);
        target.last_ran = slot;
    }
}

uint64_t Kernel::start_time(uint32_t cpu) const {
    const RunQueue& queue = m_cpus[cpu].run_queue;
    if (!queue.nonempty) return ~uint64_t{0};
    uint64_t ready = m_processes[queue.head[std::countr_zero(queue.nonempty)]].ready_at_ns;
    return m_cpus[cpu].clock_ns > ready ? m_cpus[cpu].clock_ns : ready;
}

// The running process stops running (blocked, ended or preempted): choose
// the next process, or none (the port's idle loop) when nothing can run
// before the port's next event. The port continues it when the call returns.
void Kernel::switch_away() {
    uint32_t from_cpu = m_running_cpu;
    uint32_t cpu = 0;
    uint32_t next = pick_next(cpu);
    if (next != no_slot && start_time(cpu) >= m_next_event_ns)
        next = no_slot;  // the port must deliver its event first
    if (next == no_slot) {
        trace(TraceKind::idle, from_cpu, 0, 0);
        m_running = no_slot;
        return;
    }
    dispatch(next, cpu);
}

bool Kernel::run_from_idle_on(uint32_t cpu) {
    KASSERT(m_parallel && m_running == no_slot && m_running_cpu == cpu);
    uint32_t chosen_cpu = cpu;
    uint32_t next = pick_next(chosen_cpu);
    if (next == no_slot || start_time(cpu) >= m_next_event_ns) return false;
    dispatch(next, cpu);
    return true;
}

bool Kernel::run_from_idle() {
    KASSERT(m_running == no_slot);
    uint32_t cpu = 0;
    uint32_t next = pick_next(cpu);
    if (next == no_slot) return false;
    dispatch(next, cpu);
    return true;
}

// Preemption points are kernel exits: a hosted process that never calls the
// kernel is never preempted (documented in README), the bare-metal port adds
// timer interrupts.
Status Kernel::end_of_call_slow(uint32_t caller, Status status) {
    Process& process = m_processes[caller];
    Cpu& cpu = running_cpu_state();
    bool reschedule = false;
    if (process.quantum_used_ns >= process.quantum_ns) {
        process.quantum_used_ns = 0;
        RunQueue& queue = cpu.run_queue;
        if (queue.head[process.priority] != queue.tail[process.priority]) {
            dequeue(m_running);
            enqueue(m_running);
            trace(TraceKind::quantum, m_running, process.priority, 0);
            reschedule = true;
        }
    }
    if (cpu.run_queue.nonempty & ((1u << process.priority) - 1)) reschedule = true;
    if (cpu.clock_ns >= m_next_event_ns) reschedule = true;
    if (m_cpu_count > 1 && !m_parallel && !reschedule) {
        for (uint32_t c = 0; c < m_cpu_count; ++c) {
            if (c == m_running_cpu) continue;
            uint64_t other = start_time(c);
            if (other != ~uint64_t{0} && other + config::cpu_skew_max_ns < cpu.clock_ns) {
                reschedule = true;
                break;
            }
        }
    }
    if (reschedule) {
        process.ipc_status = status;  // what the call returns when the process is continued
        switch_away();
    }
    return status;
}

}  // namespace axl
