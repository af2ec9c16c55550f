// The scheduler: fixed priorities (0 highest) with round-robin inside a level,
// a quantum per process, per-CPU run queues, pinning, dedicated CPUs.
// Preemption happens at kernel exits (hosted port): a process that calls the
// kernel (log, compute, yield, IPC) gives the scheduler its chance.
//
// Which CPU ran what is observed through virtual time: compute() advances
// the running CPU's clock, clock() reads it, so two processes on one CPU
// serialise (the second finishes at twice the work) while two on different
// CPUs overlap.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "sim/config/system_description.h"
#include "tests/support/script_program.h"

namespace axl::test {
namespace {

using sim::Expectation;
using sim::RunReport;

constexpr uint64_t work_ns = 100'000;  // each process's compute in the CPU tests

// The value a script's last "clock" logged.
uint64_t clock_of(const RunReport& r, const std::string& name) {
    std::vector<std::string> lines = lines_of(r, name);
    for (auto it = lines.rbegin(); it != lines.rend(); ++it)
        if (it->starts_with("clock -> ok ")) return std::strtoull(it->c_str() + 12, nullptr, 10);
    ADD_FAILURE() << name << " logged no clock";
    return 0;
}

std::vector<std::string> only(const std::vector<std::string>& console, const std::vector<std::string>& wanted) {
    std::vector<std::string> out;
    for (const std::string& line : console)
        for (const std::string& w : wanted)
            if (line == w) out.push_back(line);
    return out;
}

// ---- priorities ------------------------------------------------------------------------------

TEST(Scheduler, HigherPriorityRunsFirst) {
    SystemBuilder b;
    b.add("L", "log low").priority = 10;
    b.add("M", "log mid").priority = 5;
    b.add("H", "log high").priority = 2;
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(console_of(r), L("[H] high", "[M] mid", "[L] low"));
}

// A lower priority process does not run while a higher one is runnable, even
// when the higher one's quantum runs out many times over.
TEST(Scheduler, LowerPriorityWaitsForHigherToBlockOrExit) {
    SystemBuilder b;
    b.add("L", "log low").priority = 9;
    b.add("H", "compute 100000; log h1; compute 100000; log h2").priority = 8;
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(console_of(r), L("[H] h1", "[H] h2", "[L] low"));
}

// A higher priority process woken by a message preempts the sender at the
// sender's next kernel exit: the receiver's lines come before the sender's.
TEST(Scheduler, WokenHigherPriorityPreemptsTheWaker) {
    for (IpcStrategyKind kind : all_strategies) {
        SCOPED_TRACE(to_string(kind));
        SystemBuilder b(kind);
        b.add("R", "recv any; log r-got").priority = 2;
        b.add("S", "send R w=1; log s-after").priority = 8;
        RunReport r = run(b);

        ASSERT_TRUE(r.ok) << describe(r);
        EXPECT_EQ(console_of(r),
                  L("[R] recv any -> ok src=S type=1 w=1", "[R] r-got", "[S] send R -> ok", "[S] s-after"))
            << describe(r);
    }
}

// ---- waking: front of the level with quantum left (MINIX 3) ------------------------------

// W blocks in receive with most of its quantum left; X's notify wakes it while
// Y and Z wait their turn in the same level: W goes to the front and runs next.
TEST(Scheduler, WokenWithQuantumLeftRunsBeforeItsLevel) {
    SystemBuilder b;
    b.add("W", "recv any; log W-woken");
    b.add("X", "notify W; log X-notified");
    b.add("Y", "log Y-ran");
    b.add("Z", "log Z-ran");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(only(console_of(r), {"[W] W-woken", "[X] X-notified", "[Y] Y-ran", "[Z] Z-ran"}),
              L("[X] X-notified", "[W] W-woken", "[Y] Y-ran", "[Z] Z-ran"));
}

// The same, but W's quantum is used up by the receive itself (shorter than a
// kernel entry): woken, it queues at the back of its level, behind Y and Z.
TEST(Scheduler, WokenWithQuantumUsedQueuesAtTheBack) {
    SystemBuilder b;
    b.add("W", "recv any; log W-woken").quantum_ns = 50;
    b.add("X", "notify W; log X-notified");
    b.add("Y", "log Y-ran");
    b.add("Z", "log Z-ran");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(only(console_of(r), {"[W] W-woken", "[X] X-notified", "[Y] Y-ran", "[Z] Z-ran"}),
              L("[X] X-notified", "[Y] Y-ran", "[Z] Z-ran", "[W] W-woken"));
}

// ---- round-robin within a level ------------------------------------------------------------------

TEST(Scheduler, YieldRotatesWithinALevel) {
    SystemBuilder b;
    b.add("A", "log a1; yield; log a2; yield; log a3");
    b.add("B", "log b1; yield; log b2; yield; log b3");
    b.add("C", "log c1; yield; log c2; yield; log c3");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(console_of(r), L("[A] a1", "[B] b1", "[C] c1", "[A] a2", "[B] b2", "[C] c2", "[A] a3", "[B] b3",
                               "[C] c3"));
}

// yield with nobody else at its level: it keeps running; lower levels wait.
TEST(Scheduler, YieldDoesNotLetALowerPriorityRun) {
    SystemBuilder b;
    b.add("A", "log a1; yield; log a2; yield; log a3").priority = 8;
    b.add("L", "log low").priority = 9;
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(console_of(r), L("[A] a1", "[A] a2", "[A] a3", "[L] low"));
}

// The quantum (10 us by default): each compute(15 us) uses it up, so equal
// priorities interleave without any yield.
TEST(Scheduler, QuantumExpiryRotatesEqualPriorities) {
    SystemBuilder b;
    b.add("A", "log a1; compute 15000; log a2; compute 15000; log a3");
    b.add("B", "log b1; compute 15000; log b2; compute 15000; log b3");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(console_of(r), L("[A] a1", "[B] b1", "[A] a2", "[B] b2", "[A] a3", "[B] b3"));
    EXPECT_GE(process(r, "A").counters.cpu_ns, 30'000u);
    EXPECT_GE(process(r, "B").counters.cpu_ns, 30'000u);
}

// The same programs with a quantum longer than all their work: no rotation.
TEST(Scheduler, LongQuantumRunsEachToCompletion) {
    SystemBuilder b;
    b.add("A", "log a1; compute 15000; log a2; compute 15000; log a3").quantum_ns = 1'000'000;
    b.add("B", "log b1; compute 15000; log b2; compute 15000; log b3").quantum_ns = 1'000'000;
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(console_of(r), L("[A] a1", "[A] a2", "[A] a3", "[B] b1", "[B] b2", "[B] b3"));
}

// Quanta are per process: A's 40 us quantum covers two of its 15 us
// computes, B's 10 us quantum only one.
TEST(Scheduler, QuantumIsPerProcess) {
    SystemBuilder b;
    b.add("A", "compute 15000; log a1; compute 15000; log a2; compute 15000; log a3; compute 15000; log a4")
        .quantum_ns = 40'000;
    b.add("B", "log b1; compute 15000; log b2; compute 15000; log b3").quantum_ns = 10'000;
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    // A: 15 + 15 us fit, the third compute crosses 40 us (a3 is logged after
    // B's turn) -> B logs b1 and its compute crosses 10 us -> A, with a fresh
    // quantum, finishes -> B finishes.
    EXPECT_EQ(console_of(r), L("[A] a1", "[A] a2", "[B] b1", "[A] a3", "[A] a4", "[B] b2", "[B] b3")) << describe(r);
}

// The same two programs with A's quantum also 10 us: they alternate compute by compute.
TEST(Scheduler, QuantumIsPerProcessControl) {
    SystemBuilder b;
    b.add("A", "compute 15000; log a1; compute 15000; log a2; compute 15000; log a3; compute 15000; log a4")
        .quantum_ns = 10'000;
    b.add("B", "log b1; compute 15000; log b2; compute 15000; log b3").quantum_ns = 10'000;
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(console_of(r), L("[B] b1", "[A] a1", "[B] b2", "[A] a2", "[B] b3", "[A] a3", "[A] a4")) << describe(r);
}

// ---- CPUs ---------------------------------------------------------------------------------------

// Two processes pinned to CPU 1 of 2 share it: their work serialises there,
// while CPU 0's process finishes after one share of work.
TEST(Scheduler, PinnedProcessesShareTheirCpu) {
    SystemBuilder b(IpcStrategyKind::rendezvous, 2);
    b.add("A", "compute 100000; clock").cpu = 1;
    b.add("B", "compute 100000; clock").cpu = 1;
    b.add("C", "compute 100000; clock").cpu = 0;
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    uint64_t a = clock_of(r, "A"), bb = clock_of(r, "B"), c = clock_of(r, "C");
    EXPECT_GE(std::max(a, bb), 2 * work_ns) << "A and B ran on one CPU, one after the other";
    EXPECT_LT(c, 3 * work_ns / 2) << "C had CPU 0 to itself";
    EXPECT_GE(r.virtual_ns, 2 * work_ns);
    for (const char* name : {"A", "B", "C"}) EXPECT_GE(process(r, name).counters.cpu_ns, work_ns) << name;
}

// Pinned apart, the same two processes overlap in virtual time.
TEST(Scheduler, ProcessesPinnedApartRunInParallel) {
    SystemBuilder b(IpcStrategyKind::rendezvous, 2);
    b.add("A", "compute 100000; clock").cpu = 0;
    b.add("B", "compute 100000; clock").cpu = 1;
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_LT(clock_of(r, "A"), 3 * work_ns / 2);
    EXPECT_LT(clock_of(r, "B"), 3 * work_ns / 2);
    EXPECT_LT(r.virtual_ns, 3 * work_ns / 2);
    EXPECT_GE(process(r, "A").counters.cpu_ns, work_ns);
    EXPECT_GE(process(r, "B").counters.cpu_ns, work_ns);
}

// Unpinned processes are spread over the CPUs round-robin (in description
// order): four processes on two CPUs, two each.
TEST(Scheduler, UnpinnedProcessesAreSpreadOverCpus) {
    SystemBuilder b(IpcStrategyKind::rendezvous, 2);
    for (const char* name : {"P0", "P1", "P2", "P3"}) b.add(name, "compute 100000; clock");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_GE(r.virtual_ns, 2 * work_ns);
    EXPECT_LT(r.virtual_ns, 3 * work_ns) << "two per CPU, not four on one";
}

// A dedicated CPU runs its process only: the unpinned processes all go to
// the other CPU and serialise there, the dedicated one finishes alone.
TEST(Scheduler, DedicatedCpuRunsOnlyItsProcess) {
    SystemBuilder b(IpcStrategyKind::rendezvous, 2);
    sim::ProcessDescription& d = b.add("D", "compute 100000; clock");
    d.cpu = 1;
    d.dedicated_cpu = true;
    b.add("A", "compute 100000; clock");
    b.add("B", "compute 100000; clock");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(process(r, "D").state, ProcessState::exited);
    EXPECT_LT(clock_of(r, "D"), 3 * work_ns / 2) << "D had CPU 1 to itself";
    EXPECT_GE(std::max(clock_of(r, "A"), clock_of(r, "B")), 2 * work_ns) << "A and B both ran on CPU 0";
}

// The same system as a description file, with the dedicated process listed
// after unpinned ones. The description is valid (one CPU is left for the
// unpinned processes) and must boot the same way.
TEST(Scheduler, DedicatedCpuListedAfterUnpinnedProcessesBoots) {
    const char* text = R"([system]
name = "dedicated"
cpus = 2

[[process]]
name = "A"
program = "axt_script"
kernel_calls = ["all"]
[process.args]
script = "compute 100000; clock"

[[process]]
name = "B"
program = "axt_script"
kernel_calls = ["all"]
[process.args]
script = "compute 100000; clock"

[[process]]
name = "D"
program = "axt_script"
cpu = 1
dedicated_cpu = true
kernel_calls = ["all"]
[process.args]
script = "compute 100000; clock"
)";
    sim::SystemDescription d;
    ASSERT_NO_THROW(d = sim::parse_system_description(text, "dedicated.toml")) << "the description is valid";
    RunReport r;
    ASSERT_NO_THROW(r = run(d)) << "a valid description must boot: the simulator spawned B (unpinned) on CPU 1 "
                                   "before dedicating CPU 1 to D";
    EXPECT_TRUE(r.ok) << describe(r);
    EXPECT_LT(clock_of(r, "D"), 3 * work_ns / 2);
}

// compute on one CPU does not hold up another CPU's processes: a ping-pong
// across CPUs completes while a third process computes on the client's CPU.
TEST(Scheduler, CrossCpuMessagingWithABusyCpu) {
    for (IpcStrategyKind kind : all_strategies) {
        SCOPED_TRACE(to_string(kind));
        SystemBuilder b(kind, 2);
        std::string server;
        for (int i = 0; i < 5; ++i) server += "recv any; reply w=" + std::to_string(i) + "; ";
        b.add("S", server).cpu = 1;
        b.add("C", "5*sendrec S w=0").cpu = 0;
        b.add("Busy", "compute 500000").cpu = 0;
        RunReport r = run(b);

        ASSERT_TRUE(r.ok) << describe(r);
        std::vector<std::string> replies;
        for (const std::string& line : lines_of(r, "C")) replies.push_back(line);
        EXPECT_EQ(replies, L("sendrec S -> ok src=S type=1 w=0", "sendrec S -> ok src=S type=1 w=1",
                             "sendrec S -> ok src=S type=1 w=2", "sendrec S -> ok src=S type=1 w=3",
                             "sendrec S -> ok src=S type=1 w=4"));
        EXPECT_GE(r.virtual_ns, 500'000u);
    }
}

}  // namespace
}  // namespace axl::test
