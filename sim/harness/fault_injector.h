// FaultInjector: executes a scenario's faults against a running system, in
// virtual time and deterministically (every choice comes from the scenario
// and the run's seed). Faults act in the victim's own context, at its next
// kernel call (the injection point every call passes while an injector is
// installed), or from the event loop at a virtual time:
//
//   crash        the kernel ends the process as if it had faulted
//   bad_pointer  the process really dereferences a bad pointer: the fault
//                guard turns the SIGSEGV into its death, as for any bug
//   hang         the process stops answering: from its injection point on it
//                only burns CPU time, in compute() slices, forever
//   corrupt_message  the next message the process receives (not a
//                notification) has a payload bit flipped on the way
//
// and against a device (the target names a [[device]]), at a virtual time:
//
//   irq_lose       its line's next raise is lost
//   irq_duplicate  its line's next delivery happens twice
//   irq_storm      1,000 raises of its line at once
//   device_error   its next command fails with an I/O error
//   device_stuck   its next command never completes (busy until a reset)
//   dma_corrupt    its next transfer into memory has a bit flipped
//   device_slow    its next command takes ten times as long
//
// A fault is armed by a trigger: a virtual time (armed then; crash acts at
// once, the others at the victim's next call), or the victim's Nth kernel
// call or IPC (counted at the injection point).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/machine/event_queue.h"

namespace axl {
struct Port;
struct Message;
}

namespace axl::sim {

struct FaultSpec {
    enum class Kind : uint8_t {
        crash,
        bad_pointer,
        hang,
        corrupt_message,
        irq_lose,
        irq_duplicate,
        irq_storm,
        device_error,
        device_stuck,
        dma_corrupt,
        device_slow,
    };
    static constexpr uint32_t kind_count = 11;
    // Kinds whose target is a device, not a process.
    static constexpr bool targets_device(Kind kind) { return kind >= Kind::irq_lose; }
    Kind kind = Kind::crash;
    std::string target;           // process name (a device's for the device kinds)
    uint64_t at_ns = 0;           // trigger: virtual time (used when after_calls == 0)
    uint64_t after_calls = 0;     // trigger: the target's Nth kernel call or IPC (1 = its next one)
    uint32_t line = 0;            // where the scenario described it
};
const char* to_string(FaultSpec::Kind kind);

// What happened to one fault.
struct FaultOutcome {
    FaultSpec spec;
    bool injected = false;
    uint64_t injected_ns = 0;
    uint32_t slot = 0;            // the target process's (no_slot for a device)
};

class FaultInjector {
public:
    FaultInjector(Port& port, std::vector<FaultSpec> faults);
    // Schedules the time triggers; call once the system has booted.
    void start();
    // The running process is at its injection point (sim::injection_point).
    void at_kernel_call();
    // The running process received `message` (sim::received_point).
    void after_receive(Message& message);
    const std::vector<FaultOutcome>& outcomes() const { return m_outcomes; }

private:
    void arm(size_t fault, uint64_t now_ns);
    void strike_device(FaultOutcome& outcome, uint64_t now_ns);
    void mark_injected(FaultOutcome& outcome, uint64_t now_ns);
    // Never returns, except for corrupt_message (which acts later, on receive).
    void act_in_victim(size_t fault);

    Port& m_port;
    std::vector<FaultOutcome> m_outcomes;
    // Per slot: faults waiting for that process's next call; and its call count.
    std::vector<std::vector<size_t>> m_armed;
    std::vector<uint64_t> m_calls;
    std::vector<bool> m_hanging;
    std::vector<uint32_t> m_hung_incarnation;  // per hanging slot: its restart count when it hung
    std::vector<size_t> m_corrupting;  // per slot: the corrupt_message fault armed, or none
};

}  // namespace axl::sim
