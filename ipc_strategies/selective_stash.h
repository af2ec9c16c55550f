// SelectiveStash: lets a strategy built on FIFO queues serve receive(from X).
// Messages popped while looking for X's are parked here, oldest first, and
// are the first ones served afterwards, so no message is lost or reordered
// relative to the queue it came from.
#pragma once

#include <cstdint>

#include "kernel/api/endpoint.h"
#include "kernel/api/message.h"

namespace axl {

struct SelectiveStash {
    uint32_t count = 0;  // messages parked; they live in strategy-owned storage
    // Messages kept for the receiver in all (parked + still queued). Strategies
    // refuse to keep more than the stash can park, so a selective receive can
    // always move everything ahead of the message it looks for.
    uint32_t kept = 0;

    static bool matches(const Message& message, Endpoint from) {
        return from == endpoints::any || message.source == from;
    }
    // Takes the oldest stashed message matching `from`, keeping the others in order.
    static bool take(SelectiveStash& stash, Message* slots, Endpoint from, Message& out) {
        for (uint32_t i = 0; i < stash.count; ++i) {
            if (!matches(slots[i], from)) continue;
            out = slots[i];
            for (uint32_t j = i + 1; j < stash.count; ++j) slots[j - 1] = slots[j];
            stash.count -= 1;
            stash.kept -= 1;
            return true;
        }
        return false;
    }
};

}  // namespace axl
