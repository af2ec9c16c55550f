// Grouping a campaign's failed runs (tools/axl/campaign_failure_groups.h):
// runs that failed alike but for the numbers are one group; the numbers all
// of them share stay, those that vary show as '#'.
#include "tools/axl/campaign_failure_groups.h"

#include <gtest/gtest.h>

namespace axl::tools {
namespace {

FailedRun failed(uint64_t seed, sim::RunClass run_class, std::string detail) {
    FailedRun run;
    run.seed = seed;
    run.index = seed;
    run.run_class = run_class;
    run.detail = std::move(detail);
    return run;
}

TEST(FailureReason, NumbersOfEveryFormBecomeHashes) {
    EXPECT_EQ(failure_reason("round 99: reply word 3: expected 5297c1cf1106dd95, got 0x5297c1cf"),
              "round #: reply word #: expected #, got #");
    EXPECT_EQ(failure_reason("restarted 1.5ms after the injection at 82191ns"), "restarted # after the injection at #");
    EXPECT_EQ(failure_reason("lookup(\"nobody\"): expected status ok, got not_found"),
              "lookup(\"nobody\"): expected status ok, got not_found");
    EXPECT_EQ(failure_reason("process 'b' (fanin_client) was killed"), "process 'b' (fanin_client) was killed")
        << "short words of hex letters are words";
}

TEST(GroupFailures, GroupsByClassAndReasonMostFrequentFirst) {
    CampaignTotals totals;
    const auto error = sim::RunClass::client_error, hang = sim::RunClass::hang;
    for (uint64_t seed : {9, 2, 4, 7, 11, 13, 20})
        totals.failed.push_back(failed(seed, error, "block 7: expected byte " + std::to_string(seed) + ", got 0"));
    totals.failed.push_back(failed(5, hang, "the run reached until = 20ms with the workload unfinished (b)"));
    totals.failed.push_back(failed(3, hang, "the run reached until = 20ms with the workload unfinished (b)"));
    totals.failed.push_back(failed(8, error, "the run reached until = 20ms with the workload unfinished (b)"));

    const std::vector<FailureGroup> groups = group_failures(totals, 5);
    ASSERT_EQ(groups.size(), 3u);
    EXPECT_EQ(groups[0].run_class, error);
    EXPECT_EQ(groups[0].count, 7u);
    EXPECT_EQ(groups[0].reason, "block 7: expected byte #, got 0") << "shared numbers stay, varying ones are #";
    EXPECT_EQ(groups[0].first_seeds, (std::vector<uint64_t>{2, 4, 7, 9, 11}));
    EXPECT_EQ(groups[1].run_class, hang) << "the same reason, another class: another group";
    EXPECT_EQ(groups[1].count, 2u);
    EXPECT_EQ(groups[1].reason, "the run reached until = 20ms with the workload unfinished (b)");
    EXPECT_EQ(groups[1].first_seeds, (std::vector<uint64_t>{3, 5}));
    EXPECT_EQ(groups[2].run_class, error);
    EXPECT_EQ(groups[2].count, 1u);
    EXPECT_TRUE(group_failures(CampaignTotals{}).empty());
}

}  // namespace
}  // namespace axl::tools
