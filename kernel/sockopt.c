// SPDX-License-Identifier: GPL-2.0
/*
 * SOL_TLS socket options. Everything at other levels goes to TCP unchanged.
 */
#include <linux/tls.h>
#include <net/sock.h>

#include "ktlso.h"

int ktlso_setsockopt(struct sock *sk, int level, int optname,
		     sockptr_t optval, unsigned int optlen)
{
	struct ktlso_context *ctx = ktlso_ctx(sk);

	if (level != SOL_TLS)
		return ctx->sk_proto->setsockopt(sk, level, optname, optval,
						 optlen);

	switch (optname) {
	case TLS_TX:
	case TLS_RX:
		/* The record layer is not built yet: say so plainly. */
		return -EOPNOTSUPP;
	default:
		return -ENOPROTOOPT;
	}
}

/* Upstream's order of checks: a too-short buffer is EINVAL even before keys
 * are installed; with no keys the answer is EBUSY.
 */
static int get_crypto_info(struct sock *sk, char __user *optval,
			   int __user *optlen)
{
	int len;

	if (get_user(len, optlen))
		return -EFAULT;
	if (!optval || len < (int)sizeof(struct tls_crypto_info))
		return -EINVAL;
	return -EBUSY;
}

int ktlso_getsockopt(struct sock *sk, int level, int optname,
		     char __user *optval, int __user *optlen)
{
	struct ktlso_context *ctx = ktlso_ctx(sk);

	if (level != SOL_TLS)
		return ctx->sk_proto->getsockopt(sk, level, optname, optval,
						 optlen);

	switch (optname) {
	case TLS_TX:
	case TLS_RX:
		return get_crypto_info(sk, optval, optlen);
	default:
		return -ENOPROTOOPT;
	}
}
