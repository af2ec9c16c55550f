// Process: one slot of the kernel's fixed process table.
#pragma once

#include <cstdint>

#include "kernel/api/endpoint.h"
#include "kernel/api/message.h"
#include "kernel/api/status.h"
#include "kernel/config.h"
#include "kernel/lib/bitmap.h"

namespace axl {

inline constexpr uint32_t no_slot = 0xFFFF'FFFFu;

enum class ProcessState : uint8_t {
    free,       // slot unused (its generation still counts, so old endpoints stay dead)
    runnable,   // in its CPU's run queue
    sending,    // blocked until `waiting_on` accepts the message in `message_buffer`
    receiving,  // blocked until a message from `waiting_on` (or any) arrives
    exited,     // ended by exit(); status in `exit_status`
    faulted,    // killed by a fault; kind in `exit_status`
    killed,     // ended by another process's kill (the reincarnation server's, for a hang)
};

constexpr const char* to_string(ProcessState s) {
    switch (s) {
        case ProcessState::free: return "free";
        case ProcessState::runnable: return "runnable";
        case ProcessState::sending: return "sending";
        case ProcessState::receiving: return "receiving";
        case ProcessState::exited: return "exited";
        case ProcessState::faulted: return "faulted";
        case ProcessState::killed: return "killed";
    }
    return "?";
}

constexpr bool is_alive(ProcessState s) {
    return s == ProcessState::runnable || s == ProcessState::sending || s == ProcessState::receiving;
}

// Nothing waits to be received: the receive fast path's one test.
struct Process;
constexpr bool has_nothing_pending(const Process& process);

struct ProcessCounters {
    uint64_t sent = 0;          // messages accepted from this process (any primitive)
    uint64_t received = 0;      // messages delivered to this process (notifications included)
    uint64_t notifies_sent = 0;
    uint64_t kernel_calls = 0;
    uint64_t denied = 0;        // calls refused by privilege or endpoint checks
    uint64_t blocked = 0;       // times it blocked
    uint64_t cpu_ns = 0;        // virtual CPU time charged while it ran
};

struct alignas(64) Process {
    // Hot IPC state first: the sendrec fast path touches only this cache line.
    Endpoint endpoint;                  // slot + current generation
    ProcessState state = ProcessState::free;
    uint8_t priority = 0;
    uint8_t cpu = 0;
    bool then_receive = false;          // blocked in sendrec's send phase
    bool awaiting_reply = false;        // in sendrec's receive phase: notifications wait
    Endpoint waiting_on = endpoints::none;
    Status ipc_status = Status::ok;     // result handed to a woken process
    uint16_t privilege = 0;             // index into the privilege table
    // Parallel mode: unlocked senders may skip their fence, this process
    // fences for them when it blocks (Kernel::fence_after_announcing_wait).
    uint8_t senders_skip_fence = 0;
    bool has_granted = false;           // it created grants: revoke them when it ends
    Message* receive_buffer = nullptr;     // where a blocked receive gets its message
    const Message* send_buffer = nullptr;  // the message a blocked sender offers
    uint32_t run_next = no_slot;        // run-queue links (same level, same CPU)
    uint32_t run_prev = no_slot;
    uint32_t senders_head = no_slot;    // processes blocked sending to this one, FIFO
    uint32_t senders_tail = no_slot;
    uint32_t sender_next = no_slot;     // link in the destination's senders list
    uint32_t buffered = 0;              // messages a strategy keeps for this process
    uint32_t notifications_pending = 0; // bits set in pending_notifications
    uint64_t ready_at_ns = 0;           // virtual time it became runnable
    uint64_t quantum_ns = config::default_quantum_ns;
    uint64_t quantum_used_ns = 0;

    Bitmap<config::privilege_slots_max> pending_notifications;
    int32_t exit_status = 0;
    char name[config::process_name_bytes] = {};
    ProcessCounters counters;
    uint32_t unlocked_receives_in_a_row = 0;  // parallel mode: since it last blocked
};

// Power-of-two sizes turn table indexing into a shift on every IPC path.
static_assert(sizeof(Process) == 256);

constexpr bool has_nothing_pending(const Process& process) {
    return (process.notifications_pending | process.buffered | (process.senders_head + 1)) == 0;
}
static_assert(no_slot + 1 == 0, "has_nothing_pending folds the empty senders list into the OR");

}  // namespace axl
