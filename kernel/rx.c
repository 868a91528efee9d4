// SPDX-License-Identifier: GPL-2.0
/*
 * Receive: TLS records become application bytes.
 *
 * Records are taken one at a time and checked (RFC 8446 §5.1 header rules,
 * with kTLS's errno for each). A record is decrypted where TCP queued it
 * (tcpq.c) once all of it is there; only when TCP cannot hold it all, or the
 * stream is ending, is its ciphertext copied out into a gather buffer first.
 * When recvmsg() has room for the whole record, a TLS 1.2 data record is
 * decrypted straight into the caller's memory and a TLS 1.3 record through
 * the gather buffer (open_via_gather() says why); otherwise (MSG_PEEK, a
 * short buffer, splice, a control record) it is decrypted into its own
 * buffer and queued, and recvmsg() hands out queued plaintext. A reader
 * that will not wait leaves a record TCP has only part of where it is. Only
 * authenticated bytes are ever delivered or queued. Records of different
 * types are never mixed in one call, and each call says its type with a
 * TLS_GET_RECORD_TYPE control message.
 *
 * Queued plaintext has left TCP's queue and its accounting, so MSG_PEEK,
 * the one reader that queues more than a record, stops at the receive
 * buffer's worth and returns what it has; the buffers are charged to the
 * socket owner's memory cgroup.
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
 * allows no more padding than the inner type byte, CBC up to 256 bytes.
 */
#define RX_CIPHERTEXT_ROOM KTLSO_MAX_FRAGMENT

/* Pieces of TCP's queue a record may span and still be decrypted in place
 * (skbs from small segments are many); past that it is copied out.
 */
#define RX_QUEUED_SG 48

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
	/* Daemon-established sockets (RFC 8446 §6.2): the fatal alert for the
	 * error just found, set where it is found and sent before the reader
	 * gets the errno (alert_peer()); KTLSO_ALERT_NONE when there is none.
	 */
	int alert;
	bool eof;		/* close_notify came: end of stream */
	struct ktlso_posths *posths;	/* post-handshake messages (posths.c) */
	struct list_head records;	/* decrypted, in order */
	unsigned int records_len;	/* undelivered plaintext bytes in them */
	unsigned int have;	/* bytes of the next record gathered */
	/* The gathered record is still in TCP's queue; rec holds its header
	 * and explicit nonce only.
	 */
	bool queued;
	u8 rec[KTLSO_HEADER_SIZE + RX_CIPHERTEXT_ROOM];
	struct scatterlist src[1 + RX_QUEUED_SG];	/* the AAD, the ciphertext */
};

static unsigned int record_length(const struct ktlso_rx *rx)
{
	return KTLSO_HEADER_SIZE + (rx->rec[3] << 8 | rx->rec[4]);
}

/* The header and explicit nonce. */
static unsigned int head_len(const struct ktlso_rx *rx)
{
	return KTLSO_HEADER_SIZE + ktlso_record_prefix(&rx->crypto);
}


/* Tell poll the stream is broken (sk_err). */
static void report_error(struct sock *sk, int err)
{
	WRITE_ONCE(sk->sk_err, -err);
	sk_error_report(sk);
}

/*
 * The stream is broken: stop reading. A record that failed authentication
 * makes every later read fail too (sticky); a bad header is reported once.
 * sk_err waits while an alert is to be sent: TCP would refuse to send it
 * and take sk_err on the way.
 */
static void fail(struct sock *sk, struct ktlso_rx *rx, int err, bool sticky)
{
	if (sticky)
		rx->err = err;
	else
		rx->stop_err = err;
	rx->stopped = true;
	if (rx->alert == KTLSO_ALERT_NONE)
		report_error(sk, err);
}

/*
 * Send the fatal alert the error wants (RFC 8446 §6.2), then tell poll.
 * Called without the socket lock, before the reader gets the errno.
 */
static void alert_peer(struct sock *sk, struct ktlso_rx *rx)
{
	int alert = rx->alert;

	if (alert == KTLSO_ALERT_NONE || !rx->stopped)
		return;
	rx->alert = KTLSO_ALERT_NONE;
	ktlso_send_alert(sk, KTLSO_ALERT_FATAL, alert);
	report_error(sk, rx->err ?: rx->stop_err ?: -EPROTO);
}

/* The alert for a header ktlso_record_check_header() refused. */
static int header_alert(int err)
{
	/* RFC 8446 §5.2: longer than 2^14 + 256 bytes of ciphertext. */
	if (err == -EMSGSIZE)
		return KTLSO_ALERT_RECORD_OVERFLOW;
	/* Too short to hold a tag, or a legacy_record_version not 0x0303. */
	return KTLSO_ALERT_DECODE_ERROR;
}

/*
 * ktlso_record_check_header(), and on a daemon-established socket what
 * kTLS leaves to the application: RFC 8446 §5 (a ChangeCipherSpec after
 * the handshake, or any outer type but application_data in TLS 1.3) and
 * RFC 5246 §6.2.1 (a type TLS 1.2 does not know) are unexpected_message.
 */
static int check_header_of(struct sock *sk, struct ktlso_rx *rx)
{
	int err = ktlso_record_check_header(&rx->crypto, rx->rec);
	u8 type = rx->rec[0];

	if (!ktlso_hs_established(ktlso_ctx(sk)))
		return err;
	/* The type first: a ChangeCipherSpec in clear is also too short. */
	if (rx->crypto.version == TLS_1_3_VERSION ? type != KTLSO_RECORD_DATA :
	    type < KTLSO_RECORD_ALERT || type > KTLSO_RECORD_DATA) {
		rx->alert = KTLSO_ALERT_UNEXPECTED_MESSAGE;
		return -EPROTO;
	}
	if (err)
		rx->alert = header_alert(err);
	return err;
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

/*
 * Wait, without copying anything out of TCP, until it holds the whole next
 * record. Return: 1 when it does (rx->queued, with the header and explicit
 * nonce copied to rx->rec); 0 when the record is to be copied out of TCP
 * instead, or its header was bad (the stream is stopped); or -errno
 * (-EAGAIN when SO_RCVTIMEO ran out or the caller will not wait, a signal).
 */
static int wait_queued(struct sock *sk, struct ktlso_rx *rx, int flags)
{
	long timeo = sock_rcvtimeo(sk, flags & MSG_DONTWAIT);
	int ret, err;

	lock_sock(sk);
	ret = ktlso_tcpq_wait(sk, KTLSO_HEADER_SIZE, &timeo);
	if (ret > 0) {
		err = ktlso_tcpq_copy(sk, 0, rx->rec, KTLSO_HEADER_SIZE);
		err = err ?: check_header_of(sk, rx);
		if (err) {
			fail(sk, rx, err, false);
			ret = 0;
		}
	}
	if (ret > 0)
		ret = ktlso_tcpq_wait(sk, record_length(rx), &timeo);
	if (ret > 0 && !ktlso_tcpq_copy(sk, 0, rx->rec, head_len(rx))) {
		rx->queued = true;
		rx->have = record_length(rx);
	}
	release_sock(sk);
	return ret;
}

/*
 * The gathered record's ciphertext and tag for ktlso_record_open(): where
 * TCP queued it (the socket then stays locked, for decrypt()) or in
 * rx->rec.
 */
static struct scatterlist *get_source(struct sock *sk, struct ktlso_rx *rx)
{
	unsigned int head = head_len(rx), len = record_length(rx) - head;
	int n;

	if (rx->queued) {
		lock_sock(sk);
		sg_init_table(rx->src, ARRAY_SIZE(rx->src));
		n = ktlso_tcpq_map(sk, head, len, rx->src + 1, ARRAY_SIZE(rx->src) - 1);
		if (n > 0) {
			sg_mark_end(&rx->src[n]);
			return rx->src;
		}
		/* Too scattered to map: copy it out after all. */
		n = ktlso_tcpq_copy(sk, 0, rx->rec, record_length(rx)) ?:
		    ktlso_tcpq_consume(sk, record_length(rx));
		rx->queued = false;
		release_sock(sk);
		if (n)
			return ERR_PTR(n);
	}
	sg_init_table(rx->src, 2);
	sg_set_buf(&rx->src[1], rx->rec + head, len);
	return rx->src;
}

/* Decrypt the gathered record into dst (entry 0 is left for the AAD). */
static int decrypt(struct sock *sk, struct ktlso_rx *rx, struct scatterlist *dst)
{
	struct scatterlist *src = get_source(sk, rx);
	int err;

	if (IS_ERR(src))
		return PTR_ERR(src);
	err = ktlso_record_open(&rx->crypto, rx->rec, src, dst);
	if (rx->queued)
		release_sock(sk);
	if (err) {
		ktlso_stat_add(sk, KTLSO_STAT_DECRYPT_ERRORS, 1);
		rx->alert = KTLSO_ALERT_BAD_RECORD_MAC;
	}
	return err;
}

/* An authentic record: consume it, count it, step to the next sequence
 * number.
 */
static int accept_record(struct sock *sk, struct ktlso_rx *rx, unsigned int len)
{
	int err = 0;

	if (rx->queued) {
		lock_sock(sk);
		err = ktlso_tcpq_consume(sk, rx->have);
		release_sock(sk);
		rx->queued = false;
	}
	rx->have = 0;
	ktlso_stat_add(sk, KTLSO_STAT_RX_RECORDS, 1);
	ktlso_stat_add(sk, KTLSO_STAT_RX_BYTES, len);
	return err ?: ktlso_record_advance(&rx->crypto);
}

/* queue_record() consumed the record and had nothing to queue. */
#define RECORD_DROPPED 1

/*
 * A daemon-established socket's record, decrypted, before the application
 * sees it (posths.c). Return: a verdict, or -errno with rx->alert set.
 */
static int posths(struct sock *sk, struct ktlso_rx *rx, const struct rx_record *r)
{
	int verdict, alert;

	if (!ktlso_hs_established(ktlso_ctx(sk)))
		return KTLSO_POSTHS_DELIVER;
	verdict = ktlso_posths_record(sk, &rx->posths, rx->crypto.version, r->type,
				      r->data, r->len, &alert);
	if (verdict < 0)
		rx->alert = alert;
	return verdict;
}

/*
 * Decrypt the gathered record into a buffer of its own and queue it.
 * Return: 0, RECORD_DROPPED for a record the application never sees
 * (posths.c), or -errno.
 */
static int queue_record(struct sock *sk, struct ktlso_rx *rx)
{
	struct ktlso_crypto *c = &rx->crypto;
	unsigned int inner = ktlso_record_inner_len(c, rx->rec);
	struct scatterlist sg[2];
	struct rx_record *r;
	unsigned int ku_at;
	int err, verdict, ku;

	r = kmalloc(struct_size(r, data, inner), sk->sk_allocation | __GFP_ACCOUNT);
	if (!r)
		return -ENOMEM;
	r->off = 0;
	r->len = inner;

	sg_init_table(sg, 2);
	sg_set_buf(&sg[1], r->data, inner);
	err = decrypt(sk, rx, sg);
	if (!err) {
		err = ktlso_record_content(c, rx->rec[0], r->data, &r->len, &r->type);
		if (err) {
			ktlso_stat_add(sk, KTLSO_STAT_DECRYPT_ERRORS, 1);
			/* RFC 8446 §5.4: no content type at all */
			rx->alert = KTLSO_ALERT_UNEXPECTED_MESSAGE;
		}
	}
	verdict = err ?: posths(sk, rx, r);
	if (verdict < 0 || verdict == KTLSO_POSTHS_DROP || verdict == KTLSO_POSTHS_EOF) {
		inner = r->len;
		kfree_sensitive(r);
		if (verdict < 0)
			return verdict;
		rx->eof = verdict == KTLSO_POSTHS_EOF;
		return accept_record(sk, rx, inner) ?: RECORD_DROPPED;
	}

	/*
	 * A KeyUpdate (keyupdate.c): the kernel's to apply on a daemon socket
	 * with secrets, the application's to answer with TLS_RX otherwise.
	 * posths.c found where it starts, after the whole messages before it.
	 */
	ku_at = verdict == KTLSO_POSTHS_KEY_UPDATE ? ktlso_posths_ku_at(rx->posths) : 0;
	ku = ktlso_ku_received(sk, c, r->type, r->data + ku_at, r->len - ku_at, &rx->alert);
	if (ku < 0) {
		kfree_sensitive(r);
		return ku;
	}
	if (ku == KTLSO_KU_EXPIRED)
		rx->key_expired = true;
	if (ku == KTLSO_KU_APPLIED) {
		inner = r->len;
		kfree_sensitive(r);
		err = accept_record(sk, rx, inner);
		if (!err)
			ktlso_ku_rx_switch(sk, c);
		return err ?: RECORD_DROPPED;
	}
	list_add_tail(&r->list, &rx->records);
	rx->records_len += r->len;
	return accept_record(sk, rx, r->len);
}

/*
 * Gather and check one more record, reading from TCP as needed. Return: 1
 * when a whole record is gathered, 0 at end of stream, or -errno (-EAGAIN
 * under MSG_DONTWAIT before a whole record has arrived; what has arrived
 * stays gathered). poll passes !report: it learns of a stop's errno without
 * taking it from the reader.
 */
static int gather(struct sock *sk, struct ktlso_context *ctx, int flags, bool report)
{
	struct ktlso_rx *rx = ctx->rx;
	int err, n;

	for (;;) {
		unsigned int want = rx->have < KTLSO_HEADER_SIZE ?
			KTLSO_HEADER_SIZE - rx->have : record_length(rx) - rx->have;

		alert_peer(sk, rx);
		if (rx->err)
			return rx->err;
		if (rx->eof)
			return 0;
		if (rx->stopped) {
			err = rx->stop_err;
			if (!report)
				return err ?: -EAGAIN;
			rx->stop_err = 0;
			return err ?: wait_for_nothing(sk, flags);
		}
		if (rx->key_expired)
			return -EKEYEXPIRED;
		if (!want)
			return 1;
		if (!rx->have) {
			n = wait_queued(sk, rx, flags);
			if (n)
				return n;
			if (rx->stopped)
				continue;
		}
		n = read_tcp(sk, ctx, want, flags);
		if (n <= 0)
			return n;
		if (rx->have == KTLSO_HEADER_SIZE) {
			err = check_header_of(sk, rx);
			if (err)
				fail(sk, rx, err, false);
		}
	}
}

/*
 * A record that did not authenticate (or left no sequence number to go on
 * with) ends the stream; out of memory loses nothing: the record stays
 * gathered for the next try.
 */
static int opened(struct sock *sk, struct ktlso_rx *rx, int err)
{
	if (err && err != -ENOMEM) {
		fail(sk, rx, err, true);
		alert_peer(sk, rx);
	}
	return err;
}

/* Gather, check and decrypt one more record onto the queue. Return: 1 when
 * one was queued, 0 at end of stream, or -errno.
 */
static int read_record(struct sock *sk, struct ktlso_context *ctx, int flags)
{
	for (;;) {
		int err = gather(sk, ctx, flags, true);

		if (err <= 0)
			return err;
		err = queue_record(sk, ctx->rx);
		if (err != RECORD_DROPPED)
			return opened(sk, ctx->rx, err) ?: 1;
	}
}

/* kTLS's rule: the first record of a call fixes the call's type, reported in
 * a TLS_GET_RECORD_TYPE cmsg; a non-data record without room for it is EIO.
 */
static int claim_type(struct msghdr *msg, u8 record_type, u8 *type)
{
	int err;

	if (*type)
		return *type == record_type;
	*type = record_type;
	err = put_cmsg(msg, SOL_TLS, TLS_GET_RECORD_TYPE, sizeof(*type), type);
	if (record_type != KTLSO_RECORD_DATA && (err || msg->msg_flags & MSG_CTRUNC))
		return -EIO;
	return 1;
}

/*
 * TLS 1.2: decrypt the gathered record straight into the caller's memory,
 * when it is user memory with room for all of it and the record is data
 * (the header's type, which the AEAD authenticates, says so before anything
 * is written). Not for CBC, whose plaintext ends in MAC and padding that
 * are no business of the caller's. Return: bytes delivered; 0 when it must
 * take the queue instead (nothing has changed then: the ciphertext is still
 * gathered, and it is decrypted again); or -errno (-EBADMSG: not authentic).
 */
static int open_to_user(struct sock *sk, struct ktlso_rx *rx, struct msghdr *msg,
			size_t room, u8 *type)
{
	unsigned int len = ktlso_record_inner_len(&rx->crypto, rx->rec), n;
	struct scatterlist sg[1 + KTLSO_PAGES_MAX];
	size_t mapped;
	int err = 0;

	if (!rx->crypto.cipher->ops->plaintext_is_content ||
	    !len || len > room || !user_backed_iter(&msg->msg_iter) ||
	    (*type && *type != KTLSO_RECORD_DATA) || rx->rec[0] != KTLSO_RECORD_DATA)
		return 0;

	sg_init_table(sg, ARRAY_SIZE(sg));
	n = ktlso_pages_get(&msg->msg_iter, len, sg + 1, KTLSO_PAGES_MAX, &mapped);
	if (mapped == len) {
		sg_mark_end(&sg[n]);
		err = decrypt(sk, rx, sg);
	}
	ktlso_pages_put(sg + 1, n);
	if (mapped != len || err) {
		iov_iter_revert(&msg->msg_iter, mapped);
		return err;
	}

	claim_type(msg, KTLSO_RECORD_DATA, type);
	err = accept_record(sk, rx, len);
	if (err)
		fail(sk, rx, err, true);
	return len;
}

/*
 * TLS 1.3 hides a record's content type inside the encryption (RFC 8446
 * §5.2): an alert, a KeyUpdate or a NewSessionTicket looks like data until
 * it is decrypted, and the AEAD writes plaintext as it goes. Decrypted into
 * the caller's pages, such a record (or a data record's padding) would be
 * left there past what the call returns. So a TLS 1.3 record is decrypted
 * into the gather buffer, which holds only the header while the record is
 * still in TCP's queue (the usual case), and data is copied out of it: one
 * copy per record, as TCP's own recvmsg makes, and no allocation. A control
 * record, a record that is not in TCP's queue, or one longer than the
 * caller's room takes the queue, which decrypts it again into a buffer of
 * its own; control records are rare and short. Return: as open_to_user().
 */
static int open_via_gather(struct sock *sk, struct ktlso_rx *rx, struct msghdr *msg,
			   size_t room, u8 *type)
{
	struct ktlso_crypto *c = &rx->crypto;
	unsigned int inner = ktlso_record_inner_len(c, rx->rec), len = inner;
	u8 *plain = rx->rec + head_len(rx), content_type;
	struct scatterlist *src, dst[2];
	int err;

	if (!rx->queued || !inner || inner - 1 > room ||
	    (*type && *type != KTLSO_RECORD_DATA))
		return 0;

	src = get_source(sk, rx);
	if (IS_ERR(src))
		return PTR_ERR(src);
	/* Copied out of TCP after all: the gather buffer holds it now. */
	if (!rx->queued)
		return 0;
	sg_init_table(dst, 2);
	sg_set_buf(&dst[1], plain, inner);
	err = ktlso_record_open(c, rx->rec, src, dst);
	release_sock(sk);
	if (err) {
		rx->alert = KTLSO_ALERT_BAD_RECORD_MAC;
	} else {
		err = ktlso_record_content(c, rx->rec[0], plain, &len, &content_type);
		/* RFC 8446 §5.4: no content type at all */
		rx->alert = err ? KTLSO_ALERT_UNEXPECTED_MESSAGE : KTLSO_ALERT_NONE;
	}
	if (err) {
		ktlso_stat_add(sk, KTLSO_STAT_DECRYPT_ERRORS, 1);
		return err;
	}
	if (content_type != KTLSO_RECORD_DATA || !len) {
		memzero_explicit(plain, inner);
		return 0;
	}
	if (copy_to_iter(plain, len, &msg->msg_iter) != len)
		return -EFAULT;

	claim_type(msg, KTLSO_RECORD_DATA, type);
	err = accept_record(sk, rx, len);
	if (err)
		fail(sk, rx, err, true);
	return len;
}

/* A record that fits the caller's room, without the queue if it can. */
static int open_direct(struct sock *sk, struct ktlso_rx *rx, struct msghdr *msg,
		       size_t room, u8 *type)
{
	/* RFC 8446 §5.1: data amid a handshake message's fragments is for
	 * posths.c to refuse.
	 */
	if (ktlso_posths_busy(rx->posths))
		return 0;
	if (rx->crypto.version == TLS_1_3_VERSION)
		return open_via_gather(sk, rx, msg, room, type);
	return open_to_user(sk, rx, msg, room, type);
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

			/* A peek keeps what it decrypts: not past the receive
			 * buffer's worth (it has at least a record by then).
			 */
			if (peek && *copied && rx->records_len >= READ_ONCE(sk->sk_rcvbuf))
				return 0;
			/* With bytes copied, a stop's errno is left for the
			 * next call: this one returns the bytes.
			 */
			err = gather(sk, ctx, f, !*copied);
			if (err <= 0)
				return *copied ? 0 : err;
			err = peek ? 0 : open_direct(sk, rx, msg, len - *copied, &type);
			if (err > 0) {
				*copied += err;
				continue;
			}
			err = err ?: queue_record(sk, rx);
			if (err == RECORD_DROPPED)
				continue;
			err = opened(sk, rx, err);
			if (err)
				return *copied ? 0 : err;
		}
		r = list_entry(pos->next, struct rx_record, list);

		err = claim_type(msg, r->type, &type);
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
			rx->records_len -= n;
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
 * Readable only when a whole record has arrived: tcp_poll's EPOLLIN for half
 * a record would make a non-blocking reader spin on EAGAIN, and plaintext
 * already queued here is invisible to TCP. Gathering here, without blocking,
 * is what lets us know; if another reader holds the queue we keep TCP's
 * answer, and that reader will deliver. The record is not decrypted here:
 * the read that follows can then open it straight into its own memory, not
 * into a buffer of the queue's; the price is that a record the kernel keeps
 * to itself (a NewSessionTicket or KeyUpdate on a daemon socket) or a bad
 * one reads as ready, and the read finds nothing or the error.
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
		ret = gather(sk, ctx, MSG_DONTWAIT, false);
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
		ret = read_record(sk, ctx, rflags);
	if (ret > 0 && list_first_entry(&rx->records, struct rx_record, list)->type !=
		       KTLSO_RECORD_DATA)
		ret = -EINVAL;
	mutex_unlock(&ctx->rx_lock);
	if (ret <= 0)
		return ret;
	return ktlso_compat_splice_read(sock->file, ppos, pipe, len, flags);
}

/*
 * In-kernel readers (read_sock) would get ciphertext, or bytes the handshake
 * gate holds back: refuse them then. Before either, the stream is TCP's.
 */
int ktlso_read_sock(struct sock *sk, read_descriptor_t *desc,
		    sk_read_actor_t recv_actor)
{
	struct ktlso_context *ctx = ktlso_ctx(sk);

	if (READ_ONCE(ctx->rx) || READ_ONCE(ctx->hs))
		return -EOPNOTSUPP;
	return ktlso_proto_base_ops(sk)->read_sock(sk, desc, recv_actor);
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

	rx = kzalloc(sizeof(*rx), GFP_KERNEL_ACCOUNT);
	if (!rx)
		return -ENOMEM;
	INIT_LIST_HEAD(&rx->records);
	rx->alert = KTLSO_ALERT_NONE;
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
	ktlso_posths_free(rx->posths);
	ktlso_crypto_uninit(&rx->crypto);
	kfree_sensitive(rx);
}

struct ktlso_crypto *ktlso_rx_crypto(struct ktlso_context *ctx)
{
	return ctx->rx ? &ctx->rx->crypto : NULL;
}
