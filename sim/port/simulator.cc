// Simulator: boots a system description on a Kernel with the hosted port and
// runs it in virtual time on the calling thread.
#include "sim/port/simulator.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <new>

#include <fmt/format.h>

#include "ipc_strategies/strategy_factory.h"
#include "kernel/boot/build_system.h"
#include "kernel/boot/verdict.h"
#include "sim/config/boot_image_of.h"
#include "sim/machine/cost_model.h"
#include "sim/machine/device_factory.h"
#include "sim/machine/device_kind.h"
#include "sim/port/hosted_port.h"
#include "sim/port/parallel.h"
#include "sim/port/program_registry.h"
#include "sim/port/wall_timeout.h"

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
    std::unique_ptr<HostedBootImage> boot_image;
    Port port;
    // The buffers first: the strategy that keeps messages in them ends before they do.
    std::unique_ptr<unsigned char, void (*)(unsigned char*)> strategy_buffers{nullptr, nullptr};
    StrategyHolder strategy;
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
    return boot::workloads_done(*state.port.kernel, *state.port.image);
}

uint64_t latest_clock(const Kernel& kernel) {
    uint64_t latest = 0;
    for (uint32_t c = 0; c < kernel.cpu_count(); ++c) latest = std::max(latest, kernel.cpu(c).clock_ns);
    return latest;
}

IpcStrategy& make_strategy(Simulator::State& state, uint32_t slots, uint32_t cpus) {
    const StrategyShape shape{.slots = slots, .cpus = cpus, .ring_capacity = state.system.ring_capacity};
    const size_t bytes = StrategyHolder::buffer_bytes(state.system.ipc, shape);
    if (bytes > 0) state.strategy_buffers = {allocate_storage(bytes), &free_storage};
    return state.strategy.construct(state.system.ipc, shape, state.strategy_buffers.get(), bytes);
}

bool has_program(const void*, const char* program) { return find_program(program) != nullptr; }
}  // namespace

Simulator::Simulator(const SystemDescription& system, const RunOptions& options)
    : m_state(std::make_unique<State>()) {
    State& state = *m_state;
    state.system = system;
    Port& port = state.port;
    port.system = &state.system;
    if (!state.system.hosted)
        throw DescriptionError(fmt::format(
            "{}:{}: system '{}' is for bare metal only (its [system] ports does not list \"hosted\"), so the "
            "hosted port does not run it; boot it with `axl boot --system {}`",
            state.system.path, state.system.ports_line, state.system.name, state.system.name));
    // Lowered before anything is built: a description it refuses costs nothing.
    state.boot_image = std::make_unique<HostedBootImage>(state.system);
    port.image = &state.boot_image->image();
    port.options = options;
    port.tracer = std::make_unique<Tracer>(options.trace_level, system.cpus,
                                           options.trace_events_per_cpu > 0 ? options.trace_events_per_cpu
                                                                            : Tracer::default_max_events_per_cpu);
    const auto& processes = state.system.processes;
    auto slots = static_cast<uint32_t>(processes.size());
    // Sized once: fault targets point into this vector while processes run.
    port.processes.resize(slots);
    port.stacks_to_release.resize(system.cpus);
    IpcStrategy& strategy = make_strategy(state, slots, system.cpus);
    port.kernel.reset(new (t_kernel_blocks.take()) Kernel(port, strategy, default_cost_model(), system.cpus));
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
    for (const DeviceDescription& device : state.system.devices) {
        if (device.pci)
            port.machine->attach_pci(device.name, PciAddress::of(device.pci_address), device.pci_bars,
                                     make_device(state.system, device, *port.machine));
        else
            port.machine->attach(device.name, device.io_base, make_device(state.system, device, *port.machine));
    }

    const boot::BootImage& image = *port.image;
    boot::BuildFailure failure;
    if (!boot::build_system(kernel, image, &has_program, nullptr, failure)) {
        const std::string what = failure.step == boot::BuildStep::program
                                     ? fmt::format("unknown program '{}'", boot::failure_subject(image, failure))
                                     : boot::describe(failure.step);
        throw DescriptionError(fmt::format("{}:{}: {} (kernel: {})", state.system.path,
                                           boot::failure_line(image, failure), what, to_string(failure.status)));
    }
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
    const WallTimeout wall_timeout(port, port.options.wall_timeout_seconds, port.options.wall_timeout_exit_status);
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
            if (!port.machine->stop_requested().empty()) {
                report.stopped_by_device = port.machine->stop_requested();
                break;
            }
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
        const ProcessDescription& described = state.system.processes[slot];  // slot i runs process i
        ProcessReport entry;
        entry.name = described.name;
        entry.program = described.program;
        entry.endpoint = process.endpoint;
        entry.state = process.state;
        entry.exit_status = process.exit_status;
        entry.fault = hosted.fault;
        entry.failure = hosted.failure;
        entry.restarts = hosted.restarts;
        entry.expect = described.expect;
        entry.counters = process.counters;
        entry.met_expectation = boot::meets(entry.expect, process.state, process.exit_status);
        // A run cut short by `until` cannot hold processes to finishing.
        if ((report.stopped_by_until || !report.stopped_by_device.empty()) && is_alive(process.state) &&
            !entry.met_expectation) {
            entry.met_expectation = true;
            entry.stopped = true;
        }
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
            const char* wanted = boot::wanted(entry.expect);
            report.failures.push_back(fmt::format("process '{}' ({}) {}; expected to {}{}", entry.name,
                                                  entry.program, what, wanted,
                                                  entry.failure.empty() ? "" : " (failed: " + entry.failure + ")"));
        }
        report.processes.push_back(std::move(entry));
    }
    report.ok = report.failures.empty();
    for (const DeviceDescription& device : state.system.devices) {
        const bool has_line = device.irq != no_irq;
        const InterruptController::Line* line = has_line ? &port.machine->controller().line(device.irq) : nullptr;
        report.devices.push_back(DeviceReport{.name = device.name,
                                              .kind = device.kind->name,
                                              .driver = device.driver,
                                              .irq = device.irq,
                                              .direct = device.direct,
                                              .interrupts_raised = line ? line->raised : 0,
                                              .interrupts_delivered = line ? line->delivered : 0});
    }
    for (const Machine::DeviceEvent& event : port.machine->device_events())
        report.device_events.push_back({event.at_ns, event.device, event.what});

    if (port.options.trace_stream) {
        port.tracer->write_chrome_trace(*port.options.trace_stream);
    } else if (!port.options.trace_path.empty()) {
        std::ofstream out(port.options.trace_path);
        if (!out) throw std::runtime_error("cannot write trace file " + port.options.trace_path);
        port.tracer->write_chrome_trace(out);
    }
    if (port.options.trace_text_stream) {
        port.tracer->write_text_log(*port.options.trace_text_stream);
    } else if (!port.options.trace_text_path.empty()) {
        std::ofstream out(port.options.trace_text_path);
        if (!out) throw std::runtime_error("cannot write trace file " + port.options.trace_text_path);
        port.tracer->write_text_log(out);
    }
    return report;
}

}  // namespace axl::sim
