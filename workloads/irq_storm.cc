// timer_storm: an interrupt storm against a busy driver. It drives the
// interval timer itself: a tick every `period` ns (default 1us) with the
// interrupt on, while it computes for `busy` ns (default 200us) at a time
// without looking, `rounds` times (default 50). Every tick raises the line;
// the kernel delivers one notification per unmask, so while the driver is busy
// thousands of raises merge into one. None may be lost: the ticks the driver
// collects from the device's read-to-clear counter must add up to the ticks
// that fit in the time the timer ran, and the number of notifications is
// logged next to them (the run report counts the raises and deliveries).
#include <cstdint>

#include "hw/timer.h"
#include "kernel/api/device.h"
#include "kernel/api/ipc.h"
#include "kernel/api/program.h"
#include "workloads/workload.h"

namespace {

using namespace axl;
using namespace axl::workloads;
namespace timer = axl::hw::timer;

constexpr ProgramOption io_base_option = integer_option("io_base", 0x1000, 0, 0xFFFF, "the timer's first port");
constexpr ProgramOption irq_option = integer_option("irq", 0, 0, 63, "the timer's interrupt line");
constexpr ProgramOption period_option = integer_option("period", 1000, 100, 1'000'000'000, "timer period (ns)");
constexpr ProgramOption busy_option =
    integer_option("busy", 200'000, 1, 1'000'000'000, "virtual ns of work per round, while ticks pile up");
constexpr ProgramOption rounds_option = integer_option("rounds", 50, 1, 1'000'000, "rounds of work");

class TimerStorm {
public:
    TimerStorm()
        : m_base(static_cast<uint16_t>(option_int(io_base_option))),
          m_irq(static_cast<uint32_t>(option_int(irq_option))),
          m_period(static_cast<uint64_t>(option_int(period_option))),
          m_busy(static_cast<uint64_t>(option_int(busy_option))),
          m_rounds(static_cast<uint64_t>(option_int(rounds_option))) {}

    void setup() { check_ok(irq_attach(m_irq), "attach the timer's IRQ line"); }

    void run() {
        set(timer::period, static_cast<uint32_t>(m_period));
        m_started = now();
        set(timer::control, timer::periodic_enable | timer::irq_enable);
        for (uint64_t round = 0; round < m_rounds; ++round) {
            check_ok(compute(m_busy), "compute");  // busy: the line is raised and latched meanwhile
            Message m;
            check_ok(receive(endpoints::hardware, m), "wait for the timer");
            if (!(irq_lines_of(m) & (uint64_t{1} << m_irq))) fail("a HARDWARE notification without the timer's line");
            m_notifications += 1;
            m_ticks += get(timer::ticks);
            set(timer::status, timer::tick_pending);
            check_ok(irq_enable(m_irq), "re-enable the timer's line");
        }
        const uint64_t stopping = now();
        set(timer::control, 0);
        m_stopped = now();
        m_ticks += get(timer::ticks);  // the last ones, since the last notification
        // The device ticked at enable + k * period; enabling happened after
        // `m_started` was read and stopping before `m_stopped`.
        const uint64_t whole = (stopping - m_started) / m_period;
        const uint64_t fewest = whole > 0 ? whole - 1 : 0;
        const uint64_t most = (m_stopped - m_started) / m_period;
        if (m_ticks < fewest || m_ticks > most)
            fail("collected %llu ticks, the timer ran for %llu..%llu of them", ull(m_ticks), ull(fewest), ull(most));
    }

    void check() {
        log("ok: %llu ticks in %llu notifications over %llu ns, none lost", ull(m_ticks),
            ull(m_notifications), ull(m_stopped - m_started));
    }

private:
    uint32_t get(uint16_t offset) {
        uint32_t value = 0;
        check_ok(io_read(static_cast<uint16_t>(m_base + offset), value, IoWidth::word), "read a timer register");
        return value;
    }
    void set(uint16_t offset, uint32_t value) {
        check_ok(io_write(static_cast<uint16_t>(m_base + offset), value, IoWidth::word), "write a timer register");
    }
    uint64_t now() {
        const uint32_t low = get(timer::now_low);
        return uint64_t{get(timer::now_high)} << 32 | low;
    }

    const uint16_t m_base;
    const uint32_t m_irq;
    const uint64_t m_period;
    const uint64_t m_busy;
    const uint64_t m_rounds;
    uint64_t m_started = 0;
    uint64_t m_stopped = 0;
    uint64_t m_ticks = 0;
    uint64_t m_notifications = 0;
};

}  // namespace

AXL_PROGRAM(timer_storm, "an IRQ storm on a busy driver: every timer tick is counted, none lost",
            io_base_option, irq_option, period_option, busy_option, rounds_option) {
    return run_workload<TimerStorm>();
}
