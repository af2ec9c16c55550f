// axl_bench_compare: what `make run` shows. Runs the round-trip benchmarks side
// by side in one process (repetitions interleaved by Google Benchmark), takes
// medians and prints each IPC strategy's sendrec+reply round trip next to the
// raw context-switch floor, as wall ns and as a ratio, plus the strategy's
// deterministic virtual-time cost under the cost model.
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
    fmt::print("(medians of 12 repetitions, interleaved in one process; takes about ten seconds)\n\n");
    MedianCollector collector;
    benchmark::RunSpecifiedBenchmarks(&collector);
    benchmark::Shutdown();

    auto floor = collector.medians.find("BM_RawContextSwitchRoundTrip/");
    if (floor == collector.medians.end() || floor->second.wall_ns <= 0) {
        fmt::print(stderr, "the floor benchmark did not run\n");
        return 1;
    }
    double floor_ns = floor->second.wall_ns;
    fmt::print("{:<44} {:>12} {:>10} {:>16}\n", "operation", "wall ns", "x floor", "virtual ns");
    fmt::print("{:<44} {:>12.1f} {:>10.2f} {:>16}\n", "raw Boost.Context switch (floor)", floor_ns, 1.0, "-");
    const char* strategies[] = {"rendezvous", "ring", "queue"};
    bool complete = true;
    for (int i = 0; i < 3; ++i) {
        auto found = collector.medians.find(fmt::format("BM_SendrecRoundTrip/ipc:{}", i));
        if (found == collector.medians.end()) {
            complete = false;
            continue;
        }
        fmt::print("{:<44} {:>12.1f} {:>10.2f} {:>16.0f}\n", fmt::format("sendrec + reply, {}", strategies[i]),
                   found->second.wall_ns, found->second.wall_ns / floor_ns, found->second.virtual_ns);
    }
    for (int i = 0; i < 3; ++i) {
        auto found = collector.medians.find(fmt::format("BM_OneWayStream/ipc:{}", i));
        if (found == collector.medians.end()) {
            complete = false;
            continue;
        }
        fmt::print("{:<44} {:>12.1f} {:>10.2f} {:>16.0f}\n", fmt::format("one-way send (stream), {}", strategies[i]),
                   found->second.wall_ns, found->second.wall_ns / floor_ns, found->second.virtual_ns);
    }
    fmt::print("\nwall ns: host time per round trip or per message; x floor: ratio to the raw switch round trip\n"
               "measured in this same run; virtual ns: simulated time under sim/cost_model.cc\n"
               "(deterministic). Target (issue 2): rendezvous at most 3x the floor.\n");
    return complete ? 0 : 1;
}
