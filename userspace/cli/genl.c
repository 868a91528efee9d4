// SPDX-License-Identifier: MIT
/*
 * One question to the generic netlink controller (CTRL_CMD_GETFAMILY),
 * through libmnl as ktlsod asks its own, and one look at /proc/net/netlink.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "genl.h"

struct lookup {
	const char *group;
	uint16_t family_id;
	uint32_t group_id;
	bool have_family, have_group;
};

/* Keep the attributes of the types we know, each of the right shape. */
static int keep_attr(const struct nlattr *a, void *data, uint16_t max,
		     const enum mnl_attr_data_type *types)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(a);

	if (mnl_attr_type_valid(a, max) < 0 || !types[type])
		return MNL_CB_OK;
	if (mnl_attr_validate(a, types[type]) < 0)
		return MNL_CB_ERROR;
	tb[type] = a;
	return MNL_CB_OK;
}

static int group_attr(const struct nlattr *a, void *data)
{
	static const enum mnl_attr_data_type
		types[CTRL_ATTR_MCAST_GRP_MAX + 1] = {
		[CTRL_ATTR_MCAST_GRP_NAME] = MNL_TYPE_NUL_STRING,
		[CTRL_ATTR_MCAST_GRP_ID] = MNL_TYPE_U32,
	};

	return keep_attr(a, data, CTRL_ATTR_MCAST_GRP_MAX, types);
}

static int family_attr(const struct nlattr *a, void *data)
{
	static const enum mnl_attr_data_type types[CTRL_ATTR_MAX + 1] = {
		[CTRL_ATTR_FAMILY_ID] = MNL_TYPE_U16,
		[CTRL_ATTR_MCAST_GROUPS] = MNL_TYPE_NESTED,
	};

	return keep_attr(a, data, CTRL_ATTR_MAX, types);
}

static int on_family(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1] = { 0 }, *pos;
	struct lookup *l = data;

	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr, tb) < 0 ||
	    !tb[CTRL_ATTR_FAMILY_ID])
		return MNL_CB_ERROR;
	l->family_id = mnl_attr_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	l->have_family = true;
	if (!tb[CTRL_ATTR_MCAST_GROUPS])
		return MNL_CB_OK;
	mnl_attr_for_each_nested(pos, tb[CTRL_ATTR_MCAST_GROUPS]) {
		const struct nlattr *g[CTRL_ATTR_MCAST_GRP_MAX + 1] = { 0 };

		if (mnl_attr_parse_nested(pos, group_attr, g) < 0)
			return MNL_CB_ERROR;
		if (g[CTRL_ATTR_MCAST_GRP_NAME] && g[CTRL_ATTR_MCAST_GRP_ID] &&
		    !strcmp(mnl_attr_get_str(g[CTRL_ATTR_MCAST_GRP_NAME]),
			    l->group)) {
			l->group_id = mnl_attr_get_u32(g[CTRL_ATTR_MCAST_GRP_ID]);
			l->have_group = true;
		}
	}
	return MNL_CB_OK;
}

static int ask(struct mnl_socket *nl, const char *family, struct lookup *l)
{
	static const struct timeval timeout = { .tv_sec = 5 };
	uint8_t buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;
	unsigned int portid;
	ssize_t n;
	int ret;

	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &timeout,
		       sizeof(timeout)))
		return -errno;
	portid = mnl_socket_get_portid(nl);
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = 1;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, family);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	/* The reply, then the acknowledgement (or only the error). */
	do {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		errno = 0;
		ret = mnl_cb_run(buf, n, 1, portid, on_family, l);
	} while (ret > MNL_CB_STOP);
	if (ret < 0)
		return errno ? -errno : -EBADMSG;
	return 0;
}

int genl_resolve(const char *family, const char *group, uint16_t *family_id,
		 uint32_t *group_id)
{
	struct lookup l = { .group = group };
	struct mnl_socket *nl = mnl_socket_open(NETLINK_GENERIC);
	int ret;

	if (!nl)
		return -errno;
	ret = ask(nl, family, &l);
	mnl_socket_close(nl);
	TRY(ret);
	ENSURE(l.have_family, -EBADMSG);
	*family_id = l.family_id;
	ENSURE(l.have_group, -ESRCH);
	*group_id = l.group_id;
	return 0;
}

int genl_listeners(uint32_t group_id)
{
	char line[512];
	int proto, count = 0;
	unsigned int groups;
	FILE *f;

	/* The Groups column is the first 32 bits of the group bitmap, group
	 * g in bit g - 1. */
	ENSURE(group_id >= 1 && group_id <= 32, -ERANGE);
	f = fopen("/proc/net/netlink", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %d %*u %x", &proto, &groups) == 2 &&
		    proto == NETLINK_GENERIC && groups >> (group_id - 1) & 1)
			count++;
	fclose(f);
	return count;
}
