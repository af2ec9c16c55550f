// DMA buffers on bare metal (platform::dma_allocate): physically contiguous
// frames, mapped into the process writable, never executable and cached (x86
// DMA is cache-coherent), in its DMA area; the bus address is the physical
// one. The address space owns the frames: destroy() releases them with the
// process. There is no IOMMU here: a device reaches any physical memory its
// driver names, so DMA is unconfined (docs/bare-metal.md).
#include "kernel/arch/x86_64/physical_memory.h"
#include "kernel/arch/x86_64/port.h"
#include "kernel/arch/x86_64/syscall_abi.h"
#include "kernel/platform.h"

namespace axl::platform {

using namespace x86_64;

namespace {
// Low memory first, so that devices with a 28-bit DMA mask (QEMU's edu) reach
// the buffer; anywhere below 4 GiB (32-bit DMA) if that is full.
constexpr uint64_t preferred_limit = 256ull << 20;
}  // namespace

bool dma_allocate(Port& port, uint32_t slot, uint64_t bytes, GrantId, uintptr_t& address, uint64_t& bus) {
    ProcessContext& process = port.processes[slot];
    const uint64_t pages = bytes / page_size;
    if (process.dma_next < dma_area_base) process.dma_next = dma_area_base;
    if (pages == 0 || bytes > dma_area_end - process.dma_next) return false;
    uint64_t physical = frames::allocate_contiguous(pages, preferred_limit);
    if (!physical) physical = frames::allocate_contiguous(pages, physical_limit);
    if (!physical) return false;
    const uint64_t at = process.dma_next;
    process.dma_next += bytes;
    for (uint64_t page = 0; page < pages; ++page) {
        if (!process.space.map(at + page * page_size, physical + page * page_size, true, false)) {
            // Out of frames for page tables: the pages mapped so far are the
            // address space's (freed with it), the others go back now.
            for (uint64_t rest = page; rest < pages; ++rest) frames::release(physical + rest * page_size);
            return false;
        }
    }
    address = at;
    bus = physical;
    return true;
}

}  // namespace axl::platform
