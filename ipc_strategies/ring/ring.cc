#include "ipc_strategies/ring/ring.h"

#include <new>

#include "kernel/kassert.h"

namespace axl {

namespace {
constexpr size_t align_up(size_t n) { return (n + 63) & ~size_t{63}; }
}  // namespace

size_t RingStrategy::storage_bytes(uint32_t slots, uint32_t cpus) {
    size_t rings = align_up(sizeof(Ring) * slots * cpus);
    size_t mailboxes = align_up(sizeof(Mailbox) * slots);
    size_t stash = sizeof(Message) * slots * cpus * config::ring_capacity;
    return rings + mailboxes + stash;
}

RingStrategy::RingStrategy(void* storage, size_t bytes, uint32_t slots, uint32_t cpus)
    : m_slots(slots), m_cpus(cpus), m_stash_capacity(cpus * config::ring_capacity) {
    KASSERT(storage && bytes >= storage_bytes(slots, cpus));
    KASSERT((reinterpret_cast<uintptr_t>(storage) & 63) == 0);
    auto* base = static_cast<unsigned char*>(storage);
    m_rings = reinterpret_cast<Ring*>(base);
    base += align_up(sizeof(Ring) * slots * cpus);
    m_mailboxes = reinterpret_cast<Mailbox*>(base);
    base += align_up(sizeof(Mailbox) * slots);
    m_stash = reinterpret_cast<Message*>(base);
    for (size_t i = 0; i < size_t{slots} * cpus; ++i) new (&m_rings[i]) Ring();
    for (size_t i = 0; i < slots; ++i) new (&m_mailboxes[i]) Mailbox();
}

bool RingStrategy::buffer(uint32_t receiver_slot, uint32_t sender_cpu, const Message& message) {
    KASSERT(receiver_slot < m_slots && sender_cpu < m_cpus);
    SelectiveStash& stash = m_mailboxes[receiver_slot].stash;
    if (stash.kept >= m_stash_capacity || !ring(receiver_slot, sender_cpu).push(message)) return false;
    stash.kept += 1;
    return true;
}

bool RingStrategy::take(uint32_t receiver_slot, Endpoint from, Message& out) {
    KASSERT(receiver_slot < m_slots);
    Mailbox& mailbox = m_mailboxes[receiver_slot];
    Message* stash = stash_of(receiver_slot);
    if (mailbox.stash.count && SelectiveStash::take(mailbox.stash, stash, from, out)) return true;
    for (uint32_t i = 0; i < m_cpus; ++i) {
        uint32_t cpu = (mailbox.next_ring + i) % m_cpus;
        Ring& queue = ring(receiver_slot, cpu);
        while (queue.pop(out)) {
            if (SelectiveStash::matches(out, from)) {
                mailbox.next_ring = (cpu + 1) % m_cpus;
                mailbox.stash.kept -= 1;
                return true;
            }
            // Not the sender asked for: park it, keep looking behind it.
            KASSERT(mailbox.stash.count < m_stash_capacity);
            stash[mailbox.stash.count++] = out;
        }
    }
    return false;
}

void RingStrategy::discard(uint32_t receiver_slot) {
    KASSERT(receiver_slot < m_slots);
    Message dropped;
    for (uint32_t cpu = 0; cpu < m_cpus; ++cpu)
        while (ring(receiver_slot, cpu).pop(dropped)) {
        }
    m_mailboxes[receiver_slot].stash = SelectiveStash{};
}

}  // namespace axl
