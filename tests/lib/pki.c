// SPDX-License-Identifier: MIT
/*
 * The test PKI's directory and paths. mkpki runs without a shell (fork and
 * exec), its output goes where the test's goes, and the tree is removed
 * with nftw, so no file name is ever parsed by sh.
 */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pki.h"

static char dir[PATH_MAX];
static bool made;

/* Every path handed out, freed by pki_cleanup(). */
static char **paths;
static size_t n_paths, cap_paths;

const char *repo_root(void)
{
	static char root[PATH_MAX];
	char mkpki[PATH_MAX + 32];
	ssize_t n;

	if (root[0])
		return root;
	n = readlink("/proc/self/exe", root, sizeof(root) - 1);
	if (n > 0) {
		root[n] = '\0';
		/* build/tests/unit/x_test: four components off the end */
		for (int up = 0; up < 4; up++) {
			char *slash = strrchr(root, '/');

			if (slash)
				*slash = '\0';
		}
		snprintf(mkpki, sizeof(mkpki), "%s/tests/pki/mkpki", root);
		if (!access(mkpki, X_OK))
			return root;
	}
	snprintf(root, sizeof(root), ".");
	return root;
}

static int run_mkpki(void)
{
	char script[PATH_MAX + 32];
	int status;
	pid_t pid;

	snprintf(script, sizeof(script), "%s/tests/pki/mkpki", repo_root());
	pid = fork();
	if (pid == 0) {
		execl(script, script, dir, (char *)NULL);
		perror(script);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

int pki_make(void)
{
	snprintf(dir, sizeof(dir), "/tmp/ktlso-pki-XXXXXX");
	if (!mkdtemp(dir))
		return -errno;
	made = true;
	return run_mkpki();
}

void pki_use(const char *d)
{
	snprintf(dir, sizeof(dir), "%s", d);
	made = false;
}

const char *pki_dir(void)
{
	return dir;
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void pki_cleanup(void)
{
	if (made && nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS))
		fprintf(stderr, "could not remove %s\n", dir);
	made = false;
	while (n_paths)
		free(paths[--n_paths]);
	free(paths);
	paths = NULL;
	cap_paths = 0;
}

const char *pki(const char *name)
{
	char *p;

	if (n_paths == cap_paths) {
		size_t cap = cap_paths ? 2 * cap_paths : 64;
		char **more = realloc(paths, cap * sizeof(*paths));

		if (!more)
			abort();
		paths = more;
		cap_paths = cap;
	}
	if (asprintf(&p, "%s/%s", dir, name) < 0)
		abort();
	return paths[n_paths++] = p;
}

const char *pki_write(const char *name, const char *text)
{
	const char *path = pki(name);
	FILE *f = fopen(path, "w");

	if (!f)
		return NULL;
	fputs(text, f);
	return fclose(f) ? NULL : path;
}
