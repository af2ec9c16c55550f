// Parallel mode: one host thread per simulated CPU, each running only the
// processes of its CPU, in real concurrency and wall time (not reproducible;
// deterministic mode stays the default).
//
// Kernel entries are serialised by one lock (a "big kernel lock"), taken
// around every kernel call and idle-loop decision; programs run concurrently
// outside it. The exception is a stream between CPUs through the ring
// strategy: its sends and receives take no lock at all
// (kernel/fastpath_unlocked.h). A process only ever runs on its own CPU's
// thread, so its fiber context is touched by that thread alone, and nothing
// needs the lock across a fiber switch.
//
// When there is a host core per simulated CPU, each CPU's thread is pinned to
// its own core, and an idle CPU polls for work for a short while before it
// sleeps (as a dedicated core would), so a receiver on another CPU that runs
// dry for a moment is continued without a futex wake-up. With more simulated
// CPUs than host cores, threads float and idle CPUs sleep at once.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>

#include "sim/port/hosted_port.h"

namespace axl::sim {

struct ParallelRun {
    explicit ParallelRun(uint32_t cpus_to_run) : cpus(new CpuThread[cpus_to_run]), cpu_count(cpus_to_run) {}

    struct CpuThread {
        std::condition_variable wake;  // work arrived, or the run is over
        bool idle = false;
    };

    std::mutex kernel_lock;
    std::unique_ptr<CpuThread[]> cpus;
    uint32_t cpu_count;
    uint32_t idle_count = 0;  // CPUs waiting in their idle loop
    std::atomic<bool> finished{false};  // every CPU idle with nothing to run: the run is over
    bool spin_when_idle = false;        // a host core per simulated CPU

    // After a kernel entry (lock held): wake idle CPUs the entry gave work to.
    void wake_cpus_with_work(const Kernel& kernel) {
        if (idle_count == 0) return;
        for (uint32_t cpu = 0; cpu < cpu_count; ++cpu)
            if (cpus[cpu].idle && kernel.cpu_has_work(cpu)) cpus[cpu].wake.notify_one();
    }
};

// Runs the booted system on `port` with one thread per CPU until every CPU is
// idle with nothing to run (or only work at or after `until_ns`).
void run_parallel(Port& port, uint64_t until_ns);

}  // namespace axl::sim
