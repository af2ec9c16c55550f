// SPDX-License-Identifier: MIT
/*
 * request_irq and friends: a handler per line (shared lines chain), attached
 * through the kernel (the line must be in the process's privileges). The
 * kernel masks a line when it notifies the process; the handlers run from the
 * main loop, then the line is enabled again, so a device still asserting it
 * is heard again.
 */
#include <linux/interrupt.h>
#include <linux/slab.h>
#include <linux/export.h>
#include <linux/device.h>

#include "linux_env/kit/lx_kit.h"

enum { LX_IRQ_LINES = 64 };

struct lx_irq_action {
	irq_handler_t handler;
	irq_handler_t thread_fn;
	void *dev_id;
	const char *name;
	struct lx_irq_action *next;
};

static struct lx_irq_action *lx_irq_actions[LX_IRQ_LINES];
static unsigned long long lx_irq_attached;
static unsigned long long lx_irq_disabled_lines;

int request_threaded_irq(unsigned int irq, irq_handler_t handler, irq_handler_t thread_fn,
			 unsigned long flags, const char *name, void *dev_id)
{
	struct lx_irq_action *action;

	if (irq >= LX_IRQ_LINES || (!handler && !thread_fn))
		return -EINVAL;
	if (lx_irq_actions[irq] && !(flags & IRQF_SHARED))
		return -EBUSY;
	action = kzalloc(sizeof(*action), GFP_KERNEL);
	if (!action)
		return -ENOMEM;
	if (!(lx_irq_attached & (1ull << irq))) {
		int error = lx_kit_irq_attach(irq);

		if (error) {
			kfree(action);
			return error;
		}
		lx_irq_attached |= 1ull << irq;
	}
	action->handler = handler;
	action->thread_fn = thread_fn;
	action->dev_id = dev_id;
	action->name = name;
	action->next = lx_irq_actions[irq];
	lx_irq_actions[irq] = action;
	return 0;
}
EXPORT_SYMBOL(request_threaded_irq);

const void *free_irq(unsigned int irq, void *dev_id)
{
	struct lx_irq_action **link;

	if (irq >= LX_IRQ_LINES)
		return NULL;
	for (link = &lx_irq_actions[irq]; *link; link = &(*link)->next) {
		struct lx_irq_action *action = *link;
		const char *name = action->name;

		if (action->dev_id != dev_id)
			continue;
		*link = action->next;
		kfree(action);
		return name;
	}
	return NULL;
}
EXPORT_SYMBOL(free_irq);

/* disable_irq: the handlers are not run while a line is disabled; what the
 * device raised meanwhile is delivered when it is enabled again (the kernel
 * keeps the line masked until then). */
void disable_irq(unsigned int irq)
{
	if (irq < LX_IRQ_LINES)
		lx_irq_disabled_lines |= 1ull << irq;
}
EXPORT_SYMBOL(disable_irq);

void disable_irq_nosync(unsigned int irq)
{
	disable_irq(irq);
}
EXPORT_SYMBOL(disable_irq_nosync);

void enable_irq(unsigned int irq)
{
	if (irq >= LX_IRQ_LINES || !(lx_irq_disabled_lines & (1ull << irq)))
		return;
	lx_irq_disabled_lines &= ~(1ull << irq);
	if (lx_irq_attached & (1ull << irq))
		lx_kit_irq_enable(irq);
}
EXPORT_SYMBOL(enable_irq);

void lx_emul_irq(unsigned long long lines)
{
	unsigned int irq;

	for (irq = 0; irq < LX_IRQ_LINES; irq++) {
		struct lx_irq_action *action;

		if (!(lines & (1ull << irq)))
			continue;
		for (action = lx_irq_actions[irq]; action; action = action->next) {
			irqreturn_t handled = action->handler ? action->handler(irq, action->dev_id) : IRQ_WAKE_THREAD;

			if (handled == IRQ_WAKE_THREAD && action->thread_fn)
				action->thread_fn(irq, action->dev_id);
		}
		if (!(lx_irq_disabled_lines & (1ull << irq)))
			lx_kit_irq_enable(irq);
	}
}

struct lx_irq_devres {
	unsigned int irq;
	void *dev_id;
};

static void lx_irq_devres_release(struct device *dev, void *res)
{
	struct lx_irq_devres *this = res;

	free_irq(this->irq, this->dev_id);
}

/* The managed request: the handler goes when the driver lets go of `dev`. */
int devm_request_threaded_irq(struct device *dev, unsigned int irq, irq_handler_t handler, irq_handler_t thread_fn,
			      unsigned long irqflags, const char *devname, void *dev_id)
{
	struct lx_irq_devres *dr = devres_alloc(lx_irq_devres_release, sizeof(*dr), GFP_KERNEL);
	int error;

	if (!dr)
		return -ENOMEM;
	error = request_threaded_irq(irq, handler, thread_fn, irqflags, devname ? devname : dev_name(dev), dev_id);
	if (error) {
		devres_free(dr);
		return error;
	}
	dr->irq = irq;
	dr->dev_id = dev_id;
	devres_add(dev, dr);
	return 0;
}
EXPORT_SYMBOL(devm_request_threaded_irq);

int devm_request_any_context_irq(struct device *dev, unsigned int irq, irq_handler_t handler,
				 unsigned long irqflags, const char *devname, void *dev_id)
{
	int error = devm_request_threaded_irq(dev, irq, handler, NULL, irqflags, devname, dev_id);

	return error ? error : IRQC_IS_HARDIRQ;
}
EXPORT_SYMBOL(devm_request_any_context_irq);
