// SPDX-License-Identifier: GPL-2.0
/*
 * The handshake an application asks for with setsockopt(SOL_TLS,
 * KTLSO_HANDSHAKE): a request is queued for ktlsod (upcall.c), the daemon
 * takes the socket, runs the TLS handshake on its plain TCP bytes, installs
 * the keys with TLS_TX/TLS_RX and reports DONE; the application is woken
 * with the result.
 *
 *   NONE ──setsockopt──► PENDING ──ACCEPT──► ACCEPTED ──DONE(0)──► DONE
 *                           │                   │
 *                           └── timeout, signal, daemon gone, ──► FAILED
 *                               DONE(errno)
 *
 * While a request is open the application's own reads and writes wait (or
 * get EAGAIN): only the daemon that accepted it may move bytes, so neither
 * side can steal the other's handshake bytes and no plaintext ever leaves
 * before the keys are in. A failed socket stays unusable (ECONNABORTED).
 *
 * Lifetime: a PENDING request holds a reference on the socket's file, which
 * ACCEPT hands to the daemon's new fd; the request itself lives in the
 * context until the socket is closed. The timeout timer holds a socket
 * reference while armed. States and lists move only under hs_lock, one lock
 * for all requests (handshakes are few and the sections tiny), so the timer
 * (softirq) and the netlink handlers (process context) agree on who wins.
 */
#include <linux/file.h>
#include <linux/ktlso.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/tls.h>
#include <net/netns/generic.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "compat.h"
#include "ktlso.h"

#define MAX_TIMEOUT_MS (10 * 60 * 1000)
/* The last errno <uapi/asm-generic/errno.h> names; above it are the kernel's own. */
#define MAX_USER_ERRNO EHWPOISON

static DEFINE_SPINLOCK(hs_lock);
static LIST_HEAD(pending);	/* PENDING requests, oldest first */
static LIST_HEAD(accepted);	/* ACCEPTED requests, for a vanishing daemon */

/*
 * A PENDING request holds its socket's file until a daemon takes it or it
 * times out, whether the application keeps its fd or not: without a bound
 * anyone could pin sockets past RLIMIT_NOFILE for the timeout.
 */
static unsigned int max_pending = 1024;
module_param(max_pending, uint, 0644);
MODULE_PARM_DESC(max_pending,
		 "PENDING handshake requests per network namespace; beyond, KTLSO_HANDSHAKE fails with EAGAIN (default 1024)");

static unsigned int hs_net_id;

struct hs_net {
	unsigned int pending;	/* PENDING requests, under hs_lock */
};

static unsigned int *pending_count(struct net *net)
{
	return &((struct hs_net *)net_generic(net, hs_net_id))->pending;
}

/* Count a new request against @net's quota: 0 or -EAGAIN. */
static int pending_reserve(struct net *net)
{
	unsigned int *count = pending_count(net);
	int err = -EAGAIN;

	spin_lock_bh(&hs_lock);
	if (*count < READ_ONCE(max_pending)) {
		(*count)++;
		err = 0;
	}
	spin_unlock_bh(&hs_lock);
	return err;
}

static void pending_release_locked(struct net *net)
{
	(*pending_count(net))--;
}

static void wake_socket(struct sock *sk)
{
	struct socket_wq *wq;

	rcu_read_lock();
	wq = rcu_dereference(sk->sk_wq);
	if (skwq_has_sleeper(wq))
		wake_up_interruptible_all(&wq->wait);
	rcu_read_unlock();
}

static bool final(const struct ktlso_handshake *hs)
{
	u32 state = READ_ONCE(hs->state);

	return state == KTLSO_HS_DONE || state == KTLSO_HS_FAILED;
}

/* The daemon that accepted the request, moving its handshake bytes. */
static bool is_daemon(const struct ktlso_handshake *hs)
{
	return READ_ONCE(hs->state) == KTLSO_HS_ACCEPTED &&
	       READ_ONCE(hs->daemon_tgid) == current->tgid;
}

/*
 * Move to a final state. Whoever gets here first decides; the loser's
 * result is dropped (-ESTALE). Called with hs_lock held.
 */
static int finish_locked(struct ktlso_handshake *hs, int error)
{
	if (final(hs))
		return -ESTALE;
	if (hs->state == KTLSO_HS_PENDING)
		pending_release_locked(sock_net(hs->sk));
	list_del_init(&hs->link);
	WRITE_ONCE(hs->error, error);
	WRITE_ONCE(hs->state, error ? KTLSO_HS_FAILED : KTLSO_HS_DONE);
	return 0;
}

/* Drop what a final request no longer needs: its file and its timer. */
static void release_final(struct ktlso_handshake *hs, struct file *file)
{
	struct sock *sk = hs->sk;

	if (file)
		fput(file);
	if (timer_delete(&hs->timer))
		sock_put(sk);
	wake_socket(sk);
}

/**
 * ktlso_hs_fail() - end a request that is not done yet
 * @hs: the request
 * @error: positive errno for the application
 *
 * Return: 0, or -ESTALE when the request had already ended.
 */
int ktlso_hs_fail(struct ktlso_handshake *hs, int error)
{
	struct file *file;
	int ret;

	spin_lock_bh(&hs_lock);
	ret = finish_locked(hs, error);
	file = ret ? NULL : hs->file;
	if (!ret)
		hs->file = NULL;
	spin_unlock_bh(&hs_lock);
	if (!ret)
		release_final(hs, file);
	return ret;
}

static void timeout_fired(struct timer_list *t)
{
	struct ktlso_handshake *hs = from_timer(hs, t, timer);
	struct sock *sk = hs->sk;
	struct file *file = NULL;

	spin_lock(&hs_lock);
	if (!finish_locked(hs, ETIMEDOUT)) {
		file = hs->file;
		hs->file = NULL;
	}
	spin_unlock(&hs_lock);
	/* fput() from softirq defers the final release to a worker. */
	if (file)
		fput(file);
	wake_socket(sk);
	sock_put(sk);
}

/* The request's fields are all checked here, before anything is queued. */
static int read_request(sockptr_t optval, unsigned int optlen,
			struct ktlso_handshake_req *req)
{
	if (optlen != sizeof(*req))
		return -EINVAL;
	if (copy_from_sockptr(req, optval, sizeof(*req)))
		return -EFAULT;
	if (req->role != KTLSO_ROLE_CLIENT && req->role != KTLSO_ROLE_SERVER)
		return -EINVAL;
	if (strnlen(req->peer_name, sizeof(req->peer_name)) == sizeof(req->peer_name) ||
	    strnlen(req->alpn, sizeof(req->alpn)) == sizeof(req->alpn) ||
	    strnlen(req->profile, sizeof(req->profile)) == sizeof(req->profile))
		return -EINVAL;
	if (!req->timeout_ms)
		req->timeout_ms = KTLSO_DEFAULT_TIMEOUT_MS;
	if (req->timeout_ms > MAX_TIMEOUT_MS)
		return -EINVAL;
	return 0;
}

static int queue_request(struct sock *sk, struct ktlso_context *ctx,
			 const struct ktlso_handshake_req *req)
{
	struct ktlso_handshake *hs;

	if (ctx->hs)
		return -EALREADY;
	if (ctx->tx || ctx->rx)
		return -EBUSY;
	if (sk->sk_state != TCP_ESTABLISHED)
		return -ENOTCONN;
	/* Nobody to ask: fail now rather than wait out the timeout. */
	if (!ktlso_upcall_has_daemon(sock_net(sk)))
		return -ECONNREFUSED;

	if (pending_reserve(sock_net(sk)))
		return -EAGAIN;

	hs = kzalloc(sizeof(*hs), GFP_KERNEL);
	if (!hs)
		goto err_reserved;
	hs->sk = sk;
	hs->req = *req;
	hs->alert = -1;
	hs->state = KTLSO_HS_PENDING;
	INIT_LIST_HEAD(&hs->link);
	timer_setup(&hs->timer, timeout_fired, 0);
	hs->file = get_file(sk->sk_socket->file);

	ctx->hs = hs;
	ktlso_proto_update(sk, ctx);
	/*
	 * Linked before the timer is armed, both under hs_lock: a timer that
	 * fires at once must find the request on its list to take it off,
	 * or a FAILED request would stay linked and be freed there.
	 */
	spin_lock_bh(&hs_lock);
	list_add_tail(&hs->link, &pending);
	sock_hold(sk);
	mod_timer(&hs->timer, jiffies + msecs_to_jiffies(req->timeout_ms));
	spin_unlock_bh(&hs_lock);
	return 0;

err_reserved:
	spin_lock_bh(&hs_lock);
	pending_release_locked(sock_net(sk));
	spin_unlock_bh(&hs_lock);
	return -ENOMEM;
}

/**
 * ktlso_hs_request() - setsockopt(SOL_TLS, KTLSO_HANDSHAKE)
 * @sk: the socket, not locked
 * @optval: struct ktlso_handshake_req
 * @optlen: its size, exactly
 *
 * Return: 0 once TLS is up; -EINPROGRESS on a non-blocking socket; or the
 * errno of the failure (see Documentation/handshake.rst).
 */
int ktlso_hs_request(struct sock *sk, sockptr_t optval, unsigned int optlen)
{
	struct ktlso_context *ctx = ktlso_ctx(sk);
	struct ktlso_handshake_req req;
	struct ktlso_handshake *hs;
	bool nonblock;
	int err;

	err = read_request(optval, optlen, &req);
	if (err)
		return err;
	lock_sock(sk);
	err = queue_request(sk, ctx, &req);
	hs = ctx->hs;
	nonblock = sk->sk_socket->file->f_flags & O_NONBLOCK;
	release_sock(sk);
	if (err)
		return err;

	ktlso_upcall_notify(sock_net(sk));
	if (nonblock)
		return -EINPROGRESS;
	if (wait_event_interruptible(*sk_sleep(sk), final(hs))) {
		/* The request dies with the wait: never half set up. */
		if (!ktlso_hs_fail(hs, EINTR))
			return -EINTR;
	}
	return READ_ONCE(hs->state) == KTLSO_HS_DONE ? 0 : -READ_ONCE(hs->error);
}

/* getsockopt(SOL_TLS, KTLSO_HANDSHAKE) */
int ktlso_hs_status(struct sock *sk, char __user *optval, int __user *optlen)
{
	struct ktlso_context *ctx = ktlso_ctx(sk);
	struct ktlso_handshake_status st = { .alert = -1 };
	struct ktlso_handshake *hs;
	int len;

	if (get_user(len, optlen))
		return -EFAULT;
	if (len < (int)sizeof(st))
		return -EINVAL;
	lock_sock(sk);
	hs = ctx->hs;
	if (hs) {
		spin_lock_bh(&hs_lock);
		st = hs->result;
		st.state = final(hs) ? READ_ONCE(hs->state) : KTLSO_HS_IN_PROGRESS;
		st.error = READ_ONCE(hs->error);
		st.alert = hs->alert;
		spin_unlock_bh(&hs_lock);
	}
	release_sock(sk);
	if (put_user(sizeof(st), optlen))
		return -EFAULT;
	return copy_to_user(optval, &st, sizeof(st)) ? -EFAULT : 0;
}

/**
 * ktlso_hs_take() - ACCEPT: hand the oldest pending request of @net over
 * @net: the daemon's network namespace
 * @portid: the daemon's netlink port, to notice when it goes away
 * @file: set to the socket's file; the reference passes to the caller
 *
 * Return: the request, now ACCEPTED, or NULL when none is pending.
 */
struct ktlso_handshake *ktlso_hs_take(struct net *net, u32 portid,
				      struct file **file)
{
	struct ktlso_handshake *hs, *found = NULL;

	spin_lock_bh(&hs_lock);
	list_for_each_entry(hs, &pending, link) {
		if (net_eq(sock_net(hs->sk), net) && hs->file) {
			found = hs;
			break;
		}
	}
	if (found) {
		pending_release_locked(net);
		*file = found->file;
		found->file = NULL;
		found->daemon_portid = portid;
		found->daemon_tgid = current->tgid;
		WRITE_ONCE(found->state, KTLSO_HS_ACCEPTED);
		list_move_tail(&found->link, &accepted);
	}
	spin_unlock_bh(&hs_lock);
	return found;
}

/**
 * ktlso_hs_done() - DONE from the daemon for the socket behind @sk
 * @sk: a socket the daemon holds an fd for
 * @net: the reporting daemon's network namespace
 * @portid: the reporting daemon's netlink port, unique only in @net
 * @result: what the daemon negotiated (state, error and alert unused)
 * @error: 0, or the positive errno of the failure (above EHWPOISON: EPROTO)
 * @alert: the TLS alert sent or received, -1 for none
 * @ku: TLS 1.3 key update state (keyupdate.c), or NULL; always consumed
 *
 * Return: 0; -EINVAL if @sk is not a ktlso socket with a request this
 * daemon accepted; -ESTALE if the request has already ended (timeout,
 * signal); -EPROTO if success is reported without both keys installed.
 */
int ktlso_hs_done(struct sock *sk, struct net *net, u32 portid,
		  const struct ktlso_handshake_status *result, int error,
		  int alert, struct ktlso_ku *ku)
{
	struct ktlso_context *ctx;
	struct ktlso_handshake *hs;
	int ret;

	if (!ktlso_is_ours(sk)) {
		ktlso_ku_free(ku);
		return -EINVAL;
	}
	lock_sock(sk);
	ctx = ktlso_ctx(sk);
	hs = ctx->hs;
	ret = -EINVAL;
	/*
	 * The daemon that accepted it: its port, in its namespace, which is
	 * the socket's (ACCEPT hands out only requests of the caller's).
	 */
	if (!hs || READ_ONCE(hs->state) == KTLSO_HS_PENDING ||
	    hs->daemon_portid != portid || !net_eq(sock_net(sk), net))
		goto out;
	/* Success means both directions are keyed: nothing in clear after. */
	if (!error && (!ctx->tx || !ctx->rx))
		error = EPROTO;
	/*
	 * The application gets only errnos it has names for: a kernel
	 * internal one (ERESTARTSYS, 512, and its kin) would escape from
	 * setsockopt as is. Anything else is a failed handshake.
	 */
	if (error > MAX_USER_ERRNO)
		error = EPROTO;
	/* Before DONE is visible: the application may read from then on.
	 * A request that ended already is failed, and frees it at close.
	 */
	if (!error) {
		ktlso_ku_attach(ctx, ku);
		ku = NULL;
	}
	spin_lock_bh(&hs_lock);
	ret = finish_locked(hs, error);
	if (!ret) {
		hs->result = *result;
		/* The cipher the keys installed, not the daemon's word. */
		hs->result.cipher_type = error ? 0 : ktlso_tx_crypto(ctx)->cipher->type;
		hs->alert = alert;
	}
	spin_unlock_bh(&hs_lock);
	if (!ret) {
		ktlso_proto_update(sk, ctx);
		release_final(hs, NULL);
	}
out:
	release_sock(sk);
	ktlso_ku_free(ku);
	return ret;
}

/*
 * End the oldest request @portid of @net accepted, under hs_lock: a final
 * close may free the request as soon as the lock is dropped, so only its
 * socket, with a reference for the caller, comes out. Return: that socket,
 * or NULL when there is none left.
 */
static struct sock *fail_one_accepted(struct net *net, u32 portid)
{
	struct ktlso_handshake *hs;
	struct sock *sk = NULL;

	spin_lock_bh(&hs_lock);
	list_for_each_entry(hs, &accepted, link) {
		if (hs->daemon_portid != portid || !net_eq(sock_net(hs->sk), net))
			continue;
		sk = hs->sk;
		/* Unlinks it, so the next scan makes progress. */
		(void)finish_locked(hs, ECONNABORTED);
		/* The pending timer's reference becomes ours, or take one. */
		if (!timer_delete(&hs->timer))
			sock_hold(sk);
		break;
	}
	spin_unlock_bh(&hs_lock);
	return sk;
}

/* NETLINK_URELEASE: fail what a daemon accepted and can no longer finish. */
void ktlso_hs_daemon_gone(struct net *net, u32 portid)
{
	struct sock *sk;

	while ((sk = fail_one_accepted(net, portid))) {
		wake_socket(sk);
		sock_put(sk);
	}
}

/**
 * ktlso_hs_gate() - may the caller move bytes on this socket now?
 * @sk: the socket
 * @ctx: its context, with a request (ctx->hs)
 * @nonblock: the caller cannot wait
 *
 * Return: 0 to go ahead; -EAGAIN; -ERESTARTSYS; -ECONNABORTED once the
 * handshake has failed.
 */
int ktlso_hs_gate(struct sock *sk, struct ktlso_context *ctx, bool nonblock)
{
	struct ktlso_handshake *hs = ctx->hs;

	for (;;) {
		u32 state = READ_ONCE(hs->state);

		if (state == KTLSO_HS_DONE)
			return 0;
		if (state == KTLSO_HS_FAILED)
			return -ECONNABORTED;
		if (is_daemon(hs))
			return 0;
		if (nonblock)
			return -EAGAIN;
		if (wait_event_interruptible(*sk_sleep(sk), final(hs)))
			return -ERESTARTSYS;
	}
}

/*
 * The socket's poll and splice_read while ktlso is attached (proto.c
 * installs these in the socket's proto_ops from attach on); without a
 * request or receive keys they are TCP's own. The application sees nothing
 * until the request ends: EPOLLOUT (and whatever the stream holds) after
 * DONE, EPOLLERR after a failure. The daemon that accepted the request sees
 * the plain TCP socket.
 */
__poll_t ktlso_sock_poll(struct file *file, struct socket *sock,
			 poll_table *wait)
{
	struct sock *sk = sock->sk;
	struct ktlso_context *ctx = ktlso_ctx(sk);
	struct ktlso_handshake *hs = READ_ONCE(ctx->hs);
	__poll_t mask;

	if (hs && !is_daemon(hs) && READ_ONCE(hs->state) != KTLSO_HS_DONE) {
		/* Registers the wait; the handshake's end wakes it. */
		mask = tcp_poll(file, sock, wait);
		return READ_ONCE(hs->state) == KTLSO_HS_FAILED ?
			       mask | EPOLLERR : 0;
	}
	if (READ_ONCE(ctx->rx))
		return ktlso_poll(file, sock, wait);
	return tcp_poll(file, sock, wait);
}

ssize_t ktlso_sock_splice_read(struct socket *sock, loff_t *ppos,
			       struct pipe_inode_info *pipe, size_t len,
			       unsigned int flags)
{
	struct sock *sk = sock->sk;
	struct ktlso_context *ctx = ktlso_ctx(sk);
	int err;

	if (READ_ONCE(ctx->hs)) {
		err = ktlso_hs_gate(sk, ctx, flags & SPLICE_F_NONBLOCK);
		if (err)
			return err;
	}
	if (READ_ONCE(ctx->rx))
		return ktlso_splice_read(sock, ppos, pipe, len, flags);
	return ktlso_proto_base_ops(sk)->splice_read(sock, ppos, pipe, len,
						     flags);
}

/* sendmsg/recvmsg of the gated protos (proto.c): the gate, then the real one. */
int ktlso_gated_sendmsg(struct sock *sk, struct msghdr *msg, size_t size)
{
	struct ktlso_context *ctx = ktlso_ctx(sk);
	int err = ktlso_hs_gate(sk, ctx, msg->msg_flags & MSG_DONTWAIT);

	if (err)
		return err;
	return ktlso_proto_ungated(ctx)->sendmsg(sk, msg, size);
}

int ktlso_gated_recvmsg(struct sock *sk, struct msghdr *msg, size_t len,
			int flags, int *addr_len)
{
	struct ktlso_context *ctx = ktlso_ctx(sk);
	int err = ktlso_hs_gate(sk, ctx, flags & MSG_DONTWAIT);

	if (err)
		return err;
	return ktlso_proto_ungated(ctx)->recvmsg(sk, msg, len, flags,
						 addr_len);
}

#ifdef KTLSO_HAVE_PROTO_SENDPAGE
/* Pages wait at the same gate as writes: TCP's own sendpage would put them
 * on the wire in clear.
 */
int ktlso_gated_sendpage(struct sock *sk, struct page *page, int offset,
			 size_t size, int flags)
{
	struct ktlso_context *ctx = ktlso_ctx(sk);
	int err = ktlso_hs_gate(sk, ctx, flags & MSG_DONTWAIT);

	if (err)
		return err;
	return ktlso_proto_ungated(ctx)->sendpage(sk, page, offset, size, flags);
}
#endif

/* close() of the last file: the request cannot outlive its socket. */
void ktlso_hs_release(struct ktlso_context *ctx)
{
	struct ktlso_handshake *hs = ctx->hs;

	if (!hs)
		return;
	(void)ktlso_hs_fail(hs, ECONNABORTED);
	/* A timer callback still running must finish before hs goes. */
	timer_shutdown_sync(&hs->timer);
	ctx->hs = NULL;
	kfree(hs);
}

/* A daemon-established socket never shows its keys (getsockopt TLS_TX/RX). */
bool ktlso_hs_keys_hidden(const struct ktlso_context *ctx)
{
	return ctx->hs != NULL;
}

/* The daemon installs keys while the request is ACCEPTED; nobody else. */
int ktlso_hs_may_install(const struct ktlso_context *ctx)
{
	const struct ktlso_handshake *hs = ctx->hs;

	if (!hs || is_daemon(hs))
		return 0;
	/* After DONE, TLS 1.3 key updates come from the daemon too. */
	return -EBUSY;
}

/* A daemon-established socket: the handshake done, TLS the kernel's to keep. */
bool ktlso_hs_established(const struct ktlso_context *ctx)
{
	const struct ktlso_handshake *hs = READ_ONCE(ctx->hs);

	return hs && READ_ONCE(hs->state) == KTLSO_HS_DONE;
}

/*
 * A fatal alert sent or received after the handshake: what
 * getsockopt(KTLSO_HANDSHAKE) reports as the alert from then on, so that
 * an application told ECONNRESET or EPROTO can say which.
 */
void ktlso_hs_set_alert(const struct ktlso_context *ctx, int alert)
{
	spin_lock_bh(&hs_lock);
	ctx->hs->alert = alert;
	spin_unlock_bh(&hs_lock);
}

/* The request's role and names, for what the daemon is told after it. */
const struct ktlso_handshake_req *ktlso_hs_request_of(const struct ktlso_context *ctx)
{
	return &ctx->hs->req;
}

static struct pernet_operations hs_net_ops = {
	.id = &hs_net_id,
	.size = sizeof(struct hs_net),
};

int __init ktlso_hs_init(void)
{
	return register_pernet_subsys(&hs_net_ops);
}

void ktlso_hs_uninit(void)
{
	unregister_pernet_subsys(&hs_net_ops);
}
