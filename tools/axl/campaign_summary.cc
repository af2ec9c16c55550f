#include "tools/axl/campaign_summary.h"

#include <fmt/format.h>

#include <iterator>
#include <string_view>

#include "sim/harness/trace_digest.h"
#include "tools/axl/campaign_failure_groups.h"
#include "tools/axl/report_printer.h"
#include "tools/axl/text_table.h"

namespace axl::tools {
namespace {

const char* class_heading(sim::RunClass run_class) {
    switch (run_class) {
        case sim::RunClass::survived: return "survived";
        case sim::RunClass::client_error: return "client-visible errors";
        case sim::RunClass::unmet_expectation: return "unmet expectations";
        case sim::RunClass::hang: return "hangs";
        case sim::RunClass::kernel_panic: return "kernel panics";
        case sim::RunClass::simulator_crash: return "simulator crashes";
    }
    return "?";
}

std::string latency_line(const LatencySamples& samples) {
    if (samples.count() == 0) return "none measured";
    return fmt::format("p50 {}, p99 {} ({} fault{})", format_duration_ns(*samples.percentile(50)),
                       format_duration_ns(*samples.percentile(99)), samples.count(), samples.count() == 1 ? "" : "s");
}

std::string percent(uint64_t part, uint64_t whole) {
    return whole == 0 ? std::string()
                      : fmt::format(" ({:.1f}%)", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
}

void format_kind_table(fmt::memory_buffer& out, const CampaignTotals& totals) {
    Table table = Table::words_then_numbers({"kind"}, {"drawn", "injected", "detected", "detection p50", "p99",
                                                       "recovered", "recovery p50", "p99"});
    auto at = [](const LatencySamples& samples, double p) {
        return samples.count() ? format_duration_ns(*samples.percentile(p)) : std::string("-");
    };
    for (uint32_t k = 0; k < sim::FaultSpec::kind_count; ++k) {
        const KindTally& kind = totals.kinds[k];
        if (kind.drawn == 0) continue;
        table.add_row({sim::to_string(static_cast<sim::FaultSpec::Kind>(k)), std::to_string(kind.drawn),
                       std::to_string(kind.injected), std::to_string(kind.detection.count()), at(kind.detection, 50),
                       at(kind.detection, 99), std::to_string(kind.recovery.count()), at(kind.recovery, 50),
                       at(kind.recovery, 99)});
    }
    table.render(out);
}

}  // namespace

std::string format_summary(const CampaignTotals& totals, bool merged) {
    fmt::memory_buffer out;
    auto line = [&out](std::string_view label, const std::string& value) {
        fmt::format_to(std::back_inserter(out), "{:<22}{}\n", label, value);
    };
    const uint64_t drawn = totals.faults_drawn(), injected = totals.faults_injected();
    if (totals.interrupted)
        fmt::format_to(std::back_inserter(out), "interrupted: {} of {} runs done\n", totals.runs,
                       totals.runs_in_shards());
    line("runs", std::to_string(totals.runs));
    line("faults injected", fmt::format("{}{}", injected,
                                        injected == drawn ? std::string()
                                                          : fmt::format(" of {} drawn (the others found their target "
                                                                        "down, or the workload done)",
                                                                        drawn)));
    for (sim::RunClass run_class : sim::all_run_classes)
        line(class_heading(run_class), fmt::format("{}{}", totals.count(run_class),
                                                   run_class == sim::RunClass::survived
                                                       ? percent(totals.count(run_class), totals.runs)
                                                       : std::string()));
    line("detection latency", latency_line(totals.detection()));
    line("recovery latency", latency_line(totals.recovery()));
    line("wall", fmt::format("{:.3f} s{}", totals.wall_seconds,
                             merged ? fmt::format(" (the wall times of {} shards added)", totals.shards.size())
                                    : fmt::format(" ({} job{})", totals.jobs, totals.jobs == 1 ? "" : "s")));
    line("faults per second", fmt::format("{:.0f}", totals.faults_per_second()));
    line("runs digest", sim::to_hex(totals.runs_digest));

    if (drawn > 0) {
        fmt::format_to(std::back_inserter(out), "\n");
        format_kind_table(out, totals);
    }

    fmt::format_to(std::back_inserter(out), "\n");
    if (totals.failed.empty()) {
        fmt::format_to(std::back_inserter(out), "failed runs: none\n");
    } else {
        const std::vector<FailureGroup> groups = group_failures(totals);
        fmt::format_to(std::back_inserter(out), "failures by class and reason ({} group{}):\n", groups.size(),
                       groups.size() == 1 ? "" : "s");
        for (const FailureGroup& group : groups) {
            std::string seeds;
            for (uint64_t seed : group.first_seeds) seeds += (seeds.empty() ? "" : ", ") + std::to_string(seed);
            fmt::format_to(std::back_inserter(out), "  {:>5} x {}: {}\n          seed{} {}{}\n", group.count,
                           sim::to_string(group.run_class), group.reason, group.count == 1 ? "" : "s", seeds,
                           group.count > group.first_seeds.size()
                               ? fmt::format(", ... ({} more)", group.count - group.first_seeds.size())
                               : std::string());
        }
        fmt::format_to(std::back_inserter(out), "\n");
        fmt::format_to(std::back_inserter(out), "failed runs ({}), each reproduced by its command:\n",
                       totals.failed.size());
        for (const FailedRun& run : totals.failed)
            fmt::format_to(std::back_inserter(out), "  {}\n    {}: {}\n", replay_command(totals.path, run.seed),
                           sim::to_string(run.run_class), run.detail);
    }
    return fmt::to_string(out);
}

}  // namespace axl::tools
