// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "ktlso" through which ktlsod serves handshake
 * requests (spec: Documentation/netlink/specs/ktlso.yaml; UAPI in
 * <linux/ktlso.h>), modelled on the kernel's net/handshake:
 *
 *   READY   multicast on group "handshake" when a request is queued
 *   ACCEPT  a daemon takes the oldest request of its namespace; the reply
 *           carries the request's parameters and the number of a new fd,
 *           installed in the daemon once the reply is on its way
 *   DONE    the daemon reports the outcome for an fd it accepted
 *   TICKET  multicast: a NewSessionTicket a client socket received
 *           (posths.c), for the daemon that keeps sessions
 *
 * Joining the group, ACCEPT and DONE need CAP_NET_ADMIN in the
 * namespace's user namespace.
 * A daemon whose netlink socket closes (it died) fails what it had
 * accepted, through the netlink notifier.
 *
 * ACCEPT also says who asked, for ktlsod's access control: the
 * credentials of the socket's file, its network namespace and its cgroup.
 * All three are fixed for the socket's life (the file's f_cred is set at
 * open, the cgroup at the socket's creation), so they are read from the
 * file the request holds when it is handed over, in the daemon's context
 * where the ids and the path are mapped into the daemon's namespaces;
 * nothing is copied or kept per request.
 */
#include <linux/cgroup.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/ktlso.h>
#include <linux/limits.h>
#include <linux/net.h>
#include <linux/netlink.h>
#include <linux/notifier.h>
#include <linux/nsproxy.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <linux/sock_diag.h>
#include <net/sock.h>

#include "ktlso.h"

static const struct nla_policy policy[KTLSO_A_MAX + 1] = {
	[KTLSO_A_SOCKFD] = { .type = NLA_S32 },
	[KTLSO_A_STATUS] = NLA_POLICY_MAX(NLA_U32, 4095),
	[KTLSO_A_ALERT] = { .type = NLA_S32 },
	[KTLSO_A_VERSION] = { .type = NLA_U16 },
	[KTLSO_A_CIPHER_SUITE] = { .type = NLA_U16 },
	[KTLSO_A_ALPN] = { .type = NLA_NUL_STRING, .len = KTLSO_ALPN_MAX - 1 },
	[KTLSO_A_PEER_SUBJECT] = { .type = NLA_NUL_STRING,
				   .len = KTLSO_NAME_MAX - 1 },
	[KTLSO_A_PEER_VERIFIED] = NLA_POLICY_MAX(NLA_U8, 1),
	[KTLSO_A_RESUMED] = NLA_POLICY_MAX(NLA_U8, 1),
	[KTLSO_A_TX_SECRET] = { .type = NLA_BINARY, .len = KTLSO_HASH_MAX },
	[KTLSO_A_RX_SECRET] = { .type = NLA_BINARY, .len = KTLSO_HASH_MAX },
	[KTLSO_A_REKEY_AFTER] = { .type = NLA_U64 },
};

static struct genl_family family;

enum { MCGRP_HANDSHAKE };

/*
 * A member of the group counts as a daemon (ktlso_upcall_has_daemon()):
 * requests are queued, and hold their sockets, only while one listens.
 * The flag came with 6.7 and is in 6.1's stable series (Debian's
 * 6.1.0-57 checks it on join); a kernel without it fails to build here.
 */
static const struct genl_multicast_group mcgrps[] = {
	[MCGRP_HANDSHAKE] = { .name = KTLSO_GENL_MCGRP,
			      .flags = GENL_MCAST_CAP_NET_ADMIN },
};

bool ktlso_upcall_has_daemon(struct net *net)
{
	return genl_has_listeners(&family, net, MCGRP_HANDSHAKE);
}

/* READY: best effort; a daemon also finds requests by ACCEPTing. */
void ktlso_upcall_notify(struct net *net)
{
	struct sk_buff *skb = genlmsg_new(0, GFP_KERNEL);
	void *hdr;

	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &family, 0, KTLSO_CMD_READY);
	if (!hdr) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&family, net, skb, 0, MCGRP_HANDSHAKE,
				GFP_KERNEL);
}

/**
 * ktlso_upcall_ticket() - TICKET: hand a NewSessionTicket to the daemons
 * @sk: the client socket that received it
 * @req: the request the connection was made for (peer name, profile)
 * @msg: the whole NewSessionTicket message
 * @len: its length
 *
 * Best effort, like READY: with no daemon listening the ticket is dropped.
 * The socket's cookie (SO_COOKIE, which the daemon read during the
 * handshake) tells the daemon which connection's secrets the ticket
 * belongs to: several connections may share a peer name and profile.
 *
 * Return: 0, or -errno.
 */
int ktlso_upcall_ticket(struct sock *sk, const struct ktlso_handshake_req *req,
			const u8 *msg, unsigned int len)
{
	struct net *net = sock_net(sk);
	struct sk_buff *skb;
	__u32 cookie[2];
	void *hdr;

	if (!ktlso_upcall_has_daemon(net))
		return -ESRCH;
	/* The same number SO_COOKIE gives (sock_gen_cookie) */
	sock_diag_save_cookie(sk, cookie);
	skb = genlmsg_new(nla_total_size(KTLSO_NAME_MAX) +
			  nla_total_size(KTLSO_PROFILE_MAX) + nla_total_size(len) +
			  nla_total_size_64bit(sizeof(u64)),
			  GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	hdr = genlmsg_put(skb, 0, 0, &family, 0, KTLSO_CMD_TICKET);
	if (!hdr || nla_put_string(skb, KTLSO_A_PEER_NAME, req->peer_name) ||
	    nla_put_string(skb, KTLSO_A_PROFILE, req->profile) ||
	    nla_put(skb, KTLSO_A_TICKET, len, msg) ||
	    nla_put_u64_64bit(skb, KTLSO_A_SOCK_COOKIE,
			      (u64)cookie[1] << 32 | cookie[0], KTLSO_A_PAD)) {
		nlmsg_free(skb);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return genlmsg_multicast_netns(&family, net, skb, 0, MCGRP_HANDSHAKE,
				       GFP_KERNEL);
}

static int put_request(struct sk_buff *skb, int fd,
		       const struct ktlso_handshake *hs, u32 timeout_ms)
{
	const struct ktlso_handshake_req *req = &hs->req;

	if (nla_put_s32(skb, KTLSO_A_SOCKFD, fd) ||
	    nla_put_u32(skb, KTLSO_A_ROLE, req->role) ||
	    nla_put_string(skb, KTLSO_A_PEER_NAME, req->peer_name) ||
	    nla_put_string(skb, KTLSO_A_ALPN, req->alpn) ||
	    nla_put_string(skb, KTLSO_A_PROFILE, req->profile) ||
	    nla_put_u32(skb, KTLSO_A_TIMEOUT_MS, timeout_ms))
		return -EMSGSIZE;
	return 0;
}

/* The largest ACCEPT reply: the request, then who asked at their longest. */
#define ACCEPT_SIZE							\
	(4 * nla_total_size(sizeof(u32)) +				\
	 nla_total_size(KTLSO_NAME_MAX) + nla_total_size(KTLSO_ALPN_MAX) + \
	 nla_total_size(KTLSO_PROFILE_MAX) +				\
	 (2 + KTLSO_GROUPS_MAX) * nla_total_size(sizeof(u32)) +	\
	 nla_total_size_64bit(sizeof(u64)) + nla_total_size(PATH_MAX))

/*
 * The cgroup v2 path of @sk as the daemon (current) sees it, in @buf
 * (PATH_MAX bytes). Return: true when it fits. The socket's cgroup, not
 * the asking task's: like the file's credentials, it belongs to whoever
 * made the socket, so handing a socket to a process elsewhere lends it
 * nothing (Documentation/handshake.rst).
 */
static bool socket_cgroup(struct sock *sk, char *buf)
{
#ifdef CONFIG_SOCK_CGROUP_DATA
	int len = cgroup_path_ns(sock_cgroup_ptr(&sk->sk_cgrp_data), buf,
				 PATH_MAX, current->nsproxy->cgroup_ns);

	return len > 0 && len < PATH_MAX;
#else
	return false;
#endif
}

/*
 * Who asked, from the socket's file (@file, whose f_cred are those of
 * whoever opened the socket: a setuid program handed someone else's socket
 * asks with that someone's rights), ids mapped into @ns, the user namespace
 * of the daemon's netlink socket.
 */
static int put_requester(struct sk_buff *skb, struct file *file,
			 struct sock *sk, struct user_namespace *ns,
			 char *path)
{
	const struct cred *cred = file->f_cred;
	const struct group_info *groups = cred->group_info;
	int i, n = min_t(int, groups->ngroups, KTLSO_GROUPS_MAX);

	if (nla_put_u32(skb, KTLSO_A_UID, from_kuid_munged(ns, cred->euid)) ||
	    nla_put_u32(skb, KTLSO_A_GID, from_kgid_munged(ns, cred->egid)) ||
	    nla_put_u64_64bit(skb, KTLSO_A_NETNS_COOKIE,
			      sock_net(sk)->net_cookie, KTLSO_A_PAD))
		return -EMSGSIZE;
	for (i = 0; i < n; i++)
		if (nla_put_u32(skb, KTLSO_A_GROUP,
				from_kgid_munged(ns, groups->gid[i])))
			return -EMSGSIZE;
	if (socket_cgroup(sk, path) && nla_put_string(skb, KTLSO_A_CGROUP, path))
		return -EMSGSIZE;
	return 0;
}

static int accept_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct user_namespace *ns = sk_user_ns(NETLINK_CB(skb).sk);
	struct net *net = genl_info_net(info);
	struct ktlso_handshake *hs;
	struct sk_buff *reply;
	struct file *file;
	char *path;
	long left;
	void *hdr;
	int fd, err;

	/* All that can fail for want of memory, before taking a request. */
	reply = genlmsg_new(ACCEPT_SIZE, GFP_KERNEL_ACCOUNT);
	if (!reply)
		return -ENOMEM;
	err = -ENOMEM;
	path = kmalloc(PATH_MAX, GFP_KERNEL_ACCOUNT);
	if (!path)
		goto err_reply;
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		err = fd;
		goto err_path;
	}
	hs = ktlso_hs_take(net, info->snd_portid, &file);
	if (!hs) {
		err = -ENOENT;
		goto err_fd;
	}
	left = (long)hs->timer.expires - (long)jiffies;
	hdr = genlmsg_put_reply(reply, info, &family, 0, KTLSO_CMD_ACCEPT);
	err = -EMSGSIZE;
	if (!hdr || put_request(reply, fd, hs,
				jiffies_to_msecs(left > 0 ? left : 0)) ||
	    put_requester(reply, file, hs->sk, ns, path))
		goto err_request;
	kfree(path);
	path = NULL;
	genlmsg_end(reply, hdr);
	/*
	 * Reply first: an installed fd cannot be taken back, so one whose
	 * number never reached the daemon (its receive queue full) would
	 * leak into it.
	 */
	err = genlmsg_reply(reply, info);
	reply = NULL;		/* consumed, delivered or not */
	if (err)
		goto err_request;
	fd_install(fd, file);
	return 0;

err_request:
	/* The request is the daemon's now and cannot go back: fail it. */
	(void)ktlso_hs_fail(hs, ECONNABORTED);
	fput(file);
err_fd:
	put_unused_fd(fd);
err_path:
	kfree(path);
err_reply:
	nlmsg_free(reply);
	return err;
}

static void nla_strscpy_opt(char *dst, const struct nlattr *a, size_t size)
{
	if (a)
		nla_strscpy(dst, a, size);
}

/*
 * The traffic secrets of a TLS 1.3 DONE, for kernel-owned key updates:
 * NULL when there are none, ERR_PTR(-EINVAL) for secrets of different
 * lengths or not the suite's hash length.
 */
static struct ktlso_ku *done_secrets(struct nlattr **a)
{
	const struct nlattr *tx = a[KTLSO_A_TX_SECRET], *rx = a[KTLSO_A_RX_SECRET];

	if (!tx && !rx)
		return NULL;
	if (!tx || !rx || nla_len(tx) != nla_len(rx) || !a[KTLSO_A_CIPHER_SUITE])
		return ERR_PTR(-EINVAL);
	return ktlso_ku_new(nla_get_u16(a[KTLSO_A_CIPHER_SUITE]), nla_data(tx),
			    nla_data(rx), nla_len(tx),
			    a[KTLSO_A_REKEY_AFTER] ?
			    nla_get_u64(a[KTLSO_A_REKEY_AFTER]) : 0);
}

static int done_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct ktlso_handshake_status result = { 0 };
	struct nlattr **a = info->attrs;
	struct ktlso_ku *ku;
	struct socket *sock;
	int err, fd;

	if (GENL_REQ_ATTR_CHECK(info, KTLSO_A_SOCKFD) ||
	    GENL_REQ_ATTR_CHECK(info, KTLSO_A_STATUS))
		return -EINVAL;
	ku = done_secrets(a);
	if (IS_ERR(ku))
		return PTR_ERR(ku);
	fd = nla_get_s32(a[KTLSO_A_SOCKFD]);
	sock = sockfd_lookup(fd, &err);
	if (!sock) {
		ktlso_ku_free(ku);
		return err;
	}
	if (a[KTLSO_A_VERSION])
		result.version = nla_get_u16(a[KTLSO_A_VERSION]);
	if (a[KTLSO_A_CIPHER_SUITE])
		result.cipher_suite = nla_get_u16(a[KTLSO_A_CIPHER_SUITE]);
	if (a[KTLSO_A_PEER_VERIFIED])
		result.peer_verified = nla_get_u8(a[KTLSO_A_PEER_VERIFIED]);
	if (a[KTLSO_A_RESUMED])
		result.resumed = nla_get_u8(a[KTLSO_A_RESUMED]);
	nla_strscpy_opt(result.alpn, a[KTLSO_A_ALPN], sizeof(result.alpn));
	nla_strscpy_opt(result.peer_subject, a[KTLSO_A_PEER_SUBJECT],
			sizeof(result.peer_subject));
	err = ktlso_hs_done(sock->sk, genl_info_net(info), info->snd_portid,
			    &result,
			    nla_get_u32(a[KTLSO_A_STATUS]),
			    a[KTLSO_A_ALERT] ? nla_get_s32(a[KTLSO_A_ALERT]) :
					       -1, ku);
	sockfd_put(sock);
	return err;
}

static const struct genl_small_ops ops[] = {
	{
		.cmd = KTLSO_CMD_ACCEPT,
		.doit = accept_doit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = KTLSO_CMD_DONE,
		.doit = done_doit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

static struct genl_family family __ro_after_init = {
	.name = KTLSO_GENL_NAME,
	.version = KTLSO_GENL_VERSION,
	.maxattr = KTLSO_A_MAX,
	.policy = policy,
	.netnsok = true,
	.module = THIS_MODULE,
	.small_ops = ops,
	.n_small_ops = ARRAY_SIZE(ops),
	.mcgrps = mcgrps,
	.n_mcgrps = ARRAY_SIZE(mcgrps),
};

static int netlink_event(struct notifier_block *nb, unsigned long event,
			 void *ptr)
{
	struct netlink_notify *n = ptr;

	if (event == NETLINK_URELEASE && n->protocol == NETLINK_GENERIC)
		ktlso_hs_daemon_gone(n->net, n->portid);
	return NOTIFY_DONE;
}

static struct notifier_block netlink_nb = {
	.notifier_call = netlink_event,
};

int __init ktlso_upcall_init(void)
{
	int err = genl_register_family(&family);

	if (err)
		return err;
	err = netlink_register_notifier(&netlink_nb);
	if (err)
		genl_unregister_family(&family);
	return err;
}

void ktlso_upcall_exit(void)
{
	netlink_unregister_notifier(&netlink_nb);
	genl_unregister_family(&family);
}
