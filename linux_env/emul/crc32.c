// SPDX-License-Identifier: MIT
/*
 * crc32_le, the Ethernet CRC (reflected polynomial 0xEDB88320). Linux's
 * lib/crc32.c needs a table its build generates with a host program; this
 * computes the same function a bit at a time, which is plenty for the
 * multicast hashes drivers compute with it.
 */
#include <linux/crc32.h>
#include <linux/export.h>

u32 crc32_le(u32 crc, unsigned char const *p, size_t len)
{
	while (len--) {
		int bit;

		crc ^= *p++;
		for (bit = 0; bit < 8; bit++)
			crc = (crc >> 1) ^ (crc & 1 ? 0xEDB88320 : 0);
	}
	return crc;
}
EXPORT_SYMBOL(crc32_le);
