// Privilege: what a process may do, checked on every call. Several processes
// may share one (a replicated group of user processes); only a process that
// owns its privilege alone may notify, because notifications identify their
// source by privilege id.
#pragma once

#include <cstdint>

#include "kernel/api/calls.h"
#include "kernel/api/endpoint.h"
#include "kernel/config.h"
#include "kernel/lib/bitmap.h"

namespace axl {

// An inclusive range of I/O ports a driver may access. `direct`: the range
// was opened to the driver (as a TSS I/O permission bitmap does), so its
// accesses do not enter the kernel; otherwise each one is a kernel call.
struct IoRange {
    uint16_t first = 0;
    uint16_t last = 0;
    bool direct = false;
};

// An inclusive range of physical memory-mapped I/O addresses (a PCI memory
// BAR) a driver may access; `direct` as for ports (bare metal: the range
// mapped into the driver's address space, uncached).
struct MmioRange {
    uint64_t first = 0;
    uint64_t last = 0;
    bool direct = false;
};

// The hardware a privilege may touch: its devices' registers and IRQ lines.
struct DeviceRights {
    IoRange io[config::io_ranges_max];
    uint32_t io_range_count = 0;
    MmioRange mmio[config::mmio_ranges_max];
    uint32_t mmio_range_count = 0;
    uint64_t irq_lines = 0;      // bit per line it may attach
    uint64_t dma_bytes = 0;      // DMA memory each of its processes may allocate (Kernel::kcall_dma)
};

struct PrivilegeSpec {
    uint32_t primitives = bit(Primitive::sendrec);
    uint32_t kernel_calls = default_kernel_calls;
    bool all_destinations = false;
    DeviceRights devices;
};

struct alignas(64) Privilege {
    bool in_use = false;
    uint32_t primitives = 0;
    uint32_t kernel_calls = 0;
    uint32_t holders = 0;                    // processes using this privilege
    Endpoint owner = endpoints::none;        // the holder, when there is exactly one
    Bitmap<config::privilege_slots_max> destinations;  // by privilege id
};

static_assert(sizeof(Privilege) == 64, "one cache line, and indexing is a shift");

// Privilege ids below this are reserved for kernel pseudo-sources.
namespace privilege_ids {
inline constexpr uint16_t hardware = 0;
inline constexpr uint16_t system = 1;
inline constexpr uint16_t clock = 2;
inline constexpr uint16_t first_free = 3;
}  // namespace privilege_ids

}  // namespace axl
