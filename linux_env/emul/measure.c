// SPDX-License-Identifier: MIT
/*
 * The register half of linux_driver::measure: reads through Linux's own
 * accessors (readl on an ioremapped memory BAR, inb on a port BAR), the path
 * every register access of the driver takes, so that its length can be
 * measured (tools/path-length.sh). The first register of BAR 0 is read,
 * which is side-effect free on the devices measured (the 6300ESB's first
 * timer register, the NE2000's command register).
 */
#include <linux/io.h>
#include <linux/pci.h>

#include "linux_env/kit/lx_kit.h"

long lx_emul_measure_register_reads(unsigned long count)
{
	struct pci_dev *dev = pci_get_device(PCI_ANY_ID, PCI_ANY_ID, NULL);
	unsigned long done;
	long result = -1;

	if (!dev || !pci_resource_start(dev, 0))
		goto out;
	if (pci_resource_flags(dev, 0) & IORESOURCE_MEM) {
		void __iomem *registers = ioremap(pci_resource_start(dev, 0), pci_resource_len(dev, 0));

		for (done = 0; done < count; done++)
			(void)readl(registers);
		iounmap(registers);
	} else {
		unsigned long port = pci_resource_start(dev, 0);

		for (done = 0; done < count; done++)
			(void)inb(port);
	}
	result = (long)count;
out:
	pci_dev_put(dev);
	return result;
}
