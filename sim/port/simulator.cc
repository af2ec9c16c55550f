// Simulator: boots a system description on a Kernel with the hosted port and
// runs it in virtual time on the calling thread.
#include "sim/port/simulator.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <new>
#include <optional>

#include <fmt/format.h>

#include "ipc_strategies/queue/queue.h"
#include "ipc_strategies/rendezvous/rendezvous.h"
#include "ipc_strategies/ring/ring.h"
#include "sim/machine/cost_model.h"
#include "sim/machine/device_factory.h"
#include "sim/machine/device_kind.h"
#include "sim/port/hosted_port.h"
#include "sim/port/parallel.h"
#include "sim/port/program_registry.h"

namespace axl::sim {

namespace {

// The kernel's tables are sized for the largest system there may be
// (kernel/config.h: 2^17 process slots, about 33 MB), and constructing it
// writes all of them. In fresh memory that is a page fault every 4 KiB, which
// costs more than a short run itself; and glibc hands a block that size back
// to the host when it is freed. So each thread keeps the block of its last
// kernel for the next one: runs after runs (a campaign's worker, a test suite)
// construct their kernels in memory that is already there.
class KernelBlocks {
public:
    KernelBlocks() = default;
    KernelBlocks(const KernelBlocks&) = delete;
    KernelBlocks& operator=(const KernelBlocks&) = delete;
    ~KernelBlocks() { std::free(m_kept); }

    void* take() {
        void* block = m_kept ? m_kept : std::aligned_alloc(alignof(Kernel), bytes());
        if (!block) throw std::bad_alloc();
        m_kept = nullptr;
        return block;
    }
    void give_back(void* block) {
        if (m_kept) std::free(m_kept);
        m_kept = block;
    }

private:
    static constexpr size_t bytes() { return (sizeof(Kernel) + alignof(Kernel) - 1) / alignof(Kernel) * alignof(Kernel); }
    void* m_kept = nullptr;
};
thread_local KernelBlocks t_kernel_blocks;

}  // namespace

struct Simulator::State {
    SystemDescription system;
    Port port;
    std::optional<RendezvousStrategy> rendezvous;
    std::optional<RingStrategy> ring;
    std::optional<QueueStrategy> queue;
    std::unique_ptr<FaultInjector> injector;  // when the options carry faults
    bool ran = false;

    State() = default;
    State(const State&) = delete;
    State& operator=(const State&) = delete;
    // The kernel was built in a kept block (KernelBlocks), not by new: it
    // ends here, first, as the last member of Port would.
    ~State() {
        if (Kernel* kernel = port.kernel.release()) {
            kernel->~Kernel();
            t_kernel_blocks.give_back(kernel);
        }
    }
};

namespace {

[[noreturn]] void refuse(const SystemDescription& system, const ProcessDescription& process,
                         const std::string& what, Status status) {
    throw DescriptionError(
        fmt::format("{}:{}: {} (kernel: {})", system.path, process.line, what, to_string(status)));
}

unsigned char* allocate_storage(size_t bytes) {
    size_t rounded = (bytes + 63) & ~size_t{63};
    auto* storage = static_cast<unsigned char*>(std::aligned_alloc(64, rounded ? rounded : 64));
    if (!storage) throw std::bad_alloc();
    return storage;
}

void free_storage(unsigned char* storage) { std::free(storage); }

// With devices a run does not go quiescent by itself (a periodic timer ticks
// on, a socket may bring input): it ends once every CPU is idle and every
// process expected to exit has ended. A system of servers only runs until
// `until` (or until interrupted).
bool workloads_done(const Simulator::State& state) {
    const Kernel& kernel = *state.port.kernel;
    bool any_workload = false;
    for (uint32_t slot = 0; slot < kernel.slots_used(); ++slot) {
        const ProcessDescription* description = state.port.processes[slot].description;
        if (!description || description->expect != Expectation::exit) continue;
        any_workload = true;
        if (is_alive(kernel.process(slot).state)) return false;
    }
    return any_workload;
}

uint64_t latest_clock(const Kernel& kernel) {
    uint64_t latest = 0;
    for (uint32_t c = 0; c < kernel.cpu_count(); ++c) latest = std::max(latest, kernel.cpu(c).clock_ns);
    return latest;
}

IpcStrategy& make_strategy(Simulator::State& state, uint32_t slots, uint32_t cpus) {
    Port& port = state.port;
    switch (state.system.ipc) {
        case IpcStrategyKind::rendezvous:
            return state.rendezvous.emplace();
        case IpcStrategyKind::ring: {
            const uint32_t capacity = state.system.ring_capacity;
            size_t bytes = RingStrategy::storage_bytes(slots, cpus, capacity);
            port.strategy_storage = {allocate_storage(bytes), &free_storage};
            return state.ring.emplace(port.strategy_storage.get(), bytes, slots, cpus, capacity);
        }
        case IpcStrategyKind::queue: {
            size_t bytes = QueueStrategy::storage_bytes(slots);
            port.strategy_storage = {allocate_storage(bytes), &free_storage};
            return state.queue.emplace(port.strategy_storage.get(), bytes, slots);
        }
    }
    std::abort();
}
}  // namespace

Simulator::Simulator(const SystemDescription& system, const RunOptions& options)
    : m_state(std::make_unique<State>()) {
    State& state = *m_state;
    state.system = system;
    Port& port = state.port;
    port.system = &state.system;
    port.options = options;
    port.tracer = std::make_unique<Tracer>(options.trace_level, system.cpus);
    const auto& processes = state.system.processes;
    auto slots = static_cast<uint32_t>(processes.size());
    // Sized once: fault targets point into this vector while processes run.
    port.processes.resize(slots);
    port.stacks_to_release.resize(system.cpus);
    port.strategy = &make_strategy(state, slots, system.cpus);
    port.kernel.reset(new (t_kernel_blocks.take()) Kernel(port, *port.strategy, default_cost_model(), system.cpus));
    Kernel& kernel = *port.kernel;
    kernel.set_tracing(options.trace_level != TraceLevel::off);
    port.machine = std::make_unique<Machine>(port);
    if (!state.system.devices.empty() && options.parallel)
        throw DescriptionError(fmt::format("{}:{}: devices run in deterministic mode only (drop --parallel)",
                                           state.system.path, state.system.devices.front().line));
    // An injected fault acts at a point in virtual time or in a process's
    // call sequence; only the deterministic mode has either to offer.
    if (!options.faults.empty() && options.parallel)
        throw DescriptionError(fmt::format("{}:0: faults are injected in deterministic mode only (drop --parallel)",
                                           state.system.path));
    for (const DeviceDescription& device : state.system.devices)
        port.machine->attach(device.name, device.io_base, make_device(state.system, device, *port.machine));

    // The boot image: one privilege per privilege group (a process of its
    // own, or all replicas of one table, see privilege_group()), then
    // destinations by group name, then the processes in file order (which
    // fixes their slots).
    std::vector<uint16_t> privileges(slots);
    std::map<std::string, size_t> first_of_group;  // group name -> its first process
    for (size_t i = 0; i < processes.size(); ++i) first_of_group.try_emplace(privilege_group(processes[i]), i);
    for (size_t i = 0; i < processes.size(); ++i) {
        const ProcessDescription& process = processes[i];
        const size_t first = first_of_group.at(privilege_group(process));
        if (first != i) {
            privileges[i] = privileges[first];
            continue;
        }
        PrivilegeSpec spec{.primitives = process.primitives,
                           .kernel_calls = process.kernel_calls,
                           .all_destinations = process.all_destinations,
                           .devices = process.device_rights};
        Status status = kernel.create_privilege(spec, privileges[i]);
        if (status != Status::ok) refuse(state.system, process, "no privilege structure left", status);
    }
    for (size_t i = 0; i < processes.size(); ++i) {
        if (first_of_group.at(privilege_group(processes[i])) != i) continue;  // granted once per group
        for (const std::string& destination : processes[i].destinations) {
            auto found = first_of_group.find(destination);
            if (found == first_of_group.end())
                refuse(state.system, processes[i], "unknown destination '" + destination + "'",
                       Status::bad_argument);
            Status status = kernel.allow_destination(privileges[i], privileges[found->second]);
            if (status != Status::ok) refuse(state.system, processes[i], "cannot grant destination", status);
        }
    }
    // CPUs of dedicated processes stay out of the round-robin spread, wherever
    // those processes stand in the file.
    for (const ProcessDescription& process : processes) {
        if (!process.dedicated_cpu) continue;
        Status status = kernel.reserve_cpu(static_cast<uint32_t>(process.cpu));
        if (status != Status::ok) refuse(state.system, process, "cannot reserve its dedicated CPU", status);
    }
    for (size_t i = 0; i < processes.size(); ++i) {
        const ProcessDescription& process = processes[i];
        if (!find_program(process.program))
            refuse(state.system, process, "unknown program '" + process.program + "'", Status::bad_argument);
        port.spawning = &process;
        ProcessSpec spec{.name = process.name.c_str(),
                         .privilege = privileges[i],
                         .priority = process.priority,
                         .cpu = process.cpu,
                         .quantum_ns = process.quantum_ns};
        Endpoint endpoint;
        Status status = kernel.spawn(spec, endpoint);
        if (status != Status::ok) refuse(state.system, process, "cannot spawn", status);
        if (process.dedicated_cpu) {
            status = kernel.dedicate_cpu(static_cast<uint32_t>(process.cpu), endpoint);
            if (status != Status::ok) refuse(state.system, process, "cannot dedicate its CPU", status);
        }
    }
    port.spawning = nullptr;
}

Simulator::~Simulator() = default;

RunReport Simulator::run() {
    State& state = *m_state;
    if (state.ran) throw std::logic_error("Simulator::run() may be called once");
    state.ran = true;
    Port& port = state.port;
    Kernel& kernel = *port.kernel;
    install_fault_guard();
    set_current_port(&port);

    if (!port.options.faults.empty()) {
        state.injector = std::make_unique<FaultInjector>(port, port.options.faults);
        port.injector = state.injector.get();
        state.injector->start();
    }

    RunReport report;
    auto wall_start = std::chrono::steady_clock::now();
    const uint64_t until = state.system.until_ns.value_or(EventQueue::never);
    if (port.options.parallel) {
        run_parallel(port, until);
        // Only `until` can leave runnable work behind in parallel mode.
        report.stopped_by_until = kernel.next_runnable_time() != EventQueue::never;
    } else {
        const bool has_devices = port.machine->has_devices();
        const bool has_host_input = has_devices && port.machine->has_host_input();
        uint64_t turns = 0;
        // The discrete-event loop: whichever comes first in virtual time, a
        // port event (fired here, in the idle context) or a CPU with work (the
        // kernel runs it, and comes back before any CPU's clock passes the
        // next event).
        for (;;) {
            // Host input (a socket) also gets a look while the system is busy,
            // not only when it idles: a quick poll every few hundred turns.
            if (has_host_input && ++turns % 256 == 0) port.machine->wait_for_host_input(0, latest_clock(kernel));
            if (kernel.running() != no_slot) {
                // A process ended, and came here to have its stack released;
                // the kernel already chose who runs next.
                run_from_idle(port);
                continue;
            }
            const uint64_t next_run = kernel.next_runnable_time();
            const uint64_t next_event = port.events.next_time();
            const uint64_t next = std::min(next_run, next_event);
            if (next_run == EventQueue::never && has_devices && workloads_done(state)) break;
            if (next == EventQueue::never) {
                // Quiescent: everything exited or waits. Unless a device
                // brings input from the host (a socket): wait for it.
                if (!has_devices || !port.machine->has_host_input() || workloads_done(state)) break;
                port.machine->wait_for_host_input(100, latest_clock(kernel));
                continue;
            }
            if (next >= until) {
                report.stopped_by_until = true;
                break;
            }
            if (next_event <= next_run) {
                port.machine->set_event_time(next_event);
                port.events.fire_next();  // at equal times events go first, as interrupts would
                continue;
            }
            kernel.set_next_event_time(std::min(next_event, until));
            run_from_idle(port);
        }
    }
    port.machine->finish();
    auto wall_end = std::chrono::steady_clock::now();
    set_current_port(nullptr);

    report.system_name = state.system.name;
    report.seed = state.system.seed;
    report.ipc = state.system.ipc;
    report.cpus = state.system.cpus;
    report.parallel = port.options.parallel;
    report.messages = kernel.messages_delivered();
    for (uint32_t c = 0; c < kernel.cpu_count(); ++c)
        report.virtual_ns = std::max(report.virtual_ns, kernel.cpu(c).clock_ns);
    report.wall_seconds = std::chrono::duration<double>(wall_end - wall_start).count();
    report.digest = port.tracer->digest();
    report.trace_events = port.tracer->event_count();
    report.trace_events_stored = port.tracer->stored_count();
    report.trace_events_dropped = port.tracer->dropped();
    report.console = port.console;
    report.lifecycle = port.lifecycle;
    if (state.injector) report.faults = state.injector->outcomes();

    for (uint32_t slot = 0; slot < kernel.slots_used(); ++slot) {
        const Process& process = kernel.process(slot);
        const HostedProcess& hosted = port.processes[slot];
        ProcessReport entry;
        entry.name = hosted.description->name;
        entry.program = hosted.description->program;
        entry.endpoint = process.endpoint;
        entry.state = process.state;
        entry.exit_status = process.exit_status;
        entry.fault = hosted.fault;
        entry.restarts = hosted.restarts;
        entry.expect = hosted.description->expect;
        entry.counters = process.counters;
        switch (entry.expect) {
            case Expectation::exit:
                entry.met_expectation = process.state == ProcessState::exited && process.exit_status == 0;
                break;
            case Expectation::serve:
                entry.met_expectation = is_alive(process.state) ||
                                        (process.state == ProcessState::exited && process.exit_status == 0);
                break;
            case Expectation::fault:
                entry.met_expectation = process.state == ProcessState::faulted;
                break;
        }
        // A run cut short by `until` cannot hold processes to finishing.
        if (report.stopped_by_until && is_alive(process.state)) entry.met_expectation = true;
        if (!entry.met_expectation) {
            std::string what;
            if (process.state == ProcessState::faulted)
                what = "was killed by a fault: " + hosted.fault;
            else if (process.state == ProcessState::killed)
                what = "was killed by another process";
            else if (process.state == ProcessState::exited)
                what = fmt::format("exited with status {}", process.exit_status);
            else
                what = process.state == ProcessState::runnable ? "was still runnable"
                                                                : "was still blocked (waiting for a message)";
            const char* wanted = entry.expect == Expectation::exit    ? "exit with status 0"
                                 : entry.expect == Expectation::serve ? "serve without failing"
                                                                      : "be killed by a fault";
            report.failures.push_back(fmt::format("process '{}' ({}) {}; expected to {}", entry.name,
                                                  entry.program, what, wanted));
        }
        report.processes.push_back(std::move(entry));
    }
    report.ok = report.failures.empty();
    for (const DeviceDescription& device : state.system.devices) {
        const InterruptController::Line& line = port.machine->controller().line(device.irq);
        report.devices.push_back(DeviceReport{.name = device.name,
                                              .kind = device.kind->name,
                                              .driver = device.driver,
                                              .irq = device.irq,
                                              .direct = device.direct,
                                              .interrupts_raised = line.raised,
                                              .interrupts_delivered = line.delivered});
    }

    if (!port.options.trace_path.empty()) {
        std::ofstream out(port.options.trace_path);
        if (!out) throw std::runtime_error("cannot write trace file " + port.options.trace_path);
        port.tracer->write_chrome_trace(out);
    }
    if (!port.options.trace_text_path.empty()) {
        std::ofstream out(port.options.trace_text_path);
        if (!out) throw std::runtime_error("cannot write trace file " + port.options.trace_text_path);
        port.tracer->write_text_log(out);
    }
    return report;
}

}  // namespace axl::sim
