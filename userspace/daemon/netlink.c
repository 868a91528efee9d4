// SPDX-License-Identifier: MIT
/* The generic netlink client of ktlsod (netlink.h), on libmnl. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/capability.h>
#include <linux/genetlink.h>
#include <openssl/crypto.h>

#include "netlink.h"

/* A request that never gets its acknowledgement must not hang ktlsod. */
#define ACK_TIMEOUT_S 5

int nl_fd(const struct nl *nl)
{
	return mnl_socket_get_fd(nl->sock);
}

static struct nlmsghdr *genl_header(void *buf, uint16_t family, uint8_t cmd,
				    uint8_t version)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
	return nlh;
}

typedef int (*reply_cb)(const struct nlmsghdr *nlh, void *data);

/*
 * Send one request and read until its acknowledgement, handing each reply
 * message to cb. The first failure (cb's, or the kernel's error) wins, but
 * reading goes on to the acknowledgement so that nothing of this request
 * is left for the next one.
 */
static int transact(struct nl *nl, struct nlmsghdr *req, reply_cb cb,
		    void *data)
{
	uint8_t buf[NL_BUF_LEN];
	int ret = 0;

	req->nlmsg_seq = ++nl->seq;
	if (mnl_socket_sendto(nl->sock, req, req->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
		int len;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		for (len = n; mnl_nlmsg_ok(h, len);
		     h = mnl_nlmsg_next(h, &len)) {
			const struct nlmsgerr *e;

			/* The late answer to a request that timed out */
			if (h->nlmsg_seq != nl->seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE)
				return ret;
			if (h->nlmsg_type != NLMSG_ERROR) {
				if (cb && !ret)
					ret = cb(h, data);
				continue;
			}
			if (mnl_nlmsg_get_payload_len(h) < sizeof(*e))
				return ret ? ret : -EBADMSG;
			e = mnl_nlmsg_get_payload(h);
			/* error 0 is the acknowledgement */
			return ret ? ret : e->error > 0 ? -EBADMSG : e->error;
		}
	}
}

/* ---- CTRL_CMD_GETFAMILY ---- */

struct family {
	uint16_t id;
	uint32_t group;
	bool have_group;
};

static int group_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (type == CTRL_ATTR_MCAST_GRP_NAME &&
	    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
		tb[type] = a;
	if (type == CTRL_ATTR_MCAST_GRP_ID &&
	    mnl_attr_validate(a, MNL_TYPE_U32) == 0)
		tb[type] = a;
	return MNL_CB_OK;
}

static void find_group(const struct nlattr *groups, struct family *f)
{
	const struct nlattr *g;

	mnl_attr_for_each_nested(g, groups) {
		const struct nlattr *tb[CTRL_ATTR_MCAST_GRP_MAX + 1] = { 0 };

		if (mnl_attr_parse_nested(g, group_cb, tb) < 0 ||
		    !tb[CTRL_ATTR_MCAST_GRP_NAME] ||
		    !tb[CTRL_ATTR_MCAST_GRP_ID])
			continue;
		if (!strcmp(mnl_attr_get_str(tb[CTRL_ATTR_MCAST_GRP_NAME]),
			    KTLSO_GENL_MCGRP)) {
			f->group = mnl_attr_get_u32(tb[CTRL_ATTR_MCAST_GRP_ID]);
			f->have_group = true;
		}
	}
}

static int family_attr_cb(const struct nlattr *a, void *data)
{
	struct family *f = data;

	switch (mnl_attr_get_type(a)) {
	case CTRL_ATTR_FAMILY_ID:
		if (mnl_attr_validate(a, MNL_TYPE_U16) < 0)
			return MNL_CB_ERROR;
		f->id = mnl_attr_get_u16(a);
		break;
	case CTRL_ATTR_MCAST_GROUPS:
		if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
			return MNL_CB_ERROR;
		find_group(a, f);
		break;
	}
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct genlmsghdr) ||
	    mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr_cb,
			   data) < 0)
		return -EBADMSG;
	return 0;
}

static int resolve(struct nl *nl, char *err, size_t errlen)
{
	uint8_t buf[NL_BUF_LEN];
	struct nlmsghdr *nlh = genl_header(buf, GENL_ID_CTRL,
					   CTRL_CMD_GETFAMILY, 1);
	struct family f = { 0 };
	int ret;

	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, KTLSO_GENL_NAME);
	ret = transact(nl, nlh, family_cb, &f);
	if (ret == -ENOENT) {
		snprintf(err, errlen, "genetlink family %s not found: "
			 "is ktlso.ko loaded?", KTLSO_GENL_NAME);
		return ret;
	}
	if (!ret && (!f.id || !f.have_group))
		ret = -EPROTO;
	if (ret) {
		snprintf(err, errlen, "genetlink family %s: %s%s",
			 KTLSO_GENL_NAME, strerror(-ret),
			 ret == -EPROTO ? " (no \"" KTLSO_GENL_MCGRP
					  "\" group: a different ktlso.ko?)" :
					  "");
		return ret;
	}
	nl->family = f.id;
	nl->group = f.group;
	return 0;
}

int nl_open(struct nl *nl, bool join, char *err, size_t errlen)
{
	struct timeval tv = { .tv_sec = ACK_TIMEOUT_S };
	int ret;

	memset(nl, 0, sizeof(*nl));
	nl->sock = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	if (!nl->sock || mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		snprintf(err, errlen, "netlink socket: %s", strerror(errno));
		goto fail;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	(void)setsockopt(nl_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	ret = resolve(nl, err, errlen);
	if (ret)
		goto fail;
	if (join && mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP,
					  &nl->group, sizeof(nl->group)) < 0) {
		ret = -errno;
		snprintf(err, errlen, "joining genetlink group %s/%s: %s%s",
			 KTLSO_GENL_NAME, KTLSO_GENL_MCGRP, strerror(errno),
			 errno == EPERM ? " (ktlsod needs CAP_NET_ADMIN)" : "");
		goto fail;
	}
	return 0;
fail:
	nl_close(nl);
	return ret;
}

void nl_close(struct nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}

static const enum mnl_attr_data_type ticket_types[KTLSO_A_MAX + 1] = {
	[KTLSO_A_PEER_NAME] = MNL_TYPE_NUL_STRING,
	[KTLSO_A_PROFILE] = MNL_TYPE_NUL_STRING,
	[KTLSO_A_TICKET] = MNL_TYPE_BINARY,
	[KTLSO_A_SOCK_COOKIE] = MNL_TYPE_U64,
};

static int ticket_attr_cb(const struct nlattr *a, void *data)
{
	struct nl_ticket *t = data;
	uint16_t type = mnl_attr_get_type(a);

	if (type > KTLSO_A_MAX || !ticket_types[type])
		return MNL_CB_OK;
	if (mnl_attr_validate(a, ticket_types[type]) < 0)
		return MNL_CB_ERROR;
	if (type == KTLSO_A_PEER_NAME)
		t->peer_name = mnl_attr_get_str(a);
	else if (type == KTLSO_A_PROFILE)
		t->profile = mnl_attr_get_str(a);
	else if (type == KTLSO_A_SOCK_COOKIE)
		t->cookie = mnl_attr_get_u64(a);
	else {
		t->msg = mnl_attr_get_payload(a);
		t->len = mnl_attr_get_payload_len(a);
	}
	return MNL_CB_OK;
}

/* One notification: 1 for a READY, 0 for anything else. */
static int notification(const struct nlmsghdr *h, nl_ticket_cb on_ticket,
			void *data)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(h);
	struct nl_ticket t = { .peer_name = "", .profile = "" };

	if (h->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(*g))
		return 0;
	if (g->cmd != KTLSO_CMD_TICKET)
		return g->cmd == KTLSO_CMD_READY;
	if (mnl_attr_parse(h, sizeof(*g), ticket_attr_cb, &t) == MNL_CB_OK &&
	    t.msg && on_ticket)
		on_ticket(&t, data);
	return 0;
}

int nl_drain(struct nl *nl, nl_ticket_cb on_ticket, void *data)
{
	/* A TICKET carries up to 16 KiB of ticket (Documentation/uapi.rst). */
	uint8_t buf[4 * NL_BUF_LEN];
	int count = 0;

	for (;;) {
		ssize_t n = recv(nl_fd(nl), buf, sizeof(buf), MSG_DONTWAIT);
		const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
		int len;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return count;
		/* The socket overflowed: some READY was lost. */
		if (n < 0 && errno == ENOBUFS) {
			count++;
			continue;
		}
		if (n < 0)
			return -errno;
		for (len = n; mnl_nlmsg_ok(h, len); h = mnl_nlmsg_next(h, &len))
			if (h->nlmsg_type == nl->family)
				count += notification(h, on_ticket, data);
	}
}

/* ---- ACCEPT ---- */

static const enum mnl_attr_data_type accept_types[KTLSO_A_MAX + 1] = {
	[KTLSO_A_SOCKFD] = MNL_TYPE_U32,
	[KTLSO_A_ROLE] = MNL_TYPE_U32,
	[KTLSO_A_PEER_NAME] = MNL_TYPE_NUL_STRING,
	[KTLSO_A_ALPN] = MNL_TYPE_NUL_STRING,
	[KTLSO_A_PROFILE] = MNL_TYPE_NUL_STRING,
	[KTLSO_A_TIMEOUT_MS] = MNL_TYPE_U32,
	[KTLSO_A_UID] = MNL_TYPE_U32,
	[KTLSO_A_GID] = MNL_TYPE_U32,
	[KTLSO_A_GROUP] = MNL_TYPE_U32,
	[KTLSO_A_NETNS_COOKIE] = MNL_TYPE_U64,
	[KTLSO_A_CGROUP] = MNL_TYPE_NUL_STRING,
};

static int accept_attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(a);

	/* Attributes a newer kernel adds are not ours to refuse. */
	if (type > KTLSO_A_MAX || accept_types[type] == MNL_TYPE_UNSPEC)
		return MNL_CB_OK;
	if (mnl_attr_validate(a, accept_types[type]) < 0)
		return MNL_CB_ERROR;
	tb[type] = a;
	return MNL_CB_OK;
}

/* A validated NUL-terminated string into out, refused if too long. */
static int copy_str(const struct nlattr *a, char *out, size_t size)
{
	const char *s;

	if (!a) {
		out[0] = '\0';
		return 0;
	}
	s = mnl_attr_get_str(a);
	if (strnlen(s, size) == size)
		return -EINVAL;
	strcpy(out, s);
	return 0;
}

/* Who asked: uid and gid, or nothing known; every GROUP, in order. */
static int parse_who(const struct nlmsghdr *nlh, const struct nlattr **tb,
		     struct nl_request *req)
{
	const struct nlattr *a;

	if (!tb[KTLSO_A_UID] || !tb[KTLSO_A_GID])
		return 0;
	req->who_known = true;
	req->uid = mnl_attr_get_u32(tb[KTLSO_A_UID]);
	req->gid = mnl_attr_get_u32(tb[KTLSO_A_GID]);
	if (tb[KTLSO_A_NETNS_COOKIE])
		req->netns_cookie = mnl_attr_get_u64(tb[KTLSO_A_NETNS_COOKIE]);
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) != KTLSO_A_GROUP)
			continue;
		/* Type-checked by accept_attr_cb already. */
		if (req->n_groups == KTLSO_GROUPS_MAX)
			return -EBADMSG;
		req->groups[req->n_groups++] = mnl_attr_get_u32(a);
	}
	return copy_str(tb[KTLSO_A_CGROUP], req->cgroup, sizeof(req->cgroup));
}

int nl_parse_accept(const struct nlmsghdr *nlh, struct nl_request *req)
{
	const struct nlattr *tb[KTLSO_A_MAX + 1] = { 0 };
	const struct genlmsghdr *g;
	int parsed, fd;

	memset(req, 0, sizeof(*req));
	req->fd = -1;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*g))
		return -EBADMSG;
	g = mnl_nlmsg_get_payload(nlh);
	if (g->cmd != KTLSO_CMD_ACCEPT)
		return -EBADMSG;
	parsed = mnl_attr_parse(nlh, sizeof(*g), accept_attr_cb, tb);
	/* A socket was installed in our table: the caller must close it. */
	fd = tb[KTLSO_A_SOCKFD] ? (int)mnl_attr_get_u32(tb[KTLSO_A_SOCKFD]) :
				  -1;
	if (fd >= 0)
		req->fd = fd;
	if (parsed < 0 || req->fd < 0 || !tb[KTLSO_A_ROLE])
		return -EBADMSG;
	req->role = mnl_attr_get_u32(tb[KTLSO_A_ROLE]);
	if (req->role != KTLSO_ROLE_CLIENT && req->role != KTLSO_ROLE_SERVER)
		return -EINVAL;
	/* What is left of the request's time: 0 when it is running out */
	req->timeout_ms = KTLSO_DEFAULT_TIMEOUT_MS;
	if (tb[KTLSO_A_TIMEOUT_MS])
		req->timeout_ms = mnl_attr_get_u32(tb[KTLSO_A_TIMEOUT_MS]) ?: 1;
	TRY(copy_str(tb[KTLSO_A_PEER_NAME], req->peer_name,
		     sizeof(req->peer_name)));
	TRY(copy_str(tb[KTLSO_A_ALPN], req->alpn, sizeof(req->alpn)));
	TRY(copy_str(tb[KTLSO_A_PROFILE], req->profile, sizeof(req->profile)));
	return parse_who(nlh, tb, req);
}

static int accept_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_request *req = data;

	/* Only one reply per ACCEPT: a second would hide the first's fd. */
	if (req->fd >= 0)
		return -EBADMSG;
	return nl_parse_accept(nlh, req);
}

int nl_accept(struct nl *nl, struct nl_request *req)
{
	uint8_t buf[NL_BUF_LEN];
	struct nlmsghdr *nlh = genl_header(buf, nl->family, KTLSO_CMD_ACCEPT,
					   KTLSO_GENL_VERSION);
	int ret;

	memset(req, 0, sizeof(*req));
	req->fd = -1;
	ret = transact(nl, nlh, accept_cb, req);
	if (!ret && req->fd < 0)
		ret = -EBADMSG;	/* acknowledged without a reply */
	return ret;
}

/* ---- DONE ---- */

struct nlmsghdr *nl_done_msg(void *buf, uint16_t family,
			     const struct nl_done *d)
{
	struct nlmsghdr *nlh = genl_header(buf, family, KTLSO_CMD_DONE,
					   KTLSO_GENL_VERSION);

	mnl_attr_put_u32(nlh, KTLSO_A_SOCKFD, (uint32_t)d->fd);
	mnl_attr_put_u32(nlh, KTLSO_A_STATUS, d->status);
	mnl_attr_put_u32(nlh, KTLSO_A_ALERT, (uint32_t)d->alert);
	if (d->status)
		return nlh;
	mnl_attr_put_u16(nlh, KTLSO_A_VERSION, d->version);
	mnl_attr_put_u16(nlh, KTLSO_A_CIPHER_SUITE, d->cipher_suite);
	mnl_attr_put_u8(nlh, KTLSO_A_PEER_VERIFIED, d->peer_verified);
	mnl_attr_put_u8(nlh, KTLSO_A_RESUMED, d->resumed);
	/* Both are at most 255 characters (struct tls_result's fields). */
	if (d->alpn && *d->alpn)
		mnl_attr_put_strz(nlh, KTLSO_A_ALPN, d->alpn);
	if (d->peer_subject && *d->peer_subject)
		mnl_attr_put_strz(nlh, KTLSO_A_PEER_SUBJECT, d->peer_subject);
	if (d->tx_secret && d->rx_secret && d->tx_secret->len) {
		mnl_attr_put(nlh, KTLSO_A_TX_SECRET, d->tx_secret->len,
			     d->tx_secret->bytes);
		mnl_attr_put(nlh, KTLSO_A_RX_SECRET, d->rx_secret->len,
			     d->rx_secret->bytes);
		if (d->rekey_after)
			mnl_attr_put_u64(nlh, KTLSO_A_REKEY_AFTER,
					 d->rekey_after);
	}
	return nlh;
}

int nl_done(struct nl *nl, const struct nl_done *d)
{
	uint8_t buf[NL_BUF_LEN];
	int ret;

	ret = transact(nl, nl_done_msg(buf, nl->family, d), NULL, NULL);
	/* The message carried the traffic secrets. */
	OPENSSL_cleanse(buf, sizeof(buf));
	return ret;
}

bool nl_may_accept(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = { 0 };

	if (syscall(SYS_capget, &h, data))
		return false;
	return data[CAP_TO_INDEX(CAP_NET_ADMIN)].effective &
	       CAP_TO_MASK(CAP_NET_ADMIN);
}
