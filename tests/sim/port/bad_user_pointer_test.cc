// A bad pointer handed to a call (a message, a name, a result variable) kills
// the process that passed it, as a bad pointer in its own code does: user
// memory is only touched in the process's own context (sim/port/user_calls.cc),
// never by kernel code, so the simulator and the other processes go on.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "tests/support/script_program.h"

namespace {

// An address no process owns, and one that is not even canonical on x86-64.
axl::Message& bad_message() { return *reinterpret_cast<axl::Message*>(uintptr_t{0x10}); }

}  // namespace

AXL_PROGRAM(bup_send_bad_message, "bad_user_pointer_test: sends from a wild pointer") {
    axl::Endpoint server;
    if (axl::lookup("server", server) != axl::Status::ok) return 2;
    axl::log("about to fault");
    (void)axl::send(server, bad_message());
    axl::log("survived");
    return 1;
}

AXL_PROGRAM(bup_sendrec_bad_message, "bad_user_pointer_test: sendrec into a wild pointer") {
    axl::Endpoint server;
    if (axl::lookup("server", server) != axl::Status::ok) return 2;
    axl::log("about to fault");
    (void)axl::sendrec(server, bad_message());
    axl::log("survived");
    return 1;
}

AXL_PROGRAM(bup_receive_bad_message, "bad_user_pointer_test: receives into a wild pointer") {
    axl::log("about to fault");
    (void)axl::receive(axl::endpoints::any, bad_message());
    axl::log("survived");
    return 1;
}

AXL_PROGRAM(bup_lookup_bad_name, "bad_user_pointer_test: looks up a name at a wild pointer") {
    axl::Endpoint endpoint;
    axl::log("about to fault");
    (void)axl::lookup(reinterpret_cast<const char*>(uintptr_t{0x20}), endpoint);
    axl::log("survived");
    return 1;
}

AXL_PROGRAM(bup_clock_bad_result, "bad_user_pointer_test: reads the clock into a wild pointer") {
    axl::log("about to fault");
    (void)axl::clock(*reinterpret_cast<uint64_t*>(uintptr_t{0x30}));
    axl::log("survived");
    return 1;
}

// Gives a receive that got as far as blocking something to complete with;
// finding the faulter already dead (killed on entry) is just as good.
AXL_PROGRAM(bup_notifier, "bad_user_pointer_test: notifies the receiver, so its receive completes") {
    axl::Endpoint target;
    if (axl::lookup("faulter", target) != axl::Status::ok) return 0;
    axl::Status status = axl::notify(target);
    return status == axl::Status::ok || status == axl::Status::dead_endpoint ? 0 : 3;
}

namespace axl::test {
namespace {

using sim::Expectation;
using sim::RunReport;

class BadUserPointer : public ::testing::TestWithParam<std::tuple<const char*, IpcStrategyKind>> {};

TEST_P(BadUserPointer, KillsTheCallerOnly) {
    const std::string program = std::get<0>(GetParam());
    SystemBuilder b(std::get<1>(GetParam()));
    // A pingpong pair that must finish, a server the faulter may address, the faulter.
    sim::ProcessDescription& server = b.add_program("server", "pingpong_server");
    server.priority = 4;
    server.expect = Expectation::serve;
    server.primitives = all_primitives;
    server.all_destinations = true;
    sim::ProcessDescription& client = b.add_program("client", "pingpong_client");
    client.args["server"] = std::string("server");
    client.args["rounds"] = int64_t{100};
    sim::ProcessDescription& faulter = b.add_program("faulter", program);
    faulter.primitives = all_primitives;
    faulter.all_destinations = true;
    faulter.kernel_calls = all_kernel_calls;
    faulter.expect = Expectation::fault;
    if (program == "bup_receive_bad_message") {
        sim::ProcessDescription& notifier = b.add_program("notifier", "bup_notifier");
        notifier.primitives = bit(Primitive::notify);
        notifier.destinations = {"faulter"};
    }
    RunReport r = run(b);

    EXPECT_TRUE(r.ok) << describe(r);
    const sim::ProcessReport& f = process(r, "faulter");
    EXPECT_EQ(f.state, ProcessState::faulted) << describe(r);
    EXPECT_NE(f.fault.find("SIGSEGV"), std::string::npos) << f.fault;
    EXPECT_EQ(lines_of(r, "faulter"), L("about to fault")) << "killed at the call, never resumed";
    EXPECT_EQ(process(r, "client").state, ProcessState::exited) << describe(r);
    EXPECT_EQ(process(r, "client").exit_status, 0) << describe(r);
}

INSTANTIATE_TEST_SUITE_P(
    Calls, BadUserPointer,
    ::testing::Combine(::testing::Values("bup_send_bad_message", "bup_sendrec_bad_message",
                                         "bup_receive_bad_message", "bup_lookup_bad_name",
                                         "bup_clock_bad_result"),
                       ::testing::Values(IpcStrategyKind::rendezvous, IpcStrategyKind::ring,
                                         IpcStrategyKind::queue)),
    [](const auto& info) {
        return std::string(std::get<0>(info.param)) + "_" + to_string(std::get<1>(info.param));
    });

}  // namespace
}  // namespace axl::test
