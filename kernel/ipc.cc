// The IPC primitives. Every call is decoded completely (privilege, endpoint,
// destination) before anything changes; then the shared reference path runs:
// deliver straight to a receiver that is already waiting, otherwise let the
// strategy keep the message, otherwise block (after the deadlock check).
#include "kernel/kassert.h"
#include "kernel/kernel.h"

namespace axl {

namespace {

constexpr uint32_t pseudo_privilege(Endpoint endpoint) {
    if (endpoint == endpoints::hardware) return privilege_ids::hardware;
    if (endpoint == endpoints::system) return privilege_ids::system;
    if (endpoint == endpoints::clock) return privilege_ids::clock;
    return config::privilege_slots_max;
}

}  // namespace

// Checks --------------------------------------------------------------------------

Status Kernel::check_call(Primitive primitive) {
    KASSERT(m_running != no_slot);
    charge(m_costs.kernel_entry_ns);
    const Process& caller = running_process();
    if (!(m_privileges[caller.privilege].primitives & bit(primitive)))
        return deny(static_cast<uint32_t>(primitive), Status::call_denied);
    return Status::ok;
}

Status Kernel::check_destination(Endpoint destination, uint32_t& slot) {
    Status status = check_endpoint(destination);
    if (status != Status::ok) return status;
    slot = destination.slot();
    const Process& caller = running_process();
    if (!m_privileges[caller.privilege].destinations.test(m_processes[slot].privilege))
        return Status::destination_denied;
    return Status::ok;
}

Status Kernel::deny(uint32_t call, Status status) {
    running_process().counters.denied += 1;
    trace(TraceKind::denied, m_running, call, static_cast<uint32_t>(status));
    return status;
}

bool Kernel::receiver_waits_for(const Process& receiver, Endpoint sender) const {
    return receiver.state == ProcessState::receiving &&
           (receiver.waiting_on == endpoints::any || receiver.waiting_on == sender);
}

// Wait lists ---------------------------------------------------------------------------

void Kernel::link_sender(uint32_t sender, uint32_t destination) {
    Process& target = m_processes[destination];
    m_processes[sender].sender_next = no_slot;
    if (target.senders_tail != no_slot)
        m_processes[target.senders_tail].sender_next = sender;
    else
        atomic::store(target.senders_head, sender, std::memory_order_release);
    target.senders_tail = sender;
}

void Kernel::unlink_sender(uint32_t sender, uint32_t destination) {
    Process& target = m_processes[destination];
    uint32_t previous = no_slot;
    for (uint32_t s = target.senders_head; s != no_slot; previous = s, s = m_processes[s].sender_next) {
        if (s != sender) continue;
        uint32_t next = m_processes[s].sender_next;
        if (previous == no_slot)
            atomic::store(target.senders_head, next, std::memory_order_release);
        else
            m_processes[previous].sender_next = next;
        if (target.senders_tail == s) target.senders_tail = previous;
        m_processes[s].sender_next = no_slot;
        return;
    }
    platform::panic("kernel: a blocked sender is missing from its destination's senders list");
}

// Following "waits for" edges from `target`: if they lead back to `caller`,
// blocking caller on target would close a cycle. Every earlier block passed
// this check, so no other cycle exists and the walk ends.
bool Kernel::would_deadlock(uint32_t caller, uint32_t target) const {
    uint32_t slot = target;
    for (uint32_t steps = 0; steps <= m_slots_used; ++steps) {
        if (slot == caller) return true;
        const Process& process = m_processes[slot];
        bool waits_on_process =
            process.state == ProcessState::sending ||
            (process.state == ProcessState::receiving && process.waiting_on != endpoints::any &&
             !endpoints::is_pseudo(process.waiting_on));
        if (!waits_on_process) return false;
        slot = process.waiting_on.slot();
    }
    platform::panic("kernel: a wait-for cycle exists that the deadlock check let through");
}

// Delivery ---------------------------------------------------------------------------

void Kernel::deliver(Process& receiver, const Message& message, Endpoint source) {
    uint32_t slot = receiver.endpoint.slot();
    *receiver.receive_buffer = message;
    receiver.receive_buffer->source = source;
    charge(m_costs.message_copy_ns);
    receiver.counters.received += 1;
    running_cpu_state().messages_delivered += 1;
    trace(TraceKind::deliver, slot, source.slot(), message.type);
    make_runnable(slot, Status::ok);
}

Endpoint Kernel::notification_source(uint16_t privilege_id) const {
    return m_privileges[privilege_id].owner;
}

bool Kernel::take_notification(Process& receiver, Endpoint from, Message& out) {
    uint32_t bit_index;
    if (from == endpoints::any) {
        bit_index = receiver.pending_notifications.first();
    } else {
        bit_index = endpoints::is_pseudo(from) ? pseudo_privilege(from) : m_processes[from.slot()].privilege;
        if (bit_index >= config::privilege_slots_max || m_privileges[bit_index].owner != from ||
            !receiver.pending_notifications.test(bit_index))
            return false;
    }
    if (bit_index >= config::privilege_slots_max) return false;
    receiver.pending_notifications.clear(bit_index);
    atomic::store(receiver.notifications_pending, receiver.notifications_pending - 1);
    out = Message{};
    out.source = notification_source(static_cast<uint16_t>(bit_index));
    out.type = message_types::notify;
    out.payload.words[0] = bit_index;
    out.payload.words[1] = m_cpus[m_running_cpu].clock_ns;
    if (bit_index == privilege_ids::hardware) {
        // The lines raised since the last such message (irq_lines_of()).
        out.payload.words[2] = m_irqs_pending[receiver.privilege];
        out.payload.words[3] = m_irqs_raised_at_ns[receiver.privilege];
        m_irqs_pending[receiver.privilege] = 0;
    }
    if (m_running != no_slot)
        charge(m_costs.notify_ns);
    else
        m_cpus[m_running_cpu].clock_ns += m_costs.notify_ns;  // delivered by an interrupt or alarm
    receiver.counters.received += 1;
    running_cpu_state().messages_delivered += 1;
    trace(TraceKind::deliver, receiver.endpoint.slot(), out.source.slot(), out.type);
    return true;
}

// A message left the strategy's buffer, so there may be room for the oldest
// blocked sender: move its message in and release it, which keeps arrival order
// (senders that found the buffer full queue up behind it, never overtake it).
void Kernel::refill_from_senders(uint32_t receiver_slot) {
    Process& receiver = m_processes[receiver_slot];
    uint32_t sender_slot = receiver.senders_head;
    if (sender_slot == no_slot) return;
    Process& sender = m_processes[sender_slot];
    if (sender.then_receive) return;  // a sendrec's request is never kept (send_common)
    Message kept = *sender.send_buffer;
    kept.source = sender.endpoint;
    if (!m_strategy.buffer(receiver_slot, sender.cpu, kept)) return;
    charge(m_costs.buffer_op_ns);
    count_kept(receiver, +1);
    unlink_sender(sender_slot, receiver_slot);
    sender.counters.sent += 1;
    release_sender(sender_slot, receiver_slot);
}

// A blocked sender's message was received: a plain send returns, a sendrec
// moves on to waiting for the reply (which only the receiver's next message to
// it can be: see take_pending).
void Kernel::release_sender(uint32_t sender_slot, uint32_t receiver_slot) {
    Process& sender = m_processes[sender_slot];
    if (!sender.then_receive) {
        make_runnable(sender_slot, Status::ok);
        return;
    }
    sender.then_receive = false;
    set_state(sender, ProcessState::receiving);
    if (m_unlocked) fence_after_announcing_wait(sender);  // the handshake, as in kept_after_announcing_wait
    sender.waiting_on = m_processes[receiver_slot].endpoint;
    sender.awaiting_reply = true;
    if (take_pending(sender, sender.waiting_on, *sender.receive_buffer, true))
        make_runnable(sender_slot, Status::ok);
}

// A receiver accepts a notification from `notifier` now if it waits for it,
// and is not waiting for a sendrec reply (MINIX holds notifications then, so
// a sendrec always returns its reply).
bool Kernel::accepts_notification(const Process& receiver, Endpoint notifier) const {
    return receiver_waits_for(receiver, notifier) && !receiver.awaiting_reply;
}

// Order of what a receive sees: pending notifications (lowest privilege id
// first), then messages the strategy kept (oldest first), then blocked senders
// (in the order they blocked).
//
// A sendrec's wait for its reply (`reply`) sees neither notifications nor
// kept messages: a sendrec completes only with a message its destination
// sends after receiving the request, and since a request is never kept
// (send_common), the destination received it in a call that also left the
// caller waiting, so that message is delivered straight to it. Whatever the
// destination had sent before -- kept here under a buffering strategy --
// stays for the caller's later receives.
bool Kernel::take_pending(Process& receiver, Endpoint from, Message& out, bool reply) {
    if (receiver.notifications_pending && !reply && take_notification(receiver, from, out)) return true;
    uint32_t receiver_slot = receiver.endpoint.slot();
    if (!reply && has_kept(receiver) && m_strategy.take(receiver_slot, from, out)) {
        count_kept(receiver, -1);
        charge(m_costs.buffer_op_ns + m_costs.message_copy_ns);
        receiver.counters.received += 1;
        running_cpu_state().messages_delivered += 1;
        trace(TraceKind::deliver, receiver_slot, out.source.slot(), out.type);
        refill_from_senders(receiver_slot);
        return true;
    }
    for (uint32_t s = receiver.senders_head; s != no_slot; s = m_processes[s].sender_next) {
        Process& sender = m_processes[s];
        if (from != endpoints::any && sender.endpoint != from) continue;
        out = *sender.send_buffer;
        out.source = sender.endpoint;
        charge(m_costs.message_copy_ns);
        receiver.counters.received += 1;
        sender.counters.sent += 1;
        running_cpu_state().messages_delivered += 1;
        trace(TraceKind::deliver, receiver_slot, s, out.type);
        unlink_sender(s, receiver_slot);
        release_sender(s, receiver_slot);
        return true;
    }
    return false;
}

// Parallel mode, the receiver's half of the handshake in
// kernel/fastpath_unlocked.h: announce the wait, then look at what is kept
// once more, since an unlocked sender may have put a message in after
// take_pending() looked. False: nothing for it, and it stays announced as
// receiving (from here on a sender that buffers sees that and wakes it).
bool Kernel::kept_after_announcing_wait(Process& caller, Endpoint from, Message& message, bool reply) {
    set_state(caller, ProcessState::receiving);
    fence_after_announcing_wait(caller);  // the store above before the look below
    if (has_kept(caller) && take_pending(caller, from, message, reply)) {
        set_state(caller, ProcessState::runnable);
        return true;
    }
    return false;
}

// The sender's locked follow-up when it saw the receiver waiting right after
// an unlocked send: if it still waits, it gets what is kept for it (which may
// already be gone: the receiver found it itself).
Status Kernel::wake_receiver_with_kept(Endpoint receiver_endpoint) {
    const uint32_t caller_slot = m_running;
    const uint32_t slot = receiver_endpoint.slot();
    Process& receiver = m_processes[slot];
    if (receiver.endpoint == receiver_endpoint && receiver.state == ProcessState::receiving &&
        take_pending(receiver, receiver.waiting_on, *receiver.receive_buffer, receiver.awaiting_reply))
        make_runnable(slot, Status::ok);
    return end_of_call(caller_slot, Status::ok);
}

// reply: this is sendrec's wait for the reply from `from`.
Status Kernel::receive_common(Endpoint from, Message& message, bool reply) {
    Process& caller = running_process();
    if (take_pending(caller, from, message, reply)) return Status::ok;
    bool from_process = from != endpoints::any && !endpoints::is_pseudo(from);
    if (from_process && would_deadlock(m_running, from.slot()))
        return deny(static_cast<uint32_t>(Primitive::receive), Status::deadlock);
    if (m_unlocked && kept_after_announcing_wait(caller, from, message, reply)) return Status::ok;
    block_running();
    set_state(caller, ProcessState::receiving);
    caller.waiting_on = from;
    caller.receive_buffer = &message;
    caller.awaiting_reply = reply;
    trace(TraceKind::block, m_running, from.slot(), static_cast<uint32_t>(Primitive::receive));
    switch_away();
    return caller.ipc_status;
}

Status Kernel::send_common(uint32_t destination_slot, const Message& message, bool then_receive,
                           bool may_block, Message* reply_buffer) {
    Process& caller = running_process();
    Process& destination = m_processes[destination_slot];
    trace(TraceKind::send, m_running, destination_slot, message.type);

    // 1. The reference path: the receiver is waiting for us, copy straight over.
    if (receiver_waits_for(destination, caller.endpoint)) {
        deliver(destination, message, caller.endpoint);
        caller.counters.sent += 1;
        return then_receive ? receive_common(destination.endpoint, *reply_buffer, true) : Status::ok;
    }
    // 2. The strategy may keep it, unless earlier senders already wait (FIFO).
    //    Never a sendrec's request: its caller waits for the reply anyway, and
    //    a kept request would leave it waiting while it still counts as not
    //    sent -- a cycle of such requests would go unseen, and whatever the
    //    destination sent meanwhile could pass for the reply. So a sendrec is
    //    a rendezvous under every strategy.
    if (!then_receive && destination.senders_head == no_slot) {
        Message kept = message;
        kept.source = caller.endpoint;
        if (m_strategy.buffer(destination_slot, m_running_cpu, kept)) {
            charge(m_costs.buffer_op_ns + m_costs.message_copy_ns);
            count_kept(destination, +1);
            caller.counters.sent += 1;
            trace(TraceKind::buffered, m_running, destination_slot, message.type);
            return Status::ok;
        }
    }
    // 3. Block until the receiver takes it.
    if (!may_block) return Status::would_block;
    if (would_deadlock(m_running, destination_slot))
        return deny(static_cast<uint32_t>(then_receive ? Primitive::sendrec : Primitive::send),
                    Status::deadlock);
    block_running();
    set_state(caller, ProcessState::sending);
    caller.waiting_on = destination.endpoint;
    caller.send_buffer = &message;
    caller.receive_buffer = reply_buffer;
    caller.then_receive = then_receive;
    link_sender(m_running, destination_slot);
    trace(TraceKind::block, m_running, destination_slot,
          static_cast<uint32_t>(then_receive ? Primitive::sendrec : Primitive::send));
    switch_away();
    return caller.ipc_status;
}

// Primitives ---------------------------------------------------------------------------

// send, sendnb, sendrec and reply_receive: decode (primitive allowed, a
// message type a process may send, destination valid and granted), then the
// shared send path; `reply` is where sendrec's reply, or reply_receive's next
// message, goes.
Status Kernel::send_primitive(Primitive primitive, Endpoint destination, const Message& message, Message* reply) {
    const uint32_t caller_slot = m_running;
    Status status = check_call(primitive);
    uint32_t slot = no_slot;
    if (status == Status::ok && message_types::reserved(message.type))
        status = deny(static_cast<uint32_t>(primitive), Status::bad_argument);
    if (status == Status::ok) {
        status = check_destination(destination, slot);
        if (status != Status::ok) {
            status = deny(static_cast<uint32_t>(primitive), status);
        } else {
            const bool may_block = primitive == Primitive::send || primitive == Primitive::sendrec;
            status = send_common(slot, message, primitive == Primitive::sendrec, may_block, reply);
            // reply_receive: a reply that was accepted, then the wait for the next message.
            if (status == Status::ok && primitive == Primitive::reply_receive)
                status = receive_common(endpoints::any, *reply, false);
        }
    }
    return end_of_call(caller_slot, status);
}

Status Kernel::ipc_send_general(Endpoint destination, const Message& message) {
    return send_primitive(Primitive::send, destination, message, nullptr);
}

Status Kernel::ipc_sendnb(Endpoint destination, const Message& message) {
    return send_primitive(Primitive::sendnb, destination, message, nullptr);
}

Status Kernel::ipc_sendrec_general(Endpoint destination, Message& message) {
    return send_primitive(Primitive::sendrec, destination, message, &message);
}

Status Kernel::ipc_reply_receive_general(Endpoint client, Message& message) {
    return send_primitive(Primitive::reply_receive, client, message, &message);
}

Status Kernel::ipc_receive_general(Endpoint from, Message& message) {
    const uint32_t caller_slot = m_running;
    Status status = check_call(Primitive::receive);
    if (status == Status::ok && from != endpoints::any && pseudo_privilege(from) == config::privilege_slots_max) {
        status = check_endpoint(from);
        // A message whose send returned ok is received, also by a receive
        // that names its sender after the sender has ended: a buffering
        // strategy may still keep it (under rendezvous it never outlives the
        // send). Only then does the dead endpoint refuse the call.
        if (status == Status::dead_endpoint && take_pending(running_process(), from, message, false))
            return end_of_call(caller_slot, Status::ok);
        if (status != Status::ok) status = deny(static_cast<uint32_t>(Primitive::receive), status);
    }
    if (status == Status::ok) status = receive_common(from, message, false);
    return end_of_call(caller_slot, status);
}

Status Kernel::ipc_notify(Endpoint destination) {
    const uint32_t caller_slot = m_running;
    Status status = check_call(Primitive::notify);
    uint32_t slot = no_slot;
    if (status == Status::ok) {
        status = check_destination(destination, slot);
        // Notifications name their source by privilege id, so the notifier
        // must hold its privilege alone.
        if (status == Status::ok && m_privileges[running_process().privilege].owner != running_process().endpoint)
            status = Status::call_denied;
        if (status != Status::ok) status = deny(static_cast<uint32_t>(Primitive::notify), status);
    }
    if (status == Status::ok) {
        Process& caller = running_process();
        charge(m_costs.notify_ns);
        caller.counters.notifies_sent += 1;
        trace(TraceKind::notify, m_running, slot, caller.privilege);
        post_notification(slot, caller.privilege);
    }
    return end_of_call(caller_slot, status);
}

// Sets `source_privilege`'s bit in the target's pending notifications, and
// delivers it at once if the target waits for it. Also the way interrupts
// (hardware) and alarms (clock) reach their owners.
void Kernel::post_notification(uint32_t slot, uint16_t source_privilege) {
    Process& target = m_processes[slot];
    if (!target.pending_notifications.test(source_privilege)) {
        target.pending_notifications.set(source_privilege);
        atomic::store(target.notifications_pending, target.notifications_pending + 1);
    }
    if (accepts_notification(target, notification_source(source_privilege))) {
        // Deliver now: the same path a later receive would take.
        Message* buffer = target.receive_buffer;
        bool taken = take_notification(target, notification_source(source_privilege), *buffer);
        KASSERT(taken);
        make_runnable(slot, Status::ok);
    }
}

}  // namespace axl
