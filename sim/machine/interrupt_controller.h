// InterruptController: the hosted machine's IRQ lines between the devices and
// the kernel. Edge-triggered with a latch per line, as the kernel's handling
// assumes (Kernel::interrupt): an edge on an unmasked line is delivered; an
// edge on a masked line is remembered and delivered when the line is
// unmasked. Edges that arrive before their delivery merge into it, so a
// storm costs one delivery per unmask, and the device's own registers (a
// FIFO level, a tick count) say how much happened.
//
// Delivery is never synchronous: a device raises its line inside a register
// access (a kernel call) or inside an event, and the kernel must not be
// entered from inside itself. The controller schedules the delivery as an
// event at the raising time; the kernel leaves every call before a CPU's
// clock passes it, and the event loop delivers it in time order.
#pragma once

#include <cstdint>
#include <functional>

#include "kernel/config.h"
#include "sim/machine/event_queue.h"

namespace axl::sim {

class InterruptController {
public:
    struct Line {
        bool masked = true;      // lines start masked until a driver attaches
        bool latched = false;    // an edge arrived while masked
        bool in_flight = false;  // a delivery event is scheduled
        uint64_t raised = 0;     // edges seen (statistics and tests)
        uint64_t delivered = 0;  // deliveries to the kernel
        bool lose_next = false;
        bool duplicate_next = false;
    };
    // deliver(line, time): enter the kernel with the interrupt.
    using Deliver = std::function<void(uint32_t line, uint64_t now_ns)>;
    using Schedule = std::function<void(uint64_t at_ns, EventQueue::Action action)>;

    InterruptController(Schedule schedule, Deliver deliver)
        : m_schedule(std::move(schedule)), m_deliver(std::move(deliver)) {}

    void raise(uint32_t line, uint64_t now_ns);
    // Injected faults (sim/harness/fault_injector.h): the line's next raise is lost;
    // its next delivery happens twice; `count` raises at once.
    void lose_next(uint32_t line) { m_lines[line].lose_next = true; }
    void duplicate_next(uint32_t line) { m_lines[line].duplicate_next = true; }
    void storm(uint32_t line, uint32_t count, uint64_t now_ns) {
        for (uint32_t i = 0; i < count; ++i) raise(line, now_ns);
    }
    void mask(uint32_t line) { m_lines[line].masked = true; }
    void unmask(uint32_t line, uint64_t now_ns);
    const Line& line(uint32_t line) const { return m_lines[line]; }

private:
    void schedule_delivery(uint32_t line, uint64_t now_ns);

    Schedule m_schedule;
    Deliver m_deliver;
    Line m_lines[config::irq_lines];
};

}  // namespace axl::sim
