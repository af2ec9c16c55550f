// The user-side call wrappers: what drivers, servers and workloads call. Each
// port defines them (hosted: a call into the kernel on the process's fiber;
// bare metal: a `syscall` instruction). Declarations only: no port detail here.
#pragma once

#include <cstdint>

#include "kernel/api/endpoint.h"
#include "kernel/api/message.h"
#include "kernel/api/status.h"

namespace axl {

// IPC primitives -------------------------------------------------------------
Status send(Endpoint destination, const Message& message);
// from = a process endpoint or endpoints::any. On success `message` holds the
// delivered message and message.source names the sender.
Status receive(Endpoint from, Message& message);
// Sends `message` and waits for the reply from `destination` into `message`.
Status sendrec(Endpoint destination, Message& message);
Status notify(Endpoint destination);
Status sendnb(Endpoint destination, const Message& message);
// A server's reply and its wait for the next request in one kernel entry (as
// seL4's ReplyRecv): sendnb(client, message), then, if that returned ok,
// receive(endpoints::any, message). A reply that cannot be delivered returns
// its status (would_block, dead_endpoint, ...) and receives nothing.
Status reply_receive(Endpoint client, Message& message);

// Kernel calls ---------------------------------------------------------------
[[noreturn]] void exit(int32_t status);
Status yield();
// Models `ns` of work inside the process: advances its CPU's virtual clock.
Status compute(uint64_t ns);
Status lookup(const char* name, Endpoint& endpoint);
Status clock(uint64_t& virtual_ns);
// endpoints::none when the caller may not make the call (without the `self` privilege).
Endpoint self();
// printf-style line to the kernel console, prefixed with the process name.
void log(const char* format, ...) __attribute__((format(printf, 1, 2)));
// Logs the reason and exits with status 1: a workload's self-check failed.
[[noreturn]] void fail(const char* format, ...) __attribute__((format(printf, 1, 2)));

// The next number of this process's pseudo-random sequence. A pure function of
// the run's seed and the process's slot (a user-level service, no kernel entry),
// so a run replays exactly from its seed and changing the seed changes it.
uint64_t random_u64();

// Arguments from the system description's [process.args] table.
int64_t arg_int(const char* key, int64_t fallback);
const char* arg_string(const char* key, const char* fallback);

}  // namespace axl
