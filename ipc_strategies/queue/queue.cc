#include "ipc_strategies/queue/queue.h"

#include <new>

#include "kernel/kassert.h"

namespace axl {

namespace {
constexpr size_t align_up(size_t n) { return (n + 63) & ~size_t{63}; }
}  // namespace

size_t QueueStrategy::storage_bytes(uint32_t slots) {
    return align_up(sizeof(Mailbox) * slots) + align_up(sizeof(Kept) * slots) +
           sizeof(Message) * slots * config::queue_capacity;
}

QueueStrategy::QueueStrategy(void* storage, size_t bytes, uint32_t slots) : m_slots(slots) {
    KASSERT(storage && bytes >= storage_bytes(slots));
    KASSERT((reinterpret_cast<uintptr_t>(storage) & 63) == 0);
    auto* base = static_cast<unsigned char*>(storage);
    m_mailboxes = reinterpret_cast<Mailbox*>(base);
    base += align_up(sizeof(Mailbox) * slots);
    m_kept = reinterpret_cast<Kept*>(base);
    base += align_up(sizeof(Kept) * slots);
    m_stash = reinterpret_cast<Message*>(base);
    for (size_t i = 0; i < slots; ++i) {
        new (&m_mailboxes[i]) Mailbox();
        new (&m_kept[i]) Kept();
    }
}

bool QueueStrategy::buffer(uint32_t receiver_slot, uint32_t, const Message& message) {
    KASSERT(receiver_slot < m_slots);
    // bounded_push never allocates: a full mailbox means the sender waits.
    Kept& kept = m_kept[receiver_slot];
    if (kept.count >= config::queue_capacity || !m_mailboxes[receiver_slot].bounded_push(message)) return false;
    kept.count += 1;
    return true;
}

bool QueueStrategy::take(uint32_t receiver_slot, Endpoint from, Message& out) {
    KASSERT(receiver_slot < m_slots);
    Kept& kept = m_kept[receiver_slot];
    Message* parked = stash_of(receiver_slot);
    if (kept.stash.parked() && kept.stash.take(parked, from, out)) {
        kept.count -= 1;
        return true;
    }
    while (m_mailboxes[receiver_slot].pop(out)) {
        if (SelectiveStash::matches(out, from)) {
            kept.count -= 1;
            return true;
        }
        KASSERT(kept.stash.parked() < config::queue_capacity);
        kept.stash.park(parked, out);
    }
    return false;
}

void QueueStrategy::discard(uint32_t receiver_slot) {
    KASSERT(receiver_slot < m_slots);
    Message dropped;
    while (m_mailboxes[receiver_slot].pop(dropped)) {
    }
    m_kept[receiver_slot] = Kept{};
}

}  // namespace axl
