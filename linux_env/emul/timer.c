// SPDX-License-Identifier: MIT
/*
 * Time for Linux drivers, on the run's virtual time: jiffies, timer_list
 * timers, and the delays. Timers run from the process's main loop (never
 * inside other driver code), in expiry order, ties in the order they were
 * armed, so a run stays a pure function of its seed.
 */
#include <linux/jiffies.h>
#include <linux/timer.h>
#include <linux/delay.h>
#include <linux/export.h>
#include <linux/list.h>
#include <linux/sched.h>

#include "linux_env/kit/lx_kit.h"

u64 jiffies_64 = INITIAL_JIFFIES;
EXPORT_SYMBOL(jiffies_64);
/* Linux's linker script makes jiffies the low word of jiffies_64. */
extern unsigned long volatile jiffies __attribute__((alias("jiffies_64")));
EXPORT_SYMBOL(jiffies);

enum { LX_NS_PER_JIFFY = NSEC_PER_SEC / HZ };

/* Armed timers, in the order they were armed (entry.pprev != NULL: pending). */
static HLIST_HEAD(lx_timers);

static void lx_update_jiffies(void)
{
	jiffies_64 = INITIAL_JIFFIES + lx_kit_now_ns() / LX_NS_PER_JIFFY;
}

void init_timer_key(struct timer_list *timer, void (*func)(struct timer_list *), unsigned int flags,
		    const char *name, struct lock_class_key *key)
{
	timer->entry.pprev = NULL;
	timer->entry.next = NULL;
	timer->function = func;
	timer->flags = flags;
}
EXPORT_SYMBOL(init_timer_key);

static int lx_detach(struct timer_list *timer)
{
	if (!timer_pending(timer))
		return 0;
	hlist_del_init(&timer->entry);
	return 1;
}

int mod_timer(struct timer_list *timer, unsigned long expires)
{
	int was_pending = lx_detach(timer);
	struct hlist_node *last = NULL, *node;

	timer->expires = expires;
	/* Appended, so timers with equal expiry run in arming order. */
	hlist_for_each(node, &lx_timers)
		last = node;
	if (last)
		hlist_add_behind(&timer->entry, last);
	else
		hlist_add_head(&timer->entry, &lx_timers);
	return was_pending;
}
EXPORT_SYMBOL(mod_timer);

int mod_timer_pending(struct timer_list *timer, unsigned long expires)
{
	return timer_pending(timer) ? mod_timer(timer, expires) : 0;
}
EXPORT_SYMBOL(mod_timer_pending);

int timer_reduce(struct timer_list *timer, unsigned long expires)
{
	if (timer_pending(timer) && time_before_eq(timer->expires, expires))
		return 1;
	return mod_timer(timer, expires);
}
EXPORT_SYMBOL(timer_reduce);

void add_timer(struct timer_list *timer)
{
	mod_timer(timer, timer->expires);
}
EXPORT_SYMBOL(add_timer);

int timer_delete(struct timer_list *timer)
{
	return lx_detach(timer);
}
EXPORT_SYMBOL(timer_delete);

int timer_shutdown(struct timer_list *timer)
{
	int was_pending = lx_detach(timer);

	timer->function = NULL;
	return was_pending;
}
EXPORT_SYMBOL(timer_shutdown);

int timer_shutdown_sync(struct timer_list *timer)
{
	return timer_shutdown(timer);
}
EXPORT_SYMBOL(timer_shutdown_sync);

/* A timer's function never runs concurrently with other driver code here,
 * so deleting it is always "sync". */
int try_to_del_timer_sync(struct timer_list *timer)
{
	return lx_detach(timer);
}
EXPORT_SYMBOL(try_to_del_timer_sync);

int timer_delete_sync(struct timer_list *timer)
{
	return lx_detach(timer);
}
EXPORT_SYMBOL(timer_delete_sync);

/* Runs every timer_list timer that is due; returns whether any ran. */
static int lx_run_timers(void)
{
	int ran = 0;
	bool again;

	do {
		struct hlist_node *node;

		again = false;
		lx_update_jiffies();
		hlist_for_each(node, &lx_timers) {
			struct timer_list *timer = hlist_entry(node, struct timer_list, entry);

			if (time_after(timer->expires, jiffies))
				continue;
			hlist_del_init(&timer->entry);
			if (timer->function)
				timer->function(timer);
			ran = again = true;
			break;	/* the list may have changed: start over */
		}
	} while (again);
	return ran;
}

/* The virtual time the next timer_list timer is due (0: none armed). */
static unsigned long long lx_next_timer_ns(void)
{
	unsigned long long next_ns = 0;
	struct hlist_node *node;

	hlist_for_each(node, &lx_timers) {
		struct timer_list *timer = hlist_entry(node, struct timer_list, entry);
		unsigned long long at = (unsigned long long)(timer->expires - INITIAL_JIFFIES) * LX_NS_PER_JIFFY;

		if (!next_ns || at < next_ns)
			next_ns = at;
	}
	return next_ns;
}

unsigned long long lx_emul_run_pending(void)
{
	unsigned long long next_timer, next_hrtimer;
	int ran;

	do {
		ran = lx_run_timers();
		next_hrtimer = lx_emul_run_hrtimers();
		ran |= lx_emul_run_work();
		ran |= lx_emul_run_rcu();
	} while (ran);
	next_timer = lx_next_timer_ns();
	if (!next_timer || (next_hrtimer && next_hrtimer < next_timer))
		return next_hrtimer;
	return next_timer;
}

/* Delays burn virtual time: the process computes for that long. */
void __udelay(unsigned long usecs)
{
	lx_kit_delay_ns((unsigned long long)usecs * NSEC_PER_USEC);
}
EXPORT_SYMBOL(__udelay);

void __ndelay(unsigned long nsecs)
{
	lx_kit_delay_ns(nsecs);
}
EXPORT_SYMBOL(__ndelay);

void __const_udelay(unsigned long xloops)
{
	/* xloops = usecs * 0x10C7 (2**32 / 1000000, rounded up) */
	lx_kit_delay_ns(((unsigned long long)xloops * NSEC_PER_USEC) >> 32);
}
EXPORT_SYMBOL(__const_udelay);

void __delay(unsigned long loops)
{
	lx_kit_delay_ns(loops);
}
EXPORT_SYMBOL(__delay);

/* msleep: nothing else of the driver runs meanwhile (no second task yet),
 * so sleeping is waiting in virtual time. */
void msleep(unsigned int msecs)
{
	lx_kit_delay_ns((unsigned long long)msecs * NSEC_PER_MSEC);
	lx_update_jiffies();
}
EXPORT_SYMBOL(msleep);

void usleep_range_state(unsigned long min, unsigned long max, unsigned int state)
{
	lx_kit_delay_ns((unsigned long long)min * NSEC_PER_USEC);
	lx_update_jiffies();
}
EXPORT_SYMBOL(usleep_range_state);

unsigned int jiffies_to_msecs(const unsigned long j)
{
	return (unsigned int)((u64)j * MSEC_PER_SEC / HZ);
}
EXPORT_SYMBOL(jiffies_to_msecs);

unsigned int jiffies_to_usecs(const unsigned long j)
{
	return (unsigned int)((u64)j * USEC_PER_SEC / HZ);
}
EXPORT_SYMBOL(jiffies_to_usecs);

unsigned long __msecs_to_jiffies(const unsigned int m)
{
	if ((int)m < 0)
		return MAX_JIFFY_OFFSET;
	return DIV_ROUND_UP((u64)m * HZ, MSEC_PER_SEC);
}
EXPORT_SYMBOL(__msecs_to_jiffies);

unsigned long __usecs_to_jiffies(const unsigned int u)
{
	if (u > jiffies_to_usecs(MAX_JIFFY_OFFSET))
		return MAX_JIFFY_OFFSET;
	return DIV_ROUND_UP((u64)u * HZ, USEC_PER_SEC);
}
EXPORT_SYMBOL(__usecs_to_jiffies);

/* Rounding to whole seconds only batches wake-ups on a real machine; in
 * virtual time it would only move them: kept exact. */
unsigned long round_jiffies_relative(unsigned long j)
{
	return j;
}
EXPORT_SYMBOL_GPL(round_jiffies_relative);

unsigned long round_jiffies(unsigned long j)
{
	return j;
}
EXPORT_SYMBOL_GPL(round_jiffies);

unsigned long msleep_interruptible(unsigned int msecs)
{
	msleep(msecs);
	return 0;
}
EXPORT_SYMBOL(msleep_interruptible);

/* Sleeping the current task: nothing else of the driver would run meanwhile
 * (no second task), so it is waiting in virtual time. */
signed long schedule_timeout(signed long timeout)
{
	if (timeout == MAX_SCHEDULE_TIMEOUT)
		lx_kit_fault("schedule_timeout(MAX_SCHEDULE_TIMEOUT): a sleep forever, with nothing to wake it");
	if (timeout > 0)
		lx_kit_delay_ns((unsigned long long)timeout * LX_NS_PER_JIFFY);
	lx_update_jiffies();
	return 0;
}
EXPORT_SYMBOL(schedule_timeout);

signed long schedule_timeout_uninterruptible(signed long timeout)
{
	return schedule_timeout(timeout);
}
EXPORT_SYMBOL(schedule_timeout_uninterruptible);

signed long schedule_timeout_interruptible(signed long timeout)
{
	return schedule_timeout(timeout);
}
EXPORT_SYMBOL(schedule_timeout_interruptible);

/* Giving the CPU away: there is no other task of the driver to give it to. */
void yield(void)
{
}
EXPORT_SYMBOL(yield);
