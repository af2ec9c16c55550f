#include "kernel/arch/x86_64/physical_memory.h"

#include "kernel/arch/x86_64/multiboot.h"

namespace axl::x86_64::frames {

namespace {
constexpr uint64_t frame_count = physical_limit / page_size;
uint64_t g_used[frame_count / 64];  // bit set: not free
uint64_t g_free = 0;
uint64_t g_total = 0;
uint64_t g_hint = 0;  // no free frame below this word

void mark(uint64_t first, uint64_t end, bool used) {
    for (uint64_t frame = first; frame < end && frame < frame_count; ++frame) {
        const uint64_t bit = uint64_t{1} << (frame % 64);
        const bool was_used = g_used[frame / 64] & bit;
        if (used && !was_used) {
            g_used[frame / 64] |= bit;
            --g_free;
        } else if (!used && was_used) {
            g_used[frame / 64] &= ~bit;
            ++g_free;
        }
    }
}
}  // namespace

void initialise(const BootInformation& boot, uint64_t kernel_physical_end) {
    for (uint64_t& word : g_used) word = ~uint64_t{0};
    for (uint32_t r = 0; r < boot.ram_count; ++r) {
        const uint64_t first = (boot.ram[r].base + page_size - 1) / page_size;
        const uint64_t end = (boot.ram[r].base + boot.ram[r].length) / page_size;
        mark(first, end, false);
    }
    // Low memory (BIOS data, real-mode structures) and the kernel image.
    mark(0, kernel_physical_end / page_size + 1, true);
    mark(boot.information_start / page_size, (boot.information_end + page_size - 1) / page_size, true);
    for (uint32_t m = 0; m < boot.module_count; ++m)
        mark(boot.modules[m].start / page_size, (boot.modules[m].end + page_size - 1) / page_size, true);
    g_total = g_free;
    g_hint = 0;
}

uint64_t allocate() {
    for (uint64_t word = g_hint; word < frame_count / 64; ++word) {
        if (g_used[word] == ~uint64_t{0}) continue;
        const uint64_t bit = static_cast<uint64_t>(__builtin_ctzll(~g_used[word]));
        g_used[word] |= uint64_t{1} << bit;
        --g_free;
        g_hint = word;
        const uint64_t physical = (word * 64 + bit) * page_size;
        uint64_t* page = static_cast<uint64_t*>(phys_to_virt(physical));
        for (uint64_t i = 0; i < page_size / 8; ++i) page[i] = 0;
        return physical;
    }
    return 0;
}

uint64_t allocate_contiguous(uint64_t count, uint64_t below) {
    const uint64_t end = below / page_size < frame_count ? below / page_size : frame_count;
    if (count == 0 || count > end) return 0;
    // A first-fit scan of the bitmap for `count` free frames in a row.
    uint64_t run = 0;
    for (uint64_t frame = 0; frame < end; ++frame) {
        if (g_used[frame / 64] & (uint64_t{1} << (frame % 64))) {
            run = 0;
            continue;
        }
        if (++run < count) continue;
        const uint64_t first = frame + 1 - count;
        mark(first, frame + 1, true);
        for (uint64_t f = first; f <= frame; ++f) {
            uint64_t* page = static_cast<uint64_t*>(phys_to_virt(f * page_size));
            for (uint64_t i = 0; i < page_size / 8; ++i) page[i] = 0;
        }
        return first * page_size;
    }
    return 0;
}

void release(uint64_t physical) {
    const uint64_t frame = physical / page_size;
    if (frame >= frame_count) return;
    mark(frame, frame + 1, false);
    if (frame / 64 < g_hint) g_hint = frame / 64;
}

uint64_t free_count() { return g_free; }
uint64_t total_count() { return g_total; }

}  // namespace axl::x86_64::frames
