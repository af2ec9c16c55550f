// SPDX-License-Identifier: MIT
/*
 * Platform devices and drivers: the bus of devices nothing enumerates. An
 * ISA driver such as ib700wdt registers its own device at init and then its
 * driver; the driver's probe runs for each device whose name it matches, as
 * on Linux's platform bus.
 */
#include <linux/platform_device.h>
#include <linux/mod_devicetable.h>
#include <linux/slab.h>
#include <linux/export.h>

#include "linux_env/kit/lx_kit.h"

int devres_release_all(struct device *dev);

struct lx_platform_object {
	struct platform_device pdev;
	char name[];
};

static LIST_HEAD(lx_platform_devices);
struct lx_platform_entry {
	struct list_head link;
	struct platform_device *pdev;
	struct platform_driver *bound;
};

static void lx_platform_release(struct device *dev)
{
	struct platform_device *pdev = to_platform_device(dev);

	kfree(pdev->resource);
	kfree(container_of(pdev, struct lx_platform_object, pdev));
}

static bool lx_platform_match(struct platform_driver *drv, struct platform_device *pdev)
{
	const struct platform_device_id *id;

	for (id = drv->id_table; id && id->name[0]; id++) {
		if (!strcmp(pdev->name, id->name)) {
			pdev->id_entry = id;
			return true;
		}
	}
	return !strcmp(pdev->name, drv->driver.name);
}

static void lx_platform_probe(struct lx_platform_entry *entry, struct platform_driver *drv)
{
	struct platform_device *pdev = entry->pdev;

	if (entry->bound || !drv->probe || !lx_platform_match(drv, pdev))
		return;
	pdev->dev.driver = &drv->driver;
	if (drv->probe(pdev)) {
		devres_release_all(&pdev->dev);
		pdev->dev.driver = NULL;
		return;
	}
	entry->bound = drv;
}

struct platform_device *platform_device_register_full(const struct platform_device_info *info)
{
	size_t name_bytes = strlen(info->name) + 1;
	struct lx_platform_object *object = kzalloc(sizeof(*object) + name_bytes, GFP_KERNEL);
	struct lx_platform_entry *entry = kzalloc(sizeof(*entry), GFP_KERNEL);
	struct platform_device *pdev;

	if (!object || !entry) {
		kfree(object);
		kfree(entry);
		return ERR_PTR(-ENOMEM);
	}
	memcpy(object->name, info->name, name_bytes);
	pdev = &object->pdev;
	pdev->name = object->name;
	pdev->id = info->id;
	device_initialize(&pdev->dev);
	pdev->dev.parent = info->parent;
	pdev->dev.release = lx_platform_release;
	if (info->num_res) {
		pdev->resource = kmemdup(info->res, info->num_res * sizeof(*info->res), GFP_KERNEL);
		pdev->num_resources = info->num_res;
	}
	if (pdev->id == PLATFORM_DEVID_NONE)
		dev_set_name(&pdev->dev, "%s", pdev->name);
	else
		dev_set_name(&pdev->dev, "%s.%d", pdev->name, pdev->id);
	entry->pdev = pdev;
	list_add_tail(&entry->link, &lx_platform_devices);
	return pdev;
}
EXPORT_SYMBOL_GPL(platform_device_register_full);

void platform_device_unregister(struct platform_device *pdev)
{
	struct lx_platform_entry *entry, *next;

	list_for_each_entry_safe(entry, next, &lx_platform_devices, link) {
		if (entry->pdev != pdev)
			continue;
		if (entry->bound && entry->bound->remove)
			entry->bound->remove(pdev);
		list_del(&entry->link);
		kfree(entry);
		put_device(&pdev->dev);
		return;
	}
}
EXPORT_SYMBOL_GPL(platform_device_unregister);

int __platform_driver_register(struct platform_driver *drv, struct module *owner)
{
	struct lx_platform_entry *entry;

	drv->driver.owner = owner;
	list_for_each_entry(entry, &lx_platform_devices, link)
		lx_platform_probe(entry, drv);
	return 0;
}
EXPORT_SYMBOL_GPL(__platform_driver_register);

int __platform_driver_probe(struct platform_driver *drv, int (*probe)(struct platform_device *),
			    struct module *module)
{
	struct lx_platform_entry *entry;
	bool any = false;

	drv->probe = probe;
	__platform_driver_register(drv, module);
	list_for_each_entry(entry, &lx_platform_devices, link)
		any |= entry->bound == drv;
	return any ? 0 : -ENODEV;
}
EXPORT_SYMBOL_GPL(__platform_driver_probe);

void platform_driver_unregister(struct platform_driver *drv)
{
	struct lx_platform_entry *entry;

	list_for_each_entry(entry, &lx_platform_devices, link) {
		if (entry->bound != drv)
			continue;
		if (drv->remove)
			drv->remove(entry->pdev);
		devres_release_all(&entry->pdev->dev);
		entry->pdev->dev.driver = NULL;
		entry->bound = NULL;
	}
}
EXPORT_SYMBOL_GPL(platform_driver_unregister);

struct resource *platform_get_resource(struct platform_device *pdev, unsigned int type, unsigned int num)
{
	u32 index;

	for (index = 0; index < pdev->num_resources; index++) {
		struct resource *r = &pdev->resource[index];

		if (type == resource_type(r) && num-- == 0)
			return r;
	}
	return NULL;
}
EXPORT_SYMBOL_GPL(platform_get_resource);

int platform_get_irq_optional(struct platform_device *pdev, unsigned int num)
{
	struct resource *r = platform_get_resource(pdev, IORESOURCE_IRQ, num);

	return r ? (int)r->start : -ENXIO;
}
EXPORT_SYMBOL_GPL(platform_get_irq_optional);

int platform_get_irq(struct platform_device *pdev, unsigned int num)
{
	int irq = platform_get_irq_optional(pdev, num);

	if (irq < 0)
		dev_err(&pdev->dev, "IRQ index %u not found\n", num);
	return irq;
}
EXPORT_SYMBOL_GPL(platform_get_irq);

struct platform_device *platform_device_alloc(const char *name, int id)
{
	struct platform_device_info info = { .name = name, .id = id };
	struct platform_device *pdev = platform_device_register_full(&info);

	return IS_ERR(pdev) ? NULL : pdev;
}
EXPORT_SYMBOL_GPL(platform_device_alloc);

int platform_device_add_resources(struct platform_device *pdev, const struct resource *res, unsigned int num)
{
	struct resource *copy = num ? kmemdup(res, num * sizeof(*res), GFP_KERNEL) : NULL;

	if (num && !copy)
		return -ENOMEM;
	kfree(pdev->resource);
	pdev->resource = copy;
	pdev->num_resources = num;
	return 0;
}
EXPORT_SYMBOL_GPL(platform_device_add_resources);

int platform_device_add_data(struct platform_device *pdev, const void *data, size_t size)
{
	void *copy = size ? kmemdup(data, size, GFP_KERNEL) : NULL;

	if (size && !copy)
		return -ENOMEM;
	kfree(pdev->dev.platform_data);
	pdev->dev.platform_data = copy;
	return 0;
}
EXPORT_SYMBOL_GPL(platform_device_add_data);

/* platform_device_alloc already put it on the bus; drivers registered later
 * probe it then. */
int platform_device_add(struct platform_device *pdev)
{
	return 0;
}
EXPORT_SYMBOL_GPL(platform_device_add);

void platform_device_put(struct platform_device *pdev)
{
	if (!IS_ERR_OR_NULL(pdev))
		platform_device_unregister(pdev);
}
EXPORT_SYMBOL_GPL(platform_device_put);
