// The reincarnation server on the storage path (workloads/storage_rs.toml):
// each fault kind on the block driver is detected and repaired while the
// client goes on checking every byte; restart policies (backoff, budget,
// services restarted together) behave as documented; clients holding a stale
// endpoint look the service up again and retry, under every IPC strategy.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sim/harness/fault_injector.h"
#include "sim/port/simulator.h"
#include "sim/config/system_description.h"
#include "tests/support/script_program.h"
#include "tests/support/source_dir.h"

namespace axl::test {
namespace {

using sim::FaultSpec;
using sim::LifecycleEvent;

std::string storage_rs_text() {
    std::ifstream in(source_dir() + "/workloads/storage_rs.toml");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string replaced(std::string text, const std::string& what, const std::string& with) {
    const size_t at = text.find(what);
    EXPECT_NE(at, std::string::npos) << what;
    if (at != std::string::npos) text.replace(at, what.size(), with);
    return text;
}

sim::RunReport run_with(const std::string& text, const std::vector<FaultSpec>& faults,
                        IpcStrategyKind ipc = IpcStrategyKind::rendezvous) {
    sim::DescriptionOverrides overrides;
    overrides.ipc = ipc;
    sim::SystemDescription system =
        sim::parse_system_description(text, source_dir() + "/workloads/storage_rs.toml", overrides);
    sim::RunOptions options;
    options.echo_console = false;
    options.faults = faults;
    sim::Simulator simulator(system, options);
    return simulator.run();
}

FaultSpec fault(FaultSpec::Kind kind, const std::string& target, uint64_t at_ns, uint64_t after_calls = 0) {
    FaultSpec spec;
    spec.kind = kind;
    spec.target = target;
    spec.at_ns = at_ns;
    spec.after_calls = after_calls;
    return spec;
}

std::vector<const LifecycleEvent*> events_of(const sim::RunReport& r, const std::string& process, LifecycleEvent::What what) {
    std::vector<const LifecycleEvent*> found;
    for (const LifecycleEvent& event : r.lifecycle)
        if (event.process == process && event.what == what) found.push_back(&event);
    return found;
}

uint32_t restarts_of(const sim::RunReport& r, const std::string& process) {
    for (const sim::ProcessReport& p : r.processes)
        if (p.name == process) return p.restarts;
    return ~0u;
}

const IpcStrategyKind all_strategies[] = {IpcStrategyKind::rendezvous, IpcStrategyKind::ring, IpcStrategyKind::queue};

class EachFault : public ::testing::TestWithParam<IpcStrategyKind> {};

TEST_P(EachFault, ACrashedDriverIsRestartedAndNoDataIsLost) {
    sim::RunReport r = run_with(storage_rs_text(), {fault(FaultSpec::Kind::crash, "block", 3'000'000)}, GetParam());
    ASSERT_TRUE(r.ok) << describe(r);
    ASSERT_EQ(r.faults.size(), 1u);
    EXPECT_TRUE(r.faults[0].injected);
    EXPECT_EQ(restarts_of(r, "block"), 1u);
    auto died = events_of(r, "block", LifecycleEvent::What::died);
    auto back = events_of(r, "block", LifecycleEvent::What::restarted);
    ASSERT_EQ(died.size(), 1u);
    ASSERT_EQ(back.size(), 1u);
    EXPECT_EQ(died[0]->state, ProcessState::faulted);
    EXPECT_EQ(died[0]->time_ns, 3'000'000u) << "a crash acts at its virtual time";
    EXPECT_GE(back[0]->time_ns, died[0]->time_ns + 20'000) << "the policy's backoff of 20 us";
    EXPECT_LT(back[0]->time_ns, died[0]->time_ns + 100'000);
}

TEST_P(EachFault, ARealBadPointerInTheDriverIsSurvived) {
    sim::RunReport r = run_with(storage_rs_text(), {fault(FaultSpec::Kind::bad_pointer, "block", 0, 400)}, GetParam());
    ASSERT_TRUE(r.ok) << describe(r);
    auto died = events_of(r, "block", LifecycleEvent::What::died);
    ASSERT_EQ(died.size(), 1u);
    EXPECT_EQ(died[0]->state, ProcessState::faulted);
    EXPECT_EQ(restarts_of(r, "block"), 1u);
    EXPECT_NE(lines_of(r, "rs"), L("rs: watching 1 services")) << describe(r);
}

TEST_P(EachFault, AHungDriverIsKilledAfterMissedHeartbeatsAndRestarted) {
    sim::RunReport r = run_with(storage_rs_text(), {fault(FaultSpec::Kind::hang, "block", 2'000'000)}, GetParam());
    ASSERT_TRUE(r.ok) << describe(r);
    auto died = events_of(r, "block", LifecycleEvent::What::died);
    ASSERT_EQ(died.size(), 1u);
    EXPECT_EQ(died[0]->state, ProcessState::killed);
    // Three 1 ms heartbeats unanswered: between 2 and 4 ms after the hang.
    EXPECT_GE(died[0]->time_ns, 2'000'000u + 2'000'000u);
    EXPECT_LE(died[0]->time_ns, 2'000'000u + 4'100'000u);
    EXPECT_EQ(restarts_of(r, "block"), 1u);
}

// Device and interrupt faults on the disk: each is survived with every byte
// checked. A lost or stuck completion leaves the driver waiting: rs finds it
// hung and restarts it, and the new driver resets the disk. An I/O error is
// retried by the driver; a corrupted transfer is caught by the storage
// server's checksums and read again; a duplicate, a storm or a slow command
// costs only time.
TEST_P(EachFault, DeviceAndInterruptFaultsAreSurvived) {
    struct Case {
        FaultSpec::Kind kind;
        uint32_t restarts;
        const char* evidence;  // a console line fragment that shows the recovery ("" for none)
    };
    const Case cases[] = {
        {FaultSpec::Kind::irq_lose, 1, "rs: block missed 3 heartbeats"},
        {FaultSpec::Kind::irq_duplicate, 0, ""},
        {FaultSpec::Kind::irq_storm, 0, ""},
        {FaultSpec::Kind::device_error, 0, "block: I/O error at sector"},
        {FaultSpec::Kind::device_stuck, 1, "rs: block missed 3 heartbeats"},
        {FaultSpec::Kind::dma_corrupt, 0, "failed its checksum, reading again"},
        {FaultSpec::Kind::device_slow, 0, ""},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(sim::to_string(c.kind));
        sim::RunReport r = run_with(storage_rs_text(), {fault(c.kind, "disk0", 3'000'000)}, GetParam());
        ASSERT_TRUE(r.ok) << describe(r);
        ASSERT_EQ(r.faults.size(), 1u);
        EXPECT_TRUE(r.faults[0].injected);
        EXPECT_EQ(restarts_of(r, "block"), c.restarts) << describe(r);
        if (*c.evidence) {
            bool seen = false;
            for (const std::string& line : r.console) seen = seen || line.find(c.evidence) != std::string::npos;
            EXPECT_TRUE(seen) << describe(r);
        }
    }
}

// A message corrupted on the way, to each process of the storage path: the
// sealed protocols catch it and the request is sent again.
TEST_P(EachFault, ACorruptedMessageIsCaughtAndSentAgain) {
    for (const char* target : {"block", "storage", "client"}) {
        SCOPED_TRACE(target);
        sim::RunReport r = run_with(storage_rs_text(), {fault(FaultSpec::Kind::corrupt_message, target, 3'000'000)},
                                    GetParam());
        ASSERT_TRUE(r.ok) << describe(r);
        ASSERT_EQ(r.faults.size(), 1u);
        EXPECT_TRUE(r.faults[0].injected);
        bool resent = false;
        for (const std::string& line : r.console)
            resent = resent || line.find("arrived corrupted, sending the request again") != std::string::npos;
        EXPECT_TRUE(resent) << describe(r);
    }
}

// A client holding the storage server's endpoint when it is restarted gets
// dead_endpoint, looks it up again and retries: the run still checks out.
TEST_P(EachFault, AStaleEndpointIsLookedUpAgainAndTheRequestRetried) {
    std::string text = replaced(storage_rs_text(), "[process.args]\nblock = \"block\"",
                                "[process.restart]\nbackoff = \"10us\"\n[process.args]\nblock = \"block\"");
    sim::RunReport r = run_with(text, {fault(FaultSpec::Kind::crash, "storage", 4'000'000)}, GetParam());
    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(restarts_of(r, "storage"), 1u);
}

INSTANTIATE_TEST_SUITE_P(Strategies, EachFault, ::testing::ValuesIn(all_strategies),
                         [](const auto& info) { return std::string(to_string(info.param)); });

// Each restart waits twice as long as the one before (20, 40, 80 us), and
// after `limit` restarts rs gives up and says so.
TEST(RestartPolicy, BackoffDoublesAndTheBudgetRunsOut) {
    std::string text = replaced(storage_rs_text(), "limit = 5 ", "limit = 3 ");
    std::vector<FaultSpec> faults;
    for (uint64_t at : {1'000'000ull, 2'000'000ull, 3'000'000ull, 4'000'000ull})
        faults.push_back(fault(FaultSpec::Kind::crash, "block", at));
    sim::RunReport r = run_with(text, faults);
    EXPECT_FALSE(r.ok) << "with its driver given up, the client cannot finish";
    auto died = events_of(r, "block", LifecycleEvent::What::died);
    auto back = events_of(r, "block", LifecycleEvent::What::restarted);
    std::string timeline;
    for (const LifecycleEvent& event : r.lifecycle)
        timeline += event.process + (event.what == LifecycleEvent::What::died ? " died " : " back ") +
                    std::to_string(event.time_ns) + "\n";
    ASSERT_EQ(died.size(), 4u) << timeline;
    ASSERT_EQ(back.size(), 3u) << timeline;
    SCOPED_TRACE(timeline);
    for (size_t i = 0; i < back.size(); ++i) {
        const uint64_t delay = back[i]->time_ns - died[i]->time_ns;
        const uint64_t backoff = 20'000ull << i;
        EXPECT_GE(delay, backoff) << "restart " << i + 1;
        EXPECT_LT(delay, backoff + 5'000) << "restart " << i + 1;
    }
    const auto rs_lines = lines_of(r, "rs");
    EXPECT_NE(std::find(rs_lines.begin(), rs_lines.end(), "rs: giving up on block after 3 restarts"), rs_lines.end())
        << describe(r);
}

// `with`: the storage server goes down and comes back with its driver.
TEST(RestartPolicy, DependentsAreRestartedTogether) {
    std::string text = replaced(storage_rs_text(), "notify = [\"storage\"]", "with = [\"storage\"]");
    text = replaced(text, "[process.args]\nblock = \"block\"",
                    "[process.restart]\nlimit = 5\n[process.args]\nblock = \"block\"");
    sim::RunReport r = run_with(text, {fault(FaultSpec::Kind::crash, "block", 3'000'000)});
    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(restarts_of(r, "block"), 1u);
    EXPECT_EQ(restarts_of(r, "storage"), 1u);
    auto storage_died = events_of(r, "storage", LifecycleEvent::What::died);
    ASSERT_EQ(storage_died.size(), 1u);
    EXPECT_EQ(storage_died[0]->state, ProcessState::killed);
}

TEST(RestartPolicy, ReplaysBitForBit) {
    const std::vector<FaultSpec> faults = {fault(FaultSpec::Kind::crash, "block", 3'000'000),
                                           fault(FaultSpec::Kind::hang, "block", 6'000'000)};
    sim::RunReport first = run_with(storage_rs_text(), faults);
    sim::RunReport second = run_with(storage_rs_text(), faults);
    ASSERT_TRUE(first.ok) << describe(first);
    EXPECT_EQ(first.digest, second.digest);
    EXPECT_EQ(restarts_of(first, "block"), 2u);
}

}  // namespace
}  // namespace axl::test
