// Process management for the reincarnation server: death notifications,
// kill, and restart from the image. Each call decodes and checks everything
// before it changes anything.
#include "kernel/kassert.h"
#include "kernel/kernel.h"

namespace axl {

namespace {
constexpr uint32_t process_control_call = kernel_call_trace_flag | static_cast<uint32_t>(KernelCall::process_control);

DeathKind death_kind(ProcessState state) {
    switch (state) {
        case ProcessState::faulted: return DeathKind::faulted;
        case ProcessState::killed: return DeathKind::killed;
        default: return DeathKind::exited;
    }
}
}  // namespace

// Every death is queued for the watcher (MINIX's kernel tells PM with a
// signal, PM tells RS; here the kernel tells RS directly), who hears of it
// as a notification from endpoints::system. A watcher's own death is not.
void Kernel::record_death(const Process& process) {
    if (m_death_watcher == endpoints::none || process.endpoint == m_death_watcher) return;
    if (check_endpoint(m_death_watcher) != Status::ok) return;
    if (m_death_count == config::death_queue_size) {
        m_deaths_lost += 1;
    } else {
        Death& death = m_deaths[(m_death_head + m_death_count) % config::death_queue_size];
        death = Death{};
        death.endpoint = process.endpoint;
        death.status = process.exit_status;
        death.kind = death_kind(process.state);
        for (uint32_t i = 0; i < config::process_name_bytes; ++i) death.name[i] = process.name[i];
        m_death_count += 1;
    }
    post_notification(m_death_watcher.slot(), privilege_ids::system);
}

Status Kernel::kcall_watch_deaths() {
    Status status = check_kernel_call(KernelCall::process_control);
    if (status == Status::ok) m_death_watcher = running_process().endpoint;
    return finish_kernel_call(KernelCall::process_control, status);
}

Status Kernel::kcall_next_death(Death& death) {
    Status status = check_kernel_call(KernelCall::process_control);
    if (status == Status::ok && running_process().endpoint != m_death_watcher)
        status = deny(process_control_call, Status::call_denied);
    if (status == Status::ok && m_death_count == 0) status = Status::not_found;
    if (status == Status::ok) {
        death = m_deaths[m_death_head];
        m_death_head = (m_death_head + 1) % config::death_queue_size;
        m_death_count -= 1;
    }
    return finish_kernel_call(KernelCall::process_control, status);
}

Status Kernel::kcall_kill(Endpoint target) {
    Status status = check_kernel_call(KernelCall::process_control);
    if (status == Status::ok) {
        Status alive = check_endpoint(target);
        if (alive != Status::ok) status = deny(process_control_call, alive);
    }
    if (status == Status::ok && target == running_process().endpoint)
        status = deny(process_control_call, Status::bad_argument);  // exit() ends oneself
    if (status == Status::ok) {
        trace(TraceKind::kill, target.slot(), m_running, 0);
        terminate(target.slot(), ProcessState::killed, 0);
    }
    return finish_kernel_call(KernelCall::process_control, status);
}

Status Kernel::kcall_restart(Endpoint dead, Endpoint& fresh) {
    Status status = check_kernel_call(KernelCall::process_control);
    const uint32_t slot = dead.slot();
    // decode: the slot's current incarnation is `dead`, and dead.
    if (status == Status::ok && (slot >= m_slots_used || m_processes[slot].endpoint != dead ||
                                 is_alive(m_processes[slot].state) || m_processes[slot].state == ProcessState::free))
        status = deny(process_control_call, Status::bad_argument);
    uint32_t name_index = 0;
    if (status == Status::ok) {
        name_index = name_hash_slot(m_processes[slot].name);
        const uint32_t holder = m_name_table[name_index];
        if (holder != 0 && holder != slot + 1 && is_alive(m_processes[holder - 1].state))
            status = deny(process_control_call, Status::bad_argument);  // its name was taken meanwhile
    }
    // invoke
    if (status == Status::ok) {
        const Process& old = m_processes[slot];
        const ProcessSpec spec{.name = old.name,
                               .privilege = old.privilege,
                               .priority = old.priority,
                               .cpu = old.cpu,
                               .quantum_ns = old.quantum_ns};
        const uint32_t cpu = old.cpu;
        start_in_slot(slot, spec, cpu, name_index);
        Process& process = m_processes[slot];
        // It starts no earlier than the restart, on the restarter's clock.
        const uint64_t now = now_ns();
        if (process.ready_at_ns < now) process.ready_at_ns = now;
        fresh = process.endpoint;
        trace(TraceKind::restart, slot, fresh.raw, m_running);
    }
    return finish_kernel_call(KernelCall::process_control, status);
}

// The crash happens on the victim's CPU, whose clock first catches up with
// the moment (as for an interrupt), so whoever hears of it hears then.
void Kernel::crash(uint32_t slot, FaultKind kind, uint32_t detail, uint64_t now_ns) {
    KASSERT(slot != m_running && slot < m_slots_used && is_alive(m_processes[slot].state));
    const uint32_t saved_cpu = m_running_cpu;
    enter_from_hardware(m_processes[slot].cpu, now_ns);
    trace(TraceKind::fault, slot, static_cast<uint32_t>(kind), detail);
    terminate(slot, ProcessState::faulted, static_cast<int32_t>(kind));
    m_running_cpu = saved_cpu;
}

}  // namespace axl
