// SPDX-License-Identifier: MIT
/*
 * ioremap and friends: a cookie is the bus address itself (linux_env/include/
 * asm/io.h says why); Linux's own lib/iomap.c turns the ioread and iowrite calls on such
 * cookies and on ioport_map()'s into register accesses.
 */
#include <linux/io.h>
#include <linux/export.h>

void __iomem *ioremap(resource_size_t offset, unsigned long size)
{
	return (void __iomem *)(unsigned long)offset;
}
EXPORT_SYMBOL(ioremap);

void __iomem *ioremap_uc(resource_size_t offset, unsigned long size)
{
	return ioremap(offset, size);
}
EXPORT_SYMBOL(ioremap_uc);

void __iomem *ioremap_wc(resource_size_t offset, unsigned long size)
{
	return ioremap(offset, size);
}
EXPORT_SYMBOL(ioremap_wc);

void __iomem *ioremap_wt(resource_size_t offset, unsigned long size)
{
	return ioremap(offset, size);
}
EXPORT_SYMBOL(ioremap_wt);

void __iomem *ioremap_cache(resource_size_t offset, unsigned long size)
{
	return ioremap(offset, size);
}
EXPORT_SYMBOL(ioremap_cache);

void iounmap(volatile void __iomem *addr)
{
}
EXPORT_SYMBOL(iounmap);

void memcpy_fromio(void *to, const volatile void __iomem *from, size_t count)
{
	u8 *bytes = to;
	size_t offset;

	for (offset = 0; offset < count; offset++)
		bytes[offset] = readb((const volatile u8 __iomem *)from + offset);
}
EXPORT_SYMBOL(memcpy_fromio);

void memcpy_toio(volatile void __iomem *to, const void *from, size_t count)
{
	const u8 *bytes = from;
	size_t offset;

	for (offset = 0; offset < count; offset++)
		writeb(bytes[offset], (volatile u8 __iomem *)to + offset);
}
EXPORT_SYMBOL(memcpy_toio);

void memset_io(volatile void __iomem *to, int value, size_t count)
{
	size_t offset;

	for (offset = 0; offset < count; offset++)
		writeb(value, (volatile u8 __iomem *)to + offset);
}
EXPORT_SYMBOL(memset_io);
