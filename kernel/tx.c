// SPDX-License-Identifier: GPL-2.0
/*
 * Transmit: application bytes become TLS records.
 *
 * One record is open at a time. sendmsg() copies plaintext into it; it is
 * sealed (encrypted in place) when it reaches 2^14 bytes, when the call ends
 * without MSG_MORE, on MSG_EOR, or when a record of another type comes, and
 * then handed to TCP. Whatever of a sealed record TCP cannot take yet (a
 * full send buffer on a non-blocking socket, a signal, a timeout) stays
 * pending and goes out first on the next call; the plaintext it carries has
 * already been counted as sent, so nothing is lost or sent twice.
 *
 * Crypto requests are always waited for, so no completion can outlive the
 * call that started it. The one asynchronous piece is flush_work: when TCP
 * frees send space (sk_write_space) it pushes pending bytes that no further
 * sendmsg may come to push. close() unhooks sk_write_space under the socket
 * lock and cancels the work before anything is freed.
 */
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <net/tcp.h>

#include "compat.h"
#include "ktlso.h"

struct ktlso_tx {
	struct ktlso_crypto crypto;
	struct sock *sk;
	struct work_struct flush_work;
	int err;		/* sticky: once set, the stream is over */
	bool open;
	u8 open_type;
	unsigned int open_len;	/* plaintext bytes in the open record */
	/* Sealed, not yet in TCP. A record is only opened once nothing is
	 * pending, so an open record never shares the buffer with one.
	 */
	unsigned int pending_off, pending_len;
	/* The AEAD may not read these from the (vmalloc'ed) stack. */
	u8 aad[KTLSO_AAD12_SIZE];
	u8 nonce[KTLSO_AEAD_IV_SIZE];
	/* header | explicit nonce | plaintext | inner type | tag */
	u8 rec[];
};

#define TX_RECORD_ROOM (KTLSO_HEADER_SIZE + KTLSO_MAX_EXPLICIT_NONCE + \
			KTLSO_MAX_PLAINTEXT + 1 + KTLSO_MAX_TAG)

static u8 *payload(struct ktlso_tx *tx)
{
	return tx->rec + KTLSO_HEADER_SIZE + ktlso_record_prefix(&tx->crypto);
}

/* Encrypt the open record in place and make it pending. */
static int seal(struct sock *sk, struct ktlso_tx *tx)
{
	struct ktlso_crypto *c = &tx->crypto;
	unsigned int prefix = ktlso_record_prefix(c);
	unsigned int len = tx->open_len, aad_len;
	struct scatterlist sg[2];
	int err;

	if (tx->err)
		return tx->err;

	/* RFC 8446 §5.2: the real content type is encrypted after the data. */
	if (c->version == TLS_1_3_VERSION)
		payload(tx)[len++] = tx->open_type;

	ktlso_record_header(c, tx->open_type, tx->open_len, tx->rec);
	/* RFC 5288 §3: the explicit nonce travels in the clear. */
	memcpy(tx->rec + KTLSO_HEADER_SIZE, c->iv + c->cipher->salt, prefix);
	aad_len = ktlso_record_aad(c, tx->open_type, tx->open_len, tx->aad);
	ktlso_record_nonce(c, tx->nonce);

	sg_init_table(sg, 2);
	sg_set_buf(&sg[0], tx->aad, aad_len);
	sg_set_buf(&sg[1], payload(tx), len + c->cipher->tag);
	err = ktlso_crypto_run(c, true, sg, sg, aad_len, len, tx->nonce);
	if (err) {
		/* Never send a half-encrypted buffer. */
		memzero_explicit(tx->rec, TX_RECORD_ROOM);
		tx->err = err;
		return err;
	}

	ktlso_stat_add(sk, KTLSO_STAT_TX_RECORDS, 1);
	ktlso_stat_add(sk, KTLSO_STAT_TX_BYTES, tx->open_len);
	tx->open = false;
	tx->open_len = 0;
	tx->pending_off = 0;
	tx->pending_len = KTLSO_HEADER_SIZE + prefix + len + c->cipher->tag;
	/* The record is good; a refused advance only stops the next one. */
	tx->err = ktlso_record_advance(c);
	return 0;
}

/* Hand pending sealed bytes to TCP. */
static int push(struct sock *sk, struct ktlso_tx *tx, int flags)
{
	while (tx->pending_len) {
		struct kvec kv = {
			.iov_base = tx->rec + tx->pending_off,
			.iov_len = tx->pending_len,
		};
		struct msghdr msg = {
			.msg_flags = flags & (MSG_DONTWAIT | MSG_NOSIGNAL | MSG_MORE),
		};
		int sent;

		iov_iter_kvec(&msg.msg_iter, ITER_SOURCE, &kv, 1, kv.iov_len);
		sent = tcp_sendmsg_locked(sk, &msg, kv.iov_len);
		if (sent <= 0)
			return sent ? sent : -EAGAIN;
		tx->pending_off += sent;
		tx->pending_len -= sent;
	}
	return 0;
}

static int seal_and_push(struct sock *sk, struct ktlso_tx *tx, int flags)
{
	int err = seal(sk, tx);

	return err ? err : push(sk, tx, flags);
}

static void flush_pending(struct work_struct *work)
{
	struct ktlso_tx *tx = container_of(work, struct ktlso_tx, flush_work);
	struct sock *sk = tx->sk;
	struct ktlso_context *ctx = ktlso_ctx(sk);

	mutex_lock(&ctx->tx_lock);
	lock_sock(sk);
	if (!tx->err)
		push(sk, tx, MSG_DONTWAIT | MSG_NOSIGNAL);
	release_sock(sk);
	mutex_unlock(&ctx->tx_lock);
}

/* TCP has room again (softirq or under the socket lock). */
static void ktlso_write_space(struct sock *sk)
{
	struct ktlso_context *ctx = ktlso_ctx(sk);

	if (READ_ONCE(ctx->tx->pending_len))
		schedule_work(&ctx->tx->flush_work);
	ctx->sk_write_space(sk);
}

/* TLS_SET_RECORD_TYPE: the content type for this call's bytes. */
static int record_type(struct msghdr *msg, u8 *type)
{
	struct cmsghdr *cmsg;

	for_each_cmsghdr(cmsg, msg) {
		if (!CMSG_OK(msg, cmsg))
			return -EINVAL;
		if (cmsg->cmsg_level != SOL_TLS)
			continue;
		if (cmsg->cmsg_type != TLS_SET_RECORD_TYPE ||
		    cmsg->cmsg_len != CMSG_LEN(sizeof(u8)))
			return -EINVAL;
		/* A control record is whole in one call, as in kTLS. */
		if (msg->msg_flags & MSG_MORE)
			return -EINVAL;
		*type = *(u8 *)CMSG_DATA(cmsg);
	}
	return 0;
}

static int send_locked(struct sock *sk, struct ktlso_tx *tx, struct msghdr *msg,
		       size_t *copied)
{
	int flags = msg->msg_flags;
	u8 type = KTLSO_RECORD_DATA;
	bool last;
	int err;

	if (tx->err)
		return tx->err;
	if (msg->msg_controllen) {
		err = record_type(msg, &type);
		if (err)
			return err;
	}
	err = push(sk, tx, flags);
	if (err)
		return err;
	if (tx->open && tx->open_type != type) {
		err = seal_and_push(sk, tx, flags);
		if (err)
			return err;
	}

	while (msg_data_left(msg)) {
		size_t room, want, got;

		if (!tx->open) {
			tx->open = true;
			tx->open_type = type;
			tx->open_len = 0;
		}
		room = KTLSO_MAX_PLAINTEXT - tx->open_len;
		want = min(room, msg_data_left(msg));
		got = copy_from_iter(payload(tx) + tx->open_len, want, &msg->msg_iter);
		tx->open_len += got;
		*copied += got;
		if (got != want)
			return -EFAULT;

		last = !msg_data_left(msg);
		if (tx->open_len == KTLSO_MAX_PLAINTEXT) {
			err = seal_and_push(sk, tx, last ? flags : flags | MSG_MORE);
			if (err)
				return err;
		}
	}

	if (tx->open && tx->open_len &&
	    (!(flags & MSG_MORE) || (flags & MSG_EOR) || type != KTLSO_RECORD_DATA))
		return seal_and_push(sk, tx, flags);
	return 0;
}

int ktlso_sendmsg(struct sock *sk, struct msghdr *msg, size_t size)
{
	struct ktlso_context *ctx = ktlso_ctx(sk);
	size_t copied = 0;
	int err;

	if (msg->msg_flags & ~(MSG_MORE | MSG_DONTWAIT | MSG_NOSIGNAL | MSG_EOR |
			       MSG_CMSG_COMPAT | MSG_SPLICE_PAGES |
			       KTLSO_COMPAT_SENDPAGE_FLAGS))
		return -EOPNOTSUPP;

	mutex_lock(&ctx->tx_lock);
	lock_sock(sk);
	err = send_locked(sk, ctx->tx, msg, &copied);
	release_sock(sk);
	mutex_unlock(&ctx->tx_lock);
	return copied ? copied : err;
}

/* The end of a splice(): close the record MSG_MORE kept open. */
void ktlso_splice_eof(struct socket *sock)
{
	struct sock *sk = sock->sk;
	struct ktlso_context *ctx = ktlso_ctx(sk);
	struct ktlso_tx *tx = ctx->tx;

	mutex_lock(&ctx->tx_lock);
	lock_sock(sk);
	if (!tx->err && !push(sk, tx, 0) && tx->open && tx->open_len)
		seal_and_push(sk, tx, 0);
	release_sock(sk);
	mutex_unlock(&ctx->tx_lock);
}

/**
 * ktlso_tx_install() - TLS_TX: start sending records, or update the key
 * @sk: the socket, locked, with ctx->tx_lock held
 * @info: validated crypto_info
 *
 * A key update seals whatever record is open under the old key first: the
 * peer switches keys after the KeyUpdate message the application just sent.
 *
 * Return: 0, or -errno with nothing changed.
 */
int ktlso_tx_install(struct sock *sk, const union ktlso_crypto_info *info)
{
	struct ktlso_context *ctx = ktlso_ctx(sk);
	struct ktlso_tx *tx = ctx->tx;
	int err;

	if (tx) {
		if (tx->open && tx->open_len) {
			err = seal(sk, tx);
			if (err)
				return err;
		}
		/* Sealed bytes TCP cannot take now wait for the next call. */
		push(sk, tx, MSG_DONTWAIT | MSG_NOSIGNAL);
		err = ktlso_rekey(&tx->crypto, info);
		if (!err)
			ktlso_stat_add(sk, KTLSO_STAT_REKEY_TX, 1);
		return err;
	}

	tx = kzalloc(struct_size(tx, rec, TX_RECORD_ROOM), GFP_KERNEL);
	if (!tx)
		return -ENOMEM;
	err = ktlso_crypto_init(&tx->crypto, info);
	if (err)
		goto err_free_tx;

	tx->sk = sk;
	INIT_WORK(&tx->flush_work, flush_pending);
	ctx->tx = tx;
	ctx->sk_write_space = sk->sk_write_space;
	sk->sk_write_space = ktlso_write_space;
	ktlso_proto_update(sk, ctx);
	ktlso_stat_add(sk, KTLSO_STAT_CURR_TX, 1);
	return 0;

err_free_tx:
	kfree_sensitive(tx);
	return err;
}

/**
 * ktlso_tx_release() - flush what is open or pending and free TX state
 * @sk: the socket being closed
 * @ctx: its context
 *
 * Runs from close(), before TCP's own close sends the FIN. It does not block
 * (a peer that has stopped reading cannot hold close() hostage) and loses
 * nothing: what the send buffer cannot take is queued past its limit, so
 * TCP's close delivers every sealed byte, as it would its own.
 */
void ktlso_tx_release(struct sock *sk, struct ktlso_context *ctx)
{
	struct ktlso_tx *tx = ctx->tx;
	const int flags = MSG_DONTWAIT | MSG_NOSIGNAL;

	if (!tx)
		return;
	/* Under the socket lock no softirq runs our write_space; once it is
	 * unhooked, nothing can schedule the work again.
	 */
	lock_sock(sk);
	sk->sk_write_space = ctx->sk_write_space;
	release_sock(sk);
	cancel_work_sync(&tx->flush_work);

	mutex_lock(&ctx->tx_lock);
	lock_sock(sk);
	if (!tx->err && tx->open && tx->open_len)
		seal(sk, tx);
	if (!tx->err && tx->pending_len && push(sk, tx, flags)) {
		sk->sk_userlocks |= SOCK_SNDBUF_LOCK;
		WRITE_ONCE(sk->sk_sndbuf, sk->sk_sndbuf + tx->pending_len);
		push(sk, tx, flags);
	}
	ctx->tx = NULL;
	ktlso_stat_add(sk, KTLSO_STAT_CURR_TX, -1);
	release_sock(sk);
	mutex_unlock(&ctx->tx_lock);

	ktlso_crypto_uninit(&tx->crypto);
	kfree_sensitive(tx);
}

struct ktlso_crypto *ktlso_tx_crypto(struct ktlso_context *ctx)
{
	return ctx->tx ? &ctx->tx->crypto : NULL;
}
