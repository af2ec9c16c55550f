// IpcStrategy: what differs between IPC strategies, behind one interface.
//
// The kernel does every privilege and endpoint check, direct delivery to a
// receiver that is already waiting (the rendezvous reference path, which every
// strategy shares), blocking, deadlock refusal and notifications. A strategy
// only decides what happens to a message whose receiver is not waiting for it:
// rendezvous keeps nothing (the sender blocks), ring and queue buffer it in
// fixed storage and let the sender go on. Storage comes from the port, so
// strategies never allocate.
#pragma once

#include <cstdint>

#include "kernel/api/endpoint.h"
#include "kernel/api/message.h"

namespace axl {

enum class IpcStrategyKind : uint8_t { rendezvous, ring, queue };
inline constexpr uint32_t ipc_strategy_kind_count = 3;

constexpr const char* to_string(IpcStrategyKind k) {
    switch (k) {
        case IpcStrategyKind::rendezvous: return "rendezvous";
        case IpcStrategyKind::ring: return "ring";
        case IpcStrategyKind::queue: return "queue";
    }
    return "?";
}

class IpcStrategy {
public:
    virtual IpcStrategyKind kind() const = 0;
    // Keep `message` (source already filled in) for receiver `receiver_slot`,
    // sent from a process running on `sender_cpu`. False = no room (or this
    // strategy never buffers): the kernel blocks the sender instead.
    virtual bool buffer(uint32_t receiver_slot, uint32_t sender_cpu, const Message& message) = 0;
    // Parallel mode: buffer() called without the kernel lock, from the thread
    // of `sender_cpu` (whose processes are the only unlocked senders into
    // what it keeps from that CPU), while the receiver's thread may be in
    // take(). False = not now (or never, the default): the kernel takes its
    // lock and the general path instead.
    virtual bool buffer_unlocked(uint32_t, uint32_t, const Message&) { return false; }
    // buffer_unlocked() can succeed, and take() may run concurrently with it.
    virtual bool buffers_unlocked() const { return false; }
    // Move the oldest kept message for `receiver_slot` whose source matches
    // `from` (a process endpoint or endpoints::any) into `out`. False if none.
    virtual bool take(uint32_t receiver_slot, Endpoint from, Message& out) = 0;
    // Something is kept for `receiver_slot` (parallel mode asks this instead
    // of counting, since unlocked senders do not count).
    virtual bool pending(uint32_t receiver_slot) const = 0;
    // The receiver in `slot` is gone: forget everything kept for it.
    virtual void discard(uint32_t receiver_slot) = 0;

protected:
    ~IpcStrategy() = default;  // owned and destroyed by the port, never through this
};

}  // namespace axl
