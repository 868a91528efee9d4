// SPDX-License-Identifier: GPL-2.0
/*
 * ktlso: the TLS record layer as a TCP upper-layer protocol.
 *
 * setsockopt(SOL_TCP, TCP_ULP, "ktlso") on an established TCP socket attaches
 * us: the socket's proto is swapped for ours (proto.c) and a context is hung
 * off icsk_ulp_data. Until keys are installed every byte passes through
 * unchanged.
 *
 * Lifetime: TCP holds a reference on this module for every socket with the
 * ULP attached and drops it after our release callback, when the socket is
 * destroyed, so the module cannot go away under a socket. close() restores
 * the socket's own proto; release frees the context.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/ktlso.h>
#include <net/tcp.h>

#include "ktlso.h"

static int ulp_init(struct sock *sk)
{
	struct ktlso_context *ctx;
	int base;

	/* Same rule and errno as the in-tree "tls" ULP: records need a
	 * connected byte stream, and a listener would share one context among
	 * its children.
	 */
	if (sk->sk_state != TCP_ESTABLISHED)
		return -ENOTCONN;
	/* sk_user_data belongs to whoever else hooked the socket (sockmap,
	 * an in-kernel user); we do not stack on top of them.
	 */
	if (rcu_access_pointer(sk->sk_user_data))
		return -EBUSY;

	base = ktlso_proto_base(sk);
	if (base < 0)
		return base;

	/* Per-socket state is the socket owner's: charged to its cgroup. */
	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return -ENOMEM;
	ctx->sk_proto = READ_ONCE(sk->sk_prot);
	ctx->base = base;
	mutex_init(&ctx->tx_lock);
	mutex_init(&ctx->rx_lock);

	rcu_assign_pointer(inet_csk(sk)->icsk_ulp_data, ctx);
	ktlso_proto_update(sk, ctx);
	ktlso_stat_add(sk, KTLSO_STAT_CURR_SOCKETS, 1);
	return 0;
}

static void ulp_release(struct sock *sk)
{
	struct ktlso_context *ctx = ktlso_ctx(sk);

	/* close() has flushed and freed the record state; this is only the
	 * context, which diag may still be reading under RCU.
	 */
	rcu_assign_pointer(inet_csk(sk)->icsk_ulp_data, NULL);
	ktlso_stat_add(sk, KTLSO_STAT_CURR_SOCKETS, -1);
	mutex_destroy(&ctx->tx_lock);
	mutex_destroy(&ctx->rx_lock);
	kfree_rcu(ctx, rcu);
}

static struct tcp_ulp_ops ktlso_ulp_ops __read_mostly = {
	.name = KTLSO_ULP_NAME,
	.owner = THIS_MODULE,
	.init = ulp_init,
	.release = ulp_release,
};

/* Is this a TCP socket with our ULP? (for sockets named by a daemon's fd) */
bool ktlso_is_ours(struct sock *sk)
{
	return sk_is_tcp(sk) &&
	       READ_ONCE(inet_csk(sk)->icsk_ulp_ops) == &ktlso_ulp_ops;
}

static int __init ktlso_init(void)
{
	int err;

	err = ktlso_stats_init();
	if (err)
		return err;
	err = ktlso_hs_init();
	if (err)
		goto err_stats;
	err = ktlso_upcall_init();
	if (err)
		goto err_hs;
	err = tcp_register_ulp(&ktlso_ulp_ops);
	if (err)
		goto err_upcall;
	pr_info("TCP ULP \"%s\" registered\n", KTLSO_ULP_NAME);
	return 0;

err_upcall:
	ktlso_upcall_exit();
err_hs:
	ktlso_hs_uninit();
err_stats:
	ktlso_stats_uninit();
	return err;
}

static void __exit ktlso_exit(void)
{
	tcp_unregister_ulp(&ktlso_ulp_ops);
	ktlso_upcall_exit();
	ktlso_hs_uninit();
	ktlso_stats_uninit();
}

module_init(ktlso_init);
module_exit(ktlso_exit);

MODULE_DESCRIPTION("ktlso: TLS record layer for TCP sockets, keys from a handshake daemon");
MODULE_LICENSE("GPL");
MODULE_ALIAS_TCP_ULP(KTLSO_ULP_NAME);
