// `make test-tsan` (docs/testing.md) proves something only if ThreadSanitizer
// is really watching the process fibers: this plants a race between two
// processes on two CPUs and expects the TSan build to report it, naming both
// processes. Skipped in normal builds.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <string>

#include "kernel/api/calls.h"
#include "kernel/api/program.h"
#include "sim/port/fiber.h"
#include "sim/port/simulator.h"
#include "sim/config/system_description.h"

namespace axl::sim {
namespace {

std::atomic<int> racers_arrived{0};
long racy_total = 0;  // both racers write it with nothing ordering them: the race

// Relaxed: TSan learns no ordering from it, only that both racers run.
void wait_for_both_racers() {
    racers_arrived.fetch_add(1, std::memory_order_relaxed);
    while (racers_arrived.load(std::memory_order_relaxed) < 2) {
    }
}

AXL_PROGRAM(tsan_test_racer, "ThreadSanitizer test: races the other racer on a plain global") {
    wait_for_both_racers();
    // Many writes, not one: TSan can miss two accesses made at the very same
    // moment (each checks before the other has recorded its own).
    for (int i = 0; i < 1000; ++i) {
        racy_total = racy_total + 1;
        asm volatile("" ::: "memory");  // one load and store each time round
    }
    return 0;
}

void run_two_racers() {
    SystemDescription system;
    system.path = "<thread sanitizer test>";
    system.name = "tsan-race";
    system.cpus = 2;
    for (int cpu = 0; cpu < 2; ++cpu) {
        ProcessDescription racer;
        racer.name = "racer" + std::to_string(cpu);
        racer.program = "tsan_test_racer";
        racer.kernel_calls = default_kernel_calls;
        racer.cpu = cpu;
        system.processes.push_back(racer);
    }
    RunOptions options;
    options.echo_console = false;
    options.parallel = true;
    Simulator simulator(system, options);
    (void)simulator.run();
}

TEST(ThreadSanitizerDeathTest, ReportsARaceBetweenTwoProcessesByName) {
    if (!AXL_TSAN_FIBERS) GTEST_SKIP() << "not a ThreadSanitizer build";
    // A fresh process for the racers: the fast style would fork this one.
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    // TSan makes the exit status 66 once it has reported (TSAN_OPTIONS
    // exitcode), and stops at the report with halt_on_error.
    EXPECT_EXIT(
        {
            run_two_racers();
            std::exit(0);
        },
        testing::ExitedWithCode(66), "ThreadSanitizer: data race.*Thread T[0-9]+ 'racer[01]'");
}

}  // namespace
}  // namespace axl::sim
