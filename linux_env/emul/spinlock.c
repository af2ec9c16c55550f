// SPDX-License-Identifier: MIT
/*
 * Spinlocks on the driver process's one CPU, where nothing preempts a
 * holder: taking a lock that is held can only mean the holder is waiting for
 * itself, which on Linux would spin forever. Here it ends the process with a
 * fault that says so, so rs can act and the log names the bug.
 *
 * The _irqsave variants save and restore a counted "interrupts off" state:
 * interrupts are delivered only between messages, never inside a lock.
 */
#include <linux/spinlock.h>
#include <linux/rwlock.h>
#include <linux/export.h>

#include "linux_env/kit/lx_kit.h"

static unsigned long lx_irq_disabled;

static void lx_spin_take(raw_spinlock_t *lock)
{
	if (atomic_read(&lock->raw_lock.val))
		lx_kit_fault("spin_lock: the lock is already held (a deadlock on one CPU)");
	atomic_set(&lock->raw_lock.val, _Q_LOCKED_VAL);
}

static void lx_spin_release(raw_spinlock_t *lock)
{
	if (!atomic_read(&lock->raw_lock.val))
		lx_kit_fault("spin_unlock: the lock is not held");
	atomic_set(&lock->raw_lock.val, 0);
}

void __lockfunc _raw_spin_lock(raw_spinlock_t *lock)
{
	lx_spin_take(lock);
}
EXPORT_SYMBOL(_raw_spin_lock);

void __lockfunc _raw_spin_lock_bh(raw_spinlock_t *lock)
{
	lx_spin_take(lock);
}
EXPORT_SYMBOL(_raw_spin_lock_bh);

void __lockfunc _raw_spin_lock_irq(raw_spinlock_t *lock)
{
	lx_irq_disabled++;
	lx_spin_take(lock);
}
EXPORT_SYMBOL(_raw_spin_lock_irq);

unsigned long __lockfunc _raw_spin_lock_irqsave(raw_spinlock_t *lock)
{
	unsigned long flags = lx_irq_disabled++;

	lx_spin_take(lock);
	return flags;
}
EXPORT_SYMBOL(_raw_spin_lock_irqsave);

int __lockfunc _raw_spin_trylock(raw_spinlock_t *lock)
{
	if (atomic_read(&lock->raw_lock.val))
		return 0;
	atomic_set(&lock->raw_lock.val, _Q_LOCKED_VAL);
	return 1;
}
EXPORT_SYMBOL(_raw_spin_trylock);

int __lockfunc _raw_spin_trylock_bh(raw_spinlock_t *lock)
{
	return _raw_spin_trylock(lock);
}
EXPORT_SYMBOL(_raw_spin_trylock_bh);

void __lockfunc _raw_spin_unlock(raw_spinlock_t *lock)
{
	lx_spin_release(lock);
}
EXPORT_SYMBOL(_raw_spin_unlock);

void __lockfunc _raw_spin_unlock_bh(raw_spinlock_t *lock)
{
	lx_spin_release(lock);
}
EXPORT_SYMBOL(_raw_spin_unlock_bh);

void __lockfunc _raw_spin_unlock_irq(raw_spinlock_t *lock)
{
	lx_spin_release(lock);
	lx_irq_disabled = 0;
}
EXPORT_SYMBOL(_raw_spin_unlock_irq);

void __lockfunc _raw_spin_unlock_irqrestore(raw_spinlock_t *lock, unsigned long flags)
{
	lx_spin_release(lock);
	lx_irq_disabled = flags;
}
EXPORT_SYMBOL(_raw_spin_unlock_irqrestore);

#ifdef CONFIG_DEBUG_SPINLOCK
void __raw_spin_lock_init(raw_spinlock_t *lock, const char *name, struct lock_class_key *key,
			  short inner)
{
	*lock = (raw_spinlock_t)__RAW_SPIN_LOCK_UNLOCKED(lock);
}
EXPORT_SYMBOL(__raw_spin_lock_init);
#endif
