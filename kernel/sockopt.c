// SPDX-License-Identifier: GPL-2.0
/*
 * SOL_TLS socket options, with the structs, sizes and errno rules of the
 * kernel's own kTLS. Everything at other levels goes to TCP unchanged.
 */
#include <linux/ktlso.h>
#include <linux/tls.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "ktlso.h"

static struct ktlso_crypto *installed(struct ktlso_context *ctx, bool tx)
{
	return tx ? ktlso_tx_crypto(ctx) : ktlso_rx_crypto(ctx);
}

/*
 * Version, cipher and exact size, checked before anything is allocated. Both
 * directions, and a key update of either, keep one version and cipher.
 */
static int read_crypto_info(struct ktlso_context *ctx, bool tx, sockptr_t optval,
			    unsigned int optlen, union ktlso_crypto_info *info)
{
	const struct ktlso_crypto *same = installed(ctx, tx) ?: installed(ctx, !tx);
	const struct ktlso_cipher *cipher;

	if (sockptr_is_null(optval) || optlen < sizeof(info->info))
		return -EINVAL;
	if (copy_from_sockptr(&info->info, optval, sizeof(info->info)))
		return -EFAULT;
	if (info->info.version != TLS_1_2_VERSION &&
	    info->info.version != TLS_1_3_VERSION)
		return -EINVAL;
	if (same && (same->version != info->info.version ||
		     same->cipher->type != info->info.cipher_type))
		return -EINVAL;
	cipher = ktlso_cipher_find(info->info.cipher_type, info->info.version);
	if (!cipher || optlen != cipher->info_size)
		return -EINVAL;
	if (copy_from_sockptr(info, optval, optlen))
		return -EFAULT;
	return 0;
}

/*
 * TLS_TX / TLS_RX. A second call is a key update (RFC 8446 §4.6.3), which
 * exists only in TLS 1.3; TLS 1.2 keys are set once (EBUSY), as in kTLS.
 * The direction's lock comes first: a sender or reader may be asleep in TCP
 * holding it, with the socket lock dropped.
 */
static int set_crypto_info(struct sock *sk, bool tx, sockptr_t optval,
			   unsigned int optlen)
{
	struct ktlso_context *ctx = ktlso_ctx(sk);
	struct mutex *dir_lock = tx ? &ctx->tx_lock : &ctx->rx_lock;
	const struct ktlso_crypto *current_keys;
	union ktlso_crypto_info info;
	int err;

	mutex_lock(dir_lock);
	lock_sock(sk);
	/* With a handshake requested, only the daemon running it installs. */
	err = ktlso_hs_may_install(ctx);
	if (err)
		goto out;
	current_keys = installed(ctx, tx);
	if (current_keys && current_keys->version != TLS_1_3_VERSION) {
		err = -EBUSY;
		goto out;
	}
	err = read_crypto_info(ctx, tx, optval, optlen, &info);
	if (err)
		goto out;
	err = tx ? ktlso_tx_install(sk, &info) : ktlso_rx_install(sk, &info);
out:
	release_sock(sk);
	if (tx)
		ktlso_tx_unlock(ctx);
	else
		mutex_unlock(dir_lock);
	memzero_explicit(&info, sizeof(info));
	return err;
}

/*
 * Two kTLS hints, kept so that code written for kTLS runs unchanged: TX
 * zero-copy sendfile permission and RX "expect no padding". ktlso always
 * copies and always handles padding, so both only change what getsockopt
 * reports; the rules for setting them are upstream's.
 */
static int set_hint(struct sock *sk, int optname, sockptr_t optval,
		    unsigned int optlen)
{
	struct ktlso_context *ctx = ktlso_ctx(sk);
	const struct ktlso_crypto *keys;
	u32 val;
	int err;

	if (sockptr_is_null(optval) || optlen < sizeof(val))
		return -EINVAL;
	if (copy_from_sockptr(&val, optval, sizeof(val)))
		return -EFAULT;
	if (val > 1)
		return -EINVAL;

	if (optname == TLS_TX_ZEROCOPY_RO) {
		if (optlen != sizeof(val))
			return -EINVAL;
		WRITE_ONCE(ctx->tx_zerocopy_ro, val);
		return 0;
	}

	err = check_zeroed_sockptr(optval, sizeof(val), optlen - sizeof(val));
	if (err < 1)
		return err ?: -EINVAL;
	lock_sock(sk);
	keys = ktlso_rx_crypto(ctx);
	err = -EINVAL;
	if (keys && keys->version == TLS_1_3_VERSION) {
		ctx->rx_no_pad = val;
		err = 0;
	}
	release_sock(sk);
	return err;
}

static int get_hint(struct sock *sk, int optname, char __user *optval,
		    int __user *optlen)
{
	struct ktlso_context *ctx = ktlso_ctx(sk);
	const struct ktlso_crypto *keys;
	int len, val;

	if (get_user(len, optlen))
		return -EFAULT;
	if (optname == TLS_TX_ZEROCOPY_RO) {
		if (len != sizeof(val))
			return -EINVAL;
		val = READ_ONCE(ctx->tx_zerocopy_ro);
	} else {
		lock_sock(sk);
		keys = ktlso_rx_crypto(ctx);
		val = keys && keys->version == TLS_1_3_VERSION ? ctx->rx_no_pad : -EINVAL;
		release_sock(sk);
		if (val < 0 || len < (int)sizeof(val))
			return -EINVAL;
		if (put_user(sizeof(val), optlen))
			return -EFAULT;
	}
	return copy_to_user(optval, &val, sizeof(val)) ? -EFAULT : 0;
}

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
		return set_crypto_info(sk, optname == TLS_TX, optval, optlen);
	case TLS_TX_ZEROCOPY_RO:
	case TLS_RX_EXPECT_NO_PAD:
		return set_hint(sk, optname, optval, optlen);
	case KTLSO_HANDSHAKE:
		return ktlso_hs_request(sk, optval, optlen);
	default:
		return -ENOPROTOOPT;
	}
}

/*
 * Upstream's order of checks: a buffer shorter than the common header is
 * EINVAL even before keys are installed; with no keys the answer is EBUSY;
 * exactly the header size gets the header, otherwise the size must be the
 * cipher's struct, which comes back with the current IV and sequence number.
 */
static int get_crypto_info(struct sock *sk, bool tx, char __user *optval,
			   int __user *optlen)
{
	struct ktlso_context *ctx = ktlso_ctx(sk);
	const struct ktlso_crypto *c;
	union ktlso_crypto_info info;
	int len, err = 0;

	if (get_user(len, optlen))
		return -EFAULT;
	if (!optval || len < (int)sizeof(struct tls_crypto_info))
		return -EINVAL;

	lock_sock(sk);
	c = installed(ctx, tx);
	if (!c) {
		err = -EBUSY;
		goto out;
	}
	ktlso_crypto_current(c, &info);
	/* Keys from ktlsod are never the application's to read
	 * (Documentation/design.rst, decision 4).
	 */
	if (ktlso_hs_keys_hidden(ctx))
		ktlso_cipher_hide_keys(c->cipher, &info);
	if (len != sizeof(struct tls_crypto_info) && len != c->cipher->info_size)
		err = -EINVAL;
	else if (copy_to_user(optval, &info, len))
		err = -EFAULT;
	memzero_explicit(&info, sizeof(info));
out:
	release_sock(sk);
	return err;
}

int ktlso_getsockopt(struct sock *sk, int level, int optname,
		     char __user *optval, int __user *optlen)
{
	struct ktlso_context *ctx = ktlso_ctx(sk);

	/* Zero-copy receive maps TCP's pages past the record layer (and
	 * mmap() is refused, proto.c).
	 */
	if (level == SOL_TCP && optname == TCP_ZEROCOPY_RECEIVE)
		return -EOPNOTSUPP;
	if (level != SOL_TLS)
		return ctx->sk_proto->getsockopt(sk, level, optname, optval,
						 optlen);

	switch (optname) {
	case TLS_TX:
	case TLS_RX:
		return get_crypto_info(sk, optname == TLS_TX, optval, optlen);
	case TLS_TX_ZEROCOPY_RO:
	case TLS_RX_EXPECT_NO_PAD:
		return get_hint(sk, optname, optval, optlen);
	case KTLSO_HANDSHAKE:
		return ktlso_hs_status(sk, optval, optlen);
	default:
		return -ENOPROTOOPT;
	}
}
