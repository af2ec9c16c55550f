// The one boot builder (kernel/boot/build_system.h) and the verdict
// (kernel/boot/verdict.h), on the fake port (tests/support/fake_port.h): the
// kernel core alone, no program runs.
#include "kernel/boot/build_system.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "kernel/boot/verdict.h"
#include "kernel/kernel.h"
#include "tests/support/fake_port.h"

namespace axl::test {
namespace {

using boot::BuildFailure;
using boot::BuildStep;
using boot::Expectation;

bool every_program(const void*, const char*) { return true; }
bool all_but_missing(const void*, const char* program) { return std::string(program) != "missing"; }

uint16_t kernel_privilege(uint32_t image_privilege) {
    return static_cast<uint16_t>(privilege_ids::first_free + image_privilege);
}

TEST(BuildSystem, BuildsPrivilegesDestinationsAndProcessesInImageOrder) {
    ImageBuilder b;
    b.cpus(2);
    const uint32_t server = b.privilege("server", {.primitives = bit(Primitive::receive)});
    const uint32_t client = b.privilege("client");
    const uint32_t pinned = b.privilege("pinned");
    b.destination(client, server).destination(server, client);
    b.process("server", "pingpong_server", server, -1, false, Expectation::serve);
    b.process("c.0", "pingpong_client", client);
    b.process("c.1", "pingpong_client", client);
    // Dedicated, and last: its CPU must still stay out of the spread of the others.
    b.process("spinner", "spinner", pinned, 1, true, Expectation::serve);
    const boot::BootImage& image = b.image();

    FakeMachine machine(2);
    Kernel& kernel = machine.kernel();
    BuildFailure failure;
    ASSERT_TRUE(boot::build_system(kernel, image, &every_program, nullptr, failure))
        << boot::describe(failure.step) << " " << failure.index;

    ASSERT_EQ(kernel.slots_used(), 4u);
    EXPECT_EQ(machine.port.contexts_created, (std::vector<uint32_t>{0, 1, 2, 3}));
    const char* names[] = {"server", "c.0", "c.1", "spinner"};
    const uint32_t privileges[] = {server, client, client, pinned};
    for (uint32_t slot = 0; slot < 4; ++slot) {
        SCOPED_TRACE(names[slot]);
        EXPECT_STREQ(kernel.process(slot).name, names[slot]);  // slot i runs image process i
        EXPECT_EQ(kernel.process(slot).privilege, kernel_privilege(privileges[slot]));
        if (slot < 3) EXPECT_EQ(kernel.process(slot).cpu, 0u) << "CPU 1 is dedicated";
    }
    EXPECT_EQ(kernel.privilege(kernel_privilege(client)).holders, 2u);  // replicas share one
    EXPECT_EQ(kernel.privilege(kernel_privilege(server)).primitives, bit(Primitive::receive));
    EXPECT_TRUE(kernel.privilege(kernel_privilege(client)).destinations.test(kernel_privilege(server)));
    EXPECT_TRUE(kernel.privilege(kernel_privilege(server)).destinations.test(kernel_privilege(client)));
    EXPECT_FALSE(kernel.privilege(kernel_privilege(pinned)).destinations.test(kernel_privilege(server)));
    EXPECT_EQ(kernel.cpu(1).dedicated_to, 3u);
}

TEST(BuildSystem, AnUnknownProgramStopsTheBootBeforeAnythingIsBuilt) {
    ImageBuilder b;
    const uint32_t p = b.privilege("p");
    b.process("a", "pingpong_client", p).process("b", "pingpong_client", p).process("c", "missing", p);
    const boot::BootImage& image = b.image();
    FakeMachine machine;
    BuildFailure failure;
    ASSERT_FALSE(boot::build_system(machine.kernel(), image, &all_but_missing, nullptr, failure));
    EXPECT_EQ(failure.step, BuildStep::program);
    EXPECT_EQ(failure.index, 2u);
    EXPECT_EQ(failure.status, Status::bad_argument);
    EXPECT_STREQ(boot::failure_subject(image, failure), "missing");
    EXPECT_EQ(boot::failure_line(image, failure), 202u);
    EXPECT_STREQ(boot::describe(failure.step), "unknown program");
    EXPECT_EQ(machine.kernel().slots_used(), 0u);
    EXPECT_FALSE(machine.kernel().privilege(privilege_ids::first_free).in_use);
    EXPECT_TRUE(machine.port.contexts_created.empty());
}

TEST(BuildSystem, MorePrivilegesThanTheKernelHoldsNamesTheFirstThatDidNotFit) {
    ImageBuilder b;
    const uint32_t fit = config::privilege_slots_max - privilege_ids::first_free;
    for (uint32_t i = 0; i <= fit; ++i) b.privilege("p" + std::to_string(i));
    b.process("a", "x", 0);
    const boot::BootImage& image = b.image();
    FakeMachine machine;
    BuildFailure failure;
    ASSERT_FALSE(boot::build_system(machine.kernel(), image, &every_program, nullptr, failure));
    EXPECT_EQ(failure.step, BuildStep::privilege);
    EXPECT_EQ(failure.index, fit);
    EXPECT_STREQ(boot::failure_subject(image, failure), ("p" + std::to_string(fit)).c_str());
    EXPECT_EQ(boot::failure_line(image, failure), 100u + fit);
    EXPECT_EQ(machine.kernel().slots_used(), 0u);
}

TEST(BuildSystem, TwoProcessesDedicatedToOneCpuAreRefusedAtTheSecond) {
    ImageBuilder b;
    b.cpus(2);
    const uint32_t p = b.privilege("p");
    b.process("first", "x", p, 1, true).process("second", "x", p, 1, true);
    const boot::BootImage& image = b.image();
    FakeMachine machine(2);
    BuildFailure failure;
    ASSERT_FALSE(boot::build_system(machine.kernel(), image, &every_program, nullptr, failure));
    EXPECT_EQ(failure.step, BuildStep::spawn);
    EXPECT_EQ(failure.index, 1u);
    EXPECT_STREQ(boot::failure_subject(image, failure), "second");
    EXPECT_EQ(machine.kernel().cpu(1).dedicated_to, 0u);
}

TEST(BuildSystem, IndexesOutsideTheImageAreRefusedNotFollowed) {
    ImageBuilder b;
    const uint32_t p = b.privilege("p");
    b.destination(p, 7);  // no privilege 7
    b.process("a", "x", p);
    const boot::BootImage& image = b.image();
    FakeMachine machine;
    BuildFailure failure;
    ASSERT_FALSE(boot::build_system(machine.kernel(), image, &every_program, nullptr, failure));
    EXPECT_EQ(failure.step, BuildStep::destination);
    EXPECT_EQ(failure.status, Status::bad_argument);
    EXPECT_STREQ(boot::failure_subject(image, failure), "p");

    ImageBuilder c;
    c.privilege("q");
    c.process("b", "x", 3);  // no privilege 3
    const boot::BootImage& other = c.image();
    FakeMachine fresh;
    ASSERT_FALSE(boot::build_system(fresh.kernel(), other, &every_program, nullptr, failure));
    EXPECT_EQ(failure.step, BuildStep::spawn);
    EXPECT_EQ(failure.index, 0u);
    EXPECT_EQ(fresh.kernel().slots_used(), 0u);
}

// ---- the verdict ----------------------------------------------------------------------

TEST(Verdict, WhatEachExpectationAccepts) {
    const ProcessState alive[] = {ProcessState::runnable, ProcessState::receiving};
    for (ProcessState state : alive) {
        EXPECT_FALSE(boot::meets(Expectation::exit, state, 0));
        EXPECT_TRUE(boot::meets(Expectation::serve, state, 0));
        EXPECT_FALSE(boot::meets(Expectation::fault, state, 0));
    }
    EXPECT_TRUE(boot::meets(Expectation::exit, ProcessState::exited, 0));
    EXPECT_FALSE(boot::meets(Expectation::exit, ProcessState::exited, 1));
    EXPECT_TRUE(boot::meets(Expectation::serve, ProcessState::exited, 0));
    EXPECT_FALSE(boot::meets(Expectation::serve, ProcessState::exited, 3));
    EXPECT_FALSE(boot::meets(Expectation::fault, ProcessState::exited, 0));
    for (Expectation expectation : {Expectation::exit, Expectation::serve})
        for (ProcessState state : {ProcessState::faulted, ProcessState::killed})
            EXPECT_FALSE(boot::meets(expectation, state, 0));
    EXPECT_TRUE(boot::meets(Expectation::fault, ProcessState::faulted, 2));
    EXPECT_FALSE(boot::meets(Expectation::fault, ProcessState::killed, 0));
    EXPECT_STREQ(boot::wanted(Expectation::exit), "exit with status 0");
    EXPECT_STREQ(boot::wanted(Expectation::serve), "serve without failing");
    EXPECT_STREQ(boot::wanted(Expectation::fault), "be killed by a fault");
}

TEST(Verdict, WorkloadsAreDoneOnceEveryProcessExpectedToExitHasEnded) {
    ImageBuilder b;
    const uint32_t p = b.privilege("p");
    b.process("server", "x", p, -1, false, Expectation::serve);
    b.process("w1", "x", p).process("w2", "x", p);
    const boot::BootImage& image = b.image();
    FakeMachine machine;
    Kernel& kernel = machine.kernel();
    BuildFailure failure;
    ASSERT_TRUE(boot::build_system(kernel, image, &every_program, nullptr, failure));
    EXPECT_FALSE(boot::workloads_done(kernel, image));
    kernel.crash(1, FaultKind::injected, 0, 0);
    EXPECT_FALSE(boot::workloads_done(kernel, image)) << "w2 is still alive";
    kernel.crash(2, FaultKind::injected, 0, 0);
    EXPECT_TRUE(boot::workloads_done(kernel, image)) << "the server may serve on";
    EXPECT_EQ(machine.port.contexts_destroyed, (std::vector<uint32_t>{1, 2}));
}

TEST(Verdict, ASystemOfServersAloneIsNeverDone) {
    ImageBuilder b;
    const uint32_t p = b.privilege("p");
    b.process("server", "x", p, -1, false, Expectation::serve);
    const boot::BootImage& image = b.image();
    FakeMachine machine;
    BuildFailure failure;
    ASSERT_TRUE(boot::build_system(machine.kernel(), image, &every_program, nullptr, failure));
    EXPECT_FALSE(boot::workloads_done(machine.kernel(), image));
}

}  // namespace
}  // namespace axl::test
