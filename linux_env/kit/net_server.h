// Serves the system's net protocol (kernel/api/protocols/net.h) over the
// network device a Linux driver registered (net_server.cc).
#pragma once

#include "kernel/api/message.h"

namespace axl::linux_env {

// Opens the driver's network device, if it registered one; true if it did
// and the device is up, so the process serves the net protocol.
bool net_start();
// True if `request` was a net request; `answer` is then its reply, unless
// the request waits (a receive with no frame yet, a send while the driver's
// queue is stopped): then answered later, by net_poll.
bool serve_net(const Message& request, Message& answer, bool& answered);
// Moves what can move now: waiting sends to the driver, received frames to
// waiting clients. Called after every interrupt, timer and request.
void net_poll();

}  // namespace axl::linux_env
