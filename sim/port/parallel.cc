#include "sim/port/parallel.h"

#include <linux/membarrier.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <sched.h>

#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

namespace axl::sim {

namespace {

// Polls (without the lock) until `cpu` may have work or the run is over, for
// at most a few tens of microseconds; true if it saw something.
bool spin_for_work(ParallelRun& run, const Kernel& kernel, uint32_t cpu, std::unique_lock<std::mutex>& lock) {
    constexpr auto budget = std::chrono::microseconds(50);
    lock.unlock();
    const auto start = std::chrono::steady_clock::now();
    bool seen = false;
    for (uint32_t round = 0; !seen; ++round) {
        seen = kernel.cpu_may_have_work(cpu) || run.finished.load(std::memory_order_relaxed);
        if (round % 64 == 63 && std::chrono::steady_clock::now() - start > budget) break;
        __builtin_ia32_pause();
    }
    lock.lock();
    return seen;
}

// One simulated CPU's host thread: its idle loop. Continues the processes the
// kernel chooses for this CPU; waits while it has nothing to run.
void cpu_thread(Port& port, uint32_t cpu) {
    set_current_port(&port);
    host_cpu = cpu;
    install_fault_guard();
    ParallelRun& run = *port.parallel;
    Kernel& kernel = *port.kernel;
    std::unique_lock lock(run.kernel_lock);
    for (;;) {
        port.release_finished_stacks(cpu);
        kernel.enter_from_cpu(cpu);
        // running() is set already when an ended process handed over to us.
        const bool chosen = kernel.running() != no_slot || kernel.run_from_idle_on(cpu);
        kernel.leave_to_cpu();
        if (chosen) {
            const uint32_t next = kernel.running();
            const Status status = kernel.process(next).ipc_status;
            lock.unlock();
            (void)switch_to_process(port, idle_context, next, status);
            lock.lock();
            continue;
        }
        if (run.finished) break;
        // (Runnable but held back, by `until`: nothing to poll for.)
        if (run.spin_when_idle && !kernel.cpu_may_have_work(cpu) && spin_for_work(run, kernel, cpu, lock)) continue;
        run.cpus[cpu].idle = true;
        run.idle_count += 1;
        if (run.idle_count == run.cpu_count) {
            bool any_work = false;
            for (uint32_t c = 0; c < run.cpu_count; ++c) any_work = any_work || kernel.cpu_has_work(c);
            if (!any_work) {
                run.finished = true;
                for (uint32_t c = 0; c < run.cpu_count; ++c) run.cpus[c].wake.notify_one();
            }
        }
        run.cpus[cpu].wake.wait(lock, [&] { return run.finished || kernel.cpu_has_work(cpu); });
        run.cpus[cpu].idle = false;
        run.idle_count -= 1;
        if (run.finished) break;
    }
    set_current_port(nullptr);
}

// The host cores this process may run on, in order.
std::vector<int> allowed_host_cores() {
    std::vector<int> cores;
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0) return cores;
    for (int core = 0; core < CPU_SETSIZE; ++core)
        if (CPU_ISSET(core, &set)) cores.push_back(core);
    return cores;
}

void pin_to_core(std::thread& thread, int core) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(core, &set);
    (void)pthread_setaffinity_np(thread.native_handle(), sizeof set, &set);  // best effort
}

}  // namespace

void run_parallel(Port& port, uint64_t until_ns) {
    if (port.events.next_time() != EventQueue::never)
        throw std::runtime_error("parallel mode does not deliver port events yet");
    Kernel& kernel = *port.kernel;
    ParallelRun run(kernel.cpu_count());
    // With a host core per simulated CPU, each CPU's thread gets its own core
    // (left to the host scheduler, two of them sharing a core take turns in
    // time slices, and a cross-CPU stream costs microseconds per message) and
    // an idle CPU polls before it sleeps.
    const std::vector<int> cores = allowed_host_cores();
    const bool core_per_cpu = kernel.cpu_count() <= cores.size();
    run.spin_when_idle = core_per_cpu;
    port.parallel = &run;
    kernel.set_parallel(true);
    // Asymmetric fences for the unlocked ring path, where the host has them.
    kernel.set_asymmetric_fences(syscall(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0);
    kernel.set_next_event_time(until_ns);
    std::vector<std::thread> threads;
    threads.reserve(kernel.cpu_count());
    for (uint32_t cpu = 0; cpu < kernel.cpu_count(); ++cpu) {
        threads.emplace_back(cpu_thread, std::ref(port), cpu);
        if (core_per_cpu) pin_to_core(threads.back(), cores[cpu]);
    }
    for (std::thread& thread : threads) thread.join();
    kernel.set_parallel(false);
    kernel.set_asymmetric_fences(false);
    port.parallel = nullptr;
    port.release_finished_stacks();
}

}  // namespace axl::sim
