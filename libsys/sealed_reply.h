// How a server of a sealed protocol (kernel/api/protocols/integrity.h: block,
// storage) answers a message: a request whose seal is broken was corrupted on
// the way, and acting on it could touch the wrong sectors or bytes, so it is
// refused with `integrity::resend` before the server sees it; a message that
// is no request of the protocol gets bad_argument. The reply is sealed and
// sent with sendnb: a client that stopped waiting costs the server nothing.
#pragma once

#include <cstdint>

#include "kernel/api/ipc.h"
#include "kernel/api/message.h"
#include "kernel/api/protocols/integrity.h"
#include "kernel/api/status.h"

namespace axl::sys {

// `reply` comes with its type and any words every reply carries; `serve(reply)`
// fills in the answer to an intact request.
template <typename Serve>
void reply_sealed(const Message& request, bool is_request, Message& reply, Serve&& serve) {
    if (!is_request) {
        reply.payload.words[0] = static_cast<uint64_t>(Status::bad_argument);
    } else if (!integrity::intact(request)) {
        reply.payload.words[0] = static_cast<uint64_t>(Status::bad_argument);
        reply.payload.words[5] = integrity::resend;
    } else {
        serve(reply);
    }
    integrity::seal(reply);
    (void)sendnb(request.source, reply);
}

}  // namespace axl::sys
