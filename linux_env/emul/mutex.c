// SPDX-License-Identifier: MIT
/*
 * Sleeping locks (mutexes, rw semaphores) in a driver process, where code
 * runs to completion: a lock is always free when code asks for it, unless
 * the same activity already holds it, which on Linux would hang forever.
 * That ends the process with a fault saying so. Lock and unlock are counted
 * so that mutex_is_locked and lockdep-style checks answer truly.
 */
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/export.h>

#include "linux_env/kit/lx_kit.h"

void __mutex_init(struct mutex *lock, const char *name, struct lock_class_key *key)
{
	atomic_long_set(&lock->owner, 0);
	raw_spin_lock_init(&lock->wait_lock);
	INIT_LIST_HEAD(&lock->wait_list);
}
EXPORT_SYMBOL(__mutex_init);

void mutex_lock(struct mutex *lock)
{
	if (atomic_long_read(&lock->owner))
		lx_kit_fault("mutex_lock: the mutex is already held (it would never be released)");
	atomic_long_set(&lock->owner, (long)current);
}
EXPORT_SYMBOL(mutex_lock);

int mutex_lock_interruptible(struct mutex *lock)
{
	mutex_lock(lock);
	return 0;
}
EXPORT_SYMBOL(mutex_lock_interruptible);

int mutex_lock_killable(struct mutex *lock)
{
	mutex_lock(lock);
	return 0;
}
EXPORT_SYMBOL(mutex_lock_killable);

int mutex_trylock(struct mutex *lock)
{
	if (atomic_long_read(&lock->owner))
		return 0;
	atomic_long_set(&lock->owner, (long)current);
	return 1;
}
EXPORT_SYMBOL(mutex_trylock);

void mutex_unlock(struct mutex *lock)
{
	if (!atomic_long_read(&lock->owner))
		lx_kit_fault("mutex_unlock: the mutex is not held");
	atomic_long_set(&lock->owner, 0);
}
EXPORT_SYMBOL(mutex_unlock);

bool mutex_is_locked(struct mutex *lock)
{
	return atomic_long_read(&lock->owner) != 0;
}
EXPORT_SYMBOL(mutex_is_locked);

void __init_rwsem(struct rw_semaphore *sem, const char *name, struct lock_class_key *key)
{
	atomic_long_set(&sem->count, 0);
	atomic_long_set(&sem->owner, 0);
	raw_spin_lock_init(&sem->wait_lock);
	INIT_LIST_HEAD(&sem->wait_list);
}
EXPORT_SYMBOL(__init_rwsem);

/* count: the number of readers, or -1 while a writer holds it. */
void down_read(struct rw_semaphore *sem)
{
	if (atomic_long_read(&sem->count) < 0)
		lx_kit_fault("down_read: a writer holds the semaphore (it would never be released)");
	atomic_long_inc(&sem->count);
}
EXPORT_SYMBOL(down_read);

int down_read_trylock(struct rw_semaphore *sem)
{
	if (atomic_long_read(&sem->count) < 0)
		return 0;
	atomic_long_inc(&sem->count);
	return 1;
}
EXPORT_SYMBOL(down_read_trylock);

void up_read(struct rw_semaphore *sem)
{
	atomic_long_dec(&sem->count);
}
EXPORT_SYMBOL(up_read);

void down_write(struct rw_semaphore *sem)
{
	if (atomic_long_read(&sem->count) != 0)
		lx_kit_fault("down_write: the semaphore is held (it would never be released)");
	atomic_long_set(&sem->count, -1);
}
EXPORT_SYMBOL(down_write);

int down_write_trylock(struct rw_semaphore *sem)
{
	if (atomic_long_read(&sem->count) != 0)
		return 0;
	atomic_long_set(&sem->count, -1);
	return 1;
}
EXPORT_SYMBOL(down_write_trylock);

void up_write(struct rw_semaphore *sem)
{
	atomic_long_set(&sem->count, 0);
}
EXPORT_SYMBOL(up_write);
