/* SPDX-License-Identifier: GPL-2.0 */
/* KUnit only: comparing byte strings so that a failure shows where. */
#ifndef KTLSO_KUNIT_BYTES_H
#define KTLSO_KUNIT_BYTES_H

#include <linux/types.h>

/* The first offset where a and b differ, or -1. */
static inline int ktlso_kunit_first_diff(const u8 *a, const u8 *b, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		if (a[i] != b[i])
			return i;
	return -1;
}

#endif
