#include "sim/machine/timer.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "hw/timer.h"
#include "tests/support/device_test_host.h"

namespace axl::sim {
namespace {

namespace reg = hw::timer;
constexpr uint32_t line = 0;

struct TimerTest : ::testing::Test {
    test::DeviceTestHost host;
    Timer timer{host, line};

    uint32_t read(uint16_t offset) { return timer.read(offset, 4); }
    void write(uint16_t offset, uint32_t value) { timer.write(offset, 4, value); }
    void start_periodic(uint32_t period_ns, bool with_irq = true) {
        write(reg::period, period_ns);
        write(reg::control, reg::periodic_enable | (with_irq ? reg::irq_enable : 0));
    }
    void TearDown() override { EXPECT_EQ(host.scheduled_in_past(), 0u); }
};

std::vector<uint64_t> multiples(uint64_t first, uint64_t step, size_t count) {
    std::vector<uint64_t> times;
    for (size_t i = 0; i < count; ++i) times.push_back(first + i * step);
    return times;
}

TEST_F(TimerTest, StartsStoppedAndQuiet) {
    EXPECT_EQ(read(reg::control), 0u);
    EXPECT_EQ(read(reg::period), 0u);
    EXPECT_EQ(read(reg::one_shot), 0u);
    EXPECT_EQ(read(reg::ticks), 0u);
    EXPECT_EQ(read(reg::status), 0u);
    EXPECT_EQ(host.pending_events(), 0u);
    EXPECT_EQ(timer.io_size(), reg::io_size);
}

TEST_F(TimerTest, PeriodicTicksCountExactlyAndReadingClears) {
    start_periodic(1000);
    host.run_until(10'500);
    EXPECT_EQ(read(reg::ticks), 10u);
    EXPECT_EQ(read(reg::ticks), 0u) << "reading clears";
    EXPECT_EQ(read(reg::status) & reg::tick_pending, reg::tick_pending);
    EXPECT_EQ(host.irq_times(line), multiples(1000, 1000, 10));
}

TEST_F(TimerTest, TicksAreNeverLostHoweverLateTheyAreRead) {
    start_periodic(1000);
    host.run_until(3'999);
    EXPECT_EQ(read(reg::ticks), 3u);
    host.run_until(1'000'000);
    EXPECT_EQ(read(reg::ticks), 997u);
    host.run_until(1'000'999);
    EXPECT_EQ(read(reg::ticks), 0u);
    host.run_until(1'001'000);
    EXPECT_EQ(read(reg::ticks), 1u);
}

TEST_F(TimerTest, TicksFallOnExactMultiplesOfThePeriodFromEnableTime) {
    host.run_until(250);
    start_periodic(333);
    host.run_until(250 + 333 * 1000);
    EXPECT_EQ(host.irq_times(line), multiples(250 + 333, 333, 1000)) << "no drift";
}

TEST_F(TimerTest, OnlyOneTickEventIsQueuedAtATime) {
    start_periodic(100);
    for (uint64_t t = 0; t <= 10'000; t += 37) {
        host.run_until(t);
        EXPECT_EQ(host.pending_events(), 1u) << "at " << t;
    }
}

TEST_F(TimerTest, ReprogrammingThePeriodCancelsTheOldChain) {
    start_periodic(1000);
    host.run_until(2'500);
    write(reg::period, 300);
    EXPECT_EQ(host.pending_events(), 1u);
    host.run_until(3'700);
    EXPECT_EQ(host.irq_times(line), (std::vector<uint64_t>{1000, 2000, 2800, 3100, 3400, 3700}));
    EXPECT_EQ(read(reg::ticks), 6u);
    EXPECT_EQ(read(reg::period), 300u);
}

TEST_F(TimerTest, PeriodZeroStopsTicking) {
    start_periodic(1000);
    host.run_until(1'500);
    write(reg::period, 0);
    EXPECT_EQ(host.pending_events(), 0u);
    host.run_until(10'000);
    EXPECT_EQ(read(reg::ticks), 1u);
}

TEST_F(TimerTest, DisablingStopsAndReenablingRestartsFromThatMoment) {
    start_periodic(1000);
    host.run_until(2'100);
    write(reg::control, reg::irq_enable);
    host.run_until(5'000);
    EXPECT_EQ(read(reg::ticks), 2u);
    host.run_until(5'050);
    write(reg::control, reg::irq_enable | reg::periodic_enable);
    host.run_until(7'050);
    EXPECT_EQ(host.irq_times(line), (std::vector<uint64_t>{1000, 2000, 6050, 7050}));
}

TEST_F(TimerTest, ChangingOnlyIrqEnableKeepsThePhase) {
    start_periodic(1000);
    host.run_until(1'500);
    write(reg::control, reg::periodic_enable);  // irq off, still ticking
    host.run_until(1'700);
    write(reg::status, reg::tick_pending);
    write(reg::control, reg::periodic_enable | reg::irq_enable);
    host.run_until(3'000);
    EXPECT_EQ(host.irq_times(line), (std::vector<uint64_t>{1000, 2000, 3000}));
}

TEST_F(TimerTest, NoIrqWithoutIrqEnableButTicksStillCount) {
    start_periodic(1000, /*with_irq=*/false);
    host.run_until(5'000);
    EXPECT_EQ(host.irq_count(line), 0u);
    EXPECT_EQ(read(reg::ticks), 5u);
    EXPECT_EQ(read(reg::status), reg::tick_pending);
}

TEST_F(TimerTest, EnablingIrqWithAStatusBitPendingRaisesAtOnce) {
    start_periodic(1000, /*with_irq=*/false);
    host.run_until(1'200);
    write(reg::control, reg::periodic_enable | reg::irq_enable);
    EXPECT_EQ(host.irq_times(line), (std::vector<uint64_t>{1200}));
    write(reg::control, reg::periodic_enable | reg::irq_enable);  // no change: no edge
    EXPECT_EQ(host.irq_count(line), 1u);
}

TEST_F(TimerTest, EnablingIrqWithNothingPendingRaisesNothing) {
    write(reg::control, reg::irq_enable);
    EXPECT_EQ(host.irq_count(line), 0u);
}

TEST_F(TimerTest, StatusBitsAreWriteOneToClear) {
    start_periodic(1000);
    write(reg::one_shot, 1500);
    host.run_until(2'000);
    EXPECT_EQ(read(reg::status), reg::tick_pending | reg::one_shot_fired);
    write(reg::status, 0);
    EXPECT_EQ(read(reg::status), reg::tick_pending | reg::one_shot_fired);
    write(reg::status, reg::one_shot_fired);
    EXPECT_EQ(read(reg::status), reg::tick_pending);
    write(reg::status, 0xFFFF'FFFF);
    EXPECT_EQ(read(reg::status), 0u);
}

TEST_F(TimerTest, OneShotFiresOnceAtTheRightTime) {
    host.run_until(1'000);
    write(reg::control, reg::irq_enable);
    write(reg::one_shot, 5'000);
    host.run_until(3'000);
    EXPECT_EQ(read(reg::one_shot), 3'000u) << "ns left";
    EXPECT_EQ(read(reg::status), 0u);
    host.run_until(5'999);
    EXPECT_EQ(host.irq_count(line), 0u);
    host.run_until(6'000);
    EXPECT_EQ(host.irq_times(line), (std::vector<uint64_t>{6000}));
    EXPECT_EQ(read(reg::status), reg::one_shot_fired);
    EXPECT_EQ(read(reg::one_shot), 0u);
    host.run_until(100'000);
    EXPECT_EQ(host.irq_count(line), 1u) << "once";
    EXPECT_EQ(host.pending_events(), 0u);
    EXPECT_EQ(read(reg::ticks), 0u) << "a one-shot is not a tick";
}

TEST_F(TimerTest, OneShotZeroCancels) {
    write(reg::control, reg::irq_enable);
    write(reg::one_shot, 5'000);
    host.run_until(4'000);
    write(reg::one_shot, 0);
    EXPECT_EQ(read(reg::one_shot), 0u);
    EXPECT_EQ(host.pending_events(), 0u);
    host.run_until(100'000);
    EXPECT_EQ(host.irq_count(line), 0u);
    EXPECT_EQ(read(reg::status), 0u);
}

TEST_F(TimerTest, RewritingOneShotReplacesTheDeadline) {
    write(reg::control, reg::irq_enable);
    write(reg::one_shot, 5'000);
    host.run_until(1'000);
    write(reg::one_shot, 10'000);
    EXPECT_EQ(host.pending_events(), 1u);
    host.run_until(100'000);
    EXPECT_EQ(host.irq_times(line), (std::vector<uint64_t>{11'000}));
}

TEST_F(TimerTest, OneShotWithoutIrqEnableSetsStatusOnly) {
    write(reg::one_shot, 10);
    host.run_until(10);
    EXPECT_EQ(read(reg::status), reg::one_shot_fired);
    EXPECT_EQ(host.irq_count(line), 0u);
}

TEST_F(TimerTest, OneShotAndPeriodicRunIndependently) {
    start_periodic(1000);
    write(reg::one_shot, 1000);
    host.run_until(2'000);
    EXPECT_EQ(host.irq_times(line), (std::vector<uint64_t>{1000, 1000, 2000}));
    EXPECT_EQ(read(reg::ticks), 2u);
}

TEST_F(TimerTest, NowReadsVirtualTimeAndLowLatchesHigh) {
    const uint64_t t1 = (uint64_t{3} << 32) + 12345;
    host.run_until(t1);
    EXPECT_EQ(read(reg::now_low), 12345u);
    host.run_until(t1 + (uint64_t{2} << 32));
    EXPECT_EQ(read(reg::now_high), 3u) << "latched by the earlier now_low read";
    EXPECT_EQ(read(reg::now_low), 12345u);
    EXPECT_EQ(read(reg::now_high), 5u);
}

TEST_F(TimerTest, NarrowAccessesUseTheLowBytes) {
    timer.write(reg::period, 1, 0x1234);
    EXPECT_EQ(read(reg::period), 0x34u);
    write(reg::period, 0xABCD'1234);
    EXPECT_EQ(timer.read(reg::period, 2), 0x1234u);
    EXPECT_EQ(timer.read(reg::period, 1), 0x34u);
    write(reg::period, 0);
}

TEST_F(TimerTest, UnknownOffsetsReadAllOnesAndIgnoreWrites) {
    for (uint16_t offset : {uint16_t{0x1C}, uint16_t{0x20}, uint16_t{0x02}, uint16_t{0xFFFF}}) {
        EXPECT_EQ(timer.read(offset, 4), 0xFFFF'FFFFu);
        EXPECT_EQ(timer.read(offset, 2), 0xFFFFu);
        EXPECT_EQ(timer.read(offset, 1), 0xFFu);
        timer.write(offset, 4, 0xFFFF'FFFF);
    }
    EXPECT_EQ(read(reg::control), 0u);
    EXPECT_EQ(host.pending_events(), 0u);
    write(reg::now_low, 77);  // read-only
    write(reg::ticks, 77);
    EXPECT_EQ(read(reg::ticks), 0u);
}

TEST_F(TimerTest, GarbageFromAMisbehavingDriverNeverBreaksIt) {
    std::mt19937_64 random(42);
    for (int i = 0; i < 20'000; ++i) {
        const auto offset = static_cast<uint16_t>(random() % 0x30);
        auto width = static_cast<uint32_t>(random() % 6);
        if (random() % 2) {
            uint32_t value = static_cast<uint32_t>(random());
            if (offset == reg::period) {
                // Tiny periods would only make the test slow.
                width = 4;
                value = 1000 + value % 50'000;
            }
            timer.write(offset, width, value);
        } else {
            (void)timer.read(offset, width);
        }
        host.run_until(host.now_ns() + random() % 5000);
    }
    EXPECT_LE(host.pending_events(), 2u) << "at most a tick and a one-shot";
}

TEST(TimerLifetime, DestroyingTheTimerCancelsItsEvents) {
    test::DeviceTestHost host;
    {
        Timer timer(host, line);
        timer.write(reg::period, 4, 100);
        timer.write(reg::control, 4, reg::periodic_enable | reg::irq_enable);
        timer.write(reg::one_shot, 4, 1000);
        EXPECT_EQ(host.pending_events(), 2u);
    }
    EXPECT_EQ(host.pending_events(), 0u);
}

}  // namespace
}  // namespace axl::sim
