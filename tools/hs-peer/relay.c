// SPDX-License-Identifier: MIT
/*
 * The data phase of hs-peer: what the kernel does for a ktlso socket, done
 * in userspace with record/record.h so the handshake's keys are proven by real
 * traffic. stdin is sealed into application_data records; the peer's
 * records are opened and their data written to stdout.
 *
 * Besides data the peer may send, after the handshake:
 *  - alerts: close_notify ends the connection cleanly: TLS 1.2 answers it
 *    at once (RFC 5246 §7.2.1); TLS 1.3 closes only the peer's direction
 *    (RFC 8446 §6.1), so the rest of stdin still goes out before ours.
 *    user_canceled and TLS 1.2 warnings are logged; the rest is fatal.
 *    Once our close_notify is out, the end of the TCP stream is a clean
 *    close too: the initiator need not wait for the answer (§7.2.1).
 *  - TLS 1.3 NewSessionTicket (RFC 8446 §4.6.1): kept as a session for
 *    --reconnect (the latest one), else skipped.
 *  - TLS 1.3 KeyUpdate (§4.6.3): the receiving key rolls forward; if the
 *    peer asks, we send our own KeyUpdate and roll ours.
 *  - TLS 1.2 renegotiation, a HelloRequest to a client (RFC 5246
 *    §7.4.1.1) or a ClientHello to a server: refused with a
 *    no_renegotiation warning (§7.2.2).
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "../../tests/lib/io.h"
#include "crypto/tls13_keysched.h"
#include "hs_peer.h"
#include "tls_suite.h"
#include "wire/proto.h"
#include "wire/reader.h"

/* Post-handshake messages longer than this are refused. */
#define POST_HS_MAX (64 * 1024)

enum step {
	STEP_MORE,	/* keep going */
	STEP_CLOSED,	/* closed cleanly */
	STEP_FAILED,	/* logged, and our alert (if any) sent */
};

struct relay {
	int fd;
	enum tls_role role;
	uint16_t version;
	const struct tls_suite *suite;
	struct record_dir tx, rx;
	/* TLS 1.3 application traffic secrets, for KeyUpdate (§7.2) */
	struct secret tx_secret, rx_secret;
	bool stdin_open;
	bool sent_close;
	bool peer_closed;		/* TLS 1.3: their close_notify is in */
	bool told_ticket;
	/* TLS 1.3 client: the session waiting for tickets, and the latest */
	const struct ticket_state *pending;
	struct tls_session *keep;
	uint8_t in[2 * RECORD_MAX_LEN];	/* the peer's bytes, not yet a record */
	size_t in_len;
	uint8_t hs[POST_HS_MAX];	/* post-handshake message reassembly */
	size_t hs_len;
	uint8_t plain[RECORD_MAX_LEN];
	uint8_t sealed[RECORD_MAX_LEN];
};

static int send_record(struct relay *r, uint8_t type, const void *p,
		       size_t len)
{
	size_t n;

	TRY(record_seal(&r->tx, type, p, len, 0, r->sealed, sizeof(r->sealed),
			&n));
	return write_all(r->fd, r->sealed, n);
}

static int send_alert(struct relay *r, uint8_t level, uint8_t alert)
{
	const uint8_t body[2] = { level, alert };

	return send_record(r, TLS_CT_ALERT, body, sizeof(body));
}

/* A fatal error of ours: send the alert (best effort), say why. */
static enum step fail(struct relay *r, int alert, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static enum step fail(struct relay *r, int alert, const char *fmt, ...)
{
	char reason[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (send_alert(r, TLS_ALERT_LEVEL_FATAL, alert))
		peer_log("alert %s not sent", tls_alert_name(alert));
	peer_log("alert %s sent: %s", tls_alert_name(alert), reason);
	return STEP_FAILED;
}

/*
 * The result's keys are in <linux/tls.h> form (salt, then the rest of the
 * IV); the record layer wants the suite's record IV: 12 bytes in TLS 1.3
 * and for ChaCha20, GCM's 4-byte salt in TLS 1.2 (RFC 5288 §3).
 */
static int result_to_keys(const struct tls_result *res,
			  const struct tls_suite *s,
			  const struct tls_direction_keys *d,
			  struct record_keys *k)
{
	uint8_t iv[2 * SECRET_MAX];
	int err;

	ENSURE(d->mac_key.len == s->mac_key_len, -EINVAL);
	ENSURE(d->salt.len + d->iv.len >= s->iv_len, -EINVAL);
	memcpy(iv, d->salt.bytes, d->salt.len);
	memcpy(iv + d->salt.len, d->iv.bytes, d->iv.len);
	k->version = res->version;
	k->cipher = s->cipher;
	k->seq = d->seq;
	k->encrypt_then_mac = res->encrypt_then_mac;
	err = secret_set(&k->iv, iv, s->iv_len);
	if (!err)
		err = secret_set(&k->key, d->key.bytes, d->key.len);
	if (!err)
		err = secret_set(&k->mac_key, d->mac_key.bytes, d->mac_key.len);
	OPENSSL_cleanse(iv, sizeof(iv));
	return err;
}

static int key_dir(struct relay *r, const struct tls_result *res,
		   const struct tls_direction_keys *d, struct record_dir *dir,
		   enum record_op op)
{
	struct record_keys k = { 0 };
	int err;

	err = result_to_keys(res, r->suite, d, &k);
	if (!err)
		err = record_dir_keys(dir, &k, op);
	secret_wipe(&k.key);
	secret_wipe(&k.iv);
	secret_wipe(&k.mac_key);
	return err;
}

/* RFC 8446 §7.2: the next traffic secret, and keys from it at seq 0. */
static int roll_key(struct relay *r, struct secret *traffic,
		    struct record_dir *dir, enum record_op op)
{
	const struct tls_suite *s = r->suite;
	struct record_keys k = {
		.version = TLS_VERSION_1_3,
		.cipher = s->cipher,
	};
	int err;

	TRY(tls13_next_traffic_secret(s->hash, traffic, traffic));
	err = tls13_traffic_key_iv(s->hash, traffic, s->key_len, s->iv_len,
				   &k.key, &k.iv);
	if (!err)
		err = record_dir_keys(dir, &k, op);
	secret_wipe(&k.key);
	secret_wipe(&k.iv);
	return err;
}

static enum step on_key_update(struct relay *r, struct reader *body,
			       bool last_in_record)
{
	static const uint8_t reply[] = { TLS_HS_KEY_UPDATE, 0, 0, 1, 0 };
	uint8_t request;

	/* RFC 8446 §4.6.3: KeyUpdateRequest is one byte, 0 or 1 */
	if (reader_u8(body, &request) || !reader_done(body))
		return fail(r, TLS_ALERT_DECODE_ERROR, "malformed KeyUpdate");
	if (request > 1)
		return fail(r, TLS_ALERT_ILLEGAL_PARAMETER,
			    "KeyUpdate request_update %u", request);
	/* §5.1: a key change must be the last thing in its record */
	if (!last_in_record)
		return fail(r, TLS_ALERT_UNEXPECTED_MESSAGE,
			    "data after KeyUpdate in the same record");
	if (roll_key(r, &r->rx_secret, &r->rx, RECORD_OPEN))
		return fail(r, TLS_ALERT_INTERNAL_ERROR,
			    "cannot update the receiving key");
	peer_debug("peer updated its key%s",
		   request ? " and asked for ours" : "");
	/* §6.1: nothing goes out after our close_notify */
	if (!request || r->sent_close)
		return STEP_MORE;
	/* §4.6.3: answer with update_not_requested, under the old key */
	if (send_record(r, TLS_CT_HANDSHAKE, reply, sizeof(reply)) ||
	    roll_key(r, &r->tx_secret, &r->tx, RECORD_SEAL))
		return fail(r, TLS_ALERT_INTERNAL_ERROR,
			    "cannot update the sending key");
	return STEP_MORE;
}

/* A ticket (body: its message's body, the header just before it). */
static enum step on_ticket(struct relay *r, const struct reader *body)
{
	struct timespec ts;
	int err;

	if (!r->keep || !r->pending) {
		if (!r->told_ticket)
			peer_debug("skipping NewSessionTicket (no --reconnect)");
		r->told_ticket = true;
		return STEP_MORE;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	err = tls_session_from_ticket(r->pending, body->data - 4, body->len + 4,
				      (uint64_t)ts.tv_sec * 1000 +
					      (uint64_t)ts.tv_nsec / 1000000,
				      r->keep);
	if (err == -EBADMSG)
		return fail(r, TLS_ALERT_DECODE_ERROR,
			    "malformed NewSessionTicket");
	peer_debug("NewSessionTicket %s", err ? "not kept" : "kept");
	return STEP_MORE;
}

/* One whole post-handshake message. */
static enum step on_message(struct relay *r, uint8_t type, struct reader *body,
			    bool last_in_record)
{
	if (r->version == TLS_VERSION_1_2) {
		bool client = r->role == TLS_ROLE_CLIENT;

		/* RFC 5246 §7.2.2: we never renegotiate; say so, go on */
		if ((client && type == TLS_HS_HELLO_REQUEST) ||
		    (!client && type == TLS_HS_CLIENT_HELLO)) {
			peer_log("renegotiation refused: no_renegotiation");
			if (send_alert(r, TLS_ALERT_LEVEL_WARNING,
				       TLS_ALERT_NO_RENEGOTIATION))
				return fail(r, TLS_ALERT_INTERNAL_ERROR,
					    "cannot send no_renegotiation");
			return STEP_MORE;
		}
		return fail(r, TLS_ALERT_UNEXPECTED_MESSAGE,
			    "handshake message %u after the handshake", type);
	}
	/* RFC 8446 §4.6.1: only a server sends tickets */
	if (type == TLS_HS_NEW_SESSION_TICKET && r->role == TLS_ROLE_CLIENT)
		return on_ticket(r, body);
	if (type == TLS_HS_KEY_UPDATE)
		return on_key_update(r, body, last_in_record);
	/* §4.6.2: we did not offer post_handshake_auth */
	return fail(r, TLS_ALERT_UNEXPECTED_MESSAGE,
		    "handshake message %u after the handshake", type);
}

static enum step on_handshake(struct relay *r, const uint8_t *p, size_t len)
{
	enum step st = STEP_MORE;
	struct reader in;

	if (len > sizeof(r->hs) - r->hs_len)
		return fail(r, TLS_ALERT_INTERNAL_ERROR,
			    "post-handshake message over %d bytes",
			    POST_HS_MAX);
	memcpy(r->hs + r->hs_len, p, len);
	r->hs_len += len;
	reader_init(&in, r->hs, r->hs_len);
	while (st == STEP_MORE && !reader_done(&in)) {
		size_t start = in.pos;
		const uint8_t *msg;
		struct reader body;
		uint32_t msg_len;
		uint8_t type;

		/* RFC 8446 §4: msg_type u8, length u24, body */
		if (reader_u8(&in, &type) || reader_u24(&in, &msg_len) ||
		    reader_borrow(&in, msg_len, &msg)) {
			in.pos = start; /* incomplete: wait for more */
			break;
		}
		reader_init(&body, msg, msg_len);
		st = on_message(r, type, &body, reader_done(&in));
	}
	memmove(r->hs, r->hs + in.pos, r->hs_len - in.pos);
	r->hs_len -= in.pos;
	return st;
}

static enum step on_alert(struct relay *r, const uint8_t *p, size_t len)
{
	if (len != 2)
		return fail(r, TLS_ALERT_DECODE_ERROR, "malformed alert");
	if (p[1] == TLS_ALERT_CLOSE_NOTIFY) {
		peer_debug("close_notify received");
		/* RFC 8446 §6.1: our side stays open until stdin ends */
		if (r->version == TLS_VERSION_1_3 && r->stdin_open) {
			r->peer_closed = true;
			return STEP_MORE;
		}
		/* RFC 5246 §7.2.1: answer it at once */
		if (!r->sent_close &&
		    send_alert(r, TLS_ALERT_LEVEL_WARNING,
			       TLS_ALERT_CLOSE_NOTIFY))
			peer_debug("our close_notify could not be sent");
		r->sent_close = true;
		return STEP_CLOSED;
	}
	/* RFC 8446 §6.1 user_canceled; RFC 5246 §7.2 warnings go on */
	if (p[1] == TLS_ALERT_USER_CANCELED ||
	    (r->version == TLS_VERSION_1_2 &&
	     p[0] == TLS_ALERT_LEVEL_WARNING)) {
		peer_log("warning alert %s received", tls_alert_name(p[1]));
		return STEP_MORE;
	}
	peer_log("alert %s received", tls_alert_name(p[1]));
	return STEP_FAILED;
}

/* A record-layer error and the alert record/record.h says it calls for. */
static enum step record_error(struct relay *r, int err)
{
	switch (err) {
	case -EBADMSG:
		return fail(r, TLS_ALERT_BAD_RECORD_MAC,
			    "record authentication failed");
	case -EMSGSIZE:
		return fail(r, TLS_ALERT_RECORD_OVERFLOW, "record too long");
	case -EPROTO:
		return fail(r, TLS_ALERT_UNEXPECTED_MESSAGE,
			    "unexpected record");
	case -EPROTONOSUPPORT:
		return fail(r, TLS_ALERT_PROTOCOL_VERSION,
			    "wrong record version");
	default:
		return fail(r, TLS_ALERT_INTERNAL_ERROR, "record layer: %s",
			    strerror(-err));
	}
}

static enum step on_record(struct relay *r, const struct record_frame *f)
{
	uint8_t type;
	size_t len;
	int err;

	err = record_open(&r->rx, f, &type, r->plain, sizeof(r->plain), &len);
	if (err)
		return record_error(r, err);
	switch (type) {
	case TLS_CT_APPLICATION_DATA:
		err = write_all(STDOUT_FILENO, r->plain, len);
		if (err)
			return fail(r, TLS_ALERT_INTERNAL_ERROR, "stdout: %s",
				    strerror(-err));
		return STEP_MORE;
	case TLS_CT_ALERT:
		return on_alert(r, r->plain, len);
	case TLS_CT_HANDSHAKE:
		return on_handshake(r, r->plain, len);
	default:
		/* RFC 8446 §5, RFC 5246 §6: CCS is over once keys are in */
		return fail(r, TLS_ALERT_UNEXPECTED_MESSAGE,
			    "record type %u after the handshake", type);
	}
}

/* Every whole record in r->in. */
static enum step drain_input(struct relay *r)
{
	enum step st = STEP_MORE;
	struct reader in;

	reader_init(&in, r->in, r->in_len);
	/* RFC 8446 §6.1: anything after close_notify is ignored */
	while (st == STEP_MORE && !r->peer_closed && !reader_done(&in)) {
		struct record_frame f;
		int err = record_parse(&r->rx, &in, &f);

		if (err == -EAGAIN)
			break;
		st = err ? record_error(r, err) : on_record(r, &f);
	}
	OPENSSL_cleanse(r->plain, sizeof(r->plain));
	memmove(r->in, r->in + in.pos, r->in_len - in.pos);
	r->in_len -= in.pos;
	return st;
}

static enum step on_socket(struct relay *r)
{
	ssize_t n = read(r->fd, r->in + r->in_len, sizeof(r->in) - r->in_len);

	if (n < 0 && errno == EINTR)
		return STEP_MORE;
	if (n < 0) {
		peer_log("connection failed: %s", strerror(errno));
		return STEP_FAILED;
	}
	if (n == 0) {
		/*
		 * RFC 5246 §7.2.1, RFC 8446 §6.1: once our close_notify is
		 * out we need not wait for the peer's; before, an EOF may
		 * mean truncated data.
		 */
		if (r->sent_close) {
			peer_debug("connection closed by the peer");
			return STEP_CLOSED;
		}
		peer_log("connection closed by the peer without close_notify");
		return STEP_FAILED;
	}
	r->in_len += n;
	return drain_input(r);
}

static enum step on_stdin(struct relay *r)
{
	uint8_t buf[TLS_MAX_PLAINTEXT];
	ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
	int err;

	if (n < 0 && errno == EINTR)
		return STEP_MORE;
	if (n < 0)
		return fail(r, TLS_ALERT_INTERNAL_ERROR, "stdin: %s",
			    strerror(errno));
	if (n == 0) {
		/* RFC 8446 §6.1: nothing more from us */
		peer_debug("end of input: sending close_notify");
		r->stdin_open = false;
		r->sent_close = true;
		err = send_alert(r, TLS_ALERT_LEVEL_WARNING,
				 TLS_ALERT_CLOSE_NOTIFY);
		if (r->peer_closed) {
			/* Both directions are closed: done either way. */
			if (err)
				peer_debug("close_notify not sent");
			return STEP_CLOSED;
		}
	} else {
		err = send_record(r, TLS_CT_APPLICATION_DATA, buf, n);
	}
	OPENSSL_cleanse(buf, sizeof(buf));
	if (err) {
		peer_log("send: %s", strerror(-err));
		return STEP_FAILED;
	}
	return STEP_MORE;
}

static enum step relay_loop(struct relay *r)
{
	enum step st = drain_input(r);

	while (st == STEP_MORE) {
		/* Only the directions still open (a negative fd is ignored). */
		struct pollfd p[2] = {
			{ .fd = r->peer_closed ? -1 : r->fd, .events = POLLIN },
			{ .fd = r->stdin_open ? STDIN_FILENO : -1,
			  .events = POLLIN },
		};

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			peer_log("poll: %s", strerror(errno));
			return STEP_FAILED;
		}
		/* The peer first: an alert it sent explains a failed send. */
		if (p[0].revents)
			st = on_socket(r);
		if (st == STEP_MORE && p[1].revents)
			st = on_stdin(r);
	}
	return st;
}

int peer_relay(int fd, enum tls_role role, const struct tls_result *res,
	       const uint8_t *rest, size_t rest_len, struct tls_session *keep)
{
	struct relay *r = calloc(1, sizeof(*r));
	enum step st = STEP_FAILED;
	int err;

	if (!r) {
		peer_log("out of memory");
		return PEER_FAILED;
	}
	r->fd = fd;
	r->role = role;
	r->version = res->version;
	r->suite = tls_suite_by_id(res->cipher_suite);
	r->stdin_open = true;
	if (res->session_pending) {
		r->pending = &res->session.st;
		r->keep = keep;
	}
	memcpy(r->in, rest, rest_len);
	r->in_len = rest_len;
	err = r->suite ? 0 : -EINVAL;
	if (!err)
		err = key_dir(r, res, &res->tx, &r->tx, RECORD_SEAL);
	if (!err)
		err = key_dir(r, res, &res->rx, &r->rx, RECORD_OPEN);
	if (!err && res->version == TLS_VERSION_1_3) {
		r->tx_secret = res->tx.traffic_secret;
		r->rx_secret = res->rx.traffic_secret;
	}
	if (err == -EOPNOTSUPP)
		peer_log("%s: no record keys for CBC suites in tls_result",
			 r->suite->name);
	else if (err)
		peer_log("cannot install the record keys: %s", strerror(-err));
	else
		st = relay_loop(r);
	record_dir_wipe(&r->tx);
	record_dir_wipe(&r->rx);
	secret_wipe(&r->tx_secret);
	secret_wipe(&r->rx_secret);
	OPENSSL_cleanse(r, sizeof(*r));
	free(r);
	return st == STEP_CLOSED ? PEER_OK : PEER_FAILED;
}
