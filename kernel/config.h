// Every table size and build switch of the kernel, in one place. Tables are
// fixed arrays sized here; nothing in kernel/ grows at run time.
#pragma once

#include <cstdint>

#include "kernel/api/endpoint.h"

namespace axl::config {

// Process slots. 100,000-process experiments need > 2^16; the slot field of an
// Endpoint must hold every slot and stay clear of the pseudo-endpoint slots.
// The bare-metal port boots a handful of drivers, servers and workloads and
// keeps its tables in the kernel image (.bss), so it sizes them for that.
#if defined(AXL_BARE_METAL)
inline constexpr uint32_t process_slots_max = 1u << 8;
#else
inline constexpr uint32_t process_slots_max = 1u << 17;
#endif
static_assert(process_slots_max <= endpoints::pseudo_slot_first);

// Simulated or real CPUs.
inline constexpr uint32_t cpus_max = 16;

// MINIX-style fixed priorities: 0 is the highest, priority_levels - 1 the idlest.
inline constexpr uint32_t priority_levels = 16;
static_assert(priority_levels <= 32, "run-queue level mask is one 32-bit word");

// Privilege structures. Notification bitmaps and destination masks are indexed
// by privilege id, as in MINIX, so this also bounds notification sources.
inline constexpr uint32_t privilege_slots_max = 256;
static_assert(privilege_slots_max % 64 == 0);

// The ABI's (kernel/api/endpoint.h): programs size process names by it too.
using ::axl::process_name_bytes;

// Name lookup: open-addressing table, a power of two at least twice the slots.
inline constexpr uint32_t name_table_size = process_slots_max * 2;
static_assert((name_table_size & (name_table_size - 1)) == 0);

// Messages the buffered strategies keep per receiver before a sender blocks:
// ring, per sending CPU; queue, shared by all senders.
inline constexpr uint32_t ring_capacity = 8;
inline constexpr uint32_t ring_capacity_max = 1u << 16;  // the most a system description may ask for
inline constexpr uint32_t queue_capacity = 16;

// Devices. IRQ line masks are one 64-bit word; each privilege lists up to
// io_ranges_max I/O port ranges and mmio_ranges_max memory-mapped ranges. Grants: one table for the whole system.
inline constexpr uint32_t irq_lines = 64;
inline constexpr uint32_t io_ranges_max = 4;
// Memory-mapped register ranges per privilege: a PCI function has up to six BARs.
inline constexpr uint32_t mmio_ranges_max = 6;
inline constexpr uint32_t grant_slots_max = 4096;
// The most DMA memory one process may be given (a description's `dma`), and
// the granule it is allocated in.
inline constexpr uint64_t dma_bytes_max = 64ull << 20;
inline constexpr uint64_t dma_page_bytes = 4096;
static_assert((grant_slots_max & (grant_slots_max - 1)) == 0, "a grant id's index is its low bits");

// Deaths the kernel keeps for the reincarnation server until it reads them.
inline constexpr uint32_t death_queue_size = 256;

// Default scheduling quantum in virtual nanoseconds.
inline constexpr uint64_t default_quantum_ns = 10'000;

// Deterministic multi-CPU: a CPU may run ahead of the least advanced runnable
// CPU by this much virtual time before the kernel switches the host over.
inline constexpr uint64_t cpu_skew_max_ns = 2'000;

}  // namespace axl::config
