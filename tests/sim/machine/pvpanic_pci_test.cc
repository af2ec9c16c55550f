// pvpanic-pci: its identity as QEMU's, the register offering the supported
// events, and each reported event becoming a device event.
#include "sim/machine/pvpanic_pci.h"

#include <gtest/gtest.h>

#include "hw/pvpanic_pci.h"
#include "tests/support/device_test_host.h"

namespace axl::sim {
namespace {

using Event = test::DeviceTestHost::DeviceEvent;

TEST(PvpanicPci, LooksLikeQemusDevice) {
    test::DeviceTestHost host;
    PvpanicPci device{host};
    EXPECT_EQ(device.config_read(pci_config::vendor_id, 4), 0x0011'1b36u);
    EXPECT_EQ(device.config_read(pci_config::revision, 4), 0x0880'0001u);
    EXPECT_EQ(device.config_read(pci_config::interrupt_pin, 1), 0u);
    EXPECT_EQ(device.config_read(pci_config::interrupt_line, 1), 0xFFu) << "no interrupt: not connected";
    device.config_write(pci_config::bar0, 4, 0xFFFF'FFFF);
    EXPECT_EQ(device.config_read(pci_config::bar0, 4), 0xFFFF'FFF0u) << "a 16-byte 32-bit memory BAR";
}

TEST(PvpanicPci, TheRegisterOffersTheSupportedEvents) {
    test::DeviceTestHost host;
    PvpanicPci all{host};
    EXPECT_EQ(all.bar_read(0, hw::pvpanic::events, 1), 3u);
    EXPECT_EQ(all.bar_read(0, 4, 4), 0u);
    PvpanicPci only_crash{host, PvpanicConfig{.events = hw::pvpanic::crash_loaded}};
    EXPECT_EQ(only_crash.bar_read(0, hw::pvpanic::events, 1), 2u);
}

TEST(PvpanicPci, EachSupportedEventWrittenIsADeviceEvent) {
    test::DeviceTestHost host;
    PvpanicPci device{host};
    host.run_until(5'000);
    device.bar_write(0, hw::pvpanic::events, 1, hw::pvpanic::panicked);
    host.run_until(7'000);
    device.bar_write(0, hw::pvpanic::events, 1, hw::pvpanic::panicked | hw::pvpanic::crash_loaded | 0x80);
    device.bar_write(0, 1, 1, hw::pvpanic::panicked);  // not the register
    device.bar_write(0, hw::pvpanic::events, 1, 0);
    const std::vector<Event> expected = {{"panicked", 5'000}, {"panicked", 7'000}, {"crash loaded", 7'000}};
    EXPECT_EQ(host.device_events(), expected);
    EXPECT_EQ(device.reported(), 3u);
    EXPECT_EQ(host.irq_count(0), 0u);
}

TEST(PvpanicPci, UnsupportedEventsAreIgnored) {
    test::DeviceTestHost host;
    PvpanicPci device{host, PvpanicConfig{.events = hw::pvpanic::crash_loaded}};
    device.bar_write(0, hw::pvpanic::events, 1, hw::pvpanic::panicked);
    EXPECT_TRUE(host.device_events().empty());
}

}  // namespace
}  // namespace axl::sim
