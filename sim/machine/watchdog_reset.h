// What a watchdog's reset does to the run (the i6300esb and ib700 models):
// their `on_reset` key.
#pragma once

#include <cstdint>

#include "sim/machine/device_kind.h"

namespace axl::sim {

enum class WatchdogReset : uint8_t {
    record,  // the device event "watchdog reset" only; the run goes on
    stop,    // the device event, and the run ends there (DeviceHost::request_stop), as a reboot ends a boot
};

inline constexpr DeviceKey on_reset_key{"on_reset", DeviceKey::Type::string};

// The table's on_reset ("record" when absent); anything else fails at its line.
inline WatchdogReset read_watchdog_reset(const DeviceTable& table) {
    auto text = table.string(on_reset_key);
    if (!text || *text == "record") return WatchdogReset::record;
    if (*text != "stop")
        table.fail(table.line(on_reset_key), "unknown on_reset '" + *text +
                                                 "' (expected record: the reset is a device event and the run goes "
                                                 "on, or stop: it also ends the run)");
    return WatchdogReset::stop;
}

}  // namespace axl::sim
