// Formatting of RunReport for people. Everything goes through one string so the
// CLI prints it in one piece (and tests can look at it without a terminal).
#include "tools/axl/report_printer.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <iterator>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/machine/device_kind.h"
#include "tools/axl/text_table.h"

namespace axl::tools {
namespace {

// "stopped": `until` ended the run before the process could exit (or fault);
// neither met nor missed, which "met" would hide.
const char* outcome(const sim::ProcessReport& process) {
    if (process.stopped) return "stopped";
    return process.met_expectation ? "met" : "NOT MET";
}

void render_processes(fmt::memory_buffer& out, const sim::RunReport& report) {
    using Align = Table::Align;
    Table table({{"process", Align::left},
                 {"program", Align::left},
                 {"state", Align::left},
                 {"exit", Align::right},
                 {"sent", Align::right},
                 {"received", Align::right},
                 {"kernel calls", Align::right},
                 {"denied", Align::right},
                 {"blocked", Align::right},
                 {"cpu time", Align::right},
                 {"expected", Align::left}});
    for (const sim::ProcessReport& process : report.processes) {
        const ProcessCounters& counters = process.counters;
        // Only an exit() leaves a status worth reading; a fault is described below the row.
        std::string exit_status = process.state == ProcessState::exited ? std::to_string(process.exit_status) : "-";
        table.add_row({process.name, process.program, to_string(process.state), exit_status,
                       std::to_string(counters.sent), std::to_string(counters.received),
                       std::to_string(counters.kernel_calls), std::to_string(counters.denied),
                       std::to_string(counters.blocked), format_duration_ns(counters.cpu_ns),
                       fmt::format("{} ({})", boot::to_string(process.expect), outcome(process))});
        if (!process.fault.empty()) table.add_note("fault: " + process.fault);
        if (!process.failure.empty()) table.add_note("failed: " + process.failure);
        if (process.restarts > 0)
            table.add_note(fmt::format("restarted {} time{} by the reincarnation server", process.restarts,
                                       process.restarts == 1 ? "" : "s"));
    }
    table.render(out);
}

void render_devices(fmt::memory_buffer& out, const sim::RunReport& report) {
    using Align = Table::Align;
    Table table({{"device", Align::left},
                 {"kind", Align::left},
                 {"driver", Align::left},
                 {"access", Align::left},
                 {"irq", Align::right},
                 {"raised", Align::right},
                 {"delivered", Align::right}});
    for (const sim::DeviceReport& device : report.devices)
        table.add_row({device.name, device.kind, device.driver, device.direct ? "direct" : "kernel",
                       device.irq == sim::no_irq ? "-" : std::to_string(device.irq),
                       std::to_string(device.interrupts_raised),
                       std::to_string(device.interrupts_delivered)});
    table.render(out);
}

}  // namespace

std::string format_duration_ns(uint64_t ns) {
    struct Unit {
        uint64_t ns;
        const char* name;
    };
    constexpr std::array<Unit, 3> units{{{1'000'000'000, "s"}, {1'000'000, "ms"}, {1'000, "us"}}};
    for (const Unit& unit : units)
        if (ns >= unit.ns) return fmt::format("{:.3f} {}", static_cast<double>(ns) / static_cast<double>(unit.ns), unit.name);
    return fmt::format("{} ns", ns);
}

std::string trace_truncation_warning(const sim::RunReport& report) {
    if (report.trace_events_dropped == 0) return {};
    return fmt::format("axl: warning: the trace is truncated: {} of {} events did not fit the per-CPU trace "
                       "buffers and are missing from the trace file (the digest covers them; --trace-limit N "
                       "keeps more)\n",
                       report.trace_events_dropped, report.trace_events);
}

std::string format_run_report(const sim::RunReport& report, const std::string& trace_path) {
    fmt::memory_buffer out;
    auto line = [&out](std::string_view label, const std::string& value) {
        fmt::format_to(std::back_inserter(out), "{:<12}{}\n", label, value);
    };

    line("system", report.system_name);
    line("ipc", to_string(report.ipc));
    line("cpus", std::to_string(report.cpus));
    line("seed", std::to_string(report.seed));
    line("messages", std::to_string(report.messages));
    line("virtual", format_duration_ns(report.virtual_ns) +
                        (report.stopped_by_until ? " (stopped at the until limit)" : "") +
                        (report.stopped_by_device.empty() ? "" : " (stopped by " + report.stopped_by_device + ")"));
    line("wall", format_duration_ns(static_cast<uint64_t>(report.wall_seconds * 1e9)));
    // Wall-clock throughput of the host running the simulation, not of the
    // simulated machine: it compares strategies' host cost, nothing more.
    line("throughput", report.wall_seconds > 0
                           ? fmt::format("{:.0f} messages per wall second",
                                         static_cast<double>(report.messages) / report.wall_seconds)
                           : std::string("-"));
    if (!trace_path.empty()) {
        line("trace", fmt::format("{} events written to {}", report.trace_events_stored, trace_path));
        if (report.trace_events_dropped > 0)
            line("", fmt::format("WARNING: {} events did not fit the per-CPU trace buffers and are missing "
                                 "from the file (the digest covers them)",
                                 report.trace_events_dropped));
    }

    fmt::format_to(std::back_inserter(out), "\n");
    render_processes(out, report);
    fmt::format_to(std::back_inserter(out), "\n");
    if (!report.devices.empty()) {
        render_devices(out, report);
        fmt::format_to(std::back_inserter(out), "\n");
    }
    if (!report.device_events.empty()) {
        fmt::format_to(std::back_inserter(out), "device events: {}\n", report.device_events.size());
        for (const sim::DeviceEventReport& event : report.device_events)
            fmt::format_to(std::back_inserter(out), "  {} {}: {}\n", format_duration_ns(event.time_ns), event.device,
                           event.what);
        fmt::format_to(std::back_inserter(out), "\n");
    }

    if (report.failures.empty()) {
        fmt::format_to(std::back_inserter(out), "failures: none\n");
    } else {
        fmt::format_to(std::back_inserter(out), "failures: {}\n", report.failures.size());
        for (const std::string& failure : report.failures) fmt::format_to(std::back_inserter(out), "  {}\n", failure);
    }
    fmt::format_to(std::back_inserter(out), "digest: {:016x}{}\n", report.digest,
                   report.parallel ? " (parallel run: events interleave differently each time)" : "");
    return fmt::to_string(out);
}

}  // namespace axl::tools
