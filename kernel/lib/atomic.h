// Atomic access to plain fields that the kernel lock protects for writers but
// that parallel mode's unlocked fast paths (kernel/fastpath_unlocked.h) read
// from other host threads. The fields stay plain (tables of plain structs,
// copied and reset as values); every access that can race goes through these.
// On x86-64 a relaxed or acquire load and a relaxed or release store are plain
// moves, so single-CPU paths pay nothing for them.
#pragma once

#include <atomic>

namespace axl::atomic {

template <typename T>
[[gnu::always_inline]] inline T load(const T& field, std::memory_order order = std::memory_order_relaxed) {
    return std::atomic_ref<T>(const_cast<T&>(field)).load(order);
}

template <typename T>
[[gnu::always_inline]] inline void store(T& field, T value, std::memory_order order = std::memory_order_relaxed) {
    std::atomic_ref<T>(field).store(value, order);
}

// The two halves of a Dekker handshake (each side stores its flag, fences,
// then loads the other's) meet here.
[[gnu::always_inline]] inline void full_fence() { std::atomic_thread_fence(std::memory_order_seq_cst); }

}  // namespace axl::atomic
