// SPDX-License-Identifier: MIT
/* Who may use a profile (acl.h). */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl.h"

/* Enough for any passwd or group entry Debian's tools create. */
#define NSS_BUF 16384
#define ITEM_MAX 4096

static int __attribute__((format(printf, 3, 4)))
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* A decimal id, all digits, below the overflow-free range. */
static bool parse_id(const char *s, uint32_t *out)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v >= UINT32_MAX)
		return false;
	*out = v;
	return true;
}

static int push(void **arr, size_t *n, size_t size, const void *item)
{
	void *p = realloc(*arr, (*n + 1) * size);

	if (!p)
		return -ENOMEM;
	memcpy((char *)p + *n * size, item, size);
	*arr = p;
	(*n)++;
	return 0;
}

static int add_user(struct acl *a, const char *name, char *err,
		    size_t errlen)
{
	struct passwd pw, *found = NULL;
	char buf[NSS_BUF];
	uint32_t id;
	uid_t uid;

	if (!strcmp(name, "*")) {
		a->anyone = true;
		return 0;
	}
	if (parse_id(name, &id)) {
		uid = id;
	} else {
		if (getpwnam_r(name, &pw, buf, sizeof(buf), &found) || !found)
			return fail(err, errlen, "allow_users: no user \"%s\"",
				    name);
		uid = found->pw_uid;
	}
	return push((void **)&a->uids, &a->n_uids, sizeof(uid), &uid);
}

static int add_group(struct acl *a, const char *name, char *err,
		     size_t errlen)
{
	struct group gr, *found = NULL;
	char buf[NSS_BUF];
	uint32_t id;
	gid_t gid;

	if (parse_id(name, &id)) {
		gid = id;
	} else {
		if (getgrnam_r(name, &gr, buf, sizeof(buf), &found) || !found)
			return fail(err, errlen,
				    "allow_groups: no group \"%s\"", name);
		gid = found->gr_gid;
	}
	return push((void **)&a->gids, &a->n_gids, sizeof(gid), &gid);
}

static int add_cgroup(struct acl *a, const char *path, char *err,
		      size_t errlen)
{
	size_t len = strlen(path);
	char *copy;

	if (path[0] != '/')
		return fail(err, errlen, "allow_cgroups: \"%s\" is not an "
			    "absolute path (/system.slice/NAME.service)",
			    path);
	/* "/a/b/" is "/a/b"; "/" stays. */
	while (len > 1 && path[len - 1] == '/')
		len--;
	copy = strndup(path, len);
	if (!copy || push((void **)&a->cgroups, &a->n_cgroups,
			  sizeof(copy), &copy)) {
		free(copy);
		return -ENOMEM;
	}
	return 0;
}

typedef int (*add_fn)(struct acl *a, const char *item, char *err,
		      size_t errlen);

/* Each item of a comma- or space-separated list. */
static int add_list(struct acl *a, const char *list, add_fn add, char *err,
		    size_t errlen)
{
	const char *p = list;
	int n = 0;

	a->listed = true;
	while (*p) {
		size_t len = strcspn(p, ", \t");
		char item[ITEM_MAX];

		if (len >= sizeof(item))
			return fail(err, errlen, "\"%.40s...\" is too long", p);
		if (len) {
			memcpy(item, p, len);
			item[len] = '\0';
			TRY(add(a, item, err, errlen));
			n++;
		}
		p += len;
		p += strspn(p, ", \t");
	}
	return n ? 0 : fail(err, errlen, "an empty list");
}

int acl_add_users(struct acl *a, const char *list, char *err, size_t errlen)
{
	return add_list(a, list, add_user, err, errlen);
}

int acl_add_groups(struct acl *a, const char *list, char *err, size_t errlen)
{
	return add_list(a, list, add_group, err, errlen);
}

int acl_add_cgroups(struct acl *a, const char *list, char *err,
		    size_t errlen)
{
	return add_list(a, list, add_cgroup, err, errlen);
}

void acl_finish(struct acl *a, bool has_key)
{
	/* A key is the profile's identity: root only unless it says so. */
	if (!a->listed && !has_key)
		a->anyone = true;
}

bool acl_cgroup_under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	if (!strcmp(prefix, "/"))
		return path[0] == '/';
	return !strncmp(path, prefix, n) && (path[n] == '\0' || path[n] == '/');
}

static bool in_groups(const struct acl *a, uint32_t gid)
{
	for (size_t i = 0; i < a->n_gids; i++)
		if (a->gids[i] == gid)
			return true;
	return false;
}

bool acl_allows(const struct acl *a, const struct acl_who *who)
{
	if (a->anyone)
		return true;
	if (!who->known)
		return false;
	if (who->uid == 0)
		return true;
	for (size_t i = 0; i < a->n_uids; i++)
		if (a->uids[i] == who->uid)
			return true;
	if (in_groups(a, who->gid))
		return true;
	for (size_t i = 0; i < who->n_groups; i++)
		if (in_groups(a, who->groups[i]))
			return true;
	for (size_t i = 0; who->cgroup && i < a->n_cgroups; i++)
		if (acl_cgroup_under(who->cgroup, a->cgroups[i]))
			return true;
	return false;
}

/* Append to out, keeping it NUL-terminated and truncated. */
static void __attribute__((format(printf, 3, 4)))
append(char *out, size_t size, const char *fmt, ...)
{
	size_t used = strlen(out);
	va_list ap;

	if (used + 1 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(out + used, size - used, fmt, ap);
	va_end(ap);
}

void acl_describe(const struct acl *a, char *out, size_t size)
{
	char buf[NSS_BUF];

	if (!size)
		return;
	out[0] = '\0';
	if (a->anyone) {
		append(out, size, "anyone");
		return;
	}
	append(out, size, "root");
	if (!a->listed)
		append(out, size, " only");
	for (size_t i = 0; i < a->n_uids; i++) {
		struct passwd pw, *f = NULL;

		getpwuid_r(a->uids[i], &pw, buf, sizeof(buf), &f);
		append(out, size, "%s", i ? "," : ", users ");
		if (f)
			append(out, size, "%s(%u)", f->pw_name, a->uids[i]);
		else
			append(out, size, "%u", a->uids[i]);
	}
	for (size_t i = 0; i < a->n_gids; i++) {
		struct group gr, *f = NULL;

		getgrgid_r(a->gids[i], &gr, buf, sizeof(buf), &f);
		append(out, size, "%s", i ? "," : ", groups ");
		if (f)
			append(out, size, "%s(%u)", f->gr_name, a->gids[i]);
		else
			append(out, size, "%u", a->gids[i]);
	}
	for (size_t i = 0; i < a->n_cgroups; i++)
		append(out, size, "%s%s", i ? "," : ", cgroups ",
		       a->cgroups[i]);
}

void acl_free(struct acl *a)
{
	for (size_t i = 0; i < a->n_cgroups; i++)
		free(a->cgroups[i]);
	free(a->cgroups);
	free(a->uids);
	free(a->gids);
	memset(a, 0, sizeof(*a));
}
