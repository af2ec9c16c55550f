// SPDX-License-Identifier: MIT
/*
 * User memory, for a driver process: a "user address" names a byte of what
 * the client being served lent the driver (its grant), from LX_KIT_USER_BASE
 * up, and every copy is a safe copy through the kernel (linux_env/kit/). A
 * driver cannot reach a client's memory in any other way, and a bad address
 * is an -EFAULT for the client, never a fault of the driver.
 *
 * get_user/put_user call __get_user_N/__put_user_N with registers of their
 * own (uaccess_thunks.S saves what C would clobber); they land here.
 */
#include <linux/uaccess.h>
#include <linux/export.h>

#include "linux_env/kit/lx_kit.h"

unsigned long _copy_from_user(void *to, const void __user *from, unsigned long n)
{
	unsigned long left = lx_kit_user_read(to, (unsigned long)from, n);

	if (left)
		memset((char *)to + (n - left), 0, left);
	return left;
}
EXPORT_SYMBOL(_copy_from_user);

unsigned long _copy_to_user(void __user *to, const void *from, unsigned long n)
{
	return lx_kit_user_write((unsigned long)to, from, n);
}
EXPORT_SYMBOL(_copy_to_user);

/* For the thunks: 0 and *value, or -EFAULT. */
long lx_emul_get_user(unsigned long address, unsigned long size, unsigned long *value)
{
	*value = 0;
	return lx_kit_user_read(value, address, size) ? -EFAULT : 0;
}

long lx_emul_put_user(unsigned long address, unsigned long size, unsigned long value)
{
	return lx_kit_user_write(address, &value, size) ? -EFAULT : 0;
}

long strncpy_from_user(char *to, const char __user *from, long count)
{
	long copied;

	for (copied = 0; copied < count; copied++) {
		if (lx_kit_user_read(to + copied, (unsigned long)from + copied, 1))
			return -EFAULT;
		if (!to[copied])
			return copied;
	}
	return copied;
}
EXPORT_SYMBOL(strncpy_from_user);

long strnlen_user(const char __user *from, long count)
{
	long length;

	for (length = 0; length < count; length++) {
		char c;

		if (lx_kit_user_read(&c, (unsigned long)from + length, 1))
			return 0;
		if (!c)
			return length + 1;
	}
	return count + 1;
}
EXPORT_SYMBOL(strnlen_user);

void __might_fault(const char *file, int line)
{
}
EXPORT_SYMBOL(__might_fault);

void __check_object_size(const void *ptr, unsigned long n, bool to_user)
{
}
EXPORT_SYMBOL(__check_object_size);
