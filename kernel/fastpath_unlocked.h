// Parallel mode's unlocked fast paths: a stream of messages between processes
// on different CPUs, through a strategy whose buffers take a producer and a
// consumer on different threads (ring), without the kernel lock.
//
// Who may touch what without the lock:
//   - a CPU's thread, everything of the process it runs now and of the CPU
//     itself (clock, counters): nobody else writes them while it runs, and
//     every hand-over of a process to a CPU goes through the lock;
//   - the receiver's endpoint and privilege, the privilege table, the slot
//     count: written only while the system boots;
//   - the receiver's state, its senders list head, its pending-notification
//     count and the CPU's run-queue mask: written under the lock with atomic
//     stores (kernel/lib/atomic.h), read here with atomic loads.
//
// The one race that matters is a lost wake-up: the sender puts a message into
// the ring while the receiver, having found the ring empty, is about to block.
// Both sides write their half and then read the other's, each with a full
// fence in between (a Dekker handshake). During a stream the fence becomes
// asymmetric, where the port allows it: once a receiver has taken
// stream_receives messages in a row without blocking, it sets
// senders_skip_fence, senders then use a compiler barrier only, and when the
// receiver next blocks it makes every other CPU run a full barrier
// (platform::fence_other_cpus, membarrier(2) hosted) and clears the flag. A
// fence on every message costs a store-buffer drain, about a cross-core round
// trip; the heavy one costs a microsecond on hardware (IPIs; tens of
// microseconds in a VM without posted interrupts), once per stream, which is
// why a round trip, which blocks every time, never turns it on: the sender stores the message, then
// reads the receiver's state; the receiver announces "receiving", then looks
// into the ring again (kept_after_announcing_wait). At least one of them sees
// the other: either the receiver takes the message itself, or the sender sees
// it waiting and makes a locked call to hand the message over
// (wake_receiver_with_kept), or both, which is harmless.
//
// Semantics and virtual-time charges are the general path's (a buffered send,
// a take from the buffer); blocking, direct delivery to a waiting receiver,
// selective receives, notifications and preemption stay on the locked path.
#pragma once

namespace axl {

// Unlocked receives in a row after which a receiver counts as streaming.
inline constexpr uint32_t stream_receives = 64;

// The caller may stay on the unlocked path: this call does not end its quantum
// and nothing of higher priority waits for its CPU (such calls take the lock,
// whose end-of-call check does the preemption).
inline bool Kernel::may_stay_unlocked(const Process& caller, const Cpu& cpu, uint64_t charged) const {
    return caller.quantum_used_ns + charged < caller.quantum_ns &&
           (atomic::load(cpu.run_queue.nonempty) & ((1u << caller.priority) - 1)) == 0;
}

inline Kernel::UnlockedSend Kernel::ipc_send_unlocked(uint32_t cpu_index, Endpoint destination,
                                                      const Message& message) {
    if (!m_unlocked || message_types::reserved(message.type)) return UnlockedSend::not_taken;
    Cpu& cpu = m_cpus[cpu_index];
    Process& caller = m_processes[cpu.current];
    const uint32_t receiver_slot = destination.slot();
    if (receiver_slot >= m_slots_used) return UnlockedSend::not_taken;
    Process& receiver = m_processes[receiver_slot];
    if (receiver.endpoint != destination || !may_send_to(m_privileges[caller.privilege], Primitive::send, receiver))
        return UnlockedSend::not_taken;
    // Alive and not waiting (a waiting receiver gets the message directly, on
    // the locked path), and no blocked sender queues ahead (FIFO).
    const ProcessState state = atomic::load(receiver.state, std::memory_order_acquire);
    if (state != ProcessState::runnable && state != ProcessState::sending) return UnlockedSend::not_taken;
    if (atomic::load(receiver.senders_head, std::memory_order_acquire) != no_slot) return UnlockedSend::not_taken;
    const uint64_t charged = m_costs.kernel_entry_ns + m_costs.message_copy_ns + m_costs.buffer_op_ns;
    if (!may_stay_unlocked(caller, cpu, charged)) return UnlockedSend::not_taken;
    Message kept = message;
    kept.source = caller.endpoint;
    if (!m_strategy.buffer_unlocked(receiver_slot, cpu_index, kept)) return UnlockedSend::full;

    cpu.clock_ns += charged;
    caller.quantum_used_ns += charged;
    caller.counters.cpu_ns += charged;
    caller.counters.sent += 1;
    // The sender's half of the handshake: message stored, now look. While the
    // receiver streams (senders_skip_fence), its fence_other_cpus() when it
    // blocks stands in for ours.
    if (atomic::load(receiver.senders_skip_fence, std::memory_order_acquire))
        std::atomic_signal_fence(std::memory_order_seq_cst);
    else
        atomic::full_fence();
    return atomic::load(receiver.state) == ProcessState::receiving ? UnlockedSend::done_receiver_waits
                                                                   : UnlockedSend::done;
}

inline bool Kernel::ipc_receive_unlocked(uint32_t cpu_index, Endpoint from, Message& message) {
    if (!m_unlocked || from != endpoints::any) return false;
    Cpu& cpu = m_cpus[cpu_index];
    const uint32_t caller_slot = cpu.current;
    Process& caller = m_processes[caller_slot];
    if (!(m_privileges[caller.privilege].primitives & bit(Primitive::receive))) return false;
    // Notifications and blocked senders come before kept messages: locked path.
    if (atomic::load(caller.notifications_pending) != 0 ||
        atomic::load(caller.senders_head, std::memory_order_acquire) != no_slot)
        return false;
    const uint64_t charged = m_costs.kernel_entry_ns + m_costs.buffer_op_ns + m_costs.message_copy_ns;
    if (!may_stay_unlocked(caller, cpu, charged)) return false;
    if (!m_strategy.take(caller_slot, endpoints::any, message)) return false;

    cpu.clock_ns += charged;
    caller.quantum_used_ns += charged;
    caller.counters.cpu_ns += charged;
    caller.counters.received += 1;
    cpu.messages_delivered += 1;
    // A stream: from now on senders may skip their fence (it costs them a
    // store-buffer drain per message); this process pays once when it blocks.
    if (++caller.unlocked_receives_in_a_row == stream_receives && m_asymmetric_fences)
        atomic::store(caller.senders_skip_fence, uint8_t{1}, std::memory_order_release);
    return true;
}

}  // namespace axl
