// axl: the command-line front end of the hosted port.
//
//   axl run FILE [--ipc S] [--seed N] [--cpus N] [--parallel] [--trace FILE] [--trace-text FILE] [--json FILE]
//                [--trace-limit N] [--until TIME] [--quiet]
//   axl replay SCENARIO [--seed N] [--expect-digest HEX] [--trace FILE] [--trace-limit N] [--json FILE] [--quiet]
//   axl campaign SCENARIO --runs N [--jobs J] [--shard I/K] [--seed-base B] [--json FILE] [--plot DIR]
//                [--run-timeout S] [--fail-on CLASS[,CLASS]] [--quiet]
//   axl campaign merge A.json B.json ... [--json FILE] [--fail-on CLASS[,CLASS]]
//   axl bootfile FILE [-o OUT] [--ipc S] [--seed N] [--ring-capacity N]
//   axl boot [--iso PATH] [--system NAME] [--ipc S] [--uefi] [--test] [--timeout SECONDS] [--log FILE]
//            [--expect TEXT]... [--icount] [--grub-wait] [--qemu ARG]...
//   axl compare FILE [--seed N] [--cpus N] [--until TIME] [--json FILE] [--console]
//   axl list [PROGRAM]
//   axl --version
//
// Exit codes: 0 the run met every expectation, 1 it did not (or could not
// run), 2 the command line or the description is wrong (or an output file
// cannot be written) and nothing ran. A campaign exits 0 unless a run crashed
// the simulator or panicked the kernel, or one of a class --fail-on names
// failed (tools/axl/campaign.h).
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ipc_strategies/strategy_factory.h"
#include "sim/machine/device_kind.h"
#include "sim/port/program_registry.h"
#include "sim/port/simulator.h"
#include "sim/config/system_description.h"
#include "tools/axl/boot.h"
#include "tools/axl/bootfile.h"
#include "tools/axl/build_identity.h"
#include "tools/axl/campaign.h"
#include "tools/axl/cli_checks.h"
#include "tools/axl/compare.h"
#include "tools/axl/exit_status.h"
#include "tools/axl/program_list.h"
#include "tools/axl/invocation.h"
#include "tools/axl/output_file.h"
#include "tools/axl/replay.h"
#include "tools/axl/report_json.h"
#include "tools/axl/report_printer.h"

namespace {

using axl::tools::exit_failed;
using axl::tools::exit_ok;
using axl::tools::exit_usage;

struct RunArguments {
    std::string path;
    std::string ipc;
    std::string seed;
    uint32_t cpus = 0;
    std::string trace_path;
    std::string trace_text_path;
    std::string json_path;
    std::string until;
    size_t trace_limit = 0;
    bool quiet = false;
    bool parallel = false;
    double wall_timeout_seconds = 0;
    // count() says whether --cpus was given: 0 is a value to reject, not "absent".
    CLI::Option* cpus_option = nullptr;
    uint32_t ring_capacity = 0;
    CLI::Option* ring_capacity_option = nullptr;
};

CLI::App* add_run_command(CLI::App& app, RunArguments& args) {
    CLI::App* run = app.add_subcommand("run", "boot a system description and run it");
    // Validators get an empty description so the help shows "--seed N", not "N:SEED".
    run->add_option("FILE", args.path, "system description (TOML, see docs/system-description.md)")
        ->required();
    run->add_option("--ipc", args.ipc, "IPC strategy, overrides the file")
        ->check(CLI::IsMember(axl::tools::strategy_choices()))
        ->type_name("NAME");
    run->add_option("--seed", args.seed, "64-bit seed (decimal or 0x hex), overrides the file")
        ->check(axl::tools::seed_check())
        ->type_name("N");
    args.cpus_option =
        run->add_option("--cpus", args.cpus, "simulated CPUs, overrides the file")->type_name("N");
    args.ring_capacity_option =
        run->add_option("--ring-capacity", args.ring_capacity,
                        "messages per ring for the ring strategy (a power of two), overrides the file")
            ->type_name("N");
    run->add_option("--trace", args.trace_path, "write every event as Chrome trace JSON to this file")
        ->type_name("FILE");
    run->add_option("--trace-text", args.trace_text_path,
                    "write every event as text, one line each (time cpu kind a b c), to this file")
        ->type_name("FILE");
    run->add_option("--json", args.json_path, "also write the summary as JSON to this file")->type_name("FILE");
    run->add_option("--trace-limit", args.trace_limit,
                    "events a trace keeps per simulated CPU (default 4000000; the rest are counted as dropped)")
        ->check(axl::tools::positive_check())
        ->type_name("N");
    run->add_option("--until", args.until, "stop at this virtual time (e.g. 10ms), overrides the file")
        ->check(axl::tools::duration_check())
        ->type_name("TIME");
    run->add_flag("--quiet", args.quiet, "do not echo process log lines");
    run->add_flag("--parallel", args.parallel,
                  "one host thread per simulated CPU (real concurrency, wall time; not reproducible)");
    axl::tools::add_wall_timeout_option(*run, args.wall_timeout_seconds);
    return run;
}

int run_system(const RunArguments& args) {
    axl::sim::DescriptionOverrides overrides;
    if (!args.ipc.empty()) overrides.ipc = axl::sim::parse_ipc_strategy(args.ipc);
    if (!args.seed.empty()) overrides.seed = axl::sim::parse_seed(args.seed);
    if (args.cpus_option->count() > 0) overrides.cpus = args.cpus;
    if (args.ring_capacity_option->count() > 0) overrides.ring_capacity = args.ring_capacity;
    if (!args.until.empty()) overrides.until_ns = axl::sim::parse_duration_ns(args.until);

    axl::sim::SystemDescription system;
    try {
        system = axl::sim::load_system_description(args.path, overrides);
    } catch (const axl::sim::DescriptionError& error) {
        fmt::print(stderr, "{}\n", error.what());
        return exit_usage;
    }

    axl::sim::RunOptions options;
    if (!args.trace_path.empty() || !args.trace_text_path.empty()) {
        options.trace_level = axl::sim::TraceLevel::full;
        options.trace_path = args.trace_path;
        options.trace_text_path = args.trace_text_path;
        options.trace_events_per_cpu = args.trace_limit;
    }
    options.echo_console = !args.quiet;
    options.parallel = args.parallel;
    options.wall_timeout_seconds = args.wall_timeout_seconds;
    options.wall_timeout_exit_status = axl::tools::exit_wall_timeout;
    // Opened before the run: a path that cannot be written costs nothing.
    axl::tools::OutputFile trace("--trace", args.trace_path), trace_text("--trace-text", args.trace_text_path),
        json("--json", args.json_path);
    for (axl::tools::OutputFile* file : {&trace, &trace_text, &json})
        if (!file->open()) return exit_usage;
    options.trace_stream = trace.stream_if_open();
    options.trace_text_stream = trace_text.stream_if_open();

    // Everything that determines the run comes first, so a log always says how
    // to replay it (the digest at the end says whether a replay matched).
    fmt::print("axl run {}: system {}, ipc {}, cpus {}{}, seed {}{}\n", args.path, system.name,
               axl::to_string(system.ipc), system.cpus, args.parallel ? " (parallel)" : "", system.seed,
               system.until_ns ? fmt::format(", until {} ns", *system.until_ns) : std::string());
    std::optional<axl::sim::Simulator> simulator;
    try {
        simulator.emplace(system, options);  // boots: the kernel may still refuse the description
    } catch (const axl::sim::DescriptionError& error) {
        fmt::print(stderr, "{}\n", error.what());
        for (axl::tools::OutputFile* file : {&trace, &trace_text, &json}) file->discard();
        return exit_usage;
    }
    axl::sim::RunReport report = simulator->run();
    std::fflush(stdout);  // console lines the run echoed come before the summary
    fmt::print("{}", axl::tools::format_run_report(report, args.trace_path));
    std::fflush(stdout);
    fmt::print(stderr, "{}", axl::tools::trace_truncation_warning(report));
    if (json.wanted()) json.stream() << axl::tools::format_run_report_json(report);
    bool written = true;
    for (axl::tools::OutputFile* file : {&trace, &trace_text, &json}) written = file->close() && written;
    if (!written) return exit_failed;
    return report.ok ? exit_ok : exit_failed;
}

int list_everything() {
    fmt::print("programs:\n");
    auto programs = axl::sim::all_programs();
    size_t width = 0;
    for (const axl::ProgramInfo* program : programs) width = std::max(width, std::string_view(program->name).size());
    for (const axl::ProgramInfo* program : programs)
        fmt::print("  {:<{}}  {}\n", program->name, width, program->description ? program->description : "");
    if (programs.empty()) fmt::print("  (none linked in)\n");

    fmt::print("\nipc strategies:\n");
    for (const axl::StrategyInfo& strategy : axl::ipc_strategies)
        fmt::print("  {:<10}  {}\n", strategy.name, strategy.description);

    // docs/devices.md documents each one's registers; [[device]] tables start them.
    fmt::print("\ndevices ([[device]] kind):\n");
    for (const axl::sim::DeviceKind* kind : axl::sim::device_kinds())
        fmt::print("  {:<10}  {} ({})\n", kind->name, kind->description, kind->registers);
    return exit_ok;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"axl: run and inspect Axolotl systems on the hosted port"};
    app.require_subcommand(1);
    app.set_version_flag("--version", axl::tools::version_line(), "print the build (git, build type, compiler) and exit");
    axl::tools::set_invoked_as(argc > 0 ? argv[0] : "axl");
    RunArguments run_arguments;
    CLI::App* run = add_run_command(app, run_arguments);
    axl::tools::ReplayArguments replay_arguments;
    CLI::App* replay = axl::tools::add_replay_command(app, replay_arguments);
    axl::tools::CampaignArguments campaign_arguments;
    CLI::App* campaign = axl::tools::add_campaign_command(app, campaign_arguments);
    axl::tools::CompareArguments compare_arguments;
    CLI::App* compare = axl::tools::add_compare_command(app, compare_arguments);
    axl::tools::BootfileArguments bootfile_arguments;
    CLI::App* bootfile = axl::tools::add_bootfile_command(app, bootfile_arguments);
    axl::tools::BootArguments boot_arguments;
    CLI::App* boot = axl::tools::add_boot_command(app, boot_arguments);
    std::string listed_program;
    app.add_subcommand("list", "list the registered programs, the IPC strategies and the device kinds")
        ->add_option("PROGRAM", listed_program, "show this program's arguments ([process.args]) instead");

    if (const std::string unknown = axl::tools::unknown_subcommand(app, argc, argv); !unknown.empty()) {
        fmt::print(stderr, "axl: {}\n", unknown);
        return exit_usage;
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        // app.exit prints the problem (or the help, whose code is 0).
        return app.exit(error) == 0 ? exit_ok : exit_usage;
    }

    try {
        if (run->parsed()) return run_system(run_arguments);
        if (replay->parsed()) return axl::tools::replay_scenario(replay_arguments);
        if (campaign->parsed()) return axl::tools::run_campaign(campaign_arguments);
        if (compare->parsed()) return axl::tools::compare_strategies(compare_arguments);
        if (bootfile->parsed()) return axl::tools::write_bootfile(bootfile_arguments);
        if (boot->parsed()) return axl::tools::boot(boot_arguments);
        if (!listed_program.empty()) return axl::tools::list_program(listed_program);
        return list_everything();
    } catch (const std::exception& error) {
        // Not a problem of the description (those exit 2 above): the run itself broke.
        fmt::print(stderr, "axl: {}\n", error.what());
        return exit_failed;
    }
}
