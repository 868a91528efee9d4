/* SPDX-License-Identifier: MIT */
/*
 * What ktlsod's unit tests share: a fresh test PKI (tests/pki/mkpki) in a
 * temporary directory, configuration files written into it, and the
 * repository root, found from the test binary (build/tests/unit/x_test).
 */
#ifndef KTLSOD_TEST_H
#define KTLSOD_TEST_H

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/check.h"

static char test_dir[] = "/tmp/ktlsod-test-XXXXXX";

/* The repository root: four levels above the test binary. */
static inline const char *repo_root(void)
{
	static char root[PATH_MAX];
	ssize_t n;

	if (root[0])
		return root;
	n = readlink("/proc/self/exe", root, sizeof(root) - 1);
	if (n <= 0)
		return ".";
	root[n] = '\0';
	for (int up = 0; up < 4; up++) {
		char *slash = strrchr(root, '/');

		if (slash)
			*slash = '\0';
	}
	return root;
}

/* DIR/name, in one of a few rotating buffers. */
static inline const char *in_dir(const char *name)
{
	static char bufs[8][PATH_MAX];
	static unsigned int next;
	char *b = bufs[next++ % 8];

	snprintf(b, PATH_MAX, "%s/%s", test_dir, name);
	return b;
}

static inline int test_pki_make(void)
{
	char cmd[2 * PATH_MAX];

	if (!mkdtemp(test_dir))
		return -1;
	snprintf(cmd, sizeof(cmd), "'%s/tests/pki/mkpki' '%s' >/dev/null",
		 repo_root(), test_dir);
	return system(cmd) == 0 ? 0 : -1;
}

static inline void test_pki_cleanup(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", test_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", test_dir);
}

/* Write text to DIR/name; returns the path (rotating buffer) or NULL. */
static inline const char *write_file(const char *name, const char *text)
{
	const char *path = in_dir(name);
	FILE *f = fopen(path, "w");

	if (!f)
		return NULL;
	fputs(text, f);
	return fclose(f) ? NULL : path;
}

#endif /* KTLSOD_TEST_H */
