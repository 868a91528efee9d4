/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KTLSO_H
#define KTLSO_H

#include <net/inet_connection_sock.h>
#include <net/sock.h>

/* Per-socket state, hung off icsk_ulp_data while the ULP is attached. */
struct ktlso_context {
	/* The socket's TCP proto from before we attached; everything not at
	 * the record layer is delegated to it.
	 */
	struct proto *sk_proto;
	struct rcu_head rcu;
};

static inline struct ktlso_context *ktlso_ctx(const struct sock *sk)
{
	return (__force struct ktlso_context *)inet_csk(sk)->icsk_ulp_data;
}

/* proto.c */
struct proto *ktlso_proto_for(struct sock *sk);

/* sockopt.c */
int ktlso_setsockopt(struct sock *sk, int level, int optname,
		     sockptr_t optval, unsigned int optlen);
int ktlso_getsockopt(struct sock *sk, int level, int optname,
		     char __user *optval, int __user *optlen);

#endif /* KTLSO_H */
