#include "tools/axl/report_json.h"

#include <nlohmann/json.hpp>

#include "sim/harness/trace_digest.h"
#include "sim/machine/device_kind.h"
#include "tools/axl/build_identity.h"
#include "tools/axl/report_printer.h"

namespace axl::tools {

std::string format_run_report_json(const sim::RunReport& report) {
    nlohmann::ordered_json processes = nlohmann::ordered_json::array();
    for (const sim::ProcessReport& process : report.processes) {
        const ProcessCounters& c = process.counters;
        processes.push_back({
            {"name", process.name},
            {"program", process.program},
            {"endpoint", process.endpoint.raw},
            {"state", to_string(process.state)},
            {"exit_status", process.exit_status},
            {"fault", process.fault},
            {"failure", process.failure},
            {"restarts", process.restarts},
            {"expect", boot::to_string(process.expect)},
            {"met_expectation", process.met_expectation},
            {"outcome", process.stopped ? "stopped" : process.met_expectation ? "met" : "not_met"},
            {"counters",
             {{"sent", c.sent},
              {"received", c.received},
              {"notifies_sent", c.notifies_sent},
              {"kernel_calls", c.kernel_calls},
              {"denied", c.denied},
              {"blocked", c.blocked},
              {"cpu_ns", c.cpu_ns}}},
        });
    }
    nlohmann::ordered_json devices = nlohmann::ordered_json::array();
    for (const sim::DeviceReport& device : report.devices)
        devices.push_back({{"name", device.name},
                           {"kind", device.kind},
                           {"driver", device.driver},
                           {"access", device.direct ? "direct" : "kernel"},
                           {"irq", device.irq == sim::no_irq ? nlohmann::ordered_json(nullptr)
                                                             : nlohmann::ordered_json(device.irq)},
                           {"interrupts_raised", device.interrupts_raised},
                           {"interrupts_delivered", device.interrupts_delivered}});
    nlohmann::ordered_json device_events = nlohmann::ordered_json::array();
    for (const sim::DeviceEventReport& event : report.device_events)
        device_events.push_back({{"time_ns", event.time_ns}, {"device", event.device}, {"event", event.what}});
    nlohmann::ordered_json lifecycle = nlohmann::ordered_json::array();
    for (const sim::LifecycleEvent& event : report.lifecycle)
        lifecycle.push_back({{"time_ns", event.time_ns},
                             {"process", event.process},
                             {"event", event.what == sim::LifecycleEvent::What::died ? "died" : "restarted"},
                             {"state", to_string(event.state)}});
    nlohmann::ordered_json json = {
        {"system", report.system_name},
        {"ipc", to_string(report.ipc)},
        {"cpus", report.cpus},
        {"seed", report.seed},
        {"ok", report.ok},
        {"failures", report.failures},
        {"messages", report.messages},
        {"virtual_ns", report.virtual_ns},
        {"wall_seconds", report.wall_seconds},
        {"stopped_by_until", report.stopped_by_until},
        {"stopped_by_device", report.stopped_by_device},
        // A string: 64-bit values do not survive every JSON reader as numbers.
        {"digest", sim::to_hex(report.digest)},
        {"trace_events", report.trace_events},
        {"processes", processes},
        {"devices", devices},
        {"device_events", device_events},
        {"lifecycle", lifecycle},
        // Digests depend on the build as much as on the inputs.
        {"build", build_identity_json<nlohmann::ordered_json>()},
    };
    return json.dump(2) + "\n";
}

}  // namespace axl::tools
