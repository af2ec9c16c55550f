// Kernel construction, boot-time building of the process and privilege tables,
// and process termination.
#include "kernel/kernel.h"

#include "kernel/kassert.h"
#include "kernel/lib/c_string.h"

namespace axl {

namespace {

// FNV-1a: the name table only needs a cheap, fixed, deterministic spread.
uint32_t hash_name(const char* name) {
    uint32_t h = 2166136261u;
    for (const char* c = name; *c; ++c) h = (h ^ static_cast<uint8_t>(*c)) * 16777619u;
    return h;
}

}  // namespace

Kernel::Kernel(Port& port, IpcStrategy& strategy, const CostModel& costs, uint32_t cpu_count)
    : m_port(port), m_strategy(strategy), m_costs(costs), m_cpu_count(cpu_count) {
    KASSERT(cpu_count >= 1 && cpu_count <= config::cpus_max);
    update_fastpath();
    for (Cpu& cpu : m_cpus)
        for (uint32_t level = 0; level < config::priority_levels; ++level)
            cpu.run_queue.head[level] = cpu.run_queue.tail[level] = no_slot;
    for (uint32_t& entry : m_name_table) entry = 0;
    for (uint64_t& at : m_alarm_at_ns) at = platform::never_ns;
    for (uint32_t i = 0; i < config::grant_slots_max; ++i) {
        m_grants[i].granter = endpoints::none;
        m_grants[i].next_free = i + 1 < config::grant_slots_max ? i + 2 : 0;
    }
    m_grant_free_head = 1;
    // The pseudo-sources of notifications own the first privilege ids.
    const Endpoint pseudo_owners[] = {endpoints::hardware, endpoints::system, endpoints::clock};
    for (uint16_t id = 0; id < privilege_ids::first_free; ++id) {
        m_privileges[id].in_use = true;
        m_privileges[id].owner = pseudo_owners[id];
    }
}

Status Kernel::create_privilege(const PrivilegeSpec& spec, uint16_t& id) {
    // decode
    if ((spec.primitives & ~all_primitives) || (spec.kernel_calls & ~all_kernel_calls))
        return Status::bad_argument;
    if (spec.devices.io_range_count > config::io_ranges_max) return Status::bad_argument;
    for (uint32_t r = 0; r < spec.devices.io_range_count; ++r)
        if (spec.devices.io[r].first > spec.devices.io[r].last) return Status::bad_argument;
    if (spec.devices.mmio_range_count > config::mmio_ranges_max) return Status::bad_argument;
    for (uint32_t r = 0; r < spec.devices.mmio_range_count; ++r)
        if (spec.devices.mmio[r].first > spec.devices.mmio[r].last) return Status::bad_argument;
    uint32_t found = config::privilege_slots_max;
    for (uint32_t i = privilege_ids::first_free; i < config::privilege_slots_max; ++i) {
        if (!m_privileges[i].in_use) {
            found = i;
            break;
        }
    }
    if (found == config::privilege_slots_max) return Status::bad_argument;
    // invoke
    Privilege& privilege = m_privileges[found];
    privilege = Privilege{};
    privilege.in_use = true;
    privilege.primitives = spec.primitives;
    // exit is never refused: a process that cannot exit could only be killed.
    privilege.kernel_calls = spec.kernel_calls | bit(KernelCall::exit);
    if (spec.all_destinations) privilege.destinations.set_all();
    m_device_rights[found] = spec.devices;
    m_irqs_pending[found] = 0;
    m_alarm_at_ns[found] = platform::never_ns;
    id = static_cast<uint16_t>(found);
    return Status::ok;
}

Status Kernel::allow_destination(uint16_t privilege, uint16_t destination_privilege) {
    if (privilege >= config::privilege_slots_max || destination_privilege >= config::privilege_slots_max ||
        !m_privileges[privilege].in_use || !m_privileges[destination_privilege].in_use)
        return Status::bad_argument;
    m_privileges[privilege].destinations.set(destination_privilege);
    return Status::ok;
}

Status Kernel::allow_all_destinations(uint16_t privilege) {
    if (privilege >= config::privilege_slots_max || !m_privileges[privilege].in_use)
        return Status::bad_argument;
    m_privileges[privilege].destinations.set_all();
    return Status::ok;
}

uint32_t Kernel::name_hash_slot(const char* name) const {
    // Returns the table index holding `name`, or the empty index where it would go.
    uint32_t mask = config::name_table_size - 1;
    for (uint32_t i = hash_name(name) & mask;; i = (i + 1) & mask) {
        uint32_t entry = m_name_table[i];
        if (entry == 0 || c_string::equal(m_processes[entry - 1].name, name)) return i;
    }
}

Status Kernel::spawn(const ProcessSpec& spec, Endpoint& endpoint) {
    // decode: everything is checked before any table changes
    if (spec.privilege < privilege_ids::first_free || spec.privilege >= config::privilege_slots_max ||
        !m_privileges[spec.privilege].in_use)
        return Status::bad_argument;
    if (spec.priority >= config::priority_levels || spec.quantum_ns == 0) return Status::bad_argument;
    if (spec.cpu >= static_cast<int32_t>(m_cpu_count)) return Status::bad_argument;
    if (!spec.name || !spec.name[0]) return Status::bad_argument;
    size_t name_length = 0;
    while (spec.name[name_length]) ++name_length;
    if (name_length >= config::process_name_bytes) return Status::bad_argument;
    uint32_t name_index = name_hash_slot(spec.name);
    uint32_t previous = m_name_table[name_index];
    if (previous != 0 && is_alive(m_processes[previous - 1].state)) return Status::bad_argument;
    // Fresh slots first (so boot is linear in the number of processes), then reuse.
    uint32_t slot = m_slots_used < config::process_slots_max ? m_slots_used : no_slot;
    for (uint32_t i = 0; slot == no_slot && i < config::process_slots_max; ++i)
        if (m_processes[i].state == ProcessState::free) slot = i;
    if (slot == no_slot) return Status::bad_argument;
    uint32_t cpu = spec.cpu >= 0 ? static_cast<uint32_t>(spec.cpu) : m_next_spawn_cpu;
    if (spec.cpu < 0) {
        // Skip CPUs dedicated, or reserved for a dedicated process.
        auto taken = [&](uint32_t c) { return m_cpus[c].dedicated_to != no_slot || m_cpus[c].reserved; };
        for (uint32_t tries = 0; tries < m_cpu_count && taken(cpu); ++tries) cpu = (cpu + 1) % m_cpu_count;
        if (taken(cpu)) return Status::bad_argument;
        m_next_spawn_cpu = (cpu + 1) % m_cpu_count;
    } else if (m_cpus[cpu].dedicated_to != no_slot) {
        return Status::bad_argument;
    }

    // invoke
    start_in_slot(slot, spec, cpu, name_index);
    endpoint = m_processes[slot].endpoint;
    trace(TraceKind::spawn, slot, endpoint.raw, cpu);
    return Status::ok;
}

// A new incarnation in `slot`: the next generation of its endpoint, so every
// endpoint of the previous one is dead. Used by spawn and by restart.
void Kernel::start_in_slot(uint32_t slot, const ProcessSpec& spec, uint32_t cpu, uint32_t name_index) {
    Process& process = m_processes[slot];
    uint32_t generation = process.endpoint.generation() + 1;
    if (generation > Endpoint::generation_mask) generation = 1;
    char name[config::process_name_bytes];  // spec.name may point into the old incarnation
    size_t name_length = 0;
    while (spec.name[name_length] && name_length + 1 < config::process_name_bytes) {
        name[name_length] = spec.name[name_length];
        ++name_length;
    }
    name[name_length] = '\0';
    process = Process{};
    m_dma_bytes[slot] = 0;  // the port freed the previous incarnation's buffers with its context
    process.endpoint = Endpoint::make(slot, generation);
    process.priority = spec.priority;
    process.cpu = static_cast<uint8_t>(cpu);
    process.privilege = spec.privilege;
    process.quantum_ns = spec.quantum_ns;
    for (size_t i = 0; i <= name_length; ++i) process.name[i] = name[i];
    m_name_table[name_index] = slot + 1;
    Privilege& privilege = m_privileges[spec.privilege];
    privilege.holders += 1;
    privilege.owner = privilege.holders == 1 ? process.endpoint : endpoints::none;
    if (slot >= m_slots_used) m_slots_used = slot + 1;

    set_state(process, ProcessState::runnable);
    process.ready_at_ns = m_cpus[cpu].clock_ns;
    enqueue(slot);
    platform::context_create(m_port, slot);
}

Status Kernel::reserve_cpu(uint32_t cpu) {
    if (cpu >= m_cpu_count || m_cpus[cpu].dedicated_to != no_slot) return Status::bad_argument;
    m_cpus[cpu].reserved = true;
    return Status::ok;
}

Status Kernel::dedicate_cpu(uint32_t cpu, Endpoint endpoint) {
    if (cpu >= m_cpu_count || check_endpoint(endpoint) != Status::ok) return Status::bad_argument;
    uint32_t slot = endpoint.slot();
    if (m_processes[slot].cpu != cpu) return Status::bad_argument;
    for (uint32_t i = 0; i < m_slots_used; ++i)
        if (i != slot && is_alive(m_processes[i].state) && m_processes[i].cpu == cpu)
            return Status::bad_argument;
    m_cpus[cpu].dedicated_to = slot;
    m_cpus[cpu].reserved = false;
    return Status::ok;
}

Status Kernel::check_endpoint(Endpoint endpoint) const {
    uint32_t slot = endpoint.slot();
    if (slot >= config::process_slots_max) return Status::bad_endpoint;
    const Process& process = m_processes[slot];
    if (process.endpoint.raw == 0) return Status::bad_endpoint;  // slot never used
    if (process.endpoint != endpoint || !is_alive(process.state)) return Status::dead_endpoint;
    return Status::ok;
}

void Kernel::terminate(uint32_t slot, ProcessState final_state, int32_t status) {
    Process& process = m_processes[slot];
    KASSERT(is_alive(process.state));
    KASSERT(final_state == ProcessState::exited || final_state == ProcessState::faulted ||
            final_state == ProcessState::killed);

    // 1. Leave whatever structure its current state links it into.
    if (process.state == ProcessState::runnable) dequeue(slot);
    if (process.state == ProcessState::sending) unlink_sender(slot, process.waiting_on.slot());
    set_state(process, final_state);
    process.exit_status = status;

    // 2. Everyone blocked on it learns it is gone.
    while (process.senders_head != no_slot) {
        uint32_t sender = process.senders_head;
        unlink_sender(sender, slot);
        m_processes[sender].then_receive = false;
        make_runnable(sender, Status::dead_endpoint);
    }
    // Receivers waiting for it alone are found by a scan: deaths are rare, and
    // keeping a waiters list would cost every sendrec two more updates.
    for (uint32_t other = 0; other < m_slots_used; ++other) {
        Process& waiter = m_processes[other];
        if (waiter.state == ProcessState::receiving && waiter.waiting_on == process.endpoint)
            make_runnable(other, Status::dead_endpoint);
    }

    // 3. What was kept for it is dropped; messages it sent to others stay sent.
    if (has_kept(process)) m_strategy.discard(slot);
    process.buffered = 0;
    process.pending_notifications = {};
    atomic::store(process.notifications_pending, 0u);
    Privilege& privilege = m_privileges[process.privilege];
    KASSERT(privilege.holders > 0);
    privilege.holders -= 1;
    // Its grants die with it; IRQ lines and the alarm with the last holder.
    if (process.has_granted) revoke_grants_of(process.endpoint);
    if (privilege.holders == 0) release_devices(process.privilege);
    // The owner stays recorded after it dies: notifications it sent before
    // dying are still delivered, naming it (a dead endpoint) as their source.
    // Nobody can notify with it any more, since no live process matches.
    if (m_cpus[process.cpu].dedicated_to == slot) m_cpus[process.cpu].dedicated_to = no_slot;

    if (final_state == ProcessState::exited) trace(TraceKind::exit, slot, static_cast<uint32_t>(status), 0);
    record_death(process);
    platform::context_destroy(m_port, slot);
}

void Kernel::fault_running(FaultKind kind, uint32_t detail) {
    KASSERT(m_running != no_slot);
    uint32_t slot = m_running;
    trace(TraceKind::fault, slot, static_cast<uint32_t>(kind), detail);
    terminate(slot, ProcessState::faulted, static_cast<int32_t>(kind));
    switch_away();
}

void Kernel::emit_trace(TraceKind kind, uint32_t a, uint32_t b, uint32_t c) {
    TraceEvent event{.time_ns = m_cpus[m_running_cpu].clock_ns,
                     .kind = kind,
                     .cpu = static_cast<uint8_t>(m_running_cpu),
                     .a = a,
                     .b = b,
                     .c = c};
    platform::trace(m_port, event);
}

}  // namespace axl
