// Simulator: the hosted port. Boots a SystemDescription on a Kernel, runs every
// process as a fiber on one host thread in virtual time, and reports.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "kernel/api/endpoint.h"
#include "kernel/process.h"
#include "sim/harness/fault_injector.h"
#include "sim/config/system_description.h"

namespace axl::sim {

enum class TraceLevel : uint8_t {
    off,     // no events (benchmarks): digest is not computed
    digest,  // every event is hashed into the run digest (the default)
    full,    // digest plus every event recorded for --trace export
};

struct RunOptions {
    TraceLevel trace_level = TraceLevel::digest;
    std::string trace_path;   // Chrome trace JSON written here at the end when set
    std::string trace_text_path;  // one line per event written here at the end when set
    // Or to these streams, opened by the caller before the run (they win over the paths).
    std::ostream* trace_stream = nullptr;
    std::ostream* trace_text_stream = nullptr;
    // Events kept per simulated CPU for the exports at TraceLevel::full; 0: the
    // tracer's default. Those past it are still hashed, counted as dropped.
    size_t trace_events_per_cpu = 0;
    bool echo_console = true; // process log lines go to stdout (else only kept)
    // One host thread per simulated CPU (sim/port/parallel.h): real concurrency in
    // wall time, not reproducible. Off: deterministic single-thread mode.
    bool parallel = false;
    // Faults to inject (a scenario's, sim/harness/scenario.h); deterministic mode only.
    std::vector<FaultSpec> faults;
    // Host seconds run() may take (0: no limit). When they are up, the command
    // ends with wall_timeout_exit_status and a warning naming the running
    // process (sim/port/wall_timeout.h): run() does not return.
    double wall_timeout_seconds = 0;
    int wall_timeout_exit_status = 1;
};

struct ProcessReport {
    std::string name;
    std::string program;
    Endpoint endpoint;
    ProcessState state = ProcessState::free;
    int32_t exit_status = 0;
    std::string fault;           // "" or what killed it ("SIGSEGV at 0x0 (null pointer)", ...)
    std::string failure;         // "" or the reason it gave axl::fail() (then exited with status 1)
    uint32_t restarts = 0;       // times the reincarnation server started it again
    Expectation expect = Expectation::exit;
    bool met_expectation = true;
    // Still alive when `until` stopped the run, though expected to exit or
    // fault: not held to it (met_expectation is true), but it did not get there.
    bool stopped = false;
    ProcessCounters counters;
};

// A process's death or restart, in virtual time: what fault scenarios
// measure detection and recovery from.
struct LifecycleEvent {
    enum class What : uint8_t { died, restarted };
    uint64_t time_ns = 0;
    uint32_t slot = 0;
    std::string process;
    What what = What::died;
    ProcessState state = ProcessState::free;  // died: exited, faulted or killed
};

// A device's interrupt line over the run: edges the device raised, and the
// deliveries to its driver they merged into.
struct DeviceReport {
    std::string name;
    std::string kind;
    std::string driver;
    uint32_t irq = 0;  // no_irq (sim/machine/device_kind.h): it raises none
    bool direct = false;
    uint64_t interrupts_raised = 0;
    uint64_t interrupts_delivered = 0;
};

// Something a device reported to the run (sim/machine/device.h,
// DeviceHost::device_event): a guest panic, a watchdog reset.
struct DeviceEventReport {
    uint64_t time_ns = 0;
    std::string device;
    std::string what;
};

struct RunReport {
    std::string system_name;
    uint64_t seed = 0;
    IpcStrategyKind ipc = IpcStrategyKind::rendezvous;
    uint32_t cpus = 1;
    uint64_t messages = 0;         // messages delivered (notifications included)
    uint64_t virtual_ns = 0;       // the largest CPU clock at the end
    double wall_seconds = 0;
    uint64_t digest = 0;
    uint64_t trace_events = 0;         // events hashed into the digest
    uint64_t trace_events_stored = 0;  // events written to the --trace file
    uint64_t trace_events_dropped = 0; // recorded but over the per-CPU buffer cap
    bool stopped_by_until = false;
    std::string stopped_by_device;  // "device: why" when a device ended the run (a watchdog reset), else empty
    bool parallel = false;         // ran in parallel mode: the digest is not reproducible
    bool ok = true;                // every process met its expectation
    std::vector<std::string> failures;  // one line per unmet expectation
    std::vector<ProcessReport> processes;
    std::vector<DeviceReport> devices;
    std::vector<DeviceEventReport> device_events;  // in order
    std::vector<LifecycleEvent> lifecycle;  // deaths before the end and restarts, in order
    std::vector<FaultOutcome> faults;       // RunOptions::faults, each with whether and when it acted
    std::vector<std::string> console;   // every log line, in order
};

class Simulator {
public:
    explicit Simulator(const SystemDescription& system, const RunOptions& options = {});
    ~Simulator();
    Simulator(const Simulator&) = delete;
    Simulator& operator=(const Simulator&) = delete;

    RunReport run();

    struct State;  // the port and its strategies; defined in simulator.cc

private:
    std::unique_ptr<State> m_state;
};

}  // namespace axl::sim
