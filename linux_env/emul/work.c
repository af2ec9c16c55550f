// SPDX-License-Identifier: MIT
/*
 * Deferred work: workqueues and kthread workers. In a driver process every
 * queue drains into one list, run from the main loop in the order the work
 * was queued (one process, one CPU, nothing runs concurrently), so a work
 * item runs after what queued it has returned, as on Linux, and the order is
 * the same in every run. A work item must not sleep waiting for another
 * (nothing else would run meanwhile); one that does is a driver this
 * environment does not serve yet, and the wait functions fault to say so.
 */
#include <linux/workqueue.h>
#include <linux/kthread.h>
#include <linux/slab.h>
#include <linux/export.h>

#include "linux_env/kit/lx_kit.h"

struct workqueue_struct {
	char name[24];
};

static struct workqueue_struct lx_system_wq = { "events" };
struct workqueue_struct *system_wq = &lx_system_wq;
EXPORT_SYMBOL(system_wq);
struct workqueue_struct *system_highpri_wq = &lx_system_wq;
EXPORT_SYMBOL_GPL(system_highpri_wq);
struct workqueue_struct *system_long_wq = &lx_system_wq;
EXPORT_SYMBOL_GPL(system_long_wq);
struct workqueue_struct *system_unbound_wq = &lx_system_wq;
EXPORT_SYMBOL_GPL(system_unbound_wq);
struct workqueue_struct *system_freezable_wq = &lx_system_wq;
EXPORT_SYMBOL_GPL(system_freezable_wq);
struct workqueue_struct *system_power_efficient_wq = &lx_system_wq;
EXPORT_SYMBOL_GPL(system_power_efficient_wq);
struct workqueue_struct *system_freezable_power_efficient_wq = &lx_system_wq;
EXPORT_SYMBOL_GPL(system_freezable_power_efficient_wq);

/* Work queued and not yet run: work_struct entries, then kthread_work
 * nodes, each list in queueing order. */
static LIST_HEAD(lx_pending_work);
static LIST_HEAD(lx_pending_kthread_work);

struct workqueue_struct *alloc_workqueue(const char *fmt, unsigned int flags, int max_active, ...)
{
	struct workqueue_struct *wq = kzalloc(sizeof(*wq), GFP_KERNEL);
	va_list args;

	if (!wq)
		return NULL;
	va_start(args, max_active);
	vsnprintf(wq->name, sizeof(wq->name), fmt, args);
	va_end(args);
	return wq;
}
EXPORT_SYMBOL_GPL(alloc_workqueue);

void destroy_workqueue(struct workqueue_struct *wq)
{
	kfree(wq);
}
EXPORT_SYMBOL_GPL(destroy_workqueue);

void __flush_workqueue(struct workqueue_struct *wq)
{
	lx_emul_run_work();
}
EXPORT_SYMBOL(__flush_workqueue);

bool queue_work_on(int cpu, struct workqueue_struct *wq, struct work_struct *work)
{
	if (test_and_set_bit(WORK_STRUCT_PENDING_BIT, work_data_bits(work)))
		return false;
	list_add_tail(&work->entry, &lx_pending_work);
	return true;
}
EXPORT_SYMBOL(queue_work_on);

void delayed_work_timer_fn(struct timer_list *t)
{
	struct delayed_work *dwork = from_timer(dwork, t, timer);

	list_add_tail(&dwork->work.entry, &lx_pending_work);
}
EXPORT_SYMBOL(delayed_work_timer_fn);

bool queue_delayed_work_on(int cpu, struct workqueue_struct *wq, struct delayed_work *dwork,
			   unsigned long delay)
{
	if (test_and_set_bit(WORK_STRUCT_PENDING_BIT, work_data_bits(&dwork->work)))
		return false;
	dwork->wq = wq;
	if (!delay) {
		list_add_tail(&dwork->work.entry, &lx_pending_work);
		return true;
	}
	dwork->timer.expires = jiffies + delay;
	add_timer(&dwork->timer);
	return true;
}
EXPORT_SYMBOL(queue_delayed_work_on);

static bool lx_cancel(struct work_struct *work)
{
	if (!test_and_clear_bit(WORK_STRUCT_PENDING_BIT, work_data_bits(work)))
		return false;
	if (!list_empty(&work->entry) && work->entry.next)
		list_del_init(&work->entry);
	return true;
}

bool mod_delayed_work_on(int cpu, struct workqueue_struct *wq, struct delayed_work *dwork,
			 unsigned long delay)
{
	bool was_pending = del_timer(&dwork->timer) | lx_cancel(&dwork->work);

	queue_delayed_work_on(cpu, wq, dwork, delay);
	return was_pending;
}
EXPORT_SYMBOL_GPL(mod_delayed_work_on);

bool cancel_work(struct work_struct *work)
{
	return lx_cancel(work);
}
EXPORT_SYMBOL(cancel_work);

/* Nothing runs concurrently here: a work item is either pending or done. */
bool cancel_work_sync(struct work_struct *work)
{
	return lx_cancel(work);
}
EXPORT_SYMBOL_GPL(cancel_work_sync);

bool cancel_delayed_work(struct delayed_work *dwork)
{
	del_timer(&dwork->timer);
	return lx_cancel(&dwork->work);
}
EXPORT_SYMBOL(cancel_delayed_work);

bool cancel_delayed_work_sync(struct delayed_work *dwork)
{
	return cancel_delayed_work(dwork);
}
EXPORT_SYMBOL(cancel_delayed_work_sync);

bool flush_work(struct work_struct *work)
{
	bool was_pending = work_pending(work);

	lx_emul_run_work();
	return was_pending;
}
EXPORT_SYMBOL_GPL(flush_work);

bool flush_delayed_work(struct delayed_work *dwork)
{
	if (del_timer(&dwork->timer))
		list_add_tail(&dwork->work.entry, &lx_pending_work);
	return flush_work(&dwork->work);
}
EXPORT_SYMBOL(flush_delayed_work);

/* --- kthread workers: a worker is only a name here; its work joins the list. */

struct kthread_worker *kthread_create_worker(unsigned int flags, const char namefmt[], ...)
{
	struct kthread_worker *worker = kzalloc(sizeof(*worker), GFP_KERNEL);

	if (!worker)
		return ERR_PTR(-ENOMEM);
	raw_spin_lock_init(&worker->lock);
	INIT_LIST_HEAD(&worker->work_list);
	INIT_LIST_HEAD(&worker->delayed_work_list);
	return worker;
}
EXPORT_SYMBOL(kthread_create_worker);

void kthread_destroy_worker(struct kthread_worker *worker)
{
	kfree(worker);
}
EXPORT_SYMBOL(kthread_destroy_worker);

bool kthread_queue_work(struct kthread_worker *worker, struct kthread_work *work)
{
	if (!list_empty(&work->node))
		return false;
	work->worker = worker;
	list_add_tail(&work->node, &lx_pending_kthread_work);
	return true;
}
EXPORT_SYMBOL_GPL(kthread_queue_work);

void kthread_delayed_work_timer_fn(struct timer_list *t)
{
	struct kthread_delayed_work *dwork = from_timer(dwork, t, timer);

	list_add_tail(&dwork->work.node, &lx_pending_kthread_work);
}
EXPORT_SYMBOL(kthread_delayed_work_timer_fn);

bool kthread_queue_delayed_work(struct kthread_worker *worker, struct kthread_delayed_work *dwork,
				unsigned long delay)
{
	if (!list_empty(&dwork->work.node) || timer_pending(&dwork->timer))
		return false;
	dwork->work.worker = worker;
	if (!delay)
		return kthread_queue_work(worker, &dwork->work);
	dwork->timer.expires = jiffies + delay;
	add_timer(&dwork->timer);
	return true;
}
EXPORT_SYMBOL_GPL(kthread_queue_delayed_work);

bool kthread_cancel_work_sync(struct kthread_work *work)
{
	if (list_empty(&work->node))
		return false;
	list_del_init(&work->node);
	return true;
}
EXPORT_SYMBOL_GPL(kthread_cancel_work_sync);

bool kthread_cancel_delayed_work_sync(struct kthread_delayed_work *dwork)
{
	bool was_pending = del_timer(&dwork->timer);

	return kthread_cancel_work_sync(&dwork->work) || was_pending;
}
EXPORT_SYMBOL_GPL(kthread_cancel_delayed_work_sync);

void kthread_flush_work(struct kthread_work *work)
{
	lx_emul_run_work();
}
EXPORT_SYMBOL_GPL(kthread_flush_work);

void kthread_flush_worker(struct kthread_worker *worker)
{
	lx_emul_run_work();
}
EXPORT_SYMBOL_GPL(kthread_flush_worker);

/* Priorities mean nothing with one runner. */
void sched_set_fifo(struct task_struct *p)
{
}
EXPORT_SYMBOL_GPL(sched_set_fifo);

/* Runs every queued work item, including what they queue; returns whether
 * any ran. */
int lx_emul_run_work(void)
{
	int ran = 0;

	for (;;) {
		if (!list_empty(&lx_pending_work)) {
			struct work_struct *work = list_first_entry(&lx_pending_work, struct work_struct, entry);

			list_del_init(&work->entry);
			clear_bit(WORK_STRUCT_PENDING_BIT, work_data_bits(work));
			work->func(work);
		} else if (!list_empty(&lx_pending_kthread_work)) {
			struct kthread_work *work = list_first_entry(&lx_pending_kthread_work, struct kthread_work, node);

			list_del_init(&work->node);
			work->func(work);
		} else {
			return ran;
		}
		ran = 1;
	}
}
