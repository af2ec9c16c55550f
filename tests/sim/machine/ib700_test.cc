// The iB700 watchdog model as Linux's ib700wdt drives it: a write to 0x443
// (re)starts it with the timeout its table gives, a write to 0x441 stops it,
// and expiry is a "watchdog reset" device event.
#include "sim/machine/ib700.h"

#include <gtest/gtest.h>

#include "hw/ib700.h"
#include "tests/support/device_test_host.h"

namespace axl::sim {
namespace {

namespace reg = hw::ib700;
constexpr uint64_t second = 1'000'000'000;

// Linux's ibwdt_ping: the table index for a timeout of t seconds.
uint32_t margin(uint32_t t) { return 15 - (t + 1) / 2; }

TEST(Ib700, ATimeoutExpiresAsLinuxsTableSays) {
    for (uint32_t t = 0; t <= 30; t += 2) {
        test::DeviceTestHost host;
        Ib700 wdt{host};
        wdt.write(reg::start, 1, margin(t));
        EXPECT_EQ(wdt.expires_at_ns(), t * second) << t;
        host.run_until(t * second);
        EXPECT_EQ(host.device_events().size(), 1u) << t;
        EXPECT_FALSE(wdt.running());
    }
}

TEST(Ib700, PingsKeepItFromFiringAndStopStopsIt) {
    test::DeviceTestHost host;
    Ib700 wdt{host};
    for (int i = 0; i < 10; ++i) {
        wdt.write(reg::start, 1, margin(4));
        host.run_until((i + 1) * 3 * second);
    }
    EXPECT_TRUE(host.device_events().empty());
    wdt.write(reg::stop, 1, 0);
    host.run_until(1000 * second);
    EXPECT_TRUE(host.device_events().empty());
    EXPECT_FALSE(wdt.running());
    wdt.write(1, 1, 0);  // 0x442 is not the watchdog's
    EXPECT_FALSE(wdt.running());
    EXPECT_EQ(wdt.read(reg::start, 1), 0xFFu);
}

TEST(Ib700, UnpingedItResetsOnceAndOnResetStopEndsTheRun) {
    test::DeviceTestHost host;
    Ib700 wdt{host, WatchdogReset::stop};
    wdt.write(reg::start, 1, margin(30));
    host.run_until(29 * second);
    EXPECT_TRUE(host.device_events().empty());
    host.run_until(60 * second);
    const std::vector<test::DeviceTestHost::DeviceEvent> expected = {{"watchdog reset", 30 * second}};
    EXPECT_EQ(host.device_events(), expected);
    EXPECT_EQ(host.stops(), std::vector<std::string>{"watchdog reset"});
    EXPECT_EQ(wdt.resets(), 1u);
    EXPECT_EQ(host.irq_count(0), 0u);
}

}  // namespace
}  // namespace axl::sim
