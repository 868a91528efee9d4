// SPDX-License-Identifier: MIT
/*
 * Reading one counter of /proc/net/ktlso_stat (kernel/stats.c writes it).
 */
#include <stdio.h>
#include <string.h>

#include "ktlso_stat.h"

long long ktlso_counter(const char *name)
{
	FILE *f = fopen("/proc/net/ktlso_stat", "r");
	long long v, found = -1;
	char key[64];

	if (!f)
		return -1;
	while (found < 0 && fscanf(f, "%63s %lld", key, &v) == 2)
		if (!strcmp(key, name))
			found = v;
	fclose(f);
	return found;
}
