// The system-call interface between ring 3 and the x86-64 kernel: call
// numbers, registers, and the read-only startup block every process finds in
// its address space. Shared by the kernel side (syscalls.cc) and the user
// side (user/calls.cc), and by nothing else.
//
// Registers: rax = call number; arguments in rdi, rsi, rdx, r10, r8, r9 (the
// System V order, with r10 for rcx, which `syscall` overwrites); the status
// comes back in rax, a second result (an endpoint, a clock reading, a
// register value, a grant id) in rdx. Messages and other buffers are passed
// by address and copied by the kernel, which checks every address: a bad one
// kills the caller, as a bad pointer in its own code would.
#pragma once

#include <cstddef>
#include <cstdint>

namespace axl::x86_64 {

enum class Syscall : uint64_t {
    send,           // rdi endpoint, rsi message
    receive,        // rdi from, rsi message (written)
    sendrec,        // rdi endpoint, rsi message (read, reply written)
    notify,         // rdi endpoint
    sendnb,         // rdi endpoint, rsi message
    reply_receive,  // rdi client, rsi message (read, next request written)
    exit,           // rdi status
    yield,
    compute,        // rdi ns
    lookup,         // rdi name (NUL-terminated) -> rdx endpoint
    log,            // rdi text, rsi length
    clock,          // -> rdx ns
    self,           // -> rdx endpoint
    device_io,      // rdi port, rsi width, rdx write?, r10 value -> rdx value read
    irq_control,    // rdi op, rsi line, rdx policy
    alarm,          // rdi delay ns
    grant_create,   // rdi grantee, rsi address, rdx bytes, r10 access -> rdx grant
    grant_revoke,   // rdi grant
    safecopy,       // rdi granter, rsi grant, rdx offset, r10 local address, r8 bytes, r9 to granter?
    watch_deaths,
    next_death,     // rdi Death (written)
    kill,           // rdi endpoint
    restart,        // rdi endpoint -> rdx endpoint
    device_mmio,    // rdi physical address, rsi width, rdx write?, r10 value -> rdx value read
    device_grant,   // rdi driver, rsi resource, rdx first, r10 last, r8 direct?
    dma,            // rdi bytes, rsi DmaBuffer (written)
    count
};

// Where things are in every process's address space.
inline constexpr uint64_t user_image_base = 0x40'0000;             // user.ld links programs here
inline constexpr uint64_t user_space_end = 0x0000'8000'0000'0000;  // first non-canonical address
inline constexpr uint64_t startup_block_address = 0x7FFF'FFFF'C000;
inline constexpr uint64_t startup_block_bytes = 0x4000;
inline constexpr uint64_t stack_top = 0x7FFF'FFFE'0000;
// DMA buffers (dma_alloc) are mapped from here up, one after the other.
inline constexpr uint64_t dma_area_base = 0x5000'0000'0000;
inline constexpr uint64_t dma_area_end = 0x5800'0000'0000;  // a gap (no mapping) above: the guard

// The startup block: what the kernel tells a program it starts, read-only.
// Strings are NUL-terminated, at offsets from the block's start.
struct StartupArg {
    uint32_t key_offset;
    uint32_t string_offset;  // 0: an integer argument, in `value`
    int64_t value;
};

// I/O ports the process may use with in/out itself (a driver's device opened
// with access = "direct"): the kernel opens them in the TSS's I/O permission
// bitmap while the process runs; any other port faults.
struct StartupPortRange {
    uint16_t first;
    uint16_t last;
};
inline constexpr uint32_t startup_port_ranges_max = 4;

// Memory-mapped registers the process may load and store itself (a PCI memory
// BAR of a device opened with access = "direct"): the kernel maps their pages
// into it, uncached, at their physical addresses; any other address faults.
struct StartupMemoryRange {
    uint64_t first;
    uint64_t last;
};
inline constexpr uint32_t startup_memory_ranges_max = 6;

struct StartupBlock {
    static constexpr uint64_t magic_value = 0x6178'6c2d'7374'6172ull;  // "axl-star"
    uint64_t magic;
    uint64_t seed;           // the run's seed; random_u64 mixes in the slot (as the hosted port)
    uint64_t tsc_hz;         // the TSC's frequency as the kernel calibrated it (compute() spins on it)
    uint32_t slot;
    uint32_t arg_count;
    char name[32];
    uint32_t direct_port_range_count;
    StartupPortRange direct_port_ranges[startup_port_ranges_max];
    // Both lists grow when the PCI server grants the process its device's BARs
    // (device_grant): the kernel rewrites them in place.
    uint32_t direct_memory_range_count;
    StartupMemoryRange direct_memory_ranges[startup_memory_ranges_max];
    StartupArg args[];       // arg_count of them, then the strings
};

}  // namespace axl::x86_64
