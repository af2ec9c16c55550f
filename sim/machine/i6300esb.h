// The Intel 6300ESB watchdog as a PCI function (hw/i6300esb.h), as far as
// Linux's i6300esb driver uses it and QEMU models it: the configuration and
// lock registers in configuration space, the unlock sequence, the preload
// registers of the two stages and the reload register in memory BAR 0.
//
// Expiry of stage 2 with the reboot output enabled is the device event
// "watchdog reset" (the run's report, trace and digest show it; a scenario
// expects it), and the chip then does what a machine reset does to it: it
// returns to its power-on state, keeping the flag that says the last reset was
// the watchdog's. With `on_reset = "stop"` the run also ends there, as the
// machine's reboot would end this boot.
#pragma once

#include <cstdint>

#include "sim/machine/device.h"
#include "sim/machine/pci_function.h"
#include "sim/machine/watchdog_reset.h"

namespace axl::sim {

class I6300esb final : public PciFunction {
public:
    I6300esb(DeviceHost& host, uint32_t irq, WatchdogReset on_reset = WatchdogReset::record);

    uint32_t bar_read(uint32_t bar, uint32_t offset, uint32_t width) override;
    void bar_write(uint32_t bar, uint32_t offset, uint32_t width, uint32_t value) override;

    bool enabled() const { return m_enabled; }
    uint32_t stage() const { return m_stage; }
    uint64_t resets() const { return m_resets; }
    // Virtual time the running stage ends, or EventQueue::never.
    uint64_t expires_at_ns() const { return m_armed ? m_expires_ns : EventQueue::never; }
    // Nanoseconds a stage of `ticks` takes at the current clock rate.
    uint64_t stage_ns(uint32_t ticks) const;

protected:
    uint32_t device_config_read(uint32_t offset, uint32_t width) override;
    void device_config_write(uint32_t offset, uint32_t width, uint32_t value) override;

private:
    void power_on();
    void restart(uint32_t stage);
    void stop();
    void expired();

    WatchdogReset m_on_reset;
    // Configuration register.
    bool m_reboot_enabled = true;
    bool m_fast_clock = false;
    uint32_t m_interrupt_type = 0;
    // Lock register.
    bool m_locked = false;
    bool m_enabled = false;
    bool m_free_run = false;
    // Memory BAR.
    uint32_t m_preload[2] = {0xFFFFF, 0xFFFFF};
    uint32_t m_unlock_state = 0;  // 0, 1 after 0x80, 2 after 0x86: the next write is accepted
    bool m_previous_reset = false;
    bool m_interrupt_status = false;
    uint32_t m_stage = 1;
    bool m_armed = false;
    uint64_t m_expires_ns = 0;
    EventQueue::Id m_event{};
    uint64_t m_resets = 0;
};

extern const PciProfile i6300esb_profile;

}  // namespace axl::sim
