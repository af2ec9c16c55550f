// The net protocol: what a program sends to a network driver (drivers/nic.cc)
// to send and receive frames. Frames never travel in messages: the client
// grants the driver a buffer and the driver safecopies the frame out of it
// (send) or into it (receive). A frame is up to max_frame_bytes bytes (an
// empty frame is allowed) and goes to, or comes from, a peer: the card's tag
// for a host address it has heard from (hw/nic.h). To answer whoever
// sent a frame, send the answer to the peer tag the frame came with.
//
//   send     words: [0] grant (read access to the driver), [1] length, [2] peer tag
//            Answered once the card has put the frame on the wire (or failed
//            to): the grant is no longer used after the reply.
//   receive  words: [0] grant (write access to the driver), [1] capacity (>= 1)
//            Answered when a frame has arrived, oldest first: the first
//            `capacity` bytes are in the grant. Waits as long as it takes.
//   info     no arguments
//   reply    words: [0] Status
//            send:    [1] bytes sent, [2] the card's error code (hw::nic error_*, 0 if none)
//            receive: [1] the frame's length (more than capacity: the rest was cut off),
//                     [2] peer tag
//            info:    [1] max_frame_bytes, [2] frames received, [3] dropped,
//                     [4] sent, [5] card errors (the card's counters)
//
// Statuses: ok; bad_argument (length above max_frame_bytes, capacity 0, an
// unknown request); no_space (the driver has too many requests waiting); a
// safecopy's status when the grant did not allow the copy; not_found (send:
// the card knows no host address for that peer tag); bad_address (send: the
// card or the host failed to send the frame: see the error code).
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernel/api/endpoint.h"
#include "kernel/api/grant.h"
#include "kernel/api/ipc.h"
#include "kernel/api/message.h"
#include "kernel/api/status.h"

namespace axl::net {

inline constexpr uint32_t send = 0x7A01;
inline constexpr uint32_t receive = 0x7A02;
inline constexpr uint32_t info = 0x7A03;
inline constexpr uint32_t reply = 0x7A04;

inline constexpr size_t max_frame_bytes = 1500;  // the card's limit (the driver checks they agree)

struct ReceivedFrame {
    size_t length = 0;  // the frame's length (may exceed the capacity asked for)
    uint8_t peer = 0;   // send the answer here
};

namespace detail {
inline Status request(Endpoint driver, Message& m) {
    Status status = sendrec(driver, m);
    if (status != Status::ok) return status;
    if (m.type != reply) return Status::bad_argument;
    return static_cast<Status>(m.payload.words[0]);
}
}  // namespace detail

// Sends `length` bytes from the start of `frame` (a grant the caller made to
// `driver` with read access) to `peer`; returns once it is on the wire.
inline Status send_frame(Endpoint driver, GrantId frame, size_t length, uint8_t peer) {
    Message m;
    m.type = send;
    m.payload.words[0] = frame.raw;
    m.payload.words[1] = length;
    m.payload.words[2] = peer;
    return detail::request(driver, m);
}

// Waits for the next frame, into `buffer` (a grant the caller made to
// `driver` with write access, at least `capacity` bytes).
inline Status receive_frame(Endpoint driver, GrantId buffer, size_t capacity, ReceivedFrame& frame) {
    Message m;
    m.type = receive;
    m.payload.words[0] = buffer.raw;
    m.payload.words[1] = capacity;
    Status status = detail::request(driver, m);
    if (status != Status::ok) return status;
    frame.length = static_cast<size_t>(m.payload.words[1]);
    frame.peer = static_cast<uint8_t>(m.payload.words[2]);
    return Status::ok;
}

}  // namespace axl::net
