#include "sim/harness/fault_injector.h"

#include "kernel/api/ipc.h"
#include "sim/port/hosted_port.h"

namespace axl::sim {

const char* to_string(FaultSpec::Kind kind) {
    switch (kind) {
        case FaultSpec::Kind::crash: return "crash";
        case FaultSpec::Kind::bad_pointer: return "bad_pointer";
        case FaultSpec::Kind::hang: return "hang";
        case FaultSpec::Kind::corrupt_message: return "corrupt_message";
        case FaultSpec::Kind::irq_lose: return "irq_lose";
        case FaultSpec::Kind::irq_duplicate: return "irq_duplicate";
        case FaultSpec::Kind::irq_storm: return "irq_storm";
        case FaultSpec::Kind::device_error: return "device_error";
        case FaultSpec::Kind::device_stuck: return "device_stuck";
        case FaultSpec::Kind::dma_corrupt: return "dma_corrupt";
        case FaultSpec::Kind::device_slow: return "device_slow";
    }
    return "?";
}

namespace {
// Process slots by name, as booted (names are unique in a description).
uint32_t slot_of(const Port& port, const std::string& name) {
    for (uint32_t slot = 0; slot < port.processes.size(); ++slot)
        if (port.processes[slot].started && port.system->processes[slot].name == name) return slot;
    return no_slot;
}

constexpr size_t no_fault = ~size_t{0};
}  // namespace

FaultInjector::FaultInjector(Port& port, std::vector<FaultSpec> faults)
    : m_port(port),
      m_armed(port.processes.size()),
      m_calls(port.processes.size(), 0),
      m_hanging(port.processes.size(), false),
      m_hung_incarnation(port.processes.size(), 0),
      m_corrupting(port.processes.size(), no_fault) {
    for (FaultSpec& spec : faults) {
        FaultOutcome outcome;
        outcome.slot = FaultSpec::targets_device(spec.kind) ? no_slot : slot_of(port, spec.target);
        outcome.spec = std::move(spec);
        m_outcomes.push_back(std::move(outcome));
    }
}

void FaultInjector::start() {
    for (size_t i = 0; i < m_outcomes.size(); ++i) {
        const FaultOutcome& outcome = m_outcomes[i];
        if (FaultSpec::targets_device(outcome.spec.kind)) {
            m_port.machine->schedule(outcome.spec.at_ns, [this, i] { strike_device(m_outcomes[i], m_outcomes[i].spec.at_ns); });
            continue;
        }
        if (outcome.slot == no_slot) continue;
        if (outcome.spec.after_calls > 0) {
            m_armed[outcome.slot].push_back(i);
            continue;
        }
        m_port.machine->schedule(outcome.spec.at_ns, [this, i] { arm(i, m_outcomes[i].spec.at_ns); });
    }
}

// Device and interrupt faults, at their time (event context).
void FaultInjector::strike_device(FaultOutcome& outcome, uint64_t now_ns) {
    const DeviceDescription* described = nullptr;
    for (const DeviceDescription& device : m_port.system->devices)
        if (device.name == outcome.spec.target) described = &device;
    Device* device = m_port.machine->device(outcome.spec.target);
    if (!described || !device) return;
    InterruptController& controller = m_port.machine->controller();
    // What a fault chooses (a byte to flip) comes from the run's seed.
    const uint64_t seed = m_port.system->seed * 0x9E37'79B9'7F4A'7C15ull + now_ns;
    bool struck = true;
    switch (outcome.spec.kind) {
        case FaultSpec::Kind::irq_lose: controller.lose_next(described->irq); break;
        case FaultSpec::Kind::irq_duplicate: controller.duplicate_next(described->irq); break;
        case FaultSpec::Kind::irq_storm: controller.storm(described->irq, 1000, now_ns); break;
        case FaultSpec::Kind::device_error: struck = device->inject(DeviceFault::error, seed); break;
        case FaultSpec::Kind::device_stuck: struck = device->inject(DeviceFault::stuck_busy, seed); break;
        case FaultSpec::Kind::dma_corrupt: struck = device->inject(DeviceFault::corrupt_dma, seed); break;
        case FaultSpec::Kind::device_slow: struck = device->inject(DeviceFault::slow, seed); break;
        default: struck = false; break;
    }
    if (struck) mark_injected(outcome, now_ns);
}

// Every fault that acts is also an event on the run's timeline (and in its
// digest): `axl replay --trace` shows it next to the deaths and restarts.
void FaultInjector::mark_injected(FaultOutcome& outcome, uint64_t now_ns) {
    outcome.injected = true;
    outcome.injected_ns = now_ns;
    if (!m_port.tracer) return;
    const auto index = static_cast<uint32_t>(&outcome - m_outcomes.data());
    m_port.tracer->record(TraceEvent{.time_ns = now_ns,
                                     .kind = TraceKind::injected,
                                     .cpu = 0,
                                     .a = outcome.slot,
                                     .b = static_cast<uint32_t>(outcome.spec.kind),
                                     .c = index});
}

// A time trigger fired (event context: no process runs).
void FaultInjector::arm(size_t fault, uint64_t now_ns) {
    FaultOutcome& outcome = m_outcomes[fault];
    Kernel& kernel = *m_port.kernel;
    if (!is_alive(kernel.process(outcome.slot).state)) return;  // already gone: nothing to inject
    if (outcome.spec.kind == FaultSpec::Kind::crash) {
        mark_injected(outcome, now_ns);
        m_port.processes[outcome.slot].fault = "injected crash";
        kernel.crash(outcome.slot, FaultKind::injected, 0, now_ns);
        return;
    }
    // The others act in the victim's own context: at its next call.
    outcome.spec.after_calls = m_calls[outcome.slot] + 1;
    m_armed[outcome.slot].push_back(fault);
}

void FaultInjector::at_kernel_call() {
    const uint32_t slot = running_slot;
    if (slot >= m_calls.size()) return;
    if (m_hanging[slot]) {
        // Its own compute() calls while it hangs. Once the reincarnation
        // server has replaced it, the slot holds a new process, open to faults.
        if (m_port.processes[slot].restarts == m_hung_incarnation[slot]) return;
        m_hanging[slot] = false;
    }
    m_calls[slot] += 1;
    std::vector<size_t>& armed = m_armed[slot];
    for (size_t i = 0; i < armed.size(); ++i) {
        const size_t fault = armed[i];
        if (m_outcomes[fault].spec.after_calls > m_calls[slot]) continue;
        armed.erase(armed.begin() + static_cast<std::ptrdiff_t>(i));
        --i;
        act_in_victim(fault);
    }
}

void FaultInjector::after_receive(Message& message) {
    const uint32_t slot = running_slot;
    if (slot >= m_corrupting.size() || m_corrupting[slot] == no_fault) return;
    if (message.type == message_types::notify) return;  // the kernel's own: wait for a real message
    FaultOutcome& outcome = m_outcomes[m_corrupting[slot]];
    m_corrupting[slot] = no_fault;
    // Which bit, from the run's seed and the moment: reproducible, and not always the same one.
    const uint64_t choice = (m_port.system->seed + 1) * 0x9E37'79B9'7F4A'7C15ull ^ m_port.machine->now_ns();
    const uint64_t bit = choice % (Message::payload_bytes * 8);
    message.payload.bytes[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    mark_injected(outcome, m_port.machine->now_ns());
}

void FaultInjector::act_in_victim(size_t fault) {
    FaultOutcome& outcome = m_outcomes[fault];
    if (outcome.spec.kind == FaultSpec::Kind::corrupt_message) {
        m_corrupting[outcome.slot] = fault;  // acts on what it receives next
        return;
    }
    mark_injected(outcome, m_port.machine->now_ns());
    switch (outcome.spec.kind) {
        case FaultSpec::Kind::bad_pointer: {
            // A real bad access in the process's own code path, with its guard
            // armed: the same death as any bug of its own.
            arm_fault_guard(*running_fault_target);
            uintptr_t address = 0x10;  // the first page is never mapped
            asm volatile("" : "+r"(address));  // an address the compiler cannot see through
            *reinterpret_cast<volatile uint64_t*>(address) = 0xDEAD;
            break;
        }
        case FaultSpec::Kind::hang:
            m_hanging[outcome.slot] = true;
            m_hung_incarnation[outcome.slot] = m_port.processes[outcome.slot].restarts;
            arm_fault_guard(*running_fault_target);
            for (;;) (void)axl::compute(100'000);
        default:  // crash (device kinds never arm a process)
            break;
    }
    // crash at a call: the process ends where it stands.
    crash_running(m_port, FaultKind::injected, "injected crash");
}

void injection_point(Port& port) { port.injector->at_kernel_call(); }
void received_point(Port& port, Message& message) { port.injector->after_receive(message); }

}  // namespace axl::sim
