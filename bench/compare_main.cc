// axl_bench_compare: what `make run` shows. Runs the benchmarks side by side in
// one process (repetitions interleaved by Google Benchmark), takes medians and
// prints, next to the raw context-switch round trip (the floor), per IPC
// strategy: the sendrec round trip with the server replying by reply_receive
// (reply + next receive in one kernel entry) and by send then receive (two
// entries), and the one-way stream; each as wall ns, as a ratio to the floor,
// and as the strategy's deterministic virtual-time cost under the cost model.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <map>
#include <string>
#include <vector>

namespace {

struct Median {
    double wall_ns = 0;
    double virtual_ns = -1;
};

// Keeps the median aggregate of every benchmark; prints nothing itself.
class MedianCollector : public benchmark::BenchmarkReporter {
public:
    bool ReportContext(const Context&) override { return true; }
    void ReportRuns(const std::vector<Run>& runs) override {
        for (const Run& run : runs) {
            if (run.aggregate_name != "median") continue;
            Median& median = medians[run.run_name.function_name + "/" + run.run_name.args];
            median.wall_ns = run.GetAdjustedRealTime();
            auto counter = run.counters.find("virtual_ns");
            if (counter != run.counters.end()) median.virtual_ns = counter->second.value;
        }
    }
    std::map<std::string, Median> medians;
};

}  // namespace

int main(int argc, char** argv) {
    std::vector<char*> args(argv, argv + argc);
    std::string repetitions = "--benchmark_repetitions=12";
    std::string aggregates = "--benchmark_report_aggregates_only=true";
    std::string min_time = "--benchmark_min_time=0.1";
    std::string interleave = "--benchmark_enable_random_interleaving=true";
    // Defaults first: flags given on the command line come later and win.
    args.insert(args.begin() + 1, {repetitions.data(), aggregates.data(), min_time.data(), interleave.data()});
    int count = static_cast<int>(args.size());
    benchmark::Initialize(&count, args.data());
    if (benchmark::ReportUnrecognizedArguments(count, args.data())) return 2;

    fmt::print("Axolotl IPC strategy comparison on the default system: 1 CPU, tracing off\n");
    fmt::print("(medians of 12 repetitions unless --benchmark_repetitions says otherwise, interleaved in one\n"
               "process; takes about a minute)\n\n");
    MedianCollector collector;
    benchmark::RunSpecifiedBenchmarks(&collector);
    benchmark::Shutdown();

    auto floor = collector.medians.find("BM_RawContextSwitchRoundTrip/");
    if (floor == collector.medians.end() || floor->second.wall_ns <= 0) {
        fmt::print(stderr, "the floor benchmark did not run\n");
        return 1;
    }
    const double floor_ns = floor->second.wall_ns;
    const char* strategies[] = {"rendezvous", "ring", "queue"};
    bool complete = true;
    // The median of `benchmark` for strategy i, or null (and the table is incomplete).
    auto median = [&](const char* benchmark, int i) -> const Median* {
        auto found = collector.medians.find(fmt::format("{}/ipc:{}", benchmark, i));
        if (found == collector.medians.end()) {
            complete = false;
            return nullptr;
        }
        return &found->second;
    };
    auto row = [&](const std::string& operation, const Median* m) {
        if (m == nullptr) {
            fmt::print("{:<44} {:>12} {:>10} {:>16}\n", operation, "missing", "-", "-");
            return;
        }
        fmt::print("{:<44} {:>12.1f} {:>10.2f} {:>16}\n", operation, m->wall_ns, m->wall_ns / floor_ns,
                   m->virtual_ns < 0 ? std::string("-") : fmt::format("{:.0f}", m->virtual_ns));
    };

    fmt::print("{:<44} {:>12} {:>10} {:>16}\n", "operation", "wall ns", "x floor", "virtual ns");
    fmt::print("{:<44} {:>12.1f} {:>10.2f} {:>16}\n", "raw Boost.Context switch round trip (floor)", floor_ns, 1.0,
               "-");
    // Round trips: the same client and sendrec; the echo server replies with
    // reply_receive (one kernel entry) or with send and then receive (two).
    const Median* reply_receive[3] = {};
    const Median* send_receive[3] = {};
    for (int i = 0; i < 3; ++i) {
        reply_receive[i] = median("BM_SendrecReplyReceiveRoundTrip", i);
        send_receive[i] = median("BM_SendrecRoundTrip", i);
        row(fmt::format("sendrec + reply_receive, {}", strategies[i]), reply_receive[i]);
        row(fmt::format("sendrec + send/receive, {}", strategies[i]), send_receive[i]);
    }
    for (int i = 0; i < 3; ++i)
        row(fmt::format("one-way send (stream), {}", strategies[i]), median("BM_OneWayStream", i));

    fmt::print("\nwall ns: host time per round trip (per message for the stream rows); x floor: wall ns divided\n"
               "by the floor's wall ns measured in this same run (the floor is a round trip of two raw switches,\n"
               "so a stream row compares one message with it); virtual ns: simulated time per round trip or\n"
               "message under sim/machine/cost_model.cc (deterministic).\n"
               "sendrec + reply_receive: the echo server replies and waits for the next request in one kernel\n"
               "entry; sendrec + send/receive: it replies with send, then calls receive (two entries).\n");
    std::string speedups;
    for (int i = 0; i < 3; ++i) {
        if (reply_receive[i] == nullptr || send_receive[i] == nullptr) continue;
        speedups += fmt::format("{}{} {:.2f}", speedups.empty() ? "" : ", ", strategies[i],
                                reply_receive[i]->wall_ns / send_receive[i]->wall_ns);
    }
    if (!speedups.empty())
        fmt::print("\nwall ns of sendrec + reply_receive / sendrec + send/receive, same run: {}\n", speedups);
    if (reply_receive[0] != nullptr && send_receive[0] != nullptr)
        fmt::print("Target (issue 2): a rendezvous round trip at most 3x the floor; here {:.2f}x with reply_receive,\n"
                   "{:.2f}x with send/receive.\n",
                   reply_receive[0]->wall_ns / floor_ns, send_receive[0]->wall_ns / floor_ns);
    else
        fmt::print("Target (issue 2): a rendezvous round trip at most 3x the floor.\n");
    return complete ? 0 : 1;
}
