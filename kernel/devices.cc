// Device access for drivers: register I/O, IRQ lines and interrupt delivery,
// alarms. Every kernel call here decodes and checks everything before it
// changes anything (seL4's decode/invoke split).
#include "kernel/kassert.h"
#include "kernel/kernel.h"

namespace axl {

namespace {

bool valid_width(uint32_t width) { return width == 1 || width == 2 || width == 4; }

// An alarm further away than this is refused: virtual clocks must not overflow.
constexpr uint64_t alarm_delay_max_ns = 3'600'000'000'000ull * 24;
}  // namespace

const IoRange* Kernel::granted_io_range(uint16_t privilege, uint16_t port, uint32_t width) const {
    if (privilege >= config::privilege_slots_max || !valid_width(width)) return nullptr;
    const DeviceRights& rights = m_device_rights[privilege];
    const uint32_t last = uint32_t{port} + width - 1;
    for (uint32_t r = 0; r < rights.io_range_count; ++r)
        if (port >= rights.io[r].first && last <= rights.io[r].last) return &rights.io[r];
    return nullptr;
}

Status Kernel::kcall_device_io(uint16_t port, uint32_t width, bool write, uint32_t& value) {
    Status status = check_kernel_call(KernelCall::device_io);
    const uint32_t call = kernel_call_trace_flag | static_cast<uint32_t>(KernelCall::device_io);
    if (status == Status::ok && !valid_width(width)) status = deny(call, Status::bad_argument);
    if (status == Status::ok && !granted_io_range(running_process().privilege, port, width))
        status = deny(call, Status::resource_denied);
    if (status == Status::ok) {
        charge(m_costs.io_access_ns);
        if (write)
            platform::io_write(m_port, port, width, value);
        else
            value = platform::io_read(m_port, port, width);
    }
    return finish_kernel_call(KernelCall::device_io, status);
}

const MmioRange* Kernel::granted_mmio_range(uint16_t privilege, uint64_t address, uint32_t width) const {
    if (privilege >= config::privilege_slots_max || !valid_width(width)) return nullptr;
    if (address > ~uint64_t{0} - (width - 1)) return nullptr;  // would wrap
    const DeviceRights& rights = m_device_rights[privilege];
    const uint64_t last = address + width - 1;
    for (uint32_t r = 0; r < rights.mmio_range_count; ++r)
        if (address >= rights.mmio[r].first && last <= rights.mmio[r].last) return &rights.mmio[r];
    return nullptr;
}

// The memory-mapped twin of device_io: same checks, same charge.
Status Kernel::kcall_device_mmio(uint64_t address, uint32_t width, bool write, uint32_t& value) {
    Status status = check_kernel_call(KernelCall::device_mmio);
    const uint32_t call = kernel_call_trace_flag | static_cast<uint32_t>(KernelCall::device_mmio);
    if (status == Status::ok && !valid_width(width)) status = deny(call, Status::bad_argument);
    if (status == Status::ok && !granted_mmio_range(running_process().privilege, address, width))
        status = deny(call, Status::resource_denied);
    if (status == Status::ok) {
        charge(m_costs.io_access_ns);
        if (write)
            platform::mmio_write(m_port, address, width, value);
        else
            value = platform::mmio_read(m_port, address, width);
    }
    return finish_kernel_call(KernelCall::device_mmio, status);
}

Status Kernel::kcall_irq_control(IrqOp op, uint32_t line, IrqPolicy policy) {
    Status status = check_kernel_call(KernelCall::irq_control);
    const uint32_t call = kernel_call_trace_flag | static_cast<uint32_t>(KernelCall::irq_control);
    Process& caller = running_process();
    const uint16_t privilege = caller.privilege;
    // decode
    if (status == Status::ok &&
        (line >= config::irq_lines || static_cast<uint32_t>(op) > static_cast<uint32_t>(IrqOp::detach) ||
         static_cast<uint32_t>(policy) > static_cast<uint32_t>(IrqPolicy::auto_reenable)))
        status = deny(call, Status::bad_argument);
    if (status == Status::ok && !((m_device_rights[privilege].irq_lines >> line) & 1u))
        status = deny(call, Status::resource_denied);
    // Interrupt notifications name their receiver by privilege: it must be the caller's alone.
    if (status == Status::ok && m_privileges[privilege].owner != caller.endpoint)
        status = deny(call, Status::call_denied);
    IrqLine& hook = m_irq_lines[line < config::irq_lines ? line : 0];
    if (status == Status::ok && op != IrqOp::attach && hook.owner != privilege)
        status = deny(call, Status::bad_argument);  // not attached (by the caller)
    // invoke
    if (status == Status::ok) {
        switch (op) {
            case IrqOp::attach:
                hook.owner = privilege;
                hook.policy = policy;
                hook.enabled = true;
                platform::irq_unmask(m_port, line);
                break;
            case IrqOp::enable:
                hook.enabled = true;
                platform::irq_unmask(m_port, line);
                break;
            case IrqOp::disable:
                hook.enabled = false;
                platform::irq_mask(m_port, line);
                break;
            case IrqOp::detach:
                hook = IrqLine{};
                platform::irq_mask(m_port, line);
                m_irqs_pending[privilege] &= ~(uint64_t{1} << line);
                break;
        }
    }
    return finish_kernel_call(KernelCall::irq_control, status);
}

namespace {
// Is [first, last] already inside one of `ranges` with the same access model?
template <typename Range>
bool already_granted(const Range* ranges, uint32_t count, uint64_t first, uint64_t last, bool direct) {
    for (uint32_t r = 0; r < count; ++r)
        if (first >= ranges[r].first && last <= ranges[r].last && ranges[r].direct == direct) return true;
    return false;
}
}  // namespace

Status Kernel::kcall_device_grant(Endpoint driver, DeviceResource resource, uint64_t first, uint64_t last,
                                  bool direct) {
    Status status = check_kernel_call(KernelCall::device_grant);
    const uint32_t call = kernel_call_trace_flag | static_cast<uint32_t>(KernelCall::device_grant);
    // decode
    if (status == Status::ok && (static_cast<uint32_t>(resource) > static_cast<uint32_t>(DeviceResource::irq) ||
                                 first > last ||
                                 (resource == DeviceResource::io && last > 0xFFFF) ||
                                 (resource == DeviceResource::irq && (first != last || first >= config::irq_lines))))
        status = deny(call, Status::bad_argument);
    if (status == Status::ok) {
        status = check_endpoint(driver);
        if (status != Status::ok) status = deny(call, status);
    }
    const uint32_t slot = driver.slot() < config::process_slots_max ? driver.slot() : 0;
    const uint16_t privilege = m_processes[slot].privilege;
    // The rights are the privilege's: shared, they would reach every holder.
    if (status == Status::ok && m_privileges[privilege].owner != driver) status = deny(call, Status::call_denied);
    DeviceRights& rights = m_device_rights[privilege];
    bool changed = false;
    if (status == Status::ok) {
        switch (resource) {
            case DeviceResource::io:
                if (already_granted(rights.io, rights.io_range_count, first, last, direct)) break;
                if (rights.io_range_count == config::io_ranges_max) {
                    status = deny(call, Status::no_space);
                    break;
                }
                rights.io[rights.io_range_count++] =
                    IoRange{static_cast<uint16_t>(first), static_cast<uint16_t>(last), direct};
                changed = true;
                break;
            case DeviceResource::mmio:
                if (already_granted(rights.mmio, rights.mmio_range_count, first, last, direct)) break;
                if (rights.mmio_range_count == config::mmio_ranges_max) {
                    status = deny(call, Status::no_space);
                    break;
                }
                rights.mmio[rights.mmio_range_count++] = MmioRange{first, last, direct};
                changed = true;
                break;
            case DeviceResource::irq:
                changed = !((rights.irq_lines >> first) & 1u);
                rights.irq_lines |= uint64_t{1} << first;
                break;
        }
    }
    // invoke: the port opens what the direct model needs.
    if (changed) platform::device_rights_changed(m_port, slot);
    return finish_kernel_call(KernelCall::device_grant, status);
}

// Hardware reaches the kernel on the CPU of the process it concerns: that
// CPU's clock first catches up with the moment it happened (it was idle, or
// behind), then pays for the entry.
void Kernel::enter_from_hardware(uint32_t cpu, uint64_t now_ns) {
    m_running_cpu = cpu;
    Cpu& target = m_cpus[cpu];
    if (target.clock_ns < now_ns) {
        if (m_running == no_slot) target.idle_ns += now_ns - target.clock_ns;
        target.clock_ns = now_ns;
    }
    target.clock_ns += m_costs.interrupt_ns;
}

void Kernel::interrupt(uint32_t line, uint64_t now_ns) {
    KASSERT(line < config::irq_lines);
    const uint32_t saved_cpu = m_running_cpu;
    IrqLine& hook = m_irq_lines[line];
    const Endpoint owner = hook.owner ? m_privileges[hook.owner].owner : endpoints::none;
    if (!hook.owner || check_endpoint(owner) != Status::ok) {
        // Nobody serves it: keep it masked so it cannot storm.
        enter_from_hardware(0, now_ns);
        trace(TraceKind::interrupt, line, no_slot, 0);
        platform::irq_mask(m_port, line);
        m_running_cpu = saved_cpu;
        return;
    }
    const uint32_t slot = owner.slot();
    enter_from_hardware(m_processes[slot].cpu, now_ns);
    trace(TraceKind::interrupt, line, slot, m_running_cpu);
    if (m_irqs_pending[hook.owner] == 0) m_irqs_raised_at_ns[hook.owner] = now_ns;
    m_irqs_pending[hook.owner] |= uint64_t{1} << line;
    if (hook.policy == IrqPolicy::manual) platform::irq_mask(m_port, line);
    post_notification(slot, privilege_ids::hardware);
    m_running_cpu = saved_cpu;
}

Status Kernel::kcall_alarm(uint64_t delay_ns) {
    Status status = check_kernel_call(KernelCall::alarm);
    const uint32_t call = kernel_call_trace_flag | static_cast<uint32_t>(KernelCall::alarm);
    Process& caller = running_process();
    if (status == Status::ok && delay_ns > alarm_delay_max_ns) status = deny(call, Status::bad_argument);
    // Alarm notifications name their receiver by privilege, as interrupts do.
    if (status == Status::ok && m_privileges[caller.privilege].owner != caller.endpoint)
        status = deny(call, Status::call_denied);
    if (status == Status::ok) {
        m_alarm_at_ns[caller.privilege] = delay_ns == 0 ? platform::never_ns : now_ns() + delay_ns;
        rearm_timer();
    }
    return finish_kernel_call(KernelCall::alarm, status);
}

// One timer for all alarms, armed for the earliest (a scan of the privilege
// table: alarms are set far less often than messages are sent).
void Kernel::rearm_timer() {
    uint64_t earliest = platform::never_ns;
    for (uint32_t p = privilege_ids::first_free; p < config::privilege_slots_max; ++p)
        if (m_alarm_at_ns[p] < earliest) earliest = m_alarm_at_ns[p];
    if (earliest == m_timer_at_ns) return;
    m_timer_at_ns = earliest;
    platform::timer_arm(m_port, earliest);
}

void Kernel::timer_expired(uint64_t now_ns) {
    const uint32_t saved_cpu = m_running_cpu;
    m_timer_at_ns = platform::never_ns;
    for (uint32_t p = privilege_ids::first_free; p < config::privilege_slots_max; ++p) {
        if (m_alarm_at_ns[p] > now_ns) continue;
        m_alarm_at_ns[p] = platform::never_ns;
        const Endpoint owner = m_privileges[p].owner;
        if (check_endpoint(owner) != Status::ok) continue;
        enter_from_hardware(m_processes[owner.slot()].cpu, now_ns);
        trace(TraceKind::alarm, owner.slot(), 0, 0);
        post_notification(owner.slot(), privilege_ids::clock);
    }
    m_running_cpu = saved_cpu;
    rearm_timer();
}

// The last process holding `privilege` ended: its lines are masked and freed,
// its alarm cancelled.
void Kernel::release_devices(uint16_t privilege) {
    for (uint32_t line = 0; line < config::irq_lines; ++line) {
        if (m_irq_lines[line].owner != privilege) continue;
        m_irq_lines[line] = IrqLine{};
        platform::irq_mask(m_port, line);
    }
    m_irqs_pending[privilege] = 0;
    if (m_alarm_at_ns[privilege] != platform::never_ns) {
        m_alarm_at_ns[privilege] = platform::never_ns;
        rearm_timer();
    }
}

}  // namespace axl
