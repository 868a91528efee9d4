// SPDX-License-Identifier: GPL-2.0
/*
 * The struct proto that a socket wears while ktlso is attached: a copy of its
 * TCP proto with the record layer's entry points swapped in. One table per
 * base proto (IPv4's tcp_prot, IPv6's tcpv6_prot), built on first use because
 * tcpv6_prot is not exported and ipv6 may be a module.
 */
#include <net/tcp.h>

#include "ktlso.h"

enum base_proto { BASE_TCP, BASE_TCPV6, NUM_BASES };

static struct proto prots[NUM_BASES];
static const struct proto *bases[NUM_BASES];
static DEFINE_MUTEX(build_lock);

static void ktlso_close(struct sock *sk, long timeout)
{
	struct ktlso_context *ctx = ktlso_ctx(sk);

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

static void build(struct proto *prot, const struct proto *base)
{
	*prot = *base;
	prot->close = ktlso_close;
	prot->disconnect = ktlso_disconnect;
	prot->setsockopt = ktlso_setsockopt;
	prot->getsockopt = ktlso_getsockopt;
}

/**
 * ktlso_proto_for() - the ktlso proto for a socket about to be attached
 * @sk: an established TCP socket, locked
 *
 * An IPv6 socket talking to a v4-mapped peer runs on tcp_prot, so the table
 * is chosen by the socket's current proto, not by its family. A proto we have
 * not seen (another layer already replaced it) is refused rather than stacked.
 *
 * Return: the table, or ERR_PTR(-EOPNOTSUPP).
 */
struct proto *ktlso_proto_for(struct sock *sk)
{
	const struct proto *base = READ_ONCE(sk->sk_prot);
	enum base_proto which;

	if (base == &tcp_prot)
		which = BASE_TCP;
	else if (sk->sk_family == AF_INET6)
		which = BASE_TCPV6;
	else
		return ERR_PTR(-EOPNOTSUPP);

	if (likely(smp_load_acquire(&bases[which]) == base))
		return &prots[which];

	mutex_lock(&build_lock);
	if (!bases[which]) {
		build(&prots[which], base);
		smp_store_release(&bases[which], base);
	}
	mutex_unlock(&build_lock);

	return bases[which] == base ? &prots[which] : ERR_PTR(-EOPNOTSUPP);
}
