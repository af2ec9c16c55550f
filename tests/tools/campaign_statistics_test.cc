// Latency samples of a campaign (tools/axl/campaign_statistics.h): nearest-rank
// percentiles, and shards that merge into exactly the samples of one campaign.
#include "tools/axl/campaign_statistics.h"

#include <gtest/gtest.h>

namespace axl::tools {
namespace {

TEST(LatencySamples, NoSamplesNoPercentile) {
    const LatencySamples samples;
    EXPECT_EQ(samples.count(), 0u);
    EXPECT_FALSE(samples.percentile(50).has_value());
}

TEST(LatencySamples, PercentilesAreNearestRank) {
    LatencySamples samples;
    for (uint64_t ns = 1; ns <= 100; ++ns) samples.add(ns * 10);
    EXPECT_EQ(samples.count(), 100u);
    EXPECT_EQ(samples.percentile(50), 500u);
    EXPECT_EQ(samples.percentile(99), 990u);
    EXPECT_EQ(samples.percentile(100), 1000u);
    EXPECT_EQ(samples.percentile(0), 10u);  // rank 1 at the least
}

TEST(LatencySamples, RepeatedValuesAreCountedNotKeptOneByOne) {
    LatencySamples samples;
    samples.add(0, 98);
    samples.add(7);
    samples.add(1000);
    EXPECT_EQ(samples.count(), 100u);
    EXPECT_EQ(samples.counts().size(), 3u);
    EXPECT_EQ(samples.percentile(50), 0u);
    EXPECT_EQ(samples.percentile(99), 7u);
    EXPECT_EQ(samples.percentile(99.5), 1000u);
}

TEST(LatencySamples, MergedShardsEqualOneCampaign) {
    LatencySamples whole, even, odd;
    for (uint64_t i = 0; i < 1000; ++i) {
        const uint64_t ns = (i * 7919) % 613;
        whole.add(ns);
        (i % 2 == 0 ? even : odd).add(ns);
    }
    even.merge(odd);
    EXPECT_EQ(even.counts(), whole.counts());
    EXPECT_EQ(even.count(), whole.count());
    for (double p : {1.0, 50.0, 90.0, 99.0, 99.9}) EXPECT_EQ(even.percentile(p), whole.percentile(p)) << p;
}

}  // namespace
}  // namespace axl::tools
