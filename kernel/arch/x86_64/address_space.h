// Page tables. The kernel's half (the direct map of physical memory and the
// kernel image) is built once, from static tables, and shared by every
// address space; each process has its own lower half. No page is both
// writable and executable, and every page that is not code is no-execute.
#pragma once

#include <cstdint>

namespace axl::x86_64 {

namespace pte {
inline constexpr uint64_t present = 1u << 0;
inline constexpr uint64_t writable = 1u << 1;
inline constexpr uint64_t user = 1u << 2;
inline constexpr uint64_t write_through = 1u << 3;
inline constexpr uint64_t cache_disable = 1u << 4;
inline constexpr uint64_t large = 1u << 7;
// One of the bits the MMU ignores, ours: the page is a device's registers,
// not a frame of RAM this address space owns (destroy() leaves it alone).
inline constexpr uint64_t device = 1u << 9;
inline constexpr uint64_t no_execute = uint64_t{1} << 63;
inline constexpr uint64_t address_mask = 0x000F'FFFF'FFFF'F000ull;
}  // namespace pte

// Builds the kernel's tables and switches to them (boot, once).
void build_kernel_address_space();
uint64_t kernel_root();  // physical address of the kernel's PML4
// Makes the direct map's 2-MiB page holding `physical` uncached (PCD, PWT):
// for the kernel's own device registers (the APICs'), which then do not rely on
// the firmware's MTRRs to reach the device. Below 4 GiB only.
void uncache_direct_map(uint64_t physical);

// A process's address space: its PML4 shares the kernel's upper half.
class AddressSpace {
public:
    bool create();  // false: out of memory
    // Maps one 4-KiB user page at `virtual_address` to the frame at `physical`,
    // which it then owns (released by destroy()).
    bool map(uint64_t virtual_address, uint64_t physical, bool writable, bool executable);
    // Maps the device registers at `physical` (a page of a PCI memory BAR)
    // writable, never executable, uncached: a load or store reaches the device.
    bool map_device(uint64_t virtual_address, uint64_t physical);
    bool mapped(uint64_t virtual_address) const;
    // The frame behind a user page, if mapped with user access (and writable
    // when `for_write`): what the kernel copies across address spaces through.
    // A device page has no frame: it never translates.
    bool translate(uint64_t virtual_address, bool for_write, uint64_t& physical) const;
    // Releases every user page and table, and the PML4.
    void destroy();
    uint64_t root() const { return m_root; }
    bool exists() const { return m_root != 0; }

private:
    bool map_leaf(uint64_t virtual_address, uint64_t leaf);
    const uint64_t* leaf_of(uint64_t virtual_address) const;  // the present leaf entry, if any

    uint64_t m_root = 0;
};

}  // namespace axl::x86_64
