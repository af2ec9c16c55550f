#include "sim/machine/interrupt_controller.h"

namespace axl::sim {

void InterruptController::raise(uint32_t line, uint64_t now_ns) {
    if (line >= config::irq_lines) return;
    Line& state = m_lines[line];
    if (state.lose_next) {
        state.lose_next = false;  // gone: neither latched nor delivered
        return;
    }
    state.raised += 1;
    if (state.masked) {
        state.latched = true;
        return;
    }
    schedule_delivery(line, now_ns);
}

void InterruptController::unmask(uint32_t line, uint64_t now_ns) {
    if (line >= config::irq_lines) return;
    Line& state = m_lines[line];
    state.masked = false;
    if (state.latched) {
        state.latched = false;
        schedule_delivery(line, now_ns);
    }
}

void InterruptController::schedule_delivery(uint32_t line, uint64_t now_ns) {
    Line& state = m_lines[line];
    if (state.in_flight) return;  // merges into the delivery already on its way
    state.in_flight = true;
    m_schedule(now_ns, [this, line, now_ns] {
        Line& current = m_lines[line];
        current.in_flight = false;
        if (current.masked) {
            // Masked meanwhile (the driver disabled it): keep it for the unmask.
            current.latched = true;
            return;
        }
        current.delivered += 1;
        m_deliver(line, now_ns);
        if (current.duplicate_next) {
            // The same edge once more, as a glitching line would deliver it.
            current.duplicate_next = false;
            current.latched = true;
            if (!current.masked) schedule_delivery(line, now_ns);
        }
    });
}

}  // namespace axl::sim
