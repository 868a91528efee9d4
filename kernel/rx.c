// SPDX-License-Identifier: GPL-2.0
/*
 * Receive: TLS records become application bytes.
 *
 * Ciphertext is read out of TCP one record at a time into a gather buffer,
 * checked (RFC 8446 §5.1 header rules, with kTLS's errno for each), decrypted
 * out of place into its own buffer and queued. recvmsg() hands out queued
 * plaintext; only authenticated bytes are ever queued. Records of different
 * types are never mixed in one call, and each call says its type with a
 * TLS_GET_RECORD_TYPE control message.
 *
 * As on transmit, crypto requests are always waited for: no completion can
 * outlive the call that started it.
 */
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <net/tcp.h>

#include "compat.h"
#include "ktlso.h"

/* RFC 8446 §5.2 / RFC 5246 §6.2.3: at most 2^14 bytes of content; kTLS
 * allows no more padding than the inner type byte.
 */
#define RX_CIPHERTEXT_ROOM (KTLSO_MAX_EXPLICIT_NONCE + KTLSO_MAX_PLAINTEXT + 1 + \
			    KTLSO_MAX_TAG)

struct rx_record {
	struct list_head list;
	u8 type;
	unsigned int off, len;	/* undelivered plaintext at data + off */
	u8 data[];
};

struct ktlso_rx {
	struct ktlso_crypto crypto;
	int err;		/* sticky: a record failed authentication */
	/* A malformed header stops the stream: its errno is reported once,
	 * as kTLS does, and after that there is nothing more to read.
	 */
	bool stopped;
	int stop_err;		/* not yet reported */
	/* RFC 8446 §4.6.3: after the peer's KeyUpdate, nothing more can be
	 * decrypted until the application installs the next key.
	 */
	bool key_expired;
	struct list_head records;	/* decrypted, in order */
	unsigned int have;	/* bytes of the next record gathered */
	u8 aad[KTLSO_AAD12_SIZE];
	u8 nonce[KTLSO_AEAD_IV_SIZE];
	u8 rec[KTLSO_HEADER_SIZE + RX_CIPHERTEXT_ROOM];
};

static unsigned int record_length(const struct ktlso_rx *rx)
{
	return KTLSO_HEADER_SIZE + (rx->rec[3] << 8 | rx->rec[4]);
}

/*
 * The header checks, in kTLS's order and with its errno: too long is
 * EMSGSIZE, too short to hold nonce and tag is EBADMSG, and a legacy version
 * other than 0x0303 is EINVAL (RFC 8446 §5.1 fixes it for TLS 1.3 too).
 */
static int check_header(const struct ktlso_rx *rx)
{
	const struct ktlso_crypto *c = &rx->crypto;
	unsigned int len = record_length(rx) - KTLSO_HEADER_SIZE;
	unsigned int overhead = ktlso_record_overhead(c) - KTLSO_HEADER_SIZE;

	if (len > KTLSO_MAX_PLAINTEXT + overhead)
		return -EMSGSIZE;
	if (len < overhead - (c->version == TLS_1_3_VERSION ? 1 : 0))
		return -EBADMSG;
	if (rx->rec[1] != TLS_1_2_VERSION_MAJOR || rx->rec[2] != TLS_1_2_VERSION_MINOR)
		return -EINVAL;
	return 0;
}

/*
 * The stream is broken: tell poll (sk_err), and stop reading. A record that
 * failed authentication makes every later read fail too (sticky); a bad
 * header is reported once.
 */
static void fail(struct sock *sk, struct ktlso_rx *rx, int err, bool sticky)
{
	if (sticky)
		rx->err = err;
	else
		rx->stop_err = err;
	rx->stopped = true;
	WRITE_ONCE(sk->sk_err, -err);
	sk_error_report(sk);
}

/* After a stop nothing will ever arrive: wait like an idle socket would. */
static int wait_for_nothing(struct sock *sk, int flags)
{
	long timeo = sock_rcvtimeo(sk, flags & MSG_DONTWAIT);

	if (timeo)
		timeo = schedule_timeout_interruptible(timeo);
	return signal_pending(current) ? sock_intr_errno(timeo) : -EAGAIN;
}

/* Read up to want bytes of ciphertext from TCP into the gather buffer. */
static int read_tcp(struct sock *sk, struct ktlso_context *ctx, unsigned int want,
		    int flags)
{
	struct ktlso_rx *rx = ctx->rx;
	struct kvec kv = { .iov_base = rx->rec + rx->have, .iov_len = want };
	struct msghdr msg = { };
	int addr_len, n;

	iov_iter_kvec(&msg.msg_iter, ITER_DEST, &kv, 1, want);
	n = ctx->sk_proto->recvmsg(sk, &msg, want, flags & MSG_DONTWAIT, &addr_len);
	if (n > 0)
		rx->have += n;
	return n;
}

/* RFC 8446 §5.4: the content type is the last non-zero byte. */
static int strip_tls13_padding(struct rx_record *r)
{
	while (r->len && !r->data[r->len - 1])
		r->len--;
	/* RFC 8446 §5.4: all zeros is an unexpected_message. */
	if (!r->len)
		return -EBADMSG;
	r->type = r->data[--r->len];
	return 0;
}

/* open_record() consumed the record and had nothing to queue. */
#define RECORD_DROPPED 1

/*
 * Authenticate and decrypt the gathered record, queue its plaintext.
 * Return: 0, RECORD_DROPPED for a record the application never sees
 * (ktlso_hs_ignorable()), or -errno.
 */
static int open_record(struct sock *sk, struct ktlso_rx *rx)
{
	struct ktlso_crypto *c = &rx->crypto;
	unsigned int prefix = ktlso_record_prefix(c);
	unsigned int clen = record_length(rx) - KTLSO_HEADER_SIZE - prefix;
	unsigned int plen = clen - c->cipher->tag, aad_len;
	struct scatterlist src[2], dst[2];
	struct rx_record *r;
	int err;

	r = kmalloc(struct_size(r, data, clen), sk->sk_allocation);
	if (!r)
		return -ENOMEM;
	r->type = rx->rec[0];
	r->off = 0;
	r->len = plen;

	/* RFC 5288 §3: the explicit nonce is what the peer put on the wire. */
	memcpy(c->iv + c->cipher->salt, rx->rec + KTLSO_HEADER_SIZE, prefix);
	ktlso_record_nonce(c, rx->nonce);
	if (c->version == TLS_1_3_VERSION)
		aad_len = KTLSO_HEADER_SIZE, memcpy(rx->aad, rx->rec, aad_len);
	else
		aad_len = ktlso_record_aad(c, r->type, plen, rx->aad);

	sg_init_table(src, 2);
	sg_set_buf(&src[0], rx->aad, aad_len);
	sg_set_buf(&src[1], rx->rec + KTLSO_HEADER_SIZE + prefix, clen);
	sg_init_table(dst, 2);
	sg_set_buf(&dst[0], rx->aad, aad_len);
	sg_set_buf(&dst[1], r->data, clen);
	err = ktlso_crypto_run(c, false, src, dst, aad_len, clen, rx->nonce);
	if (!err && c->version == TLS_1_3_VERSION)
		err = strip_tls13_padding(r);
	if (err) {
		kfree_sensitive(r);
		ktlso_stat_add(sk, KTLSO_STAT_DECRYPT_ERRORS, 1);
		/* Whatever the crypto layer said, the peer sent a bad record. */
		return -EBADMSG;
	}

	rx->have = 0;
	ktlso_stat_add(sk, KTLSO_STAT_RX_RECORDS, 1);
	ktlso_stat_add(sk, KTLSO_STAT_RX_BYTES, r->len);
	if (c->version == TLS_1_3_VERSION && r->type == KTLSO_RECORD_HANDSHAKE &&
	    r->len && r->data[0] == KTLSO_HANDSHAKE_KEY_UPDATE)
		rx->key_expired = true;
	err = ktlso_record_advance(c);
	if (!err && ktlso_hs_ignorable(ktlso_ctx(sk), c->version, r->type,
				       r->data, r->len)) {
		kfree_sensitive(r);
		return RECORD_DROPPED;
	}
	list_add_tail(&r->list, &rx->records);
	return err;
}

/*
 * Gather, check and decrypt one more record onto the queue, reading from TCP
 * as needed. Return: 1 when one was queued, 0 at end of stream, or -errno
 * (-EAGAIN under MSG_DONTWAIT before a whole record has arrived; what has
 * arrived stays gathered). poll passes !report: it learns of a stop's errno
 * without taking it from the reader.
 */
static int read_record(struct sock *sk, struct ktlso_context *ctx, int flags,
		       bool report)
{
	struct ktlso_rx *rx = ctx->rx;
	int err, n;

	for (;;) {
		unsigned int want = rx->have < KTLSO_HEADER_SIZE ?
			KTLSO_HEADER_SIZE - rx->have : record_length(rx) - rx->have;

		if (rx->err)
			return rx->err;
		if (rx->stopped) {
			err = rx->stop_err;
			if (!report)
				return err ?: -EAGAIN;
			rx->stop_err = 0;
			return err ?: wait_for_nothing(sk, flags);
		}
		if (rx->key_expired)
			return -EKEYEXPIRED;
		if (!want) {
			err = open_record(sk, rx);
			if (err == RECORD_DROPPED)
				continue;
			if (!err)
				return 1;
			/* Out of memory loses nothing: the record stays
			 * gathered for the next try.
			 */
			if (err == -ENOMEM)
				return err;
			fail(sk, rx, err, true);
			continue;
		}
		n = read_tcp(sk, ctx, want, flags);
		if (n <= 0)
			return n;
		if (rx->have == KTLSO_HEADER_SIZE) {
			err = check_header(rx);
			if (err)
				fail(sk, rx, err, false);
		}
	}
}

/* kTLS's rule: the first record of a call fixes the call's type, reported in
 * a TLS_GET_RECORD_TYPE cmsg; a non-data record without room for it is EIO.
 */
static int claim_type(struct msghdr *msg, const struct rx_record *r, u8 *type)
{
	int err;

	if (*type)
		return *type == r->type;
	*type = r->type;
	err = put_cmsg(msg, SOL_TLS, TLS_GET_RECORD_TYPE, sizeof(*type), type);
	if (r->type != KTLSO_RECORD_DATA && (err || msg->msg_flags & MSG_CTRUNC))
		return -EIO;
	return 1;
}

static int recv_locked(struct sock *sk, struct ktlso_context *ctx,
		       struct msghdr *msg, size_t len, int flags, size_t *copied)
{
	struct ktlso_rx *rx = ctx->rx;
	struct list_head *pos = &rx->records;
	size_t target = sock_rcvlowat(sk, flags & MSG_WAITALL, len);
	bool peek = flags & MSG_PEEK;
	u8 type = 0;
	int err;

	while (*copied < len) {
		struct rx_record *r;
		size_t n;

		/* pos is the last record delivered (peek) or the head. */
		if (pos->next == &rx->records) {
			/* Past the target, take only what is already here. */
			int f = *copied >= target ? flags | MSG_DONTWAIT : flags;

			err = read_record(sk, ctx, f, true);
			if (err <= 0)
				return *copied ? 0 : err;
		}
		r = list_entry(pos->next, struct rx_record, list);

		err = claim_type(msg, r, &type);
		if (err <= 0)
			return err;

		n = min_t(size_t, r->len, len - *copied);
		if (copy_to_iter(r->data + r->off, n, &msg->msg_iter) != n)
			return -EFAULT;
		*copied += n;
		if (peek) {
			pos = pos->next;
		} else {
			r->off += n;
			r->len -= n;
			if (!r->len) {
				list_del(&r->list);
				kfree_sensitive(r);
			}
		}
		if (type != KTLSO_RECORD_DATA)
			break;
	}
	return 0;
}

int ktlso_recvmsg(struct sock *sk, struct msghdr *msg, size_t len, int flags,
		  int *addr_len)
{
	struct ktlso_context *ctx = ktlso_ctx(sk);
	size_t copied = 0;
	int err;

	if (flags & (MSG_ERRQUEUE | MSG_OOB))
		return ctx->sk_proto->recvmsg(sk, msg, len, flags, addr_len);

	if (flags & MSG_DONTWAIT) {
		if (!mutex_trylock(&ctx->rx_lock))
			return -EAGAIN;
	} else if (mutex_lock_interruptible(&ctx->rx_lock)) {
		return -ERESTARTSYS;
	}
	err = ctx->rx->err ?: recv_locked(sk, ctx, msg, len, flags, &copied);
	mutex_unlock(&ctx->rx_lock);
	return copied ? copied : err;
}

/*
 * Readable only when a whole record can be delivered: tcp_poll's EPOLLIN for
 * half a record would make a non-blocking reader spin on EAGAIN, and
 * plaintext already queued here is invisible to TCP. Gathering here, without
 * blocking, is what lets us know; if another reader holds the queue we keep
 * TCP's answer, and that reader will deliver.
 */
__poll_t ktlso_poll(struct file *file, struct socket *sock, poll_table *wait)
{
	struct sock *sk = sock->sk;
	struct ktlso_context *ctx = ktlso_ctx(sk);
	__poll_t mask = tcp_poll(file, sock, wait);
	int ret = 1;

	if (inet_sk_state_load(sk) != TCP_ESTABLISHED ||
	    READ_ONCE(sk->sk_shutdown) & RCV_SHUTDOWN)
		return mask;
	if (!mutex_trylock(&ctx->rx_lock))
		return mask;
	if (list_empty(&ctx->rx->records))
		ret = read_record(sk, ctx, MSG_DONTWAIT, false);
	mutex_unlock(&ctx->rx_lock);

	/* Errors and end of stream are for the reader to collect. */
	if (ret == -EAGAIN || ret == -EKEYEXPIRED)
		return mask & ~(EPOLLIN | EPOLLRDNORM);
	return mask | EPOLLIN | EPOLLRDNORM;
}

/*
 * splice() out of the socket: plaintext of data records only (EINVAL for a
 * control record, as in kTLS), copied through recvmsg by the kernel's
 * generic read_iter splice.
 */
ssize_t ktlso_splice_read(struct socket *sock, loff_t *ppos,
			  struct pipe_inode_info *pipe, size_t len,
			  unsigned int flags)
{
	struct sock *sk = sock->sk;
	struct ktlso_context *ctx = ktlso_ctx(sk);
	int rflags = (flags & SPLICE_F_NONBLOCK) ? MSG_DONTWAIT : 0;
	struct ktlso_rx *rx;
	int ret = 1;

	if (mutex_lock_interruptible(&ctx->rx_lock))
		return -ERESTARTSYS;
	rx = ctx->rx;
	if (list_empty(&rx->records))
		ret = read_record(sk, ctx, rflags, true);
	if (ret > 0 && list_first_entry(&rx->records, struct rx_record, list)->type !=
		       KTLSO_RECORD_DATA)
		ret = -EINVAL;
	mutex_unlock(&ctx->rx_lock);
	if (ret <= 0)
		return ret;
	return ktlso_compat_splice_read(sock->file, ppos, pipe, len, flags);
}

/* In-kernel readers (read_sock) would get ciphertext: refuse them. */
int ktlso_read_sock(struct sock *sk, read_descriptor_t *desc,
		    sk_read_actor_t recv_actor)
{
	return -EOPNOTSUPP;
}

/**
 * ktlso_rx_install() - TLS_RX: start receiving records, or update the key
 * @sk: the socket, locked, with ctx->rx_lock held
 * @info: validated crypto_info
 *
 * Return: 0, or -errno with nothing changed.
 */
int ktlso_rx_install(struct sock *sk, const union ktlso_crypto_info *info)
{
	struct ktlso_context *ctx = ktlso_ctx(sk);
	struct ktlso_rx *rx = ctx->rx;
	int err;

	if (rx) {
		err = ktlso_rekey(&rx->crypto, info);
		if (err)
			return err;
		rx->key_expired = false;
		ktlso_stat_add(sk, KTLSO_STAT_REKEY_RX, 1);
		/* Records that waited for this key may be readable now. */
		sk->sk_data_ready(sk);
		return 0;
	}

	rx = kzalloc(sizeof(*rx), GFP_KERNEL);
	if (!rx)
		return -ENOMEM;
	INIT_LIST_HEAD(&rx->records);
	err = ktlso_crypto_init(&rx->crypto, info);
	if (err)
		goto err_free_rx;

	ctx->rx = rx;
	ktlso_proto_update(sk, ctx);
	ktlso_stat_add(sk, KTLSO_STAT_CURR_RX, 1);
	return 0;

err_free_rx:
	kfree_sensitive(rx);
	return err;
}

/* Drop undelivered plaintext and the keys; from close(). */
void ktlso_rx_release(struct sock *sk, struct ktlso_context *ctx)
{
	struct ktlso_rx *rx = ctx->rx;
	struct rx_record *r, *tmp;

	if (!rx)
		return;
	mutex_lock(&ctx->rx_lock);
	ctx->rx = NULL;
	mutex_unlock(&ctx->rx_lock);
	ktlso_stat_add(sk, KTLSO_STAT_CURR_RX, -1);

	list_for_each_entry_safe(r, tmp, &rx->records, list)
		kfree_sensitive(r);
	ktlso_crypto_uninit(&rx->crypto);
	kfree_sensitive(rx);
}

struct ktlso_crypto *ktlso_rx_crypto(struct ktlso_context *ctx)
{
	return ctx->rx ? &ctx->rx->crypto : NULL;
}
