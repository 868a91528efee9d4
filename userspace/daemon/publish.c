// SPDX-License-Identifier: MIT
/* The profile list for `ktlso status` (publish.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "publish.h"

static int write_list(FILE *f, const struct config *c)
{
	char who[1024];

	fprintf(f, "# ktlsod pid %d %s\n", (int)getpid(), c->path);
	for (size_t i = 0; i < c->n; i++) {
		const struct profile *p = &c->profiles[i];

		acl_describe(&p->acl, who, sizeof(who));
		fprintf(f, "%s\t%s\t%s\n", p->name, p->tls.key ? "key" : "-",
			who);
	}
	return ferror(f) ? -EIO : 0;
}

/* Started by hand, without systemd's RuntimeDirectory: make it. */
static int make_parent(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');

	if (!slash || slash == path ||
	    snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path) >=
		    (int)sizeof(dir))
		return -ENOENT;
	return mkdir(dir, 0755) ? -errno : 0;
}

int publish_profiles(const struct config *c, const char *path, char *err,
		     size_t errlen)
{
	char tmp[PATH_MAX];
	FILE *f;
	int fd, ret;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "%s: name too long", path);
		return -ENAMETOOLONG;
	}
	/* Names and access lists are no secret: readable by all. */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		  0644);
	if (fd < 0 && errno == ENOENT && !make_parent(path))
		fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
				       O_NOFOLLOW, 0644);
	if (fd < 0 || fchmod(fd, 0644)) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		return ret;
	}
	f = fdopen(fd, "w");
	if (!f) {
		ret = -errno;
		close(fd);
		snprintf(err, errlen, "%s: %s", tmp, strerror(-ret));
		return ret;
	}
	ret = write_list(f, c);
	if (fclose(f) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret) {
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		unlink(tmp);
	}
	return ret;
}
