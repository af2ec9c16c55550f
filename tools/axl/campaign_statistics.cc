#include "tools/axl/campaign_statistics.h"

#include <algorithm>
#include <cmath>

namespace axl::tools {

void LatencySamples::add(uint64_t ns, uint64_t count) {
    m_counts[ns] += count;
    m_total += count;
}

void LatencySamples::merge(const LatencySamples& other) {
    for (const auto& [ns, count] : other.m_counts) add(ns, count);
}

std::optional<uint64_t> LatencySamples::percentile(double p) const {
    if (m_total == 0) return std::nullopt;
    const auto rank =
        std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(p / 100.0 * static_cast<double>(m_total))));
    uint64_t seen = 0;
    for (const auto& [ns, count] : m_counts) {
        seen += count;
        if (seen >= rank) return ns;
    }
    return m_counts.rbegin()->first;
}

}  // namespace axl::tools
