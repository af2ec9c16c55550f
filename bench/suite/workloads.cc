// Workload benchmarks: fan-in, pipelines and notification throughput, for every
// IPC strategy, deterministic mode, one simulated CPU, tracing off.
//
//   BM_FanIn/ipc:S/clients:N        N clients sendrec to one echo server, which
//                                   answers with reply_receive. One iteration =
//                                   one request answered.
//   BM_Pipeline/ipc:S/stages:K      source -> stage 1 -> ... -> stage K -> sink,
//                                   one-way `send`s (K + 1 hops, K + 2 processes).
//                                   One iteration = one item arriving at the sink,
//                                   i.e. steady-state end-to-end throughput.
//   BM_NotifyThroughput/ipc:S       4 notifiers notify one receiver of higher
//                                   priority. One iteration = one notification
//                                   delivered (receive returned it).
//
// S is the IpcStrategyKind number (0 rendezvous, 1 ring, 2 queue; the label
// names it). As in bench/ipc_round_trip.cc, Google Benchmark's timing loop runs
// *inside* a simulated process -- the one every unit of work passes through
// (the server, the sink, the receiver) -- so each iteration is real work
// through the kernel and the hosted port; building and booting the system
// stay outside the timed region. The other processes loop forever; when the
// timing process exits, they get dead_endpoint from their next call (or are
// woken with it) and exit with status 0, so every run ends by itself and every
// process must meet its expectation (a failure skips the benchmark with the
// reason).
//
// Counters (all per unit of work above, averaged over the timed loop):
//   virtual_ns   virtual time under the cost model (axl::clock() around the loop)
//   items_per_second (SetItemsProcessed): requests / items / delivered
//                notifications per wall second (UseRealTime: the time column and
//                the rate are both wall clock, as in `make run`'s table)
//   FanIn:    server_blocks_per_request: times the server blocked in receive per
//             request (1 = no batching; 1/N = it served all N clients per wake)
//   Pipeline: blocks_per_item: blocks of all processes per item
//   Notify:   sent_per_delivered: successful notify calls per delivered
//             notification (1 = nothing coalesced); notifiers_active: how many
//             of the notifiers got to notify at all in the last run
// The blocks and sent counts come from the run report's per-process counters,
// which cover the whole run; outside the timed loop there is at most one call
// per process, so they are exact to within that.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "kernel/api/calls.h"
#include "kernel/api/ipc.h"
#include "kernel/api/program.h"
#include "sim/port/simulator.h"
#include "sim/config/system_description.h"

namespace {

namespace sim = axl::sim;
using axl::bit;
using axl::IpcStrategyKind;
using axl::KernelCall;
using axl::Primitive;

// Handed from the host benchmark to the timing process of the running system.
benchmark::State* g_workload_state = nullptr;

// A self-check failed in some process: stop the timing loop with the reason
// (it then ends at its next check) and end the process with status 1.
int32_t bench_fail(const char* what) {
    if (g_workload_state) g_workload_state->SkipWithError(what);
    return 1;
}

// The endpoint of `name` for a process that runs until the timing process is
// gone: false with `done` = 0 if the lookup found nothing because the timed
// loop already ended (the process started after the timing process exited:
// a process of lower priority, or a very short run), else `done` = 1.
bool lookup_peer(const char* name, axl::Endpoint& endpoint, int32_t& done) {
    axl::Status status = axl::lookup(name, endpoint);
    if (status == axl::Status::ok) return true;
    done = status == axl::Status::not_found ? 0 : bench_fail("lookup of a peer failed");
    return false;
}

// Virtual ns per unit of work over the timed loop.
void set_virtual_ns(uint64_t start_ns, uint64_t end_ns, uint64_t units) {
    if (units) g_workload_state->counters["virtual_ns"] = static_cast<double>(end_ns - start_ns) / static_cast<double>(units);
}

// System construction ---------------------------------------------------------------

sim::ProcessDescription process(std::string name, const char* program, uint8_t priority, uint32_t primitives,
                                uint32_t kernel_calls, std::vector<std::string> destinations,
                                sim::Expectation expect = sim::Expectation::exit) {
    sim::ProcessDescription description;
    description.name = std::move(name);
    description.program = program;
    description.priority = priority;
    description.primitives = primitives;
    description.kernel_calls = kernel_calls;  // exit is always granted
    description.destinations = std::move(destinations);
    description.expect = expect;
    return description;
}

sim::SystemDescription make_system(const char* name, IpcStrategyKind ipc) {
    sim::SystemDescription description;
    description.path = "<bench>";
    description.name = name;
    description.cpus = 1;
    description.ipc = ipc;
    return description;
}

// Boots `system` untraced, runs it with the timing process reading `state`,
// and returns the report (a failed run skips the benchmark with the reason).
sim::RunReport run_timed(benchmark::State& state, const sim::SystemDescription& description) {
    sim::Simulator simulator(description, {.trace_level = sim::TraceLevel::off, .echo_console = false});
    g_workload_state = &state;
    sim::RunReport report = simulator.run();
    g_workload_state = nullptr;
    state.SetLabel(to_string(description.ipc));
    if (!report.ok) {
        std::string why = "the system " + description.name + " failed";
        for (const std::string& failure : report.failures) why += "; " + failure;
        state.SkipWithError(why.c_str());
    }
    return report;
}

const sim::ProcessReport* find(const sim::RunReport& report, const std::string& name) {
    for (const sim::ProcessReport& process : report.processes)
        if (process.name == name) return &process;
    return nullptr;
}

// Fan-in ------------------------------------------------------------------------------

// The timing process: each iteration replies to the current request and takes
// the next one, in one reply_receive.
AXL_PROGRAM(bench_fanin_server, "benchmark: echoes every request with reply_receive; times requests served") {
    axl::Message message;
    uint64_t start_ns = 0;
    uint64_t end_ns = 0;
    if (axl::receive(axl::endpoints::any, message) != axl::Status::ok) return bench_fail("server: first receive failed");
    (void)axl::clock(start_ns);
    uint64_t served = 0;
    for (auto _ : *g_workload_state) {
        if (axl::reply_receive(message.source, message) != axl::Status::ok) return bench_fail("server: reply_receive failed");
        ++served;
    }
    (void)axl::clock(end_ns);
    set_virtual_ns(start_ns, end_ns, served);
    return 0;
}

AXL_PROGRAM(bench_fanin_client, "benchmark: sendrec to `server` forever, checks each echo; exits when it is gone") {
    axl::Endpoint server;
    if (int32_t done; !lookup_peer("server", server, done)) return done;
    axl::Message message;
    for (uint64_t seq = 0;; ++seq) {
        message.payload.words[0] = seq;
        axl::Status status = axl::sendrec(server, message);
        if (status == axl::Status::dead_endpoint) return 0;  // the timed loop is over
        if (status != axl::Status::ok) return bench_fail("client: sendrec failed");
        if (message.source != server || message.payload.words[0] != seq) return bench_fail("client: wrong echo");
    }
}

void BM_FanIn(benchmark::State& state) {
    const auto ipc = static_cast<IpcStrategyKind>(state.range(0));
    const auto clients = static_cast<int>(state.range(1));
    sim::SystemDescription description = make_system("fan-in", ipc);
    std::vector<std::string> client_names;
    for (int i = 0; i < clients; ++i) client_names.push_back("client." + std::to_string(i));
    // All at one priority, as in workloads/fanin.toml: clients queue up at the
    // server while it runs, which is where the strategies differ.
    description.processes.push_back(process("server", "bench_fanin_server", 8,
                                            bit(Primitive::receive) | bit(Primitive::reply_receive),
                                            bit(KernelCall::clock), client_names));
    for (const std::string& name : client_names)
        description.processes.push_back(
            process(name, "bench_fanin_client", 8, bit(Primitive::sendrec), bit(KernelCall::lookup), {"server"}));
    sim::RunReport report = run_timed(state, description);
    state.SetItemsProcessed(state.iterations());
    if (const sim::ProcessReport* server = find(report, "server"); server && server->counters.received)
        state.counters["server_blocks_per_request"] =
            static_cast<double>(server->counters.blocked) / static_cast<double>(server->counters.received);
}
BENCHMARK(BM_FanIn)
    ->ArgNames({"ipc", "clients"})
    ->ArgsProduct({{static_cast<int>(IpcStrategyKind::rendezvous), static_cast<int>(IpcStrategyKind::ring),
                    static_cast<int>(IpcStrategyKind::queue)},
                   {1, 2, 4, 8, 16, 32, 64}})
    ->UseRealTime();

// Pipeline ----------------------------------------------------------------------------

// Items: words[0] = sequence number, words[2] = hops so far.
AXL_PROGRAM(bench_pipeline_source, "benchmark: sends numbered items to `next` forever; exits when it is gone") {
    axl::Endpoint next;
    if (int32_t done; !lookup_peer(axl::arg_string("next", ""), next, done)) return done;
    axl::Message message;
    for (uint64_t seq = 0;; ++seq) {
        message.payload.words[0] = seq;
        message.payload.words[2] = 0;
        axl::Status status = axl::send(next, message);
        if (status == axl::Status::dead_endpoint) return 0;
        if (status != axl::Status::ok) return bench_fail("source: send failed");
    }
}

AXL_PROGRAM(bench_pipeline_stage, "benchmark: receives from `prev`, counts the hop, sends to `next`, forever") {
    axl::Endpoint prev;
    axl::Endpoint next;
    if (int32_t done; !lookup_peer(axl::arg_string("prev", ""), prev, done)) return done;
    if (int32_t done; !lookup_peer(axl::arg_string("next", ""), next, done)) return done;
    axl::Message message;
    for (;;) {
        // receive(any): a stage has exactly one sender, checked below.
        if (axl::receive(axl::endpoints::any, message) != axl::Status::ok) return bench_fail("stage: receive failed");
        if (message.source != prev) return bench_fail("stage: item from the wrong sender");
        message.payload.words[2] += 1;
        axl::Status status = axl::send(next, message);
        if (status == axl::Status::dead_endpoint) return 0;
        if (status != axl::Status::ok) return bench_fail("stage: send failed");
    }
}

// The timing process: each iteration is one item arriving, checked (order,
// sender, hop count).
AXL_PROGRAM(bench_pipeline_sink, "benchmark: receives items from `prev`; times items delivered end to end") {
    axl::Endpoint prev;
    if (axl::lookup(axl::arg_string("prev", ""), prev) != axl::Status::ok) return bench_fail("sink: no prev");
    const auto hops = static_cast<uint64_t>(axl::arg_int("stages", 0));
    axl::Message message;
    uint64_t start_ns = 0;
    uint64_t end_ns = 0;
    uint64_t expected = 0;
    (void)axl::clock(start_ns);
    for (auto _ : *g_workload_state) {
        if (axl::receive(axl::endpoints::any, message) != axl::Status::ok) return bench_fail("sink: receive failed");
        if (message.source != prev || message.payload.words[0] != expected || message.payload.words[2] != hops)
            return bench_fail("sink: item out of order, from the wrong sender or with the wrong hop count");
        ++expected;
    }
    (void)axl::clock(end_ns);
    set_virtual_ns(start_ns, end_ns, expected);
    return 0;
}

void BM_Pipeline(benchmark::State& state) {
    const auto ipc = static_cast<IpcStrategyKind>(state.range(0));
    const auto stages = static_cast<int>(state.range(1));
    sim::SystemDescription description = make_system("pipeline", ipc);
    std::vector<std::string> names{"source"};
    for (int i = 1; i <= stages; ++i) names.push_back("stage." + std::to_string(i));
    names.push_back("sink");
    const uint32_t lookup = bit(KernelCall::lookup);
    // All at one priority, as in workloads/pipeline.toml: each process runs
    // until it blocks (a full buffer, or no rendezvous partner).
    for (size_t i = 0; i < names.size(); ++i) {
        sim::ProcessDescription p;
        if (i == 0)
            p = process(names[i], "bench_pipeline_source", 8, bit(Primitive::send), lookup, {names[i + 1]});
        else if (i + 1 < names.size())
            p = process(names[i], "bench_pipeline_stage", 8, bit(Primitive::receive) | bit(Primitive::send), lookup,
                        {names[i + 1]});
        else
            p = process(names[i], "bench_pipeline_sink", 8, bit(Primitive::receive), lookup | bit(KernelCall::clock),
                        {});
        if (i > 0) p.args["prev"] = names[i - 1];
        if (i + 1 < names.size()) p.args["next"] = names[i + 1];
        if (i + 1 == names.size()) p.args["stages"] = int64_t{stages};
        description.processes.push_back(std::move(p));
    }
    sim::RunReport report = run_timed(state, description);
    state.SetItemsProcessed(state.iterations());
    const sim::ProcessReport* sink = find(report, "sink");
    if (sink && sink->counters.received) {
        uint64_t blocks = 0;
        for (const sim::ProcessReport& p : report.processes) blocks += p.counters.blocked;
        state.counters["blocks_per_item"] = static_cast<double>(blocks) / static_cast<double>(sink->counters.received);
    }
}
BENCHMARK(BM_Pipeline)
    ->ArgNames({"ipc", "stages"})
    ->ArgsProduct({{static_cast<int>(IpcStrategyKind::rendezvous), static_cast<int>(IpcStrategyKind::ring),
                    static_cast<int>(IpcStrategyKind::queue)},
                   {1, 2, 4, 8}})
    ->UseRealTime();

// Notification throughput ---------------------------------------------------------------

constexpr int notify_notifiers = 4;

// The timing process: each iteration is one receive that returned a
// notification.
AXL_PROGRAM(bench_notify_receiver, "benchmark: receives notifications; times notifications delivered") {
    axl::Message message;
    uint64_t start_ns = 0;
    uint64_t end_ns = 0;
    uint64_t delivered = 0;
    (void)axl::clock(start_ns);
    for (auto _ : *g_workload_state) {
        if (axl::receive(axl::endpoints::any, message) != axl::Status::ok) return bench_fail("receiver: receive failed");
        if (message.type != axl::message_types::notify) return bench_fail("receiver: expected a notification");
        ++delivered;
    }
    (void)axl::clock(end_ns);
    set_virtual_ns(start_ns, end_ns, delivered);
    return 0;
}

AXL_PROGRAM(bench_notifier, "benchmark: notifies `receiver` forever; exits when it is gone") {
    axl::Endpoint receiver;
    if (int32_t done; !lookup_peer("receiver", receiver, done)) return done;
    for (;;) {
        axl::Status status = axl::notify(receiver);
        if (status == axl::Status::dead_endpoint) return 0;
        if (status != axl::Status::ok) return bench_fail("notifier: notify failed");
    }
}

// The receiver has the higher priority (4 against the notifiers' 8): every
// notify finds it waiting in receive, hands it the notification and lets it
// run, so nothing coalesces (sent_per_delivered is 1) and an iteration costs a
// notify, a receive and two switches. The notifiers take turns a quantum at a
// time. Notifications bypass the strategies' buffers, so the three strategies
// should measure alike here (the coalescing semantics are workloads/notify.toml's
// subject).
void BM_NotifyThroughput(benchmark::State& state) {
    const auto ipc = static_cast<IpcStrategyKind>(state.range(0));
    sim::SystemDescription description = make_system("notify", ipc);
    description.processes.push_back(
        process("receiver", "bench_notify_receiver", 4, bit(Primitive::receive), bit(KernelCall::clock), {}));
    for (int i = 0; i < notify_notifiers; ++i)
        description.processes.push_back(process("notifier." + std::to_string(i), "bench_notifier", 8,
                                                bit(Primitive::notify), bit(KernelCall::lookup), {"receiver"}));
    sim::RunReport report = run_timed(state, description);
    state.SetItemsProcessed(state.iterations());
    state.counters["notifiers"] = notify_notifiers;
    const sim::ProcessReport* receiver = find(report, "receiver");
    if (receiver && receiver->counters.received) {
        uint64_t sent = 0;
        int active = 0;
        for (const sim::ProcessReport& p : report.processes) {
            sent += p.counters.notifies_sent;
            active += p.counters.notifies_sent > 0;
        }
        state.counters["notifiers_active"] = active;
        state.counters["sent_per_delivered"] =
            static_cast<double>(sent) / static_cast<double>(receiver->counters.received);
    }
}
BENCHMARK(BM_NotifyThroughput)
    ->ArgName("ipc")
    ->Arg(static_cast<int>(IpcStrategyKind::rendezvous))
    ->Arg(static_cast<int>(IpcStrategyKind::ring))
    ->Arg(static_cast<int>(IpcStrategyKind::queue))
    ->UseRealTime();

}  // namespace
