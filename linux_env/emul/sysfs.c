// SPDX-License-Identifier: MIT
/*
 * sysfs, in a driver process that has none: attribute files and groups are
 * accepted and never shown (nothing could read them), and sysfs_emit formats
 * as Linux's does, for the drivers that call their own show functions.
 */
#include <linux/sysfs.h>
#include <linux/device.h>
#include <linux/kernel.h>
#include <linux/export.h>
#include <linux/mm.h>

int sysfs_emit(char *buf, const char *fmt, ...)
{
	va_list args;
	int length;

	if (WARN(!buf || offset_in_page(buf), "invalid sysfs_emit: buf:%p\n", buf))
		return 0;
	va_start(args, fmt);
	length = vscnprintf(buf, PAGE_SIZE, fmt, args);
	va_end(args);
	return length;
}
EXPORT_SYMBOL_GPL(sysfs_emit);

int sysfs_emit_at(char *buf, int at, const char *fmt, ...)
{
	va_list args;
	int length;

	if (WARN(!buf || offset_in_page(buf) || at < 0 || at >= PAGE_SIZE, "invalid sysfs_emit_at: buf:%p at:%d\n",
		 buf, at))
		return 0;
	va_start(args, fmt);
	length = vscnprintf(buf + at, PAGE_SIZE - at, fmt, args);
	va_end(args);
	return length;
}
EXPORT_SYMBOL_GPL(sysfs_emit_at);

int sysfs_create_file_ns(struct kobject *kobj, const struct attribute *attr, const void *ns)
{
	return 0;
}
EXPORT_SYMBOL_GPL(sysfs_create_file_ns);

void sysfs_remove_file_ns(struct kobject *kobj, const struct attribute *attr, const void *ns)
{
}
EXPORT_SYMBOL_GPL(sysfs_remove_file_ns);

int sysfs_chmod_file(struct kobject *kobj, const struct attribute *attr, umode_t mode)
{
	return 0;
}
EXPORT_SYMBOL_GPL(sysfs_chmod_file);

int sysfs_create_bin_file(struct kobject *kobj, const struct bin_attribute *attr)
{
	return 0;
}
EXPORT_SYMBOL_GPL(sysfs_create_bin_file);

void sysfs_remove_bin_file(struct kobject *kobj, const struct bin_attribute *attr)
{
}
EXPORT_SYMBOL_GPL(sysfs_remove_bin_file);

int sysfs_create_group(struct kobject *kobj, const struct attribute_group *grp)
{
	return 0;
}
EXPORT_SYMBOL_GPL(sysfs_create_group);

int sysfs_create_groups(struct kobject *kobj, const struct attribute_group **groups)
{
	return 0;
}
EXPORT_SYMBOL_GPL(sysfs_create_groups);

void sysfs_remove_group(struct kobject *kobj, const struct attribute_group *grp)
{
}
EXPORT_SYMBOL_GPL(sysfs_remove_group);

void sysfs_remove_groups(struct kobject *kobj, const struct attribute_group **groups)
{
}
EXPORT_SYMBOL_GPL(sysfs_remove_groups);

int device_create_file(struct device *dev, const struct device_attribute *attr)
{
	return 0;
}
EXPORT_SYMBOL_GPL(device_create_file);

void device_remove_file(struct device *dev, const struct device_attribute *attr)
{
}
EXPORT_SYMBOL_GPL(device_remove_file);
