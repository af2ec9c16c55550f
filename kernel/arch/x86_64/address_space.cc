#include "kernel/arch/x86_64/address_space.h"

#include "kernel/arch/x86_64/physical_memory.h"
#include "kernel/arch/x86_64/x86.h"
#include "kernel/platform.h"

extern "C" char __kernel_text_start[], __kernel_text_end[], __kernel_rodata_start[], __kernel_rodata_end[],
    __kernel_data_start[], __kernel_end[];

namespace axl::x86_64 {

namespace {

using Table = uint64_t[512];

// The kernel's own tables, static so that they exist before any frame can be
// allocated (the frame allocator zeroes frames through the direct map).
constexpr uint32_t direct_map_directories = physical_limit >> 30;  // one per GiB, 2-MiB pages
constexpr uint32_t kernel_page_tables = 8;                         // 16 MiB of kernel image
alignas(4096) Table g_kernel_pml4;
alignas(4096) Table g_direct_map_pdpt;
alignas(4096) Table g_direct_map_pds[direct_map_directories];
alignas(4096) Table g_kernel_pdpt;
alignas(4096) Table g_kernel_pd;
alignas(4096) Table g_kernel_pts[kernel_page_tables];

uint64_t physical_of(const void* kernel_symbol) {
    return reinterpret_cast<uint64_t>(kernel_symbol) - kernel_vma;
}

Table& table_at(uint64_t physical) { return *static_cast<Table*>(phys_to_virt(physical)); }

uint32_t index_of(uint64_t virtual_address, uint32_t level) {  // level 3 = PML4 .. 0 = PT
    return (virtual_address >> (12 + 9 * level)) & 511;
}

}  // namespace

void build_kernel_address_space() {
    constexpr uint64_t kernel_table = pte::present | pte::writable;
    for (uint32_t gib = 0; gib < direct_map_directories; ++gib) {
        for (uint64_t i = 0; i < 512; ++i) {
            const uint64_t physical = (uint64_t{gib} << 30) + (i << 21);
            g_direct_map_pds[gib][i] = physical | pte::present | pte::writable | pte::large | pte::no_execute;
        }
        g_direct_map_pdpt[gib] = physical_of(&g_direct_map_pds[gib]) | kernel_table;
    }
    g_kernel_pml4[index_of(direct_map_base, 3)] = physical_of(&g_direct_map_pdpt) | kernel_table;

    // The kernel image, page by page: text R+X, read-only data R, the rest R+W.
    const uint64_t start = reinterpret_cast<uint64_t>(__kernel_text_start);
    const uint64_t end = reinterpret_cast<uint64_t>(__kernel_end);
    if (index_of(end - 1, 1) - index_of(start, 1) >= kernel_page_tables)
        platform::panic("kernel image larger than its page tables");
    for (uint64_t page = start; page < end; page += page_size) {
        uint64_t flags = pte::present;
        const bool text = page < reinterpret_cast<uint64_t>(__kernel_text_end);
        const bool read_only = page >= reinterpret_cast<uint64_t>(__kernel_rodata_start) &&
                               page < reinterpret_cast<uint64_t>(__kernel_data_start);
        if (!text) flags |= pte::no_execute;
        if (!text && !read_only) flags |= pte::writable;
        const uint32_t pd_index = index_of(page, 1);
        const uint32_t pt = pd_index - index_of(start, 1);
        g_kernel_pts[pt][index_of(page, 0)] = (page - kernel_vma) | flags;
        g_kernel_pd[pd_index] = physical_of(&g_kernel_pts[pt]) | kernel_table;
    }
    g_kernel_pdpt[index_of(kernel_vma, 2)] = physical_of(&g_kernel_pd) | kernel_table;
    g_kernel_pml4[index_of(kernel_vma, 3)] = physical_of(&g_kernel_pdpt) | kernel_table;
    x86::write_cr3(physical_of(&g_kernel_pml4));
}

uint64_t kernel_root() { return physical_of(&g_kernel_pml4); }

void uncache_direct_map(uint64_t physical) {
    if (physical >= physical_limit) return;
    g_direct_map_pds[physical >> 30][(physical >> 21) & 511] |= pte::cache_disable | pte::write_through;
    x86::invlpg(reinterpret_cast<uint64_t>(phys_to_virt(physical & ~((uint64_t{1} << 21) - 1))));
}

bool AddressSpace::create() {
    m_root = frames::allocate();
    if (!m_root) return false;
    Table& pml4 = table_at(m_root);
    for (uint32_t i = 256; i < 512; ++i) pml4[i] = g_kernel_pml4[i];
    return true;
}

bool AddressSpace::map_leaf(uint64_t virtual_address, uint64_t leaf) {
    // Intermediate entries allow everything; the leaf decides.
    constexpr uint64_t table_flags = pte::present | pte::writable | pte::user;
    uint64_t table = m_root;
    for (uint32_t level = 3; level > 0; --level) {
        uint64_t& entry = table_at(table)[index_of(virtual_address, level)];
        if (!(entry & pte::present)) {
            const uint64_t fresh = frames::allocate();
            if (!fresh) return false;
            entry = fresh | table_flags;
        }
        table = entry & pte::address_mask;
    }
    table_at(table)[index_of(virtual_address, 0)] = leaf;
    return true;
}

bool AddressSpace::map(uint64_t virtual_address, uint64_t physical, bool writable, bool executable) {
    uint64_t leaf = physical | pte::present | pte::user;
    if (writable) leaf |= pte::writable;
    if (!executable) leaf |= pte::no_execute;
    return map_leaf(virtual_address, leaf);
}

bool AddressSpace::map_device(uint64_t virtual_address, uint64_t physical) {
    return map_leaf(virtual_address, (physical & pte::address_mask) | pte::present | pte::user | pte::writable |
                                         pte::write_through | pte::cache_disable | pte::device | pte::no_execute);
}

const uint64_t* AddressSpace::leaf_of(uint64_t virtual_address) const {
    if (!m_root || virtual_address >= 0x0000'8000'0000'0000ull) return nullptr;
    uint64_t table = m_root;
    for (uint32_t level = 3;; --level) {
        const uint64_t& entry = table_at(table)[index_of(virtual_address, level)];
        if (!(entry & pte::present)) return nullptr;
        if (level == 0) return &entry;
        table = entry & pte::address_mask;
    }
}

bool AddressSpace::mapped(uint64_t virtual_address) const { return leaf_of(virtual_address) != nullptr; }

bool AddressSpace::translate(uint64_t virtual_address, bool for_write, uint64_t& physical) const {
    const uint64_t* leaf = leaf_of(virtual_address);
    if (!leaf || !(*leaf & pte::user) || (*leaf & pte::device)) return false;
    if (for_write && !(*leaf & pte::writable)) return false;
    physical = (*leaf & pte::address_mask) | (virtual_address & (page_size - 1));
    return true;
}

void AddressSpace::destroy() {
    if (!m_root) return;
    Table& pml4 = table_at(m_root);
    for (uint32_t i = 0; i < 256; ++i) {
        if (!(pml4[i] & pte::present)) continue;
        Table& pdpt = table_at(pml4[i] & pte::address_mask);
        for (uint64_t& pdpt_entry : pdpt) {
            if (!(pdpt_entry & pte::present)) continue;
            Table& pd = table_at(pdpt_entry & pte::address_mask);
            for (uint64_t& pd_entry : pd) {
                if (!(pd_entry & pte::present)) continue;
                Table& pt = table_at(pd_entry & pte::address_mask);
                for (uint64_t& leaf : pt)
                    if ((leaf & pte::present) && !(leaf & pte::device)) frames::release(leaf & pte::address_mask);
                frames::release(pd_entry & pte::address_mask);
            }
            frames::release(pdpt_entry & pte::address_mask);
        }
        frames::release(pml4[i] & pte::address_mask);
    }
    frames::release(m_root);
    m_root = 0;
}

}  // namespace axl::x86_64
