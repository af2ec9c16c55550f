// SPDX-License-Identifier: MIT
/*
 * Firmware loading, in a system that has no firmware files: every request
 * fails as Linux's does when /lib/firmware lacks the file (-ENOENT), so a
 * driver takes its "no firmware" path. Requesting a module fails likewise:
 * a driver process's modules are the ones its program was built with.
 */
#include <linux/firmware.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <linux/kmod.h>
#include <linux/acpi.h>
#include <linux/export.h>
#include <linux/printk.h>

int request_firmware(const struct firmware **fw, const char *name, struct device *device)
{
	*fw = NULL;
	pr_info("firmware: %s: not available in a driver process\n", name);
	return -ENOENT;
}
EXPORT_SYMBOL(request_firmware);

int firmware_request_nowarn(const struct firmware **fw, const char *name, struct device *device)
{
	*fw = NULL;
	return -ENOENT;
}
EXPORT_SYMBOL_GPL(firmware_request_nowarn);

int request_firmware_direct(const struct firmware **fw, const char *name, struct device *device)
{
	*fw = NULL;
	return -ENOENT;
}
EXPORT_SYMBOL_GPL(request_firmware_direct);

struct lx_firmware_answer {
	struct work_struct work;
	void *context;
	void (*cont)(const struct firmware *fw, void *context);
};

static void lx_firmware_answer(struct work_struct *work)
{
	struct lx_firmware_answer *answer = container_of(work, struct lx_firmware_answer, work);

	answer->cont(NULL, answer->context);
	kfree(answer);
}

/* Linux answers later, with NULL when the file is missing: here from the
 * main loop, as deferred work, after the caller has returned. */
int request_firmware_nowait(struct module *module, bool uevent, const char *name, struct device *device,
			    gfp_t gfp, void *context, void (*cont)(const struct firmware *fw, void *context))
{
	struct lx_firmware_answer *answer = kzalloc(sizeof(*answer), gfp);

	if (!answer)
		return -ENOMEM;
	answer->context = context;
	answer->cont = cont;
	INIT_WORK(&answer->work, lx_firmware_answer);
	schedule_work(&answer->work);
	return 0;
}
EXPORT_SYMBOL(request_firmware_nowait);

void release_firmware(const struct firmware *fw)
{
}
EXPORT_SYMBOL(release_firmware);

int __request_module(bool wait, const char *name, ...)
{
	return -ENOENT;
}
EXPORT_SYMBOL(__request_module);

/* No ACPI tables describe the machine: no region of a driver's can
 * conflict with one. */
int acpi_check_region(resource_size_t start, resource_size_t n, const char *name)
{
	return 0;
}
EXPORT_SYMBOL(acpi_check_region);

int acpi_check_resource_conflict(const struct resource *res)
{
	return 0;
}
EXPORT_SYMBOL(acpi_check_resource_conflict);
