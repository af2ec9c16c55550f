// `axl replay`: one fault scenario, run deterministically and judged.
//
// The output is a run log people read and scripts compare: a header with
// everything that determines the run (so the log says how to replay it), the
// console, the usual run summary, the faults with their latencies, the
// verdict, and last the digest. A replay with the same scenario and seed
// prints the same digest; --expect-digest turns any divergence into a failure.
#include "tools/axl/replay.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <optional>
#include <string_view>
#include <vector>

#include "sim/harness/campaign.h"
#include "sim/harness/scenario_run.h"
#include "sim/harness/trace_digest.h"
#include "tools/axl/cli_checks.h"
#include "tools/axl/exit_status.h"
#include "tools/axl/output_file.h"
#include "tools/axl/report_json.h"
#include "tools/axl/report_printer.h"
#include "tools/axl/text_table.h"

namespace axl::tools {
namespace {

// Digests are printed as 16 hex digits; a leading 0x is tolerated.
std::optional<uint64_t> parse_digest(std::string_view text) {
    if (text.starts_with("0x") || text.starts_with("0X")) text.remove_prefix(2);
    if (text.empty() || text.size() > 16) return std::nullopt;
    uint64_t digest = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), digest, 16);
    if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return digest;
}

std::string latency(const std::optional<uint64_t>& ns) { return ns ? "+" + format_duration_ns(*ns) : "-"; }

// format_run_report ends with the digest line; replay prints it last, after the verdict.
std::string without_digest_line(std::string summary) {
    const size_t digest = summary.rfind("digest: ");
    if (digest != std::string::npos && (digest == 0 || summary[digest - 1] == '\n')) summary.resize(digest);
    return summary;
}

nlohmann::ordered_json fault_json(const sim::FaultVerdict& fault) {
    auto optional = [](const std::optional<uint64_t>& value) -> nlohmann::ordered_json {
        return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
    };
    nlohmann::ordered_json json = {
        {"line", fault.spec.line},
        {"kind", to_string(fault.spec.kind)},
        {"target", fault.spec.target},
    };
    if (fault.spec.after_calls > 0)
        json["after_calls"] = fault.spec.after_calls;
    else
        json["at_ns"] = fault.spec.at_ns;
    json["injected"] = fault.injected;
    json["injected_ns"] = fault.injected ? nlohmann::ordered_json(fault.injected_ns) : nlohmann::ordered_json(nullptr);
    json["detected_ns"] = optional(fault.detected_ns);
    json["recovered_ns"] = optional(fault.recovered_ns);
    json["detection_latency_ns"] = optional(fault.detection_latency_ns());
    json["recovery_latency_ns"] = optional(fault.recovery_latency_ns());
    return json;
}

}  // namespace

CLI::App* add_replay_command(CLI::App& app, ReplayArguments& args) {
    CLI::App* replay = app.add_subcommand("replay", "run a fault scenario, judge it, and print its digest");
    replay->add_option("SCENARIO", args.path, "scenario file (TOML, see docs/scenarios.md)")->required();
    replay
        ->add_option("--seed", args.seed, "64-bit seed (decimal or 0x hex), overrides the scenario and the system")
        ->check(seed_check())
        ->type_name("N");
    replay
        ->add_option("--expect-digest", args.expect_digest,
                     "fail (exit 1) unless the run's digest is this one (16 hex digits, as printed)")
        ->check(CLI::Validator(
            [](const std::string& text) {
                return parse_digest(text) ? std::string() : "'" + text + "' is not a digest (up to 16 hex digits)";
            },
            ""))
        ->type_name("HEX");
    replay->add_option("--trace", args.trace_path, "write every event (faults, kills, restarts too) as Chrome trace "
                                                   "JSON to this file")
        ->type_name("FILE");
    replay->add_option("--json", args.json_path, "also write the verdict and the run summary as JSON to this file")
        ->type_name("FILE");
    replay->add_option("--trace-limit", args.trace_limit,
                       "events the trace keeps per simulated CPU (default 4000000; the rest are counted as dropped)")
        ->check(positive_check())
        ->type_name("N");
    replay->add_flag("--quiet", args.quiet, "do not echo process log lines");
    add_wall_timeout_option(*replay, args.wall_timeout_seconds);
    return replay;
}

bool replay_passed(const sim::ScenarioRun& run) { return run.verdict.passed && run.run_class != sim::RunClass::hang; }

namespace {
// The verdict's unmet expectations, and the hang that excused them, if it did.
std::vector<std::string> replay_failures(const sim::ScenarioRun& run) {
    std::vector<std::string> failures = run.verdict.failures;
    if (run.run_class == sim::RunClass::hang) failures.insert(failures.begin(), "hang: " + run.detail);
    return failures;
}
}  // namespace

std::string format_replay_verdict(const sim::ScenarioRun& run) {
    const sim::ScenarioVerdict& verdict = run.verdict;
    const sim::RunReport& report = run.report;
    fmt::memory_buffer out;
    if (verdict.faults.empty()) {
        fmt::format_to(std::back_inserter(out), "faults: none injected (a baseline run)\n");
    } else {
        fmt::format_to(std::back_inserter(out), "faults:\n");
        // All left-aligned, as replay logs have always been: scripts compare them.
        Table table = Table::words_then_numbers(
            {"line", "kind", "target", "trigger", "injected at", "detected after", "recovered after"}, {});
        for (const sim::FaultVerdict& fault : verdict.faults) {
            const std::string trigger = fault.spec.after_calls > 0
                                            ? fmt::format("call {}", fault.spec.after_calls)
                                            : sim::exact_duration(fault.spec.at_ns);
            table.add_row({std::to_string(fault.spec.line), to_string(fault.spec.kind), fault.spec.target, trigger,
                           fault.injected ? format_duration_ns(fault.injected_ns) : "never",
                           latency(fault.detection_latency_ns()), latency(fault.recovery_latency_ns())});
        }
        table.render(out, "  ");
    }
    // The process table does not show restarts; the verdict is where they matter.
    std::string restarted;
    for (const sim::ProcessReport& process : report.processes)
        if (process.restarts > 0)
            restarted += fmt::format("{}{} x{}", restarted.empty() ? "" : ", ", process.name, process.restarts);
    fmt::format_to(std::back_inserter(out), "restarts: {}\n", restarted.empty() ? "none" : restarted);
    fmt::format_to(std::back_inserter(out), "\n");
    if (replay_passed(run)) {
        fmt::format_to(std::back_inserter(out), "verdict: pass\n");
    } else {
        const std::vector<std::string> failures = replay_failures(run);
        if (run.run_class == sim::RunClass::hang)
            fmt::format_to(std::back_inserter(out), "verdict: FAIL (hang)\n");
        else
            fmt::format_to(std::back_inserter(out), "verdict: FAIL ({} unmet)\n", failures.size());
        for (const std::string& failure : failures) fmt::format_to(std::back_inserter(out), "  {}\n", failure);
    }
    fmt::format_to(std::back_inserter(out), "digest: {}\n", sim::to_hex(report.digest));
    return fmt::to_string(out);
}

int replay_scenario(const ReplayArguments& args) {
    sim::ScenarioOverrides overrides;
    if (!args.seed.empty()) overrides.seed = sim::parse_seed(args.seed);
    sim::Scenario scenario;
    try {
        scenario = sim::load_scenario(args.path, overrides);
    } catch (const sim::DescriptionError& error) {
        fmt::print(stderr, "{}\n", error.what());
        return exit_usage;
    }
    // A campaign's scenario: the faults its run of this seed drew, exactly
    // as `axl campaign` ran them.
    if (scenario.campaign) scenario = sim::campaign_run(scenario, scenario.system.seed);

    sim::RunOptions options;
    if (!args.trace_path.empty()) {
        options.trace_level = sim::TraceLevel::full;
        options.trace_path = args.trace_path;
        options.trace_events_per_cpu = args.trace_limit;
    }
    options.echo_console = !args.quiet;
    options.wall_timeout_seconds = args.wall_timeout_seconds;
    options.wall_timeout_exit_status = exit_wall_timeout;
    // Opened before the run: a path that cannot be written costs nothing.
    OutputFile trace("--trace", args.trace_path), json_file("--json", args.json_path);
    if (!trace.open() || !json_file.open()) return exit_usage;
    options.trace_stream = trace.stream_if_open();

    const sim::SystemDescription& system = scenario.system;
    // Everything that determines the run first: the log says how to replay it.
    fmt::print("axl replay {}: scenario {}, system {} ({}), ipc {}, cpus {}, seed {}{}, {} fault{}{}\n", args.path,
               scenario.name, system.name, scenario.system_path, to_string(system.ipc), system.cpus, system.seed,
               system.until_ns ? ", until " + sim::exact_duration(*system.until_ns) : std::string(),
               scenario.faults.size(), scenario.faults.size() == 1 ? "" : "s",
               scenario.campaign ? fmt::format(" ({} drawn by [campaign])", scenario.drawn_faults) : std::string());
    sim::ScenarioRun run;
    try {
        run = sim::run_scenario(scenario, std::move(options));  // the kernel may still refuse the description
    } catch (const sim::DescriptionError& error) {
        fmt::print(stderr, "{}\n", error.what());
        trace.discard();
        json_file.discard();
        return exit_usage;
    }
    const sim::RunReport& report = run.report;
    const sim::ScenarioVerdict& verdict = run.verdict;
    std::fflush(stdout);  // console lines the run echoed come before the summary

    fmt::print("{}\n", without_digest_line(format_run_report(report, args.trace_path)));
    fmt::print("{}", format_replay_verdict(run));
    std::fflush(stdout);
    fmt::print(stderr, "{}", trace_truncation_warning(report));

    bool digest_matches = true;
    if (!args.expect_digest.empty()) {
        const uint64_t expected = *parse_digest(args.expect_digest);
        digest_matches = expected == report.digest;
        if (!digest_matches)
            fmt::print("digest mismatch: expected {}, got {}\n", sim::to_hex(expected), sim::to_hex(report.digest));
    }

    if (!args.json_path.empty()) {
        nlohmann::ordered_json faults = nlohmann::ordered_json::array();
        for (const sim::FaultVerdict& fault : verdict.faults) faults.push_back(fault_json(fault));
        nlohmann::ordered_json restarts = nlohmann::ordered_json::object();
        for (const sim::ProcessReport& process : report.processes)
            if (process.restarts > 0) restarts[process.name] = process.restarts;
        nlohmann::ordered_json json = {
            {"scenario", scenario.name},
            {"path", scenario.path},
            {"system_path", scenario.system_path},
            {"seed", system.seed},
            {"passed", replay_passed(run)},
            {"class", sim::to_string(run.run_class)},
            {"failures", replay_failures(run)},
            {"faults", faults},
            {"restarts", restarts},
            // A string: 64-bit values do not survive every JSON reader as numbers.
            {"digest", sim::to_hex(report.digest)},
        };
        if (!args.expect_digest.empty()) {
            json["expected_digest"] = sim::to_hex(*parse_digest(args.expect_digest));
            json["digest_matches"] = digest_matches;
        }
        json["run"] = nlohmann::ordered_json::parse(format_run_report_json(report));
        json_file.stream() << json.dump(2) << "\n";
    }
    const bool trace_written = trace.close(), json_written = json_file.close();
    if (!trace_written || !json_written) return exit_failed;
    return replay_passed(run) && digest_matches ? exit_ok : exit_failed;
}

}  // namespace axl::tools
