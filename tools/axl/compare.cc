// `axl compare`: one system under every strategy. Each run is an ordinary
// `axl run` of the description with --ipc set, so a row here and that run's
// summary always agree (the digest included).
#include "tools/axl/compare.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iterator>
#include <set>
#include <utility>

#include "ipc_strategies/strategy_factory.h"
#include "sim/config/system_description.h"
#include "sim/harness/trace_digest.h"
#include "tools/axl/build_identity.h"
#include "tools/axl/cli_checks.h"
#include "tools/axl/exit_status.h"
#include "tools/axl/output_file.h"
#include "tools/axl/report_json.h"
#include "tools/axl/report_printer.h"
#include "tools/axl/text_table.h"

namespace axl::tools {

CLI::App* add_compare_command(CLI::App& app, CompareArguments& args) {
    CLI::App* compare =
        app.add_subcommand("compare", "run a system under every IPC strategy and print the comparison table");
    compare->add_option("FILE", args.path, "system description (TOML, see docs/system-description.md)")->required();
    compare->add_option("--seed", args.seed, "64-bit seed (decimal or 0x hex), overrides the file")
        ->check(seed_check())
        ->type_name("N");
    args.cpus_option =
        compare->add_option("--cpus", args.cpus, "simulated CPUs, overrides the file")->type_name("N");
    compare->add_option("--until", args.until, "stop each run at this virtual time (e.g. 10ms), overrides the file")
        ->check(duration_check())
        ->type_name("TIME");
    compare->add_option("--json", args.json_path, "also write every run's summary as JSON to this file")
        ->type_name("FILE");
    compare->add_flag("--console", args.console, "echo the processes' log lines (off: only the table)");
    return compare;
}

std::string format_comparison(const std::vector<sim::RunReport>& reports) {
    fmt::memory_buffer out;
    Table table = Table::words_then_numbers({"ipc", "ok"}, {"messages", "virtual", "wall", "messages/wall s",
                                                           "kernel calls", "blocked", "digest"});
    for (const sim::RunReport& report : reports) {
        uint64_t calls = 0, blocked = 0;
        for (const sim::ProcessReport& process : report.processes) {
            calls += process.counters.kernel_calls;
            blocked += process.counters.blocked;
        }
        table.add_row({to_string(report.ipc), report.ok ? "yes" : "NO", std::to_string(report.messages),
                       format_duration_ns(report.virtual_ns),
                       format_duration_ns(static_cast<uint64_t>(report.wall_seconds * 1e9)),
                       report.wall_seconds > 0 ? fmt::format("{:.0f}", static_cast<double>(report.messages) /
                                                                           report.wall_seconds)
                                               : std::string("-"),
                       std::to_string(calls), std::to_string(blocked), sim::to_hex(report.digest)});
        for (const std::string& failure : report.failures) table.add_note("failure: " + failure);
    }
    table.render(out);
    std::set<uint64_t> digests;
    for (const sim::RunReport& report : reports) digests.insert(report.digest);
    fmt::format_to(std::back_inserter(out), "\n{}\n",
                   digests.size() == 1
                       ? "digests: identical under every strategy (the runs were the same, event for event)"
                       : "digests: differ (the strategies ordered or timed events differently; docs/ipc-strategies.md says what "
                         "a strategy may change)");
    return fmt::to_string(out);
}

int compare_strategies(const CompareArguments& args) {
    sim::DescriptionOverrides overrides;
    if (!args.seed.empty()) overrides.seed = sim::parse_seed(args.seed);
    if (args.cpus_option->count() > 0) overrides.cpus = args.cpus;
    if (!args.until.empty()) overrides.until_ns = sim::parse_duration_ns(args.until);

    std::vector<sim::SystemDescription> systems;
    try {
        for (const StrategyInfo& strategy : ipc_strategies) {
            overrides.ipc = strategy.kind;
            systems.push_back(sim::load_system_description(args.path, overrides));
        }
    } catch (const sim::DescriptionError& error) {
        fmt::print(stderr, "{}\n", error.what());
        return exit_usage;
    }
    OutputFile json_file("--json", args.json_path);
    if (!json_file.open()) return exit_usage;

    const sim::SystemDescription& first = systems.front();
    std::string names;
    for (const StrategyInfo& strategy : ipc_strategies) names += (names.empty() ? "" : ", ") + std::string(strategy.name);
    fmt::print("axl compare {}: system {}, cpus {}, seed {}{}, under {}\n", args.path, first.name, first.cpus,
               first.seed, first.until_ns ? fmt::format(", until {} ns", *first.until_ns) : std::string(), names);
    std::fflush(stdout);

    std::vector<sim::RunReport> reports;
    for (const sim::SystemDescription& system : systems) {
        sim::RunOptions options;
        options.echo_console = args.console;
        try {
            sim::Simulator simulator(system, options);
            reports.push_back(simulator.run());
        } catch (const sim::DescriptionError& error) {
            // The kernel refused the system under this strategy (a buffer too big, ...).
            fmt::print(stderr, "{} (ipc {})\n", error.what(), to_string(system.ipc));
            json_file.discard();
            return exit_usage;
        }
    }
    std::fflush(stdout);
    fmt::print("\n{}", format_comparison(reports));

    bool all_ok = true;
    for (const sim::RunReport& report : reports) all_ok = all_ok && report.ok;
    if (json_file.wanted()) {
        nlohmann::ordered_json runs = nlohmann::ordered_json::array();
        for (const sim::RunReport& report : reports)
            runs.push_back(nlohmann::ordered_json::parse(format_run_report_json(report)));
        nlohmann::ordered_json json = {{"system", first.name},
                                       {"path", args.path},
                                       {"seed", first.seed},
                                       {"cpus", first.cpus},
                                       {"ok", all_ok},
                                       {"build", build_identity_json<nlohmann::ordered_json>()},
                                       {"runs", std::move(runs)}};
        json_file.stream() << json.dump(2) << "\n";
        if (!json_file.close()) return exit_failed;
    }
    return all_ok ? exit_ok : exit_failed;
}

}  // namespace axl::tools
