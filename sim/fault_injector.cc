#include "sim/fault_injector.h"

#include "kernel/api/ipc.h"
#include "sim/hosted_port.h"

namespace axl::sim {

const char* to_string(FaultSpec::Kind kind) {
    switch (kind) {
        case FaultSpec::Kind::crash: return "crash";
        case FaultSpec::Kind::bad_pointer: return "bad_pointer";
        case FaultSpec::Kind::hang: return "hang";
    }
    return "?";
}

namespace {
// Process slots by name, as booted (names are unique in a description).
uint32_t slot_of(const Port& port, const std::string& name) {
    for (uint32_t slot = 0; slot < port.processes.size(); ++slot)
        if (port.processes[slot].description && port.processes[slot].description->name == name) return slot;
    return no_slot;
}

// The kind a crash is reported with: beyond the fault guard's kinds.
constexpr uint32_t injected_crash_kind = 0x100;
}  // namespace

FaultInjector::FaultInjector(Port& port, std::vector<FaultSpec> faults)
    : m_port(port),
      m_armed(port.processes.size()),
      m_calls(port.processes.size(), 0),
      m_hanging(port.processes.size(), false) {
    for (FaultSpec& spec : faults) {
        FaultOutcome outcome;
        outcome.slot = slot_of(port, spec.target);
        outcome.spec = std::move(spec);
        m_outcomes.push_back(std::move(outcome));
    }
}

void FaultInjector::start() {
    for (size_t i = 0; i < m_outcomes.size(); ++i) {
        const FaultOutcome& outcome = m_outcomes[i];
        if (outcome.slot == no_slot) continue;
        if (outcome.spec.after_calls > 0) {
            m_armed[outcome.slot].push_back(i);
            continue;
        }
        m_port.machine->schedule(outcome.spec.at_ns, [this, i] { arm(i, m_outcomes[i].spec.at_ns); });
    }
}

// A time trigger fired (event context: no process runs).
void FaultInjector::arm(size_t fault, uint64_t now_ns) {
    FaultOutcome& outcome = m_outcomes[fault];
    Kernel& kernel = *m_port.kernel;
    if (!is_alive(kernel.process(outcome.slot).state)) return;  // already gone: nothing to inject
    if (outcome.spec.kind == FaultSpec::Kind::crash) {
        outcome.injected = true;
        outcome.injected_ns = now_ns;
        m_port.processes[outcome.slot].fault = "injected crash";
        kernel.crash(outcome.slot, injected_crash_kind, 0, now_ns);
        return;
    }
    // The others act in the victim's own context: at its next call.
    outcome.spec.after_calls = m_calls[outcome.slot] + 1;
    m_armed[outcome.slot].push_back(fault);
}

void FaultInjector::at_kernel_call() {
    const uint32_t slot = running_slot;
    if (slot >= m_calls.size()) return;
    if (m_hanging[slot]) return;  // its own compute() calls while it hangs
    m_calls[slot] += 1;
    std::vector<size_t>& armed = m_armed[slot];
    for (size_t i = 0; i < armed.size(); ++i) {
        const size_t fault = armed[i];
        if (m_outcomes[fault].spec.after_calls > m_calls[slot]) continue;
        armed.erase(armed.begin() + static_cast<std::ptrdiff_t>(i));
        act_in_victim(fault);
    }
}

void FaultInjector::act_in_victim(size_t fault) {
    FaultOutcome& outcome = m_outcomes[fault];
    outcome.injected = true;
    outcome.injected_ns = m_port.machine->now_ns();
    switch (outcome.spec.kind) {
        case FaultSpec::Kind::bad_pointer: {
            // A real bad access in the process's own code path, with its guard
            // armed: the same death as any bug of its own.
            arm_fault_guard(*running_fault_target);
            volatile uint64_t* bad = reinterpret_cast<volatile uint64_t*>(uintptr_t{0x10});
            *bad = 0xDEAD;
            break;
        }
        case FaultSpec::Kind::hang:
            m_hanging[outcome.slot] = true;
            arm_fault_guard(*running_fault_target);
            for (;;) (void)axl::compute(100'000);
        case FaultSpec::Kind::crash:
            break;
    }
    // crash at a call: the process ends where it stands.
    crash_running(m_port, injected_crash_kind, "injected crash");
}

void injection_point(Port& port) { port.injector->at_kernel_call(); }

}  // namespace axl::sim
