// Copies to and from the running process's memory (its address space is the
// one loaded while the kernel handles its call). A range outside user space
// is refused here; an unmapped or read-only page faults inside axl_user_copy
// and comes back as false (user_copy.S, traps.cc).
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernel/arch/x86_64/syscall_abi.h"

extern "C" bool axl_user_copy(void* to, const void* from, size_t bytes);
extern "C" bool axl_user_probe_message(void* message);

namespace axl::x86_64 {

inline bool in_user_space(uint64_t address, uint64_t bytes) {
    return address < user_space_end && bytes <= user_space_end - address;
}

inline bool copy_from_user(void* to, uint64_t from, size_t bytes) {
    return in_user_space(from, bytes) && axl_user_copy(to, reinterpret_cast<const void*>(from), bytes);
}

inline bool copy_to_user(uint64_t to, const void* from, size_t bytes) {
    return in_user_space(to, bytes) && axl_user_copy(reinterpret_cast<void*>(to), from, bytes);
}

// The 64 bytes of a message at `address` can be written.
inline bool message_writable(uint64_t address) {
    return in_user_space(address, 64) && axl_user_probe_message(reinterpret_cast<void*>(address));
}

}  // namespace axl::x86_64
