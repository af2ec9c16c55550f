#include "tools/axl/campaign_json.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/config/input_file.h"
#include "sim/config/system_description.h"
#include "sim/harness/trace_digest.h"
#include "tools/axl/campaign.h"
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

// Every field of a campaign's JSON is checked as it is read, and the totals
// as a whole after: a file edited by hand or by a broken script is refused
// with the field and the problem, never turned into nonsense (nlohmann's own
// conversions take -5 as 18446744073709551611 and 1e30 as anything).
namespace {

// Counts are at most 2^53: exact in every JSON reader, and the sum of any
// number of shards' counts cannot overflow.
constexpr uint64_t count_max = uint64_t{1} << 53;

[[noreturn]] void refuse(const std::string& field, const std::string& problem) {
    throw std::runtime_error(fmt::format("field \"{}\": {}", field, problem));
}

std::string shown(const json& value) {
    std::string text = value.dump();
    return text.size() > 40 ? text.substr(0, 37) + "..." : text;
}

const json& member(const json& object, const std::string& where, const char* name) {
    const std::string field = where.empty() ? name : where + "." + name;
    if (!object.is_object()) refuse(where, "must be an object, not " + shown(object));
    auto found = object.find(name);
    if (found == object.end()) refuse(field, "is missing");
    return *found;
}

uint64_t whole(const json& value, const std::string& field, uint64_t max = count_max) {
    if (!value.is_number_unsigned())
        refuse(field, "must be a non-negative integer, not " + shown(value));
    const auto number = value.get<uint64_t>();
    if (number > max) refuse(field, fmt::format("{} is more than {}", number, max));
    return number;
}

uint64_t whole(const json& object, const std::string& where, const char* name, uint64_t max = count_max) {
    return whole(member(object, where, name), where.empty() ? name : where + "." + name, max);
}

std::string text(const json& object, const std::string& where, const char* name) {
    const json& value = member(object, where, name);
    if (!value.is_string()) refuse(where.empty() ? name : where + "." + name, "must be a string, not " + shown(value));
    return value.get<std::string>();
}

uint64_t hex64(const json& value, const std::string& field) {
    const std::string digits = value.is_string() ? value.get<std::string>() : std::string();
    uint64_t number = 0;
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), number, 16);
    if (!value.is_string() || digits.size() != 16 || error != std::errc{} || end != digits.data() + digits.size())
        refuse(field, "must be 16 hexadecimal digits, not " + shown(value));
    return number;
}

LatencySamples latency_from_json(const json& in, const std::string& where) {
    LatencySamples samples;
    const json& pairs = member(in, where, "samples");
    if (!pairs.is_array()) refuse(where + ".samples", "must be an array of [ns, count] pairs");
    uint64_t total = 0;
    for (size_t i = 0; i < pairs.size(); ++i) {
        const std::string field = fmt::format("{}.samples[{}]", where, i);
        const json& pair = pairs[i];
        if (!pair.is_array() || pair.size() != 2) refuse(field, "must be a pair [ns, count], not " + shown(pair));
        const uint64_t ns = whole(pair[0], field + "[0]", UINT64_MAX);
        const uint64_t count = whole(pair[1], field + "[1]");
        if (count == 0) refuse(field + "[1]", "a sample's count must be at least 1");
        total += count;
        if (total > count_max) refuse(where + ".samples", "the counts add up to more than 2^53");
        samples.add(ns, count);
    }
    if (whole(in, where, "count") != total)
        refuse(where + ".count", fmt::format("is {}, but the samples add up to {}", in.at("count").dump(), total));
    return samples;
}

// The totals as a whole: what no single field shows.
void check_totals(const CampaignTotals& totals) {
    if (totals.shard_count == 0) refuse("shard.count", "must be at least 1");
    if (totals.shards.empty()) refuse("shard.indices", "must name at least one shard");
    for (size_t i = 0; i < totals.shards.size(); ++i) {
        if (totals.shards[i] >= totals.shard_count)
            refuse(fmt::format("shard.indices[{}]", i), fmt::format("shard {} of {} does not exist (0..{})",
                                                                   totals.shards[i], totals.shard_count,
                                                                   totals.shard_count - 1));
        for (size_t j = 0; j < i; ++j)
            if (totals.shards[j] == totals.shards[i])
                refuse(fmt::format("shard.indices[{}]", i), fmt::format("shard {} is listed twice", totals.shards[i]));
    }
    if (totals.runs_planned == 0) refuse("runs_planned", "must be at least 1");
    if (totals.runs_planned - 1 > UINT64_MAX - totals.seed_base)
        refuse("runs_planned", fmt::format("{} runs from seed {} pass the largest seed", totals.runs_planned,
                                           totals.seed_base));
    const uint64_t possible = totals.runs_in_shards();
    if (totals.runs > possible)
        refuse("runs", fmt::format("{} runs, but the shards it covers hold {} of the {} planned", totals.runs,
                                   possible, totals.runs_planned));
    uint64_t classified = 0;
    for (uint64_t count : totals.classes) classified += count;
    if (classified != totals.runs)
        refuse("classes", fmt::format("the classes add up to {} runs, but runs is {}", classified, totals.runs));
    for (uint32_t k = 0; k < sim::FaultSpec::kind_count; ++k) {
        const KindTally& kind = totals.kinds[k];
        const std::string where = fmt::format("kinds.{}", sim::to_string(static_cast<sim::FaultSpec::Kind>(k)));
        if (kind.injected > kind.drawn)
            refuse(where + ".injected", fmt::format("{} faults injected, but only {} drawn", kind.injected, kind.drawn));
        if (kind.detection.count() > kind.injected || kind.recovery.count() > kind.injected)
            refuse(where, "more latency samples than faults injected");
    }
    const uint64_t failed = totals.runs - totals.count(sim::RunClass::survived);
    if (totals.failed.size() > failed)
        refuse("failed_runs", fmt::format("{} entries, but the classes count only {} runs that did not survive",
                                          totals.failed.size(), failed));
    for (size_t i = 0; i < totals.failed.size(); ++i) {
        const FailedRun& run = totals.failed[i];
        const std::string where = fmt::format("failed_runs[{}]", i);
        if (run.index >= totals.runs_planned)
            refuse(where + ".index", fmt::format("run {} is not one of the {} planned", run.index, totals.runs_planned));
        if (std::find(totals.shards.begin(), totals.shards.end(), run.index % totals.shard_count) == totals.shards.end())
            refuse(where + ".index", fmt::format("run {} belongs to shard {}, which these totals do not cover", run.index,
                                                 run.index % totals.shard_count));
        if (run.seed != totals.seed_base + run.index)
            refuse(where + ".seed", fmt::format("run {} of a campaign from seed {} has seed {}, not {}", run.index,
                                                totals.seed_base, totals.seed_base + run.index, run.seed));
    }
}

}  // namespace

CampaignTotals campaign_from_json(const json& in) {
    if (!in.is_object() || in.value("format", std::string()) != json_format)
        throw std::runtime_error(fmt::format("not the JSON of an axl campaign (no \"format\": \"{}\")", json_format));
    CampaignTotals totals;
    totals.path = text(in, "", "path");
    totals.scenario = text(in, "", "scenario");
    totals.system = text(in, "", "system");
    totals.seed_base = whole(in, "", "seed_base", UINT64_MAX);
    if (in.contains("build")) totals.build = in.at("build").dump();
    totals.runs_planned = whole(in, "", "runs_planned", campaign_runs_max);
    const json& shard = member(in, "", "shard");
    totals.shard_count = static_cast<uint32_t>(whole(shard, "shard", "count", UINT32_MAX));
    const json& indices = member(shard, "shard", "indices");
    if (!indices.is_array()) refuse("shard.indices", "must be an array of shard numbers, not " + shown(indices));
    totals.shards.clear();
    for (size_t i = 0; i < indices.size(); ++i)
        totals.shards.push_back(static_cast<uint32_t>(whole(indices[i], fmt::format("shard.indices[{}]", i), UINT32_MAX)));
    totals.jobs = static_cast<uint32_t>(whole(in, "", "jobs", UINT32_MAX));
    const json& wall = member(in, "", "wall_seconds");
    if (!wall.is_number() || !(wall.get<double>() >= 0) || !std::isfinite(wall.get<double>()))
        refuse("wall_seconds", "must be a number of seconds, 0 or more, not " + shown(wall));
    totals.wall_seconds = wall.get<double>();
    const json& interrupted = member(in, "", "interrupted");
    if (!interrupted.is_boolean()) refuse("interrupted", "must be true or false, not " + shown(interrupted));
    totals.interrupted = interrupted.get<bool>();
    totals.runs = whole(in, "", "runs");
    const json& classes = member(in, "", "classes");
    for (sim::RunClass run_class : sim::all_run_classes)
        totals.count(run_class) = whole(classes, "classes", sim::to_string(run_class));
    const json& kinds = member(in, "", "kinds");
    if (!kinds.is_object()) refuse("kinds", "must be an object, not " + shown(kinds));
    for (const auto& [name, kind] : kinds.items()) {
        uint32_t k = 0;
        while (k < sim::FaultSpec::kind_count && name != sim::to_string(static_cast<sim::FaultSpec::Kind>(k))) ++k;
        if (k == sim::FaultSpec::kind_count) refuse("kinds." + name, "unknown fault kind '" + name + "'");
        const std::string where = "kinds." + name;
        KindTally& tally = totals.kinds[k];
        tally.drawn = whole(kind, where, "drawn");
        tally.injected = whole(kind, where, "injected");
        tally.detection = latency_from_json(member(kind, where, "detection_latency_ns"), where + ".detection_latency_ns");
        tally.recovery = latency_from_json(member(kind, where, "recovery_latency_ns"), where + ".recovery_latency_ns");
    }
    totals.runs_digest = hex64(member(in, "", "runs_digest"), "runs_digest");
    const json& failed_runs = member(in, "", "failed_runs");
    if (!failed_runs.is_array()) refuse("failed_runs", "must be an array, not " + shown(failed_runs));
    for (size_t i = 0; i < failed_runs.size(); ++i) {
        const json& run = failed_runs[i];
        const std::string where = fmt::format("failed_runs[{}]", i);
        FailedRun failed;
        failed.index = whole(run, where, "index", UINT64_MAX);
        failed.seed = whole(run, where, "seed", UINT64_MAX);
        const std::string class_name = text(run, where, "class");
        const auto run_class = sim::run_class_named(class_name);
        if (!run_class || *run_class == sim::RunClass::survived)
            refuse(where + ".class", "'" + class_name + "' is not the class of a failed run");
        failed.run_class = *run_class;
        failed.detail = text(run, where, "detail");
        const json& verdict = member(run, where, "verdict");
        if (!verdict.is_array()) refuse(where + ".verdict", "must be an array of strings");
        for (const json& line : verdict) {
            if (!line.is_string()) refuse(where + ".verdict", "must be an array of strings, not " + shown(line));
            failed.verdict.push_back(line.get<std::string>());
        }
        const json& digest = member(run, where, "digest");
        if (!digest.is_null()) failed.digest = hex64(digest, where + ".digest");
        if (run.contains("output")) failed.output = text(run, where, "output");
        totals.failed.push_back(std::move(failed));
    }
    check_totals(totals);
    return totals;
}

std::string campaign_json_text(const CampaignTotals& totals) { return dump_for_file(campaign_to_json(totals)) + "\n"; }

CampaignTotals read_campaign_json(const std::string& path) {
    std::string text;
    try {
        text = sim::read_input_file(path, sim::campaign_json_bytes_max, "campaign's JSON");
    } catch (const sim::DescriptionError& error) {
        // "path:0: problem": the caller names the path itself.
        const std::string message = error.what();
        const size_t colon = message.find(":0: ");
        throw std::runtime_error(colon == std::string::npos ? message : message.substr(colon + 4));
    }
    json document;
    try {
        document = json::parse(text);
    } catch (const json::parse_error& error) {
        throw std::runtime_error(std::string("not JSON: ") + error.what());
    }
    return campaign_from_json(document);
}

}  // namespace axl::tools
