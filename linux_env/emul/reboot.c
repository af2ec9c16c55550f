// SPDX-License-Identifier: MIT
/*
 * Reboot, restart and power-management notifier chains: kept with Linux's
 * own notifier code (kernel/notifier.c, unmodified). A driver process never
 * reboots or suspends; the chains are there for drivers that register on
 * them (the watchdog core does) and for a future "system is going down".
 */
#include <linux/notifier.h>
#include <linux/reboot.h>
#include <linux/suspend.h>
#include <linux/export.h>

static BLOCKING_NOTIFIER_HEAD(lx_reboot_notifiers);
static ATOMIC_NOTIFIER_HEAD(lx_restart_handlers);
static BLOCKING_NOTIFIER_HEAD(lx_pm_notifiers);

int register_reboot_notifier(struct notifier_block *nb)
{
	return blocking_notifier_chain_register(&lx_reboot_notifiers, nb);
}
EXPORT_SYMBOL(register_reboot_notifier);

int unregister_reboot_notifier(struct notifier_block *nb)
{
	return blocking_notifier_chain_unregister(&lx_reboot_notifiers, nb);
}
EXPORT_SYMBOL(unregister_reboot_notifier);

int register_restart_handler(struct notifier_block *nb)
{
	return atomic_notifier_chain_register(&lx_restart_handlers, nb);
}
EXPORT_SYMBOL(register_restart_handler);

int unregister_restart_handler(struct notifier_block *nb)
{
	return atomic_notifier_chain_unregister(&lx_restart_handlers, nb);
}
EXPORT_SYMBOL(unregister_restart_handler);

int register_pm_notifier(struct notifier_block *nb)
{
	return blocking_notifier_chain_register(&lx_pm_notifiers, nb);
}
EXPORT_SYMBOL_GPL(register_pm_notifier);

int unregister_pm_notifier(struct notifier_block *nb)
{
	return blocking_notifier_chain_unregister(&lx_pm_notifiers, nb);
}
EXPORT_SYMBOL_GPL(unregister_pm_notifier);
