// The Linux environment's heap: kmalloc's memory (linux_env/emul/memory.c).
//
// One arena per driver process, in its own section (.bss.lx_arena), which the
// per-driver link keeps out of the data the process resets at each start:
// the heap's bookkeeping below is reset instead, so a restarted driver finds
// an empty heap without paying to clear the whole arena.
//
// First fit over an address-ordered free list, blocks split on allocation and
// merged with free neighbours on release: simple, deterministic (the same
// requests give the same addresses in every run), and good enough for
// drivers, which allocate mostly at probe time.
#include <cstddef>
#include <cstdint>

#include "linux_env/kit/lx_kit.h"

namespace {

constexpr size_t arena_bytes = size_t{8} << 20;
constexpr size_t granule = 16;  // every block's address and size are multiples of it

struct Block {
    size_t bytes;  // the whole block, header included
    Block* next_free;  // in the free list only
};
constexpr size_t header_bytes = (sizeof(Block) + granule - 1) / granule * granule;

[[gnu::section(".bss.lx_arena")]] alignas(4096) unsigned char arena[arena_bytes];

// Reset with the process's data: both zero at a start.
Block* free_list = nullptr;
bool started = false;

void start() {
    auto* whole = reinterpret_cast<Block*>(arena);
    whole->bytes = arena_bytes;
    whole->next_free = nullptr;
    free_list = whole;
    started = true;
}

size_t round_up(size_t value, size_t to) { return (value + to - 1) / to * to; }

// An allocated block's header sits just below its payload, which is aligned
// as asked (so it may overlap the block's free-list fields): where the block
// starts and how big it is, for free() and ksize().
struct AllocatedHeader {
    uintptr_t start;
    size_t bytes;
};

}  // namespace

extern "C" void* lx_kit_alloc(unsigned long bytes, unsigned long align) {
    if (!started) start();
    if (align < granule) align = granule;
    const size_t need_payload = round_up(bytes == 0 ? 1 : bytes, granule);
    for (Block** link = &free_list; *link; link = &(*link)->next_free) {
        Block* block = *link;
        auto start_address = reinterpret_cast<uintptr_t>(block);
        uintptr_t payload = round_up(start_address + sizeof(AllocatedHeader), align);
        size_t used = payload + need_payload - start_address;
        used = round_up(used, granule);
        if (used > block->bytes) continue;
        size_t rest = block->bytes - used;
        if (rest >= header_bytes + granule) {
            auto* tail = reinterpret_cast<Block*>(start_address + used);
            tail->bytes = rest;
            tail->next_free = block->next_free;
            *link = tail;
            block->bytes = used;
        } else {
            *link = block->next_free;
        }
        size_t block_bytes = block->bytes;
        auto* header = reinterpret_cast<AllocatedHeader*>(payload) - 1;
        header->start = start_address;
        header->bytes = block_bytes;
        return reinterpret_cast<void*>(payload);
    }
    return nullptr;
}

extern "C" unsigned long lx_kit_block_size(const void* payload) {
    const auto* header = reinterpret_cast<const AllocatedHeader*>(payload) - 1;
    return header->bytes - (reinterpret_cast<uintptr_t>(payload) - header->start);
}

extern "C" void lx_kit_free(void* payload) {
    auto* address = static_cast<unsigned char*>(payload);
    if (!started || address < arena + sizeof(AllocatedHeader) || address >= arena + arena_bytes)
        lx_kit_fault("kfree: not a heap block");
    const auto* header = reinterpret_cast<const AllocatedHeader*>(payload) - 1;
    // A block already free lies inside a free block (it may have merged):
    // checked before anything is written.
    for (Block* free_block = free_list; free_block; free_block = free_block->next_free) {
        auto* first = reinterpret_cast<unsigned char*>(free_block);
        if (address >= first && address < first + free_block->bytes) lx_kit_fault("kfree: block freed twice");
    }
    auto* block = reinterpret_cast<Block*>(header->start);
    if (reinterpret_cast<unsigned char*>(block) < arena || header->bytes < header_bytes ||
        reinterpret_cast<unsigned char*>(block) + header->bytes > arena + arena_bytes)
        lx_kit_fault("kfree: not a heap block (its header is not one)");
    block->bytes = header->bytes;
    // Insert in address order, then merge with the neighbours it touches.
    Block** link = &free_list;
    while (*link && *link < block) link = &(*link)->next_free;
    block->next_free = *link;
    *link = block;
    Block* next = block->next_free;
    if (next && reinterpret_cast<unsigned char*>(block) + block->bytes == reinterpret_cast<unsigned char*>(next)) {
        block->bytes += next->bytes;
        block->next_free = next->next_free;
    }
    if (link != &free_list) {
        // The previous free block: found again from the list head (the list
        // is short; drivers free rarely).
        for (Block* previous = free_list; previous; previous = previous->next_free) {
            if (previous->next_free != block) continue;
            if (reinterpret_cast<unsigned char*>(previous) + previous->bytes == reinterpret_cast<unsigned char*>(block)) {
                previous->bytes += block->bytes;
                previous->next_free = block->next_free;
            }
            break;
        }
    }
}
