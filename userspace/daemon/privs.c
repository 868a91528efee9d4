// SPDX-License-Identifier: MIT
/*
 * Giving up privileges (privs.h), in the order the kernel requires: the
 * bounding set while CAP_SETPCAP is still ours, the groups and gid while
 * we are still root, the uid with PR_SET_KEEPCAPS so the permitted set
 * survives it, then the effective and permitted sets cut to CAP_NET_ADMIN
 * with the raw capset(2), as the C library has no wrapper and we link no
 * libcap for one call.
 */
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "privs.h"

/* Bit 12, in the first of the two words (static_assert below). */
#define NET_ADMIN_BIT CAP_TO_MASK(CAP_NET_ADMIN)
_Static_assert(CAP_TO_INDEX(CAP_NET_ADMIN) == 0, "CAP_NET_ADMIN in word 0");

static int __attribute__((format(printf, 4, 5)))
fail(int ret, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return ret;
}

int privs_no_dumps(void)
{
	const struct rlimit none = { 0, 0 };

	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) || setrlimit(RLIMIT_CORE, &none))
		return -errno;
	return 0;
}

static int caps_get(struct __user_cap_data_struct *data)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};

	return syscall(SYS_capget, &h, data) ? -errno : 0;
}

/* Effective and permitted: CAP_NET_ADMIN alone; inheritable: nothing. */
static int caps_set_net_admin(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {
		{ .effective = NET_ADMIN_BIT, .permitted = NET_ADMIN_BIT },
	};

	return syscall(SYS_capset, &h, data) ? -errno : 0;
}

bool privs_only_net_admin(void)
{
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	return !caps_get(d) && d[0].effective == NET_ADMIN_BIT &&
	       d[0].permitted == NET_ADMIN_BIT && !d[0].inheritable &&
	       !d[1].effective && !d[1].permitted && !d[1].inheritable;
}

/* Nothing left to gain by execve(2): it is never called, but still. */
static int clear_bounding_set(void)
{
	for (int cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0))
			return -errno;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) &&
	    errno != EINVAL)	/* kernels without ambient capabilities */
		return -errno;
	return 0;
}

static int become(const struct config_user *u, char *err, size_t errlen)
{
	int ret = clear_bounding_set();

	if (ret)
		return fail(ret, err, errlen, "clearing the capability "
			    "bounding set: %s", strerror(-ret));
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) ||
	    setgroups(1, &u->gid) || setresgid(u->gid, u->gid, u->gid) ||
	    setresuid(u->uid, u->uid, u->uid))
		return fail(-errno, err, errlen, "becoming user %s (uid %u, "
			    "gid %u): %s", u->name, (unsigned int)u->uid,
			    (unsigned int)u->gid, strerror(errno));
	ret = caps_set_net_admin();
	if (ret)
		return fail(ret, err, errlen, "keeping CAP_NET_ADMIN as user "
			    "%s: %s", u->name, strerror(-ret));
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    /* A change of uid made the process dumpable again. */
	    privs_no_dumps())
		return fail(-errno, err, errlen, "after becoming user %s: %s",
			    u->name, strerror(errno));
	return 0;
}

/* OpenSSH's paranoia: what was given up must stay given up. */
static int check_dropped(const struct config_user *u, char *err,
			 size_t errlen)
{
	uid_t r, e, s;

	if (u->uid != 0 && (!setuid(0) || !seteuid(0)))
		return fail(-EPERM, err, errlen,
			    "user %s could become root again", u->name);
	if (getresuid(&r, &e, &s) || r != u->uid || e != u->uid ||
	    s != u->uid)
		return fail(-EPERM, err, errlen, "still not user %s", u->name);
	if (!privs_only_net_admin())
		return fail(-EPERM, err, errlen, "user %s has capabilities "
			    "other than CAP_NET_ADMIN", u->name);
	return 0;
}

int privs_drop(const struct config_user *u, char *err, size_t errlen)
{
	uid_t uid = geteuid();

	if (!u->name[0] || (uid == u->uid && getuid() == u->uid))
		return 0;
	if (uid != 0)
		return fail(-EPERM, err, errlen, "user = %s: started as uid "
			    "%u, not root, ktlsod cannot become uid %u",
			    u->name, (unsigned int)uid, (unsigned int)u->uid);
	TRY(become(u, err, errlen));
	return check_dropped(u, err, errlen);
}
