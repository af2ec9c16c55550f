// SPDX-License-Identifier: MIT
/*
 * The PCI core a Linux driver sees: driver registration, probe against the
 * PCI functions the system description grants this process (the PCI server
 * lists them, kernel/api/protocols/pci.h), configuration space through the
 * PCI server, BARs as resources, enable/disable and bus mastering.
 *
 * The kernel never owns the bus: the PCI server does, and it lets this
 * process reach only its own functions' configuration space. The regions of
 * a BAR need no reservation here; the process's privileges already say which
 * ports and memory ranges it may touch.
 */
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/device.h>
#include <linux/ioport.h>

#include "linux_env/kit/lx_kit.h"

/* drivers/base/devres.c (compiled unmodified); declared in drivers/base/base.h. */
int devres_release_all(struct device *dev);

enum { LX_PCI_FUNCTIONS_MAX = 8 };

struct lx_pci_function {
	struct pci_dev pdev;
	char name[16];	/* "0000:00:03.0" */
	bool bound;
};

static struct pci_bus lx_pci_bus;
static struct lx_pci_function *lx_pci_functions[LX_PCI_FUNCTIONS_MAX];
static unsigned int lx_pci_function_count;
static bool lx_pci_listed;

struct resource ioport_resource = {
	.name = "PCI IO", .start = 0, .end = IO_SPACE_LIMIT, .flags = IORESOURCE_IO,
};
EXPORT_SYMBOL(ioport_resource);
struct resource iomem_resource = {
	.name = "PCI mem", .start = 0, .end = -1, .flags = IORESOURCE_MEM,
};
EXPORT_SYMBOL(iomem_resource);

static void lx_pci_fill_resource(struct pci_dev *pdev, int index, const struct lx_kit_pci_bar *bar)
{
	struct resource *res = &pdev->resource[index];

	if (!bar->base || !bar->size)
		return;
	res->name = pdev->dev.kobj.name;
	res->start = bar->base;
	res->end = bar->base + bar->size - 1;
	if (bar->flags & LX_KIT_BAR_IO) {
		res->flags = IORESOURCE_IO | IORESOURCE_SIZEALIGN;
	} else {
		res->flags = IORESOURCE_MEM | IORESOURCE_SIZEALIGN;
		if (bar->flags & LX_KIT_BAR_64BIT)
			res->flags |= IORESOURCE_MEM_64;
		if (bar->flags & LX_KIT_BAR_PREFETCH)
			res->flags |= IORESOURCE_PREFETCH;
	}
}

static struct lx_pci_function *lx_pci_function_from(const struct lx_kit_pci_info *info)
{
	struct lx_pci_function *function = kzalloc(sizeof(*function), GFP_KERNEL);
	struct pci_dev *pdev;
	int bar;

	if (!function)
		return NULL;
	pdev = &function->pdev;
	scnprintf(function->name, sizeof(function->name), "0000:%02x:%02x.%d",
		  info->bus_address >> 8, (info->bus_address >> 3) & 0x1f, info->bus_address & 7);
	pdev->bus = &lx_pci_bus;
	pdev->devfn = info->bus_address & 0xff;
	pdev->vendor = info->vendor;
	pdev->device = info->device;
	pdev->subsystem_vendor = info->subsystem_vendor;
	pdev->subsystem_device = info->subsystem_device;
	pdev->class = info->class_code;
	pdev->revision = info->revision;
	pdev->hdr_type = PCI_HEADER_TYPE_NORMAL;
	pdev->irq = info->irq == ~0u ? 0 : info->irq;
	pdev->current_state = PCI_D0;
	pdev->dma_mask = DMA_BIT_MASK(32);
	pdev->dev.dma_mask = &pdev->dma_mask;
	pdev->dev.coherent_dma_mask = DMA_BIT_MASK(32);
	pdev->dev.kobj.name = function->name;
	device_initialize(&pdev->dev);
	for (bar = 0; bar < 6; bar++)
		lx_pci_fill_resource(pdev, bar, &info->bar[bar]);
	return function;
}

/* The functions granted to this process, asked for once. */
static void lx_pci_list(void)
{
	struct lx_kit_pci_info info;

	if (lx_pci_listed)
		return;
	lx_pci_listed = true;
	lx_pci_bus.number = 0;
	while (lx_pci_function_count < LX_PCI_FUNCTIONS_MAX &&
	       lx_kit_pci_function(lx_pci_function_count, &info) == 0) {
		struct lx_pci_function *function = lx_pci_function_from(&info);

		if (!function)
			break;
		lx_pci_functions[lx_pci_function_count++] = function;
	}
}

const struct pci_device_id *pci_match_id(const struct pci_device_id *ids, struct pci_dev *dev)
{
	if (!ids)
		return NULL;
	for (; ids->vendor || ids->subvendor || ids->class_mask; ids++) {
		if ((ids->vendor == PCI_ANY_ID || ids->vendor == dev->vendor) &&
		    (ids->device == PCI_ANY_ID || ids->device == dev->device) &&
		    (ids->subvendor == PCI_ANY_ID || ids->subvendor == dev->subsystem_vendor) &&
		    (ids->subdevice == PCI_ANY_ID || ids->subdevice == dev->subsystem_device) &&
		    !((ids->class ^ dev->class) & ids->class_mask))
			return ids;
	}
	return NULL;
}
EXPORT_SYMBOL(pci_match_id);

int __pci_register_driver(struct pci_driver *drv, struct module *owner, const char *mod_name)
{
	unsigned int index;

	drv->driver.name = drv->name;
	drv->driver.owner = owner;
	drv->driver.mod_name = mod_name;
	lx_pci_list();
	for (index = 0; index < lx_pci_function_count; index++) {
		struct lx_pci_function *function = lx_pci_functions[index];
		struct pci_dev *pdev = &function->pdev;
		const struct pci_device_id *id;
		int error;

		if (function->bound || !(id = pci_match_id(drv->id_table, pdev)))
			continue;
		pdev->driver = drv;
		pdev->dev.driver = &drv->driver;
		error = drv->probe(pdev, id);
		if (error) {
			dev_info(&pdev->dev, "probe failed: %d\n", error);
			devres_release_all(&pdev->dev);
			pdev->driver = NULL;
			pdev->dev.driver = NULL;
			continue;
		}
		function->bound = true;
	}
	return 0;
}
EXPORT_SYMBOL(__pci_register_driver);

void pci_unregister_driver(struct pci_driver *drv)
{
	unsigned int index;

	for (index = 0; index < lx_pci_function_count; index++) {
		struct lx_pci_function *function = lx_pci_functions[index];
		struct pci_dev *pdev = &function->pdev;

		if (!function->bound || pdev->driver != drv)
			continue;
		if (drv->remove)
			drv->remove(pdev);
		devres_release_all(&pdev->dev);
		pdev->driver = NULL;
		pdev->dev.driver = NULL;
		function->bound = false;
	}
}
EXPORT_SYMBOL(pci_unregister_driver);

static unsigned int lx_pci_address(const struct pci_dev *dev)
{
	return dev->bus->number << 8 | dev->devfn;
}

static int lx_pci_read(const struct pci_dev *dev, int where, unsigned int width, u32 *value)
{
	unsigned int read = 0;
	int error = lx_kit_pci_config_read(lx_pci_address(dev), where, width, &read);

	*value = error ? ~0u : read;
	return error ? PCIBIOS_DEVICE_NOT_FOUND : PCIBIOS_SUCCESSFUL;
}

int pci_read_config_byte(const struct pci_dev *dev, int where, u8 *value)
{
	u32 read;
	int status = lx_pci_read(dev, where, 1, &read);

	*value = read;
	return status;
}
EXPORT_SYMBOL(pci_read_config_byte);

int pci_read_config_word(const struct pci_dev *dev, int where, u16 *value)
{
	u32 read;
	int status = lx_pci_read(dev, where, 2, &read);

	*value = read;
	return status;
}
EXPORT_SYMBOL(pci_read_config_word);

int pci_read_config_dword(const struct pci_dev *dev, int where, u32 *value)
{
	return lx_pci_read(dev, where, 4, value);
}
EXPORT_SYMBOL(pci_read_config_dword);

static int lx_pci_write(const struct pci_dev *dev, int where, unsigned int width, u32 value)
{
	return lx_kit_pci_config_write(lx_pci_address(dev), where, width, value) ?
		PCIBIOS_DEVICE_NOT_FOUND : PCIBIOS_SUCCESSFUL;
}

int pci_write_config_byte(const struct pci_dev *dev, int where, u8 value)
{
	return lx_pci_write(dev, where, 1, value);
}
EXPORT_SYMBOL(pci_write_config_byte);

int pci_write_config_word(const struct pci_dev *dev, int where, u16 value)
{
	return lx_pci_write(dev, where, 2, value);
}
EXPORT_SYMBOL(pci_write_config_word);

int pci_write_config_dword(const struct pci_dev *dev, int where, u32 value)
{
	return lx_pci_write(dev, where, 4, value);
}
EXPORT_SYMBOL(pci_write_config_dword);

static void lx_pci_command(struct pci_dev *pdev, u16 set, u16 clear)
{
	u16 command;

	pci_read_config_word(pdev, PCI_COMMAND, &command);
	if (((command | set) & ~clear) != command)
		pci_write_config_word(pdev, PCI_COMMAND, (command | set) & ~clear);
}

/* Turns on decoding of the BARs the function has, as Linux does. */
int pci_enable_device(struct pci_dev *pdev)
{
	u16 decode = 0;
	int bar;

	if (atomic_inc_return(&pdev->enable_cnt) > 1)
		return 0;
	for (bar = 0; bar < PCI_STD_NUM_BARS; bar++) {
		if (pdev->resource[bar].flags & IORESOURCE_IO)
			decode |= PCI_COMMAND_IO;
		if (pdev->resource[bar].flags & IORESOURCE_MEM)
			decode |= PCI_COMMAND_MEMORY;
	}
	lx_pci_command(pdev, decode, PCI_COMMAND_INTX_DISABLE);
	return 0;
}
EXPORT_SYMBOL(pci_enable_device);

int pci_enable_device_mem(struct pci_dev *pdev)
{
	return pci_enable_device(pdev);
}
EXPORT_SYMBOL(pci_enable_device_mem);

void pci_disable_device(struct pci_dev *pdev)
{
	if (atomic_dec_return(&pdev->enable_cnt) != 0)
		return;
	lx_pci_command(pdev, 0, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	pdev->is_busmaster = 0;
}
EXPORT_SYMBOL(pci_disable_device);

static void lx_pcim_disable(void *pdev)
{
	pci_disable_device(pdev);
}

/* The managed enable: disabled again when the driver lets go of the device
 * (its devres are released). */
int pcim_enable_device(struct pci_dev *pdev)
{
	int error = pci_enable_device(pdev);

	if (error)
		return error;
	pdev->is_managed = 1;
	return devm_add_action_or_reset(&pdev->dev, lx_pcim_disable, pdev);
}
EXPORT_SYMBOL(pcim_enable_device);

void pci_set_master(struct pci_dev *pdev)
{
	lx_pci_command(pdev, PCI_COMMAND_MASTER, 0);
	pdev->is_busmaster = 1;
}
EXPORT_SYMBOL(pci_set_master);

void pci_clear_master(struct pci_dev *pdev)
{
	lx_pci_command(pdev, 0, PCI_COMMAND_MASTER);
	pdev->is_busmaster = 0;
}
EXPORT_SYMBOL(pci_clear_master);

/* Regions: the process's privileges are the reservation. */
int pci_request_region(struct pci_dev *pdev, int bar, const char *name)
{
	return pci_resource_len(pdev, bar) ? 0 : -EINVAL;
}
EXPORT_SYMBOL(pci_request_region);

void pci_release_region(struct pci_dev *pdev, int bar)
{
}
EXPORT_SYMBOL(pci_release_region);

int pci_request_regions(struct pci_dev *pdev, const char *name)
{
	return 0;
}
EXPORT_SYMBOL(pci_request_regions);

void pci_release_regions(struct pci_dev *pdev)
{
}
EXPORT_SYMBOL(pci_release_regions);

int pci_request_selected_regions(struct pci_dev *pdev, int bars, const char *name)
{
	return 0;
}
EXPORT_SYMBOL(pci_request_selected_regions);

void pci_release_selected_regions(struct pci_dev *pdev, int bars)
{
}
EXPORT_SYMBOL(pci_release_selected_regions);

void __iomem *pci_ioremap_bar(struct pci_dev *pdev, int bar)
{
	if (!(pci_resource_flags(pdev, bar) & IORESOURCE_MEM))
		return NULL;
	return ioremap(pci_resource_start(pdev, bar), pci_resource_len(pdev, bar));
}
EXPORT_SYMBOL_GPL(pci_ioremap_bar);

struct pci_dev *pci_dev_get(struct pci_dev *dev)
{
	if (dev)
		get_device(&dev->dev);
	return dev;
}
EXPORT_SYMBOL(pci_dev_get);

void pci_dev_put(struct pci_dev *dev)
{
	if (dev)
		put_device(&dev->dev);
}
EXPORT_SYMBOL(pci_dev_put);

/* The next granted function after `from` that matches, with a reference
 * (the one on `from` is dropped), as Linux's; only this process's functions
 * exist for it. */
struct pci_dev *pci_get_subsys(unsigned int vendor, unsigned int device, unsigned int ss_vendor,
			       unsigned int ss_device, struct pci_dev *from)
{
	unsigned int index = 0;

	lx_pci_list();
	if (from) {
		while (index < lx_pci_function_count && &lx_pci_functions[index]->pdev != from)
			index++;
		index++;
		pci_dev_put(from);
	}
	for (; index < lx_pci_function_count; index++) {
		struct pci_dev *pdev = &lx_pci_functions[index]->pdev;

		if ((vendor == PCI_ANY_ID || pdev->vendor == vendor) &&
		    (device == PCI_ANY_ID || pdev->device == device) &&
		    (ss_vendor == PCI_ANY_ID || pdev->subsystem_vendor == ss_vendor) &&
		    (ss_device == PCI_ANY_ID || pdev->subsystem_device == ss_device))
			return pci_dev_get(pdev);
	}
	return NULL;
}
EXPORT_SYMBOL(pci_get_subsys);

struct pci_dev *pci_get_device(unsigned int vendor, unsigned int device, struct pci_dev *from)
{
	return pci_get_subsys(vendor, device, PCI_ANY_ID, PCI_ANY_ID, from);
}
EXPORT_SYMBOL(pci_get_device);
