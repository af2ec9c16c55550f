#include "ipc_strategies/ring/ring.h"

#include <new>

#include "kernel/kassert.h"

namespace axl {

namespace {
constexpr size_t align_up(size_t n) { return (n + 63) & ~size_t{63}; }
}  // namespace

size_t RingStrategy::storage_bytes(uint32_t slots, uint32_t cpus, uint32_t capacity) {
    const size_t rings = size_t{slots} * cpus;
    return align_up(sizeof(SpscRing) * rings) + align_up(sizeof(Mailbox) * slots) +
           sizeof(Message) * rings * capacity + sizeof(Message) * slots * cpus * (capacity + 1);
}

RingStrategy::RingStrategy(void* storage, size_t bytes, uint32_t slots, uint32_t cpus, uint32_t capacity)
    : m_slots(slots),
      m_cpus(cpus),
      m_kept_max(cpus * capacity),
      m_stash_capacity(cpus * (capacity + 1)) {
    KASSERT(capacity > 0 && (capacity & (capacity - 1)) == 0);
    KASSERT(storage && bytes >= storage_bytes(slots, cpus, capacity));
    KASSERT((reinterpret_cast<uintptr_t>(storage) & 63) == 0);
    const size_t ring_count = size_t{slots} * cpus;
    auto* base = static_cast<unsigned char*>(storage);
    m_rings = reinterpret_cast<SpscRing*>(base);
    base += align_up(sizeof(SpscRing) * ring_count);
    m_mailboxes = reinterpret_cast<Mailbox*>(base);
    base += align_up(sizeof(Mailbox) * slots);
    auto* ring_slots = reinterpret_cast<Message*>(base);
    base += sizeof(Message) * ring_count * capacity;
    m_stash = reinterpret_cast<Message*>(base);
    for (size_t i = 0; i < ring_count; ++i) (new (&m_rings[i]) SpscRing())->attach(ring_slots + i * capacity, capacity);
    for (size_t i = 0; i < slots; ++i) new (&m_mailboxes[i]) Mailbox();
}

uint32_t RingStrategy::in_rings(uint32_t slot) const {
    uint32_t total = 0;
    for (uint32_t cpu = 0; cpu < m_cpus; ++cpu) total += ring(slot, cpu).size();
    return total;
}

// The receiver may keep at most m_kept_max messages (parked + in its rings),
// so a selective receive can always park everything ahead of the message it
// looks for. With nothing parked the rings' own bounds already ensure that.
bool RingStrategy::buffer(uint32_t receiver_slot, uint32_t sender_cpu, const Message& message) {
    KASSERT(receiver_slot < m_slots && sender_cpu < m_cpus);
    const uint32_t parked = m_mailboxes[receiver_slot].stash.parked();
    if (parked != 0 && parked + in_rings(receiver_slot) >= m_kept_max) return false;
    return ring(receiver_slot, sender_cpu).push(message);
}

// Without the kernel lock, from the sending CPU's thread, while the receiver
// may be taking: only while nothing is parked. Parking happens under the lock
// (a selective receive); a sender that saw "nothing parked" just before it
// started can still add one message per CPU, which the stash's extra room per
// CPU absorbs.
bool RingStrategy::buffer_unlocked(uint32_t receiver_slot, uint32_t sender_cpu, const Message& message) {
    if (m_mailboxes[receiver_slot].stash.parked() != 0) return false;
    return ring(receiver_slot, sender_cpu).push(message);
}

bool RingStrategy::take(uint32_t receiver_slot, Endpoint from, Message& out) {
    KASSERT(receiver_slot < m_slots);
    Mailbox& mailbox = m_mailboxes[receiver_slot];
    Message* stash = stash_of(receiver_slot);
    if (mailbox.stash.parked() && mailbox.stash.take(stash, from, out)) return true;
    for (uint32_t i = 0; i < m_cpus; ++i) {
        uint32_t cpu = mailbox.next_ring + i;
        if (cpu >= m_cpus) cpu -= m_cpus;
        SpscRing& queue = ring(receiver_slot, cpu);
        while (queue.pop(out)) {
            if (SelectiveStash::matches(out, from)) {
                // Stored only when it changes: senders on other CPUs read the
                // stash count next to it without the lock (buffer_unlocked),
                // and a store, even of the same value, takes their copy away.
                const uint32_t next = cpu + 1 == m_cpus ? 0 : cpu + 1;
                if (mailbox.next_ring != next) mailbox.next_ring = next;
                return true;
            }
            // Not the sender asked for: park it, keep looking behind it.
            KASSERT(mailbox.stash.parked() < m_stash_capacity);
            mailbox.stash.park(stash, out);
        }
    }
    return false;
}

bool RingStrategy::pending(uint32_t receiver_slot) const {
    return m_mailboxes[receiver_slot].stash.parked() != 0 || in_rings(receiver_slot) != 0;
}

void RingStrategy::discard(uint32_t receiver_slot) {
    KASSERT(receiver_slot < m_slots);
    Message dropped;
    for (uint32_t cpu = 0; cpu < m_cpus; ++cpu)
        while (ring(receiver_slot, cpu).pop(dropped)) {
        }
    m_mailboxes[receiver_slot].stash.clear();
}

}  // namespace axl
