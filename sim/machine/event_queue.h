// EventQueue: the hosted port's discrete-event queue in virtual time. Device
// completions, timer expiries, injected faults and the end of a run are events;
// they fire in (time, scheduling order), so events at the same virtual time
// fire in the order they were scheduled and a run stays a pure function of its
// inputs. The simulator's idle loop interleaves them with the kernel's CPUs.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <utility>

namespace axl::sim {

class EventQueue {
public:
    using Action = std::function<void()>;
    struct Id {
        uint64_t time_ns = 0;
        uint64_t sequence = 0;
    };
    static constexpr uint64_t never = ~uint64_t{0};

    // `action` runs when the simulation reaches `time_ns`.
    Id schedule(uint64_t time_ns, Action action);
    // False if the event already fired or was cancelled.
    bool cancel(Id id);
    // Time of the earliest pending event, or `never`.
    uint64_t next_time() const { return m_events.empty() ? never : m_events.begin()->first.first; }
    // Removes the earliest event and runs it; false if there was none.
    bool fire_next();
    size_t size() const { return m_events.size(); }

private:
    std::map<std::pair<uint64_t, uint64_t>, Action> m_events;  // (time, sequence) -> action
    uint64_t m_next_sequence = 0;
};

}  // namespace axl::sim
