// Queue: a bounded FIFO mailbox per receiver shared by every sender, built on
// boost::lockfree::queue (multi-producer, fixed capacity, no allocation).
//
// Semantics: send returns once the message is in the mailbox and blocks only
// while it is full; messages from all senders are received in the order they
// were sent (one global FIFO per receiver), also across CPUs.
#pragma once

#include <boost/lockfree/queue.hpp>
#include <cstddef>
#include <cstdint>

#include "ipc_strategies/selective_stash.h"
#include "kernel/config.h"
#include "kernel/ipc_strategy.h"

namespace axl {

class QueueStrategy final : public IpcStrategy {
public:
    using Mailbox = boost::lockfree::queue<Message, boost::lockfree::capacity<config::queue_capacity>>;

    static size_t storage_bytes(uint32_t slots);
    QueueStrategy(void* storage, size_t bytes, uint32_t slots);

    IpcStrategyKind kind() const override { return IpcStrategyKind::queue; }
    bool buffer(uint32_t receiver_slot, uint32_t sender_cpu, const Message& message) override;
    bool take(uint32_t receiver_slot, Endpoint from, Message& out) override;
    bool pending(uint32_t receiver_slot) const override { return m_kept[receiver_slot].count != 0; }
    void discard(uint32_t receiver_slot) override;

private:
    // Per receiver: messages parked by selective receives, and how many are
    // kept in all (parked + queued; the mailbox cannot count its own).
    struct Kept {
        SelectiveStash stash;
        uint32_t count = 0;
    };
    Message* stash_of(uint32_t slot) { return m_stash + size_t{slot} * config::queue_capacity; }

    uint32_t m_slots;
    Mailbox* m_mailboxes;
    Kept* m_kept;
    Message* m_stash;
};

}  // namespace axl
