// Workload: the shape every program in workloads/ follows (the FoundationDB
// TestWorkload idea, MODELS.md rule 13). A workload is a class whose
// constructor reads its named options with defaults, and which then goes through
// three phases:
//
//   1. setup(): validate options, look up the peers it talks to;
//   2. run():   produce the traffic, checking every message as it arrives;
//   3. check(): verify what the whole run produced, log a one-line result.
//
// A failed self-check calls axl::fail(), which logs "expected X, got Y" and
// exits the process with status 1, so a workload that reaches the end of
// check() has passed and its program returns 0. Servers never leave run().
//
// Only kernel/api/ and freestanding headers: programs must build unchanged for
// the bare-metal port (no heap, no exceptions, no stdio).
#pragma once

#include <cstdint>

#include "kernel/api/endpoint.h"
#include "kernel/api/ipc.h"
#include "kernel/api/message.h"
#include "kernel/api/status.h"

namespace axl::workloads {

template <typename W>
int32_t run_workload() {
    W workload;  // reads its options
    workload.setup();
    workload.run();
    workload.check();
    return 0;
}

// printf's %llu/%llx take unsigned long long on every target, uint64_t is not
// always that type: pass every 64-bit value through this.
constexpr unsigned long long ull(uint64_t value) { return value; }
constexpr long long sll(int64_t value) { return value; }

// A kernel call that cannot fail in a correct system: fail loudly if it does.
inline void check_ok(Status status, const char* what) {
    if (status != Status::ok) fail("%s: expected status ok, got %s", what, to_string(status));
}

// The endpoint of a live process by name, or a loud failure.
inline Endpoint lookup_or_fail(const char* name) {
    Endpoint endpoint;
    Status status = lookup(name, endpoint);
    if (status != Status::ok) fail("lookup(\"%s\"): expected status ok, got %s", name, to_string(status));
    return endpoint;
}

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
//
// Returns the status of the receive that fetched the next request.
inline Status reply_then_receive(Endpoint client, Message& message, uint64_t& failed_replies) {
    Status status = reply_receive(client, message);
    if (status == Status::ok) return status;
    failed_replies += 1;
    log("reply to slot %u generation %u failed: %s (%llu failed replies so far); receiving the next request",
        client.slot(), client.generation(), to_string(status), ull(failed_replies));
    return receive(endpoints::any, message);
}

// An integer option that must lie in [low, high].
inline int64_t option_int(const char* key, int64_t fallback, int64_t low, int64_t high) {
    int64_t value = arg_int(key, fallback);
    if (value < low || value > high)
        fail("option %s = %lld: expected a value in [%lld, %lld]", key, sll(value), sll(low), sll(high));
    return value;
}

// splitmix64's finaliser: cheap, well mixed, the same on every port. Used to
// make payloads that differ in every word and to fold checksums.
constexpr uint64_t mix64(uint64_t x) {
    x += 0x9E37'79B9'7F4A'7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58'476D'1CE4'E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D0'49BB'1331'11EBull;
    return x ^ (x >> 31);
}

// Order-sensitive checksum of a message's payload words.
inline uint64_t payload_checksum(const Message& message) {
    uint64_t sum = 0;
    for (uint64_t word : message.payload.words) sum = mix64(sum ^ word);
    return sum;
}

inline constexpr uint32_t payload_words = Message::payload_bytes / 8;

}  // namespace axl::workloads
