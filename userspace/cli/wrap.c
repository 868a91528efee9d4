// SPDX-License-Identifier: MIT
/*
 * ktlso wrap [--name NAME] [--profile P] [--ports LIST] -- PROGRAM [ARGS]:
 * run PROGRAM with libktlso-wrap.so preloaded (userspace/wrap/wrap.c), its
 * options passed through the environment.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define WRAP_LIB "libktlso-wrap.so"

static int usage(void)
{
	fputs("usage: ktlso wrap [--name NAME] [--profile NAME] [--ports LIST]"
	      " -- PROGRAM [ARGS]\n", stderr);
	return 2;
}

/* "443,8443": ports in 1..65535, comma-separated. */
static int ports_ok(const char *list)
{
	char buf[256], *tok, *save;
	unsigned long p;

	ENSURE(strlen(list) < sizeof(buf), -EINVAL);
	strcpy(buf, list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		TRY(parse_uint(tok, 1, 65535, &p));
	return 0;
}

/* LD_PRELOAD=lib, ahead of whatever the caller preloads already. */
static int preload(const char *lib)
{
	const char *old = getenv("LD_PRELOAD");
	char buf[PATH_MAX * 2];

	if (old && *old)
		ENSURE(snprintf(buf, sizeof(buf), "%s:%s", lib, old) <
			       (int)sizeof(buf), -ENAMETOOLONG);
	else
		snprintf(buf, sizeof(buf), "%s", lib);
	return setenv("LD_PRELOAD", buf, 1) ? -errno : 0;
}

int cmd_wrap(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "profile", required_argument, NULL, 'p' },
		{ "ports", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	char lib[PATH_MAX];
	int c, err;

	/* "+": options stop at PROGRAM, whose own options are its own. */
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (strlen(optarg) >= KTLSO_NAME_MAX)
				return usage();
			setenv("KTLSO_WRAP_NAME", optarg, 1);
			break;
		case 'p':
			if (strlen(optarg) >= KTLSO_PROFILE_MAX)
				return usage();
			setenv("KTLSO_WRAP_PROFILE", optarg, 1);
			break;
		case 'P':
			if (ports_ok(optarg)) {
				warnx_(0, "--ports: '%s' is not a list of ports", optarg);
				return usage();
			}
			setenv("KTLSO_WRAP_PORTS", optarg, 1);
			break;
		default:
			return usage();
		}
	}
	if (optind >= argc)
		return usage();
	err = helper_path(WRAP_LIB, lib, sizeof(lib));
	if (err) {
		warnx_(-err, "%s", WRAP_LIB);
		return 1;
	}
	err = preload(lib);
	if (err) {
		warnx_(-err, "LD_PRELOAD");
		return 1;
	}
	execvp(argv[optind], argv + optind);
	warnx_(errno, "%s", argv[optind]);
	return 127;
}
