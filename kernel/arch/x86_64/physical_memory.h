// Physical page frames: a bitmap over the first 4 GiB, filled from the boot
// memory map. Every frame is reachable through the direct map (phys_to_virt).
#pragma once

#include <cstdint>

namespace axl::x86_64 {

inline constexpr uint64_t page_size = 4096;
inline constexpr uint64_t direct_map_base = 0xFFFF'8000'0000'0000ull;
inline constexpr uint64_t kernel_vma = 0xFFFF'FFFF'8000'0000ull;
inline constexpr uint64_t physical_limit = 4ull << 30;  // RAM above is not used

inline void* phys_to_virt(uint64_t physical) { return reinterpret_cast<void*>(direct_map_base + physical); }

struct BootInformation;

namespace frames {
// Usable RAM from the boot map, minus low memory, the kernel image, the boot
// information and the modules.
void initialise(const BootInformation& boot, uint64_t kernel_physical_end);
// A zeroed frame's physical address, or 0 when memory is exhausted.
uint64_t allocate();
void release(uint64_t physical);
// `count` zeroed frames at consecutive physical addresses, all below `below`
// (a device's DMA reach), lowest first; the first one's address, or 0 when no
// such run is free. Each frame is released on its own (release).
uint64_t allocate_contiguous(uint64_t count, uint64_t below);
uint64_t free_count();
uint64_t total_count();
}  // namespace frames

}  // namespace axl::x86_64
