// SPDX-License-Identifier: MIT
/*
 * The engine's frame: records in and out, handshake reassembly, alerts,
 * sticky failure, and the handover of the result. What the messages mean is
 * in the state machines (hello.c, hs13_*.c, hs12_*.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "crypto/tls13_keysched.h"
#include "engine/engine_priv.h"

#define OUT_LIMIT (512 * 1024)
/*
 * Warning alerts a TLS 1.2 peer may send before we stop ignoring them: a
 * stream of them would otherwise keep a handshake alive to its timeout.
 */
#define WARNINGS_MAX 4
/*
 * RFC 8446 §4.2.10: early data we do not accept is skipped up to the
 * configured max_early_data_size; our tickets allow none, so the
 * largest OpenSSL issues by default, 2^14 bytes.
 */
#define EARLY_DATA_SKIP_MAX TLS_MAX_PLAINTEXT

/* One record onto the output. */
static int seal_out(struct tls_engine *e, struct record_dir *dir, uint8_t type,
		    const uint8_t *p, size_t len)
{
	size_t n;

	TRY(record_seal(dir, type, p, len, 0, e->out.sealed,
			sizeof(e->out.sealed), &n));
	return writer_bytes(&e->out.queue, e->out.sealed, n);
}

/* A lower layer's error, and the error and alert the engine fails with. */
struct err_alert {
	int err;
	int ours;
	uint8_t alert;
	const char *reason;
};

#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)

/* The codec's errors (wire/hs_msg.h); the message's name follows the reason. */
static const struct err_alert decode_errors[] = {
	{ -EPROTO, -EPROTO, TLS_ALERT_ILLEGAL_PARAMETER,
	  "illegal parameter in" },
	{ -EBADMSG, -EPROTO, TLS_ALERT_DECODE_ERROR, "malformed" },
	/* RFC 8446 §4.2: an extension type we never send cannot be an answer */
	{ -EOPNOTSUPP, -EPROTO, TLS_ALERT_UNSUPPORTED_EXTENSION,
	  "unknown extension in" },
	/* Only a Certificate can be too long: more than HS_MAX_CHAIN entries */
	{ -EMSGSIZE, -EKEYREJECTED, TLS_ALERT_BAD_CERTIFICATE,
	  "more than " STRINGIFY(HS_MAX_CHAIN) " certificates in" },
	{ 0 },
};

/* The record layer's errors (record/record.h's table). */
static const struct err_alert record_errors[] = {
	/* RFC 8446 §5.2, RFC 5246 §7.2.2 */
	{ -EBADMSG, -EPROTO, TLS_ALERT_BAD_RECORD_MAC,
	  "record authentication failed" },
	{ -EMSGSIZE, -EPROTO, TLS_ALERT_RECORD_OVERFLOW, "record too long" },
	{ -EPROTO, -EPROTO, TLS_ALERT_UNEXPECTED_MESSAGE, "unexpected record" },
	{ -EPROTONOSUPPORT, -EPROTO, TLS_ALERT_PROTOCOL_VERSION,
	  "wrong record version" },
	{ 0 },
};

/* err's row in a table ended by a zero row, or NULL. */
static const struct err_alert *err_alert_find(const struct err_alert *t,
					      int err)
{
	for (; t->err; t++)
		if (t->err == err)
			return t;
	return NULL;
}

int engine_fail(struct tls_engine *e, int err, int alert, const char *fmt, ...)
{
	uint8_t body[2] = { TLS_ALERT_LEVEL_FATAL, 0 };
	va_list ap;

	if (e->err)
		return e->err;
	e->err = err;
	va_start(ap, fmt);
	vsnprintf(e->reason, sizeof(e->reason), fmt, ap);
	va_end(ap);
	if (alert < 0)
		return err;
	e->alert = alert;
	body[1] = alert;
	/* Best effort: a failure to seal the alert leaves the reason intact. */
	(void)seal_out(e, &e->record.tx, TLS_CT_ALERT, body, sizeof(body));
	return err;
}

int engine_decoded(struct tls_engine *e, int err, const char *what)
{
	const struct err_alert *a;

	if (!err)
		return 0;
	a = err_alert_find(decode_errors, err);
	if (a)
		return engine_fail(e, a->ours, a->alert, "%s %s", a->reason,
				   what);
	return engine_fail(e, err, TLS_ALERT_INTERNAL_ERROR,
			   "cannot process %s: %s", what, strerror(-err));
}

int engine_unexpected(struct tls_engine *e, uint8_t type)
{
	/* RFC 8446 §6.2, RFC 5246 §7.2.2: out-of-order message */
	return engine_fail(e, -EPROTO, TLS_ALERT_UNEXPECTED_MESSAGE,
			   "unexpected handshake message type %u", type);
}

int engine_dispatch(struct tls_engine *e, const struct hs_message *m)
{
	const struct hs_step *step = e->step;

	/*
	 * RFC 8446 §6.2, RFC 5246 §7.2.2: a type the state does not accept
	 * is unexpected_message; so is any message while a TLS 1.2 CCS is
	 * due (RFC 5246 §7.1: Finished comes only after it).
	 */
	if (e->record.ccs_expected || m->type >= 32 ||
	    !(step->accepts & HS_TYPE(m->type)))
		return engine_fail(e, -EPROTO, TLS_ALERT_UNEXPECTED_MESSAGE,
				   "unexpected handshake message type %u, waiting for %s",
				   m->type, step->name);
	return step->fn(e, m);
}

int engine_step_on(struct tls_engine *e, const struct hs_step *next,
		   const struct hs_message *m)
{
	e->step = next;
	return engine_dispatch(e, m);
}

/* One content type out, split into records of at most 2^14 bytes (§5.1). */
static int send_records(struct tls_engine *e, uint8_t type, const uint8_t *p,
			size_t len)
{
	do {
		size_t n = len < TLS_MAX_PLAINTEXT ? len : TLS_MAX_PLAINTEXT;

		TRY(seal_out(e, &e->record.tx, type, p, n));
		p += n;
		len -= n;
	} while (len);
	return 0;
}

int engine_send_msg(struct tls_engine *e, struct writer *msg)
{
	TRY(writer_error(msg));
	TRY(transcript_add(&e->transcript, msg->data, msg->len));
	return send_records(e, TLS_CT_HANDSHAKE, msg->data, msg->len);
}

int engine_send_post_handshake(struct tls_engine *e, struct writer *msg)
{
	TRY(writer_error(msg));
	return send_records(e, TLS_CT_HANDSHAKE, msg->data, msg->len);
}

uint64_t engine_now_ms(const struct tls_engine *e)
{
	struct timespec ts;

	if (e->cfg->clock_ms)
		return e->cfg->clock_ms();
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int engine_send_ccs(struct tls_engine *e)
{
	static const uint8_t ccs = 1;
	struct record_dir plain = { 0 };

	/*
	 * RFC 5246 §7.1 and RFC 8446 §D.4: in TLS 1.2 the CCS itself goes
	 * out under the old (plaintext) state; TLS 1.3's is never protected.
	 */
	record_dir_plain(&plain, TLS_VERSION_1_2);
	return seal_out(e, &plain, TLS_CT_CHANGE_CIPHER_SPEC, &ccs, 1);
}

int engine_install_keys(struct tls_engine *e, enum engine_dir which,
			struct record_keys *k)
{
	struct record_dir *dir = which == ENGINE_TX ? &e->record.tx :
				 which == ENGINE_RX ? &e->record.rx :
						      &e->record.rx_pending;
	struct record_keys *kept =
		which == ENGINE_TX ? &e->record.tx_keys :
		which == ENGINE_RX ? &e->record.rx_keys :
				     &e->record.rx_pending_keys;
	int err;

	err = record_dir_keys(dir, k, which == ENGINE_TX ? RECORD_SEAL :
							   RECORD_OPEN);
	record_keys_wipe(kept);
	if (err)
		return engine_fail(e, err, TLS_ALERT_INTERNAL_ERROR,
				   "cannot install record keys");
	*kept = *k;
	return 0;
}

int engine_tls13_keys(struct tls_engine *e, enum engine_dir which,
		      const struct secret *traffic)
{
	const struct tls_suite *s = e->params.suite;
	struct record_keys k = {
		.version = TLS_VERSION_1_3,
		.cipher = s->cipher,
	};
	int err;

	err = tls13_traffic_key_iv(s->hash, traffic, s->key_len, s->iv_len,
				   &k.key, &k.iv);
	if (!err)
		err = engine_install_keys(e, which, &k);
	record_keys_wipe(&k);
	return err;
}

int engine_kx_derive(struct tls_engine *e, struct bytes peer_share,
		     struct secret *shared)
{
	int err = kx_derive(e->params.kx, peer_share.p, peer_share.len, shared);

	/* RFC 8446 §4.2.8.2, §7.4.2: an invalid share is illegal_parameter */
	if (err == -EBADMSG)
		return engine_fail(e, -EPROTO, TLS_ALERT_ILLEGAL_PARAMETER,
				   "invalid key share from the %s",
				   e->role == TLS_ROLE_CLIENT ? "server" :
								"client");
	if (err)
		return engine_fail(e, err, TLS_ALERT_INTERNAL_ERROR,
				   "key exchange failed");
	return 0;
}

int engine_rx_boundary(struct tls_engine *e)
{
	/* RFC 8446 §5.1: a key change must not fall inside a record */
	if (e->in.hs_rest)
		return engine_fail(e, -EPROTO, TLS_ALERT_UNEXPECTED_MESSAGE,
				   "handshake data spans a key change");
	return 0;
}

int engine_transcript_hash(struct tls_engine *e, uint8_t out[TLS_HASH_MAX],
			   size_t *len)
{
	*len = tls_hash_len(e->params.suite->hash);
	return transcript_hash(&e->transcript, e->params.suite->hash, out);
}

/* Process every whole handshake message now in hs_in. */
static int handle_messages(struct tls_engine *e)
{
	struct reader r;
	int err = 0;

	reader_init(&r, e->in.hs.data, e->in.hs.len);
	while (!e->err && !reader_done(&r)) {
		struct hs_message m;

		if (e->done) {
			/* Nothing may follow the last message in its record. */
			err = engine_fail(e, -EPROTO,
					  TLS_ALERT_UNEXPECTED_MESSAGE,
					  "data after the final Finished");
			break;
		}
		err = hs_msg_next(&r, e->in.max_msg, &m.type, &m.body,
				  &m.whole);
		if (err == -EAGAIN) {
			err = 0;
			break;
		}
		if (err == -EMSGSIZE) {
			/*
			 * Not record_overflow, which RFC 8446 §6.2 keeps for
			 * records: a message past what we buffer is a length
			 * field out of our range, illegal_parameter (as
			 * OpenSSL and BoringSSL answer it).
			 */
			err = engine_fail(e, -EPROTO,
					  TLS_ALERT_ILLEGAL_PARAMETER,
					  "handshake message over %zu bytes",
					  e->in.max_msg);
			break;
		}
		if (err) {
			err = engine_decoded(e, err, "handshake message");
			break;
		}
		/*
		 * RFC 5246 §7.4.1.1: HelloRequest is not part of the
		 * handshake; we never renegotiate, so it is refused outright.
		 */
		if (m.type == TLS_HS_HELLO_REQUEST) {
			err = engine_fail(e, -EPROTO,
					  TLS_ALERT_UNEXPECTED_MESSAGE,
					  "HelloRequest during the handshake");
			break;
		}
		/* What follows this message, for engine_rx_boundary(). */
		e->in.hs_rest = reader_left(&r);
		err = engine_dispatch(e, &m);
		if (err)
			break;
	}
	memmove(e->in.hs.data, e->in.hs.data + r.pos, e->in.hs.len - r.pos);
	e->in.hs.len -= r.pos;
	return e->err ? e->err : err;
}

/*
 * A warning the handshake can go on after: in TLS 1.2 (or before the
 * version is chosen, if we offer 1.2) any warning but close_notify and
 * user_canceled, which end the connection (RFC 5246 §7.2.1, §7.2.2;
 * RFC 6066 §3: unrecognized_name may be a warning). TLS 1.3 has no such
 * warnings (RFC 8446 §6).
 */
static bool warning_to_ignore(const struct tls_engine *e, const uint8_t *p)
{
	uint16_t version = e->params.version;

	if (!version && e->cfg->min_version <= TLS_VERSION_1_2)
		version = TLS_VERSION_1_2;
	return p[0] == TLS_ALERT_LEVEL_WARNING &&
	       version == TLS_VERSION_1_2 && p[1] != TLS_ALERT_CLOSE_NOTIFY &&
	       p[1] != TLS_ALERT_USER_CANCELED;
}

static int handle_alert(struct tls_engine *e, const uint8_t *p, size_t len)
{
	if (len != 2)
		return engine_fail(e, -EPROTO, TLS_ALERT_DECODE_ERROR,
				   "malformed alert record");
	if (warning_to_ignore(e, p) && e->in.warnings < WARNINGS_MAX) {
		e->in.warnings++;
		return 0;
	}
	e->peer_alert = p[1];
	/*
	 * Any other alert ends a handshake: close_notify (§6.1) leaves
	 * nothing to finish, and in TLS 1.3 every alert but the closure
	 * alerts is an error (RFC 8446 §6.2).
	 */
	return engine_fail(e, -ECONNRESET, -1, "peer sent alert %s",
			   tls_alert_name(p[1]));
}

static int handle_ccs(struct tls_engine *e, const uint8_t *body, size_t len)
{
	/* RFC 5246 §7.1, RFC 8446 §5: a single byte of value 1 */
	if (len != 1 || body[0] != 1)
		return engine_fail(e, -EPROTO, TLS_ALERT_UNEXPECTED_MESSAGE,
				   "malformed ChangeCipherSpec");
	if (e->record.ccs_ignorable) {
		/*
		 * RFC 8446 §5, §D.4: a peer sends one CCS, between its first
		 * handshake message and its Finished, never inside a message
		 * (§5.1: no interleaving). Anything more is unexpected.
		 */
		if (e->record.ccs_ignored || e->in.hs.len)
			return engine_fail(e, -EPROTO,
					   TLS_ALERT_UNEXPECTED_MESSAGE,
					   "%s ChangeCipherSpec",
					   e->in.hs.len ? "interleaved" :
							  "second");
		e->record.ccs_ignored = true;
		return 0;
	}
	if (!e->record.ccs_expected)
		return engine_fail(e, -EPROTO, TLS_ALERT_UNEXPECTED_MESSAGE,
				   "unexpected ChangeCipherSpec");
	/* RFC 5246 §7.1: CCS must not arrive inside a handshake message */
	e->in.hs_rest = e->in.hs.len;
	TRY(engine_rx_boundary(e));
	e->record.ccs_expected = false;
	record_dir_wipe(&e->record.rx);
	e->record.rx = e->record.rx_pending;
	memset(&e->record.rx_pending, 0, sizeof(e->record.rx_pending));
	record_keys_wipe(&e->record.rx_keys);
	e->record.rx_keys = e->record.rx_pending_keys;
	memset(&e->record.rx_pending_keys, 0,
	       sizeof(e->record.rx_pending_keys));
	return 0;
}

/* The alert a record-layer error calls for. */
static int record_fail(struct tls_engine *e, int err)
{
	const struct err_alert *a = err_alert_find(record_errors, err);

	if (a)
		return engine_fail(e, a->ours, a->alert, "%s", a->reason);
	return engine_fail(e, err, TLS_ALERT_INTERNAL_ERROR, "record layer: %s",
			   strerror(-err));
}

/*
 * The framing rules for the next record: while 0-RTT data is skipped after
 * a HelloRetryRequest, protected records come before any key (§4.2.10), as
 * long as TLS 1.3 ciphertext may be (§5.2). record_open() still holds a
 * plaintext record to 2^14 bytes.
 */
static const struct record_dir *rx_framing(const struct tls_engine *e)
{
	static const struct record_dir tls13_protected = {
		.cipher = RECORD_AES_128_GCM,
		.version = TLS_VERSION_1_3,
	};

	if (e->record.early_skip == EARLY_DATA_PROTECTED)
		return &tls13_protected;
	return &e->record.rx;
}

/*
 * RFC 8446 §4.2.10: 0-RTT data we did not accept, skipped. §4.6.1: only
 * its plaintext counts (not the tag, nor the inner content type), and more
 * than the limit is unexpected_message. A record counts at least one byte,
 * so empty ones cannot go on for ever.
 */
static int skip_early_data(struct tls_engine *e, const struct record_frame *f)
{
	size_t overhead = 16 + 1; /* every TLS 1.3 AEAD's tag, the type */
	size_t n = f->body_len > overhead ? f->body_len - overhead : 1;

	e->record.early_skipped += n;
	if (e->record.early_skipped > EARLY_DATA_SKIP_MAX)
		return engine_fail(e, -EPROTO, TLS_ALERT_UNEXPECTED_MESSAGE,
				   "more than %u bytes of early data",
				   EARLY_DATA_SKIP_MAX);
	return 0;
}

static int handle_record(struct tls_engine *e)
{
	struct record_frame f;
	struct reader r;
	uint8_t type;
	size_t len;
	int err;

	reader_init(&r, e->in.rec, e->in.rec_len);
	err = record_parse(rx_framing(e), &r, &f);
	if (err)
		return record_fail(e, err);
	if (f.type == TLS_CT_CHANGE_CIPHER_SPEC)
		return handle_ccs(e, f.body, f.body_len);
	if (e->record.early_skip == EARLY_DATA_PROTECTED &&
	    f.type == TLS_CT_APPLICATION_DATA)
		return skip_early_data(e, &f);
	err = record_open(&e->record.rx, &f, &type, e->in.plain,
			  sizeof(e->in.plain), &len);
	if (err == -EBADMSG &&
	    e->record.early_skip == EARLY_DATA_UNDECRYPTABLE)
		return skip_early_data(e, &f);
	if (err)
		return record_fail(e, err);
	/* §4.2.10: the first record that opens starts the second flight */
	if (e->record.early_skip == EARLY_DATA_UNDECRYPTABLE)
		e->record.early_skip = EARLY_DATA_NONE;

	switch (type) {
	case TLS_CT_ALERT:
		return handle_alert(e, e->in.plain, len);
	case TLS_CT_HANDSHAKE:
		TRY(writer_bytes(&e->in.hs, e->in.plain, len));
		return handle_messages(e);
	default:
		return engine_fail(e, -EPROTO, TLS_ALERT_UNEXPECTED_MESSAGE,
				   "record type %u during the handshake", type);
	}
}

/* How long the record in e->in.rec will be, once its header is in. */
static int record_size(struct tls_engine *e, size_t *size)
{
	struct record_frame f;
	struct reader r;
	int err;

	reader_init(&r, e->in.rec, e->in.rec_len);
	err = record_parse(rx_framing(e), &r, &f);
	if (err == -EAGAIN || !err) {
		*size = f.size;
		return 0;
	}
	return record_fail(e, err);
}

int tls_engine_feed(struct tls_engine *e, const uint8_t *in, size_t len,
		    size_t *consumed)
{
	int err;

	*consumed = 0;
	while (!e->err && !e->done && *consumed < len) {
		size_t want = TLS_RECORD_HEADER_LEN, take;

		/* A new record past the budget (engine.h) */
		if (!e->in.rec_len && e->in.taken >= TLS_ENGINE_INPUT_MAX) {
			(void)engine_fail(e, -EPROTO,
					  TLS_ALERT_UNEXPECTED_MESSAGE,
					  "more than %u bytes without completing the handshake",
					  TLS_ENGINE_INPUT_MAX);
			break;
		}

		if (e->in.rec_len >= TLS_RECORD_HEADER_LEN &&
		    record_size(e, &want))
			break;
		/* Never past the record: the next one may be the kernel's. */
		take = want - e->in.rec_len;
		if (take > len - *consumed)
			take = len - *consumed;
		memcpy(e->in.rec + e->in.rec_len, in + *consumed, take);
		e->in.rec_len += take;
		e->in.taken += take;
		*consumed += take;
		if (e->in.rec_len < TLS_RECORD_HEADER_LEN)
			continue;
		if (record_size(e, &want))
			break;
		if (e->in.rec_len < want)
			continue;
		err = handle_record(e);
		/*
		 * Every failure ends the handshake with an alert: one that
		 * did not go through engine_fail() (a lower layer's, passed
		 * up by TRY) is ours, internal_error.
		 */
		if (err && !e->err)
			(void)engine_fail(e, err, TLS_ALERT_INTERNAL_ERROR,
					  "handshake stopped: %s",
					  strerror(-err));
		/* Wipe what a record can have left: no more than its length. */
		OPENSSL_cleanse(e->in.plain,
				e->in.rec_len < sizeof(e->in.plain) ?
					e->in.rec_len : sizeof(e->in.plain));
		e->in.rec_len = 0;
	}
	return e->err;
}

void tls_engine_output(const struct tls_engine *e, const uint8_t **out,
		       size_t *len)
{
	*out = e->out.queue.data;
	*len = e->out.queue.len;
}

void tls_engine_output_done(struct tls_engine *e, size_t n)
{
	if (n > e->out.queue.len)
		n = e->out.queue.len;
	if (!n)
		return;
	memmove(e->out.queue.data, e->out.queue.data + n, e->out.queue.len - n);
	e->out.queue.len -= n;
}

int tls_engine_error(const struct tls_engine *e)
{
	return e->err;
}

bool tls_engine_done(const struct tls_engine *e)
{
	return e->done && !e->err;
}

int tls_engine_alert(const struct tls_engine *e)
{
	return e->alert;
}

int tls_engine_peer_alert(const struct tls_engine *e)
{
	return e->peer_alert;
}

const char *tls_engine_reason(const struct tls_engine *e)
{
	return e->reason;
}

/* The keys in the form <linux/tls.h> wants them (salt + iv + rec_seq). */
static int result_keys(const struct tls_suite *s, const struct record_keys *k,
		       uint64_t seq, struct tls_direction_keys *out)
{
	size_t salt = s->kernel_salt_len;
	uint8_t be_seq[8];

	TRY(secret_set(&out->key, k->key.bytes, k->key.len));
	TRY(secret_set(&out->mac_key, k->mac_key.bytes, k->mac_key.len));
	TRY(secret_set(&out->salt, k->iv.bytes, salt));
	if (k->version == TLS_VERSION_1_2 && salt) {
		/*
		 * TLS 1.2 GCM (RFC 5288 §3): the explicit nonce is the
		 * sender's choice; like every implementation, the sequence
		 * number.
		 */
		for (int i = 0; i < 8; i++)
			be_seq[i] = seq >> (56 - 8 * i);
		TRY(secret_set(&out->iv, be_seq, sizeof(be_seq)));
	} else {
		TRY(secret_set(&out->iv, k->iv.bytes + salt, k->iv.len - salt));
	}
	out->seq = seq;
	return 0;
}

int engine_complete(struct tls_engine *e)
{
	struct tls_result *res = &e->result;

	res->version = e->params.version;
	res->cipher_suite = e->params.suite->id;
	res->group = e->params.group;
	res->kernel_cipher = e->params.suite->kernel_cipher;
	res->encrypt_then_mac = e->tls12.etm;
	res->resumed = e->resume.resumed;
	TRY(result_keys(e->params.suite, &e->record.tx_keys, e->record.tx.seq,
			&res->tx));
	TRY(result_keys(e->params.suite, &e->record.rx_keys, e->record.rx.seq,
			&res->rx));
	if (e->params.version == TLS_VERSION_1_3) {
		bool client = e->role == TLS_ROLE_CLIENT;

		res->tx.traffic_secret = client ? e->tls13.client_ap :
						  e->tls13.server_ap;
		res->rx.traffic_secret = client ? e->tls13.server_ap :
						  e->tls13.client_ap;
	}
	e->done = true;
	return 0;
}

int tls_engine_take_result(struct tls_engine *e, struct tls_result *res)
{
	if (e->err)
		return e->err;
	if (!e->done)
		return -EAGAIN;
	*res = e->result;
	tls_result_wipe(&e->result);
	return 0;
}

static int alpn_init(struct tls_engine *e, const char *csv)
{
	if (!csv || !*csv)
		return 0;
	return hs_alpn_from_string(csv, e->alpn_buf, sizeof(e->alpn_buf),
				   &e->alpn);
}

struct tls_engine *tls_engine_new(const struct tls_config *cfg,
				  const struct tls_peer_request *req)
{
	struct tls_engine *e = calloc(1, sizeof(*e));
	int err;

	if (!e) {
		errno = ENOMEM;
		return NULL;
	}
	e->cfg = cfg;
	e->role = req->role;
	e->alert = -1;
	e->peer_alert = -1;
	e->in.max_msg = req->max_message ? req->max_message :
					   TLS_ENGINE_MSG_MAX;
	/*
	 * Reassembly holds at most one incomplete message (its header and all
	 * but one byte of its body) when a whole record arrives.
	 */
	writer_init(&e->in.hs,
		    TLS_HS_HEADER_LEN + e->in.max_msg - 1 + TLS_MAX_PLAINTEXT);
	writer_init(&e->out.queue, OUT_LIMIT);
	transcript_init(&e->transcript);
	if (e->in.max_msg < TLS_ENGINE_MSG_MIN ||
	    e->in.max_msg > TLS_ENGINE_MSG_MAX) {
		err = -EINVAL;
		goto fail;
	}
	/* RFC 8446 §5.1: 0x0301 in the initial ClientHello's record */
	record_dir_plain(&e->record.tx, req->role == TLS_ROLE_CLIENT ?
						TLS_VERSION_1_0 : TLS_VERSION_1_2);
	record_dir_plain(&e->record.rx, TLS_VERSION_1_2);
	if (req->server_name &&
	    snprintf(e->server_name, sizeof(e->server_name), "%s",
		     req->server_name) >= (int)sizeof(e->server_name)) {
		err = -EINVAL;
		goto fail;
	}
	err = alpn_init(e, req->role == TLS_ROLE_SERVER ? cfg->alpn : req->alpn);
	if (err)
		goto fail;
	if (req->role == TLS_ROLE_CLIENT) {
		e->resume.keep = req->keep_session;
		if (req->session)
			e->resume.offer = *req->session;
	}
	err = req->role == TLS_ROLE_CLIENT ? engine_client_start(e) :
					     engine_server_start(e);
	if (err)
		goto fail;
	return e;
fail:
	tls_engine_free(e);
	errno = -err;
	return NULL;
}

void tls_engine_free(struct tls_engine *e)
{
	if (!e)
		return;
	writer_free(&e->in.hs);
	writer_free(&e->out.queue);
	transcript_free(&e->transcript);
	record_dir_wipe(&e->record.rx);
	record_dir_wipe(&e->record.tx);
	record_dir_wipe(&e->record.rx_pending);
	kx_free(e->params.kx);
	kx_free(e->params.kx_second);
	free(e->params.cookie);
	EVP_PKEY_free(e->peer.key);
	free(e->peer.chain);
	/*
	 * Every other secret (the kept record keys, tls13, tls12, the result)
	 * is a fixed buffer inside *e (crypto/secret.h): this wipes them all.
	 */
	OPENSSL_cleanse(e, sizeof(*e));
	free(e);
}
