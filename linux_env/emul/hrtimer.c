// SPDX-License-Identifier: MIT
/*
 * High-resolution timers and the clock, on the run's virtual time. Armed
 * hrtimers wait in Linux's own timerqueue (lib/timerqueue.c, unmodified),
 * earliest first, equal expiries in arming order; they run from the process's
 * main loop, like timer_list timers (timer.c).
 */
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/timekeeping.h>
#include <linux/timerqueue.h>
#include <linux/export.h>

#include "linux_env/kit/lx_kit.h"

static struct timerqueue_head lx_hrtimers = { .rb_root = RB_ROOT_CACHED };

ktime_t ktime_add_safe(const ktime_t lhs, const ktime_t rhs)
{
	ktime_t sum = ktime_add_unsafe(lhs, rhs);

	if (sum < 0 || sum < lhs || sum < rhs)
		sum = KTIME_MAX;
	return sum;
}
EXPORT_SYMBOL_GPL(ktime_add_safe);

struct timespec64 ns_to_timespec64(s64 nsec)
{
	struct timespec64 ts = { 0, 0 };
	s32 rem;

	if (likely(nsec > 0)) {
		ts.tv_sec = div_u64_rem(nsec, NSEC_PER_SEC, &rem);
		ts.tv_nsec = rem;
	} else if (nsec < 0) {
		ts.tv_sec = -div_u64_rem(-nsec - 1, NSEC_PER_SEC, &rem) - 1;
		ts.tv_nsec = NSEC_PER_SEC - rem - 1;
	}
	return ts;
}
EXPORT_SYMBOL(ns_to_timespec64);

ktime_t ktime_get(void)
{
	return (ktime_t)lx_kit_now_ns();
}
EXPORT_SYMBOL_GPL(ktime_get);

ktime_t ktime_get_with_offset(enum tk_offsets offs)
{
	return ktime_get();
}
EXPORT_SYMBOL_GPL(ktime_get_with_offset);

u64 ktime_get_mono_fast_ns(void)
{
	return lx_kit_now_ns();
}
EXPORT_SYMBOL_GPL(ktime_get_mono_fast_ns);

void ktime_get_real_ts64(struct timespec64 *ts)
{
	*ts = ns_to_timespec64(lx_kit_now_ns());
}
EXPORT_SYMBOL(ktime_get_real_ts64);

void ktime_get_ts64(struct timespec64 *ts)
{
	*ts = ns_to_timespec64(lx_kit_now_ns());
}
EXPORT_SYMBOL_GPL(ktime_get_ts64);

time64_t ktime_get_seconds(void)
{
	return lx_kit_now_ns() / NSEC_PER_SEC;
}
EXPORT_SYMBOL_GPL(ktime_get_seconds);

void hrtimer_init(struct hrtimer *timer, clockid_t clock_id, enum hrtimer_mode mode)
{
	memset(timer, 0, sizeof(*timer));
	timerqueue_init(&timer->node);
}
EXPORT_SYMBOL_GPL(hrtimer_init);

int hrtimer_try_to_cancel(struct hrtimer *timer)
{
	if (!(timer->state & HRTIMER_STATE_ENQUEUED))
		return 0;
	timerqueue_del(&lx_hrtimers, &timer->node);
	timer->state = HRTIMER_STATE_INACTIVE;
	return 1;
}
EXPORT_SYMBOL_GPL(hrtimer_try_to_cancel);

/* A callback never runs concurrently with other driver code here. */
int hrtimer_cancel(struct hrtimer *timer)
{
	return hrtimer_try_to_cancel(timer);
}
EXPORT_SYMBOL_GPL(hrtimer_cancel);

static void lx_hrtimer_enqueue(struct hrtimer *timer)
{
	timerqueue_add(&lx_hrtimers, &timer->node);
	timer->state = HRTIMER_STATE_ENQUEUED;
}

void hrtimer_start_range_ns(struct hrtimer *timer, ktime_t tim, u64 delta_ns, const enum hrtimer_mode mode)
{
	hrtimer_try_to_cancel(timer);
	if (mode & HRTIMER_MODE_REL)
		tim = ktime_add_safe(tim, ktime_get());
	hrtimer_set_expires_range_ns(timer, tim, delta_ns);
	lx_hrtimer_enqueue(timer);
}
EXPORT_SYMBOL_GPL(hrtimer_start_range_ns);

u64 hrtimer_forward(struct hrtimer *timer, ktime_t now, ktime_t interval)
{
	ktime_t delta = ktime_sub(now, hrtimer_get_expires(timer));
	u64 overruns;

	if (delta < 0)
		return 0;
	if (interval < 1)
		interval = 1;
	overruns = ktime_divns(delta, interval) + 1;
	hrtimer_add_expires_ns(timer, overruns * interval);
	return overruns;
}
EXPORT_SYMBOL_GPL(hrtimer_forward);

ktime_t __hrtimer_get_remaining(const struct hrtimer *timer, bool adjust)
{
	return ktime_sub(hrtimer_get_expires(timer), ktime_get());
}
EXPORT_SYMBOL_GPL(__hrtimer_get_remaining);

bool hrtimer_active(const struct hrtimer *timer)
{
	return timer->state != HRTIMER_STATE_INACTIVE;
}
EXPORT_SYMBOL_GPL(hrtimer_active);

/* Runs the hrtimers that are due; returns the expiry of the next (0: none). */
unsigned long long lx_emul_run_hrtimers(void)
{
	struct timerqueue_node *next;

	while ((next = timerqueue_getnext(&lx_hrtimers))) {
		struct hrtimer *timer = container_of(next, struct hrtimer, node);
		ktime_t now = ktime_get();

		if (next->expires > now)
			return next->expires ? next->expires : 1;
		timerqueue_del(&lx_hrtimers, next);
		timer->state = HRTIMER_STATE_INACTIVE;
		if (timer->function(timer) == HRTIMER_RESTART && timer->state == HRTIMER_STATE_INACTIVE)
			lx_hrtimer_enqueue(timer);
	}
	return 0;
}
