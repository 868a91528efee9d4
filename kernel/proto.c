// SPDX-License-Identifier: GPL-2.0
/*
 * The struct proto a socket wears while ktlso is attached: a copy of its TCP
 * proto with the record layer's entry points swapped in, one per base proto
 * (IPv4's tcp_prot, IPv6's tcpv6_prot) and TX mode. Tables are built on first
 * use because tcpv6_prot is not exported and ipv6 may be a module.
 */
#include <net/tcp.h>

#include "compat.h"
#include "ktlso.h"

enum base_proto { BASE_TCP, BASE_TCPV6, NUM_BASES };
enum tx_mode { TX_NONE, TX_SW, NUM_TX_MODES };

static struct proto prots[NUM_BASES][NUM_TX_MODES];
static const struct proto *bases[NUM_BASES];
static DEFINE_MUTEX(build_lock);

static void ktlso_close(struct sock *sk, long timeout)
{
	struct ktlso_context *ctx = ktlso_ctx(sk);

	ktlso_tx_release(sk, ctx);
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

static void build(struct proto prot[NUM_TX_MODES], const struct proto *base)
{
	prot[TX_NONE] = *base;
	prot[TX_NONE].close = ktlso_close;
	prot[TX_NONE].disconnect = ktlso_disconnect;
	prot[TX_NONE].setsockopt = ktlso_setsockopt;
	prot[TX_NONE].getsockopt = ktlso_getsockopt;

	prot[TX_SW] = prot[TX_NONE];
	prot[TX_SW].sendmsg = ktlso_sendmsg;
	prot[TX_SW].splice_eof = ktlso_splice_eof;
	ktlso_compat_set_sendpage(&prot[TX_SW]);
}

/**
 * ktlso_proto_base() - which table family an attaching socket uses
 * @sk: an established TCP socket, locked
 *
 * An IPv6 socket talking to a v4-mapped peer runs on tcp_prot, so the family
 * is chosen by the socket's current proto, not by sk_family. A proto we have
 * not seen (another layer already replaced it) is refused rather than stacked.
 *
 * Return: the base index for ktlso_proto_update(), or -EOPNOTSUPP.
 */
int ktlso_proto_base(struct sock *sk)
{
	const struct proto *base = READ_ONCE(sk->sk_prot);
	enum base_proto which;

	if (base == &tcp_prot)
		which = BASE_TCP;
	else if (sk->sk_family == AF_INET6)
		which = BASE_TCPV6;
	else
		return -EOPNOTSUPP;

	if (likely(smp_load_acquire(&bases[which]) == base))
		return which;

	mutex_lock(&build_lock);
	if (!bases[which]) {
		build(prots[which], base);
		smp_store_release(&bases[which], base);
	}
	mutex_unlock(&build_lock);

	return bases[which] == base ? which : -EOPNOTSUPP;
}

/* Point the socket at the table matching its current state. */
void ktlso_proto_update(struct sock *sk, struct ktlso_context *ctx)
{
	WRITE_ONCE(sk->sk_prot, &prots[ctx->base][ctx->tx ? TX_SW : TX_NONE]);
}
