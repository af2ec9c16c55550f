#include "sim/machine/i6300esb.h"

#include "hw/i6300esb.h"
#include "sim/config/system_description.h"
#include "sim/machine/device_kind.h"

namespace axl::sim {

namespace reg = hw::i6300esb;

// As QEMU's: Intel's ids, QEMU's subsystem ids, INTA#, one 16-byte memory BAR.
constexpr PciProfile i6300esb_profile{
    .vendor = reg::vendor,
    .device = reg::device,
    .subsystem_vendor = 0x1af4,
    .subsystem_device = 0x1100,
    .class_code = reg::class_code,
    .revision = 0,
    .interrupt_pin = 1,
    .bars = {PciBarLayout{PciBarLayout::Type::memory, reg::bar0_size}},
};

I6300esb::I6300esb(DeviceHost& host, uint32_t irq, WatchdogReset on_reset)
    : PciFunction(i6300esb_profile, host, irq), m_on_reset(on_reset) {
    power_on();
}

// The chip's state after a reset. Whether the last reset was the watchdog's
// survives it: that is how the driver learns it at probe.
void I6300esb::power_on() {
    stop();
    m_reboot_enabled = true;
    m_fast_clock = false;
    m_interrupt_type = 0;
    m_locked = false;
    m_enabled = false;
    m_free_run = false;
    m_preload[0] = m_preload[1] = reg::preload_mask;
    m_unlock_state = 0;
    m_interrupt_status = false;
    m_stage = 1;
    clear_intx();
}

uint64_t I6300esb::stage_ns(uint32_t ticks) const {
    // ticks < 2^20, so the product fits easily; exact for the driver's N << 9.
    return m_fast_clock ? uint64_t{ticks} * 1'000'000'000 / reg::fast_hz
                        : uint64_t{ticks} * 1'000'000'000 / reg::slow_hz;
}

void I6300esb::stop() {
    if (m_armed) host().cancel(m_event);
    m_armed = false;
}

void I6300esb::restart(uint32_t stage) {
    if (!m_enabled) return;
    stop();
    m_stage = stage;
    m_expires_ns = host().now_ns() + stage_ns(m_preload[stage - 1]);
    m_armed = true;
    m_event = host().schedule(m_expires_ns, [this] {
        m_armed = false;
        expired();
    });
}

void I6300esb::expired() {
    if (m_stage == 1) {
        if (m_interrupt_type == 0) {  // INTx; SMI (2) and none (3) raise nothing here
            m_interrupt_status = true;
            raise_intx();
        }
        restart(2);
        return;
    }
    if (m_reboot_enabled) {
        ++m_resets;
        m_previous_reset = true;
        host().device_event(*this, "watchdog reset");
        power_on();
        if (m_on_reset == WatchdogReset::stop) host().request_stop(*this, "watchdog reset");
        return;
    }
    if (m_free_run) restart(1);
}

uint32_t I6300esb::device_config_read(uint32_t offset, uint32_t width) {
    uint32_t value = 0;
    if (offset >= reg::config && offset < reg::config + 2) {
        value = (m_reboot_enabled ? 0 : reg::config_output_disable) | (m_fast_clock ? reg::config_1mhz : 0) |
                m_interrupt_type;
        value >>= 8 * (offset - reg::config);
    } else if (offset == reg::lock) {
        value = (m_free_run ? reg::lock_free_run : 0) | (m_enabled ? reg::lock_enable : 0) |
                (m_locked ? reg::lock_locked : 0);
    }
    return width >= 4 ? value : value & ((1u << (8 * width)) - 1);
}

void I6300esb::device_config_write(uint32_t offset, uint32_t, uint32_t value) {
    if (offset == reg::config) {
        m_reboot_enabled = !(value & reg::config_output_disable);
        m_fast_clock = value & reg::config_1mhz;
        m_interrupt_type = value & reg::config_interrupt_type;
    } else if (offset == reg::lock) {
        if (m_locked) return;  // until the next reset
        m_locked = value & reg::lock_locked;
        m_free_run = value & reg::lock_free_run;
        m_enabled = value & reg::lock_enable;
        if (m_enabled)
            restart(1);
        else
            stop();
    }
}

uint32_t I6300esb::bar_read(uint32_t bar, uint32_t offset, uint32_t) {
    if (bar != 0) return 0;
    if (offset == reg::reload) return m_previous_reset ? reg::reload_timeout : 0;
    if (offset == reg::interrupt_status) return m_interrupt_status ? 1 : 0;
    return 0;
}

void I6300esb::bar_write(uint32_t bar, uint32_t offset, uint32_t, uint32_t value) {
    if (bar != 0) return;
    if (offset == reg::interrupt_status) {
        if (value & 1) {
            m_interrupt_status = false;
            clear_intx();
        }
        return;
    }
    if (offset == reg::reload && value == reg::unlock1) {
        m_unlock_state = 1;
        return;
    }
    if (offset == reg::reload && value == reg::unlock2 && m_unlock_state == 1) {
        m_unlock_state = 2;
        return;
    }
    // Anything else uses up the unlock, and does something only after a full one.
    const bool unlocked = m_unlock_state == 2;
    m_unlock_state = 0;
    if (!unlocked) return;
    if (offset == reg::reload) {
        if (value & reg::reload_timeout) m_previous_reset = false;
        if (value & reg::reload_reload) restart(1);
    } else if (offset == reg::timer1 || offset == reg::timer2) {
        m_preload[offset == reg::timer1 ? 0 : 1] = value & reg::preload_mask;
    }
}

// ---- kind = "i6300esb" ----

namespace {

constexpr DeviceKey i6300esb_keys[] = {on_reset_key};

std::any read_i6300esb(const DeviceTable& table) { return read_watchdog_reset(table); }

std::unique_ptr<Device> make_i6300esb(const DeviceDescription& device, DeviceHost& host) {
    return std::make_unique<I6300esb>(host, device.irq, device.settings_as<WatchdogReset>());
}

}  // namespace

extern constexpr DeviceKind i6300esb_kind{
    .name = "i6300esb",
    .description = "Intel 6300ESB watchdog (PCI 8086:25ab): expiry unpinged is a 'watchdog reset' device event",
    .registers = "hw/i6300esb.h",
    .io_size = 0,
    .io_base = 0,
    .irq = 9,
    .keys = i6300esb_keys,
    .read = read_i6300esb,
    .make = make_i6300esb,
    .pci = &i6300esb_profile,
};

}  // namespace axl::sim
