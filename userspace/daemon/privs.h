/* SPDX-License-Identifier: MIT */
/*
 * What ktlsod gives up (ktlsod(8), PRIVILEGES). At once: core dumps and
 * ptrace by its own user (PR_SET_DUMPABLE 0, RLIMIT_CORE 0), so a crash
 * never writes a private key to disk. Once its files are read, when it was
 * started as root and a user is configured: every group but the user's
 * own, root's uid, every capability but CAP_NET_ADMIN (which ACCEPT and
 * DONE need), the bounding and ambient sets, and the right to gain any of
 * it back (PR_SET_NO_NEW_PRIVS).
 *
 * Capabilities belong to a thread, not to the process: privs_drop() must
 * run before the first thread is started.
 */
#ifndef KTLSOD_PRIVS_H
#define KTLSOD_PRIVS_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "try.h"

/* Not dumpable, no core file. -errno on failure. */
int privs_no_dumps(void) WUR;

/*
 * Become u, keeping only CAP_NET_ADMIN, and check that root cannot be had
 * back. Without a user (u->name ""), or when already running as u, nothing
 * changes. Not root and not u: -EPERM. On failure err says why; the
 * process must then exit, as it may be half-way.
 */
int privs_drop(const struct config_user *u, char *err, size_t errlen) WUR;

/* Only CAP_NET_ADMIN is effective (and permitted) in this thread. */
bool privs_only_net_admin(void);

#endif /* KTLSOD_PRIVS_H */
