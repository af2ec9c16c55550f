// SelectiveStash: lets a strategy built on FIFO queues serve receive(from X).
// Messages popped while looking for X's are parked here, oldest first, and
// are the first ones served afterwards, so no message is lost or reordered
// relative to the queue it came from. The messages live in strategy-owned
// storage; the strategy bounds how many can be parked.
//
// Only the receiver's side parks and takes, but in parallel mode senders on
// other CPUs read parked() without the kernel lock (the ring strategy buffers
// unlocked only while nothing is parked), so the count is accessed atomically.
#pragma once

#include <cstdint>

#include "kernel/api/endpoint.h"
#include "kernel/api/message.h"
#include "kernel/lib/atomic.h"

namespace axl {

class SelectiveStash {
public:
    static bool matches(const Message& message, Endpoint from) {
        return from == endpoints::any || message.source == from;
    }

    uint32_t parked() const { return atomic::load(m_count); }

    void park(Message* slots, const Message& message) {
        slots[m_count] = message;
        atomic::store(m_count, m_count + 1);
    }

    // Takes the oldest parked message matching `from`, keeping the others in order.
    bool take(Message* slots, Endpoint from, Message& out) {
        for (uint32_t i = 0; i < m_count; ++i) {
            if (!matches(slots[i], from)) continue;
            out = slots[i];
            for (uint32_t j = i + 1; j < m_count; ++j) slots[j - 1] = slots[j];
            atomic::store(m_count, m_count - 1);
            return true;
        }
        return false;
    }

    void clear() { atomic::store(m_count, 0u); }

private:
    uint32_t m_count = 0;
};

}  // namespace axl
