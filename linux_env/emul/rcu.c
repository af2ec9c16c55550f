// SPDX-License-Identifier: MIT
/*
 * call_rcu: the callback runs from the main loop, after the code that
 * queued it has returned. No reader can still hold the object then: readers
 * never wait in a driver process (cpu.c), so every read-side section has
 * ended by the time the loop runs.
 */
#include <linux/rcupdate.h>
#include <linux/export.h>

#include "linux_env/kit/lx_kit.h"

static struct rcu_head *lx_rcu_first;
static struct rcu_head **lx_rcu_last = &lx_rcu_first;

void call_rcu(struct rcu_head *head, rcu_callback_t func)
{
	head->func = func;
	head->next = NULL;
	*lx_rcu_last = head;
	lx_rcu_last = &head->next;
}
EXPORT_SYMBOL_GPL(call_rcu);

void rcu_barrier(void)
{
	lx_emul_run_rcu();
}
EXPORT_SYMBOL_GPL(rcu_barrier);

int lx_emul_run_rcu(void)
{
	int ran = 0;

	while (lx_rcu_first) {
		struct rcu_head *head = lx_rcu_first;

		lx_rcu_first = head->next;
		if (!lx_rcu_first)
			lx_rcu_last = &lx_rcu_first;
		head->func(head);
		ran = 1;
	}
	return ran;
}
