// Kernel calls: the non-IPC services of the kernel. Each is checked against the
// caller's kernel-call mask, validated, and only then carried out.
#include "kernel/kassert.h"
#include "kernel/kernel.h"

namespace axl {

namespace {
// Bound on one compute() so virtual clocks cannot overflow: an hour.
}  // namespace

Status Kernel::check_kernel_call(KernelCall call) {
    KASSERT(m_running != no_slot);
    charge(m_costs.kernel_entry_ns);
    Process& caller = running_process();
    caller.counters.kernel_calls += 1;
    if (!(m_privileges[caller.privilege].kernel_calls & bit(call)))
        return deny(kernel_call_trace_flag | static_cast<uint32_t>(call), Status::call_denied);
    return Status::ok;
}

// Every kernel call ends here: traced with its result, then the usual
// preemption point.
Status Kernel::finish_kernel_call(KernelCall call, Status status) {
    trace(TraceKind::kernel_call, m_running, static_cast<uint32_t>(call), static_cast<uint32_t>(status));
    return end_of_call(m_running, status);
}

void Kernel::kcall_exit(int32_t status) {
    Status allowed = check_kernel_call(KernelCall::exit);
    KASSERT(allowed == Status::ok);  // create_privilege always grants exit
    trace(TraceKind::kernel_call, m_running, static_cast<uint32_t>(KernelCall::exit), 0);
    terminate(m_running, ProcessState::exited, status);
    switch_away();
}

Status Kernel::kcall_yield() {
    Status status = check_kernel_call(KernelCall::yield);
    if (status == Status::ok) {
        // Give up the rest of the quantum: end_of_call rotates it to the tail.
        running_process().quantum_used_ns = running_process().quantum_ns;
    }
    return finish_kernel_call(KernelCall::yield, status);
}

Status Kernel::kcall_compute(uint64_t ns) {
    Status status = check_kernel_call(KernelCall::compute);
    if (status == Status::ok && ns > Kernel::compute_ns_max) status = deny(static_cast<uint32_t>(KernelCall::compute) | kernel_call_trace_flag, Status::bad_argument);
    if (status == Status::ok) charge(ns);
    return finish_kernel_call(KernelCall::compute, status);
}

Status Kernel::kcall_lookup(const char* name, Endpoint& endpoint) {
    Status status = check_kernel_call(KernelCall::lookup);
    if (status == Status::ok) {
        size_t length = 0;
        while (name && length < config::process_name_bytes && name[length]) ++length;
        if (!name || length == 0 || length >= config::process_name_bytes) {
            status = Status::bad_argument;
        } else {
            uint32_t entry = m_name_table[name_hash_slot(name)];
            if (entry == 0 || !is_alive(m_processes[entry - 1].state))
                status = Status::not_found;
            else
                endpoint = m_processes[entry - 1].endpoint;
        }
    }
    return finish_kernel_call(KernelCall::lookup, status);
}

Status Kernel::kcall_log(const char* text, size_t length) {
    Status status = check_kernel_call(KernelCall::log);
    if (status == Status::ok && !text) status = Status::bad_argument;
    if (status == Status::ok) platform::console_write(m_port, text, length);
    return finish_kernel_call(KernelCall::log, status);
}

Status Kernel::kcall_clock(uint64_t& ns) {
    Status status = check_kernel_call(KernelCall::clock);
    if (status == Status::ok) ns = m_cpus[m_running_cpu].clock_ns;
    return finish_kernel_call(KernelCall::clock, status);
}

Status Kernel::kcall_self(Endpoint& endpoint) {
    Status status = check_kernel_call(KernelCall::self);
    if (status == Status::ok) endpoint = running_process().endpoint;
    return finish_kernel_call(KernelCall::self, status);
}

}  // namespace axl
