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
