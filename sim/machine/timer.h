// The simulated interval timer (registers in hw/timer.h): a periodic
// tick and a one-shot alarm in virtual nanoseconds, on one IRQ line.
//
// Ticks are counted in a read-to-clear register, so a driver that services
// the interrupt late (or a masked line that merged several edges) still learns
// how many ticks passed. Tick k after the periodic tick was (re)started at
// time T falls at exactly T + k * period: each tick is computed from T, never
// from the previous tick, so ticks do not drift. Only the next tick is ever
// scheduled, one event at a time, so an idle machine's queue stays small.
//
// The host must outlive the timer: the destructor cancels its pending events.
#pragma once

#include <cstdint>
#include <optional>

#include "hw/timer.h"
#include "sim/machine/device.h"

namespace axl::sim {

class Timer final : public Device {
public:
    Timer(DeviceHost& host, uint32_t irq_line);
    ~Timer() override;
    Timer(const Timer&) = delete;
    Timer& operator=(const Timer&) = delete;

    uint16_t io_size() const override { return hw::timer::io_size; }
    uint32_t read(uint16_t offset, uint32_t width) override;
    void write(uint16_t offset, uint32_t width, uint32_t value) override;

private:
    uint32_t read_register(uint16_t offset);
    void write_control(uint32_t value);
    void restart_ticking();
    void stop_ticking();
    void schedule_next_tick();
    void on_tick();
    void arm_one_shot(uint32_t delay_ns);
    void cancel_one_shot();
    void on_one_shot();
    void signal(uint32_t status_bit);

    DeviceHost& m_host;
    const uint32_t m_irq_line;
    uint32_t m_control = 0;
    uint32_t m_period_ns = 0;
    uint32_t m_status = 0;
    uint32_t m_unread_ticks = 0;  // saturates rather than wrapping to a small count
    uint32_t m_latched_now_high = 0;
    uint64_t m_tick_origin_ns = 0;     // when the current tick train started
    uint64_t m_ticks_since_origin = 0;  // ticks fired in the current train
    std::optional<EventQueue::Id> m_next_tick;
    std::optional<EventQueue::Id> m_one_shot;  // its time_ns is the deadline
};

}  // namespace axl::sim
