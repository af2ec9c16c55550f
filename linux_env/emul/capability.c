// SPDX-License-Identifier: MIT
/*
 * Capabilities: inside a driver process, Linux's code acts for the process
 * itself, whose rights the Axolotl kernel already decided (its privileges);
 * every capability check a driver makes therefore passes. What a client may
 * ask of the driver is decided by who may send to it, not here.
 */
#include <linux/capability.h>
#include <linux/sched.h>
#include <linux/export.h>

bool capable(int cap)
{
	return true;
}
EXPORT_SYMBOL(capable);

bool ns_capable(struct user_namespace *ns, int cap)
{
	return true;
}
EXPORT_SYMBOL(ns_capable);

bool has_capability_noaudit(struct task_struct *t, int cap)
{
	return true;
}
EXPORT_SYMBOL(has_capability_noaudit);
