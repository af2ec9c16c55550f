// SPDX-License-Identifier: MIT
/*
 * Wait queues. Nothing in a driver process can sleep yet (there is one stack:
 * interrupts, timers and work run between messages), so a queue never holds
 * a sleeping task; it does hold the callbacks drivers add to it, which
 * wake_up runs, as Linux's does. A task that would really sleep, in
 * schedule(), ends the process with a fault that says so.
 */
#include <linux/wait.h>
#include <linux/sched.h>
#include <linux/export.h>

#include "linux_env/kit/lx_kit.h"

void __init_waitqueue_head(struct wait_queue_head *wq_head, const char *name, struct lock_class_key *key)
{
	spin_lock_init(&wq_head->lock);
	INIT_LIST_HEAD(&wq_head->head);
}
EXPORT_SYMBOL(__init_waitqueue_head);

void add_wait_queue(struct wait_queue_head *wq_head, struct wait_queue_entry *wq_entry)
{
	wq_entry->flags &= ~WQ_FLAG_EXCLUSIVE;
	list_add(&wq_entry->entry, &wq_head->head);
}
EXPORT_SYMBOL(add_wait_queue);

void add_wait_queue_exclusive(struct wait_queue_head *wq_head, struct wait_queue_entry *wq_entry)
{
	wq_entry->flags |= WQ_FLAG_EXCLUSIVE;
	list_add_tail(&wq_entry->entry, &wq_head->head);
}
EXPORT_SYMBOL(add_wait_queue_exclusive);

void remove_wait_queue(struct wait_queue_head *wq_head, struct wait_queue_entry *wq_entry)
{
	list_del(&wq_entry->entry);
}
EXPORT_SYMBOL(remove_wait_queue);

int __wake_up(struct wait_queue_head *wq_head, unsigned int mode, int nr_exclusive, void *key)
{
	struct wait_queue_entry *entry, *next;
	int remaining = nr_exclusive;

	list_for_each_entry_safe(entry, next, &wq_head->head, entry) {
		int woke = entry->func(entry, mode, 0, key);

		if (woke < 0)
			break;
		if (woke && (entry->flags & WQ_FLAG_EXCLUSIVE) && !--remaining)
			break;
	}
	return nr_exclusive - remaining;
}
EXPORT_SYMBOL(__wake_up);

/* The entries of tasks: no task ever sleeps on a queue here. */
int default_wake_function(struct wait_queue_entry *curr, unsigned int mode, int wake_flags, void *key)
{
	return 1;
}
EXPORT_SYMBOL(default_wake_function);

int autoremove_wake_function(struct wait_queue_entry *wq_entry, unsigned int mode, int sync, void *key)
{
	list_del_init(&wq_entry->entry);
	return 1;
}
EXPORT_SYMBOL(autoremove_wake_function);

asmlinkage __visible void schedule(void)
{
	lx_kit_fault("schedule: a task waits, and a driver process has no other task to run meanwhile");
}
EXPORT_SYMBOL(schedule);
