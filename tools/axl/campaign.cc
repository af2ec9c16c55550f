// `axl campaign`: many seeded runs of one scenario, each with its own drawn
// faults, summed up into what a fault-injection study reports.
//
// Isolation: the runs happen in worker processes forked from this one (after
// the scenario is loaded and checked, so workers share it). A worker runs one
// run at a time, in-process and back to back (no exec, no reloading: a run
// costs only its simulation), and answers each with one JSON line on a pipe.
// Its stdout and stderr go to another pipe, which this process keeps the tail
// of. If a worker dies in a run, that run is the casualty: a kernel panic
// (the kernel printed "axolotl kernel panic" before aborting) or else a
// simulator crash; a fresh worker takes over the rest. A run that has not
// answered after --run-timeout seconds of wall time is a hang: its worker is
// killed and replaced.
//
// Runs are handed out one at a time, so a worker that meets long runs does
// not hold up the others, and the parent always knows which run is in flight.
#include "tools/axl/campaign.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <tuple>
#include <utility>

#include "kernel/platform.h"
#include "kernel/process.h"
#include "sim/harness/campaign.h"
#include "sim/harness/scenario.h"
#include "sim/harness/trace_digest.h"
#include "tools/axl/cli_checks.h"
#include "tools/axl/exit_status.h"
#include "tools/axl/report_printer.h"
#include "tools/axl/text_table.h"

namespace axl::tools {
namespace {

using json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

constexpr std::string_view json_format = "axl-campaign/1";
constexpr std::string_view panic_marker = "axolotl kernel panic";  // sim/port/platform_hosted.cc
constexpr size_t output_kept_bytes = 16 * 1024;  // of a worker's stderr, for the record of a crash

// ---- what a run ends as ------------------------------------------------------------------------------

enum class RunClass : uint8_t {
    survived,           // the verdict passed
    client_error,       // the workload failed: some process did not meet its expectation
    unmet_expectation,  // the workload completed, another expectation failed (recovery_within, ...)
    hang,               // stopped by `until` with the workload unfinished, or by the wall-clock watchdog
    kernel_panic,       // the worker died after the kernel panicked
    simulator_crash,    // the worker died otherwise (a signal, an abort, an exception)
};
constexpr size_t run_class_count = 6;
constexpr std::array<RunClass, run_class_count> all_run_classes{
    RunClass::survived, RunClass::client_error,  RunClass::unmet_expectation,
    RunClass::hang,     RunClass::kernel_panic, RunClass::simulator_crash};

const char* class_name(RunClass run_class) {
    switch (run_class) {
        case RunClass::survived: return "survived";
        case RunClass::client_error: return "client_error";
        case RunClass::unmet_expectation: return "unmet_expectation";
        case RunClass::hang: return "hang";
        case RunClass::kernel_panic: return "kernel_panic";
        case RunClass::simulator_crash: return "simulator_crash";
    }
    return "?";
}

// How the summary lists them.
const char* class_heading(RunClass run_class) {
    switch (run_class) {
        case RunClass::survived: return "survived";
        case RunClass::client_error: return "client-visible errors";
        case RunClass::unmet_expectation: return "unmet expectations";
        case RunClass::hang: return "hangs";
        case RunClass::kernel_panic: return "kernel panics";
        case RunClass::simulator_crash: return "simulator crashes";
    }
    return "?";
}

std::optional<RunClass> class_named(std::string_view name) {
    for (RunClass run_class : all_run_classes)
        if (name == class_name(run_class)) return run_class;
    return std::nullopt;
}

// ---- latency samples ---------------------------------------------------------------------------------

// Every sample, as exact values with their counts: virtual-time latencies
// repeat a lot (a crash is detected in 0 ns), so this stays small, and
// percentiles over merged shards are exactly those of one campaign of them all.
class LatencySamples {
public:
    void add(uint64_t ns, uint64_t count = 1) {
        m_counts[ns] += count;
        m_total += count;
    }
    void merge(const LatencySamples& other) {
        for (const auto& [ns, count] : other.m_counts) add(ns, count);
    }
    uint64_t count() const { return m_total; }

    // Nearest rank: the smallest sample with at least p% of all at or below it.
    std::optional<uint64_t> percentile(double p) const {
        if (m_total == 0) return std::nullopt;
        const auto rank = std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(p / 100.0 * static_cast<double>(m_total))));
        uint64_t seen = 0;
        for (const auto& [ns, count] : m_counts) {
            seen += count;
            if (seen >= rank) return ns;
        }
        return m_counts.rbegin()->first;
    }

    json to_json(bool with_samples) const {
        auto value = [](const std::optional<uint64_t>& ns) { return ns ? json(*ns) : json(nullptr); };
        json out = {{"count", m_total}, {"p50", value(percentile(50))}, {"p99", value(percentile(99))}};
        if (with_samples) {
            json samples = json::array();
            for (const auto& [ns, count] : m_counts) samples.push_back(json::array({ns, count}));
            out["samples"] = std::move(samples);  // [[ns, how many], ...]
        }
        return out;
    }

    static LatencySamples from_json(const json& in) {
        LatencySamples samples;
        for (const json& pair : in.at("samples")) samples.add(pair.at(0).get<uint64_t>(), pair.at(1).get<uint64_t>());
        return samples;
    }

private:
    std::map<uint64_t, uint64_t> m_counts;
    uint64_t m_total = 0;
};

// ---- one run's result, as a worker reports it ----------------------------------------------------------

struct RunResult {
    struct Fault {
        sim::FaultSpec::Kind kind = sim::FaultSpec::Kind::crash;
        bool injected = false;
        // Only for the fault a death (and the restart after it) is credited to.
        std::optional<uint64_t> detection_ns;
        std::optional<uint64_t> recovery_ns;
    };
    uint64_t index = 0;
    RunClass run_class = RunClass::survived;
    std::string detail;                // why it failed, in a line
    std::vector<std::string> verdict;  // the verdict's failure lines
    std::optional<uint64_t> digest;    // none when the run never finished
    std::string output;                // a dead worker's last words (stderr)
    std::vector<Fault> faults;
    std::string refused;               // the kernel refused to boot the system: nothing can run
};

json optional_json(const std::optional<uint64_t>& value) { return value ? json(*value) : json(nullptr); }

std::optional<uint64_t> optional_from(const json& value) {
    return value.is_null() ? std::nullopt : std::optional<uint64_t>(value.get<uint64_t>());
}

// One line on the pipe: compact JSON (a dump without indentation has no newlines).
std::string to_line(const RunResult& result) {
    json faults = json::array();
    for (const RunResult::Fault& fault : result.faults)
        faults.push_back(json::array({static_cast<uint32_t>(fault.kind), fault.injected,
                                      optional_json(fault.detection_ns), optional_json(fault.recovery_ns)}));
    json line = {{"index", result.index},
                 {"class", class_name(result.run_class)},
                 {"detail", result.detail},
                 {"verdict", result.verdict},
                 {"digest", optional_json(result.digest)},
                 {"faults", std::move(faults)}};
    if (!result.refused.empty()) line["refused"] = result.refused;
    return line.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

RunResult from_line(const std::string& text) {
    const json line = json::parse(text);
    RunResult result;
    result.index = line.at("index").get<uint64_t>();
    result.run_class = class_named(line.at("class").get<std::string>()).value_or(RunClass::simulator_crash);
    result.detail = line.at("detail").get<std::string>();
    result.verdict = line.at("verdict").get<std::vector<std::string>>();
    result.digest = optional_from(line.at("digest"));
    for (const json& fault : line.at("faults")) {
        const auto kind = fault.at(0).get<uint32_t>();
        if (kind >= sim::FaultSpec::kind_count) throw std::runtime_error("a worker reported an unknown fault kind");
        result.faults.push_back({static_cast<sim::FaultSpec::Kind>(kind), fault.at(1).get<bool>(),
                                 optional_from(fault.at(2)), optional_from(fault.at(3))});
    }
    if (line.contains("refused")) result.refused = line.at("refused").get<std::string>();
    return result;
}

// ---- a run, in a worker --------------------------------------------------------------------------------

// With many faults in one run, the judge's rule (a fault is detected by the
// target's first death after it) would credit one death to every fault before
// it, including device faults the driver absorbed without dying. A campaign
// credits each death (and the restart after it) to the last fault injected
// into that process before it; earlier faults count as injected, not detected.
std::vector<RunResult::Fault> credit_deaths(const sim::Scenario& scenario, const sim::ScenarioVerdict& verdict) {
    std::vector<std::string> watched;
    for (const sim::FaultVerdict& fault : verdict.faults) watched.push_back(sim::watched_process(scenario, fault.spec));
    std::vector<RunResult::Fault> faults;
    for (size_t i = 0; i < verdict.faults.size(); ++i) {
        const sim::FaultVerdict& fault = verdict.faults[i];
        RunResult::Fault credited{fault.spec.kind, fault.injected, std::nullopt, std::nullopt};
        if (fault.injected && fault.detected_ns) {
            bool superseded = false;
            for (size_t j = 0; j < verdict.faults.size() && !superseded; ++j) {
                const sim::FaultVerdict& other = verdict.faults[j];
                if (j == i || !other.injected || watched[j] != watched[i]) continue;
                const bool after = other.injected_ns > fault.injected_ns ||
                                   (other.injected_ns == fault.injected_ns && j > i);
                superseded = after && other.injected_ns <= *fault.detected_ns;
            }
            if (!superseded) {
                credited.detection_ns = fault.detection_latency_ns();
                credited.recovery_ns = fault.recovery_latency_ns();
            }
        }
        faults.push_back(credited);
    }
    return faults;
}

RunResult run_one(const sim::Scenario& base, uint64_t index, uint64_t seed) {
    RunResult result;
    result.index = index;
    try {
        const sim::Scenario scenario = sim::campaign_run(base, seed);
        sim::RunOptions options;
        options.echo_console = false;
        options = sim::scenario_run_options(scenario, std::move(options));
        sim::Simulator simulator(scenario.system, options);
        const sim::RunReport report = simulator.run();
        const sim::ScenarioVerdict verdict = sim::judge(scenario, report);
        result.digest = report.digest;
        result.verdict = verdict.failures;
        result.faults = credit_deaths(scenario, verdict);

        std::vector<std::string> unfinished;
        for (const sim::ProcessReport& process : report.processes)
            if (process.expect == sim::Expectation::exit && is_alive(process.state)) unfinished.push_back(process.name);
        if (report.stopped_by_until && !unfinished.empty()) {
            // `until` excuses living processes in the verdict; a campaign
            // wants to know that its workload never got done.
            result.run_class = RunClass::hang;
            std::string names;
            for (const std::string& name : unfinished) names += (names.empty() ? "" : ", ") + name;
            result.detail = fmt::format("the run reached until = {} with the workload unfinished ({})",
                                        sim::exact_duration(*scenario.system.until_ns), names);
        } else if (verdict.passed) {
            result.run_class = RunClass::survived;
        } else {
            result.run_class = report.ok ? RunClass::unmet_expectation : RunClass::client_error;
            result.detail = verdict.failures.front();
        }
    } catch (const sim::DescriptionError& error) {
        result.refused = error.what();  // the same for every seed: the campaign stops
    } catch (const std::exception& error) {
        result.run_class = RunClass::simulator_crash;
        result.detail = std::string("the simulator threw: ") + error.what();
    }
    return result;
}

bool write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const ssize_t written = ::write(fd, data.data(), data.size());
        if (written < 0 && errno == EINTR) continue;
        if (written <= 0) return false;
        data.remove_prefix(static_cast<size_t>(written));
    }
    return true;
}

// Test hook (tests/tools/axl_campaign_test.cc): AXL_CAMPAIGN_TEST_FAILURE=
// "abort@S", "panic@S" or "stall@S" makes the worker itself fail in the run
// of seed S the way a simulator bug would (an abort, a kernel panic, a loop
// that never ends), so the isolation can be tested without such a bug.
void fail_on_purpose_at(uint64_t seed) {
    static const char* const request = std::getenv("AXL_CAMPAIGN_TEST_FAILURE");
    if (request == nullptr) return;
    const std::string_view text(request);
    const size_t at = text.find('@');
    if (at == std::string_view::npos || std::to_string(seed) != text.substr(at + 1)) return;
    const std::string_view how = text.substr(0, at);
    if (how == "abort") std::abort();
    if (how == "panic") platform::panic("AXL_CAMPAIGN_TEST_FAILURE asked for a panic");
    if (how == "stall")
        for (;;) ::pause();
}

// A worker's life: run indices come in on `commands`, one per line, results go
// out on `results`; the end of `commands` is the end of the campaign.
[[noreturn]] void worker_main(const sim::Scenario& base, uint64_t seed_base, int commands, int results) {
    std::string pending;
    char buffer[256];
    for (;;) {
        const ssize_t got = ::read(commands, buffer, sizeof buffer);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) ::_exit(0);
        pending.append(buffer, static_cast<size_t>(got));
        for (size_t end; (end = pending.find('\n')) != std::string::npos;) {
            const uint64_t index = std::stoull(pending.substr(0, end));
            pending.erase(0, end + 1);
            fail_on_purpose_at(seed_base + index);
            const RunResult result = run_one(base, index, seed_base + index);
            if (!write_all(results, to_line(result))) ::_exit(0);  // the parent is gone
        }
    }
}

// ---- the campaign's totals -----------------------------------------------------------------------------

struct KindTally {
    uint64_t drawn = 0;
    uint64_t injected = 0;
    LatencySamples detection;  // one sample per fault credited with a death ...
    LatencySamples recovery;   // ... and with the restart after it
};

struct FailedRun {
    uint64_t index = 0;
    uint64_t seed = 0;
    RunClass run_class = RunClass::client_error;
    std::string detail;
    std::vector<std::string> verdict;
    std::optional<uint64_t> digest;
    std::string output;
};

struct CampaignTotals {
    // What was run.
    std::string path;
    std::string scenario;
    std::string system;
    uint64_t seed_base = 0;
    uint64_t runs_planned = 0;        // N: seeds seed_base .. seed_base + N - 1
    uint32_t shard_count = 1;
    std::vector<uint32_t> shards{0};  // the shards these totals cover
    uint32_t jobs = 0;
    double wall_seconds = 0;          // merged: the shards' wall times added
    bool interrupted = false;
    // What came of it.
    uint64_t runs = 0;
    std::array<uint64_t, run_class_count> classes{};
    std::array<KindTally, sim::FaultSpec::kind_count> kinds{};
    // An order-independent hash of every run's seed and digest (or class):
    // equal totals of the same runs, however sharded or scheduled, have equal ones.
    uint64_t runs_digest = 0;
    std::vector<FailedRun> failed;

    uint64_t& count(RunClass run_class) { return classes[static_cast<size_t>(run_class)]; }
    uint64_t count(RunClass run_class) const { return classes[static_cast<size_t>(run_class)]; }

    uint64_t faults_drawn() const {
        uint64_t total = 0;
        for (const KindTally& kind : kinds) total += kind.drawn;
        return total;
    }
    uint64_t faults_injected() const {
        uint64_t total = 0;
        for (const KindTally& kind : kinds) total += kind.injected;
        return total;
    }
    LatencySamples detection() const {
        LatencySamples all;
        for (const KindTally& kind : kinds) all.merge(kind.detection);
        return all;
    }
    LatencySamples recovery() const {
        LatencySamples all;
        for (const KindTally& kind : kinds) all.merge(kind.recovery);
        return all;
    }
    // The runs the covered shards hold: i in [0, runs_planned) with i % shard_count in shards.
    uint64_t runs_in_shards() const {
        uint64_t total = 0;
        for (uint32_t shard : shards)
            if (shard < runs_planned) total += (runs_planned - shard + shard_count - 1) / shard_count;
        return total;
    }
    double faults_per_second() const {
        return wall_seconds > 0 ? static_cast<double>(faults_injected()) / wall_seconds : 0;
    }
};

uint64_t mix(uint64_t x) {
    x = (x ^ (x >> 30)) * 0xBF58'476D'1CE4'E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D0'49BB'1331'11EBull;
    return x ^ (x >> 31);
}

void record(CampaignTotals& totals, uint64_t seed, const RunResult& result) {
    totals.runs += 1;
    totals.count(result.run_class) += 1;
    for (const RunResult::Fault& fault : result.faults) {
        KindTally& kind = totals.kinds[static_cast<size_t>(fault.kind)];
        kind.drawn += 1;
        kind.injected += fault.injected ? 1 : 0;
        if (fault.detection_ns) kind.detection.add(*fault.detection_ns);
        if (fault.recovery_ns) kind.recovery.add(*fault.recovery_ns);
    }
    const uint64_t outcome = result.digest ? *result.digest : static_cast<uint64_t>(result.run_class) + 1;
    totals.runs_digest ^= mix(seed * 0x9E37'79B9'7F4A'7C15ull + mix(outcome));
    if (result.run_class == RunClass::survived) return;
    totals.failed.push_back(FailedRun{.index = result.index,
                                      .seed = seed,
                                      .run_class = result.run_class,
                                      .detail = result.detail,
                                      .verdict = result.verdict,
                                      .digest = result.digest,
                                      .output = result.output});
}

// A path as a shell reads it back: quoted only when it has to be.
std::string shell_word(const std::string& text) {
    const bool plain = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || std::strchr("/._-+,:=@%", c) != nullptr;
    });
    if (plain) return text;
    std::string quoted = "'";
    for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

std::string replay_command(const std::string& path, uint64_t seed) {
    return fmt::format("axl replay {} --seed {}", shell_word(path), seed);
}

json to_json(const CampaignTotals& totals) {
    json classes = json::object();
    for (RunClass run_class : all_run_classes) classes[class_name(run_class)] = totals.count(run_class);
    json kinds = json::object();
    for (uint32_t k = 0; k < sim::FaultSpec::kind_count; ++k) {
        const KindTally& kind = totals.kinds[k];
        if (kind.drawn == 0) continue;
        kinds[sim::to_string(static_cast<sim::FaultSpec::Kind>(k))] = {
            {"drawn", kind.drawn},
            {"injected", kind.injected},
            {"detection_latency_ns", kind.detection.to_json(true)},
            {"recovery_latency_ns", kind.recovery.to_json(true)},
        };
    }
    json failed = json::array();
    for (const FailedRun& run : totals.failed) {
        json entry = {{"index", run.index},
                      {"seed", run.seed},
                      {"class", class_name(run.run_class)},
                      {"detail", run.detail},
                      {"verdict", run.verdict},
                      // A string: 64-bit values do not survive every JSON reader as numbers.
                      {"digest", run.digest ? json(sim::to_hex(*run.digest)) : json(nullptr)},
                      {"replay", replay_command(totals.path, run.seed)}};
        if (!run.output.empty()) entry["output"] = run.output;
        failed.push_back(std::move(entry));
    }
    return {
        {"format", json_format},
        {"scenario", totals.scenario},
        {"path", totals.path},
        {"system", totals.system},
        {"seed_base", totals.seed_base},
        {"runs_planned", totals.runs_planned},
        {"shard", {{"count", totals.shard_count}, {"indices", totals.shards}}},
        {"jobs", totals.jobs},
        {"wall_seconds", totals.wall_seconds},
        {"interrupted", totals.interrupted},
        {"runs", totals.runs},
        {"classes", std::move(classes)},
        {"faults_drawn", totals.faults_drawn()},
        {"faults_injected", totals.faults_injected()},
        {"faults_per_second", totals.faults_per_second()},
        {"detection_latency_ns", totals.detection().to_json(false)},
        {"recovery_latency_ns", totals.recovery().to_json(false)},
        {"kinds", std::move(kinds)},
        {"runs_digest", sim::to_hex(totals.runs_digest)},
        {"failed_runs", std::move(failed)},
    };
}

CampaignTotals from_json(const json& in) {
    if (in.value("format", std::string()) != json_format)
        throw std::runtime_error(fmt::format("not the JSON of an axl campaign (no \"format\": \"{}\")", json_format));
    CampaignTotals totals;
    totals.path = in.at("path").get<std::string>();
    totals.scenario = in.at("scenario").get<std::string>();
    totals.system = in.at("system").get<std::string>();
    totals.seed_base = in.at("seed_base").get<uint64_t>();
    totals.runs_planned = in.at("runs_planned").get<uint64_t>();
    totals.shard_count = in.at("shard").at("count").get<uint32_t>();
    totals.shards = in.at("shard").at("indices").get<std::vector<uint32_t>>();
    totals.jobs = in.at("jobs").get<uint32_t>();
    totals.wall_seconds = in.at("wall_seconds").get<double>();
    totals.interrupted = in.at("interrupted").get<bool>();
    totals.runs = in.at("runs").get<uint64_t>();
    for (RunClass run_class : all_run_classes)
        totals.count(run_class) = in.at("classes").at(class_name(run_class)).get<uint64_t>();
    for (const auto& [name, kind] : in.at("kinds").items()) {
        uint32_t k = 0;
        while (k < sim::FaultSpec::kind_count && name != sim::to_string(static_cast<sim::FaultSpec::Kind>(k))) ++k;
        if (k == sim::FaultSpec::kind_count) throw std::runtime_error("unknown fault kind '" + name + "'");
        KindTally& tally = totals.kinds[k];
        tally.drawn = kind.at("drawn").get<uint64_t>();
        tally.injected = kind.at("injected").get<uint64_t>();
        tally.detection = LatencySamples::from_json(kind.at("detection_latency_ns"));
        tally.recovery = LatencySamples::from_json(kind.at("recovery_latency_ns"));
    }
    totals.runs_digest = std::stoull(in.at("runs_digest").get<std::string>(), nullptr, 16);
    for (const json& run : in.at("failed_runs")) {
        FailedRun failed;
        failed.index = run.at("index").get<uint64_t>();
        failed.seed = run.at("seed").get<uint64_t>();
        failed.run_class = class_named(run.at("class").get<std::string>()).value_or(RunClass::simulator_crash);
        failed.detail = run.at("detail").get<std::string>();
        failed.verdict = run.at("verdict").get<std::vector<std::string>>();
        if (!run.at("digest").is_null()) failed.digest = std::stoull(run.at("digest").get<std::string>(), nullptr, 16);
        failed.output = run.value("output", std::string());
        totals.failed.push_back(std::move(failed));
    }
    return totals;
}

// ---- the printed summary -------------------------------------------------------------------------------

std::string latency_line(const LatencySamples& samples) {
    if (samples.count() == 0) return "none measured";
    return fmt::format("p50 {}, p99 {} ({} fault{})", format_duration_ns(*samples.percentile(50)),
                       format_duration_ns(*samples.percentile(99)), samples.count(), samples.count() == 1 ? "" : "s");
}

std::string percent(uint64_t part, uint64_t whole) {
    return whole == 0 ? std::string() : fmt::format(" ({:.1f}%)", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
}

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
    for (RunClass run_class : all_run_classes)
        line(class_heading(run_class), fmt::format("{}{}", totals.count(run_class),
                                                   run_class == RunClass::survived
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
        using Align = Table::Align;
        Table table({{"kind", Align::left},
                     {"drawn", Align::right},
                     {"injected", Align::right},
                     {"detected", Align::right},
                     {"detection p50", Align::right},
                     {"p99", Align::right},
                     {"recovered", Align::right},
                     {"recovery p50", Align::right},
                     {"p99", Align::right}});
        auto at = [](const LatencySamples& samples, double p) {
            return samples.count() ? format_duration_ns(*samples.percentile(p)) : std::string("-");
        };
        for (uint32_t k = 0; k < sim::FaultSpec::kind_count; ++k) {
            const KindTally& kind = totals.kinds[k];
            if (kind.drawn == 0) continue;
            table.add_row({sim::to_string(static_cast<sim::FaultSpec::Kind>(k)), std::to_string(kind.drawn),
                           std::to_string(kind.injected), std::to_string(kind.detection.count()),
                           at(kind.detection, 50), at(kind.detection, 99), std::to_string(kind.recovery.count()),
                           at(kind.recovery, 50), at(kind.recovery, 99)});
        }
        table.render(out);
    }

    fmt::format_to(std::back_inserter(out), "\n");
    if (totals.failed.empty()) {
        fmt::format_to(std::back_inserter(out), "failed runs: none\n");
    } else {
        fmt::format_to(std::back_inserter(out), "failed runs ({}), each reproduced by its command:\n",
                       totals.failed.size());
        for (const FailedRun& run : totals.failed)
            fmt::format_to(std::back_inserter(out), "  {}\n    {}: {}\n", replay_command(totals.path, run.seed),
                           class_name(run.run_class), run.detail);
    }
    return fmt::to_string(out);
}

// ---- the parent: workers, results, watchdog ------------------------------------------------------------

volatile std::sig_atomic_t g_interrupted = 0;

extern "C" void on_interrupt(int) { g_interrupted = 1; }

struct Worker {
    pid_t pid = -1;
    int commands = -1;  // we write run indices
    int results = -1;   // it writes result lines
    int output = -1;    // its stdout and stderr
    std::string partial_result;  // a result line not complete yet
    std::string output_tail;     // its output since the run in flight began
    std::optional<uint64_t> run;  // the index in flight
    Clock::time_point run_started;
};

void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
}

class CampaignRunner {
public:
    CampaignRunner(const CampaignArguments& args, const sim::Scenario& scenario, CampaignTotals& totals,
                   std::vector<uint64_t> indices)
        : m_args(args), m_scenario(scenario), m_totals(totals), m_indices(std::move(indices)) {}

    // False if the kernel refused the system (printed; exit 2).
    bool run() {
        const Clock::time_point start = Clock::now();
        m_last_progress = start;
        for (;;) {
            if (g_interrupted) m_totals.interrupted = true;
            const bool more = m_next < m_indices.size() && !m_totals.interrupted;
            size_t live = 0;
            for (const Worker& worker : m_workers) live += worker.pid > 0 ? 1 : 0;
            while (more && live < m_totals.jobs && live < m_indices.size() - m_next + busy()) {
                spawn();
                ++live;
            }
            if (more) dispatch();
            if (busy() == 0 && (!more || live == 0)) break;
            wait_for_workers();
            if (!m_refused.empty()) break;
            check_watchdog();
            report_progress(false);
        }
        for (Worker& worker : m_workers) retire(worker, false);
        m_totals.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
        report_progress(true);
        if (!m_refused.empty()) {
            fmt::print(stderr, "{}\n", m_refused);
            return false;
        }
        return true;
    }

private:
    size_t busy() const {
        size_t count = 0;
        for (const Worker& worker : m_workers) count += worker.run ? 1 : 0;
        return count;
    }

    void spawn() {
        int commands[2], results[2], output[2];
        if (::pipe2(commands, O_CLOEXEC) != 0 || ::pipe2(results, O_CLOEXEC) != 0 || ::pipe2(output, O_CLOEXEC) != 0)
            throw std::runtime_error(std::string("cannot make a pipe for a worker: ") + std::strerror(errno));
        std::fflush(nullptr);  // nothing buffered may be written twice
        const pid_t pid = ::fork();
        if (pid < 0) throw std::runtime_error(std::string("cannot start a worker: ") + std::strerror(errno));
        if (pid == 0) {
            // The worker: none of the other workers' pipes, or their ends
            // would never see the end of the file.
            for (Worker& other : m_workers) {
                close_fd(other.commands);
                close_fd(other.results);
                close_fd(other.output);
            }
            ::close(commands[1]);
            ::close(results[0]);
            ::close(output[0]);
            ::dup2(output[1], STDOUT_FILENO);
            ::dup2(output[1], STDERR_FILENO);
            ::close(output[1]);
            // Ctrl-C (or a scheduler's SIGTERM) reaches the whole group: the
            // parent decides, and lets the runs in flight finish.
            std::signal(SIGINT, SIG_IGN);
            std::signal(SIGTERM, SIG_IGN);
            std::signal(SIGPIPE, SIG_DFL);
            worker_main(m_scenario, m_totals.seed_base, commands[0], results[1]);
        }
        ::close(commands[0]);
        ::close(results[1]);
        ::close(output[1]);
        Worker worker;
        worker.pid = pid;
        worker.commands = commands[1];
        worker.results = results[0];
        worker.output = output[0];
        for (Worker& slot : m_workers)
            if (slot.pid <= 0) {
                slot = std::move(worker);
                return;
            }
        m_workers.push_back(std::move(worker));
    }

    void dispatch() {
        for (Worker& worker : m_workers) {
            if (worker.pid <= 0 || worker.run || m_next == m_indices.size()) continue;
            const uint64_t index = m_indices[m_next++];
            worker.run = index;
            worker.run_started = Clock::now();
            worker.output_tail.clear();
            if (!write_all(worker.commands, fmt::format("{}\n", index))) {
                // It died between runs; its end shows on its pipes, with this run in flight.
            }
        }
    }

    void wait_for_workers() {
        std::vector<pollfd> polled;
        std::vector<std::pair<size_t, bool>> owners;  // worker, is its results pipe
        for (size_t w = 0; w < m_workers.size(); ++w) {
            const Worker& worker = m_workers[w];
            if (worker.pid <= 0) continue;
            polled.push_back({worker.results, POLLIN, 0});
            owners.emplace_back(w, true);
            if (worker.output >= 0) {
                polled.push_back({worker.output, POLLIN, 0});
                owners.emplace_back(w, false);
            }
        }
        if (polled.empty()) return;
        const int ready = ::poll(polled.data(), polled.size(), poll_timeout_ms());
        if (ready <= 0) return;  // the timeout, or a signal (an interrupt is looked at by the caller)
        // Output first: a worker that died has said its last words there.
        for (size_t p = 0; p < polled.size(); ++p)
            if (!owners[p].second && polled[p].revents != 0) read_output(m_workers[owners[p].first]);
        for (size_t p = 0; p < polled.size(); ++p)
            if (owners[p].second && polled[p].revents != 0) read_results(m_workers[owners[p].first]);
    }

    int poll_timeout_ms() const {
        auto deadline = m_last_progress + std::chrono::seconds(1);
        for (const Worker& worker : m_workers)
            if (worker.pid > 0 && worker.run) deadline = std::min(deadline, worker.run_started + run_timeout());
        const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        return static_cast<int>(std::clamp<int64_t>(wait + 1, 0, 1000));
    }

    Clock::duration run_timeout() const {
        return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(m_args.run_timeout_seconds));
    }

    // False at the end of the pipe.
    bool read_output(Worker& worker) {
        char buffer[4096];
        const ssize_t got = ::read(worker.output, buffer, sizeof buffer);
        if (got < 0 && errno == EINTR) return true;
        if (got <= 0) {
            close_fd(worker.output);
            return false;
        }
        worker.output_tail.append(buffer, static_cast<size_t>(got));
        if (worker.output_tail.size() > output_kept_bytes)
            worker.output_tail.erase(0, worker.output_tail.size() - output_kept_bytes);
        return true;
    }

    void read_results(Worker& worker) {
        char buffer[16384];
        const ssize_t got = ::read(worker.results, buffer, sizeof buffer);
        if (got < 0 && errno == EINTR) return;
        if (got <= 0) {
            worker_died(worker);
            return;
        }
        worker.partial_result.append(buffer, static_cast<size_t>(got));
        for (size_t end; (end = worker.partial_result.find('\n')) != std::string::npos;) {
            RunResult result = from_line(worker.partial_result.substr(0, end));
            worker.partial_result.erase(0, end + 1);
            worker.run.reset();
            if (!result.refused.empty()) {
                if (m_refused.empty()) m_refused = result.refused;
                continue;
            }
            record(m_totals, m_totals.seed_base + result.index, result);
        }
    }

    // Its results pipe ended: it is gone, taking the run in flight with it.
    void worker_died(Worker& worker) {
        while (worker.output >= 0 && read_output(worker)) {
        }
        int status = 0;
        while (::waitpid(worker.pid, &status, 0) < 0 && errno == EINTR) {
        }
        // Killed from outside while the campaign was being stopped: the run
        // did not fail, it was cut short.
        const bool stopped = (g_interrupted || m_totals.interrupted) && WIFSIGNALED(status);
        if (worker.run && !stopped) {
            RunResult result;
            result.index = *worker.run;
            result.output = worker.output_tail;
            const size_t panic = worker.output_tail.find(panic_marker);
            std::string how = WIFSIGNALED(status) ? fmt::format("signal {} ({})", WTERMSIG(status),
                                                                ::strsignal(WTERMSIG(status)))
                                                  : fmt::format("exit status {}", WEXITSTATUS(status));
            if (panic != std::string::npos) {
                result.run_class = RunClass::kernel_panic;
                const size_t end = worker.output_tail.find('\n', panic);
                result.detail = worker.output_tail.substr(panic, end == std::string::npos ? end : end - panic);
            } else {
                result.run_class = RunClass::simulator_crash;
                result.detail = "the worker died: " + how;
            }
            record(m_totals, m_totals.seed_base + result.index, result);
        }
        worker.run.reset();
        retire(worker, true);
    }

    void check_watchdog() {
        const Clock::time_point now = Clock::now();
        for (Worker& worker : m_workers) {
            if (worker.pid <= 0 || !worker.run || now - worker.run_started < run_timeout()) continue;
            ::kill(worker.pid, SIGKILL);
            int status = 0;
            while (::waitpid(worker.pid, &status, 0) < 0 && errno == EINTR) {
            }
            RunResult result;
            result.index = *worker.run;
            result.run_class = RunClass::hang;
            result.detail = fmt::format("no result after {} s of wall time: the watchdog killed its worker",
                                        m_args.run_timeout_seconds);
            result.output = worker.output_tail;
            record(m_totals, m_totals.seed_base + result.index, result);
            worker.run.reset();
            retire(worker, true);
        }
    }

    // Ends a worker (closing its commands ends its loop) and forgets it.
    void retire(Worker& worker, bool already_dead) {
        if (worker.pid <= 0) return;
        close_fd(worker.commands);
        if (!already_dead) {
            int status = 0;
            while (::waitpid(worker.pid, &status, 0) < 0 && errno == EINTR) {
            }
        }
        close_fd(worker.results);
        close_fd(worker.output);
        worker = Worker{};
    }

    void report_progress(bool last) {
        const Clock::time_point now = Clock::now();
        if (!last && now - m_last_progress < std::chrono::seconds(1)) return;
        m_last_progress = now;  // also when quiet: it paces the wait for results
        if (m_args.quiet) return;
        const double seconds = std::chrono::duration<double>(now - m_started).count();
        const uint64_t faults = m_totals.faults_injected();
        const uint64_t failed = m_totals.runs - m_totals.count(RunClass::survived);
        const std::string text =
            fmt::format("campaign: {}/{} runs, {} faults injected, {:.0f} faults/s, {} failed", m_totals.runs,
                        m_indices.size(), faults, seconds > 0 ? static_cast<double>(faults) / seconds : 0.0, failed);
        // On a terminal the line updates in place; in a log, one line each time.
        if (m_terminal)
            fmt::print(stderr, "\r{}\x1b[K{}", text, last ? "\n" : "");
        else
            fmt::print(stderr, "{}\n", text);
        std::fflush(stderr);
    }

    const CampaignArguments& m_args;
    const sim::Scenario& m_scenario;
    CampaignTotals& m_totals;
    const std::vector<uint64_t> m_indices;  // of the runs to do, in order
    size_t m_next = 0;
    std::vector<Worker> m_workers;
    std::string m_refused;
    const Clock::time_point m_started = Clock::now();
    Clock::time_point m_last_progress;
    const bool m_terminal = ::isatty(STDERR_FILENO) != 0;
};

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

// Indented for people, except the latency samples: thousands of [ns, count]
// pairs, one per line, would bury everything else.
std::string dump_for_file(json document) {
    std::vector<std::string> samples;
    for (auto& [name, kind] : document.at("kinds").items())
        for (const char* latency : {"detection_latency_ns", "recovery_latency_ns"}) {
            json& field = kind.at(latency).at("samples");
            samples.push_back(field.dump());
            field = fmt::format("@samples{}@", samples.size() - 1);
        }
    std::string text = document.dump(2, ' ', false, json::error_handler_t::replace);
    for (size_t i = 0; i < samples.size(); ++i) {
        const std::string placeholder = fmt::format("\"@samples{}@\"", i);
        text.replace(text.find(placeholder), placeholder.size(), samples[i]);
    }
    return text;
}

bool write_json(const std::string& path, const CampaignTotals& totals) {
    std::ofstream file(path);
    file << dump_for_file(to_json(totals)) << "\n";
    if (file) return true;
    fmt::print(stderr, "axl: cannot write {}\n", path);
    return false;
}

int exit_code(const CampaignTotals& totals) {
    if (totals.count(RunClass::simulator_crash) > 0 || totals.count(RunClass::kernel_panic) > 0) return exit_failed;
    return totals.interrupted ? exit_interrupted : exit_ok;
}

int merge_campaigns(const CampaignArguments& args) {
    std::optional<CampaignTotals> merged;
    std::set<uint32_t> shards_seen;
    for (const std::string& path : args.merge_inputs) {
        CampaignTotals shard;
        try {
            std::ifstream file(path);
            if (!file) throw std::runtime_error(std::string("cannot open it (") + std::strerror(errno) + ")");
            shard = from_json(json::parse(file));
        } catch (const std::exception& error) {
            fmt::print(stderr, "{}: {}\n", path, error.what());
            return exit_usage;
        }
        for (uint32_t index : shard.shards)
            if (!shards_seen.insert(index).second) {
                fmt::print(stderr, "{}: shard {}/{} is in the merge twice\n", path, index, shard.shard_count);
                return exit_usage;
            }
        if (!merged) {
            merged = std::move(shard);
            continue;
        }
        // Shards of one campaign: the same runs, split the same way.
        if (shard.scenario != merged->scenario || shard.system != merged->system ||
            shard.seed_base != merged->seed_base || shard.runs_planned != merged->runs_planned ||
            shard.shard_count != merged->shard_count) {
            fmt::print(stderr,
                       "{}: not a shard of the same campaign as {} (scenario '{}', seeds from {}, {} runs in {} "
                       "shards here; '{}', seeds from {}, {} runs in {} shards there)\n",
                       path, args.merge_inputs.front(), shard.scenario, shard.seed_base, shard.runs_planned,
                       shard.shard_count, merged->scenario, merged->seed_base, merged->runs_planned,
                       merged->shard_count);
            return exit_usage;
        }
        merged->shards.insert(merged->shards.end(), shard.shards.begin(), shard.shards.end());
        merged->jobs = std::max(merged->jobs, shard.jobs);
        merged->wall_seconds += shard.wall_seconds;
        merged->interrupted = merged->interrupted || shard.interrupted;
        merged->runs += shard.runs;
        for (size_t c = 0; c < run_class_count; ++c) merged->classes[c] += shard.classes[c];
        for (size_t k = 0; k < sim::FaultSpec::kind_count; ++k) {
            merged->kinds[k].drawn += shard.kinds[k].drawn;
            merged->kinds[k].injected += shard.kinds[k].injected;
            merged->kinds[k].detection.merge(shard.kinds[k].detection);
            merged->kinds[k].recovery.merge(shard.kinds[k].recovery);
        }
        merged->runs_digest ^= shard.runs_digest;
        merged->failed.insert(merged->failed.end(), shard.failed.begin(), shard.failed.end());
    }
    std::sort(merged->shards.begin(), merged->shards.end());
    std::sort(merged->failed.begin(), merged->failed.end(),
              [](const FailedRun& a, const FailedRun& b) { return a.index < b.index; });

    std::string shard_list;
    for (uint32_t index : merged->shards) shard_list += (shard_list.empty() ? "" : ", ") + std::to_string(index);
    fmt::print("axl campaign merge: scenario {}, system {}, seeds {}..{} ({} runs), shards {} of {}{}\n",
               merged->scenario, merged->system, merged->seed_base, merged->seed_base + merged->runs_planned - 1,
               merged->runs_planned, shard_list, merged->shard_count,
               merged->shards.size() < merged->shard_count ? " (not all: this is part of the campaign)" : "");
    fmt::print("{}", format_summary(*merged, true));
    if (!args.merge_json_path.empty() && !write_json(args.merge_json_path, *merged)) return exit_failed;
    return exit_code(*merged);
}

}  // namespace

CLI::App* add_campaign_command(CLI::App& app, CampaignArguments& args) {
    CLI::App* campaign = app.add_subcommand(
        "campaign", "run a scenario with many seeds, each with faults drawn from its [campaign] table, and sum up");
    campaign->add_option("SCENARIO", args.path, "scenario file (TOML, see docs/scenarios.md)");
    // Validators get an empty description so the help shows "--runs N", not "N:POSITIVE".
    const CLI::Validator positive = CLI::PositiveNumber.description("");
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
    campaign->add_flag("--quiet", args.quiet, "no progress lines on stderr");

    args.merge = campaign->add_subcommand("merge", "combine the JSON of a campaign's shards into one summary");
    args.merge->add_option("FILES", args.merge_inputs, "JSON files written by axl campaign --json")->required();
    args.merge->add_option("--json", args.merge_json_path, "write the merged summary as JSON to this file")
        ->type_name("FILE");
    return campaign;
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

    std::vector<uint64_t> indices;
    for (uint64_t i = shard_index; i < args.runs; i += totals.shard_count) indices.push_back(i);

    fmt::print("axl campaign {}: scenario {}, system {}, seeds {}..{}{}, {} run{}, {} job{}\n", args.path,
               scenario.name, scenario.system.name, totals.seed_base, totals.seed_base + args.runs - 1,
               totals.shard_count > 1 ? fmt::format(" (shard {}/{})", shard_index, totals.shard_count) : std::string(),
               indices.size(), indices.size() == 1 ? "" : "s", totals.jobs, totals.jobs == 1 ? "" : "s");
    fmt::print("fault space: {}\n", describe_space(scenario));
    std::fflush(stdout);

    // A worker that dies must not take this process with it (a write to its
    // pipe), and an interrupt finishes the runs in flight and sums up.
    std::signal(SIGPIPE, SIG_IGN);
    g_interrupted = 0;
    struct sigaction interrupt {};
    interrupt.sa_handler = on_interrupt;
    sigemptyset(&interrupt.sa_mask);
    interrupt.sa_flags = SA_RESETHAND;  // a second Ctrl-C ends it at once
    struct sigaction previous_int {}, previous_term {};
    ::sigaction(SIGINT, &interrupt, &previous_int);
    ::sigaction(SIGTERM, &interrupt, &previous_term);

    CampaignRunner runner(args, scenario, totals, std::move(indices));
    const bool ran = runner.run();
    ::sigaction(SIGINT, &previous_int, nullptr);
    ::sigaction(SIGTERM, &previous_term, nullptr);
    if (!ran) return exit_usage;

    std::sort(totals.failed.begin(), totals.failed.end(),
              [](const FailedRun& a, const FailedRun& b) { return a.index < b.index; });
    fmt::print("\n{}", format_summary(totals, false));
    if (!args.json_path.empty() && !write_json(args.json_path, totals)) return exit_failed;
    return exit_code(totals);
}

}  // namespace axl::tools
