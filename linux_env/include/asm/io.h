/*
 * Shadows Linux's arch/x86/include/asm/io.h for the Linux environment (this
 * folder comes first on the C half's include path). It declares what Linux's
 * version declares, so the unmodified drivers compile unchanged; only the
 * register accesses differ.
 *
 * Memory-mapped registers: an __iomem cookie from ioremap() is the register's
 * bus address itself, not a mapping in the process. Every readl()/writel()
 * goes through the C++ half to the kernel (kernel/api/device.h), checked
 * against the process's memory ranges. A driver that dereferences a cookie
 * instead faults on the unmapped address, as a bug should.
 *
 * Port I/O: asm/shared/io.h (shadowed as well).
 */
#ifndef _ASM_X86_IO_H
#define _ASM_X86_IO_H

#define ARCH_HAS_IOREMAP_WC
#define ARCH_HAS_IOREMAP_WT

#include <linux/string.h>
#include <linux/compiler.h>
#include <linux/cc_platform.h>
#include <asm/page.h>
#include <asm/early_ioremap.h>
#include <asm/pgtable_types.h>
#include <asm/shared/io.h>

static inline unsigned long long __lx_mmio_address(const volatile void __iomem *addr)
{
	return (unsigned long long)(unsigned long)addr;
}

#define LX_MMIO_ACCESSORS(bwlq, type, width)                                        \
static inline type __read##bwlq(const volatile void __iomem *addr)                 \
{                                                                                   \
	return (type)lx_kit_mmio_read(__lx_mmio_address(addr), width);             \
}                                                                                   \
static inline void __write##bwlq(type value, volatile void __iomem *addr)          \
{                                                                                   \
	lx_kit_mmio_write(__lx_mmio_address(addr), width, value);                  \
}                                                                                   \
static inline type read##bwlq(const volatile void __iomem *addr)                   \
{                                                                                   \
	return __read##bwlq(addr);                                                 \
}                                                                                   \
static inline void write##bwlq(type value, volatile void __iomem *addr)            \
{                                                                                   \
	__write##bwlq(value, addr);                                                \
}

LX_MMIO_ACCESSORS(b, u8, 1)
LX_MMIO_ACCESSORS(w, u16, 2)
LX_MMIO_ACCESSORS(l, u32, 4)
#undef LX_MMIO_ACCESSORS

/* A 64-bit register is two 32-bit accesses, low half first, as on the
 * devices that allow it (lo_hi order). */
static inline u64 __readq(const volatile void __iomem *addr)
{
	u64 low = __readl(addr);
	return low | ((u64)__readl((const volatile char __iomem *)addr + 4) << 32);
}
static inline void __writeq(u64 value, volatile void __iomem *addr)
{
	__writel((u32)value, addr);
	__writel((u32)(value >> 32), (volatile char __iomem *)addr + 4);
}
static inline u64 readq(const volatile void __iomem *addr) { return __readq(addr); }
static inline void writeq(u64 value, volatile void __iomem *addr) { __writeq(value, addr); }

#define readb readb
#define readw readw
#define readl readl
#define readq readq
#define readb_relaxed(a) __readb(a)
#define readw_relaxed(a) __readw(a)
#define readl_relaxed(a) __readl(a)
#define readq_relaxed(a) __readq(a)
#define __raw_readb __readb
#define __raw_readw __readw
#define __raw_readl __readl
#define __raw_readq __readq

#define writeb writeb
#define writew writew
#define writel writel
#define writeq writeq
#define writeb_relaxed(v, a) __writeb(v, a)
#define writew_relaxed(v, a) __writew(v, a)
#define writel_relaxed(v, a) __writel(v, a)
#define writeq_relaxed(v, a) __writeq(v, a)
#define __raw_writeb __writeb
#define __raw_writew __writew
#define __raw_writel __writel
#define __raw_writeq __writeq

#define ARCH_HAS_VALID_PHYS_ADDR_RANGE
extern int valid_phys_addr_range(phys_addr_t addr, size_t size);
extern int valid_mmap_phys_addr_range(unsigned long pfn, size_t size);

/* The process's own memory: its address is what DMA grants name (the DMA
 * API maps it; a driver that hands a device virt_to_phys() of a buffer
 * without it gets an address no grant covers). */
static inline phys_addr_t virt_to_phys(volatile void *address)
{
	return (phys_addr_t)(unsigned long)address;
}
#define virt_to_phys virt_to_phys
static inline void *phys_to_virt(phys_addr_t address)
{
	return (void *)(unsigned long)address;
}
#define phys_to_virt phys_to_virt
#define page_to_phys(page)    ((dma_addr_t)page_to_pfn(page) << PAGE_SHIFT)
static inline unsigned int isa_virt_to_bus(volatile void *address)
{
	return (unsigned int)virt_to_phys(address);
}
#define isa_bus_to_virt		phys_to_virt

extern void __iomem *ioremap_uc(resource_size_t offset, unsigned long size);
#define ioremap_uc ioremap_uc
extern void __iomem *ioremap_cache(resource_size_t offset, unsigned long size);
#define ioremap_cache ioremap_cache
extern void __iomem *ioremap_prot(resource_size_t offset, unsigned long size, unsigned long prot_val);
#define ioremap_prot ioremap_prot
extern void __iomem *ioremap_encrypted(resource_size_t phys_addr, unsigned long size);
#define ioremap_encrypted ioremap_encrypted
void __iomem *ioremap(resource_size_t offset, unsigned long size);
#define ioremap ioremap
extern void iounmap(volatile void __iomem *addr);
#define iounmap iounmap

void memcpy_fromio(void *, const volatile void __iomem *, size_t);
void memcpy_toio(volatile void __iomem *, const void *, size_t);
void memset_io(volatile void __iomem *, int, size_t);
#define memcpy_fromio memcpy_fromio
#define memcpy_toio memcpy_toio
#define memset_io memset_io

#include <asm-generic/iomap.h>

#define __ISA_IO_base ((char __iomem *)(PAGE_OFFSET))

extern void native_io_delay(void);
extern int io_delay_type;
extern void io_delay_init(void);

/* slow_down_io(): paravirt's io_delay (linux_env/emul/paravirt.c). */
#include <asm/paravirt.h>

#define LX_PORT_STRING(bwl, type, width)                                            \
static inline void out##bwl##_p(type value, u16 port) { __out##bwl(value, port); } \
static inline type in##bwl##_p(u16 port) { return __in##bwl(port); }              \
static inline void outs##bwl(u16 port, const void *addr, unsigned long count)      \
{                                                                                   \
	const type *from = addr;                                                   \
	while (count--)                                                            \
		__out##bwl(*from++, port);                                         \
}                                                                                   \
static inline void ins##bwl(u16 port, void *addr, unsigned long count)             \
{                                                                                   \
	type *to = addr;                                                           \
	while (count--)                                                            \
		*to++ = __in##bwl(port);                                           \
}

LX_PORT_STRING(b, u8, 1)
LX_PORT_STRING(w, u16, 2)
LX_PORT_STRING(l, u32, 4)
#undef LX_PORT_STRING

#define inb_p inb_p
#define inw_p inw_p
#define inl_p inl_p
#define insb insb
#define insw insw
#define insl insl
#define outb_p outb_p
#define outw_p outw_p
#define outl_p outl_p
#define outsb outsb
#define outsw outsw
#define outsl outsl

extern void *xlate_dev_mem_ptr(phys_addr_t phys);
extern void unxlate_dev_mem_ptr(phys_addr_t phys, void *addr);
#define xlate_dev_mem_ptr xlate_dev_mem_ptr
#define unxlate_dev_mem_ptr unxlate_dev_mem_ptr

extern int ioremap_change_attr(unsigned long vaddr, unsigned long size, enum page_cache_mode pcm);
extern void __iomem *ioremap_wc(resource_size_t offset, unsigned long size);
#define ioremap_wc ioremap_wc
extern void __iomem *ioremap_wt(resource_size_t offset, unsigned long size);
#define ioremap_wt ioremap_wt

extern bool is_early_ioremap_ptep(pte_t *ptep);

#define IO_SPACE_LIMIT 0xffff

#include <asm-generic/io.h>

extern int __must_check arch_phys_wc_index(int handle);
#define arch_phys_wc_index arch_phys_wc_index
extern int __must_check arch_phys_wc_add(unsigned long base, unsigned long size);
extern void arch_phys_wc_del(int handle);
#define arch_phys_wc_add arch_phys_wc_add

extern bool arch_memremap_can_ram_remap(resource_size_t offset, unsigned long size, unsigned long flags);
#define arch_memremap_can_ram_remap arch_memremap_can_ram_remap
extern bool phys_mem_access_encrypted(unsigned long phys_addr, unsigned long size);

#endif
