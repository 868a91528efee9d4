/* SPDX-License-Identifier: MIT */
/*
 * The daemon's side of the "ktlso" generic netlink family, for VM tests
 * that play ktlsod themselves (libmnl, link with -lmnl): resolve the
 * family, join the "handshake" group, ACCEPT a request and report DONE.
 */
#ifndef KTLSO_FAKE_DAEMON_H
#define KTLSO_FAKE_DAEMON_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/ktlso.h>

struct genl {
	struct mnl_socket *nl;
	uint16_t family;
	uint32_t group;
	uint32_t seq;
};

/* What ACCEPT handed the daemon. */
struct accepted {
	int ok;
	uint32_t role, timeout_ms;
	char peer_name[KTLSO_NAME_MAX], alpn[KTLSO_ALPN_MAX];
	char profile[KTLSO_PROFILE_MAX];
	/*
	 * Who asked; has_uid is 0 when the module did not say. n_groups
	 * counts every GROUP, groups[] keeps the first 64: the struct goes
	 * through pipes in one atomic write (PIPE_BUF) in some tests.
	 */
	int has_uid;
	uint32_t uid, gid, n_groups;
	uint32_t groups[64];
	uint64_t netns_cookie;
	char cgroup[1024];
};

static inline int ctrl_group_cb(const struct nlattr *a, void *data)
{
	struct genl *g = data;
	struct nlattr *nest;
	const char *name = NULL;
	uint32_t id = 0;

	mnl_attr_for_each_nested(nest, a) {
		if (mnl_attr_get_type(nest) == CTRL_ATTR_MCAST_GRP_NAME)
			name = mnl_attr_get_str(nest);
		if (mnl_attr_get_type(nest) == CTRL_ATTR_MCAST_GRP_ID)
			id = mnl_attr_get_u32(nest);
	}
	if (name && !strcmp(name, KTLSO_GENL_MCGRP))
		g->group = id;
	return MNL_CB_OK;
}

static inline int ctrl_attr_cb(const struct nlattr *a, void *data)
{
	struct genl *g = data;
	struct nlattr *grp;

	if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
		g->family = mnl_attr_get_u16(a);
	if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GROUPS)
		mnl_attr_for_each_nested(grp, a)
			ctrl_group_cb(grp, g);
	return MNL_CB_OK;
}

static inline int ctrl_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), ctrl_attr_cb, data);
}

static inline struct nlmsghdr *genl_msg(char *buf, uint16_t type, uint8_t cmd, uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *gh;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	gh = mnl_nlmsg_put_extra_header(nlh, sizeof(*gh));
	gh->cmd = cmd;
	gh->version = KTLSO_GENL_VERSION;
	return nlh;
}

/* Send nlh and run cb over the answer; returns 0 or -errno. */
static inline int genl_call(struct genl *g, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int n;

	if (mnl_socket_sendto(g->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	while ((n = mnl_socket_recvfrom(g->nl, buf, sizeof(buf))) > 0) {
		n = mnl_cb_run(buf, n, nlh->nlmsg_seq, mnl_socket_get_portid(g->nl), cb, data);
		if (n <= MNL_CB_STOP)
			return n < 0 ? -errno : 0;
	}
	return -errno;
}

/* A generic netlink socket bound to @portid (0: any) with the family resolved. */
static inline int genl_open_bound(struct genl *g, uint32_t portid)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	memset(g, 0, sizeof(*g));
	g->nl = mnl_socket_open(NETLINK_GENERIC);
	if (!g->nl || mnl_socket_bind(g->nl, 0, portid ? portid : MNL_SOCKET_AUTOPID) < 0)
		return -errno;
	nlh = genl_msg(buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, ++g->seq);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, KTLSO_GENL_NAME);
	if (genl_call(g, nlh, ctrl_cb, g) || !g->family || !g->group)
		return -ENOENT;
	return 0;
}

/* Join the "handshake" group: 0 or -errno. */
static inline int genl_join(struct genl *g)
{
	return mnl_socket_setsockopt(g->nl, NETLINK_ADD_MEMBERSHIP, &g->group,
				     sizeof(g->group)) ? -errno : 0;
}

/* What a daemon opens: the family, and the group joined. */
static inline int genl_open(struct genl *g)
{
	int err = genl_open_bound(g, 0);

	return err ? err : genl_join(g);
}

static inline int accept_attr_cb(const struct nlattr *a, void *data)
{
	struct accepted *acc = data;

	switch (mnl_attr_get_type(a)) {
	case KTLSO_A_SOCKFD:
		acc->ok = (int)mnl_attr_get_u32(a) + 1;
		break;
	case KTLSO_A_ROLE:
		acc->role = mnl_attr_get_u32(a);
		break;
	case KTLSO_A_TIMEOUT_MS:
		acc->timeout_ms = mnl_attr_get_u32(a);
		break;
	case KTLSO_A_PEER_NAME:
		snprintf(acc->peer_name, sizeof(acc->peer_name), "%s", mnl_attr_get_str(a));
		break;
	case KTLSO_A_ALPN:
		snprintf(acc->alpn, sizeof(acc->alpn), "%s", mnl_attr_get_str(a));
		break;
	case KTLSO_A_PROFILE:
		snprintf(acc->profile, sizeof(acc->profile), "%s", mnl_attr_get_str(a));
		break;
	case KTLSO_A_UID:
		acc->has_uid = 1;
		acc->uid = mnl_attr_get_u32(a);
		break;
	case KTLSO_A_GID:
		acc->gid = mnl_attr_get_u32(a);
		break;
	case KTLSO_A_GROUP:
		if (acc->n_groups < sizeof(acc->groups) / sizeof(acc->groups[0]))
			acc->groups[acc->n_groups] = mnl_attr_get_u32(a);
		acc->n_groups++;
		break;
	case KTLSO_A_NETNS_COOKIE:
		acc->netns_cookie = mnl_attr_get_u64(a);
		break;
	case KTLSO_A_CGROUP:
		snprintf(acc->cgroup, sizeof(acc->cgroup), "%s", mnl_attr_get_str(a));
		break;
	}
	return MNL_CB_OK;
}

static inline int accept_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), accept_attr_cb, data);
}

/* One ACCEPT: the socket's fd, -ENOENT when no request waits, or -errno. */
static inline int genl_accept_once(struct genl *g, struct accepted *acc)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = genl_msg(buf, g->family, KTLSO_CMD_ACCEPT, ++g->seq);
	int err;

	memset(acc, 0, sizeof(*acc));
	err = genl_call(g, nlh, accept_cb, acc);
	if (!err && acc->ok)
		return acc->ok - 1;
	return err ? err : -ENOENT;
}

/* ACCEPT until a request comes; the socket's fd, or -errno. */
static inline int genl_accept(struct genl *g, struct accepted *acc)
{
	for (int tries = 0; tries < 500; tries++) {
		int fd = genl_accept_once(g, acc);

		if (fd != -ENOENT)
			return fd;
		usleep(10000);
	}
	return -ETIMEDOUT;
}

static inline int genl_done(struct genl *g, int fd, uint32_t status, int32_t alert)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = genl_msg(buf, g->family, KTLSO_CMD_DONE, ++g->seq);

	mnl_attr_put_u32(nlh, KTLSO_A_SOCKFD, fd);
	mnl_attr_put_u32(nlh, KTLSO_A_STATUS, status);
	mnl_attr_put_u32(nlh, KTLSO_A_ALERT, alert);
	mnl_attr_put_u16(nlh, KTLSO_A_VERSION, 0x0304);
	mnl_attr_put_u16(nlh, KTLSO_A_CIPHER_SUITE, 0x1301);
	mnl_attr_put_strz(nlh, KTLSO_A_ALPN, "h2");
	mnl_attr_put_strz(nlh, KTLSO_A_PEER_SUBJECT, "CN=fake peer");
	mnl_attr_put_u8(nlh, KTLSO_A_PEER_VERIFIED, 1);
	return genl_call(g, nlh, NULL, NULL);
}

#endif /* KTLSO_FAKE_DAEMON_H */
