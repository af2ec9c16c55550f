#include "tools/axl/campaign_json.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/harness/trace_digest.h"
#include "tools/axl/build_identity.h"
#include "tools/axl/campaign_failure_groups.h"

namespace axl::tools {
namespace {

using json = nlohmann::ordered_json;

constexpr std::string_view json_format = "axl-campaign/1";

json optional_json(const std::optional<uint64_t>& value) { return value ? json(*value) : json(nullptr); }

json latency_json(const LatencySamples& samples, bool with_samples) {
    json out = {{"count", samples.count()},
                {"p50", optional_json(samples.percentile(50))},
                {"p99", optional_json(samples.percentile(99))}};
    if (with_samples) {
        json pairs = json::array();
        for (const auto& [ns, count] : samples.counts()) pairs.push_back(json::array({ns, count}));
        out["samples"] = std::move(pairs);  // [[ns, how many], ...]
    }
    return out;
}

LatencySamples latency_from_json(const json& in) {
    LatencySamples samples;
    for (const json& pair : in.at("samples")) samples.add(pair.at(0).get<uint64_t>(), pair.at(1).get<uint64_t>());
    return samples;
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

sim::RunClass class_from_json(const json& name) {
    return sim::run_class_named(name.get<std::string>()).value_or(sim::RunClass::simulator_crash);
}

}  // namespace

json campaign_to_json(const CampaignTotals& totals) {
    json classes = json::object();
    for (sim::RunClass run_class : sim::all_run_classes) classes[sim::to_string(run_class)] = totals.count(run_class);
    json kinds = json::object();
    for (uint32_t k = 0; k < sim::FaultSpec::kind_count; ++k) {
        const KindTally& kind = totals.kinds[k];
        if (kind.drawn == 0) continue;
        kinds[sim::to_string(static_cast<sim::FaultSpec::Kind>(k))] = {
            {"drawn", kind.drawn},
            {"injected", kind.injected},
            {"detection_latency_ns", latency_json(kind.detection, true)},
            {"recovery_latency_ns", latency_json(kind.recovery, true)},
        };
    }
    json failed = json::array();
    for (const FailedRun& run : totals.failed) {
        json entry = {{"index", run.index},
                      {"seed", run.seed},
                      {"class", sim::to_string(run.run_class)},
                      {"detail", run.detail},
                      {"verdict", run.verdict},
                      // A string: 64-bit values do not survive every JSON reader as numbers.
                      {"digest", run.digest ? json(sim::to_hex(*run.digest)) : json(nullptr)},
                      {"replay", replay_command(totals.path, run.seed)}};
        if (!run.output.empty()) entry["output"] = run.output;
        failed.push_back(std::move(entry));
    }
    json groups = json::array();
    for (const FailureGroup& group : group_failures(totals))
        groups.push_back({{"class", sim::to_string(group.run_class)},
                          {"reason", group.reason},
                          {"count", group.count},
                          {"first_seeds", group.first_seeds}});
    return {
        {"format", json_format},
        {"scenario", totals.scenario},
        {"path", totals.path},
        {"system", totals.system},
        {"seed_base", totals.seed_base},
        {"build", totals.build.empty() ? build_identity_json<json>() : json::parse(totals.build)},
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
        {"detection_latency_ns", latency_json(totals.detection(), false)},
        {"recovery_latency_ns", latency_json(totals.recovery(), false)},
        {"kinds", std::move(kinds)},
        {"runs_digest", sim::to_hex(totals.runs_digest)},
        {"failure_groups", std::move(groups)},
        {"failed_runs", std::move(failed)},
    };
}

CampaignTotals campaign_from_json(const json& in) {
    if (in.value("format", std::string()) != json_format)
        throw std::runtime_error(fmt::format("not the JSON of an axl campaign (no \"format\": \"{}\")", json_format));
    CampaignTotals totals;
    totals.path = in.at("path").get<std::string>();
    totals.scenario = in.at("scenario").get<std::string>();
    totals.system = in.at("system").get<std::string>();
    totals.seed_base = in.at("seed_base").get<uint64_t>();
    if (in.contains("build")) totals.build = in.at("build").dump();
    totals.runs_planned = in.at("runs_planned").get<uint64_t>();
    totals.shard_count = in.at("shard").at("count").get<uint32_t>();
    totals.shards = in.at("shard").at("indices").get<std::vector<uint32_t>>();
    totals.jobs = in.at("jobs").get<uint32_t>();
    totals.wall_seconds = in.at("wall_seconds").get<double>();
    totals.interrupted = in.at("interrupted").get<bool>();
    totals.runs = in.at("runs").get<uint64_t>();
    for (sim::RunClass run_class : sim::all_run_classes)
        totals.count(run_class) = in.at("classes").at(sim::to_string(run_class)).get<uint64_t>();
    for (const auto& [name, kind] : in.at("kinds").items()) {
        uint32_t k = 0;
        while (k < sim::FaultSpec::kind_count && name != sim::to_string(static_cast<sim::FaultSpec::Kind>(k))) ++k;
        if (k == sim::FaultSpec::kind_count) throw std::runtime_error("unknown fault kind '" + name + "'");
        KindTally& tally = totals.kinds[k];
        tally.drawn = kind.at("drawn").get<uint64_t>();
        tally.injected = kind.at("injected").get<uint64_t>();
        tally.detection = latency_from_json(kind.at("detection_latency_ns"));
        tally.recovery = latency_from_json(kind.at("recovery_latency_ns"));
    }
    totals.runs_digest = std::stoull(in.at("runs_digest").get<std::string>(), nullptr, 16);
    for (const json& run : in.at("failed_runs")) {
        FailedRun failed;
        failed.index = run.at("index").get<uint64_t>();
        failed.seed = run.at("seed").get<uint64_t>();
        failed.run_class = class_from_json(run.at("class"));
        failed.detail = run.at("detail").get<std::string>();
        failed.verdict = run.at("verdict").get<std::vector<std::string>>();
        if (!run.at("digest").is_null()) failed.digest = std::stoull(run.at("digest").get<std::string>(), nullptr, 16);
        failed.output = run.value("output", std::string());
        totals.failed.push_back(std::move(failed));
    }
    return totals;
}

std::string campaign_json_text(const CampaignTotals& totals) { return dump_for_file(campaign_to_json(totals)) + "\n"; }

CampaignTotals read_campaign_json(const std::string& path) {
    std::ifstream file(path);
    if (!file) throw std::runtime_error(std::string("cannot open it (") + std::strerror(errno) + ")");
    return campaign_from_json(json::parse(file));
}

}  // namespace axl::tools
