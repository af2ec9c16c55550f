// The adversarial privilege suite (workloads/adversary.toml): a process tries
// every call of kernel/api/ past its privileges, and every attempt must get its
// documented status, under every strategy, on one CPU and in parallel mode.
// Two negative controls grant, in the description only, what the programs
// believe is refused: the probe and the victim must both catch it. And every
// call kernel/api/ declares must be tried without its privilege, so a new call
// cannot slip past the suite.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <tuple>

#include "kernel/ipc_strategy.h"
#include "kernel/process.h"
#include "sim/config/system_description.h"
#include "sim/port/simulator.h"
#include "tests/support/source_dir.h"
#include "tests/support/report_text.h"

namespace axl::sim {
namespace {

constexpr IpcStrategyKind all_strategies[] = {IpcStrategyKind::rendezvous, IpcStrategyKind::ring,
                                              IpcStrategyKind::queue};

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string adversary_toml_path() { return test::source_dir() + "/workloads/adversary.toml"; }

RunReport run(const SystemDescription& description, bool parallel) {
    RunOptions options;
    options.echo_console = false;
    options.parallel = parallel;
    Simulator simulator(description, options);
    return simulator.run();
}

std::string describe(const RunReport& report) { return test::report_text(report); }

const ProcessReport& process(const RunReport& report, const std::string& name) {
    for (const ProcessReport& p : report.processes)
        if (p.name == name) return p;
    throw std::runtime_error("no process " + name + " in the report");
}

bool console_has(const RunReport& report, const std::string& text) {
    for (const std::string& line : report.console)
        if (line.find(text) != std::string::npos) return true;
    return false;
}

// ---- the suite passes: every strategy, one CPU and parallel ---------------------------------

using SuiteCase = std::tuple<IpcStrategyKind, bool>;  // strategy, parallel (2 CPUs)

class AdversaryTest : public ::testing::TestWithParam<SuiteCase> {};

TEST_P(AdversaryTest, EveryAttemptGetsItsDocumentedStatusAndNoVictimIsReached) {
    const auto [strategy, parallel] = GetParam();
    DescriptionOverrides overrides;
    overrides.ipc = strategy;
    if (parallel) overrides.cpus = 2;
    const RunReport report = run(load_system_description(adversary_toml_path(), overrides), parallel);

    ASSERT_TRUE(report.ok) << describe(report);
    EXPECT_TRUE(report.failures.empty()) << describe(report);
    for (const char* name : {"adversary", "judge", "unprivileged", "mute", "sharer.0", "sharer.1"}) {
        SCOPED_TRACE(name);
        EXPECT_EQ(process(report, name).state, ProcessState::exited) << describe(report);
        EXPECT_EQ(process(report, name).exit_status, 0) << describe(report);
    }
    // The victims are still there, waiting: nothing made them fail.
    for (const char* name : {"victim", "lender"}) {
        SCOPED_TRACE(name);
        EXPECT_EQ(process(report, name).state, ProcessState::receiving) << describe(report);
    }
    // Each self-check ran to its end (the probe tries 300,000 things; the judge confirms).
    EXPECT_TRUE(console_has(report, "[adversary] ok: ")) << describe(report);
    EXPECT_TRUE(console_has(report, "[judge] ok: ")) << describe(report);
    EXPECT_TRUE(console_has(report, "[unprivileged] ok: ")) << describe(report);
    // The victim received exactly the judge's one question.
    EXPECT_EQ(process(report, "victim").counters.received, 1u) << describe(report);
    // A process without the log call leaves no line on the console.
    for (const std::string& line : report.console) EXPECT_EQ(line.rfind("[mute]", 0), std::string::npos) << line;
    // The probe's refusals were counted by the kernel as refusals.
    EXPECT_GT(process(report, "adversary").counters.denied, 250'000u);
}

INSTANTIATE_TEST_SUITE_P(AllStrategies, AdversaryTest,
                         ::testing::Combine(::testing::ValuesIn(all_strategies), ::testing::Bool()),
                         [](const ::testing::TestParamInfo<SuiteCase>& test) {
                             return std::string(to_string(std::get<0>(test.param))) +
                                    (std::get<1>(test.param) ? "_parallel" : "");
                         });

// ---- negative controls: a real hole is caught, with its reason ------------------------------

// adversary.toml with one line replaced (the line must be there).
SystemDescription with_hole(const std::string& line, const std::string& replacement, IpcStrategyKind strategy) {
    std::string text = read_file(adversary_toml_path());
    const size_t at = text.find(line);
    if (at == std::string::npos) throw std::runtime_error("adversary.toml no longer has: " + line);
    text.replace(at, line.size(), replacement);
    DescriptionOverrides overrides;
    overrides.ipc = strategy;
    return parse_system_description(text, "adversary_with_a_hole.toml", overrides);
}

class AdversaryHoleTest : public ::testing::TestWithParam<IpcStrategyKind> {};

// The description lets the adversary send to the victim, which the probe
// believes is refused: its first send there gets ok where destination_denied
// was expected, and the victim fails on the message that reached it.
TEST_P(AdversaryHoleTest, AVictimTheAdversaryCanReachIsCaughtByBoth) {
    const RunReport report = run(with_hole("destinations = [\"lender\", \"judge\"]",
                                           "destinations = [\"lender\", \"judge\", \"victim\"]", GetParam()),
                                 false);
    EXPECT_FALSE(report.ok) << describe(report);
    EXPECT_EQ(process(report, "adversary").exit_status, 1) << describe(report);
    EXPECT_TRUE(console_has(report, "(slot x generation): expected destination_denied, got ok")) << describe(report);
    EXPECT_EQ(process(report, "victim").state, ProcessState::exited) << describe(report);
    EXPECT_TRUE(console_has(report, "[victim] reached by a message of type 0x507")) << describe(report);
}

// The unprivileged process is given yield, which it believes it lacks: its
// eighth attempt (yield) gets ok, and it exits 108 saying so.
TEST_P(AdversaryHoleTest, AKernelCallGrantedAfterAllIsCaught) {
    const RunReport report =
        run(with_hole("kernel_calls = [\"log\"]\n[process.args]\nvictim_slot = 0",
                      "kernel_calls = [\"log\", \"yield\"]\n[process.args]\nvictim_slot = 0", GetParam()),
            false);
    EXPECT_FALSE(report.ok) << describe(report);
    EXPECT_EQ(process(report, "unprivileged").exit_status, 108) << describe(report);
    EXPECT_TRUE(console_has(report, "attempt 8: yield without its privilege: expected call_denied, got ok"))
        << describe(report);
}

INSTANTIATE_TEST_SUITE_P(AllStrategies, AdversaryHoleTest, ::testing::ValuesIn(all_strategies),
                         [](const ::testing::TestParamInfo<IpcStrategyKind>& test) {
                             return std::string(to_string(test.param));
                         });

// ---- every call of kernel/api/ is tried without its privilege -------------------------------

// Functions kernel/api/ declares that are not kernel entries a privilege can
// refuse, each with the reason.
const std::set<std::string> not_deniable = {
    "exit",              // always granted: a process must be able to end
    "fail",              // log + exit
    "random_u64",        // user-level: no kernel entry
    "arg_int",           // user-level: reads the startup block / boot image
    "arg_string",        // same
    "register_program",  // the port's program registry, not a call
};

TEST(AdversaryCoverage, EveryCallInKernelApiIsTriedWithoutItsPrivilege) {
    const std::string source = read_file(test::source_dir() + "/workloads/adversary.cc");
    const size_t begin = source.find("AXL_PROGRAM(adversary_unprivileged");
    ASSERT_NE(begin, std::string::npos);
    const size_t end = source.find("AXL_PROGRAM(", begin + 1);
    const std::string unprivileged = source.substr(begin, end - begin);

    // A declaration at namespace level: a return type, a name, "(" (no inline
    // helpers such as irq_lines_of, no to_string).
    const std::regex declaration(
        R"(^(?:\[\[noreturn\]\]\s+)?(?:Status|Endpoint|void|uint64_t|int64_t|const char\*)\s+([a-z_0-9]+)\()");
    std::set<std::string> calls;
    for (const auto& entry : std::filesystem::directory_iterator(test::source_dir() + "/kernel/api")) {
        if (entry.path().extension() != ".h") continue;
        std::istringstream lines(read_file(entry.path().string()));
        for (std::string line; std::getline(lines, line);) {
            std::smatch match;
            if (std::regex_search(line, match, declaration)) calls.insert(match[1]);
        }
    }
    // The parse found the calls (else this test would pass vacuously).
    for (const char* known : {"send", "reply_receive", "lookup", "io_read", "irq_detach", "set_alarm", "grant_create",
                              "safecopy_to", "watch_deaths", "restart"})
        EXPECT_TRUE(calls.count(known)) << known << " was not found in kernel/api/: the declaration parse is broken";
    EXPECT_GE(calls.size(), 31u);

    for (const std::string& call : calls) {
        if (not_deniable.count(call)) continue;
        EXPECT_NE(unprivileged.find(call + "("), std::string::npos)
            << "kernel/api/ declares " << call << "(), which adversary_unprivileged (workloads/adversary.cc) never "
            << "tries without its privilege: add the attempt and its documented status";
    }
}

}  // namespace
}  // namespace axl::sim
