#include "tools/axl/campaign_worker_pool.h"

#include <poll.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "tools/axl/campaign_worker.h"
#include "tools/axl/subprocess.h"

namespace axl::tools {
namespace {

using Clock = SteadyClock;

constexpr std::string_view panic_marker = "axolotl kernel panic";  // sim/port/platform_hosted.cc
constexpr size_t output_kept_bytes = 16 * 1024;  // of a worker's stderr, for the record of a crash

bool interrupted() { return SignalCatcher::caught() != 0; }

// "42 s", "3 min 20 s", "2 h 05 min": for people watching a campaign.
std::string format_wall(double seconds) {
    const auto whole = static_cast<uint64_t>(seconds + 0.5);
    if (whole < 60) return fmt::format("{} s", whole);
    if (whole < 3600) return fmt::format("{} min {:02} s", whole / 60, whole % 60);
    return fmt::format("{} h {:02} min", whole / 3600, whole % 3600 / 60);
}

// The time left at the pace so far: the runs done took `seconds`.
std::string eta(double seconds, uint64_t done, uint64_t planned) {
    if (done == 0 || planned <= done) return "ETA -";
    return "ETA " + format_wall(seconds / static_cast<double>(done) * static_cast<double>(planned - done));
}

struct Worker {
    Child process;
    Fd commands;  // we write run indices
    Fd results;   // it writes result lines
    Fd output;    // its stdout and stderr
    std::string partial_result;   // a result line not complete yet
    std::string output_tail;      // its output since the run in flight began
    std::optional<uint64_t> run;  // the index in flight
    Clock::time_point run_started;

    bool alive() const { return process.running(); }
};

class WorkerPool {
public:
    WorkerPool(const CampaignArguments& args, const sim::Scenario& scenario, CampaignTotals& totals,
               RunIndices runs)
        : m_args(args), m_scenario(scenario), m_totals(totals), m_runs(runs) {}

    bool run() {
        const Clock::time_point start = Clock::now();
        m_last_progress = start;
        for (;;) {
            if (interrupted()) m_totals.interrupted = true;
            const bool more = m_next < m_runs.count && !m_totals.interrupted;
            size_t live = 0;
            for (const Worker& worker : m_workers) live += worker.alive() ? 1 : 0;
            while (more && live < m_totals.jobs && live < m_runs.count - m_next + busy()) {
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
        for (Worker& worker : m_workers) retire(worker);
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
        Pipe commands = make_pipe(), results = make_pipe(), output = make_pipe();
        Worker worker;
        worker.process = Child::fork(
            {.stdout_fd = output.write.get(), .stderr_fd = output.write.get()},
            [&] {
                // The worker: none of the other workers' pipes, or their ends
                // would never see the end of the file.
                for (Worker& other : m_workers) {
                    other.commands.close();
                    other.results.close();
                    other.output.close();
                }
                commands.write.close();
                results.read.close();
                output.read.close();
                output.write.close();
                // Ctrl-C (or a scheduler's SIGTERM) reaches the whole group: the
                // parent decides, and lets the runs in flight finish.
                std::signal(SIGINT, SIG_IGN);
                std::signal(SIGTERM, SIG_IGN);
                std::signal(SIGPIPE, SIG_DFL);
                worker_main(m_scenario, m_totals.seed_base, commands.read.get(), results.write.get());
            },
            "a worker");
        worker.commands = std::move(commands.write);
        worker.results = std::move(results.read);
        worker.output = std::move(output.read);
        for (Worker& slot : m_workers)
            if (!slot.alive()) {
                slot = std::move(worker);
                return;
            }
        m_workers.push_back(std::move(worker));
    }

    void dispatch() {
        for (Worker& worker : m_workers) {
            if (!worker.alive() || worker.run || m_next == m_runs.count) continue;
            const uint64_t index = m_runs.at(m_next++);
            worker.run = index;
            worker.run_started = Clock::now();
            worker.output_tail.clear();
            if (!write_all(worker.commands.get(), fmt::format("{}\n", index))) {
                // It died between runs; its end shows on its pipes, with this run in flight.
            }
        }
    }

    void wait_for_workers() {
        std::vector<pollfd> polled;
        std::vector<std::pair<size_t, bool>> owners;  // worker, is its results pipe
        for (size_t w = 0; w < m_workers.size(); ++w) {
            const Worker& worker = m_workers[w];
            if (!worker.alive()) continue;
            polled.push_back({worker.results.get(), POLLIN, 0});
            owners.emplace_back(w, true);
            if (worker.output.is_open()) {
                polled.push_back({worker.output.get(), POLLIN, 0});
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
            if (worker.alive() && worker.run) deadline = std::min(deadline, worker.run_started + run_timeout());
        const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        return static_cast<int>(std::clamp<int64_t>(wait + 1, 0, 1000));
    }

    Clock::duration run_timeout() const {
        return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(m_args.run_timeout_seconds));
    }

    // False at the end of the pipe.
    bool read_output(Worker& worker) {
        if (!read_some(worker.output.get(), worker.output_tail, 4096)) {
            worker.output.close();
            return false;
        }
        if (worker.output_tail.size() > output_kept_bytes)
            worker.output_tail.erase(0, worker.output_tail.size() - output_kept_bytes);
        return true;
    }

    void read_results(Worker& worker) {
        if (!read_some(worker.results.get(), worker.partial_result, 16384)) {
            worker_died(worker);
            return;
        }
        for (size_t end; (end = worker.partial_result.find('\n')) != std::string::npos;) {
            RunResult result = parse_result_line(worker.partial_result.substr(0, end));
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
        while (worker.output.is_open() && read_output(worker)) {
        }
        const ExitStatus status = worker.process.wait();
        // Killed from outside while the campaign was being stopped: the run
        // did not fail, it was cut short.
        const bool stopped = (interrupted() || m_totals.interrupted) && status.signaled();
        if (worker.run && !stopped) {
            RunResult result;
            result.index = *worker.run;
            result.output = worker.output_tail;
            const size_t panic = worker.output_tail.find(panic_marker);
            if (panic != std::string::npos) {
                result.run_class = sim::RunClass::kernel_panic;
                const size_t end = worker.output_tail.find('\n', panic);
                result.detail = worker.output_tail.substr(panic, end == std::string::npos ? end : end - panic);
            } else {
                result.run_class = sim::RunClass::simulator_crash;
                result.detail = "the worker died: " + status.describe();
            }
            record(m_totals, m_totals.seed_base + result.index, result);
        }
        worker.run.reset();
        retire(worker);
    }

    void check_watchdog() {
        const Clock::time_point now = Clock::now();
        for (Worker& worker : m_workers) {
            if (!worker.alive() || !worker.run || now - worker.run_started < run_timeout()) continue;
            worker.process.kill();
            worker.process.wait();
            RunResult result;
            result.index = *worker.run;
            result.run_class = sim::RunClass::hang;
            result.detail = fmt::format("no result after {} s of wall time: the watchdog killed its worker",
                                        m_args.run_timeout_seconds);
            result.output = worker.output_tail;
            record(m_totals, m_totals.seed_base + result.index, result);
            worker.run.reset();
            retire(worker);
        }
    }

    // Ends a worker (closing its commands ends its loop), waits for it unless
    // it was reaped already, and forgets it.
    void retire(Worker& worker) {
        if (worker.process.pid() <= 0) return;
        worker.commands.close();
        worker.process.wait();
        worker = Worker{};
    }

    void report_progress(bool last) {
        const Clock::time_point now = Clock::now();
        if (!last && now - m_last_progress < std::chrono::seconds(1)) return;
        m_last_progress = now;  // also when quiet: it paces the wait for results
        if (m_args.quiet) return;
        const double seconds = std::chrono::duration<double>(now - m_started).count();
        const uint64_t faults = m_totals.faults_injected();
        const uint64_t failed = m_totals.runs - m_totals.count(sim::RunClass::survived);
        const uint64_t planned = m_runs.count;
        const std::string text = fmt::format(
            "campaign: {}/{} runs ({:.1f}%), {} faults injected, {:.0f} faults/s, {} failed, {}", m_totals.runs,
            planned, planned > 0 ? 100.0 * static_cast<double>(m_totals.runs) / static_cast<double>(planned) : 100.0,
            faults, seconds > 0 ? static_cast<double>(faults) / seconds : 0.0, failed,
            last ? fmt::format("took {}", format_wall(seconds)) : eta(seconds, m_totals.runs, planned));
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
    const RunIndices m_runs;  // the runs to do, drawn in order
    uint64_t m_next = 0;      // how many have been handed out
    std::vector<Worker> m_workers;
    std::string m_refused;
    const Clock::time_point m_started = Clock::now();
    Clock::time_point m_last_progress;
    const bool m_terminal = ::isatty(STDERR_FILENO) != 0;
};

}  // namespace

bool run_in_workers(const CampaignArguments& args, const sim::Scenario& scenario, CampaignTotals& totals,
                    RunIndices runs) {
    // A worker that dies must not take this process with it (a write to its
    // pipe), and an interrupt finishes the runs in flight and sums up; a
    // second one (SA_RESETHAND) ends it at once.
    std::signal(SIGPIPE, SIG_IGN);
    const SignalCatcher interrupts({SIGINT, SIGTERM}, SA_RESETHAND);
    return WorkerPool(args, scenario, totals, runs).run();
}

}  // namespace axl::tools
