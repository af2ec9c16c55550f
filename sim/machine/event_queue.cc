#include "sim/machine/event_queue.h"

namespace axl::sim {

EventQueue::Id EventQueue::schedule(uint64_t time_ns, Action action) {
    Id id{time_ns, m_next_sequence++};
    m_events.emplace(std::make_pair(id.time_ns, id.sequence), std::move(action));
    return id;
}

bool EventQueue::cancel(Id id) { return m_events.erase({id.time_ns, id.sequence}) == 1; }

bool EventQueue::fire_next() {
    if (m_events.empty()) return false;
    auto first = m_events.begin();
    // Take the action out first: it may schedule or cancel other events.
    Action action = std::move(first->second);
    m_events.erase(first);
    action();
    return true;
}

}  // namespace axl::sim
