// SPDX-License-Identifier: MIT
/*
 * ktlso perf ...: runs ktlso-perf (userspace/perf), which links libssl for
 * its openssl mode and libktlso's engine for its tls mode; this command
 * links neither.
 */
#include <errno.h>
#include <limits.h>
#include <unistd.h>

#include "cli.h"

#define PERF_PROGRAM "ktlso-perf"

int cmd_perf(int argc, char **argv)
{
	char path[PATH_MAX];
	int err = helper_path(PERF_PROGRAM, path, sizeof(path));

	(void)argc;
	if (err) {
		warnx_(-err, "%s", PERF_PROGRAM);
		return 1;
	}
	argv[0] = "ktlso perf";
	execv(path, argv);
	warnx_(errno, "%s", path);
	return 127;
}
