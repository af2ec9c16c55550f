// SPDX-License-Identifier: MIT
/*
 * printk and the dev_* messages: formatted by Linux's own vsnprintf
 * (lib/vsprintf.c, compiled unmodified), written to the process's log through
 * the C++ half, one line per message, level prefix removed.
 */
#include <linux/kernel.h>
#include <linux/printk.h>
#include <linux/device.h>
#include <linux/pci.h>

#include "linux_env/kit/lx_kit.h"

enum { LX_LINE_MAX = 512 };

static void lx_emit(const char *text)
{
	size_t length = strnlen(text, LX_LINE_MAX);

	while (length && text[length - 1] == '\n')
		length--;
	lx_kit_log(text, length);
}

asmlinkage __visible int vprintk(const char *format, va_list args)
{
	char line[LX_LINE_MAX];
	int length = vscnprintf(line, sizeof(line), printk_skip_level(format), args);

	lx_emit(line);
	return length;
}
EXPORT_SYMBOL(vprintk);

asmlinkage __visible int _printk(const char *format, ...)
{
	va_list args;
	int length;

	va_start(args, format);
	length = vprintk(format, args);
	va_end(args);
	return length;
}
EXPORT_SYMBOL(_printk);

/* "driver device: message", as Linux's dev_printk writes it. */
static void lx_dev_vprintk(const struct device *dev, const char *format, va_list args)
{
	char line[LX_LINE_MAX];
	int prefix = 0;

	if (dev)
		prefix = scnprintf(line, sizeof(line), "%s %s: ",
				   dev->driver ? dev->driver->name : "(no driver)", dev_name(dev));
	vscnprintf(line + prefix, sizeof(line) - prefix, printk_skip_level(format), args);
	lx_emit(line);
}

void _dev_printk(const char *level, const struct device *dev, const char *format, ...)
{
	va_list args;

	va_start(args, format);
	lx_dev_vprintk(dev, format, args);
	va_end(args);
}
EXPORT_SYMBOL(_dev_printk);

int dev_printk_emit(int level, const struct device *dev, const char *format, ...)
{
	va_list args;

	va_start(args, format);
	lx_dev_vprintk(NULL, format, args);
	va_end(args);
	return 0;
}
EXPORT_SYMBOL(dev_printk_emit);

#define LX_DEV_LEVEL(name)                                                    \
void name(const struct device *dev, const char *format, ...)                 \
{                                                                             \
	va_list args;                                                         \
                                                                              \
	va_start(args, format);                                               \
	lx_dev_vprintk(dev, format, args);                                    \
	va_end(args);                                                         \
}                                                                             \
EXPORT_SYMBOL(name);

LX_DEV_LEVEL(_dev_emerg)
LX_DEV_LEVEL(_dev_alert)
LX_DEV_LEVEL(_dev_crit)
LX_DEV_LEVEL(_dev_err)
LX_DEV_LEVEL(_dev_warn)
LX_DEV_LEVEL(_dev_notice)
LX_DEV_LEVEL(_dev_info)

void __warn_printk(const char *format, ...)
{
	va_list args;

	va_start(args, format);
	vprintk(format, args);
	va_end(args);
}
EXPORT_SYMBOL(__warn_printk);

/* WARN_ON and friends land here (with CONFIG_GENERIC_BUG, through a ud2
 * that the bug table names; the compiled drivers here report through
 * __warn_printk first). A warning is logged; the process goes on, as
 * Linux's does. */
void __warn(const char *file, int line, void *caller, unsigned int taint, struct pt_regs *regs,
	    struct warn_args *args)
{
	pr_warn("WARNING: at %s:%d\n", file ? file : "?", line);
}

/* No unwinder in a driver process: the log says so where Linux would print
 * the call chain (the simulator's fault report has the faulting address). */
asmlinkage __visible void dump_stack(void)
{
	pr_warn("dump_stack: no call chain in a driver process\n");
}
EXPORT_SYMBOL(dump_stack);

asmlinkage __visible void dump_stack_lvl(const char *log_lvl)
{
	dump_stack();
}
EXPORT_SYMBOL(dump_stack_lvl);
