#include "sim/machine/ib700.h"

#include "hw/ib700.h"
#include "sim/config/system_description.h"
#include "sim/machine/device_kind.h"

namespace axl::sim {

namespace reg = hw::ib700;

Ib700::Ib700(DeviceHost& host, WatchdogReset on_reset) : m_host(host), m_on_reset(on_reset) {}

uint16_t Ib700::io_size() const { return reg::io_size; }

// Write-only ports: reads float high, as on the ISA bus.
uint32_t Ib700::read(uint16_t, uint32_t width) { return width >= 4 ? 0xFFFF'FFFFu : (1u << (8 * width)) - 1; }

void Ib700::stop() {
    if (m_armed) m_host.cancel(m_event);
    m_armed = false;
}

void Ib700::write(uint16_t offset, uint32_t, uint32_t value) {
    if (offset == reg::stop) {
        stop();
        return;
    }
    if (offset != reg::start) return;  // 0x442 is not the watchdog's
    stop();
    m_expires_ns = m_host.now_ns() + uint64_t{reg::timeouts_s[value & 0xF]} * 1'000'000'000;
    m_armed = true;
    m_event = m_host.schedule(m_expires_ns, [this] {
        m_armed = false;
        ++m_resets;
        m_host.device_event(*this, "watchdog reset");
        if (m_on_reset == WatchdogReset::stop) m_host.request_stop(*this, "watchdog reset");
    });
}

// ---- kind = "ib700" ----

namespace {

constexpr DeviceKey ib700_keys[] = {on_reset_key};

std::any read_ib700(const DeviceTable& table) { return read_watchdog_reset(table); }

std::unique_ptr<Device> make_ib700(const DeviceDescription& device, DeviceHost& host) {
    return std::make_unique<Ib700>(host, device.settings_as<WatchdogReset>());
}

}  // namespace

extern constexpr DeviceKind ib700_kind{
    .name = "ib700",
    .description = "iB700 ISA watchdog (ports 0x441, 0x443): expiry unpinged is a 'watchdog reset' device event",
    .registers = "hw/ib700.h",
    .io_size = reg::io_size,
    .io_base = reg::default_base,
    .irq = no_irq,
    .keys = ib700_keys,
    .read = read_ib700,
    .make = make_ib700,
};

}  // namespace axl::sim
