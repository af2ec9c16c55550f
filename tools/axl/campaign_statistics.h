// The latencies a campaign measures (detection and recovery, in virtual
// time), kept so that percentiles can be read off them and so that shards
// run apart add up to exactly the campaign run in one piece.
#pragma once

#include <cstdint>
#include <map>
#include <optional>

namespace axl::tools {

// Every sample, as exact values with their counts: virtual-time latencies
// repeat a lot (a crash is detected in 0 ns), so this stays small, and
// percentiles over merged shards are exactly those of one campaign of them all.
class LatencySamples {
public:
    void add(uint64_t ns, uint64_t count = 1);
    void merge(const LatencySamples& other);
    uint64_t count() const { return m_total; }

    // Nearest rank: the smallest sample with at least p% of all at or below
    // it; none without samples.
    std::optional<uint64_t> percentile(double p) const;

    // Each value with how many times it was seen, smallest first.
    const std::map<uint64_t, uint64_t>& counts() const { return m_counts; }

private:
    std::map<uint64_t, uint64_t> m_counts;
    uint64_t m_total = 0;
};

}  // namespace axl::tools
