// Ring: a bounded lock-free ring per (receiver, sending CPU) pair, built on
// boost::lockfree::spsc_queue. On one simulated CPU the processes that send run
// one at a time, so each ring has exactly one producer (that CPU) and one
// consumer (the receiver): the single-producer/single-consumer queue is enough
// and costs what a plain ring costs, also across host threads in parallel mode.
//
// Semantics: send returns once the message is in the ring and blocks only
// while it is full. Order is FIFO per sending CPU; a receiver serves the CPUs'
// rings round-robin, so senders on different CPUs interleave.
#pragma once

#include <boost/lockfree/spsc_queue.hpp>
#include <cstddef>
#include <cstdint>

#include "ipc_strategies/selective_stash.h"
#include "kernel/config.h"
#include "kernel/ipc_strategy.h"

namespace axl {

class RingStrategy final : public IpcStrategy {
public:
    using Ring = boost::lockfree::spsc_queue<Message, boost::lockfree::capacity<config::ring_capacity>>;

    // Bytes of storage the port must provide (64-byte aligned, zeroed or not).
    static size_t storage_bytes(uint32_t slots, uint32_t cpus);
    RingStrategy(void* storage, size_t bytes, uint32_t slots, uint32_t cpus);

    IpcStrategyKind kind() const override { return IpcStrategyKind::ring; }
    bool buffer(uint32_t receiver_slot, uint32_t sender_cpu, const Message& message) override;
    bool take(uint32_t receiver_slot, Endpoint from, Message& out) override;
    void discard(uint32_t receiver_slot) override;

private:
    struct Mailbox {
        SelectiveStash stash;
        uint32_t next_ring = 0;  // round-robin start among the CPUs' rings
    };
    Ring& ring(uint32_t slot, uint32_t cpu) { return m_rings[slot * m_cpus + cpu]; }
    Message* stash_of(uint32_t slot) { return m_stash + size_t{slot} * m_stash_capacity; }

    uint32_t m_slots;
    uint32_t m_cpus;
    uint32_t m_stash_capacity;
    Ring* m_rings;
    Mailbox* m_mailboxes;
    Message* m_stash;
};

}  // namespace axl
