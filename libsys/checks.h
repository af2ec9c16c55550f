// Calls that cannot fail in a correct system, and options that must lie in a
// range: a failure ends the process loudly (axl::fail) rather than letting a
// program go on with a wrong value. Part of libsys, the program-side library
// every driver, server and workload may use (docs/architecture.md).
#pragma once

#include <cstdint>

#include "kernel/api/endpoint.h"
#include "kernel/api/ipc.h"
#include "kernel/api/program.h"
#include "kernel/api/status.h"

namespace axl::sys {

// printf's %llu/%llx take unsigned long long on every target, uint64_t is not
// always that type: pass every 64-bit value through this.
constexpr unsigned long long ull(uint64_t value) { return value; }
constexpr long long sll(int64_t value) { return value; }

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

// An integer option that must lie in [low, high].
inline int64_t option_int(const char* key, int64_t fallback, int64_t low, int64_t high) {
    int64_t value = arg_int(key, fallback);
    if (value < low || value > high)
        fail("option %s = %lld: expected a value in [%lld, %lld]", key, sll(value), sll(low), sll(high));
    return value;
}

// A declared option (kernel/api/program.h): the description reader has
// checked the file's value against the same declaration, so the range check
// here only catches a system built without the reader.
inline int64_t option_int(const ProgramOption& option) {
    return option_int(option.name, option.integer_default, option.min, option.max);
}
inline const char* option_string(const ProgramOption& option) { return arg_string(option.name, option.string_default); }

}  // namespace axl::sys
