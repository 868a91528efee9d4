// SPDX-License-Identifier: MIT
/*
 * The files `ktlso` hands work to (libktlso-wrap.so, ktlso-perf): beside
 * the binary in the build tree (build/), in ../lib/ktlso/ once installed
 * (/usr/bin/ktlso, /usr/lib/ktlso/).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int helper_path(const char *name, char *buf, size_t len)
{
	static const char *const dirs[] = { "", "../lib/ktlso/" };
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	ENSURE(n > 0, -errno);
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	ENSURE(slash, -ENOENT);
	slash[1] = '\0';
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		ENSURE(snprintf(buf, len, "%s%s%s", exe, dirs[i], name) < (int)len,
		       -ENAMETOOLONG);
		if (!access(buf, R_OK))
			return 0;
	}
	return -ENOENT;
}
