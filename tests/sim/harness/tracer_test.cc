#include "sim/harness/tracer.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "kernel/api/endpoint.h"
#include "kernel/process.h"

namespace axl::sim {
namespace {

using nlohmann::json;

constexpr uint32_t client = 1;
constexpr uint32_t server = 2;
constexpr uint32_t logger = 3;
const uint32_t hardware = endpoints::hardware.slot();
const uint32_t any = endpoints::any.slot();

TraceEvent event(uint64_t time_ns, uint8_t cpu, TraceKind kind, uint32_t a, uint32_t b = 0, uint32_t c = 0) {
    return TraceEvent{.time_ns = time_ns, .kind = kind, .cpu = cpu, .a = a, .b = b, .c = c};
}

// Two CPUs, three processes, in the order a kernel would emit them. CPU 1's
// events at 1700 are recorded before CPU 0's at 1650 (CPUs may run a little
// apart in virtual time), so the exports must re-sort across CPUs.
std::vector<TraceEvent> two_cpu_scenario() {
    using K = TraceKind;
    return {
        event(1000, 0, K::spawn, logger, Endpoint::make(logger, 1).raw, 0),
        event(1001, 0, K::dispatch, client, no_slot, 0),
        event(1203, 1, K::dispatch, server, no_slot, 1),
        event(1250, 1, K::block, server, any, 2),
        event(1250, 1, K::idle, 1),
        event(1500, 0, K::send, client, server, 7),      // rendezvous: delivered at once
        event(1500, 0, K::deliver, server, client, 7),
        event(1500, 0, K::wake, server, client, 0),
        event(1500, 0, K::block, client, server, 3),
        event(1601, 0, K::dispatch, logger, client, 0),
        event(1601, 1, K::dispatch, server, no_slot, 1),  // same time, recorded after CPU 0's
        event(1700, 1, K::send, server, client, 8),       // the reply
        event(1700, 1, K::deliver, client, server, 8),
        event(1700, 1, K::wake, client, server, 0),
        event(1650, 0, K::send, logger, server, 9),       // buffered, delivered later on CPU 1
        event(1650, 0, K::buffered, logger, server, 9),
        event(1660, 0, K::notify, logger, server, 1),
        event(1700, 0, K::send, logger, client, 10),      // never delivered
        event(1740, 1, K::deliver, server, logger, 77),   // the notification overtakes message 9
        event(1750, 1, K::deliver, server, logger, 9),
        event(1760, 1, K::notify, hardware, server, 4),
        event(1770, 1, K::deliver, server, hardware, 99),  // a notification: no send, no flow
        event(1800, 0, K::kernel_call, logger, 5, 0),
        event(1800, 0, K::quantum, logger, 8),
        event(1800, 0, K::dispatch, client, logger, 0),
        event(1900, 0, K::exit, client, static_cast<uint32_t>(-3)),
        event(1900, 0, K::idle, 0),
        event(1999, 1, K::denied, server, 0x103, 3),
        event(2000, 1, K::fault, server, 1, 0xdead),
    };
}

void name_processes(Tracer& tracer) {
    tracer.set_process_name(client, "client");
    tracer.set_process_name(server, "server");
    tracer.set_process_name(logger, "logger");
}

std::string chrome_trace_of(const Tracer& tracer) {
    std::ostringstream out;
    tracer.write_chrome_trace(out);
    return out.str();
}

std::vector<std::string> text_log_lines(const Tracer& tracer) {
    std::ostringstream out;
    tracer.write_text_log(out);
    std::vector<std::string> lines;
    std::istringstream in(out.str());
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    return lines;
}

std::vector<json> with_phase(const json& trace, const std::string& phase) {
    std::vector<json> found;
    for (const json& record : trace.at("traceEvents"))
        if (record.at("ph") == phase)
            found.push_back(record);
    return found;
}

// The reference the tracer's digest must match: every event, in recording order.
uint64_t reference_digest(const std::vector<TraceEvent>& events) {
    TraceDigest digest;
    for (const TraceEvent& e : events)
        digest.add(e);
    return digest.value();
}

class TracerScenario : public ::testing::Test {
protected:
    void SetUp() override {
        name_processes(tracer);
        for (const TraceEvent& e : events)
            tracer.record(e);
        text = chrome_trace_of(tracer);
        trace = json::parse(text);
    }

    std::vector<TraceEvent> events = two_cpu_scenario();
    Tracer tracer{TraceLevel::full, 2};
    std::string text;
    json trace;
};

TEST_F(TracerScenario, CountsAndDigest) {
    EXPECT_EQ(tracer.event_count(), events.size());
    EXPECT_EQ(tracer.stored_count(), events.size());
    EXPECT_EQ(tracer.dropped(), 0u);
    EXPECT_EQ(tracer.digest(), reference_digest(events));
}

TEST_F(TracerScenario, ChromeTraceHasObjectFormatHeader) {
    EXPECT_EQ(trace.at("displayTimeUnit"), "ns");
    ASSERT_TRUE(trace.at("traceEvents").is_array());
    EXPECT_EQ(trace.at("otherData").at("digest"), to_hex(tracer.digest()));
    EXPECT_EQ(trace.at("otherData").at("events"), events.size());
    EXPECT_EQ(trace.at("otherData").at("dropped_events"), 0);
    EXPECT_EQ(trace.at("otherData").at("complete"), true);
    for (const json& record : trace.at("traceEvents")) {
        EXPECT_TRUE(record.contains("ph") && record.contains("pid") && record.contains("tid")) << record;
        if (record.at("ph") != "M") {
            EXPECT_TRUE(record.at("ts").is_number()) << record;
        }
    }
}

TEST_F(TracerScenario, OneProcessTrackPerCpuAndOneThreadTrackPerSlotUsed) {
    std::map<int, std::string> cpu_names;
    std::set<std::tuple<int, uint32_t, std::string>> thread_names;
    for (const json& record : with_phase(trace, "M")) {
        if (record.at("name") == "process_name")
            cpu_names[record.at("pid")] = record.at("args").at("name");
        if (record.at("name") == "thread_name")
            thread_names.emplace(record.at("pid"), record.at("tid"), record.at("args").at("name"));
    }
    EXPECT_EQ(cpu_names, (std::map<int, std::string>{{0, "CPU 0"}, {1, "CPU 1"}}));
    const std::set<std::tuple<int, uint32_t, std::string>> expected = {
        {0, client, "client"}, {0, server, "server"},     {0, logger, "logger"},
        {1, server, "server"}, {1, client, "client"},     {1, hardware, "HARDWARE"},
    };
    EXPECT_EQ(thread_names, expected);
}

TEST_F(TracerScenario, DispatchesBecomeSlicesUntilTheNextDispatchOrIdle) {
    // (cpu, slot, start us, duration us)
    std::set<std::tuple<int, uint32_t, double, double>> slices;
    for (const json& record : with_phase(trace, "X")) {
        slices.emplace(record.at("pid"), record.at("tid"), record.at("ts"), record.at("dur"));
        EXPECT_EQ(record.at("name"), record.at("tid") == client ? "client"
                                     : record.at("tid") == server ? "server"
                                                                  : "logger");
    }
    const std::set<std::tuple<int, uint32_t, double, double>> expected = {
        {0, client, 1.001, 0.600},  // closed by logger's dispatch at 1601
        {1, server, 1.203, 0.047},  // closed by CPU 1 going idle at 1250
        {0, logger, 1.601, 0.199},  // closed by client's dispatch at 1800
        {1, server, 1.601, 0.399},  // never closed: runs to the trace's end (2000)
        {0, client, 1.800, 0.100},  // closed by idle at 1900
    };
    EXPECT_EQ(slices, expected);
}

TEST_F(TracerScenario, TimestampsAreExactMicroseconds) {
    EXPECT_NE(text.find(R"("ts":1.001,"dur":0.600)"), std::string::npos);
    EXPECT_NE(text.find(R"("ts":1.203,"dur":0.047)"), std::string::npos);
    EXPECT_NE(text.find(R"("ts":1.999)"), std::string::npos);
    EXPECT_NE(text.find(R"("ts":2.000)"), std::string::npos);
}

TEST_F(TracerScenario, OtherEventsBecomeInstantsWithArgs) {
    const auto instants = with_phase(trace, "i");
    const auto slices_and_closers =
        std::count_if(events.begin(), events.end(), [](const TraceEvent& e) {
            return e.kind == TraceKind::dispatch || e.kind == TraceKind::idle;
        });
    EXPECT_EQ(instants.size(), events.size() - static_cast<size_t>(slices_and_closers));

    std::map<std::string, json> last_of_kind;
    for (const json& instant : instants) {
        EXPECT_EQ(instant.at("s"), "t");
        last_of_kind[instant.at("name")] = instant;
    }
    for (const char* kind : {"send", "deliver", "buffered", "block", "wake", "notify", "kernel_call",
                             "denied", "exit", "fault", "spawn", "quantum"})
        EXPECT_TRUE(last_of_kind.contains(kind)) << kind;

    const json& exit = last_of_kind["exit"];
    EXPECT_EQ(exit.at("pid"), 0);
    EXPECT_EQ(exit.at("tid"), client);
    EXPECT_EQ(exit.at("ts"), 1.9);
    EXPECT_EQ(exit.at("args").at("process"), "client(1)");
    EXPECT_EQ(exit.at("args").at("status"), -3);

    const json& fault = last_of_kind["fault"];
    EXPECT_EQ(fault.at("pid"), 1);
    EXPECT_EQ(fault.at("args").at("detail"), 0xdead);

    const json& notification = last_of_kind["deliver"];  // the last deliver: from HARDWARE
    EXPECT_EQ(notification.at("args").at("from"), "HARDWARE");
    EXPECT_EQ(notification.at("args").at("receiver"), "server(2)");
    EXPECT_EQ(notification.at("args").at("type"), 99);

    const json& notify = last_of_kind["notify"];
    EXPECT_EQ(notify.at("tid"), hardware);
    EXPECT_EQ(notify.at("args").at("to"), "server(2)");
}

TEST_F(TracerScenario, DeliveredMessagesBecomeFlowsFromSendToDeliver) {
    const auto starts = with_phase(trace, "s");
    const auto ends = with_phase(trace, "f");
    // Three messages were delivered; the logger's last send never was.
    ASSERT_EQ(starts.size(), 3u);
    ASSERT_EQ(ends.size(), 3u);

    using Place = std::tuple<int, uint32_t, double>;  // cpu, slot, time
    std::map<uint64_t, Place> start_by_id;
    for (const json& start : starts) {
        EXPECT_EQ(start.at("cat"), "ipc");
        const Place place{start.at("pid"), start.at("tid"), start.at("ts")};
        EXPECT_TRUE(start_by_id.emplace(start.at("id"), place).second) << "flow ids must be unique";
    }
    std::set<std::pair<Place, Place>> flows;
    for (const json& end : ends) {
        ASSERT_TRUE(start_by_id.contains(end.at("id")));
        EXPECT_EQ(end.at("name"), starts.front().at("name"));
        EXPECT_EQ(end.at("cat"), starts.front().at("cat"));
        flows.emplace(start_by_id.at(end.at("id")), Place{end.at("pid"), end.at("tid"), end.at("ts")});
    }
    const std::set<std::pair<Place, Place>> expected = {
        {{0, client, 1.5}, {0, server, 1.5}},   // rendezvous on CPU 0
        {{1, server, 1.7}, {1, client, 1.7}},   // the reply on CPU 1
        {{0, logger, 1.65}, {1, server, 1.75}}, // buffered, then delivered on CPU 1
    };
    EXPECT_EQ(flows, expected);
}

// Each flow end is written just before the deliver instant on the same track
// (so Perfetto binds it to that instant), each start just after the send.
TEST_F(TracerScenario, FlowEventsSitNextToTheirInstants) {
    const json& records = trace.at("traceEvents");
    for (size_t i = 0; i < records.size(); ++i) {
        if (records[i].at("ph") == "s") {
            ASSERT_GT(i, 0u);
            EXPECT_EQ(records[i - 1].at("name"), "send");
            EXPECT_EQ(records[i - 1].at("ts"), records[i].at("ts"));
            EXPECT_EQ(records[i - 1].at("tid"), records[i].at("tid"));
        }
        if (records[i].at("ph") == "f") {
            ASSERT_LT(i + 1, records.size());
            EXPECT_EQ(records[i + 1].at("name"), "deliver");
            EXPECT_EQ(records[i + 1].at("ts"), records[i].at("ts"));
            EXPECT_EQ(records[i + 1].at("tid"), records[i].at("tid"));
        }
    }
}

TEST_F(TracerScenario, ExportIsInGlobalTimeOrder) {
    double previous = 0;
    for (const json& record : trace.at("traceEvents")) {
        if (record.at("ph") == "M")
            continue;
        EXPECT_GE(record.at("ts").get<double>(), previous) << record;
        previous = record.at("ts");
    }
}

TEST_F(TracerScenario, TextLogHasOneLinePerEventWithNames) {
    const auto lines = text_log_lines(tracer);
    ASSERT_EQ(lines.size(), events.size());
    uint64_t previous_ns = 0;
    for (const std::string& line : lines) {
        std::istringstream columns(line);
        std::vector<std::string> fields;
        for (std::string field; columns >> field;)
            fields.push_back(field);
        ASSERT_EQ(fields.size(), 6u) << line;
        const uint64_t time_ns = std::stoull(fields[0]);
        EXPECT_GE(time_ns, previous_ns) << line;
        previous_ns = time_ns;
    }
    EXPECT_EQ(lines.front(), fmt::format("1000 0 spawn logger(3) {} 0", Endpoint::make(logger, 1).raw));
    EXPECT_EQ(lines[1], "1001 0 dispatch client(1) - 0");
    auto has_line = [&](const std::string& wanted) {
        return std::find(lines.begin(), lines.end(), wanted) != lines.end();
    };
    EXPECT_TRUE(has_line("1500 0 send client(1) server(2) 7"));
    EXPECT_TRUE(has_line("1500 0 deliver server(2) client(1) 7"));
    EXPECT_TRUE(has_line("1760 1 notify HARDWARE server(2) 4"));
    EXPECT_TRUE(has_line("1250 1 block server(2) ANY 2"));
    EXPECT_TRUE(has_line("1250 1 idle 1 0 0"));
    EXPECT_TRUE(has_line("1900 0 exit client(1) -3 0"));
    EXPECT_TRUE(has_line("1800 0 kernel_call logger(3) 5 0"));
}

// Merge order: time first, then the order of recording, whatever the CPU. At
// time 200, CPU 0's two events were recorded before and after CPU 1's one.
TEST(Tracer, MergesCpuBuffersByTimeThenRecordingOrder) {
    Tracer tracer(TraceLevel::full, 2);
    tracer.record(event(200, 0, TraceKind::quantum, 10));
    tracer.record(event(100, 1, TraceKind::quantum, 11));
    tracer.record(event(200, 1, TraceKind::quantum, 12));
    tracer.record(event(200, 0, TraceKind::quantum, 13));
    tracer.record(event(300, 0, TraceKind::quantum, 14));
    const std::vector<std::string> expected = {
        "100 1 quantum #11 0 0", "200 0 quantum #10 0 0", "200 1 quantum #12 0 0",
        "200 0 quantum #13 0 0", "300 0 quantum #14 0 0",
    };
    EXPECT_EQ(text_log_lines(tracer), expected);
}

TEST(Tracer, CountsDroppedEventsWhenACpuBufferIsFullAndKeepsHashing) {
    Tracer tracer(TraceLevel::full, 2, /*max_events_per_cpu=*/2);
    const std::vector<TraceEvent> events = {
        event(10, 0, TraceKind::dispatch, 1, no_slot, 0),
        event(20, 0, TraceKind::quantum, 1, 8),
        event(25, 1, TraceKind::quantum, 2, 8),
        event(30, 0, TraceKind::dispatch, 2, 1, 0),  // first event that does not fit
        event(40, 0, TraceKind::quantum, 2, 8),
        event(50, 0, TraceKind::exit, 2, 0),
    };
    for (const TraceEvent& e : events)
        tracer.record(e);

    EXPECT_EQ(tracer.event_count(), 6u);
    EXPECT_EQ(tracer.stored_count(), 3u);
    EXPECT_EQ(tracer.dropped(), 3u);
    EXPECT_EQ(tracer.digest(), reference_digest(events));

    const auto lines = text_log_lines(tracer);
    ASSERT_EQ(lines.size(), 4u);  // three events and the drop note
    EXPECT_EQ(lines.back().rfind("# 3 events dropped", 0), 0u) << lines.back();
    EXPECT_NE(lines.back().find("cpu 0: 3 from 30 ns"), std::string::npos) << lines.back();

    const json trace = json::parse(chrome_trace_of(tracer));
    EXPECT_EQ(trace.at("otherData").at("dropped_events"), 3);
    EXPECT_EQ(trace.at("otherData").at("complete"), false);
    const auto instants = with_phase(trace, "i");
    const auto marker = std::find_if(instants.begin(), instants.end(),
                                     [](const json& i) { return i.at("name") == "trace buffer full"; });
    ASSERT_NE(marker, instants.end());
    EXPECT_EQ(marker->at("pid"), 0);
    EXPECT_EQ(marker->at("s"), "p");
    EXPECT_EQ(marker->at("ts"), 0.03);
    EXPECT_EQ(marker->at("args").at("dropped_events"), 3);
    // The last stored slice on the full CPU ends where knowledge ends.
    const auto slices = with_phase(trace, "X");
    ASSERT_EQ(slices.size(), 1u);
    EXPECT_EQ(slices[0].at("dur"), 0.02);
}

TEST(Tracer, CountsEventsFromAnUnknownCpuAsDropped) {
    Tracer tracer(TraceLevel::full, 2);
    tracer.record(event(10, 5, TraceKind::quantum, 1));
    EXPECT_EQ(tracer.event_count(), 1u);
    EXPECT_EQ(tracer.stored_count(), 0u);
    EXPECT_EQ(tracer.dropped(), 1u);
}

TEST(Tracer, LevelOffRecordsNothing) {
    Tracer tracer(TraceLevel::off, 2);
    for (const TraceEvent& e : two_cpu_scenario())
        tracer.record(e);
    EXPECT_EQ(tracer.event_count(), 0u);
    EXPECT_EQ(tracer.stored_count(), 0u);
    EXPECT_EQ(tracer.dropped(), 0u);
    EXPECT_EQ(tracer.digest(), 0u);
    EXPECT_TRUE(text_log_lines(tracer).empty());
    const json trace = json::parse(chrome_trace_of(tracer));
    EXPECT_TRUE(with_phase(trace, "X").empty());
    EXPECT_TRUE(with_phase(trace, "i").empty());
}

TEST(Tracer, LevelDigestHashesEverythingAndStoresNothing) {
    const auto events = two_cpu_scenario();
    Tracer digest_only(TraceLevel::digest, 2);
    Tracer full(TraceLevel::full, 2);
    for (const TraceEvent& e : events) {
        digest_only.record(e);
        full.record(e);
    }
    EXPECT_EQ(digest_only.event_count(), events.size());
    EXPECT_EQ(digest_only.digest(), reference_digest(events));
    EXPECT_EQ(digest_only.stored_count(), 0u);
    EXPECT_EQ(digest_only.dropped(), 0u);
    EXPECT_TRUE(text_log_lines(digest_only).empty());
    // The digest does not depend on whether events are also kept.
    EXPECT_EQ(full.digest(), digest_only.digest());
}

// Process names never enter the digest: they are labels for the exports.
TEST(Tracer, NamesDoNotChangeTheDigest) {
    Tracer named(TraceLevel::digest, 2);
    Tracer unnamed(TraceLevel::digest, 2);
    name_processes(named);
    for (const TraceEvent& e : two_cpu_scenario()) {
        named.record(e);
        unnamed.record(e);
    }
    EXPECT_EQ(named.digest(), unnamed.digest());
}

TEST(Tracer, EscapesNamesInJsonAndKeepsTextColumns) {
    Tracer tracer(TraceLevel::full, 1);
    const std::string awkward = "we\"ird\\name\twith space\n";
    tracer.set_process_name(4, awkward);
    tracer.set_process_name(5, "bad\xff utf8");
    tracer.record(event(5, 0, TraceKind::dispatch, 4, no_slot, 0));
    tracer.record(event(7, 0, TraceKind::send, 4, 5, 1));

    const json trace = json::parse(chrome_trace_of(tracer));
    const auto slices = with_phase(trace, "X");
    ASSERT_EQ(slices.size(), 1u);
    EXPECT_EQ(slices[0].at("name"), awkward);

    const auto lines = text_log_lines(tracer);
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0], "5 0 dispatch we\"ird\\name_with_space_(4) - 0");
}

TEST(Tracer, ConvertsLargeTimesToMicrosecondsExactly) {
    Tracer tracer(TraceLevel::full, 1);
    tracer.record(event(123'456'789'012'345, 0, TraceKind::quantum, 1));
    tracer.record(event(123'456'789'012'346, 0, TraceKind::quantum, 1));
    const std::string text = chrome_trace_of(tracer);
    EXPECT_NE(text.find(R"("ts":123456789012.345)"), std::string::npos);
    EXPECT_NE(text.find(R"("ts":123456789012.346)"), std::string::npos);
}

// A larger random run across four CPUs: the export stays valid JSON, every
// dispatch is a slice, every flow start has exactly one end, and the text log
// has a line per event.
TEST(Tracer, LargeRandomRunExportsConsistently) {
    constexpr uint32_t cpus = 4;
    constexpr uint32_t processes = 12;
    Tracer tracer(TraceLevel::full, cpus);
    uint64_t state = 42;
    auto next = [&state](uint32_t bound) {  // a small LCG: deterministic everywhere
        state = state * 6364136223846793005u + 1442695040888963407u;
        return static_cast<uint32_t>((state >> 33) % bound);
    };
    uint64_t clocks[cpus] = {};
    size_t dispatches = 0;
    constexpr size_t total = 50'000;
    for (size_t i = 0; i < total; ++i) {
        const auto cpu = static_cast<uint8_t>(next(cpus));
        clocks[cpu] += next(300);
        const uint32_t a = next(processes);
        const uint32_t b = next(processes);
        switch (next(4)) {
            case 0:
                tracer.record(event(clocks[cpu], cpu, TraceKind::dispatch, a, b, cpu));
                ++dispatches;
                break;
            case 1:
                tracer.record(event(clocks[cpu], cpu, TraceKind::send, a, b, 1));
                tracer.record(event(clocks[cpu], cpu, TraceKind::deliver, b, a, 1));
                break;
            case 2: tracer.record(event(clocks[cpu], cpu, TraceKind::idle, cpu)); break;
            case 3: tracer.record(event(clocks[cpu], cpu, TraceKind::block, a, b, 2)); break;
        }
    }
    EXPECT_EQ(text_log_lines(tracer).size(), tracer.stored_count());
    const json trace = json::parse(chrome_trace_of(tracer));
    EXPECT_EQ(with_phase(trace, "X").size(), dispatches);
    const auto starts = with_phase(trace, "s");
    const auto ends = with_phase(trace, "f");
    EXPECT_GT(starts.size(), 0u);
    EXPECT_EQ(starts.size(), ends.size());
    std::set<uint64_t> ids;
    for (const json& start : starts)
        EXPECT_TRUE(ids.insert(start.at("id").get<uint64_t>()).second);
    for (const json& end : ends)
        EXPECT_EQ(ids.erase(end.at("id").get<uint64_t>()), 1u);
}

}  // namespace
}  // namespace axl::sim
