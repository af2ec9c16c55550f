#include "sim/port/fault_guard.h"

#include <fenv.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <optional>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "sim/port/fiber.h"
#include "sim/port/stack_pool.h"

#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define AXL_UNDER_VALGRIND (RUNNING_ON_VALGRIND != 0)
#else
#define AXL_UNDER_VALGRIND false
#endif

namespace axl::sim {
namespace {

// --- a tiny scheduler: the test's main context runs "processes" on fibers ---------

// Per host thread, like the simulator's scheduler context.
thread_local FiberHandle t_scheduler = nullptr;

struct Process {
    std::function<void()> body;
    Stack stack;
    FiberHandle context = nullptr;
    FaultTarget target;
    bool started = false;
    bool finished = false;  // body returned normally
    // Filled in by on_fault, which must run on the emergency stack with the
    // guard disarmed and the fault signals deliverable.
    std::optional<FaultInfo> fault;
    std::string description;
    bool on_fault_ran_on_process_stack = true;
    bool armed_during_on_fault = true;
    bool fault_signals_blocked_in_on_fault = true;
    int fp_exceptions_enabled_in_on_fault = -1;
};

void record_fault_and_leave(void* arg, const FaultInfo& info) {
    auto& process = *static_cast<Process*>(arg);
    int local = 0;
    process.on_fault_ran_on_process_stack =
        process.stack.contains(&local) || in_guard_page(&local, process.stack);
    process.armed_during_on_fault = armed_fault_target() != nullptr;
    sigset_t mask;
    pthread_sigmask(SIG_SETMASK, nullptr, &mask);
    process.fault_signals_blocked_in_on_fault =
        sigismember(&mask, SIGSEGV) || sigismember(&mask, SIGBUS) ||
        sigismember(&mask, SIGFPE) || sigismember(&mask, SIGILL);
    process.fp_exceptions_enabled_in_on_fault = fegetexcept();
    process.fault = info;
    process.description = info.describe();  // allocates: on_fault is ordinary code
    switch_fiber_and_abandon(t_scheduler);
}

void process_entry(void* arg) {
    auto& process = *static_cast<Process*>(arg);
    process.started = true;
    process.body();
    process.finished = true;
    switch_fiber_and_abandon(t_scheduler);
}

// Called from a process body: give the CPU back to the scheduler for a while.
void yield(Process& process) { switch_fiber(process.context, t_scheduler); }

class FaultGuardTest : public testing::Test {
protected:
    void SetUp() override { install_fault_guard(); }

    Process& spawn(std::function<void()> body, size_t stack_bytes = 64 * 1024) {
        auto process = std::make_unique<Process>();
        process->body = std::move(body);
        process->stack = pool_.acquire(stack_bytes);
        process->context = make_fiber(process->stack, &process_entry, process.get());
        process->target = FaultTarget{&record_fault_and_leave, process.get(), process->stack};
        processes_.push_back(std::move(process));
        return *processes_.back();
    }

    // Run `process` until it yields, finishes or faults, as the simulator would.
    static void run(Process& process) {
        arm_fault_guard(process.target);
        switch_fiber(t_scheduler, process.context);
        disarm_fault_guard();
    }

    StackPool pool_;
    std::vector<std::unique_ptr<Process>> processes_;
};

void expect_clean_landing(const Process& process) {
    EXPECT_TRUE(process.started);
    EXPECT_FALSE(process.finished) << "the body went on after its fault";
    ASSERT_TRUE(process.fault.has_value()) << "on_fault never ran";
    EXPECT_FALSE(process.on_fault_ran_on_process_stack);
    EXPECT_FALSE(process.armed_during_on_fault);
    EXPECT_FALSE(process.fault_signals_blocked_in_on_fault);
    EXPECT_EQ(process.fp_exceptions_enabled_in_on_fault, 0);
    EXPECT_EQ(process.fault->stack.base, process.stack.base);
    const auto stack_pointer = reinterpret_cast<uintptr_t>(process.fault->stack_pointer);
    EXPECT_TRUE(process.stack.contains(process.fault->stack_pointer) ||
                stack_pointer < reinterpret_cast<uintptr_t>(process.stack.base));
}

// --- faults the processes commit ----------------------------------------------------

// Opaque to the optimizer, so it cannot prove the faults and rewrite them
// (GCC turns a visible null dereference into a trap instruction).
volatile uintptr_t g_null_address = 0;
volatile int g_zero = 0;
volatile long g_never = -1;

struct Record {
    long a, b, c;
};

void null_dereference() {
    auto* record = reinterpret_cast<Record*>(g_null_address);
    reinterpret_cast<volatile long&>(record->c) = 7;  // writes address 0x10
}

// Unbounded recursion the compiler cannot turn into a loop: every frame has
// a live volatile array used after the recursive call returns.
__attribute__((noinline)) long recurse(long depth) {
    volatile char frame[256];
    frame[0] = static_cast<char>(depth);
    frame[sizeof frame - 1] = static_cast<char>(depth);
    if (depth == g_never) return 0;
    long deeper = recurse(depth + 1);
    return deeper + frame[0] + frame[sizeof frame - 1];
}

volatile int g_quotient_sink;
void divide_by_zero() {
    volatile int dividend = 42;
    g_quotient_sink = dividend / g_zero;
}

// --- the tests ----------------------------------------------------------------------

TEST_F(FaultGuardTest, InstallIsIdempotent) {
    install_fault_guard();
    install_fault_guard();
    EXPECT_TRUE(fault_guard_installed());
    EXPECT_EQ(armed_fault_target(), nullptr);
}

TEST_F(FaultGuardTest, NullDereferenceKillsOnlyThatProcess) {
    Process& p = spawn(null_dereference);
    run(p);
    EXPECT_EQ(armed_fault_target(), nullptr);
    ASSERT_NO_FATAL_FAILURE(expect_clean_landing(p));
    EXPECT_EQ(p.fault->kind, FaultKind::null_pointer);
    EXPECT_EQ(p.fault->signal, SIGSEGV);
    EXPECT_EQ(p.fault->address, reinterpret_cast<void*>(0x10));
    EXPECT_EQ(p.fault->access, MemoryAccess::write);
    EXPECT_EQ(p.description.rfind("SIGSEGV: null pointer dereference at 0x10 (rip 0x", 0), 0u)
        << p.description;
}

TEST_F(FaultGuardTest, StackOverflowLandsOnTheEmergencyStack) {
    Process& p = spawn([] { recurse(0); }, 16 * 1024);
    run(p);
    ASSERT_NO_FATAL_FAILURE(expect_clean_landing(p));
    EXPECT_EQ(p.fault->kind, FaultKind::stack_overflow) << p.description;
    EXPECT_TRUE(in_guard_page(p.fault->address, p.stack)) << p.description;
    EXPECT_EQ(p.description.rfind("stack overflow: hit the guard page at 0x", 0), 0u)
        << p.description;
}

TEST_F(FaultGuardTest, IntegerDivideByZero) {
    Process& p = spawn(divide_by_zero);
    run(p);
    ASSERT_NO_FATAL_FAILURE(expect_clean_landing(p));
    EXPECT_EQ(p.fault->kind, FaultKind::divide_by_zero);
    EXPECT_EQ(p.fault->signal, SIGFPE);
    EXPECT_EQ(p.fault->code, FPE_INTDIV);
    EXPECT_EQ(p.description.rfind("SIGFPE: integer divide by zero (rip 0x", 0), 0u)
        << p.description;
}

TEST_F(FaultGuardTest, OtherKindsAreClassified) {
    // An inaccessible page of our own: a bad pointer that is not null.
    void* no_access = ::mmap(nullptr, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ASSERT_NE(no_access, MAP_FAILED);
    Process& bad = spawn([&] { (void)*static_cast<volatile int*>(no_access); });
    // Non-canonical: the CPU raises #GP and the kernel reports address 0,
    // which must not be mistaken for a null pointer.
    Process& non_canonical =
        spawn([] { (void)*reinterpret_cast<volatile long*>(g_null_address + 0x8000'0000'0000'0000); });
    Process& illegal = spawn([] { __builtin_trap(); });
    // valgrind does not emulate unmasked floating-point exceptions.
    const bool traps_fp = !AXL_UNDER_VALGRIND;
    Process& floating = spawn([] {
        feenableexcept(FE_DIVBYZERO);
        volatile double zero = 0.0;
        volatile double result = 1.0 / zero;
        (void)result;
    });
    // A file mapping touched past the end of its file.
    FILE* file = std::tmpfile();
    ASSERT_NE(file, nullptr);
    ASSERT_EQ(::ftruncate(fileno(file), 4096), 0);
    void* file_page = ::mmap(nullptr, 4096, PROT_READ, MAP_SHARED, fileno(file), 0);
    ASSERT_NE(file_page, MAP_FAILED);
    ASSERT_EQ(::ftruncate(fileno(file), 0), 0);
    Process& bus = spawn([&] { (void)*static_cast<volatile char*>(file_page); });
    for (Process* p : {&bad, &non_canonical, &illegal, &bus}) run(*p);
    if (traps_fp) run(floating);

    ASSERT_NO_FATAL_FAILURE(expect_clean_landing(bad));
    EXPECT_EQ(bad.fault->kind, FaultKind::bad_pointer) << bad.description;
    EXPECT_EQ(bad.fault->address, no_access);
    EXPECT_EQ(bad.fault->access, MemoryAccess::read);
    EXPECT_NE(bad.description.find("bad pointer dereference at"), std::string::npos)
        << bad.description;

    ASSERT_NO_FATAL_FAILURE(expect_clean_landing(non_canonical));
    EXPECT_EQ(non_canonical.fault->kind, FaultKind::bad_pointer) << non_canonical.description;
    EXPECT_NE(non_canonical.description.find("general protection"), std::string::npos)
        << non_canonical.description;

    ASSERT_NO_FATAL_FAILURE(expect_clean_landing(illegal));
    EXPECT_EQ(illegal.fault->kind, FaultKind::illegal_instruction) << illegal.description;
    EXPECT_EQ(illegal.fault->signal, SIGILL);
    EXPECT_EQ(illegal.description.rfind("SIGILL: illegal instruction at 0x", 0), 0u)
        << illegal.description;

    if (traps_fp) {
        // expect_clean_landing includes: FP exceptions masked again in on_fault.
        ASSERT_NO_FATAL_FAILURE(expect_clean_landing(floating));
        EXPECT_EQ(floating.fault->kind, FaultKind::arithmetic) << floating.description;
        EXPECT_EQ(floating.fault->code, FPE_FLTDIV);
        EXPECT_EQ(fegetexcept(), 0) << "the process's FP environment leaked into the scheduler";
    }

    ASSERT_NO_FATAL_FAILURE(expect_clean_landing(bus));
    EXPECT_EQ(bus.fault->kind, FaultKind::bus_error) << bus.description;
    EXPECT_EQ(bus.fault->signal, SIGBUS);
    EXPECT_EQ(bus.fault->address, file_page);
    ::munmap(file_page, 4096);
    std::fclose(file);
    ::munmap(no_access, 4096);
}

// The whole point: faults are routine events in a long-running simulation.
TEST_F(FaultGuardTest, TheSimulationGoesOnAcrossManyFaults) {
    int healthy_steps = 0;
    Process* self = nullptr;
    Process& healthy = spawn([&] {
        for (int i = 0; i < 4; ++i) {
            ++healthy_steps;
            yield(*self);
        }
    });
    self = &healthy;
    run(healthy);  // suspended mid-body across every fault below
    EXPECT_EQ(healthy_steps, 1);

    int faults = 0;
    for (int round = 0; round < 3; ++round) {
        Process& nul = spawn(null_dereference);
        Process& overflow = spawn([] { recurse(0); }, 16 * 1024);
        Process& divide = spawn(divide_by_zero);
        run(nul);
        run(healthy);
        run(overflow);
        run(divide);
        for (Process* p : {&nul, &overflow, &divide}) {
            ASSERT_NO_FATAL_FAILURE(expect_clean_landing(*p));
            ++faults;
        }
        EXPECT_EQ(nul.fault->kind, FaultKind::null_pointer);
        EXPECT_EQ(overflow.fault->kind, FaultKind::stack_overflow);
        EXPECT_EQ(divide.fault->kind, FaultKind::divide_by_zero);
    }
    EXPECT_EQ(faults, 9);
    EXPECT_EQ(healthy_steps, 4);
    EXPECT_FALSE(healthy.finished);
    run(healthy);
    EXPECT_TRUE(healthy.finished);
    EXPECT_FALSE(healthy.fault.has_value());

    // And the scheduler's own signal mask came through untouched.
    sigset_t mask;
    pthread_sigmask(SIG_SETMASK, nullptr, &mask);
    EXPECT_FALSE(sigismember(&mask, SIGSEGV));
    EXPECT_FALSE(sigismember(&mask, SIGFPE));
}

// A faulted process's stack goes back to the pool and serves the next process.
TEST_F(FaultGuardTest, AFaultedProcessStackIsReusable) {
    Process& overflow = spawn([] { recurse(0); }, 16 * 1024);
    run(overflow);
    ASSERT_TRUE(overflow.fault.has_value());
    ASSERT_EQ(overflow.fault->kind, FaultKind::stack_overflow);
    pool_.release(overflow.stack);
    Process& next = spawn([] { (void)recurse(-170); }, 16 * 1024);  // 20 frames deep
    g_never = -150;
    EXPECT_EQ(next.stack.base, overflow.stack.base);
    run(next);
    g_never = -1;
    EXPECT_TRUE(next.finished);
    EXPECT_FALSE(next.fault.has_value());
}

// Each host thread has its own signal and emergency stacks.
TEST(FaultGuardThreads, FaultsOnSeveralThreadsAtOnce) {
    StackPool pool;
    auto worker = [&pool](FaultKind* kinds) {
        install_fault_guard();
        for (int i = 0; i < 50; ++i) {
            Process process;
            process.body = (i % 2) ? std::function<void()>(null_dereference)
                                   : std::function<void()>(divide_by_zero);
            process.stack = pool.acquire(32 * 1024);
            process.context = make_fiber(process.stack, &process_entry, &process);
            process.target = FaultTarget{&record_fault_and_leave, &process, process.stack};
            arm_fault_guard(process.target);
            switch_fiber(t_scheduler, process.context);
            disarm_fault_guard();
            kinds[i] = process.fault ? process.fault->kind : FaultKind::bus_error;
            pool.release(process.stack);
        }
    };
    FaultKind first[50], second[50];
    std::thread a(worker, first), b(worker, second);
    a.join();
    b.join();
    for (int i = 0; i < 50; ++i) {
        FaultKind expected = (i % 2) ? FaultKind::null_pointer : FaultKind::divide_by_zero;
        EXPECT_EQ(first[i], expected) << i;
        EXPECT_EQ(second[i], expected) << i;
    }
}

// --- faults that are not a process's: the simulator must crash loudly -----------

TEST(FaultGuardDeathTest, AFaultWhileDisarmedCrashesTheSimulator) {
    install_fault_guard();
    EXPECT_EXIT(null_dereference(), testing::KilledBySignal(SIGSEGV),
                "SIGSEGV at 0x10 .*no process fiber is armed");
    EXPECT_EXIT(divide_by_zero(), testing::KilledBySignal(SIGFPE), "SIGFPE .*not a process fault");
}

TEST(FaultGuardDeathTest, AFaultOffTheArmedStackCrashesTheSimulator) {
    install_fault_guard();
    StackPool pool;
    FaultTarget target{&record_fault_and_leave, nullptr, pool.acquire(16 * 1024)};
    EXPECT_EXIT(
        {
            arm_fault_guard(target);  // but the fault happens on the main stack
            null_dereference();
        },
        testing::KilledBySignal(SIGSEGV), "outside the armed process's stack");
}

// Runs in a death test's child: one armed process, then exit(0) if the
// simulator survived it.
void run_one_process(void (*body)(), FaultHandler handler) {
    StackPool pool;
    static Process process;
    process.body = body;
    process.stack = pool.acquire(16 * 1024);
    process.context = make_fiber(process.stack, &process_entry, &process);
    process.target = FaultTarget{handler, &process, process.stack};
    arm_fault_guard(process.target);
    switch_fiber(t_scheduler, process.context);
    std::fprintf(stderr, "the simulator survived\n");
    std::exit(0);
}

void raise_segv() { ::raise(SIGSEGV); }

TEST(FaultGuardDeathTest, ASentSignalIsNotAProcessFault) {
    install_fault_guard();
    EXPECT_EXIT(run_one_process(&raise_segv, &record_fault_and_leave),
                testing::KilledBySignal(SIGSEGV), "sent, not raised by a faulting instruction");
}

void returning_handler(void*, const FaultInfo&) {}
void faulting_handler(void*, const FaultInfo&) { null_dereference(); }

TEST(FaultGuardDeathTest, AnOnFaultThatReturnsAborts) {
    install_fault_guard();
    EXPECT_DEATH(run_one_process(&null_dereference, &returning_handler),
                 "on_fault callback returned after \"SIGSEGV: null pointer dereference at 0x10");
}

TEST(FaultGuardDeathTest, AFaultInsideOnFaultCrashesTheSimulator) {
    install_fault_guard();
    EXPECT_EXIT(run_one_process(&null_dereference, &faulting_handler),
                testing::KilledBySignal(SIGSEGV),
                "no process fiber is armed");
}

// --- describe() wording, for the report's "fault" column -------------------------

std::string hex(const void* pointer) {
    char text[32];
    std::snprintf(text, sizeof text, "0x%llx",
                  static_cast<unsigned long long>(reinterpret_cast<uintptr_t>(pointer)));
    return text;
}

TEST(FaultInfo, DescribesEachKind) {
    char stack_memory[3 * 4096];
    Stack stack{stack_memory + 4096, 2 * 4096, stack_memory, 4096};
    FaultInfo info;
    info.stack = stack;
    info.instruction = reinterpret_cast<void*>(0x401000);

    info.kind = FaultKind::null_pointer;
    info.signal = SIGSEGV;
    info.code = SEGV_MAPERR;
    info.address = nullptr;
    EXPECT_EQ(info.describe(), "SIGSEGV: null pointer dereference at 0x0 (rip 0x401000)");
    info.access = MemoryAccess::read;
    EXPECT_EQ(info.describe(), "SIGSEGV: null pointer dereference at 0x0 (rip 0x401000, read)");

    info.kind = FaultKind::stack_overflow;
    info.address = stack_memory + 100;
    EXPECT_EQ(info.describe(), "stack overflow: hit the guard page at " + hex(info.address) +
                                   " (stack " + hex(stack.base) + "-" + hex(stack.top()) +
                                   ", rip 0x401000)");

    info.kind = FaultKind::divide_by_zero;
    info.signal = SIGFPE;
    info.code = FPE_INTDIV;
    EXPECT_EQ(info.describe(), "SIGFPE: integer divide by zero (rip 0x401000)");
}

}  // namespace
}  // namespace axl::sim
