// Ring: a bounded lock-free ring per (receiver, sending CPU) pair
// (ipc_strategies/ring/spsc_ring.h). On one simulated CPU the processes that
// send run one at a time, so each ring has exactly one producer (that CPU) and
// one consumer (the receiver): single-producer/single-consumer is enough, also
// across host threads in parallel mode, where a sender puts its message into
// the ring without the kernel lock (buffer_unlocked).
//
// Semantics: send returns once the message is in the ring and blocks only
// while it is full. Order is FIFO per sending CPU; a receiver serves the CPUs'
// rings round-robin, so senders on different CPUs interleave. The capacity per
// ring comes from the system description (`ring_capacity`, default
// config::ring_capacity).
#pragma once

#include <cstddef>
#include <cstdint>

#include "ipc_strategies/ring/spsc_ring.h"
#include "ipc_strategies/selective_stash.h"
#include "kernel/config.h"
#include "kernel/ipc_strategy.h"

namespace axl {

class RingStrategy final : public IpcStrategy {
public:
    // Bytes of storage the port must provide (64-byte aligned, zeroed or not).
    // `capacity` (messages per ring) is a power of two.
    static size_t storage_bytes(uint32_t slots, uint32_t cpus, uint32_t capacity = config::ring_capacity);
    RingStrategy(void* storage, size_t bytes, uint32_t slots, uint32_t cpus,
                 uint32_t capacity = config::ring_capacity);

    IpcStrategyKind kind() const override { return IpcStrategyKind::ring; }
    bool buffer(uint32_t receiver_slot, uint32_t sender_cpu, const Message& message) override;
    bool buffer_unlocked(uint32_t receiver_slot, uint32_t sender_cpu, const Message& message) override;
    bool buffers_unlocked() const override { return true; }
    bool take(uint32_t receiver_slot, Endpoint from, Message& out) override;
    bool pending(uint32_t receiver_slot) const override;
    void discard(uint32_t receiver_slot) override;

private:
    struct Mailbox {
        SelectiveStash stash;
        uint32_t next_ring = 0;  // round-robin start among the CPUs' rings
    };
    SpscRing& ring(uint32_t slot, uint32_t cpu) { return m_rings[slot * m_cpus + cpu]; }
    const SpscRing& ring(uint32_t slot, uint32_t cpu) const { return m_rings[slot * m_cpus + cpu]; }
    Message* stash_of(uint32_t slot) { return m_stash + size_t{slot} * m_stash_capacity; }
    uint32_t in_rings(uint32_t slot) const;

    uint32_t m_slots;
    uint32_t m_cpus;
    uint32_t m_kept_max;        // messages kept per receiver before senders block
    uint32_t m_stash_capacity;  // m_kept_max plus one per CPU, see buffer_unlocked()
    SpscRing* m_rings;
    Mailbox* m_mailboxes;
    Message* m_stash;
};

}  // namespace axl
