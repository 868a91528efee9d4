/* SPDX-License-Identifier: MIT */
/*
 * ktlsod's side of the generic netlink family "ktlso"
 * (include/uapi/linux/ktlso.h, Documentation/netlink/specs/ktlso.yaml):
 *
 *   kernel ──READY, TICKET (multicast "handshake")──► nl_drain()
 *   nl_accept() ──ACCEPT──► kernel ──reply: SOCKFD, request──► nl_request
 *   nl_done()   ──DONE {SOCKFD, STATUS, ALERT, details}──► kernel
 *
 * Two sockets: one joined to the multicast group that only ever reads
 * notifications, and one for requests, where every request waits for its
 * acknowledgement before the next is sent, so replies never mix with
 * notifications. Every attribute of a reply is type- and length-checked
 * (mnl_attr_validate) before it is read.
 */
#ifndef KTLSOD_NETLINK_H
#define KTLSOD_NETLINK_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/ktlso.h>
#include <linux/netlink.h>

#include "crypto/secret.h"
#include "try.h"

struct mnl_socket;

/* A message buffer: libmnl's MNL_SOCKET_BUFFER_SIZE, as a constant. */
#define NL_BUF_LEN 8192

struct nl {
	struct mnl_socket *sock;
	uint16_t family;
	uint32_t group;		/* the "handshake" multicast group */
	uint32_t portid;
	uint32_t seq;
};

/* One handshake the kernel handed over with ACCEPT. */
struct nl_request {
	int fd;			/* the socket, now ours; -1: none */
	uint32_t role;		/* enum ktlso_role */
	uint32_t timeout_ms;	/* what is left of the request's time, >= 1 */
	char peer_name[KTLSO_NAME_MAX];
	char alpn[KTLSO_ALPN_MAX];
	char profile[KTLSO_PROFILE_MAX];
	/* Who asked: false from a module that does not say (then only an
	 * open profile serves the request). */
	bool who_known;
	uint32_t uid, gid;
	uint32_t groups[KTLSO_GROUPS_MAX];
	size_t n_groups;
	uint64_t netns_cookie;
	char cgroup[PATH_MAX];	/* "": not reported */
};

/* What DONE reports. */
struct nl_done {
	int fd;
	uint32_t status;	/* 0 or a positive errno */
	int32_t alert;		/* -1: none */
	uint16_t version;	/* 0 on failure */
	uint16_t cipher_suite;
	const char *alpn;	/* NULL or "": none */
	const char *peer_subject;
	bool peer_verified;
	bool resumed;		/* a session resumed, not a full handshake */
	/* TLS 1.3: the application traffic secrets, for the kernel's key
	 * updates; NULL: none (TLS 1.2). Borrowed, not copied.
	 */
	const struct secret *tx_secret, *rx_secret;
	uint64_t rekey_after;	/* bytes; 0: the AEAD's limit only */
};

/*
 * Open a socket and resolve the family and its group; join the group when
 * join is set. -ENOENT with "genetlink family ktlso not found: is ktlso.ko
 * loaded?" in err when the module is not there.
 */
int nl_open(struct nl *nl, bool join, char *err, size_t errlen) WUR;
void nl_close(struct nl *nl);
int nl_fd(const struct nl *nl);

/* A TICKET notification: a NewSessionTicket a client socket received. */
struct nl_ticket {
	const char *peer_name;	/* "" when absent */
	const char *profile;
	const uint8_t *msg;	/* the whole message, its 4-byte header first */
	size_t len;
	uint64_t cookie;	/* the socket's SO_COOKIE; 0: absent (an
				 * older module) */
};
typedef void (*nl_ticket_cb)(const struct nl_ticket *t, void *data);

/*
 * Read every notification waiting on a joined socket (never blocks),
 * handing each TICKET to on_ticket. Returns how many READY there were (a
 * lost notification, -ENOBUFS, counts as one), or -errno.
 */
int nl_drain(struct nl *nl, nl_ticket_cb on_ticket, void *data) WUR;

/*
 * Take one pending request. -ENOENT: none is pending (another daemon took
 * it); -EPERM: no CAP_NET_ADMIN. On any failure req->fd is -1 unless the
 * kernel did hand over a socket with a reply we could not use: the caller
 * then reports it DONE with EINVAL and closes it.
 */
int nl_accept(struct nl *nl, struct nl_request *req) WUR;

/* Report a handshake's end. The fd stays open: the caller closes it. */
int nl_done(struct nl *nl, const struct nl_done *d) WUR;

/* DONE's message, built in buf (NL_BUF_LEN bytes), for tests. */
struct nlmsghdr *nl_done_msg(void *buf, uint16_t family,
			     const struct nl_done *d);

/* The ACCEPT reply's parser, for tests: 0 or -EBADMSG / -EINVAL. */
int nl_parse_accept(const struct nlmsghdr *nlh, struct nl_request *req) WUR;

/* Whether this process may ACCEPT (CAP_NET_ADMIN in its effective set). */
bool nl_may_accept(void);

#endif /* KTLSOD_NETLINK_H */
