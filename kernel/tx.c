// SPDX-License-Identifier: GPL-2.0
/*
 * Transmit: application bytes become TLS records.
 *
 * One record is open at a time. sendmsg() copies plaintext into it; it is
 * sealed (encrypted in place) when it reaches 2^14 bytes, when the call ends
 * without MSG_MORE, on MSG_EOR, or when a record of another type comes, and
 * then handed to TCP. A call that brings a whole record at once (or the
 * rest of one it closes) is not copied: the record is encrypted straight
 * from the caller's memory or spliced pages (seal_direct()). Whatever of a
 * sealed record TCP cannot take yet (a full send buffer on a non-blocking
 * socket, a signal, a timeout) stays pending and goes out first on the next
 * call; the plaintext it carries has already been counted as sent, so
 * nothing is lost or sent twice.
 *
 * A record lives in page fragments of the socket's own page_frag, reserved
 * whole when the record opens (so no allocation can fail half-way through
 * one) and trimmed to size when it is sealed. TCP takes the sealed pages by
 * reference, as it does for sendfile, instead of copying them again (6.1:
 * see ktlso_compat_send_pages()).
 *
 * Crypto requests are always waited for, so no completion can outlive the
 * call that started it. The one asynchronous piece is flush_work: when TCP
 * frees send space (sk_write_space) it pushes pending bytes that no further
 * sendmsg may come to push. It never waits for tx_lock, which a blocking
 * sender holds while it sleeps for space as long as the peer does not read:
 * it leaves the push to the holder, who runs the work again as it lets go
 * (ktlso_tx_unlock()). close() unhooks sk_write_space under the socket lock
 * and cancels the work before anything is freed.
 */
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <net/tcp.h>

#include "compat.h"
#include "ktlso.h"

/* header | explicit nonce or IV | plaintext | TLS 1.3 inner type, or CBC's
 * MAC and padding | tag or MAC
 */
#define TX_RECORD_ROOM KTLSO_MAX_RECORD
/* A record's fragments: at most two of a high-order page_frag, at most six
 * when the allocator falls back to single pages.
 */
#define TX_MAX_FRAGS 8

struct ktlso_tx {
	struct ktlso_crypto crypto;
	struct sock *sk;
	struct work_struct flush_work;
	unsigned long flush_wanted;	/* bit 0: the work found tx_lock taken */
	int err;		/* sticky: once set, the stream is over */
	bool open;
	u8 open_type;
	unsigned int open_len;	/* plaintext bytes in the open record */
	/* The open or the sealed record, in pages of pfrag we hold a
	 * reference to. A record is only opened once nothing is pending.
	 */
	struct bio_vec frags[TX_MAX_FRAGS];
	unsigned int nr_frags;
	unsigned int rec_len;	/* bytes in frags */
	/* Sealed, not yet in TCP: bytes pending_off.. of the record. */
	unsigned int pending_off, pending_len;
	/* Only this socket carves records out of it, so a record's bytes
	 * are contiguous but where a page ends.
	 */
	struct page_frag pfrag;
	struct scatterlist sg[TX_MAX_FRAGS + 1];
	u8 tail;		/* TLS 1.3 content type, sealing from the caller's pages */
	u64 key_bytes;		/* plaintext sealed under the current key */
};

/* Pieces of the caller's memory a record may be encrypted from. */
#define TX_DIRECT_SG KTLSO_PAGES_MAX
/* Smaller writes are copied: holding pages costs more than a short copy. */
#define TX_DIRECT_MIN 4096

static unsigned int head_len(struct ktlso_tx *tx)
{
	return KTLSO_HEADER_SIZE + ktlso_record_prefix(&tx->crypto);
}

/* Drop the record's pages, wiping them first if asked. */
static void drop_record(struct ktlso_tx *tx, bool wipe)
{
	unsigned int i;

	for (i = 0; i < tx->nr_frags; i++) {
		struct bio_vec *bv = &tx->frags[i];

		if (wipe)
			memzero_explicit(page_address(bv->bv_page) + bv->bv_offset,
					 bv->bv_len);
		put_page(bv->bv_page);
	}
	tx->nr_frags = 0;
	tx->rec_len = 0;
}

/*
 * Open a record: reserve room for the largest one in pfrag. Nothing of this
 * call has been copied yet, so waiting for memory (or -EAGAIN) loses nothing.
 */
static int open_record(struct sock *sk, struct ktlso_tx *tx, u8 type, long *timeo)
{
	struct page_frag *pfrag = &tx->pfrag;
	unsigned int need = TX_RECORD_ROOM;

	while (need) {
		struct bio_vec *last = tx->nr_frags ? &tx->frags[tx->nr_frags - 1] : NULL;
		unsigned int take;

		/* At least 32 bytes: the header and explicit nonce are never
		 * split across pages.
		 */
		if (!sk_page_frag_refill(sk, pfrag)) {
			int err = sk_stream_wait_memory(sk, timeo);

			if (err) {
				drop_record(tx, false);
				return err;
			}
			continue;
		}
		take = min(need, pfrag->size - pfrag->offset);
		if (last && last->bv_page == pfrag->page &&
		    last->bv_offset + last->bv_len == pfrag->offset) {
			last->bv_len += take;
		} else if (tx->nr_frags == TX_MAX_FRAGS) {
			drop_record(tx, false);
			return -ENOMEM;
		} else {
			get_page(pfrag->page);
			bvec_set_page(&tx->frags[tx->nr_frags++], pfrag->page, take,
				      pfrag->offset);
		}
		pfrag->offset += take;
		tx->rec_len += take;
		need -= take;
	}
	tx->open = true;
	tx->open_type = type;
	tx->open_len = 0;
	return 0;
}

/* Give back what a sealed record of len bytes does not use. */
static void trim_record(struct ktlso_tx *tx, unsigned int len)
{
	struct page_frag *pfrag = &tx->pfrag;
	unsigned int i, at = 0;

	for (i = 0; i < tx->nr_frags && at + tx->frags[i].bv_len < len; i++)
		at += tx->frags[i].bv_len;
	while (tx->nr_frags > i + 1)
		put_page(tx->frags[--tx->nr_frags].bv_page);
	/* The tail of pfrag's current page can serve the next record. */
	if (tx->frags[i].bv_page == pfrag->page &&
	    tx->frags[i].bv_offset + tx->frags[i].bv_len == pfrag->offset)
		pfrag->offset -= tx->frags[i].bv_len - (len - at);
	tx->frags[i].bv_len = len - at;
	tx->rec_len = len;
}

/* Copy n bytes from the iterator to offset off of the record. */
static size_t copy_in(struct ktlso_tx *tx, unsigned int off, struct iov_iter *from,
		      size_t n)
{
	size_t done = 0;
	unsigned int i;

	for (i = 0; i < tx->nr_frags && done < n; i++) {
		struct bio_vec *bv = &tx->frags[i];
		size_t part, got;

		if (off >= bv->bv_len) {
			off -= bv->bv_len;
			continue;
		}
		part = min_t(size_t, n - done, bv->bv_len - off);
		got = copy_from_iter(page_address(bv->bv_page) + bv->bv_offset + off,
				     part, from);
		done += got;
		if (got != part)
			break;
		off = 0;
	}
	return done;
}

/*
 * Encrypt the open record and make it pending: in place, or out of src (as
 * ktlso_record_seal() wants it) into the record.
 */
static int seal_from(struct sock *sk, struct ktlso_tx *tx, struct scatterlist *src)
{
	struct ktlso_crypto *c = &tx->crypto;
	unsigned int head = head_len(tx), len, i, n = 0, skip = head;
	int err;

	if (tx->err)
		return tx->err;

	len = ktlso_record_size(c, tx->open_len);
	trim_record(tx, len);
	sg_init_table(tx->sg, tx->nr_frags + 1);
	for (i = 0; i < tx->nr_frags; i++) {
		struct bio_vec *bv = &tx->frags[i];

		if (skip >= bv->bv_len) {
			skip -= bv->bv_len;
			continue;
		}
		sg_set_page(&tx->sg[++n], bv->bv_page, bv->bv_len - skip,
			    bv->bv_offset + skip);
		skip = 0;
	}
	sg_mark_end(&tx->sg[n]);
	/* open_record() keeps the header and explicit nonce in one piece. */
	err = ktlso_record_seal(c, tx->open_type, tx->open_len,
				page_address(tx->frags[0].bv_page) + tx->frags[0].bv_offset,
				src ?: tx->sg, tx->sg);
	if (err) {
		/* Never send a half-encrypted buffer. */
		drop_record(tx, true);
		tx->open = false;
		tx->err = err;
		return err;
	}

	ktlso_stat_add(sk, KTLSO_STAT_TX_RECORDS, 1);
	ktlso_stat_add(sk, KTLSO_STAT_TX_BYTES, tx->open_len);
	tx->key_bytes += tx->open_len;
	tx->open = false;
	tx->open_len = 0;
	tx->pending_off = 0;
	tx->pending_len = len;
	/* The record is good; a refused advance only stops the next one. */
	tx->err = ktlso_record_advance(c);
	return 0;
}

static int seal(struct sock *sk, struct ktlso_tx *tx)
{
	return seal_from(sk, tx, NULL);
}

/*
 * The open, empty record takes its len bytes of plaintext from where the
 * caller has them, encrypted from there instead of copied in first: pages
 * spliced to us (sendfile, MSG_SPLICE_PAGES), or the application's own
 * memory, held for the call. Not for CCM or CBC-HMAC, which read the
 * plaintext twice (MAC, then encryption): memory the application changes
 * meanwhile would make a record that cannot authenticate; GCM and
 * ChaCha20-Poly1305 read it once and authenticate what they wrote. Return: 1 when the record is
 * sealed, 0 when the caller is to copy instead (the record stays open), or
 * -errno.
 */
static int seal_direct(struct sock *sk, struct ktlso_tx *tx, struct msghdr *msg,
		       size_t len)
{
	struct scatterlist src[1 + TX_DIRECT_SG + 1];
	bool user = user_backed_iter(&msg->msg_iter);
	unsigned int n = 0;
	size_t mapped = 0;
	int err;

	if (tx->open_len || tx->crypto.cipher->reads_twice || (user && len < TX_DIRECT_MIN))
		return 0;
	sg_init_table(src, ARRAY_SIZE(src));
	if (user) {
		n = ktlso_pages_get(&msg->msg_iter, len, src + 1, TX_DIRECT_SG, &mapped);
		if (mapped != len) {
			ktlso_pages_put(src + 1, n);
			iov_iter_revert(&msg->msg_iter, mapped);
			return 0;
		}
	} else if ((msg->msg_flags & MSG_SPLICE_PAGES) && iov_iter_is_bvec(&msg->msg_iter)) {
		n = ktlso_compat_bvec_to_sg(&msg->msg_iter, len, src + 1, TX_DIRECT_SG);
	}
	if (!n)
		return 0;
	/* RFC 8446 §5.2: room for the content type after the data. */
	if (tx->crypto.version == TLS_1_3_VERSION)
		sg_set_buf(&src[n + 1], &tx->tail, 1);
	sg_mark_end(&src[tx->crypto.version == TLS_1_3_VERSION ? n + 1 : n]);
	tx->open_len = len;
	err = seal_from(sk, tx, src);
	if (user)
		ktlso_pages_put(src + 1, n);
	return err ?: 1;
}

/* Hand pending sealed bytes to TCP; the pages go when all of them have. */
static int push(struct sock *sk, struct ktlso_tx *tx, int flags)
{
	while (tx->pending_len) {
		int sent = ktlso_compat_send_pages(sk, tx->frags, tx->nr_frags,
						   tx->rec_len, tx->pending_off,
						   flags & (MSG_DONTWAIT | MSG_NOSIGNAL | MSG_MORE));

		if (sent <= 0)
			return sent ? sent : -EAGAIN;
		tx->pending_off += sent;
		tx->pending_len -= sent;
	}
	if (tx->nr_frags && !tx->open)
		drop_record(tx, false);
	return 0;
}

/*
 * A record of @type the kernel makes itself (an alert, a KeyUpdate), from
 * kernel memory, sealed; into the open record if one is (it holds nothing
 * yet). Return: 0, or -errno with nothing of it sealed.
 */
static int seal_kernel_record(struct sock *sk, struct ktlso_tx *tx, u8 type,
			      const void *data, unsigned int len, long *timeo)
{
	int err;

	if (!tx->open) {
		err = open_record(sk, tx, type, timeo);
		if (err)
			return err;
	}
	tx->open_type = type;
	/* open_record() keeps the header and explicit nonce in one piece,
	 * and a control record is shorter than what follows them there.
	 */
	memcpy(page_address(tx->frags[0].bv_page) + tx->frags[0].bv_offset +
	       head_len(tx), data, len);
	tx->open_len = len;
	return seal(sk, tx);
}

static int seal_and_push(struct sock *sk, struct ktlso_tx *tx, int flags)
{
	int err = seal(sk, tx);

	return err ? err : push(sk, tx, flags);
}

/*
 * RFC 8446 §4.6.3, on a daemon socket (keyupdate.c): between records, when
 * the peer asked or this key has carried enough, seal a KeyUpdate under
 * the old key and switch to the next one. Nothing is pending or open here.
 * The next key is keyed before the message is sealed, so once it is sealed
 * the switch cannot fail. Return: 0 (also when no update is due), or
 * -errno with the old key still in place and the update still due.
 */
static int send_key_update(struct sock *sk, struct ktlso_context *ctx,
			   struct ktlso_tx *tx, int flags, long *timeo)
{
	struct ktlso_crypto next;
	u8 msg[KTLSO_KU_MSG_LEN];
	int err;

	/* Nothing goes out after the FIN, KeyUpdates neither. */
	if (tx->open || tx->pending_len || (sk->sk_shutdown & SEND_SHUTDOWN) ||
	    !ktlso_ku_tx_due(ctx, &tx->crypto, tx->key_bytes))
		return 0;
	err = ktlso_ku_tx_prepare(ctx, &tx->crypto, &next);
	if (err)
		return err;
	ktlso_ku_message(msg);
	err = seal_kernel_record(sk, tx, KTLSO_RECORD_HANDSHAKE, msg,
				 sizeof(msg), timeo);
	if (err) {
		ktlso_ku_tx_abort(ctx, &next);
		return err;
	}
	/* Sealed under the old key: the sequence number's end is no error. */
	tx->err = 0;
	ktlso_ku_tx_commit(sk, &tx->crypto, &next);
	tx->key_bytes = 0;
	return push(sk, tx, flags);
}

static void flush_pending(struct work_struct *work)
{
	struct ktlso_tx *tx = container_of(work, struct ktlso_tx, flush_work);
	struct sock *sk = tx->sk;
	struct ktlso_context *ctx = ktlso_ctx(sk);
	long timeo = 0;

	/* Wanted first, then the lock: either the holder's ktlso_tx_unlock()
	 * sees the bit, or the lock is free here (full barriers on both sides).
	 */
	set_bit(0, &tx->flush_wanted);
	smp_mb__after_atomic();
	if (!mutex_trylock(&ctx->tx_lock))
		return;
	clear_bit(0, &tx->flush_wanted);
	lock_sock(sk);
	/* A KeyUpdate the peer asked for goes out without waiting for the
	 * application to write again.
	 */
	if (!tx->err && !push(sk, tx, MSG_DONTWAIT | MSG_NOSIGNAL))
		send_key_update(sk, ctx, tx, MSG_DONTWAIT | MSG_NOSIGNAL, &timeo);
	release_sock(sk);
	mutex_unlock(&ctx->tx_lock);
	/* An alert a reader could not send while we held the lock. */
	ktlso_alert_flush(sk, ctx);
}

/**
 * ktlso_tx_kick() - have the flush work look at TX (a KeyUpdate is due)
 * @ctx: the context, TX installed; from RX, which holds ctx->rx_lock only
 */
void ktlso_tx_kick(struct ktlso_context *ctx)
{
	struct ktlso_tx *tx = READ_ONCE(ctx->tx);

	if (tx)
		schedule_work(&tx->flush_work);
}

/**
 * ktlso_tx_unlock() - let go of ctx->tx_lock
 * @ctx: the context; its tx (if any) stays until close, which no holder of
 *       the lock can race with
 *
 * The flush work does not wait for the lock: if it found the lock taken, it
 * runs again now.
 */
void ktlso_tx_unlock(struct ktlso_context *ctx)
{
	struct ktlso_tx *tx = ctx->tx;

	mutex_unlock(&ctx->tx_lock);
	if (tx && test_and_clear_bit(0, &tx->flush_wanted))
		schedule_work(&tx->flush_work);
	/* An alert a reader could not send while we held the lock. */
	if (tx)
		ktlso_alert_flush(tx->sk, ctx);
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
	long timeo = sock_sndtimeo(sk, flags & MSG_DONTWAIT);
	u8 type = KTLSO_RECORD_DATA;
	bool last, closes;
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
	/* Whether the record open at the end of this call is sealed then. */
	closes = !(flags & MSG_MORE) || (flags & MSG_EOR) || type != KTLSO_RECORD_DATA;

	while (msg_data_left(msg)) {
		size_t room, want, got;

		if (!tx->open) {
			err = send_key_update(sk, ktlso_ctx(sk), tx, flags, &timeo);
			if (err)
				return err;
			err = open_record(sk, tx, type, &timeo);
			if (err)
				return err;
		}
		/* A whole record, or the last of the call when the call
		 * closes it: straight from the caller's memory.
		 */
		want = min_t(size_t, KTLSO_MAX_PLAINTEXT, msg_data_left(msg));
		err = want == KTLSO_MAX_PLAINTEXT || (want == msg_data_left(msg) && closes) ?
		      seal_direct(sk, tx, msg, want) : 0;
		if (err < 0)
			return err;
		if (err) {
			*copied += want;
			last = !msg_data_left(msg);
			err = push(sk, tx, last ? flags : flags | MSG_MORE);
			if (err)
				return err;
			continue;
		}
		room = KTLSO_MAX_PLAINTEXT - tx->open_len;
		want = min(room, msg_data_left(msg));
		got = copy_in(tx, head_len(tx) + tx->open_len, &msg->msg_iter, want);
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

	if (tx->open && tx->open_len && closes)
		return seal_and_push(sk, tx, flags);
	return 0;
}

/* Internal flags kernel callers may set on top of the user's. */
#ifdef KTLSO_HAVE_PROTO_SENDPAGE
#define SENDPAGE_FLAGS (MSG_SENDPAGE_NOTLAST | MSG_SENDPAGE_NOPOLICY)
#else
#define SENDPAGE_FLAGS MSG_SENDPAGE_NOPOLICY
#endif

int ktlso_sendmsg(struct sock *sk, struct msghdr *msg, size_t size)
{
	struct ktlso_context *ctx = ktlso_ctx(sk);
	size_t copied = 0;
	int err;

	if (msg->msg_flags & ~(MSG_MORE | MSG_DONTWAIT | MSG_NOSIGNAL | MSG_EOR |
			       MSG_CMSG_COMPAT | MSG_SPLICE_PAGES | SENDPAGE_FLAGS))
		return -EOPNOTSUPP;

	mutex_lock(&ctx->tx_lock);
	lock_sock(sk);
	err = send_locked(sk, ctx->tx, msg, &copied);
	release_sock(sk);
	ktlso_tx_unlock(ctx);
	return copied ? copied : err;
}

#ifdef KTLSO_HAVE_PROTO_SENDPAGE
/*
 * sendfile()/splice() into the socket, where they come a page at a time
 * through proto->sendpage, which TCP would otherwise serve in plaintext:
 * each page goes through the record layer like a write.
 */
int ktlso_sendpage(struct sock *sk, struct page *page, int offset, size_t size,
		   int flags)
{
	struct msghdr msg = { .msg_flags = flags & ~MSG_SENDPAGE_NOTLAST };
	struct bio_vec bvec;

	if (flags & MSG_SENDPAGE_NOTLAST)
		msg.msg_flags |= MSG_MORE;
	bvec_set_page(&bvec, page, size, offset);
	iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, &bvec, 1, size);
	return ktlso_sendmsg(sk, &msg, size);
}
#endif

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
	ktlso_tx_unlock(ctx);
}

/*
 * Hand TCP every sealed byte without waiting. What the send buffer cannot
 * take is queued past its limit, as TCP queues its own FIN behind data.
 * Return: true when some of it could not be (TCP refusing the memory).
 */
static bool push_past_limit(struct sock *sk, struct ktlso_tx *tx)
{
	const int flags = MSG_DONTWAIT | MSG_NOSIGNAL;

	if (tx->pending_len && push(sk, tx, flags)) {
		/* TCP may be past its limit already: room above what it holds,
		 * with slack for the segments' own overhead.
		 */
		sk->sk_userlocks |= SOCK_SNDBUF_LOCK;
		WRITE_ONCE(sk->sk_sndbuf,
			   max(sk->sk_sndbuf, READ_ONCE(sk->sk_wmem_queued)) +
			   2 * tx->pending_len);
		push(sk, tx, flags);
	}
	return tx->pending_len;
}

/*
 * One whole record of @type from kernel memory, behind everything sealed
 * before it, without waiting. Return: 0, or -errno with nothing of it sent.
 */
static int queue_kernel_record(struct sock *sk, struct ktlso_tx *tx, u8 type,
			       const void *data, unsigned int len)
{
	long timeo = 0;
	int err;

	if (tx->err)
		return tx->err;
	if (tx->open && tx->open_len) {
		err = seal(sk, tx);
		if (err)
			return err;
	}
	if (push_past_limit(sk, tx))
		return -ENOMEM;
	err = seal_kernel_record(sk, tx, type, data, len, &timeo);
	if (err)
		return err;
	if (type == KTLSO_RECORD_ALERT)
		ktlso_stat_add(sk, KTLSO_STAT_ALERT_TX, 1);
	return push_past_limit(sk, tx) ? -ENOMEM : 0;
}

/* RFC 8446 §6.1, RFC 5246 §7.2.1: close_notify before our side closes. */
static const u8 close_notify[2] = { KTLSO_ALERT_WARNING, KTLSO_ALERT_CLOSE_NOTIFY };

/*
 * Before a FIN: seal the record still open and hand TCP every sealed byte
 * without waiting; on a daemon-established socket, then a close_notify.
 * Return: true when some data could not be queued (a broken record stream,
 * or TCP refusing the memory). A close_notify that cannot be is not data:
 * the FIN goes on without it.
 */
static bool queue_before_fin(struct sock *sk, struct ktlso_tx *tx)
{
	bool lost = false;

	if (tx->open && tx->open_len)
		lost = tx->err || seal(sk, tx);
	lost = push_past_limit(sk, tx) || lost;
	if (!lost && ktlso_hs_established(ktlso_ctx(sk)) && !sk->sk_err &&
	    !(sk->sk_shutdown & SEND_SHUTDOWN) &&
	    ((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT)))
		(void)queue_kernel_record(sk, tx, KTLSO_RECORD_ALERT, close_notify,
					  sizeof(close_notify));
	return lost;
}

/**
 * ktlso_tx_record() - send one record the kernel itself makes (an alert)
 * @sk: the socket, not locked
 * @ctx: its context, with TX keys; the caller holds ctx->tx_lock
 * @type: the content type
 * @data: the record's content, in kernel memory
 * @len: its length, at most a few bytes
 * @last: nothing is sent after it: later sends fail with EPIPE and TCP's
 *        FIN follows it (RFC 8446 §6.2: a fatal alert closes the connection)
 *
 * Never waits: what the send buffer cannot take is queued past its limit.
 *
 * Return: 0, or -errno.
 */
int ktlso_tx_record(struct sock *sk, struct ktlso_context *ctx, u8 type,
		    const void *data, unsigned int len, bool last)
{
	struct ktlso_tx *tx = ctx->tx;
	int err;

	lock_sock(sk);
	err = queue_kernel_record(sk, tx, type, data, len);
	if (last && !tx->err) {
		tx->err = -EPIPE;
		if (!(sk->sk_shutdown & SEND_SHUTDOWN)) {
			WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | SEND_SHUTDOWN);
			ctx->sk_proto->shutdown(sk, SEND_SHUTDOWN);
		}
	}
	release_sock(sk);
	return err;
}

/**
 * ktlso_tx_shutdown() - before shutdown(SHUT_WR): send what MSG_MORE held
 * @sock: the socket
 *
 * TCP's FIN would otherwise end the stream cleanly short of bytes send()
 * accepted. Like TCP's shutdown it does not wait for the peer to read.
 *
 * Return: 0 to go on with TCP's shutdown, or -errno (the error that broke
 * the record stream, or -ENOMEM) with nothing shut down.
 */
int ktlso_tx_shutdown(struct socket *sock)
{
	struct sock *sk = sock->sk;
	struct ktlso_context *ctx = ktlso_ctx(sk);
	int err = 0;

	mutex_lock(&ctx->tx_lock);
	lock_sock(sk);
	/* A socket that can no longer send has nothing to hold the FIN for:
	 * TCP's shutdown answers as it would without us.
	 */
	if (ctx->tx && !(sk->sk_shutdown & SEND_SHUTDOWN) && !sk->sk_err &&
	    ((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT)) &&
	    queue_before_fin(sk, ctx->tx))
		err = ctx->tx->err ?: -ENOMEM;
	release_sock(sk);
	ktlso_tx_unlock(ctx);
	return err;
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

	tx = kzalloc(sizeof(*tx), GFP_KERNEL_ACCOUNT);
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
 * TCP's close delivers every sealed byte, as it would its own. When even
 * that fails (TCP under hard memory pressure refuses the memory), the
 * connection is reset instead: a FIN would end the stream inside a record,
 * or short of bytes the application was told were sent.
 */
void ktlso_tx_release(struct sock *sk, struct ktlso_context *ctx)
{
	struct ktlso_tx *tx = ctx->tx;
	bool lost;

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
	lost = queue_before_fin(sk, tx);
	/* TCP's close resets a socket set to linger for 0 s, where it would
	 * send a FIN.
	 */
	if (lost) {
		sock_set_flag(sk, SOCK_LINGER);
		WRITE_ONCE(sk->sk_lingertime, 0);
	}
	ctx->tx = NULL;
	ktlso_stat_add(sk, KTLSO_STAT_CURR_TX, -1);
	release_sock(sk);
	mutex_unlock(&ctx->tx_lock);

	/* An open record still holds plaintext; a sealed one TCP may share. */
	drop_record(tx, tx->open);
	if (tx->pfrag.page)
		put_page(tx->pfrag.page);
	ktlso_crypto_uninit(&tx->crypto);
	kfree_sensitive(tx);
}

struct ktlso_crypto *ktlso_tx_crypto(struct ktlso_context *ctx)
{
	return ctx->tx ? &ctx->tx->crypto : NULL;
}
