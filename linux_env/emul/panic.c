// SPDX-License-Identifier: MIT
/*
 * Linux's panic(), for a driver process: the message, the panic notifiers
 * (pvpanic reports the panic to the machine from one), then the process ends
 * with a fault, as a panicked kernel stops. rs decides what comes next.
 */
#include <linux/kernel.h>
#include <linux/panic.h>
#include <linux/panic_notifier.h>
#include <linux/notifier.h>
#include <linux/kexec.h>

#include "linux_env/kit/lx_kit.h"

ATOMIC_NOTIFIER_HEAD(panic_notifier_list);
EXPORT_SYMBOL(panic_notifier_list);

/* No crash kernel is ever loaded in a driver process. */
int kexec_crash_loaded(void)
{
	return 0;
}
EXPORT_SYMBOL_GPL(kexec_crash_loaded);

void lx_emul_panic(const char *reason)
{
	panic("%s", reason);
}

void panic(const char *format, ...)
{
	static char message[256];
	va_list args;

	va_start(args, format);
	vscnprintf(message, sizeof(message), format, args);
	va_end(args);
	pr_emerg("Kernel panic - not syncing: %s\n", message);
	atomic_notifier_call_chain(&panic_notifier_list, 0, message);
	lx_kit_fault("panic");
}
EXPORT_SYMBOL(panic);
