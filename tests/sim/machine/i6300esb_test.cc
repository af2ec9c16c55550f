// The i6300ESB watchdog model, driven the way Linux's i6300esb driver drives
// it: the unlock sequence guards the preloads and the reload, the two stages
// last what the driver's arithmetic asks for (N seconds: N << 9 ticks each),
// a ping restarts stage 1, expiry unpinged is a "watchdog reset" device event
// and a reset chip, and the lock register can freeze the enable.
#include "sim/machine/i6300esb.h"

#include <gtest/gtest.h>

#include "hw/i6300esb.h"
#include "tests/support/device_test_host.h"

namespace axl::sim {
namespace {

namespace reg = hw::i6300esb;
constexpr uint32_t line = 10;
constexpr uint64_t second = 1'000'000'000;

struct I6300esbTest : ::testing::Test {
    test::DeviceTestHost host;
    I6300esb esb{host, line};

    void unlock() {
        esb.bar_write(0, reg::reload, 2, reg::unlock1);
        esb.bar_write(0, reg::reload, 2, reg::unlock2);
    }
    void ping() {
        unlock();
        esb.bar_write(0, reg::reload, 2, reg::reload_reload);
    }
    // What Linux's esb_initdevice, esb_timer_set_heartbeat and esb_timer_start do.
    void probe_and_start(uint32_t seconds) {
        esb.config_write(reg::config, 2, 0x0003);
        esb.config_write(reg::lock, 1, 0x00);
        unlock();
        (void)esb.bar_read(0, reg::reload, 2);
        unlock();
        esb.bar_write(0, reg::reload, 2, reg::reload_timeout | reg::reload_reload);
        unlock();
        esb.bar_write(0, reg::timer1, 4, seconds << 9);
        unlock();
        esb.bar_write(0, reg::timer2, 4, seconds << 9);
        unlock();
        esb.bar_write(0, reg::reload, 2, reg::reload_reload);
        unlock();
        esb.bar_write(0, reg::reload, 2, reg::reload_reload);
        esb.config_write(reg::lock, 1, reg::lock_enable);
    }
    void TearDown() override { EXPECT_EQ(host.scheduled_in_past(), 0u); }
};

TEST_F(I6300esbTest, LooksLikeTheChip) {
    EXPECT_EQ(esb.config_read(pci_config::vendor_id, 4), 0x25ab'8086u);
    EXPECT_EQ(esb.config_read(pci_config::interrupt_pin, 1), 1u);
    EXPECT_EQ(esb.config_read(pci_config::interrupt_line, 1), line);
    EXPECT_EQ(esb.config_read(reg::lock, 1), 0u) << "off at power-on";
    EXPECT_FALSE(esb.enabled());
}

TEST_F(I6300esbTest, ATimeoutOfNSecondsExpiresAfterNSecondsUnpinged) {
    probe_and_start(7);
    EXPECT_EQ(esb.config_read(reg::lock, 1), uint32_t{reg::lock_enable});
    EXPECT_EQ(esb.expires_at_ns(), 3 * second + second / 2) << "stage 1: half the timeout";
    host.run_until(7 * second - 1);
    EXPECT_TRUE(host.device_events().empty());
    EXPECT_EQ(esb.stage(), 2u);
    host.run_until(7 * second);
    const std::vector<test::DeviceTestHost::DeviceEvent> expected = {{"watchdog reset", 7 * second}};
    EXPECT_EQ(host.device_events(), expected);
    EXPECT_EQ(esb.resets(), 1u);
    EXPECT_TRUE(host.stops().empty()) << "on_reset = record: the run goes on";
    // The chip was reset: stopped, and it remembers why.
    EXPECT_FALSE(esb.enabled());
    EXPECT_EQ(esb.config_read(reg::lock, 1), 0u);
    EXPECT_EQ(esb.bar_read(0, reg::reload, 2), uint32_t{reg::reload_timeout});
    host.run_until(100 * second);
    EXPECT_EQ(host.device_events().size(), 1u);
    // The driver clears the flag at its next probe.
    unlock();
    esb.bar_write(0, reg::reload, 2, reg::reload_timeout | reg::reload_reload);
    EXPECT_EQ(esb.bar_read(0, reg::reload, 2), 0u);
}

TEST_F(I6300esbTest, PingsKeepItFromFiring) {
    probe_and_start(2);
    for (int i = 1; i <= 20; ++i) {
        host.run_until(i * second);  // a ping every second: never past stage 1's end
        ping();
    }
    host.run_until(21 * second - 1);
    EXPECT_EQ(esb.stage(), 1u);
    host.run_until(22 * second - 1);
    EXPECT_TRUE(host.device_events().empty());
    EXPECT_EQ(esb.stage(), 2u);
    host.run_until(22 * second);
    EXPECT_EQ(host.device_events().size(), 1u) << "two seconds after the last ping";
}

TEST_F(I6300esbTest, APingWithoutTheUnlockSequenceDoesNothing) {
    probe_and_start(2);
    host.run_until(second / 2);
    esb.bar_write(0, reg::reload, 2, reg::reload_reload);  // not unlocked
    esb.bar_write(0, reg::reload, 2, reg::unlock2);         // the second step alone
    esb.bar_write(0, reg::reload, 2, reg::reload_reload);
    esb.bar_write(0, reg::reload, 2, reg::unlock1);
    esb.bar_write(0, reg::timer1, 4, 5);                    // uses up the half unlock
    esb.bar_write(0, reg::reload, 2, reg::unlock2);
    esb.bar_write(0, reg::reload, 2, reg::reload_reload);
    host.run_until(2 * second);
    EXPECT_EQ(host.device_events().size(), 1u);
}

TEST_F(I6300esbTest, AnUnlockIsGoodForOneWrite) {
    probe_and_start(4);
    unlock();
    esb.bar_write(0, reg::timer1, 4, 1 << 9);
    esb.bar_write(0, reg::timer2, 4, 1);  // locked again: ignored
    ping();
    EXPECT_EQ(esb.expires_at_ns(), second / 2);
    host.run_until(second / 2 + 2 * second);
    EXPECT_EQ(host.device_events().size(), 1u) << "stage 2 kept its 2 s";
}

TEST_F(I6300esbTest, StageOneRaisesIntxWhenTheInterruptTypeSaysSo) {
    probe_and_start(2);
    host.run_until(second);
    EXPECT_EQ(host.irq_count(line), 0u) << "Linux sets type 3: no interrupt";
    esb.config_write(reg::config, 2, 0x0000);
    ping();
    host.run_until(2 * second);
    EXPECT_EQ(host.irq_count(line), 1u);
    EXPECT_EQ(esb.bar_read(0, reg::interrupt_status, 4), 1u);
    esb.bar_write(0, reg::interrupt_status, 4, 1);
    EXPECT_EQ(esb.bar_read(0, reg::interrupt_status, 4), 0u);
}

TEST_F(I6300esbTest, TheFastClockCountsMicroseconds) {
    esb.config_write(reg::config, 2, reg::config_1mhz | 0x3);
    EXPECT_EQ(esb.stage_ns(1u << 20), second);
    EXPECT_EQ(esb.config_read(reg::config, 2), uint32_t{reg::config_1mhz | 0x3});
}

TEST_F(I6300esbTest, WithTheOutputDisabledExpiryResetsNothing) {
    probe_and_start(1);
    esb.config_write(reg::config, 2, reg::config_output_disable | 0x3);
    host.run_until(10 * second);
    EXPECT_TRUE(host.device_events().empty());
}

TEST_F(I6300esbTest, TheLockFreezesEnableUntilReset) {
    probe_and_start(1);
    esb.config_write(reg::lock, 1, reg::lock_enable | reg::lock_locked);
    esb.config_write(reg::lock, 1, 0);  // Linux's stop: refused while locked
    EXPECT_TRUE(esb.enabled());
    host.run_until(second);
    EXPECT_EQ(host.device_events().size(), 1u);
    esb.config_write(reg::lock, 1, 0);  // after the reset it may change again
    EXPECT_EQ(esb.config_read(reg::lock, 1), 0u);
}

TEST(I6300esb, OnResetStopAsksTheRunToEnd) {
    test::DeviceTestHost host;
    I6300esb esb{host, line, WatchdogReset::stop};
    esb.config_write(reg::config, 2, 0x0003);
    esb.bar_write(0, reg::reload, 2, reg::unlock1);
    esb.bar_write(0, reg::reload, 2, reg::unlock2);
    esb.bar_write(0, reg::timer1, 4, 1);
    esb.config_write(reg::lock, 1, reg::lock_enable);
    host.run_all();
    EXPECT_EQ(host.stops(), std::vector<std::string>{"watchdog reset"});
}

}  // namespace
}  // namespace axl::sim
