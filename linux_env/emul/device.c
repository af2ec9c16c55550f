// SPDX-License-Identifier: MIT
/*
 * The parts of Linux's device model drivers touch: naming, reference counts
 * (a device is released by its own release function when the last reference
 * goes, as in Linux), classes, and module references. A driver process has
 * no sysfs and no uevents: attribute groups are kept but never shown.
 */
#include <linux/device.h>
#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/export.h>

#include "linux_env/kit/lx_kit.h"

int devres_release_all(struct device *dev);

void device_initialize(struct device *dev)
{
	kref_init(&dev->kobj.kref);
	INIT_LIST_HEAD(&dev->devres_head);
	spin_lock_init(&dev->devres_lock);
	mutex_init(&dev->mutex);
}
EXPORT_SYMBOL_GPL(device_initialize);

int dev_set_name(struct device *dev, const char *fmt, ...)
{
	va_list args;
	char *name;

	va_start(args, fmt);
	name = kvasprintf(GFP_KERNEL, fmt, args);
	va_end(args);
	if (!name)
		return -ENOMEM;
	kfree(dev->kobj.name);
	dev->kobj.name = name;
	return 0;
}
EXPORT_SYMBOL_GPL(dev_set_name);

struct device *get_device(struct device *dev)
{
	if (dev)
		kref_get(&dev->kobj.kref);
	return dev;
}
EXPORT_SYMBOL_GPL(get_device);

static void lx_device_release(struct kref *kref)
{
	struct device *dev = container_of(kref, struct device, kobj.kref);
	const char *name = dev->kobj.name;

	devres_release_all(dev);
	if (dev->release)
		dev->release(dev);
	else if (dev->type && dev->type->release)
		dev->type->release(dev);
	else if (dev->class && dev->class->dev_release)
		dev->class->dev_release(dev);
	kfree(name);
}

void put_device(struct device *dev)
{
	if (dev)
		kref_put(&dev->kobj.kref, lx_device_release);
}
EXPORT_SYMBOL_GPL(put_device);

int __class_register(struct class *cls, struct lock_class_key *key)
{
	return 0;
}
EXPORT_SYMBOL_GPL(__class_register);

void class_unregister(struct class *cls)
{
}
EXPORT_SYMBOL_GPL(class_unregister);

/* Modules stay loaded for the whole life of the process. */
bool try_module_get(struct module *module)
{
	return true;
}
EXPORT_SYMBOL(try_module_get);

void __module_get(struct module *module)
{
}
EXPORT_SYMBOL(__module_get);

void module_put(struct module *module)
{
}
EXPORT_SYMBOL(module_put);

const char *dev_driver_string(const struct device *dev)
{
	struct device_driver *drv = READ_ONCE(dev->driver);

	return drv ? drv->name : dev->bus ? dev->bus->name : dev->class ? dev->class->name : "";
}
EXPORT_SYMBOL(dev_driver_string);
