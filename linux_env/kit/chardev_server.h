// Serves the chardev protocol for the driver's character devices
// (chardev_server.cc).
#pragma once

#include "kernel/api/message.h"

namespace axl::linux_env {

// True if `request` was a chardev request; then `answer` is its reply.
bool serve_chardev(const Message& request, Message& answer);

}  // namespace axl::linux_env
