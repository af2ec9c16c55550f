#include "sim/machine/timer.h"

#include "sim/config/system_description.h"
#include "sim/machine/device_kind.h"
#include "sim/machine/register_width.h"

namespace axl::sim {

namespace reg = hw::timer;

Timer::Timer(DeviceHost& host, uint32_t irq_line) : m_host(host), m_irq_line(irq_line) {}

Timer::~Timer() {
    stop_ticking();
    cancel_one_shot();
}

uint32_t Timer::read(uint16_t offset, uint32_t width) { return read_register(offset) & width_mask(width); }

uint32_t Timer::read_register(uint16_t offset) {
    switch (offset) {
        case reg::control: return m_control;
        case reg::period: return m_period_ns;
        case reg::one_shot: {
            if (!m_one_shot) return 0;
            const uint64_t now = m_host.now_ns();
            // Never more than 32 bits: the deadline was set by a 32-bit write.
            return m_one_shot->time_ns > now ? static_cast<uint32_t>(m_one_shot->time_ns - now) : 0;
        }
        case reg::ticks: {
            const uint32_t ticks = m_unread_ticks;
            m_unread_ticks = 0;
            return ticks;
        }
        case reg::status: return m_status;
        case reg::now_low: {
            // Latching lets a driver read a 64-bit time as two 32-bit halves
            // that belong together, even if time moves between the reads.
            const uint64_t now = m_host.now_ns();
            m_latched_now_high = static_cast<uint32_t>(now >> 32);
            return static_cast<uint32_t>(now);
        }
        case reg::now_high: return m_latched_now_high;
        default: return unmapped_read(4);
    }
}

void Timer::write(uint16_t offset, uint32_t width, uint32_t value) {
    value &= width_mask(width);
    switch (offset) {
        case reg::control: write_control(value); break;
        case reg::period:
            m_period_ns = value;
            restart_ticking();
            break;
        case reg::one_shot: arm_one_shot(value); break;
        case reg::status: m_status &= ~value; break;
        default: break;  // read-only or unmapped
    }
}

void Timer::write_control(uint32_t value) {
    const uint32_t previous = m_control;
    m_control = value & (reg::periodic_enable | reg::irq_enable);
    const uint32_t changed = previous ^ m_control;
    if (changed & reg::periodic_enable) restart_ticking();
    // The line is an edge: a tick or expiry that happened while interrupts
    // were off would otherwise never be announced.
    if ((changed & m_control & reg::irq_enable) && m_status != 0) m_host.raise_irq(m_irq_line);
}

void Timer::restart_ticking() {
    stop_ticking();
    if (!(m_control & reg::periodic_enable) || m_period_ns == 0) return;
    m_tick_origin_ns = m_host.now_ns();
    m_ticks_since_origin = 0;
    schedule_next_tick();
}

void Timer::stop_ticking() {
    if (m_next_tick) m_host.cancel(*m_next_tick);
    m_next_tick.reset();
}

void Timer::schedule_next_tick() {
    const uint64_t at = m_tick_origin_ns + (m_ticks_since_origin + 1) * uint64_t{m_period_ns};
    m_next_tick = m_host.schedule(at, [this] { on_tick(); });
}

void Timer::on_tick() {
    m_next_tick.reset();
    ++m_ticks_since_origin;
    if (m_unread_ticks != UINT32_MAX) ++m_unread_ticks;
    schedule_next_tick();
    signal(reg::tick_pending);
}

void Timer::arm_one_shot(uint32_t delay_ns) {
    cancel_one_shot();
    if (delay_ns == 0) return;
    m_one_shot = m_host.schedule(m_host.now_ns() + delay_ns, [this] { on_one_shot(); });
}

void Timer::cancel_one_shot() {
    if (m_one_shot) m_host.cancel(*m_one_shot);
    m_one_shot.reset();
}

void Timer::on_one_shot() {
    m_one_shot.reset();
    signal(reg::one_shot_fired);
}

void Timer::signal(uint32_t status_bit) {
    m_status |= status_bit;
    if (m_control & reg::irq_enable) m_host.raise_irq(m_irq_line);
}

}  // namespace axl::sim

// ---- kind = "timer" ----

namespace axl::sim {
namespace {
std::unique_ptr<Device> make_timer(const DeviceDescription& device, DeviceHost& host) {
    return std::make_unique<Timer>(host, device.irq);
}
}  // namespace

extern constexpr DeviceKind timer_kind{
    .name = "timer",
    .description = "interval timer: periodic tick and one-shot alarm",
    .registers = "hw/timer.h",
    .io_size = hw::timer::io_size,
    .io_base = 0x1000,
    .irq = 0,
    .keys = {},
    .read = nullptr,
    .make = make_timer,
};

}  // namespace axl::sim
