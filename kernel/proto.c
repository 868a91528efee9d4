// SPDX-License-Identifier: GPL-2.0
/*
 * What a socket wears while ktlso is attached: a copy of its TCP struct proto
 * with the record layer's entry points swapped in, one per base proto
 * (IPv4's tcp_prot, IPv6's tcpv6_prot), TX mode and RX mode; and a copy of
 * its struct proto_ops whose poll waits for whole records and whose
 * splice_read reads plaintext through us once receive keys are in, and
 * which refuses mmap().
 * Tables are built on first use because tcpv6_prot and inet6_stream_ops are
 * not exported and ipv6 may be a module.
 */
#include <net/tcp.h>

#include "compat.h"
#include "ktlso.h"

enum base_proto { BASE_TCP, BASE_TCPV6, NUM_BASES };
enum mode { PLAIN, SW, NUM_MODES };
/* Gated: a handshake request is open (handshake.c decides who may pass). */
enum gate { OPEN, GATED, NUM_GATES };

static struct proto prots[NUM_BASES][NUM_GATES][NUM_MODES][NUM_MODES];
static const struct proto *bases[NUM_BASES];
/* proto_ops go by family: a v4-mapped IPv6 socket keeps inet6_stream_ops. */
static struct proto_ops ops[NUM_BASES];
static const struct proto_ops *base_ops[NUM_BASES];
static DEFINE_MUTEX(build_lock);

static void ktlso_close(struct sock *sk, long timeout)
{
	struct ktlso_context *ctx = ktlso_ctx(sk);

	/* TX first: a daemon-established socket's close_notify goes out while
	 * the request still says so. At the last close the request is final
	 * (a PENDING or ACCEPTED one holds the file), so nothing waits on it.
	 */
	ktlso_tx_release(sk, ctx);
	ktlso_hs_release(ctx);
	ktlso_rx_release(sk, ctx);
	ktlso_ku_release(ctx);
	/* Give the socket its own proto back before TCP tears it down, so
	 * nothing on the destroy path calls into a table of ours; the context
	 * itself lives on until the ULP release callback.
	 */
	lock_sock(sk);
	WRITE_ONCE(sk->sk_prot, ctx->sk_proto);
	release_sock(sk);
	ctx->sk_proto->close(sk, timeout);
}

/* connect(AF_UNSPEC) would take the socket back to CLOSE with the ULP still
 * attached, from where it could listen() or reconnect: refuse, as upstream
 * kTLS does.
 */
static int ktlso_disconnect(struct sock *sk, int flags)
{
	return -EOPNOTSUPP;
}

static void build_modes(struct proto prot[NUM_MODES][NUM_MODES],
			const struct proto *base)
{
	struct proto *plain = &prot[PLAIN][PLAIN];

	*plain = *base;
	plain->close = ktlso_close;
	plain->disconnect = ktlso_disconnect;
	plain->setsockopt = ktlso_setsockopt;
	plain->getsockopt = ktlso_getsockopt;

	prot[SW][PLAIN] = *plain;
	prot[SW][PLAIN].sendmsg = ktlso_sendmsg;
	prot[SW][PLAIN].splice_eof = ktlso_splice_eof;
#ifdef KTLSO_HAVE_PROTO_SENDPAGE
	prot[SW][PLAIN].sendpage = ktlso_sendpage;
#endif

	prot[PLAIN][SW] = *plain;
	prot[PLAIN][SW].recvmsg = ktlso_recvmsg;

	prot[SW][SW] = prot[SW][PLAIN];
	prot[SW][SW].recvmsg = ktlso_recvmsg;
}

static void build(struct proto prot[NUM_GATES][NUM_MODES][NUM_MODES],
		  const struct proto *base)
{
	build_modes(prot[OPEN], base);
	for (int tx = 0; tx < NUM_MODES; tx++) {
		for (int rx = 0; rx < NUM_MODES; rx++) {
			struct proto *p = &prot[GATED][tx][rx];

			*p = prot[OPEN][tx][rx];
			p->sendmsg = ktlso_gated_sendmsg;
			p->recvmsg = ktlso_gated_recvmsg;
#ifdef KTLSO_HAVE_PROTO_SENDPAGE
			p->sendpage = ktlso_gated_sendpage;
#endif
		}
	}
}

/*
 * TCP's mmap() maps the receive queue's pages for TCP_ZEROCOPY_RECEIVE
 * (refused in sockopt.c): ciphertext, or bytes the handshake gate holds
 * back. Nothing of ours can be mapped, so it is refused, from attach on.
 */
static int refuse_mmap(struct file *file, struct socket *sock,
		       struct vm_area_struct *vma)
{
	return -EOPNOTSUPP;
}

/* Ending the stream sends what MSG_MORE held back first. */
static int ktlso_sock_shutdown(struct socket *sock, int how)
{
	if (how == SHUT_WR || how == SHUT_RDWR) {
		int err = ktlso_tx_shutdown(sock);

		if (err)
			return err;
	}
	return ktlso_proto_base_ops(sock->sk)->shutdown(sock, how);
}

static void build_ops(struct proto_ops *o, const struct proto_ops *base)
{
	*o = *base;
	o->poll = ktlso_sock_poll;
	o->splice_read = ktlso_sock_splice_read;
	o->read_sock = ktlso_read_sock;
	o->mmap = refuse_mmap;
	o->shutdown = ktlso_sock_shutdown;
}

/**
 * ktlso_proto_base() - which table family an attaching socket uses
 * @sk: an established TCP socket, locked
 *
 * An IPv6 socket talking to a v4-mapped peer runs on tcp_prot, so the proto
 * family is chosen by the socket's current proto, not by sk_family. A proto
 * we have not seen (another layer already replaced it) is refused rather
 * than stacked.
 *
 * Return: the base index for ktlso_proto_update(), or -EOPNOTSUPP.
 */
int ktlso_proto_base(struct sock *sk)
{
	const struct proto *base = READ_ONCE(sk->sk_prot);
	const struct proto_ops *sock_ops = READ_ONCE(sk->sk_socket->ops);
	enum base_proto which = sk->sk_family == AF_INET6 ? BASE_TCPV6 : BASE_TCP;
	int ret = -EOPNOTSUPP;

	if (base == &tcp_prot)
		which = BASE_TCP;
	else if (sk->sk_family != AF_INET6)
		return -EOPNOTSUPP;

	if (likely(smp_load_acquire(&bases[which]) == base &&
		   smp_load_acquire(&base_ops[sk->sk_family == AF_INET6]) == sock_ops))
		return which;

	mutex_lock(&build_lock);
	if (!bases[which]) {
		build(prots[which], base);
		smp_store_release(&bases[which], base);
	}
	if (!base_ops[sk->sk_family == AF_INET6]) {
		build_ops(&ops[sk->sk_family == AF_INET6], sock_ops);
		smp_store_release(&base_ops[sk->sk_family == AF_INET6], sock_ops);
	}
	if (bases[which] == base && base_ops[sk->sk_family == AF_INET6] == sock_ops)
		ret = which;
	mutex_unlock(&build_lock);
	return ret;
}

static bool gated(const struct ktlso_context *ctx)
{
	return ctx->hs && READ_ONCE(ctx->hs->state) != KTLSO_HS_DONE;
}

/* Point the socket at the tables matching its current state. */
void ktlso_proto_update(struct sock *sk, struct ktlso_context *ctx)
{
	WRITE_ONCE(sk->sk_prot,
		   &prots[ctx->base][gated(ctx) ? GATED : OPEN]
			 [ctx->tx ? SW : PLAIN][ctx->rx ? SW : PLAIN]);
	WRITE_ONCE(sk->sk_socket->ops, &ops[sk->sk_family == AF_INET6]);
}

/* The socket's own proto_ops, from before ours. */
const struct proto_ops *ktlso_proto_base_ops(const struct sock *sk)
{
	return base_ops[sk->sk_family == AF_INET6];
}

/* What a gated socket's sendmsg/recvmsg pass on to, once let through. */
const struct proto *ktlso_proto_ungated(const struct ktlso_context *ctx)
{
	return &prots[ctx->base][OPEN][ctx->tx ? SW : PLAIN][ctx->rx ? SW : PLAIN];
}
