// SPDX-License-Identifier: MIT
/*
 * ktlso: look at ktlso on this machine, and use it from the shell.
 *
 *   ktlso status
 *   ktlso connect HOST:PORT [--servername N] [--alpn P] [--profile P]
 *                 [--timeout MS]
 *   ktlso serve PORT --dir DIR [--profile P] [--alpn P] [--timeout MS]
 *   ktlso wrap [--name N] [--profile P] [--ports LIST] -- PROGRAM [ARGS]
 *   ktlso perf -s | -c HOST [options]      (ktlso-perf, userspace/perf)
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} cmds[] = {
	{ "status", cmd_status },
	{ "connect", cmd_connect },
	{ "serve", cmd_serve },
	{ "wrap", cmd_wrap },
	{ "perf", cmd_perf },
};

static int usage(FILE *f, int status)
{
	fputs("usage: ktlso status\n"
	      "       ktlso connect HOST:PORT [--servername NAME] [--alpn LIST]\n"
	      "                     [--profile NAME] [--timeout MS]\n"
	      "       ktlso serve PORT --dir DIR [--profile NAME] [--alpn LIST]\n"
	      "                     [--timeout MS]\n"
	      "       ktlso wrap [--name NAME] [--profile NAME] [--ports LIST]\n"
	      "                  -- PROGRAM [ARGS]\n"
	      "       ktlso perf -s [-p PORT] | -c HOST [options]\n"
	      "See ktlso(1).\n", f);
	return status;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr, 2);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return usage(stdout, 0);
	/* A peer that goes away must be an error return, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].run(argc - 1, argv + 1);
	warnx_(0, "unknown command '%s'", argv[1]);
	return usage(stderr, 2);
}
