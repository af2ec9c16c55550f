// Fast paths for the calls of a client/server round trip on one CPU: the
// client's sendrec to a waiting server, the server's reply_receive (or its
// send of the reply and its receive(any)) with nothing else queued.
//
// The seL4 rule: a fast path handles only the common case, decides that with
// a few tests before touching anything, and otherwise returns false so the
// general path (ipc.cc, the reference) runs instead. Semantics, counters and
// virtual-time charges are the general path's exactly, so results never depend
// on which path ran (tests compare the two: tracing on forces the general path).
// They are on only while tracing is off and there is one CPU (update_fastpath).
//
// Inline, included at the end of kernel.h, so a port's call wrapper compiles
// the whole fast path into straight-line code around the context switch.
//
// Each blocking fast path ends having chosen the process to run next
// (m_running); the port then switches to it, as after any kernel call.
#pragma once

#include <bit>

namespace axl {

inline bool Kernel::may_send_to(const Privilege& privilege, Primitive primitive, const Process& destination) {
    return (privilege.primitives & bit(primitive)) && privilege.destinations.test(destination.privilege);
}

inline bool Kernel::runs_alone(uint32_t slot, uint32_t level, const RunQueue& queue) {
    return queue.nonempty == (1u << level) && queue.head[level] == slot && queue.tail[level] == slot;
}

// The hand-off at the heart of a round trip: the caller, with nothing
// pending, delivers `message` to `target`, which waits for it, and then waits
// itself (for `wait_for`). The target, woken with quantum left, goes to the
// front of its level (enqueue_woken), so when nothing of higher priority is
// runnable it is the process picked next: it runs at once. Used for the
// client's sendrec (waiting for the server's reply) and the server's
// reply_receive (waiting for anyone's next request).
inline bool Kernel::fastpath_hand_off(Primitive primitive, Endpoint target_endpoint, Message& message,
                                      Endpoint wait_for, bool awaiting_reply) {
    const uint32_t caller_slot = m_running;
    const uint32_t target_slot = target_endpoint.slot();
    if (target_slot >= m_slots_used) return false;
    Process& caller = m_processes[caller_slot];
    Process& target = m_processes[target_slot];
    // 1. Decode: the target waits for us, nothing waits for the caller, and
    //    the target is the one picked next once the caller has left.
    if (target.endpoint != target_endpoint || target.state != ProcessState::receiving) return false;
    if (target.waiting_on != endpoints::any && target.waiting_on != caller.endpoint) return false;
    if (!may_send_to(m_privileges[caller.privilege], primitive, target)) return false;
    if (message_types::reserved(message.type)) return false;  // refused by the general path
    if (!has_nothing_pending(caller)) return false;
    Cpu& cpu = m_cpus[0];
    RunQueue& queue = cpu.run_queue;
    const uint32_t caller_level = caller.priority;
    const uint32_t target_level = target.priority;
    // The common case, one pair on its CPU: the caller is all that is runnable.
    const bool caller_runs_alone = runs_alone(caller_slot, caller_level, queue);
    if (!caller_runs_alone && !picked_next_among_others(caller_slot, target, queue)) return false;
    const uint64_t charged = m_costs.kernel_entry_ns + m_costs.message_copy_ns;
    if (cpu.clock_ns + charged >= m_next_event_ns) return false;

    // 2. Invoke: deliver, wake the target, block the caller.
    cpu.clock_ns += charged;
    caller.quantum_used_ns += charged;
    caller.counters.cpu_ns += charged;
    target.state = ProcessState::runnable;
    target.ipc_status = Status::ok;
    target.waiting_on = endpoints::none;
    target.awaiting_reply = false;
    target.ready_at_ns = cpu.clock_ns;
    target.counters.received += 1;
    caller.counters.sent += 1;
    caller.counters.blocked += 1;
    cpu.messages_delivered += 1;

    caller.state = ProcessState::receiving;
    caller.waiting_on = wait_for;
    caller.receive_buffer = &message;
    caller.awaiting_reply = awaiting_reply;

    if (target.quantum_used_ns >= target.quantum_ns) [[unlikely]]
        target.quantum_used_ns = 0;  // a new quantum, as enqueue_woken() gives
    if (caller_runs_alone) {
        // The round trip of one pair alone on its CPU: two stores per queue.
        queue.head[caller_level] = queue.tail[caller_level] = no_slot;
        target.run_next = target.run_prev = no_slot;
        queue.head[target_level] = queue.tail[target_level] = target_slot;
        queue.nonempty = 1u << target_level;
    } else {
        dequeue(caller_slot);
        enqueue_woken(target_slot);
    }

    m_running = target_slot;
    if (cpu.last_ran != target_slot) {
        cpu.clock_ns += m_costs.context_switch_ns;
        cpu.switches += 1;
        cpu.last_ran = target_slot;
    }
    // Last, because a store through a message pointer may alias any of the above.
    Message* buffer = target.receive_buffer;
    *buffer = message;
    buffer->source = caller.endpoint;
    return true;
}

// Client -> waiting server; the client then waits for the server's reply.
inline bool Kernel::fastpath_sendrec(Endpoint destination, Message& message) {
    return fastpath_hand_off(Primitive::sendrec, destination, message, destination, true);
}

// Server -> the client waiting for its reply; the server then waits for the
// next request from anyone.
inline bool Kernel::fastpath_reply_receive(Endpoint client, Message& message) {
    return fastpath_hand_off(Primitive::reply_receive, client, message, endpoints::any, false);
}

// send that completes without blocking: to a process waiting for it (say, the
// reply to a client), which becomes runnable; or, under a buffering strategy,
// into the destination's buffer when it has room and nobody queues before us.
// The caller goes on either way.
inline bool Kernel::fastpath_send(Endpoint destination, const Message& message, Status& status) {
    const uint32_t caller_slot = m_running;
    const uint32_t destination_slot = destination.slot();
    Process& caller = m_processes[caller_slot];
    if (destination_slot >= m_slots_used) return false;
    Process& receiver = m_processes[destination_slot];
    if (receiver.endpoint != destination || !may_send_to(m_privileges[caller.privilege], Primitive::send, receiver))
        return false;
    if (message_types::reserved(message.type)) return false;  // refused by the general path
    Cpu& cpu = m_cpus[0];
    uint64_t charged = m_costs.kernel_entry_ns + m_costs.message_copy_ns;
    if (receiver.state == ProcessState::receiving &&
        (receiver.waiting_on == endpoints::any || receiver.waiting_on == caller.endpoint)) {
        receiver.state = ProcessState::runnable;
        receiver.ipc_status = Status::ok;
        receiver.waiting_on = endpoints::none;
        receiver.awaiting_reply = false;
        receiver.ready_at_ns = cpu.clock_ns + charged;
        enqueue_woken(destination_slot);
        receiver.counters.received += 1;
        cpu.messages_delivered += 1;
        Message* buffer = receiver.receive_buffer;
        *buffer = message;
        buffer->source = caller.endpoint;
    } else {
        if (!is_alive(receiver.state) || receiver.senders_head != no_slot) return false;
        Message kept = message;
        kept.source = caller.endpoint;
        if (!m_strategy.buffer(destination_slot, 0, kept)) return false;  // full, or never buffers
        charged += m_costs.buffer_op_ns;
        receiver.buffered += 1;
    }
    cpu.clock_ns += charged;
    caller.quantum_used_ns += charged;
    caller.counters.cpu_ns += charged;
    caller.counters.sent += 1;
    const bool preempt = must_preempt(caller, cpu);
    status = preempt ? end_of_call_slow(caller_slot, Status::ok) : Status::ok;
    return true;
}

// receive(any) when a buffering strategy keeps a message for the caller and
// neither a notification nor a blocked sender comes first: take it, go on.
inline bool Kernel::fastpath_receive_buffered(Message& message, Status& status) {
    const uint32_t caller_slot = m_running;
    Process& caller = m_processes[caller_slot];
    if (caller.buffered == 0 || caller.notifications_pending != 0 || caller.senders_head != no_slot) return false;
    if (!(m_privileges[caller.privilege].primitives & bit(Primitive::receive))) return false;
    if (!m_strategy.take(caller_slot, endpoints::any, message)) return false;
    Cpu& cpu = m_cpus[0];
    const uint64_t charged = m_costs.kernel_entry_ns + m_costs.buffer_op_ns + m_costs.message_copy_ns;
    cpu.clock_ns += charged;
    caller.quantum_used_ns += charged;
    caller.counters.cpu_ns += charged;
    caller.buffered -= 1;
    caller.counters.received += 1;
    cpu.messages_delivered += 1;
    const bool preempt = must_preempt(caller, cpu);
    status = preempt ? end_of_call_slow(caller_slot, Status::ok) : Status::ok;
    return true;
}

// receive(any) with nothing queued: block, and run the best other process.
inline bool Kernel::fastpath_receive_any(Message& message) {
    const uint32_t caller_slot = m_running;
    Process& caller = m_processes[caller_slot];
    if (!(m_privileges[caller.privilege].primitives & bit(Primitive::receive))) return false;
    if (!has_nothing_pending(caller)) return false;
    Cpu& cpu = m_cpus[0];
    RunQueue& queue = cpu.run_queue;
    const uint32_t caller_level = caller.priority;
    // The caller must be alone in its level (so removing it is two stores) and
    // something else must be runnable (else the general path goes idle).
    if (queue.head[caller_level] != caller_slot || queue.tail[caller_level] != caller_slot) return false;
    const uint32_t others = queue.nonempty & ~(1u << caller_level);
    if (others == 0) return false;
    const uint32_t next_slot = queue.head[std::countr_zero(others)];
    Process& next = m_processes[next_slot];
    const uint64_t after_entry = cpu.clock_ns + m_costs.kernel_entry_ns;
    const uint64_t start = after_entry > next.ready_at_ns ? after_entry : next.ready_at_ns;
    if (start >= m_next_event_ns) return false;

    cpu.clock_ns += m_costs.kernel_entry_ns;
    caller.quantum_used_ns += m_costs.kernel_entry_ns;
    caller.counters.cpu_ns += m_costs.kernel_entry_ns;
    caller.state = ProcessState::receiving;
    caller.waiting_on = endpoints::any;
    caller.receive_buffer = &message;
    caller.counters.blocked += 1;
    queue.head[caller_level] = queue.tail[caller_level] = no_slot;
    queue.nonempty = others;

    if (cpu.clock_ns < next.ready_at_ns) {
        cpu.idle_ns += next.ready_at_ns - cpu.clock_ns;
        cpu.clock_ns = next.ready_at_ns;
    }
    m_running = next_slot;
    if (cpu.last_ran != next_slot) {
        cpu.clock_ns += m_costs.context_switch_ns;
        cpu.switches += 1;
        cpu.last_ran = next_slot;
    }
    return true;
}

}  // namespace axl
