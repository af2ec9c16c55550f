// Real faults inside a process fiber — a null pointer dereference, a stack
// overflow into the guard page, an integer divide by zero — kill that process
// (ProcessState::faulted, the report names the cause) and nothing else: the
// other processes in the same system finish correctly, and whoever was
// blocked on the dead process wakes with dead_endpoint.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "sim/port/fault_guard.h"
#include "tests/support/script_program.h"

namespace {

[[gnu::noinline]] uint64_t rf_recurse(uint64_t depth) {
    volatile uint8_t frame[256];
    frame[depth % sizeof frame] = static_cast<uint8_t>(depth);
    // Not a tail call: the frame is read after the recursive call returns.
    return rf_recurse(depth + 1) + frame[(depth * 13) % sizeof frame];
}

}  // namespace

AXL_PROGRAM(rf_null_deref, "real_fault_test: writes through a null pointer") {
    axl::log("about to fault");
    volatile int* volatile pointer = nullptr;
    *pointer = 42;
    axl::log("survived");
    return 1;
}

AXL_PROGRAM(rf_stack_overflow, "real_fault_test: recurses until the stack's guard page") {
    axl::log("about to fault");
    volatile uint64_t sink = rf_recurse(0);
    (void)sink;
    axl::log("survived");
    return 1;
}

AXL_PROGRAM(rf_divide_by_zero, "real_fault_test: integer division by a zero divisor") {
    axl::log("about to fault");
    volatile int divisor = 0;
    volatile int quotient = 1000 / divisor;
    (void)quotient;
    axl::log("survived");
    return 1;
}

namespace axl::test {
namespace {

using sim::Expectation;
using sim::FaultKind;
using sim::RunReport;

struct FaultCase {
    const char* program;
    FaultKind kind;
    const char* text;  // what the report's fault description must say
};

const FaultCase fault_cases[] = {
    {"rf_null_deref", FaultKind::null_pointer, "null pointer dereference"},
    {"rf_stack_overflow", FaultKind::stack_overflow, "stack overflow"},
    {"rf_divide_by_zero", FaultKind::divide_by_zero, "integer divide by zero"},
};

// pingpong's server and client (200 rounds), unchanged, next to the faulter.
void add_pingpong(SystemBuilder& b) {
    sim::ProcessDescription& server = b.add_program("server", "pingpong_server");
    server.priority = 4;
    server.expect = Expectation::serve;
    sim::ProcessDescription& client = b.add_program("client", "pingpong_client");
    client.args["server"] = std::string("server");
    client.args["rounds"] = int64_t{200};
}

void expect_pingpong_finished(const RunReport& r) {
    EXPECT_EQ(process(r, "client").state, ProcessState::exited) << describe(r);
    EXPECT_EQ(process(r, "client").exit_status, 0) << describe(r);
    EXPECT_TRUE(process(r, "server").met_expectation) << describe(r);
    EXPECT_EQ(process(r, "client").counters.received, 200u);
    bool ok_line = false;
    for (const std::string& line : lines_of(r, "client")) ok_line = ok_line || line.starts_with("ok: ");
    EXPECT_TRUE(ok_line) << "the client ran its checks to the end\n" << describe(r);
}

sim::ProcessDescription& add_faulter(SystemBuilder& b, const std::string& name, const FaultCase& c) {
    sim::ProcessDescription& f = b.add_program(name, c.program);
    f.expect = Expectation::fault;
    if (c.kind == FaultKind::stack_overflow) f.stack_bytes = 16 * 1024;
    return f;
}

class RealFault : public ::testing::TestWithParam<std::tuple<FaultCase, IpcStrategyKind>> {
protected:
    const FaultCase& fault() const { return std::get<0>(GetParam()); }
    IpcStrategyKind strategy() const { return std::get<1>(GetParam()); }
};

// The faulter sits between the pingpong pair in the description, so it runs
// while they are mid-conversation.
TEST_P(RealFault, KillsOnlyTheFaultingProcess) {
    SystemBuilder b(strategy());
    add_pingpong(b);
    add_faulter(b, "faulter", fault());
    RunReport r = run(b);

    EXPECT_TRUE(r.ok) << describe(r);
    const sim::ProcessReport& f = process(r, "faulter");
    EXPECT_EQ(f.state, ProcessState::faulted) << describe(r);
    EXPECT_TRUE(f.met_expectation);
    EXPECT_NE(f.fault.find(fault().text), std::string::npos) << f.fault;
    EXPECT_EQ(f.exit_status, static_cast<int32_t>(fault().kind)) << f.fault;
    EXPECT_EQ(lines_of(r, "faulter"), L("about to fault")) << "killed at the fault, never resumed";
    expect_pingpong_finished(r);
}

// The same fault without expect = "fault": the run is not ok and says why.
TEST_P(RealFault, UnexpectedFaultFailsTheRun) {
    SystemBuilder b(strategy());
    add_pingpong(b);
    add_faulter(b, "faulter", fault()).expect = Expectation::exit;
    RunReport r = run(b);

    EXPECT_FALSE(r.ok);
    ASSERT_EQ(r.failures.size(), 1u) << describe(r);
    EXPECT_NE(r.failures[0].find("'faulter'"), std::string::npos) << r.failures[0];
    EXPECT_NE(r.failures[0].find("killed by a fault"), std::string::npos) << r.failures[0];
    EXPECT_NE(r.failures[0].find(fault().text), std::string::npos) << r.failures[0];
    expect_pingpong_finished(r);
}

INSTANTIATE_TEST_SUITE_P(EachFault, RealFault,
                         ::testing::Combine(::testing::ValuesIn(fault_cases), ::testing::ValuesIn(all_strategies)),
                         [](const ::testing::TestParamInfo<std::tuple<FaultCase, IpcStrategyKind>>& test_info) {
                             return std::string(std::get<0>(test_info.param).program) + "_" +
                                    to_string(std::get<1>(test_info.param));
                         });

// All three faults in one system, one after another, and the pingpong pair
// still finishes; on two CPUs too.
TEST(RealFaults, ThreeFaultsInOneRun) {
    for (uint32_t cpus : {1u, 2u}) {
        SCOPED_TRACE(std::to_string(cpus) + " cpu(s)");
        SystemBuilder b(IpcStrategyKind::rendezvous, cpus);
        add_faulter(b, "f.null", fault_cases[0]);
        add_pingpong(b);
        add_faulter(b, "f.stack", fault_cases[1]);
        add_faulter(b, "f.div", fault_cases[2]);
        RunReport r = run(b);

        EXPECT_TRUE(r.ok) << describe(r);
        EXPECT_EQ(process(r, "f.null").state, ProcessState::faulted);
        EXPECT_EQ(process(r, "f.stack").state, ProcessState::faulted);
        EXPECT_EQ(process(r, "f.div").state, ProcessState::faulted);
        EXPECT_NE(process(r, "f.null").fault.find("null pointer"), std::string::npos);
        EXPECT_NE(process(r, "f.stack").fault.find("stack overflow"), std::string::npos);
        EXPECT_NE(process(r, "f.div").fault.find("divide by zero"), std::string::npos);
        expect_pingpong_finished(r);
    }
}

// ---- whoever waits on the faulting process --------------------------------------------------------

class FaultingServer : public ::testing::TestWithParam<IpcStrategyKind> {};

// The server takes the request, then faults: the client, waiting for the
// reply, wakes with dead_endpoint.
TEST_P(FaultingServer, ClientInSendrecWakesWithDeadEndpointAfterReceive) {
    for (const char* kind : {"null", "div", "stack"}) {
        SCOPED_TRACE(kind);
        SystemBuilder b(GetParam());
        b.add("C", "sendrec S w=1; log woke");
        sim::ProcessDescription& s = b.add("S", std::string("recv any; fault ") + kind);
        s.expect = Expectation::fault;
        s.stack_bytes = 16 * 1024;
        RunReport r = run(b);

        EXPECT_TRUE(r.ok) << describe(r);
        EXPECT_EQ(lines_of(r, "S"), L("recv any -> ok src=C type=1 w=1")) << describe(r);
        EXPECT_EQ(lines_of(r, "C"), L("sendrec S -> dead_endpoint", "woke")) << describe(r);
        EXPECT_EQ(process(r, "S").state, ProcessState::faulted);
    }
}

// The server faults before taking the request (blocked sender under
// rendezvous, buffered request under ring/queue): dead_endpoint as well.
TEST_P(FaultingServer, ClientInSendrecWakesWithDeadEndpointBeforeReceive) {
    SystemBuilder b(GetParam());
    b.add("C", "sendrec S w=1; log woke");
    b.add("S", "compute 1000; fault null").expect = Expectation::fault;
    RunReport r = run(b);

    EXPECT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "C"), L("sendrec S -> dead_endpoint", "woke")) << describe(r);
    EXPECT_EQ(process(r, "S").counters.received, 0u);
}

// Receivers waiting for the faulting process alone wake with dead_endpoint;
// its endpoint is dead afterwards; a receive(any) keeps waiting.
TEST_P(FaultingServer, EveryoneWaitingOnItLearnsItIsGone) {
    SystemBuilder b(GetParam());
    b.add("W1", "recv F; log woke");
    b.add("W2", "lookup F; recv any").expect = Expectation::serve;
    b.add("F", "compute 1000; fault div").expect = Expectation::fault;
    b.add("Later", "compute 50000; lookup F; send #2 w=1");
    RunReport r = run(b);

    EXPECT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "W1"), L("recv F -> dead_endpoint", "woke")) << describe(r);
    EXPECT_EQ(process(r, "W2").state, ProcessState::receiving);
    EXPECT_EQ(lines_of(r, "Later"), L("lookup F -> not_found", "send #2 -> dead_endpoint")) << describe(r);
}

INSTANTIATE_TEST_SUITE_P(AllStrategies, FaultingServer, ::testing::ValuesIn(all_strategies), strategy_param_name);

}  // namespace
}  // namespace axl::test
