// StackPool: fiber stacks for the hosted port, one per simulated process.
//
// Stacks grow down, so every stack has an inaccessible guard region directly
// below its lowest usable byte: running off the end faults there (and
// sim/port/fault_guard.h turns that fault into the death of one process) instead of
// silently overwriting a neighbour.
//
// Stacks are carved from big `mmap`ed chunks of equally sized slots
// ([guard][stack][guard][stack]...), never one mmap per stack, and a released
// stack goes back to a free list of its size class for the next acquire.
//
// How many stacks fit: Linux allows a process vm.max_map_count mappings (VMAs;
// 65530 by default). How a guard costs VMAs depends on how it is made:
//
//   GuardMethod::guard_markers  madvise(MADV_GUARD_INSTALL), Linux >= 6.13. The
//       guard lives in the page tables and does not split the mapping: a whole
//       chunk stays one VMA, so 100,000 stacks of 16 KiB cost ~250 VMAs. The
//       number of stacks is bounded by memory only.
//   GuardMethod::protection     mprotect(PROT_NONE), any kernel. Every guard
//       splits the chunk, so each stack costs two VMAs: at most about
//       (vm.max_map_count - current mappings - kReservedMappings) / 2 stacks,
//       ~30,700 with the default limit. acquire() refuses the next chunk before
//       the process gets that close to the limit and throws std::runtime_error
//       naming vm.max_map_count (raise it with `sysctl vm.max_map_count=...` or
//       run on Linux >= 6.13). The reserve keeps the rest of the simulator able
//       to mmap (malloc, threads, files) after the pool has taken its share.
//
// GuardMethod::automatic (the default) uses guard markers when the running
// kernel has them and protection otherwise.
//
// A guard only catches a frame that touches it. A function whose frame is
// larger than the guard can step over it into the stack below; compile process
// code with -fstack-clash-protection (which probes every page of big frames)
// or give the pool a bigger guard. Guards cost address space, never memory.
//
// Thread-safe: acquire() and release() take a mutex (parallel mode acquires on
// several host threads). The pool must outlive every stack it handed out; its
// destructor unmaps all chunks, including stacks still in use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace axl::sim {

// One fiber stack. Plain data so the fault guard can copy it in a signal handler.
struct Stack {
    void* base = nullptr;     // lowest usable address; the stack grows down towards it
    size_t size = 0;          // usable bytes, a multiple of the page size
    void* guard = nullptr;    // start of the guard region, ending exactly at `base`
    size_t guard_size = 0;

    // Initial stack pointer: one past the highest usable byte (page aligned).
    void* top() const { return static_cast<char*>(base) + size; }
    bool contains(const void* address) const {
        auto a = reinterpret_cast<uintptr_t>(address);
        auto b = reinterpret_cast<uintptr_t>(base);
        return a >= b && a - b < size;
    }
};

// True if `address` lies in the guard region below `stack`.
inline bool in_guard_page(const void* address, const Stack& stack) {
    auto a = reinterpret_cast<uintptr_t>(address);
    auto g = reinterpret_cast<uintptr_t>(stack.guard);
    return a >= g && a - g < stack.guard_size;
}

enum class GuardMethod : uint8_t {
    automatic,      // guard_markers if the kernel supports them, else protection
    guard_markers,  // madvise(MADV_GUARD_INSTALL): no VMA per stack (Linux >= 6.13)
    protection,     // mprotect(PROT_NONE): two VMAs per stack
};

// True if this kernel supports madvise(MADV_GUARD_INSTALL). Probed once.
bool guard_markers_supported();

class StackPool {
public:
    static constexpr size_t kMinStackSize = 16 * 1024;
    // Address space per chunk; a chunk holds at least one slot however big.
    static constexpr size_t kChunkBytes = 8 * 1024 * 1024;
    // Released stacks at least this big give their memory back to the kernel
    // (MADV_DONTNEED); smaller ones keep it, their next owner is likely soon.
    static constexpr size_t kTrimThreshold = 256 * 1024;
    // Protection mode leaves this many mappings under vm.max_map_count for
    // everything else in the process.
    static constexpr size_t kReservedMappings = 4096;

    // guard_bytes is rounded up to whole pages, at least one page.
    // Throws std::runtime_error if `method` is guard_markers and the kernel
    // lacks them.
    explicit StackPool(GuardMethod method = GuardMethod::automatic, size_t guard_bytes = 0);
    ~StackPool();
    StackPool(const StackPool&) = delete;
    StackPool& operator=(const StackPool&) = delete;

    // A stack with at least `bytes` usable bytes (rounded up to whole pages,
    // at least kMinStackSize). Its contents are unspecified (a reused stack
    // keeps its last owner's bytes unless it was trimmed). Throws
    // std::runtime_error when address space or the mapping budget runs out.
    Stack acquire(size_t bytes);
    // Give back a stack from acquire(). No fiber may be running on it. Throws
    // std::invalid_argument for a stack this pool did not hand out or that was
    // already released.
    void release(const Stack& stack);

    GuardMethod guard_method() const { return method_; }  // never automatic
    size_t guard_size() const { return guard_size_; }
    size_t in_use() const;       // stacks acquired and not released
    size_t mapped_bytes() const; // address space held, guards included

private:
    struct Chunk {
        uintptr_t begin = 0;
        size_t bytes = 0;
        size_t slot_bytes = 0;      // guard + stack
        size_t slots_carved = 0;    // slots [0, slots_carved) have their guard installed
        std::vector<bool> in_use;   // per carved slot
        std::vector<unsigned> valgrind_ids;  // per carved slot, when running under valgrind
    };
    struct FreeSlot {
        Chunk* chunk;
        size_t slot;
    };
    // All chunks of one stack size; only the newest one has uncarved slots.
    struct SizeClass {
        Chunk* carving = nullptr;
        std::vector<FreeSlot> free;
    };

    Chunk& new_chunk(size_t stack_size);
    void carve_next_slot(Chunk& chunk);
    Stack slot_stack(const Chunk& chunk, size_t slot) const;
    void ensure_mapping_budget(size_t new_mappings);

    GuardMethod method_;
    size_t page_size_;
    size_t guard_size_;
    mutable std::mutex mutex_;
    std::map<uintptr_t, std::unique_ptr<Chunk>> chunks_;  // by begin address, for release()
    std::unordered_map<size_t, SizeClass> classes_;       // by usable stack size
    size_t in_use_ = 0;
    size_t mapped_bytes_ = 0;
    // Protection mode only: the limit, and our running estimate of the
    // process's mappings (re-read from /proc/self/maps when it gets close).
    size_t max_map_count_ = 0;
    size_t estimated_mappings_ = 0;
};

}  // namespace axl::sim
