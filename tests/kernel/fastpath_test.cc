// The fast paths (kernel/fastpath.h) must be invisible: with tracing on the
// kernel always takes the general path, with tracing off it takes the fast
// paths where they apply, and every observable result -- virtual time, every
// process counter, exit states, console -- must be identical. This is the
// same-seed differential test MODELS.md rule 12 asks of any fast path.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <tuple>

#include "kernel/ipc_strategy.h"
#include "sim/simulator.h"
#include "sim/system_description.h"
#include "tests/support/script_program.h"

namespace axl::sim {
namespace {

std::string workload_path(const std::string& name) {
    const char* dir = std::getenv("AXL_SOURCE_DIR");
    std::string root = dir && *dir ? dir : std::string(__FILE__).substr(0, std::string(__FILE__).rfind("/tests/"));
    return root + "/workloads/" + name + ".toml";
}

RunReport run(const std::string& workload, IpcStrategyKind ipc, TraceLevel level) {
    DescriptionOverrides overrides;
    overrides.ipc = ipc;
    RunOptions options;
    options.trace_level = level;
    options.echo_console = false;
    return Simulator(load_system_description(workload_path(workload), overrides), options).run();
}

class FastpathDifferential : public testing::TestWithParam<std::tuple<std::string, IpcStrategyKind>> {};

TEST_P(FastpathDifferential, TracingOffChangesNothingObservable) {
    auto [workload, ipc] = GetParam();
    RunReport general = run(workload, ipc, TraceLevel::digest);  // tracing on: general path only
    RunReport fast = run(workload, ipc, TraceLevel::off);        // fast paths where they apply
    ASSERT_TRUE(general.ok);
    ASSERT_TRUE(fast.ok);
    // Console, messages, virtual time, failures and every process's state and counters.
    test::expect_same_behaviour(general, fast);
    EXPECT_EQ(fast.digest, 0u) << "tracing off computes no digest";
    EXPECT_NE(general.digest, 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Workloads, FastpathDifferential,
    testing::Combine(testing::Values("pingpong", "fanin", "pipeline", "notify"),
                     testing::Values(IpcStrategyKind::rendezvous, IpcStrategyKind::ring, IpcStrategyKind::queue)),
    [](const auto& info) {
        return std::get<0>(info.param) + "_" + to_string(std::get<1>(info.param));
    });

}  // namespace
}  // namespace axl::sim
