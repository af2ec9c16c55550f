#include "sim/machine/event_queue.h"

#include <gtest/gtest.h>

#include <string>

namespace axl::sim {
namespace {

TEST(EventQueue, FiresInTimeOrderAndSameTimeInSchedulingOrder) {
    EventQueue queue;
    std::string fired;
    queue.schedule(30, [&] { fired += "c"; });
    queue.schedule(10, [&] { fired += "a"; });
    queue.schedule(20, [&] { fired += "b1"; });
    queue.schedule(20, [&] { fired += "b2"; });
    EXPECT_EQ(queue.next_time(), 10u);
    while (queue.fire_next()) {
    }
    EXPECT_EQ(fired, "ab1b2c");
    EXPECT_EQ(queue.next_time(), EventQueue::never);
}

TEST(EventQueue, CancelledEventsNeverFire) {
    EventQueue queue;
    int fired = 0;
    EventQueue::Id id = queue.schedule(5, [&] { fired += 1; });
    queue.schedule(6, [&] { fired += 10; });
    EXPECT_TRUE(queue.cancel(id));
    EXPECT_FALSE(queue.cancel(id)) << "already cancelled";
    EXPECT_EQ(queue.next_time(), 6u);
    EXPECT_TRUE(queue.fire_next());
    EXPECT_FALSE(queue.fire_next());
    EXPECT_EQ(fired, 10);
}

TEST(EventQueue, AnEventMayScheduleAnother) {
    EventQueue queue;
    std::string fired;
    queue.schedule(1, [&] {
        fired += "first ";
        queue.schedule(1, [&] { fired += "same-time "; });
        queue.schedule(2, [&] { fired += "later"; });
    });
    while (queue.fire_next()) {
    }
    EXPECT_EQ(fired, "first same-time later");
}

}  // namespace
}  // namespace axl::sim
