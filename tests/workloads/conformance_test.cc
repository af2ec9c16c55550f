// The IPC conformance suite (workloads/conformance.toml, docs/ipc-strategies.md
// "What a strategy may and may not change") under every strategy. The
// processes check themselves what must be the same under all three; this test
// adds the comparison across strategies: every "ok:" line a scenario logs is
// the same under all three, except the lines that report what a strategy may
// change, which must be exactly what that strategy's rule says. Also run with
// tracing on (no fast paths), which must change nothing.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "kernel/config.h"
#include "kernel/ipc_strategy.h"
#include "sim/config/system_description.h"
#include "sim/port/simulator.h"
#include "tests/support/source_dir.h"
#include "tests/support/report_text.h"

namespace axl::sim {
namespace {

constexpr IpcStrategyKind all_strategies[] = {IpcStrategyKind::rendezvous, IpcStrategyKind::ring,
                                              IpcStrategyKind::queue};

RunReport run_conformance(IpcStrategyKind ipc, TraceLevel trace) {
    DescriptionOverrides overrides;
    overrides.ipc = ipc;
    const SystemDescription description =
        load_system_description(test::source_dir() + "/workloads/conformance.toml", overrides);
    RunOptions options;
    options.echo_console = false;
    options.trace_level = trace;
    Simulator simulator(description, options);
    return simulator.run();
}

std::string describe(const RunReport& report) { return test::report_text(report); }

// Process name -> its "ok: ..." line ("[name] ok: ..." on the console).
std::map<std::string, std::string> ok_lines(const RunReport& report) {
    std::map<std::string, std::string> lines;
    for (const std::string& line : report.console) {
        const size_t close = line.find("] ok: ");
        if (line.empty() || line[0] != '[' || close == std::string::npos) continue;
        lines[line.substr(1, close - 1)] = line.substr(close + 2);
    }
    return lines;
}

// What may differ: how many messages a receiver that is not waiting gets kept
// (none under rendezvous: a sender blocks, sendnb says would_block), and so
// whether a reply to a caller that is not waiting is refused or kept.
std::map<std::string, std::string> what_the_strategy_decides(IpcStrategyKind ipc) {
    const std::string kept = std::to_string(ipc == IpcStrategyKind::rendezvous ? 0
                                            : ipc == IpcStrategyKind::ring     ? config::ring_capacity
                                                                               : config::queue_capacity);
    const bool keeps = ipc != IpcStrategyKind::rendezvous;
    return {
        {"filler", "ok: " + kept + " messages kept before sendnb -> would_block"},
        {"drained", "ok: " + kept + " kept messages in order, the killed sender's message never arrived"},
        {"replying_server", std::string("ok: reply_receive to a client not waiting -> ") + (keeps ? "ok" : "would_block")},
        {"impatient_client", keeps ? "ok: reply_receive to a caller not waiting -> ok, and the reply arrived once"
                                   : "ok: reply_receive to a caller not waiting -> would_block, and no reply arrived"},
    };
}

TEST(Conformance, EveryScenarioPassesUnderEveryStrategyAndOnlyTheAllowedOutcomesDiffer) {
    std::map<std::string, std::string> reference;  // rendezvous's lines of the identical part
    for (IpcStrategyKind ipc : all_strategies) {
        SCOPED_TRACE(to_string(ipc));
        const RunReport report = run_conformance(ipc, TraceLevel::off);
        ASSERT_TRUE(report.ok) << describe(report);
        std::map<std::string, std::string> lines = ok_lines(report);
        // Every process of the suite passed its checks and said so.
        for (const ProcessReport& process : report.processes)
            EXPECT_TRUE(lines.count(process.name)) << process.name << " logged no ok line\n" << describe(report);
        for (const auto& [name, line] : what_the_strategy_decides(ipc)) {
            EXPECT_EQ(lines[name], line) << describe(report);
            lines.erase(name);
        }
        if (ipc == IpcStrategyKind::rendezvous)
            reference = lines;
        else
            EXPECT_EQ(lines, reference) << "an outcome that must be the same under every strategy differs\n"
                                        << describe(report);
    }
    // The identical part, spelled out for the scenarios whose outcome a
    // defect would change.
    EXPECT_EQ(reference["cycle2_judge"], "ok: a cycle of 2 sendrecs: 1 deadlock, 1 dead_endpoint");
    EXPECT_EQ(reference["cycle3_judge"], "ok: a cycle of 3 sendrecs: 1 deadlock, 2 dead_endpoint");
    EXPECT_EQ(reference["abandoned_client"], "ok: the server died mid-call: sendrec -> dead_endpoint");
    EXPECT_EQ(reference["late_server"], "ok: the reply to the killed incarnation -> dead_endpoint");
}

// The fast paths (off while tracing) must not change any outcome.
TEST(Conformance, TracingOnChangesNoOutcome) {
    for (IpcStrategyKind ipc : all_strategies) {
        SCOPED_TRACE(to_string(ipc));
        const RunReport untraced = run_conformance(ipc, TraceLevel::off);
        const RunReport traced = run_conformance(ipc, TraceLevel::full);
        ASSERT_TRUE(traced.ok) << describe(traced);
        EXPECT_EQ(traced.console, untraced.console);
        EXPECT_EQ(traced.virtual_ns, untraced.virtual_ns);
    }
}

}  // namespace
}  // namespace axl::sim
