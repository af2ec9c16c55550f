#include "ipc_strategies/queue/queue.h"

#include <new>

#include "kernel/kassert.h"

namespace axl {

namespace {
constexpr size_t align_up(size_t n) { return (n + 63) & ~size_t{63}; }
}  // namespace

size_t QueueStrategy::storage_bytes(uint32_t slots) {
    return align_up(sizeof(Mailbox) * slots) + align_up(sizeof(SelectiveStash) * slots) +
           sizeof(Message) * slots * config::queue_capacity;
}

QueueStrategy::QueueStrategy(void* storage, size_t bytes, uint32_t slots) : m_slots(slots) {
    KASSERT(storage && bytes >= storage_bytes(slots));
    KASSERT((reinterpret_cast<uintptr_t>(storage) & 63) == 0);
    auto* base = static_cast<unsigned char*>(storage);
    m_mailboxes = reinterpret_cast<Mailbox*>(base);
    base += align_up(sizeof(Mailbox) * slots);
    m_stashes = reinterpret_cast<SelectiveStash*>(base);
    base += align_up(sizeof(SelectiveStash) * slots);
    m_stash = reinterpret_cast<Message*>(base);
    for (size_t i = 0; i < slots; ++i) {
        new (&m_mailboxes[i]) Mailbox();
        new (&m_stashes[i]) SelectiveStash();
    }
}

bool QueueStrategy::buffer(uint32_t receiver_slot, uint32_t, const Message& message) {
    KASSERT(receiver_slot < m_slots);
    // bounded_push never allocates: a full mailbox means the sender waits.
    SelectiveStash& stash = m_stashes[receiver_slot];
    if (stash.kept >= config::queue_capacity || !m_mailboxes[receiver_slot].bounded_push(message)) return false;
    stash.kept += 1;
    return true;
}

bool QueueStrategy::take(uint32_t receiver_slot, Endpoint from, Message& out) {
    KASSERT(receiver_slot < m_slots);
    SelectiveStash& stash = m_stashes[receiver_slot];
    Message* parked = stash_of(receiver_slot);
    if (stash.count && SelectiveStash::take(stash, parked, from, out)) return true;
    while (m_mailboxes[receiver_slot].pop(out)) {
        if (SelectiveStash::matches(out, from)) {
            stash.kept -= 1;
            return true;
        }
        KASSERT(stash.count < config::queue_capacity);
        parked[stash.count++] = out;
    }
    return false;
}

void QueueStrategy::discard(uint32_t receiver_slot) {
    KASSERT(receiver_slot < m_slots);
    Message dropped;
    while (m_mailboxes[receiver_slot].pop(dropped)) {
    }
    m_stashes[receiver_slot] = SelectiveStash{};
}

}  // namespace axl
