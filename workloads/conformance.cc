// conformance: the IPC conformance suite's scenarios (docs/ipc-strategies.md,
// "What a strategy may and may not change"). Each scenario is a handful of
// processes of workloads/conformance.toml that check, themselves, what must
// be the same under every strategy -- the status of every call, and which
// message a call can complete with -- and accept, for what a strategy may
// change, any of the allowed outcomes as long as the rest of the run agrees
// with it (a reply that was accepted arrives exactly once; one that was
// refused never does). tests/workloads/conformance_test.cc and the boot tests
// then pin down which allowed outcome each strategy gives.
//
// The scenarios force their interleavings with messages and priorities rather
// than with time, so they mean the same on both ports. Each process logs one
// "ok: ..." line when its checks passed; any failed check ends it through
// axl::fail with what was expected and what came.
#include <cstdint>

#include "kernel/api/endpoint.h"
#include "kernel/api/ipc.h"
#include "kernel/api/message.h"
#include "kernel/api/program.h"
#include "kernel/api/service.h"
#include "kernel/api/status.h"
#include "workloads/workload.h"

namespace {

using namespace axl;
using axl::sys::ull;

// The scenarios' own message types.
enum Type : uint32_t {
    request = 1,
    reply = 2,
    report = 3,    // a cycle member's status, to the judge: words[0] = Status
    who = 4,       // "which incarnation am I?", answered with words[0] = 1, 2, ...
    got = 5,       // "the request is in"
    go = 6,        // "go on" (words[0] may carry a count)
    result = 7,    // words[0] = a Status
    done = 8,
    item = 9,      // words[0] = sequence number
    verdict = 10,  // words[0] = the Status a reply_receive returned
    doomed = 11,   // sent by a process that must be killed before it is received
    end = 12,
};

// The integer options, declared once: AXL_PROGRAM lists them, the programs read them.
constexpr ProgramOption members_option = integer_option("members", 2, 2, 16, "processes in the cycle");
constexpr ProgramOption count_option = integer_option("count", 3, 1, 64, "items to send");
constexpr ProgramOption first_option = integer_option("first", 0, 0, 1'000'000, "the first item's number");
constexpr ProgramOption wait_option = integer_option("wait", 0, 0, 1, "1: wait for a done message first");

Endpoint peer(const char* key) { return sys::lookup_or_fail(arg_string(key, "")); }

Message make(uint32_t type, uint64_t word = 0) {
    Message message;
    message.type = type;
    message.payload.words[0] = word;
    return message;
}

void expect_status(Status got_status, Status wanted, const char* what) {
    if (got_status != wanted) fail("%s: expected status %s, got %s", what, to_string(wanted), to_string(got_status));
}

// A message of `type` from `source`, or a loud failure naming what came instead.
void expect_message(const Message& message, Endpoint source, uint32_t type, const char* what) {
    if (message.source != source || message.type != type)
        fail("%s: expected a message of type %u from endpoint %u, got type %u from endpoint %u", what, type,
             source.raw, message.type, message.source.raw);
}

Message receive_from(Endpoint source, uint32_t type, const char* what) {
    Message message;
    expect_status(receive(source, message), Status::ok, what);
    expect_message(message, source, type, what);
    return message;
}

// sendrec(who) to `authority`: the incarnation number it answers.
uint64_t incarnation(Endpoint authority) {
    Message message = make(who);
    expect_status(sendrec(authority, message), Status::ok, "sendrec(who)");
    expect_message(message, authority, who, "the answer to who");
    return message.payload.words[0];
}

}  // namespace

// ---- cycles of sendrec ---------------------------------------------------------------------

// sendrec to `next`, one link of a cycle of sendrecs. A sendrec completes only
// with a reply, and nobody here replies: the one that would close the cycle
// is refused (deadlock), and the others end with dead_endpoint as the chain
// exits. Which member is refused depends on who runs last; the judge checks
// that exactly one was.
AXL_PROGRAM(conformance_cycle_member, "sendrec to the next member of a cycle; reports its status (conformance)",
            axl::string_option("next", "", "the next member of the cycle"),
            axl::string_option("judge", "", "the judge's process name")) {
    const Endpoint next = peer("next");
    const Endpoint judge = peer("judge");
    Message message = make(request);
    const Status status = sendrec(next, message);
    if (status == Status::ok)
        fail("sendrec(%s) returned ok with a message of type %u, but nobody ever replied", arg_string("next", ""),
             message.type);
    if (status != Status::deadlock && status != Status::dead_endpoint)
        fail("sendrec(%s): expected status deadlock or dead_endpoint, got %s", arg_string("next", ""),
             to_string(status));
    expect_status(send(judge, make(report, static_cast<uint64_t>(status))), Status::ok, "send(judge)");
    log("ok: sendrec %s -> %s", arg_string("next", ""), to_string(status));
    return 0;
}

AXL_PROGRAM(conformance_cycle_judge, "counts the statuses of a sendrec cycle's members: one deadlock (conformance)",
            members_option) {
    const int64_t members = sys::option_int(members_option);
    int64_t refused = 0;
    int64_t dead = 0;
    for (int64_t i = 0; i < members; ++i) {
        Message message;
        expect_status(receive(endpoints::any, message), Status::ok, "receive(any) a report");
        if (message.type != report) fail("expected a report, got a message of type %u", message.type);
        const auto status = static_cast<Status>(message.payload.words[0]);
        refused += status == Status::deadlock;
        dead += status == Status::dead_endpoint;
    }
    if (refused != 1 || dead != members - 1)
        fail("a cycle of %lld sendrecs: expected 1 deadlock and %lld dead_endpoint, got %lld and %lld",
             sys::sll(members), sys::sll(members - 1), sys::sll(refused), sys::sll(dead));
    log("ok: a cycle of %lld sendrecs: 1 deadlock, %lld dead_endpoint", sys::sll(members), sys::sll(dead));
    return 0;
}

// ---- a server that dies mid-call -----------------------------------------------------------

AXL_PROGRAM(conformance_dying_server, "receives one request and exits without replying (conformance)") {
    Message message;
    expect_status(receive(endpoints::any, message), Status::ok, "receive(any)");
    if (message.type != request) fail("expected a request, got a message of type %u", message.type);
    log("ok: took a request, exiting without a reply");
    return 0;
}

AXL_PROGRAM(conformance_abandoned_client, "sendrec to a server that dies before replying: dead_endpoint (conformance)",
            axl::string_option("server", "", "the server's process name")) {
    const Endpoint server = peer("server");
    Message message = make(request);
    expect_status(sendrec(server, message), Status::dead_endpoint, "sendrec to a server that exits mid-call");
    log("ok: the server died mid-call: sendrec -> dead_endpoint");
    return 0;
}

// ---- a reply to a caller killed and restarted into the same slot ------------------------

// Incarnation 1 sends a request and is killed while it waits for the reply;
// incarnation 2, in the same slot, must never see that reply.
AXL_PROGRAM(conformance_restarted_caller, "sendrec, killed mid-call, restarted: the old reply never arrives (conformance)",
            axl::string_option("restarter", "", "the restarter's process name"),
            axl::string_option("server", "", "the server's process name")) {
    const Endpoint restarter = peer("restarter");
    if (incarnation(restarter) == 1) {
        Message message = make(request);
        const Status status = sendrec(peer("server"), message);
        fail("sendrec returned %s: this incarnation should have been killed while it waited", to_string(status));
    }
    receive_from(restarter, done, "the restarter's done (nothing of the server's before it)");
    log("ok: restarted into the same slot, the old incarnation's reply never arrived");
    return 0;
}

AXL_PROGRAM(conformance_late_server, "replies to a caller that was killed and restarted meanwhile (conformance)",
            axl::string_option("restarter", "", "the restarter's process name"),
            axl::string_option("caller", "", "the caller's process name")) {
    const Endpoint restarter = peer("restarter");
    Message message;
    expect_status(receive(endpoints::any, message), Status::ok, "receive(any)");
    if (message.type != request) fail("expected a request, got a message of type %u", message.type);
    const Endpoint old_caller = message.source;
    expect_status(send(restarter, make(got)), Status::ok, "send(restarter, got)");
    receive_from(restarter, go, "the restarter's go");
    const Endpoint new_caller = peer("caller");
    if (new_caller.slot() != old_caller.slot() || new_caller == old_caller)
        fail("expected the caller restarted into slot %u with a new endpoint, got endpoint %u", old_caller.slot(),
             new_caller.raw);
    Message answer = make(reply);
    const Status status = reply_receive(old_caller, answer);
    expect_status(status, Status::dead_endpoint, "reply_receive to the killed incarnation");
    expect_status(send(restarter, make(result, static_cast<uint64_t>(status))), Status::ok, "send(restarter)");
    log("ok: the reply to the killed incarnation -> dead_endpoint");
    return 0;
}

AXL_PROGRAM(conformance_restarter, "kills a caller waiting for a reply and restarts it (conformance)",
            axl::string_option("caller", "", "the caller's process name"),
            axl::string_option("server", "", "the server's process name")) {
    const Endpoint first = peer("caller");
    const Endpoint server = peer("server");
    receive_from(first, who, "incarnation 1's who");
    expect_status(send(first, make(who, 1)), Status::ok, "answer incarnation 1");
    receive_from(server, got, "the server's got");
    expect_status(kill(first), Status::ok, "kill(caller)");
    Endpoint fresh;
    expect_status(restart(first, fresh), Status::ok, "restart(caller)");
    receive_from(fresh, who, "incarnation 2's who");
    expect_status(send(fresh, make(who, 2)), Status::ok, "answer incarnation 2");
    expect_status(send(server, make(go)), Status::ok, "send(server, go)");
    receive_from(server, result, "the server's result");
    expect_status(send(fresh, make(done)), Status::ok, "send(caller, done)");
    log("ok: killed and restarted the caller mid-call");
    return 0;
}

// ---- selective receive while other senders' messages are kept ---------------------------

AXL_PROGRAM(conformance_sequence_sender, "sends `count` numbered items to `to` (conformance)",
            axl::string_option("to", "", "the process it sends to"),
            count_option,
            first_option) {
    const Endpoint to = peer("to");
    const int64_t count = sys::option_int(count_option);
    const int64_t first = sys::option_int(first_option);
    for (int64_t i = 0; i < count; ++i)
        expect_status(send(to, make(item, static_cast<uint64_t>(first + i))), Status::ok, "send(item)");
    log("ok: sent %lld items", sys::sll(count));
    return 0;
}

// Waits for `gate` first, while `x` and `y` (higher priority than the gate)
// send their items: under a buffering strategy they are kept, under
// rendezvous each sender blocks on its first. receive(from y) must then take
// y's items in order past x's, and receive(any) x's in order.
AXL_PROGRAM(conformance_selective_receiver, "receive(from y) past x's kept messages (conformance)",
            axl::string_option("gate", "", "the gate's process name"),
            axl::string_option("x", "", "the first sender's process name"),
            axl::string_option("y", "", "the second sender's process name")) {
    const Endpoint gate = peer("gate");
    const Endpoint x = peer("x");
    const Endpoint y = peer("y");
    receive_from(gate, go, "the gate's go");
    for (uint64_t i = 0; i < 3; ++i) {
        const Message message = receive_from(y, item, "receive(from y)");
        if (message.payload.words[0] != 100 + i)
            fail("receive(from y): expected item %llu, got item %llu", ull(100 + i), ull(message.payload.words[0]));
    }
    for (uint64_t i = 0; i < 3; ++i) {
        Message message;
        expect_status(receive(endpoints::any, message), Status::ok, "receive(any)");
        expect_message(message, x, item, "receive(any) after y's items");
        if (message.payload.words[0] != i)
            fail("receive(any): expected x's item %llu, got item %llu", ull(i), ull(message.payload.words[0]));
    }
    log("ok: receive(from y) took y's 3 items past x's, then receive(any) x's 3, each in order");
    return 0;
}

// Sends one go to `to`; with `wait = 1`, only after a message of type done
// (from whoever: under a buffering strategy its sender may have ended by then,
// and a name is looked up only among the living).
AXL_PROGRAM(conformance_gate, "sends go to `to` (after a done message, with wait = 1) (conformance)",
            axl::string_option("to", "", "the process it sends to"),
            wait_option) {
    const Endpoint to = peer("to");
    if (sys::option_int(wait_option) == 1) {
        Message message;
        expect_status(receive(endpoints::any, message), Status::ok, "receive(any)");
        if (message.type != done) fail("expected done, got a message of type %u", message.type);
    }
    expect_status(send(to, make(go)), Status::ok, "send(go)");
    log("ok: sent go");
    return 0;
}

// ---- a notification during a sendrec ------------------------------------------------------

AXL_PROGRAM(conformance_notified_client, "notified while it waits for a reply: reply first, notification after (conformance)",
            axl::string_option("server", "", "the server's process name"),
            axl::string_option("notifier", "", "the notifier's process name")) {
    const Endpoint server = peer("server");
    const Endpoint notifier = peer("notifier");
    Message message = make(request);
    expect_status(sendrec(server, message), Status::ok, "sendrec(server)");
    expect_message(message, server, reply, "sendrec's reply (a notification came meanwhile)");
    expect_status(receive(endpoints::any, message), Status::ok, "receive(any) after the reply");
    expect_message(message, notifier, message_types::notify, "the notification held during the sendrec");
    log("ok: the sendrec returned its reply, the notification posted meanwhile came next");
    return 0;
}

AXL_PROGRAM(conformance_notify_server, "has its client notified before it replies (conformance)",
            axl::string_option("notifier", "", "the notifier's process name")) {
    const Endpoint notifier = peer("notifier");
    Message message;
    expect_status(receive(endpoints::any, message), Status::ok, "receive(any)");
    if (message.type != request) fail("expected a request, got a message of type %u", message.type);
    const Endpoint client = message.source;
    Message order = make(go);
    expect_status(sendrec(notifier, order), Status::ok, "sendrec(notifier)");
    expect_message(order, notifier, done, "the notifier's done");
    expect_status(send(client, make(reply)), Status::ok, "send(client, reply)");
    log("ok: replied after the client was notified");
    return 0;
}

AXL_PROGRAM(conformance_notifier, "notifies `target` when told to (conformance)",
            axl::string_option("target", "", "the process it notifies")) {
    const Endpoint target = peer("target");
    Message message;
    expect_status(receive(endpoints::any, message), Status::ok, "receive(any)");
    if (message.type != go) fail("expected go, got a message of type %u", message.type);
    const Endpoint server = message.source;
    expect_status(notify(target), Status::ok, "notify(target)");
    expect_status(send(server, make(done)), Status::ok, "send(server, done)");
    log("ok: notified the client during its sendrec");
    return 0;
}

// ---- reply_receive to a caller that is not waiting -----------------------------------------

// The reply may be refused (would_block: rendezvous) or kept (ok: a buffering
// strategy); either way the server tells the client afterwards what it got,
// and the client checks that the reply arrived exactly when it was accepted.
AXL_PROGRAM(conformance_impatient_client, "sends a request, then waits elsewhere while the reply comes (conformance)",
            axl::string_option("server", "", "the server's process name"),
            axl::string_option("gate", "", "the gate's process name")) {
    const Endpoint server = peer("server");
    const Endpoint gate = peer("gate");
    expect_status(send(server, make(request)), Status::ok, "send(server, request)");
    receive_from(gate, go, "the gate's go");
    Message message;
    expect_status(receive(server, message), Status::ok, "receive(from server)");
    if (message.type == reply) {
        const Message told = receive_from(server, verdict, "the server's verdict after its reply");
        expect_status(static_cast<Status>(told.payload.words[0]), Status::ok, "the verdict of a delivered reply");
        log("ok: reply_receive to a caller not waiting -> ok, and the reply arrived once");
    } else {
        expect_message(message, server, verdict, "the reply or the server's verdict");
        expect_status(static_cast<Status>(message.payload.words[0]), Status::would_block,
                      "the verdict of a reply that never arrived");
        log("ok: reply_receive to a caller not waiting -> would_block, and no reply arrived");
    }
    return 0;
}

AXL_PROGRAM(conformance_replying_server, "reply_receive to a client that is not waiting (conformance)",
            axl::string_option("client", "", "the client's process name"),
            axl::string_option("ticker", "", "the ticker's process name"),
            axl::string_option("gate", "", "the gate's process name")) {
    const Endpoint client = peer("client");
    const Endpoint ticker = peer("ticker");
    const Endpoint gate = peer("gate");
    receive_from(client, request, "the client's request");
    Message message = make(reply);
    const Status status = reply_receive(client, message);
    if (status == Status::would_block)
        expect_status(receive(endpoints::any, message), Status::ok, "receive(any) after a refused reply");
    else
        expect_status(status, Status::ok, "reply_receive (ok or would_block)");
    expect_message(message, ticker, item, "the next message (the ticker's)");
    expect_status(send(gate, make(done)), Status::ok, "send(gate)");
    expect_status(send(client, make(verdict, static_cast<uint64_t>(status))), Status::ok, "send(client, verdict)");
    log("ok: reply_receive to a client not waiting -> %s", to_string(status));
    return 0;
}

// ---- a full buffer with a blocked sender that is killed -----------------------------------

AXL_PROGRAM(conformance_filler, "fills `to`'s buffer with sendnb, reports how many it kept (conformance)",
            axl::string_option("to", "", "the process it sends to"),
            axl::string_option("report_to", "", "the process told how many it kept")) {
    const Endpoint to = peer("to");
    uint64_t kept = 0;
    Status status = Status::ok;
    for (; kept < 1'000; ++kept) {
        status = sendnb(to, make(item, kept));
        if (status != Status::ok) break;
    }
    expect_status(status, Status::would_block, "sendnb into a full buffer");
    expect_status(send(peer("report_to"), make(go, kept)), Status::ok, "send(count)");
    log("ok: %llu messages kept before sendnb -> would_block", ull(kept));
    return 0;
}

AXL_PROGRAM(conformance_doomed_sender, "blocks sending into a full buffer and is killed there (conformance)",
            axl::string_option("killer", "", "the killer's process name"),
            axl::string_option("to", "", "the process it sends to")) {
    const Endpoint killer = peer("killer");
    if (incarnation(killer) == 1) {
        const Status status = send(peer("to"), make(doomed));
        fail("send returned %s: it should have stayed blocked until it was killed", to_string(status));
    }
    log("ok: restarted after being killed while blocked");
    return 0;
}

AXL_PROGRAM(conformance_sender_killer, "kills a sender blocked on a full buffer, restarts it (conformance)",
            axl::string_option("victim", "", "the victim's process name"),
            axl::string_option("receiver", "", "the receiver's process name")) {
    const Endpoint victim = peer("victim");
    const Endpoint receiver = peer("receiver");
    // The filler may have ended by now (its count kept): taken by type.
    Message count;
    expect_status(receive(endpoints::any, count), Status::ok, "receive(any) the filler's count");
    if (count.type != go) fail("expected the filler's count, got a message of type %u", count.type);
    const uint64_t kept = count.payload.words[0];
    receive_from(victim, who, "incarnation 1's who");
    // The victim has a higher priority: it runs on into its blocking send
    // before this process goes on to kill it.
    expect_status(send(victim, make(who, 1)), Status::ok, "answer incarnation 1");
    expect_status(kill(victim), Status::ok, "kill(victim)");
    Endpoint fresh;
    expect_status(restart(victim, fresh), Status::ok, "restart(victim)");
    receive_from(fresh, who, "incarnation 2's who");
    expect_status(send(fresh, make(who, 2)), Status::ok, "answer incarnation 2");
    expect_status(send(receiver, make(go, kept)), Status::ok, "send(receiver, go)");
    expect_status(send(receiver, make(end)), Status::ok, "send(receiver, end)");
    log("ok: killed a sender blocked on a full buffer");
    return 0;
}

// Waits for the killer's go while the buffer fills and the doomed sender
// blocks; then must receive exactly the filler's messages, in order, and the
// killer's end -- never the killed sender's message.
AXL_PROGRAM(conformance_drained_receiver, "drains a full buffer whose blocked sender was killed (conformance)",
            axl::string_option("killer", "", "the killer's process name"),
            axl::string_option("filler", "", "the filler's process name")) {
    const Endpoint killer = peer("killer");
    const Endpoint filler = peer("filler");
    const uint64_t kept = receive_from(killer, go, "the killer's go").payload.words[0];
    for (uint64_t i = 0; i < kept; ++i) {
        Message message;
        expect_status(receive(endpoints::any, message), Status::ok, "receive(any)");
        expect_message(message, filler, item, "a kept message");
        if (message.payload.words[0] != i)
            fail("expected the filler's item %llu, got item %llu", ull(i), ull(message.payload.words[0]));
    }
    Message message;
    expect_status(receive(endpoints::any, message), Status::ok, "receive(any) after the kept messages");
    expect_message(message, killer, end, "the killer's end (the killed sender's message must be gone)");
    log("ok: %llu kept messages in order, the killed sender's message never arrived", ull(kept));
    return 0;
}
