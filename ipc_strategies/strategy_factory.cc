#include "ipc_strategies/strategy_factory.h"

#include <new>

#include "kernel/lib/c_string.h"

namespace axl {

const StrategyInfo* find_strategy(const char* name) {
    for (const StrategyInfo& info : ipc_strategies)
        if (c_string::equal(info.name, name)) return &info;
    return nullptr;
}

size_t StrategyHolder::buffer_bytes(IpcStrategyKind kind, const StrategyShape& shape) {
    switch (kind) {
        case IpcStrategyKind::rendezvous: return 0;
        case IpcStrategyKind::ring: return RingStrategy::storage_bytes(shape.slots, shape.cpus, shape.ring_capacity);
        case IpcStrategyKind::queue: return QueueStrategy::storage_bytes(shape.slots);
    }
    return 0;
}

IpcStrategy& StrategyHolder::construct(IpcStrategyKind kind, const StrategyShape& shape, void* buffer, size_t bytes) {
    reset();
    switch (kind) {
        case IpcStrategyKind::rendezvous:
            m_strategy = new (m_object) RendezvousStrategy();
            break;
        case IpcStrategyKind::ring:
            m_strategy = new (m_object) RingStrategy(buffer, bytes, shape.slots, shape.cpus, shape.ring_capacity);
            break;
        case IpcStrategyKind::queue:
            m_strategy = new (m_object) QueueStrategy(buffer, bytes, shape.slots);
            break;
    }
    return *m_strategy;
}

void StrategyHolder::reset() {
    if (m_strategy == nullptr) return;
    switch (m_strategy->kind()) {
        case IpcStrategyKind::rendezvous: static_cast<RendezvousStrategy*>(m_strategy)->~RendezvousStrategy(); break;
        case IpcStrategyKind::ring: static_cast<RingStrategy*>(m_strategy)->~RingStrategy(); break;
        case IpcStrategyKind::queue: static_cast<QueueStrategy*>(m_strategy)->~QueueStrategy(); break;
    }
    m_strategy = nullptr;
}

}  // namespace axl
