// The IPC strategies, listed once: what each is called and does (for `axl
// list`, command lines and file readers), how much buffer memory it needs for
// a system, and how to construct it. Both ports construct their strategy here,
// in storage they provide, so a new strategy is one entry in this table.
#pragma once

#include <cstddef>
#include <cstdint>

#include "ipc_strategies/queue/queue.h"
#include "ipc_strategies/rendezvous/rendezvous.h"
#include "ipc_strategies/ring/ring.h"
#include "kernel/ipc_strategy.h"

namespace axl {

struct StrategyInfo {
    IpcStrategyKind kind;
    const char* name;  // to_string(kind): what files and command lines say
    const char* description;
};

inline constexpr StrategyInfo ipc_strategies[] = {
    {IpcStrategyKind::rendezvous, to_string(IpcStrategyKind::rendezvous),
     "MINIX 3 rendezvous, sender blocks until the receiver takes the message"},
    {IpcStrategyKind::ring, to_string(IpcStrategyKind::ring),
     "per-receiver lock-free SPSC rings (one per sending CPU), send returns once buffered, blocks only when full"},
    {IpcStrategyKind::queue, to_string(IpcStrategyKind::queue),
     "per-receiver bounded lock-free FIFO mailbox (boost::lockfree::queue) shared by all senders, send returns "
     "once buffered"},
};
static_assert(sizeof(ipc_strategies) / sizeof(ipc_strategies[0]) == ipc_strategy_kind_count);

// The strategy called `name`, or nullptr.
const StrategyInfo* find_strategy(const char* name);

namespace detail {
// "rendezvous, ring or queue", built from the table above at compile time.
constexpr auto join_strategy_names() {
    struct Text {
        char bytes[128] = {};
    } text;
    uint32_t length = 0;
    auto append = [&](const char* part) {
        while (*part && length + 1 < sizeof text.bytes) text.bytes[length++] = *part++;
    };
    constexpr uint32_t count = sizeof(ipc_strategies) / sizeof(ipc_strategies[0]);
    for (uint32_t i = 0; i < count; ++i) {
        if (i > 0) append(i + 1 == count ? " or " : ", ");
        append(ipc_strategies[i].name);
    }
    return text;
}
inline constexpr auto strategy_names_text = join_strategy_names();
}  // namespace detail

// The names for messages that list them: "rendezvous, ring or queue".
constexpr const char* strategy_names() { return detail::strategy_names_text.bytes; }

// What a strategy is sized for.
struct StrategyShape {
    uint32_t slots;          // process slots it serves
    uint32_t cpus;           // CPUs that send
    uint32_t ring_capacity;  // messages per ring (ring strategy)
};

// A strategy object and the buffer memory it keeps messages in, which the
// port provides (hosted: the heap; bare metal: a fixed block).
class StrategyHolder {
public:
    StrategyHolder() = default;
    StrategyHolder(const StrategyHolder&) = delete;
    StrategyHolder& operator=(const StrategyHolder&) = delete;
    ~StrategyHolder() { reset(); }

    // Bytes of buffer memory `kind` needs for `shape` (0: none).
    static size_t buffer_bytes(IpcStrategyKind kind, const StrategyShape& shape);
    // Constructs the strategy in `buffer` (at least buffer_bytes(kind, shape),
    // 64-byte aligned; unused when that is 0), replacing any earlier one.
    IpcStrategy& construct(IpcStrategyKind kind, const StrategyShape& shape, void* buffer, size_t bytes);
    IpcStrategy* get() const { return m_strategy; }
    void reset();

private:
    // Room for whichever strategy is constructed.
    union Object {
        RendezvousStrategy rendezvous;
        RingStrategy ring;
        QueueStrategy queue;
        Object() {}
        ~Object() {}
    };
    alignas(Object) unsigned char m_object[sizeof(Object)];
    IpcStrategy* m_strategy = nullptr;
};

}  // namespace axl
