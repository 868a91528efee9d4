// SPDX-License-Identifier: MIT
/*
 * ktlsod's generic netlink messages (userspace/daemon/netlink.c): the
 * ACCEPT reply parser against well-formed and hostile replies built here
 * with libmnl the way the kernel's genlmsg/nla_put would lay them out, the
 * DONE message read back attribute by attribute, and the running kernel's
 * answer when the family is not registered (no ktlso.ko here).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "../lib/check.h"
#include "../lib/pki.h"
#include "netlink.h"

#define FAMILY 0x42

static struct nlmsghdr *reply(void *buf, uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));

	nlh->nlmsg_type = FAMILY;
	g->cmd = cmd;
	g->version = KTLSO_GENL_VERSION;
	return nlh;
}

/* A raw attribute with any payload (length not checked by libmnl's put) */
static void put_raw(struct nlmsghdr *nlh, uint16_t type, const void *p,
		    size_t len)
{
	mnl_attr_put(nlh, type, len, p);
}

static void test_good_reply(void)
{
	uint8_t buf[NL_BUF_LEN];
	struct nlmsghdr *nlh = reply(buf, KTLSO_CMD_ACCEPT);
	struct nl_request req;

	mnl_attr_put_u32(nlh, KTLSO_A_SOCKFD, 7);
	mnl_attr_put_u32(nlh, KTLSO_A_ROLE, KTLSO_ROLE_CLIENT);
	mnl_attr_put_strz(nlh, KTLSO_A_PEER_NAME, "www.example.test");
	mnl_attr_put_strz(nlh, KTLSO_A_ALPN, "h2,http/1.1");
	mnl_attr_put_strz(nlh, KTLSO_A_PROFILE, "web");
	mnl_attr_put_u32(nlh, KTLSO_A_TIMEOUT_MS, 1234);
	mnl_attr_put_u32(nlh, 200, 1);	/* from a newer kernel */
	CHECK(nl_parse_accept(nlh, &req) == 0 && req.fd == 7 &&
		      req.role == KTLSO_ROLE_CLIENT &&
		      !strcmp(req.peer_name, "www.example.test") &&
		      !strcmp(req.alpn, "h2,http/1.1") &&
		      !strcmp(req.profile, "web") && req.timeout_ms == 1234,
	      "a full ACCEPT reply, with an unknown attribute ignored");

	nlh = reply(buf, KTLSO_CMD_ACCEPT);
	mnl_attr_put_u32(nlh, KTLSO_A_SOCKFD, 0);
	mnl_attr_put_u32(nlh, KTLSO_A_ROLE, KTLSO_ROLE_SERVER);
	CHECK(nl_parse_accept(nlh, &req) == 0 && req.fd == 0 &&
		      req.role == KTLSO_ROLE_SERVER && !req.peer_name[0] &&
		      !req.profile[0] &&
		      req.timeout_ms == KTLSO_DEFAULT_TIMEOUT_MS,
	      "minimal reply: fd 0 is valid, strings empty, default timeout");

	nlh = reply(buf, KTLSO_CMD_ACCEPT);
	mnl_attr_put_u32(nlh, KTLSO_A_SOCKFD, 3);
	mnl_attr_put_u32(nlh, KTLSO_A_ROLE, KTLSO_ROLE_SERVER);
	mnl_attr_put_u32(nlh, KTLSO_A_TIMEOUT_MS, 0);
	CHECK(nl_parse_accept(nlh, &req) == 0 && req.timeout_ms == 1,
	      "TIMEOUT_MS 0: the request's time is out, 1 ms left");
}

/* Who asked: the attributes this module version adds to ACCEPT. */
static void test_who(void)
{
	uint8_t buf[NL_BUF_LEN];
	struct nlmsghdr *nlh;
	struct nl_request req;
	uint16_t two = 2;
	int ret;

	nlh = reply(buf, KTLSO_CMD_ACCEPT);
	mnl_attr_put_u32(nlh, KTLSO_A_SOCKFD, 5);
	mnl_attr_put_u32(nlh, KTLSO_A_ROLE, KTLSO_ROLE_SERVER);
	mnl_attr_put_u32(nlh, KTLSO_A_UID, 65534);
	mnl_attr_put_u32(nlh, KTLSO_A_GID, 100);
	mnl_attr_put_u32(nlh, KTLSO_A_GROUP, 27);
	mnl_attr_put_u32(nlh, KTLSO_A_GROUP, 4242);
	mnl_attr_put_u64(nlh, KTLSO_A_NETNS_COOKIE, 0x1122334455667788ull);
	mnl_attr_put_strz(nlh, KTLSO_A_CGROUP, "/system.slice/a.service");
	CHECK(nl_parse_accept(nlh, &req) == 0 && req.who_known &&
		      req.uid == 65534 && req.gid == 100 && req.n_groups == 2 &&
		      req.groups[0] == 27 && req.groups[1] == 4242 &&
		      req.netns_cookie == 0x1122334455667788ull &&
		      !strcmp(req.cgroup, "/system.slice/a.service"),
	      "uid, gid, both groups in order, netns cookie and cgroup");

	nlh = reply(buf, KTLSO_CMD_ACCEPT);
	mnl_attr_put_u32(nlh, KTLSO_A_SOCKFD, 5);
	mnl_attr_put_u32(nlh, KTLSO_A_ROLE, KTLSO_ROLE_SERVER);
	mnl_attr_put_u32(nlh, KTLSO_A_GID, 100);
	CHECK(nl_parse_accept(nlh, &req) == 0 && !req.who_known &&
		      !req.n_groups && !req.cgroup[0],
	      "no UID (an older module): who is not known");

	nlh = reply(buf, KTLSO_CMD_ACCEPT);
	mnl_attr_put_u32(nlh, KTLSO_A_SOCKFD, 5);
	mnl_attr_put_u32(nlh, KTLSO_A_ROLE, KTLSO_ROLE_SERVER);
	mnl_attr_put_u32(nlh, KTLSO_A_UID, 1000);
	mnl_attr_put_u32(nlh, KTLSO_A_GID, 1000);
	for (int i = 0; i <= KTLSO_GROUPS_MAX; i++)
		mnl_attr_put_u32(nlh, KTLSO_A_GROUP, i);
	ret = nl_parse_accept(nlh, &req);
	CHECK(ret == -EBADMSG && req.fd == 5,
	      "more than KTLSO_GROUPS_MAX groups: EBADMSG, fd to close");

	nlh = reply(buf, KTLSO_CMD_ACCEPT);
	mnl_attr_put_u32(nlh, KTLSO_A_SOCKFD, 5);
	mnl_attr_put_u32(nlh, KTLSO_A_ROLE, KTLSO_ROLE_SERVER);
	put_raw(nlh, KTLSO_A_UID, &two, sizeof(two));
	mnl_attr_put_u32(nlh, KTLSO_A_GID, 1000);
	CHECK(nl_parse_accept(nlh, &req) == -EBADMSG && req.fd == 5,
	      "a 2-byte UID: EBADMSG");
}

struct hostile {
	const char *what;
	int want;		/* nl_parse_accept()'s return */
	int want_fd;		/* what the caller must close, -1: none */
};

static void hostile(const struct hostile *h, struct nlmsghdr *nlh)
{
	struct nl_request req;
	int ret = nl_parse_accept(nlh, &req);

	CHECK(ret == h->want && req.fd == h->want_fd,
	      "%s: %s, fd %d", h->what, strerror(-h->want), h->want_fd);
	if (ret != h->want || req.fd != h->want_fd)
		printf("    got %d (%s), fd %d\n", ret, strerror(-ret), req.fd);
}

static void test_hostile_replies(void)
{
	char longname[KTLSO_NAME_MAX + 10];
	uint8_t buf[NL_BUF_LEN];
	struct nlmsghdr *nlh;
	uint16_t two = 2;
	char unterminated[4] = { 'a', 'b', 'c', 'd' };

	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';

	nlh = reply(buf, KTLSO_CMD_ACCEPT);
	mnl_attr_put_u32(nlh, KTLSO_A_ROLE, KTLSO_ROLE_CLIENT);
	hostile(&(struct hostile){ "no SOCKFD", -EBADMSG, -1 }, nlh);

	nlh = reply(buf, KTLSO_CMD_ACCEPT);
	mnl_attr_put_u32(nlh, KTLSO_A_SOCKFD, 9);
	hostile(&(struct hostile){ "no ROLE: fd handed back to close",
				   -EBADMSG, 9 }, nlh);

	nlh = reply(buf, KTLSO_CMD_ACCEPT);
	mnl_attr_put_u32(nlh, KTLSO_A_SOCKFD, 9);
	mnl_attr_put_u32(nlh, KTLSO_A_ROLE, 3);
	hostile(&(struct hostile){ "ROLE 3", -EINVAL, 9 }, nlh);

	nlh = reply(buf, KTLSO_CMD_ACCEPT);
	mnl_attr_put_u32(nlh, KTLSO_A_SOCKFD, 9);
	mnl_attr_put_u32(nlh, KTLSO_A_ROLE, KTLSO_ROLE_CLIENT);
	put_raw(nlh, KTLSO_A_PEER_NAME, unterminated, sizeof(unterminated));
	hostile(&(struct hostile){ "PEER_NAME without its NUL", -EBADMSG, 9 },
		nlh);

	nlh = reply(buf, KTLSO_CMD_ACCEPT);
	mnl_attr_put_u32(nlh, KTLSO_A_SOCKFD, 9);
	mnl_attr_put_u32(nlh, KTLSO_A_ROLE, KTLSO_ROLE_CLIENT);
	mnl_attr_put_strz(nlh, KTLSO_A_PEER_NAME, longname);
	hostile(&(struct hostile){ "PEER_NAME longer than KTLSO_NAME_MAX",
				   -EINVAL, 9 }, nlh);

	nlh = reply(buf, KTLSO_CMD_ACCEPT);
	mnl_attr_put_u32(nlh, KTLSO_A_SOCKFD, 9);
	put_raw(nlh, KTLSO_A_ROLE, &two, sizeof(two));
	hostile(&(struct hostile){ "ROLE of 2 bytes", -EBADMSG, 9 }, nlh);

	nlh = reply(buf, KTLSO_CMD_ACCEPT);
	put_raw(nlh, KTLSO_A_SOCKFD, &two, sizeof(two));
	mnl_attr_put_u32(nlh, KTLSO_A_ROLE, KTLSO_ROLE_CLIENT);
	hostile(&(struct hostile){ "SOCKFD of 2 bytes", -EBADMSG, -1 }, nlh);

	nlh = reply(buf, KTLSO_CMD_ACCEPT);
	mnl_attr_put_u32(nlh, KTLSO_A_SOCKFD, (uint32_t)-5);
	mnl_attr_put_u32(nlh, KTLSO_A_ROLE, KTLSO_ROLE_CLIENT);
	hostile(&(struct hostile){ "negative SOCKFD", -EBADMSG, -1 }, nlh);

	nlh = reply(buf, KTLSO_CMD_READY);
	mnl_attr_put_u32(nlh, KTLSO_A_SOCKFD, 9);
	mnl_attr_put_u32(nlh, KTLSO_A_ROLE, KTLSO_ROLE_CLIENT);
	hostile(&(struct hostile){ "a READY where the reply should be",
				   -EBADMSG, -1 }, nlh);

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = FAMILY;
	mnl_nlmsg_put_extra_header(nlh, 2);
	hostile(&(struct hostile){ "shorter than a genl header", -EBADMSG, -1 },
		nlh);
}

/* DONE read back: every attribute, with its type checked. */
struct done_seen {
	uint32_t fd, status, alert;
	uint16_t version, suite;
	uint8_t verified;
	int resumed;		/* 0: absent, else the value + 1 */
	const char *alpn, *subject;
	int n;
};

static int done_attr(const struct nlattr *a, void *data)
{
	struct done_seen *s = data;

	s->n++;
	switch (mnl_attr_get_type(a)) {
	case KTLSO_A_SOCKFD:
		s->fd = mnl_attr_get_u32(a);
		return mnl_attr_validate(a, MNL_TYPE_U32) ? MNL_CB_ERROR : MNL_CB_OK;
	case KTLSO_A_STATUS:
		s->status = mnl_attr_get_u32(a);
		return mnl_attr_validate(a, MNL_TYPE_U32) ? MNL_CB_ERROR : MNL_CB_OK;
	case KTLSO_A_ALERT:
		s->alert = mnl_attr_get_u32(a);
		return mnl_attr_validate(a, MNL_TYPE_U32) ? MNL_CB_ERROR : MNL_CB_OK;
	case KTLSO_A_VERSION:
		s->version = mnl_attr_get_u16(a);
		return mnl_attr_validate(a, MNL_TYPE_U16) ? MNL_CB_ERROR : MNL_CB_OK;
	case KTLSO_A_CIPHER_SUITE:
		s->suite = mnl_attr_get_u16(a);
		return mnl_attr_validate(a, MNL_TYPE_U16) ? MNL_CB_ERROR : MNL_CB_OK;
	case KTLSO_A_PEER_VERIFIED:
		s->verified = mnl_attr_get_u8(a);
		return mnl_attr_validate(a, MNL_TYPE_U8) ? MNL_CB_ERROR : MNL_CB_OK;
	case KTLSO_A_RESUMED:
		s->resumed = mnl_attr_get_u8(a) + 1;
		return mnl_attr_validate(a, MNL_TYPE_U8) ? MNL_CB_ERROR : MNL_CB_OK;
	case KTLSO_A_ALPN:
		s->alpn = mnl_attr_get_str(a);
		return mnl_attr_validate(a, MNL_TYPE_NUL_STRING) ? MNL_CB_ERROR : MNL_CB_OK;
	case KTLSO_A_PEER_SUBJECT:
		s->subject = mnl_attr_get_str(a);
		return mnl_attr_validate(a, MNL_TYPE_NUL_STRING) ? MNL_CB_ERROR : MNL_CB_OK;
	default:
		return MNL_CB_ERROR;
	}
}

static void test_done_message(void)
{
	uint8_t buf[NL_BUF_LEN];
	const struct nl_done ok = {
		.fd = 11, .status = 0, .alert = -1, .version = 0x0304,
		.cipher_suite = 0x1301, .alpn = "h2",
		.peer_subject = "CN=client", .peer_verified = true,
		.resumed = true,
	};
	const struct nl_done failed = {
		.fd = 12, .status = EKEYREJECTED, .alert = 42,
		.version = 0x0304, .alpn = "h2",
	};
	struct done_seen s = { 0 };
	struct nlmsghdr *nlh = nl_done_msg(buf, FAMILY, &ok);
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);

	CHECK(nlh->nlmsg_type == FAMILY &&
		      (nlh->nlmsg_flags & (NLM_F_REQUEST | NLM_F_ACK)) ==
			      (NLM_F_REQUEST | NLM_F_ACK) &&
		      g->cmd == KTLSO_CMD_DONE,
	      "DONE: a request to our family, acknowledged");
	CHECK(mnl_attr_parse(nlh, sizeof(*g), done_attr, &s) == MNL_CB_OK &&
		      s.n == 9 && s.fd == 11 && s.status == 0 &&
		      (int32_t)s.alert == -1 && s.version == 0x0304 &&
		      s.suite == 0x1301 && s.verified == 1 &&
		      s.alpn && !strcmp(s.alpn, "h2") && s.subject &&
		      !strcmp(s.subject, "CN=client") && s.resumed == 2,
	      "DONE on success: all nine attributes, typed, RESUMED 1");

	memset(&s, 0, sizeof(s));
	nlh = nl_done_msg(buf, FAMILY, &failed);
	CHECK(mnl_attr_parse(nlh, sizeof(*g), done_attr, &s) == MNL_CB_OK &&
		      s.n == 3 && s.fd == 12 && s.status == EKEYREJECTED &&
		      !s.resumed &&
		      s.alert == 42,
	      "DONE on failure: SOCKFD, STATUS and ALERT only");
}

static void test_no_module(void)
{
	char err[256] = "";
	struct nl nl;
	int ret = nl_open(&nl, false, err, sizeof(err));

	/* Only meaningful where ktlso.ko is not loaded: the unit-test host. */
	if (!ret) {
		nl_close(&nl);
		CHECK(access("/sys/module/ktlso", F_OK) == 0,
		      "family ktlso resolved: the module is loaded");
		return;
	}
	CHECK(ret == -ENOENT &&
		      !strcmp(err, "genetlink family ktlso not found: "
				   "is ktlso.ko loaded?"),
	      "no ktlso.ko: \"%s\"", err);
}

int main(void)
{
	test_good_reply();
	test_who();
	test_hostile_replies();
	test_done_message();
	test_no_module();
	return check_summary();
}
