/* SPDX-License-Identifier: MIT */
/*
 * Who may use a profile (ktlsod.conf(5): allow_users, allow_groups,
 * allow_cgroups; Documentation/handshake.rst, "Who may use a profile").
 *
 *   ACCEPT {uid, gid, groups, cgroup} ─► acl_allows(profile's acl) ─► engine
 *                                                 └─ no: DONE EACCES
 *
 * Without any allow_* line a profile that holds a private key is for uid 0
 * only, and one without a key is open to everyone. With them, a requester
 * is let in when its uid, its gid or one of its supplementary groups is
 * listed, or its socket's cgroup lies under a listed prefix; uid 0 always
 * is (root can read the keys and trace ktlsod: refusing it protects
 * nothing). Names are resolved to ids once, when the file is loaded.
 */
#ifndef KTLSOD_ACL_H
#define KTLSOD_ACL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "try.h"

struct acl {
	bool listed;		/* any allow_* line: the lists decide */
	bool anyone;		/* allow_users = * (or open by default) */
	uid_t *uids;
	size_t n_uids;
	gid_t *gids;
	size_t n_gids;
	char **cgroups;		/* prefixes, no trailing '/' ("/" for all) */
	size_t n_cgroups;
};

/* Who asked, as ACCEPT reported it (nl_request). */
struct acl_who {
	bool known;		/* the kernel said who (an older module: no) */
	uint32_t uid, gid;
	const uint32_t *groups;
	size_t n_groups;
	const char *cgroup;	/* NULL: not reported */
};

/*
 * One allow_* value: a comma- or space-separated list. Users and groups
 * are names or numeric ids; "*" in allow_users lets anyone in. Cgroups
 * are absolute paths. On failure err holds the reason (without the line).
 */
int acl_add_users(struct acl *a, const char *list, char *err,
		  size_t errlen) WUR;
int acl_add_groups(struct acl *a, const char *list, char *err,
		   size_t errlen) WUR;
int acl_add_cgroups(struct acl *a, const char *list, char *err,
		    size_t errlen) WUR;

/* At the profile's end: the default when no allow_* line was given. */
void acl_finish(struct acl *a, bool has_key);

/* Whether who may use the profile. An unknown requester only an open one. */
bool acl_allows(const struct acl *a, const struct acl_who *who);

/* Is path under prefix, on a '/' boundary? ("/a/b" is under "/a", "/ab" not) */
bool acl_cgroup_under(const char *path, const char *prefix);

/*
 * "anyone", "root only", or "root, users www-data(33), groups
 * ssl-cert(110), cgroups /system.slice/nginx.service": for ktlso status
 * and the log. Truncated to fit size.
 */
void acl_describe(const struct acl *a, char *out, size_t size);

void acl_free(struct acl *a);

#endif /* KTLSOD_ACL_H */
