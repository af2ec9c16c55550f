// Rendezvous: MINIX 3's reference semantics. Nothing is ever kept: a sender
// whose receiver is not waiting blocks until the receiver takes the message,
// which the kernel then copies directly from sender to receiver.
#pragma once

#include "kernel/ipc_strategy.h"

namespace axl {

class RendezvousStrategy final : public IpcStrategy {
public:
    IpcStrategyKind kind() const override { return IpcStrategyKind::rendezvous; }
    bool buffer(uint32_t, uint32_t, const Message&) override { return false; }
    bool take(uint32_t, Endpoint, Message&) override { return false; }
    bool pending(uint32_t) const override { return false; }
    void discard(uint32_t) override {}
};

}  // namespace axl
