// `axl campaign`: many seeded runs of one scenario, each with its own drawn
// faults, summed up into what a fault-injection study reports. This file is
// the command line; the runs happen in worker processes
// (campaign_worker_pool.h), each run's result is added into totals
// (campaign_totals.h), which are printed (campaign_summary.h), written as JSON
// (campaign_json.h) and merged across shards (campaign_merge.h).
#include "tools/axl/campaign.h"

#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <system_error>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "sim/harness/campaign.h"
#include "sim/harness/scenario.h"
#include "tools/axl/campaign_json.h"
#include "tools/axl/campaign_merge.h"
#include "tools/axl/campaign_summary.h"
#include "tools/axl/campaign_totals.h"
#include "tools/axl/campaign_worker_pool.h"
#include "tools/axl/cli_checks.h"
#include "tools/axl/exit_status.h"
#include "tools/axl/output_file.h"
#include "tools/axl/shell_quote.h"

namespace axl::tools {
namespace {

// "I/K" with I < K.
std::optional<std::pair<uint32_t, uint32_t>> parse_shard(const std::string& text) {
    const size_t slash = text.find('/');
    if (slash == std::string::npos) return std::nullopt;
    uint32_t index = 0, count = 0;
    const std::string_view first(text.data(), slash), second(text.data() + slash + 1, text.size() - slash - 1);
    auto number = [](std::string_view digits, uint32_t& value) {
        auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
        return !digits.empty() && error == std::errc{} && end == digits.data() + digits.size();
    };
    if (!number(first, index) || !number(second, count) || count == 0 || index >= count) return std::nullopt;
    return std::pair{index, count};
}

std::string describe_space(const sim::Scenario& scenario) {
    if (!scenario.campaign)
        return fmt::format("no [campaign] table: each run injects the scenario's {} [[fault]]{} with its own seed",
                           scenario.faults.size(), scenario.faults.size() == 1 ? "" : "s");
    const sim::CampaignSpace& space = *scenario.campaign;
    std::string kinds, targets;
    for (sim::FaultSpec::Kind kind : space.kinds) kinds += (kinds.empty() ? "" : ", ") + std::string(to_string(kind));
    for (const std::string& target : space.process_targets) targets += (targets.empty() ? "" : ", ") + target;
    for (const std::string& target : space.device_targets)
        if (std::find(space.process_targets.begin(), space.process_targets.end(), target) == space.process_targets.end())
            targets += (targets.empty() ? "" : ", ") + target;
    return fmt::format("{} fault{} per run ({}) into {}, at times in [{}, {}){}", space.faults_per_run,
                       space.faults_per_run == 1 ? "" : "s", kinds, targets, sim::exact_duration(space.window_begin_ns),
                       sim::exact_duration(space.window_end_ns),
                       scenario.faults.empty() ? std::string()
                                               : fmt::format(", and the scenario's {} [[fault]]s", scenario.faults.size()));
}

// Every class a run can fail as; "survived" is what a campaign hopes for.
void add_fail_on_option(CLI::App* command, CampaignArguments& args) {
    std::string names;
    for (sim::RunClass run_class : sim::all_run_classes)
        if (run_class != sim::RunClass::survived) names += (names.empty() ? "" : ", ") + std::string(to_string(run_class));
    command
        ->add_option("--fail-on", args.fail_on,
                     "exit 1 if any run ended as one of these classes (" + names +
                         "); simulator crashes and kernel panics always do")
        ->delimiter(',')
        ->type_name("CLASS[,CLASS]")
        ->check(CLI::Validator(
            [names](const std::string& text) {
                const std::optional<sim::RunClass> run_class = sim::run_class_named(text);
                if (run_class && *run_class != sim::RunClass::survived) return std::string();
                return "'" + text + "' is not a class a run can fail as (" + names + ")";
            },
            ""));
}

// tools/plot_campaign.py, which the build copies next to the axl binary.
bool draw_plots(const std::string& json_path, const std::string& dir) {
    std::error_code error;
    const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
    const std::filesystem::path script = self.parent_path() / "plot_campaign.py";
    if (error || !std::filesystem::exists(script)) {
        fmt::print(stderr, "axl: --plot: {} is missing (the build copies tools/plot_campaign.py there)\n",
                   script.string());
        return false;
    }
    // Debian's matplotlib is /usr/bin/python3's; another python3 first on the PATH may lack it.
    const char* python = std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
    std::fflush(stdout);
    const std::string command = fmt::format("{} {} {} {}", python, shell_quote(script.string()), shell_quote(json_path),
                                            shell_quote(dir));
    const int status = std::system(command.c_str());
    if (status != 0) {
        fmt::print(stderr, "axl: --plot: {} failed (status {})\n", command, status);
        return false;
    }
    return true;
}

}  // namespace

CLI::App* add_campaign_command(CLI::App& app, CampaignArguments& args) {
    CLI::App* campaign = app.add_subcommand(
        "campaign", "run a scenario with many seeds, each with faults drawn from its [campaign] table, and sum up");
    campaign->add_option("SCENARIO", args.path, "scenario file (TOML, see docs/scenarios.md)");
    const CLI::Validator positive = positive_check();
    campaign->add_option("--runs", args.runs, "runs, with seeds B..B+N-1")->type_name("N")->check(positive);
    campaign->add_option("--jobs", args.jobs, "worker processes (default: one per CPU)")
        ->type_name("J")
        ->check(positive);
    campaign
        ->add_option("--shard", args.shard, "do only runs i with i % K == I (run the K shards apart, then merge)")
        ->type_name("I/K")
        ->check(CLI::Validator(
            [](const std::string& text) {
                return parse_shard(text) ? std::string() : "'" + text + "' is not a shard I/K with 0 <= I < K";
            },
            ""));
    campaign->add_option("--seed-base", args.seed_base, "the first run's seed (default: the scenario's seed)")
        ->type_name("B")
        ->check(seed_check());
    campaign->add_option("--json", args.json_path, "also write the summary as JSON to this file")->type_name("FILE");
    campaign
        ->add_option("--run-timeout", args.run_timeout_seconds,
                     "wall-clock seconds a run may take before it counts as a hang (default 60)")
        ->type_name("SECONDS")
        ->check(positive);
    campaign->add_option("--plot", args.plot_dir,
                         "draw the latency distributions and run classes as PNGs into this folder (with the JSON, "
                         "as DIR/campaign.json unless --json says where)")
        ->type_name("DIR");
    campaign->add_flag("--quiet", args.quiet, "no progress lines on stderr");
    add_fail_on_option(campaign, args);

    args.merge = campaign->add_subcommand("merge", "combine the JSON of a campaign's shards into one summary");
    args.merge->add_option("FILES", args.merge_inputs, "JSON files written by axl campaign --json")->required();
    args.merge->add_option("--json", args.merge_json_path, "write the merged summary as JSON to this file")
        ->type_name("FILE");
    add_fail_on_option(args.merge, args);
    return campaign;
}

std::vector<sim::RunClass> fail_on_classes(const CampaignArguments& args) {
    std::vector<sim::RunClass> classes;
    for (const std::string& name : args.fail_on)
        if (const std::optional<sim::RunClass> run_class = sim::run_class_named(name)) classes.push_back(*run_class);
    return classes;
}

int run_campaign(const CampaignArguments& args) {
    if (args.merge->parsed()) return merge_campaigns(args);
    if (args.path.empty() || args.runs == 0) {
        fmt::print(stderr, "axl campaign: {} (axl campaign SCENARIO.toml --runs N, or axl campaign merge A.json ...)\n",
                   args.path.empty() ? "SCENARIO is required" : "--runs is required");
        return exit_usage;
    }
    sim::Scenario scenario;
    try {
        scenario = sim::load_scenario(args.path);
    } catch (const sim::DescriptionError& error) {
        fmt::print(stderr, "{}\n", error.what());
        return exit_usage;
    }

    // Where the results go, ready before anything runs: a path that cannot be
    // written costs nothing.
    if (!args.plot_dir.empty()) {
        std::error_code error;
        std::filesystem::create_directories(args.plot_dir, error);
        if (error || !std::filesystem::is_directory(args.plot_dir)) {
            fmt::print(stderr, "axl: --plot {}: cannot make the folder ({})\n", args.plot_dir,
                       error ? error.message() : "a file of that name is in the way");
            return exit_usage;
        }
    }
    OutputFile json_file("--json", !args.json_path.empty()  ? args.json_path
                                   : !args.plot_dir.empty() ? (std::filesystem::path(args.plot_dir) / "campaign.json").string()
                                                            : std::string());
    if (!json_file.open()) return exit_usage;

    CampaignTotals totals;
    totals.path = args.path;
    totals.scenario = scenario.name;
    totals.system = scenario.system.name;
    totals.seed_base = args.seed_base.empty() ? scenario.system.seed : sim::parse_seed(args.seed_base);
    totals.runs_planned = args.runs;
    uint32_t shard_index = 0;
    if (!args.shard.empty()) std::tie(shard_index, totals.shard_count) = *parse_shard(args.shard);
    totals.shards = {shard_index};
    const long cpus = ::sysconf(_SC_NPROCESSORS_ONLN);
    totals.jobs = args.jobs > 0 ? args.jobs : static_cast<uint32_t>(std::max(1L, cpus));

    // Seeds B..B+N-1 must be N different seeds: past 2^64 - 1 they would wrap.
    if (args.runs > campaign_runs_max) {
        fmt::print(stderr, "axl campaign: --runs {} is more than a campaign may plan (at most {} runs)\n", args.runs,
                   campaign_runs_max);
        json_file.discard();
        return exit_usage;
    }
    if (args.runs - 1 > UINT64_MAX - totals.seed_base) {
        fmt::print(stderr,
                   "axl campaign: --runs {} from seed {} would pass the largest seed, {} (at most {} runs from this "
                   "seed)\n",
                   args.runs, totals.seed_base, UINT64_MAX, UINT64_MAX - totals.seed_base + 1);
        json_file.discard();
        return exit_usage;
    }
    const RunIndices indices = RunIndices::of_shard(args.runs, shard_index, totals.shard_count);

    fmt::print("axl campaign {}: scenario {}, system {}, seeds {}..{}{}, {} run{}, {} job{}\n", args.path,
               scenario.name, scenario.system.name, totals.seed_base, totals.seed_base + args.runs - 1,
               totals.shard_count > 1 ? fmt::format(" (shard {}/{})", shard_index, totals.shard_count) : std::string(),
               indices.count, indices.count == 1 ? "" : "s", totals.jobs, totals.jobs == 1 ? "" : "s");
    fmt::print("fault space: {}\n", describe_space(scenario));
    std::fflush(stdout);

    if (!run_in_workers(args, scenario, totals, indices)) {
        json_file.discard();
        return exit_usage;
    }

    sort_failed_runs(totals);
    fmt::print("\n{}", format_summary(totals, false));
    if (json_file.wanted()) json_file.stream() << campaign_json_text(totals);
    if (!json_file.close()) return exit_failed;
    if (!args.plot_dir.empty() && !draw_plots(json_file.path(), args.plot_dir)) return exit_failed;
    return campaign_exit_code(totals, fail_on_classes(args));
}

}  // namespace axl::tools
