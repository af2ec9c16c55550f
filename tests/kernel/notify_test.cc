// notify: never blocks, never allocates; sets the notifier's bit (its
// privilege id) in the receiver's pending bitmap, delivered as one message of
// type message_types::notify (source = notifier, payload.words[0] = its bit)
// when the receiver next receives. Repeats before delivery coalesce; pending
// notifications come before queued messages, lowest privilege id first.
//
// In the hosted port every process gets its own privilege, allocated in
// description order from privilege_ids::first_free: process i has bit 3 + i.
//
// Notifiers stay alive (parked) until the receiver has taken their
// notifications, except in the last test, which is about a notifier that
// exits first.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kernel/privilege.h"
#include "tests/support/script_program.h"

// Reads a notification's whole message: words[0] = the bit, words[1] = the
// delivery time, the rest zero. Logs "bit=B time_ok=T rest_zero=Z".
AXL_PROGRAM(kt_notify_inspector, "notify_test: receives one notification and logs its payload") {
    using namespace axl;
    uint64_t before = 0;
    (void)clock(before);
    Message m;
    Status s = receive(endpoints::any, m);
    uint64_t after = 0;
    (void)clock(after);
    bool rest_zero = true;
    for (uint32_t i = 2; i < Message::payload_bytes / 8; ++i) rest_zero = rest_zero && m.payload.words[i] == 0;
    log("status=%s type_notify=%d bit=%llu time_ok=%d rest_zero=%d", to_string(s), m.type == message_types::notify,
        static_cast<unsigned long long>(m.payload.words[0]),
        m.payload.words[1] >= before && m.payload.words[1] <= after, rest_zero);
    return 0;
}

namespace axl::test {
namespace {

using sim::Expectation;
using sim::RunReport;

// The notification bit of the process at `index` in the description.
std::string bit_of(uint32_t index) { return std::to_string(privilege_ids::first_free + index); }

class Notify : public ::testing::TestWithParam<IpcStrategyKind> {
protected:
    IpcStrategyKind strategy() const { return GetParam(); }
};

// Three notifies before the receiver receives: one notification message.
TEST_P(Notify, RepeatsBeforeDeliveryCoalesce) {
    SystemBuilder b(strategy());
    b.add_parked("N", "3*notify R; send R w=9");
    b.add("R", "recv any; recv any");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "N"), L("notify R -> ok", "notify R -> ok", "notify R -> ok", "send R -> ok"));
    EXPECT_EQ(lines_of(r, "R"),
              L("recv any -> ok src=N type=notify w=" + bit_of(0), "recv any -> ok src=N type=1 w=9"))
        << describe(r);
    EXPECT_EQ(process(r, "N").counters.notifies_sent, 3u);
    EXPECT_EQ(process(r, "R").counters.received, 2u) << "three notifies, one delivery";
}

// A notification that was delivered is gone; a notify after that is a new one.
TEST_P(Notify, NotifyAfterDeliveryIsANewMessage) {
    SystemBuilder b(strategy());
    b.add("R", "recv any; recv any");
    b.add_parked("N", "notify R; notify R");  // the first wakes R; the second finds it running
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(received(lines_of(r, "R")), L("N:notify", "N:notify")) << describe(r);
    EXPECT_EQ(process(r, "R").counters.received, 2u);
}

// Notifications from several sources: lowest privilege id (here: earliest in
// the description) first, whatever order they were sent in.
TEST_P(Notify, LowestPrivilegeFirst) {
    SystemBuilder b(strategy());
    b.add_parked("Low", "notify R").priority = 9;    // bit 3, notifies last
    b.add_parked("High", "notify R").priority = 8;   // bit 4, notifies second
    b.add_parked("Mid", "notify R").priority = 7;    // bit 5, notifies first
    b.add("R", "3*recv any").priority = 12;
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_LT(position(r, "Mid", "notify R -> ok"), position(r, "High", "notify R -> ok"));
    EXPECT_LT(position(r, "High", "notify R -> ok"), position(r, "Low", "notify R -> ok"));
    EXPECT_EQ(lines_of(r, "R"),
              L("recv any -> ok src=Low type=notify w=" + bit_of(0), "recv any -> ok src=High type=notify w=" + bit_of(1),
                "recv any -> ok src=Mid type=notify w=" + bit_of(2)))
        << describe(r);
}

// receive(any) takes pending notifications before messages that were sent
// (blocked or buffered) earlier.
TEST_P(Notify, PendingNotificationsComeBeforeQueuedMessages) {
    SystemBuilder b(strategy());
    b.add_parked("S", "send R w=1");
    b.add_parked("S2", "send R w=2");
    b.add_parked("N", "notify R");
    b.add("R", "3*recv any");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    if (strategy() != IpcStrategyKind::rendezvous) {
        EXPECT_LT(position(r, "S", "send R -> ok"), position(r, "N", "notify R -> ok"))
            << "the message was buffered before the notification was sent";
    }
    EXPECT_EQ(received(lines_of(r, "R")), L("N:notify", "S:1", "S2:2")) << describe(r);
}

// notify never blocks, whatever the receiver is doing and however many times.
TEST_P(Notify, NeverBlocks) {
    SystemBuilder b(strategy());
    b.add_parked("N", "100*notify R; log done");
    b.add("R", "recv any").priority = 12;  // runs only after N has finished
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "N").size(), 101u);
    EXPECT_EQ(lines_of(r, "N").back(), "done");
    EXPECT_EQ(process(r, "N").counters.blocked, 1u) << "only its final park";
    EXPECT_EQ(process(r, "N").counters.notifies_sent, 100u);
    EXPECT_LT(position(r, "N", "done"), position(r, "R", "recv any -> ok src=N type=notify w=" + bit_of(0)));
    EXPECT_EQ(process(r, "R").counters.received, 1u);
}

// A receiver blocked in receive(any) is woken by a notify.
TEST_P(Notify, WakesAReceiverWaitingForAny) {
    SystemBuilder b(strategy());
    b.add("R", "recv any; log woke");
    b.add_parked("N", "notify R; log after");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "R"), L("recv any -> ok src=N type=notify w=" + bit_of(1), "woke")) << describe(r);
    EXPECT_EQ(process(r, "R").counters.blocked, 1u);
    EXPECT_EQ(process(r, "N").counters.blocked, 1u) << "only its final park";
}

// A receiver blocked in receive(from N) is woken by N's notify.
TEST_P(Notify, WakesAReceiverWaitingForTheNotifier) {
    SystemBuilder b(strategy());
    b.add("R", "recv N; log woke");
    b.add_parked("N", "notify R; log after");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "R"), L("recv N -> ok src=N type=notify w=" + bit_of(1), "woke")) << describe(r);
}

// A receiver blocked in receive(from S) is not woken by N's notify: it stays
// pending and comes with the next receive that may take it.
TEST_P(Notify, DoesNotWakeAReceiverWaitingForSomeoneElse) {
    SystemBuilder b(strategy());
    b.add("R", "recv S; recv any");
    b.add_parked("N", "notify R; log notified");
    b.add_parked("S", "compute 20000; send R w=5");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "R"),
              L("recv S -> ok src=S type=1 w=5", "recv any -> ok src=N type=notify w=" + bit_of(1)))
        << describe(r);
    EXPECT_LT(position(r, "N", "notified"), position(r, "R", "recv S -> ok src=S type=1 w=5"));
    EXPECT_EQ(process(r, "R").counters.blocked, 1u) << "one wake-up: S's message";
}

// receive(from N2) takes N2's notification and leaves N1's pending.
TEST_P(Notify, ReceiveFromOneNotifierLeavesOthersPending) {
    SystemBuilder b(strategy());
    b.add_parked("N1", "notify R");
    b.add_parked("N2", "notify R");
    b.add("R", "recv N2; recv any");
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_EQ(lines_of(r, "R"), L("recv N2 -> ok src=N2 type=notify w=" + bit_of(1),
                                  "recv any -> ok src=N1 type=notify w=" + bit_of(0)))
        << describe(r);
}

// The notification's whole payload: words[0] the bit, words[1] the virtual
// time of delivery (between the receiver's clock before and after receive),
// the rest zero.
TEST_P(Notify, PayloadCarriesBitAndDeliveryTime) {
    for (bool receiver_first : {true, false}) {
        SCOPED_TRACE(receiver_first ? "receiver waiting" : "notification pending");
        SystemBuilder b(strategy());
        if (receiver_first) b.add_program("R", "kt_notify_inspector");
        b.add_parked("N", "compute 3000; notify R");
        if (!receiver_first) b.add_program("R", "kt_notify_inspector");
        RunReport r = run(b);

        ASSERT_TRUE(r.ok) << describe(r);
        EXPECT_EQ(lines_of(r, "R"), L("status=ok type_notify=1 bit=" + bit_of(receiver_first ? 1 : 0) +
                                      " time_ok=1 rest_zero=1"))
            << describe(r);
    }
}

// sendrec waits for the reply: a notification from the server is not a
// reply (MINIX's mini_receive skips notifications while a reply is pending,
// MF_REPLY_PEND). Here the server notifies the client while the client waits
// in sendrec, then replies: sendrec must return the reply, and the
// notification must stay pending for the client's next receive.
TEST_P(Notify, NotificationDuringSendrecIsNotTheReply) {
    SystemBuilder b(strategy());
    b.add("C", "sendrec S w=1; recv any");
    b.add_parked("S", "recv any; notify C; reply t=6 w=2");
    RunReport r = run(b);

    EXPECT_EQ(lines_of(r, "C"), L("sendrec S -> ok src=S type=6 w=2", "recv any -> ok src=S type=notify w=" + bit_of(1)))
        << describe(r);
}

// The same with the notification already pending when the client calls sendrec.
TEST_P(Notify, PendingNotificationIsNotTakenAsTheReply) {
    SystemBuilder b(strategy());
    b.add_parked("S", "notify C; recv any; reply t=6 w=2");
    b.add("C", "sendrec S w=1; recv any");
    RunReport r = run(b);

    EXPECT_EQ(lines_of(r, "C"), L("sendrec S -> ok src=S type=6 w=2", "recv any -> ok src=S type=notify w=" + bit_of(0)))
        << describe(r);
}

// A notification sent by a process that exits before the receiver takes it
// is still delivered ("what it sent stays sent", as for buffered messages)
// and still names its sender.
TEST_P(Notify, NotificationFromANotifierThatExitedNamesIt) {
    SystemBuilder b(strategy());
    b.add("N", "notify R; log bye");
    b.add("R", "recv any").priority = 12;
    RunReport r = run(b);

    ASSERT_TRUE(r.ok) << describe(r);
    EXPECT_LT(position(r, "N", "bye"), static_cast<long>(r.console.size()));
    EXPECT_EQ(lines_of(r, "R"), L("recv any -> ok src=N type=notify w=" + bit_of(0))) << describe(r);
}

INSTANTIATE_TEST_SUITE_P(AllStrategies, Notify, ::testing::ValuesIn(all_strategies), strategy_param_name);

}  // namespace
}  // namespace axl::test
