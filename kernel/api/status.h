// Status: every primitive and kernel call returns one. A code exists only when
// some caller reacts to it differently from the others.
#pragma once

#include <cstdint>

namespace axl {

enum class [[nodiscard]] Status : int32_t {
    ok = 0,
    // The endpoint's slot holds no process of that generation any more (it
    // exited, was killed or restarted). Callers look the service up again.
    dead_endpoint,
    // The endpoint never named a process slot this kernel has (out of range,
    // pseudo-endpoint where a process is needed, or never used).
    bad_endpoint,
    // The caller's privileges do not include this primitive or kernel call.
    call_denied,
    // The caller's privileges do not allow sending to this destination.
    destination_denied,
    // Blocking would close a cycle of processes waiting on each other.
    deadlock,
    // A non-blocking primitive (sendnb) could not complete right now.
    would_block,
    // Arguments are malformed (null buffer, unknown call number, bad value).
    bad_argument,
    // A name lookup found nothing.
    not_found,
    // A device register or IRQ line outside the caller's granted resources, or
    // a grant that does not give the caller this access.
    resource_denied,
    // No free entry in a fixed kernel table (grants).
    no_space,
    // A copy touched memory that is not mapped (a grant to freed memory).
    bad_address,
};

constexpr const char* to_string(Status s) {
    switch (s) {
        case Status::ok: return "ok";
        case Status::dead_endpoint: return "dead_endpoint";
        case Status::bad_endpoint: return "bad_endpoint";
        case Status::call_denied: return "call_denied";
        case Status::destination_denied: return "destination_denied";
        case Status::deadlock: return "deadlock";
        case Status::would_block: return "would_block";
        case Status::bad_argument: return "bad_argument";
        case Status::not_found: return "not_found";
        case Status::resource_denied: return "resource_denied";
        case Status::no_space: return "no_space";
        case Status::bad_address: return "bad_address";
    }
    return "unknown";
}

}  // namespace axl
