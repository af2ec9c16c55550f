// Privileges, checked on every call: allowed primitives (trap mask), allowed
// destinations, allowed kernel calls. A refused call returns call_denied or
// destination_denied, counts in counters.denied, and changes nothing else:
// the would-be receiver never gets a message and the caller does not block.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kernel/api/calls.h"
#include "tests/support/script_program.h"

namespace axl::test {
namespace {

using sim::Expectation;
using sim::RunReport;

// ---- primitives ----------------------------------------------------------------------------

struct PrimitiveCase {
    Primitive primitive;
    const char* script;    // the one call that must be refused
    const char* expected;  // what it logs
};

const PrimitiveCase primitive_cases[] = {
    {Primitive::send, "send R w=1", "send R -> call_denied"},
    {Primitive::receive, "recv R", "recv R -> call_denied"},
    {Primitive::sendrec, "sendrec R w=1", "sendrec R -> call_denied"},
    {Primitive::notify, "notify R", "notify R -> call_denied"},
    {Primitive::sendnb, "sendnb R w=1", "sendnb R -> call_denied"},
    {Primitive::reply_receive, "replyrecv R w=1", "replyrecv R -> call_denied"},
};

TEST(Privileges, EveryPrimitiveHasACase) {
    uint32_t covered = 0;
    for (const PrimitiveCase& c : primitive_cases) covered |= bit(c.primitive);
    EXPECT_EQ(covered, all_primitives);
}

class PrimitivePrivilege : public ::testing::TestWithParam<PrimitiveCase> {};

// X may use every primitive but one; that one is refused with call_denied,
// X neither blocks nor dies, and R (waiting for anything) receives nothing.
TEST_P(PrimitivePrivilege, RefusedWhenNotGranted) {
    const PrimitiveCase& c = GetParam();
    for (IpcStrategyKind kind : all_strategies) {
        SCOPED_TRACE(to_string(kind));
        SystemBuilder b(kind);
        sim::ProcessDescription& receiver = b.add("R", "recv any");
        receiver.expect = Expectation::serve;
        sim::ProcessDescription& x = b.add("X", std::string(c.script) + "; log still-running");
        x.primitives = all_primitives & ~bit(c.primitive);
        RunReport r = run(b);

        ASSERT_TRUE(r.ok) << describe(r);
        EXPECT_EQ(lines_of(r, "X"), L(c.expected, "still-running")) << describe(r);
        const sim::ProcessReport& xr = process(r, "X");
        EXPECT_EQ(xr.counters.denied, 1u);
        EXPECT_EQ(xr.counters.sent, 0u);
        EXPECT_EQ(xr.counters.notifies_sent, 0u);
        EXPECT_EQ(xr.counters.blocked, 0u);
        EXPECT_EQ(xr.state, ProcessState::exited);
        EXPECT_EQ(xr.exit_status, 0);
        // The denial changed nothing for R: still waiting, nothing delivered.
        const sim::ProcessReport& rr = process(r, "R");
        EXPECT_EQ(rr.state, ProcessState::receiving);
        EXPECT_EQ(rr.counters.received, 0u);
        EXPECT_TRUE(lines_of(r, "R").empty());
        EXPECT_EQ(r.messages, 0u);
    }
}

// The same primitive is accepted once granted (positive control).
TEST_P(PrimitivePrivilege, AllowedWhenGranted) {
    const PrimitiveCase& c = GetParam();
    SystemBuilder b;
    // R serves: answers a sendrec, and stays alive for "recv R" (which it
    // satisfies by sending to X).
    sim::ProcessDescription& receiver = b.add("R", "recv any; reply w=2; park");
    receiver.expect = Expectation::serve;
    if (c.primitive == Primitive::receive) receiver.args["script"] = std::string("send X w=7; park");
    sim::ProcessDescription& x = b.add("X", c.script);
    x.primitives = bit(c.primitive);
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    std::vector<std::string> lines = lines_of(r, "X");
    ASSERT_EQ(lines.size(), 1u) << describe(r);
    EXPECT_EQ(lines[0].find(" -> ok"), std::string(c.expected).find(" -> ")) << lines[0];
    EXPECT_EQ(process(r, "X").counters.denied, 0u);
}

INSTANTIATE_TEST_SUITE_P(EachPrimitive, PrimitivePrivilege, ::testing::ValuesIn(primitive_cases),
                         [](const ::testing::TestParamInfo<PrimitiveCase>& test_info) {
                             return std::string(to_string(test_info.param.primitive));
                         });

// No primitive at all: every one of the six is refused, each counted.
TEST(Privileges, NoPrimitivesRefusesAllSix) {
    SystemBuilder b;
    b.add("R", "recv any").expect = Expectation::serve;
    sim::ProcessDescription& x = b.add("X", "send R; recv any; sendrec R; notify R; sendnb R; replyrecv R");
    x.primitives = 0;
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "X"), L("send R -> call_denied", "recv any -> call_denied", "sendrec R -> call_denied",
                                  "notify R -> call_denied", "sendnb R -> call_denied", "replyrecv R -> call_denied"))
        << describe(r);
    EXPECT_EQ(process(r, "X").counters.denied, 6u);
    EXPECT_EQ(process(r, "R").counters.received, 0u);
}

// The MINIX user default, from a system description: a process whose
// description names no primitives may only sendrec.
TEST(Privileges, DescriptionDefaultIsSendrecOnly) {
    const char* text = R"([system]
name = "defaults"

[[process]]
name = "R"
program = "axt_script"
primitives = ["receive", "send"]
destinations = ["*"]
expect = "serve"
[process.args]
script = "recv any; reply w=5; recv any"

[[process]]
name = "X"
program = "axt_script"
destinations = ["R"]
[process.args]
script = "send R w=1; sendnb R w=1; notify R; recv any; replyrecv R w=1; sendrec R w=2"
)";
    sim::SystemDescription d = sim::parse_system_description(text, "defaults.toml");
    ASSERT_EQ(d.processes[1].primitives, bit(Primitive::sendrec));
    ASSERT_EQ(d.processes[1].kernel_calls, default_kernel_calls);
    RunReport r = run(d);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "X"), L("send R -> call_denied", "sendnb R -> call_denied", "notify R -> call_denied",
                                  "recv any -> call_denied", "replyrecv R -> call_denied",
                                  "sendrec R -> ok src=R type=1 w=5"))
        << describe(r);
    EXPECT_EQ(process(r, "X").counters.denied, 5u);
    EXPECT_EQ(process(r, "R").counters.received, 1u) << "only the sendrec reached R";
}

// ---- destinations --------------------------------------------------------------------------

// X may send only to B: every sending primitive towards C is refused with
// destination_denied, C never hears anything, and B still gets its message.
TEST(Privileges, DestinationNotGrantedIsRefused) {
    for (IpcStrategyKind kind : all_strategies) {
        SCOPED_TRACE(to_string(kind));
        SystemBuilder b(kind);
        b.add("B", "recv X");
        b.add("C", "recv any").expect = Expectation::serve;
        sim::ProcessDescription& x =
            b.add("X", "send C w=1; sendnb C w=2; sendrec C w=3; notify C; replyrecv C w=4; send B w=9");
        x.all_destinations = false;
        x.destinations = {"B"};
        RunReport r = run(b);

        ASSERT_TRUE(r.ok) << describe(r);
        EXPECT_EQ(lines_of(r, "X"), L("send C -> destination_denied", "sendnb C -> destination_denied",
                                      "sendrec C -> destination_denied", "notify C -> destination_denied",
                                      "replyrecv C -> destination_denied", "send B -> ok"))
            << describe(r);
        EXPECT_EQ(process(r, "X").counters.denied, 5u);
        EXPECT_EQ(process(r, "X").counters.sent, 1u);
        EXPECT_EQ(process(r, "X").counters.notifies_sent, 0u);
        EXPECT_EQ(process(r, "C").counters.received, 0u);
        EXPECT_EQ(process(r, "C").state, ProcessState::receiving);
        EXPECT_EQ(lines_of(r, "B"), L("recv X -> ok src=X type=1 w=9"));
    }
}

// Grants are one-way, and receiving needs none: B takes X's request although
// B may send to nobody, and its reply is refused.
TEST(Privileges, DestinationGrantsAreOneWayAndReceiveNeedsNone) {
    SystemBuilder b;
    sim::ProcessDescription& server = b.add("B", "recv any; reply w=1; recv X");
    server.all_destinations = false;  // no destinations at all
    sim::ProcessDescription& x = b.add("X", "sendnb B w=5; send B w=6");
    x.all_destinations = false;
    x.destinations = {"B"};
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "B"),
              L("recv any -> ok src=X type=1 w=5", "reply -> destination_denied", "recv X -> ok src=X type=1 w=6"))
        << describe(r);
    EXPECT_EQ(process(r, "B").counters.denied, 1u);
    EXPECT_EQ(process(r, "X").counters.received, 0u);
}

// A refused reply_receive neither replies nor receives: the server S holds a
// request from C and has P's message waiting; without the reply_receive bit
// (call_denied) or without a grant for C (destination_denied) its replyrecv
// changes nothing, P's message stays for the next recv, and C gets no reply.
TEST(Privileges, RefusedReplyReceiveNeitherRepliesNorReceives) {
    for (Status refusal : {Status::call_denied, Status::destination_denied}) {
        for (IpcStrategyKind kind : all_strategies) {
            SCOPED_TRACE(std::string(to_string(refusal)) + " under " + to_string(kind));
            const bool no_bit = refusal == Status::call_denied;
            SystemBuilder b(kind);
            sim::ProcessDescription& server = b.add(
                "S", std::string("recv any; replyrecv last w=1; log S-after; ") +
                         (no_bit ? "reply w=2; recv any" : "recv any"));
            server.quantum_ns = 1;  // queues at the back when woken: P's message arrives while S is busy
            if (no_bit) {
                server.primitives = all_primitives & ~bit(Primitive::reply_receive);
            } else {
                server.all_destinations = false;
                server.destinations = {"P"};
            }
            // Without a grant for C, S can never answer it: C waits until S exits.
            b.add("C", "sendrec S w=10");
            b.add_parked("P", "send S w=20");  // while S is busy: blocked or buffered
            RunReport r = run(b);

            ASSERT_TRUE(r.ok) << describe(r);
            const std::string refused = std::string("replyrecv last -> ") + to_string(refusal);
            if (no_bit) {
                EXPECT_EQ(lines_of(r, "S"), L("recv any -> ok src=C type=1 w=10", refused, "S-after", "reply -> ok",
                                              "recv any -> ok src=P type=1 w=20"))
                    << describe(r);
                EXPECT_EQ(lines_of(r, "C"), L("sendrec S -> ok src=S type=1 w=2")) << "the later reply, not w=1";
                EXPECT_EQ(process(r, "S").counters.sent, 1u);
            } else {
                EXPECT_EQ(lines_of(r, "S"),
                          L("recv any -> ok src=C type=1 w=10", refused, "S-after", "recv any -> ok src=P type=1 w=20"))
                    << describe(r);
                EXPECT_EQ(lines_of(r, "C"), L("sendrec S -> dead_endpoint")) << "no reply ever came";
                EXPECT_LT(position(r, "S", "recv any -> ok src=P type=1 w=20"),
                          position(r, "C", "sendrec S -> dead_endpoint"))
                    << describe(r);
                EXPECT_EQ(process(r, "C").counters.received, 0u);
                EXPECT_EQ(process(r, "S").counters.sent, 0u);
            }
            EXPECT_EQ(process(r, "S").counters.denied, 1u);
            EXPECT_EQ(process(r, "S").counters.received, 2u);
            EXPECT_EQ(process(r, "S").counters.blocked, 1u) << "only the first recv waited";
        }
    }
}

// A process granted itself only cannot reach its peers, but may notify itself.
TEST(Privileges, NotifyNeedsTheDestinationGrantToo) {
    SystemBuilder b;
    b.add("R", "recv any").expect = Expectation::serve;
    sim::ProcessDescription& x = b.add("X", "notify R; notify X; recv any");
    x.all_destinations = false;
    x.destinations = {"X"};
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "X"), L("notify R -> destination_denied", "notify X -> ok",
                                  "recv any -> ok src=X type=notify w=4"))
        << describe(r);
    EXPECT_EQ(process(r, "R").counters.received, 0u);
}

// ---- kernel calls ----------------------------------------------------------------------------

struct KernelCallCase {
    KernelCall call;
    const char* script;
    const char* expected;  // refused
    const char* allowed;   // granted: the line it logs, up to any number ("" = none)
};

const KernelCallCase kernel_call_cases[] = {
    {KernelCall::yield, "yield", "yield -> call_denied", ""},
    {KernelCall::compute, "compute 5000000", "compute -> call_denied", ""},
    {KernelCall::lookup, "lookup R", "lookup R -> call_denied", "lookup R -> ok"},
    {KernelCall::clock, "clock", "clock -> call_denied 0", "clock -> ok "},
    {KernelCall::self, "self", "self -> none", "self -> X"},
};

class KernelCallPrivilege : public ::testing::TestWithParam<KernelCallCase> {};

TEST_P(KernelCallPrivilege, RefusedWhenNotGranted) {
    const KernelCallCase& c = GetParam();
    SystemBuilder b;
    b.add("R", "");
    sim::ProcessDescription& x = b.add("X", std::string(c.script) + "; log after");
    x.kernel_calls = all_kernel_calls & ~bit(c.call);
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "X"), L(c.expected, "after")) << describe(r);
    EXPECT_EQ(process(r, "X").counters.denied, 1u);
    EXPECT_EQ(process(r, "X").exit_status, 0);
    // A refused compute charged none of its 5 ms.
    EXPECT_LT(r.virtual_ns, 5'000'000u);
}

TEST_P(KernelCallPrivilege, AllowedWhenGranted) {
    const KernelCallCase& c = GetParam();
    SystemBuilder b;
    b.add_parked("R", "");
    sim::ProcessDescription& x = b.add("X", std::string(c.script) + "; log after");
    x.kernel_calls = bit(c.call) | bit(KernelCall::log);
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(process(r, "X").counters.denied, 0u) << describe(r);
    std::vector<std::string> lines = lines_of(r, "X");
    if (std::string(c.allowed).empty()) {
        EXPECT_EQ(lines, L("after")) << describe(r);
    } else {
        ASSERT_EQ(lines.size(), 2u) << describe(r);
        EXPECT_TRUE(lines[0].starts_with(c.allowed)) << lines[0];
        EXPECT_EQ(lines[1], "after");
    }
    if (c.call == KernelCall::compute) {
        EXPECT_GE(r.virtual_ns, 5'000'000u);
    }
}

INSTANTIATE_TEST_SUITE_P(EachKernelCall, KernelCallPrivilege, ::testing::ValuesIn(kernel_call_cases),
                         [](const ::testing::TestParamInfo<KernelCallCase>& test_info) {
                             return std::string(to_string(test_info.param.call));
                         });

// log refused: nothing reaches the console (the wrapper returns nothing, so
// the count of denials is the evidence), and the process still runs on.
TEST(Privileges, LogRefusedWritesNothing) {
    SystemBuilder b;
    sim::ProcessDescription& x = b.add("X", "log hello; log again; exit 3");
    x.kernel_calls = all_kernel_calls & ~bit(KernelCall::log);
    x.expect = Expectation::serve;  // exits 3 on purpose
    RunReport r = run(b);

    EXPECT_TRUE(r.console.empty()) << describe(r);
    EXPECT_EQ(process(r, "X").counters.denied, 2u);
    EXPECT_EQ(process(r, "X").state, ProcessState::exited);
    EXPECT_EQ(process(r, "X").exit_status, 3);
}

// exit is never refused: with no kernel call granted at all, a process still
// ends, with the status it chose, whether it calls exit or returns.
TEST(Privileges, ExitIsAlwaysAllowed) {
    SystemBuilder b;
    sim::ProcessDescription& e = b.add("E", "yield; exit 7");
    e.kernel_calls = 0;
    b.add("Ret", "").kernel_calls = 0;
    RunReport r = run(b);

    EXPECT_TRUE(r.console.empty()) << describe(r);
    EXPECT_EQ(process(r, "E").state, ProcessState::exited);
    EXPECT_EQ(process(r, "E").exit_status, 7);
    EXPECT_EQ(process(r, "E").counters.denied, 2u) << "the yield, and the log of its result";
    EXPECT_EQ(process(r, "Ret").state, ProcessState::exited);
    EXPECT_EQ(process(r, "Ret").exit_status, 0);
    EXPECT_EQ(process(r, "Ret").counters.denied, 0u);
    // Exit status 7 is not success: the report says so.
    EXPECT_FALSE(r.ok);
    ASSERT_EQ(r.failures.size(), 1u) << describe(r);
    EXPECT_NE(r.failures[0].find("'E'"), std::string::npos) << r.failures[0];
    EXPECT_NE(r.failures[0].find("exited with status 7"), std::string::npos) << r.failures[0];
}

// kernel_calls = [] in a description is accepted and still lets the process exit.
TEST(Privileges, EmptyKernelCallListStillExits) {
    const char* text = R"([system]
name = "no-calls"
[[process]]
name = "X"
program = "axt_script"
kernel_calls = []
[process.args]
script = "clock; exit 0"
)";
    sim::SystemDescription d = sim::parse_system_description(text, "no-calls.toml");
    ASSERT_EQ(d.processes[0].kernel_calls, 0u);
    RunReport r = run(d);
    EXPECT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(process(r, "X").state, ProcessState::exited);
    EXPECT_EQ(process(r, "X").counters.denied, 2u) << "clock, and the log of its result";
}

// ---- the denied counter ----------------------------------------------------------------------

// Every refusal counts once, whichever check refused it; allowed calls do not count.
TEST(Privileges, DeniedCounterCountsEveryRefusal) {
    SystemBuilder b;
    b.add("R", "recv any; recv any").expect = Expectation::serve;
    sim::ProcessDescription& x =
        b.add("X", "send R w=1; notify R; sendnb Other; yield; clock; send R w=2; send Other");
    x.primitives = bit(Primitive::send) | bit(Primitive::sendnb);
    x.kernel_calls = bit(KernelCall::log) | bit(KernelCall::lookup) | bit(KernelCall::clock);
    x.all_destinations = false;
    x.destinations = {"R"};
    b.add("Other", "recv any").expect = Expectation::serve;
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    std::vector<std::string> lines = lines_of(r, "X");
    ASSERT_EQ(lines.size(), 7u) << describe(r);
    EXPECT_EQ(lines[0], "send R -> ok");
    EXPECT_EQ(lines[1], "notify R -> call_denied");
    EXPECT_EQ(lines[2], "sendnb Other -> destination_denied");
    EXPECT_EQ(lines[3], "yield -> call_denied");
    EXPECT_TRUE(lines[4].starts_with("clock -> ok ")) << lines[4];
    EXPECT_EQ(lines[5], "send R -> ok");
    EXPECT_EQ(lines[6], "send Other -> destination_denied");
    EXPECT_EQ(process(r, "X").counters.denied, 4u) << describe(r);
    EXPECT_EQ(process(r, "Other").counters.received, 0u);
}

// ---- notify needs a privilege of one's own ----------------------------------------------------

// Notifications name their source by privilege id, so only a process that
// holds its privilege alone may notify. Two processes of one privilege group
// (as replicas are) share one privilege structure, through the same boot
// builder every run uses.
TEST(PrivilegesKernelLevel, ProcessesSharingAPrivilegeMayNotNotify) {
    SystemBuilder b;
    for (const char* name : {"N.0", "N.1"}) {
        sim::ProcessDescription& n = b.add(name, std::string("notify R; log ") + name + "-done");
        n.group = "N";
    }
    b.add("R", "recv any").expect = Expectation::serve;
    RunReport r = run(b);

    EXPECT_EQ(r.console, L("[N.0] notify R -> call_denied", "[N.0] N.0-done", "[N.1] notify R -> call_denied",
                           "[N.1] N.1-done"));
    EXPECT_EQ(process(r, "N.0").counters.denied, 1u);
    EXPECT_EQ(process(r, "N.1").counters.denied, 1u);
    EXPECT_EQ(process(r, "N.0").counters.notifies_sent, 0u);
    EXPECT_EQ(process(r, "R").state, ProcessState::receiving) << "R never got a notification";
    EXPECT_EQ(process(r, "R").counters.received, 0u);
}

}  // namespace
}  // namespace axl::test
