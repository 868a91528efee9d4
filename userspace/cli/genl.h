/* SPDX-License-Identifier: MIT */
/*
 * What `ktlso status` asks generic netlink: does a family exist, what are
 * its multicast groups' ids, and does any socket listen on one of them.
 */
#ifndef KTLSO_GENL_H
#define KTLSO_GENL_H

#include <stdint.h>

#include "try.h"

/*
 * Resolve family and the id of its multicast group: 0, -ENOENT when the
 * family is not registered, -ESRCH when it has no such group, or -errno.
 */
int genl_resolve(const char *family, const char *group, uint16_t *family_id,
		 uint32_t *group_id) WUR;

/*
 * The number of NETLINK_GENERIC sockets in this network namespace that
 * joined group_id, from /proc/net/netlink; -ERANGE when that file cannot
 * tell (it shows groups 1 to 32 only), or -errno.
 */
int genl_listeners(uint32_t group_id) WUR;

#endif /* KTLSO_GENL_H */
