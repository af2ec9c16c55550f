// A server's reply to `client` and its wait for the next request, in one
// kernel entry (reply_receive): `message` goes out as the reply and, if the
// client took it, comes back holding the next request from any sender.
//
// reply_receive sends its reply with sendnb: a reply that cannot be delivered
// (the client died before it: dead_endpoint; it is not waiting for a reply and
// the strategy cannot buffer one: would_block; ...) returns that status and
// receives nothing. Such a reply is never dropped silently: it is counted in
// `failed_replies` and logged with the client and the status, and the server
// then waits for its next request with a plain receive(any). A client whose
// reply was lost never finishes (it stays blocked or has died), so the run's
// report is not ok either way; the log line says why.
#pragma once

#include <cstdint>

#include "kernel/api/endpoint.h"
#include "kernel/api/ipc.h"
#include "kernel/api/message.h"
#include "kernel/api/status.h"
#include "libsys/checks.h"

namespace axl::sys {

// Returns the status of the receive that fetched the next request.
inline Status reply_then_receive(Endpoint client, Message& message, uint64_t& failed_replies) {
    Status status = reply_receive(client, message);
    if (status == Status::ok) return status;
    failed_replies += 1;
    log("reply to slot %u generation %u failed: %s (%llu failed replies so far); receiving the next request",
        client.slot(), client.generation(), to_string(status), ull(failed_replies));
    return receive(endpoints::any, message);
}

}  // namespace axl::sys
