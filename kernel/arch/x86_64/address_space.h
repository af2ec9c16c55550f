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
inline constexpr uint64_t large = 1u << 7;
inline constexpr uint64_t no_execute = uint64_t{1} << 63;
inline constexpr uint64_t address_mask = 0x000F'FFFF'FFFF'F000ull;
}  // namespace pte

// Builds the kernel's tables and switches to them (boot, once).
void build_kernel_address_space();
uint64_t kernel_root();  // physical address of the kernel's PML4

// A process's address space: its PML4 shares the kernel's upper half.
class AddressSpace {
public:
    bool create();  // false: out of memory
    // Maps one 4-KiB user page at `virtual_address` to the frame at `physical`,
    // which it then owns (released by destroy()).
    bool map(uint64_t virtual_address, uint64_t physical, bool writable, bool executable);
    // The frame behind a user page, if mapped with user access (and writable
    // when `for_write`): what the kernel copies across address spaces through.
    bool translate(uint64_t virtual_address, bool for_write, uint64_t& physical) const;
    // Releases every user page and table, and the PML4.
    void destroy();
    uint64_t root() const { return m_root; }
    bool exists() const { return m_root != 0; }

private:
    uint64_t m_root = 0;
};

}  // namespace axl::x86_64
