// The iB700 watchdog (hw/ib700.h): an ISA device on ports 0x441..0x443, as
// QEMU's "ib700" models it and Linux's ib700wdt drives it. Writing port 0x443
// starts (or restarts: a ping) the timer with the timeout its low four bits
// select; writing 0x441 stops it. Expiry is the device event
// "watchdog reset"; the chip is then as after a reset (stopped), and with
// on_reset = "stop" the run ends there. It raises no interrupt.
#pragma once

#include <cstdint>

#include "sim/machine/device.h"
#include "sim/machine/watchdog_reset.h"

namespace axl::sim {

class Ib700 final : public Device {
public:
    explicit Ib700(DeviceHost& host, WatchdogReset on_reset = WatchdogReset::record);

    uint16_t io_size() const override;
    uint32_t read(uint16_t offset, uint32_t width) override;
    void write(uint16_t offset, uint32_t width, uint32_t value) override;

    bool running() const { return m_armed; }
    uint64_t expires_at_ns() const { return m_armed ? m_expires_ns : EventQueue::never; }
    uint64_t resets() const { return m_resets; }

private:
    void stop();

    DeviceHost& m_host;
    WatchdogReset m_on_reset;
    bool m_armed = false;
    uint64_t m_expires_ns = 0;
    EventQueue::Id m_event{};
    uint64_t m_resets = 0;
};

}  // namespace axl::sim
