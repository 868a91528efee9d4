// SPDX-License-Identifier: MIT
/*
 * TLS 1.3 session resumption by a ktlso client (userspace/lib/engine/
 * hs13_client_resume.c, userspace/lib/resume/session.c), in memory:
 *
 *   client ──full handshake──► server ──NewSessionTicket──► client
 *       (keep_session)          (the client's rx keys open it; the
 *                                pending session makes it a session)
 *   client ──ClientHello + pre_shared_key(ticket, binder)──► server
 *   client ◄──ServerHello + pre_shared_key(0) {EE} {Finished}── server
 *
 * Servers: the ktlso server engine with tickets on, and OpenSSL's libssl,
 * which must itself report the session reused. Both sides must say
 * resumed, the client's peer must be the one the first handshake
 * verified, and data must flow under the keys. A server that ignores the
 * PSK gives a full handshake with the certificate verified. Hand-made
 * ServerHellos that pick identity 1, a suite of another hash, no
 * key_share, or a PSK never offered are each refused with their alert.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ssl.h>

#include "../lib/check.h"
#include "../lib/engine_pair.h"
#include "../lib/pki.h"
#include "../lib/ssl_mem.h"
#include "engine/engine.h"
#include "record/record.h"
#include "resume/session.h"
#include "resume/ticket_keys.h"
#include "wire/hs_msg.h"
#include "wire/proto.h"
#include "wire/reader.h"

#define LIFETIME 3600
static uint64_t fake_now = 1800000000000ULL;

static uint64_t fake_clock(void)
{
	return fake_now;
}

/* One connection between a client engine and a server engine. */
struct conn {
	struct tls_engine *c, *s;
	uint8_t to_client[1 << 16];	/* what the client has not taken */
	size_t to_client_len;
	struct tls_result cres, sres;
	bool cdone, sdone;
};

static void carry(struct tls_engine *from, uint8_t *buf, size_t *len,
		  size_t cap)
{
	const uint8_t *out;
	size_t n;

	tls_engine_output(from, &out, &n);
	if (n > cap - *len)
		abort();
	memcpy(buf + *len, out, n);
	*len += n;
	tls_engine_output_done(from, n);
}

static void feed(struct tls_engine *to, uint8_t *buf, size_t *len)
{
	size_t used = 0;
	int err;

	/* its verdict is read with tls_engine_error() */
	err = tls_engine_feed(to, buf, *len, &used);
	(void)err;
	memmove(buf, buf + used, *len - used);
	*len -= used;
}

static void conn_pump(struct conn *x)
{
	uint8_t to_server[1 << 16];
	size_t to_server_len = 0;

	for (int i = 0; i < 10; i++) {
		carry(x->c, to_server, &to_server_len, sizeof(to_server));
		feed(x->s, to_server, &to_server_len);
		carry(x->s, x->to_client, &x->to_client_len,
		      sizeof(x->to_client));
		feed(x->c, x->to_client, &x->to_client_len);
	}
	carry(x->c, to_server, &to_server_len, sizeof(to_server));
	feed(x->s, to_server, &to_server_len);
	carry(x->s, x->to_client, &x->to_client_len, sizeof(x->to_client));
	x->cdone = !tls_engine_take_result(x->c, &x->cres);
	x->sdone = !tls_engine_take_result(x->s, &x->sres);
}

static struct tls_engine *client_engine(const struct tls_config *cfg,
					const struct tls_session *offer)
{
	struct tls_peer_request req = {
		.role = TLS_ROLE_CLIENT,
		.server_name = "localhost",
		.session = offer,
		.keep_session = true,
	};
	struct tls_engine *e = tls_engine_new(cfg, &req);

	if (!e)
		abort();
	return e;
}

static void conn_run(struct conn *x, const struct tls_config *ccfg,
		     const struct tls_config *scfg,
		     const struct tls_session *offer)
{
	struct tls_peer_request sreq = { .role = TLS_ROLE_SERVER };

	memset(x, 0, sizeof(*x));
	x->c = client_engine(ccfg, offer);
	x->s = tls_engine_new(scfg, &sreq);
	if (!x->s)
		abort();
	conn_pump(x);
}

static void conn_free(struct conn *x)
{
	tls_engine_free(x->c);
	tls_engine_free(x->s);
	tls_result_wipe(&x->cres);
	tls_result_wipe(&x->sres);
}

/*
 * The NewSessionTickets in bytes the server sent after the client's
 * handshake ended, opened with the client's rx keys: the last one as a
 * session. 0, or -errno.
 */
static int session_from_records(const struct tls_result *cres,
				const uint8_t *buf, size_t len,
				struct tls_session *out)
{
	struct record_keys k = { 0 };
	struct record_dir d = { 0 };
	struct record_frame f;
	uint8_t pt[RECORD_MAX_LEN], type;
	struct reader r;
	size_t n;
	int err = -ENOENT;

	if (!cres->session_pending)
		return -EINVAL;
	if (record_keys_from_result(cres, false, &k) ||
	    record_dir_keys(&d, &k, RECORD_OPEN))
		err = -EIO;
	reader_init(&r, buf, len);
	while (err != -EIO && !reader_done(&r)) {
		if (record_parse(&d, &r, &f) ||
		    record_open(&d, &f, &type, pt, sizeof(pt), &n)) {
			err = -EBADMSG;
			break;
		}
		if (type == TLS_CT_HANDSHAKE)
			err = tls_session_from_ticket(&cres->session.st, pt, n, fake_now,
						      out);
	}
	keys_wipe(&k);
	record_dir_wipe(&d);
	return err;
}

static struct tls_config ccfg, scfg;

static void configs(const char *server_groups, const char *client_suites)
{
	struct side c = { .ca = "root.pem", .suites = client_suites };
	struct side s = { .id = "server-p256", .groups = server_groups };
	struct ticket_keys *keys;

	tls_config_free(&ccfg);
	tls_config_free(&scfg);
	if (side_config(&ccfg, &c, false) || side_config(&scfg, &s, true) ||
	    ticket_keys_generate(&keys, LIFETIME, fake_now / 1000))
		abort();
	ccfg.clock_ms = fake_clock;
	scfg.clock_ms = fake_clock;
	scfg.tickets = keys;
	scfg.ticket_lifetime = LIFETIME;
	snprintf((char *)scfg.session_context, sizeof(scfg.session_context),
		 "engine_client_resume_test");
}

/* A full handshake against the ktlso server, and the session it gave. */
static int first_session(struct tls_session *sess)
{
	struct conn x;
	int err;

	conn_run(&x, &ccfg, &scfg, NULL);
	err = x.cdone && x.sdone && !x.cres.resumed ?
		      session_from_records(&x.cres, x.to_client,
					   x.to_client_len, sess) :
		      -EPROTO;
	conn_free(&x);
	return err;
}

static bool keys_agree(const struct conn *x)
{
	struct record_keys a = { 0 }, b = { 0 };
	char why[128];
	bool ok = !record_keys_from_result(&x->cres, true, &a) &&
		  !record_keys_from_result(&x->sres, false, &b) &&
		  !keys_transfer(&a, &b, 2, why, sizeof(why));

	keys_wipe(&a);
	keys_wipe(&b);
	return ok;
}

static void test_resume(const char *label)
{
	struct tls_session sess;
	struct conn x;
	char subject[TLS_RESULT_TEXT];

	CHECK(first_session(&sess) == 0,
	      "%s: the first handshake's ticket makes a session", label);
	snprintf(subject, sizeof(subject), "%s", sess.st.peer_subject);
	fake_now += 5000;
	conn_run(&x, &ccfg, &scfg, &sess);
	CHECK(x.cdone && x.sdone && x.cres.resumed && x.sres.resumed,
	      "%s: the second handshake is resumed on both sides (%s)", label,
	      x.c ? tls_engine_reason(x.c) : "");
	CHECK(x.cres.peer_verified && subject[0] &&
		      !strcmp(x.cres.peer_subject, subject),
	      "%s: the resumed session's peer is the one verified first: %s",
	      label, x.cres.peer_subject);
	CHECK(keys_agree(&x), "%s: data flows under the resumed keys", label);
	CHECK(x.cres.session_pending &&
		      !session_from_records(&x.cres, x.to_client,
					    x.to_client_len, &sess),
	      "%s: a resumed session gets a new ticket of its own", label);
	conn_free(&x);
	tls_session_wipe(&sess);
}

/* A server whose ticket keys are not those of the ticket: full. */
static void test_ignored(void)
{
	struct tls_session sess;
	struct ticket_keys *other;
	struct conn x;

	configs(NULL, NULL);
	CHECK(first_session(&sess) == 0, "a session to offer");
	ticket_keys_free(scfg.tickets);
	if (ticket_keys_generate(&other, LIFETIME, fake_now / 1000))
		abort();
	scfg.tickets = other;
	conn_run(&x, &ccfg, &scfg, &sess);
	CHECK(x.cdone && x.sdone && !x.cres.resumed && !x.sres.resumed &&
		      x.cres.peer_verified,
	      "a server that cannot use the PSK: a full handshake, its "
	      "certificate verified");
	conn_free(&x);
	/* and a verifying client never offers a session it did not verify */
	sess.st.peer_verified = false;
	configs(NULL, NULL);
	conn_run(&x, &ccfg, &scfg, &sess);
	CHECK(x.cdone && !x.cres.resumed && x.cres.peer_verified,
	      "a session not verified then is not offered");
	conn_free(&x);
	tls_session_wipe(&sess);
}

/* -------------------------------------------------- OpenSSL's server */

static SSL_CTX *openssl_server(void)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (!ctx || !SSL_CTX_use_certificate_chain_file(
			    ctx, pki("server-p256-chain.pem")) ||
	    !SSL_CTX_use_PrivateKey_file(ctx, pki("server-p256.key"),
					 SSL_FILETYPE_PEM))
		abort();
	SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
	return ctx;
}

/* One handshake of our client (offering sess) with libssl's server. */
static SSL *openssl_run(SSL_CTX *sctx, const struct tls_session *sess,
			struct tls_result *res, uint8_t *rest, size_t *rest_len)
{
	struct tls_engine *e = client_engine(&ccfg, sess);
	SSL *s = ssl_mem_new(sctx, true);

	ssl_mem_pump(s, e, rest, RECORD_MAX_LEN * 4, rest_len);
	if (tls_engine_take_result(e, res))
		memset(res, 0, sizeof(*res));
	tls_engine_free(e);
	return s;
}

static void test_openssl(void)
{
	static uint8_t rest[RECORD_MAX_LEN * 4];
	SSL_CTX *sctx = openssl_server();
	struct tls_result res;
	struct tls_session sess;
	size_t rest_len;
	SSL *s;

	configs(NULL, NULL);
	s = openssl_run(sctx, NULL, &res, rest, &rest_len);
	CHECK(res.version == TLS_VERSION_1_3 && !res.resumed &&
		      session_from_records(&res, rest, rest_len, &sess) == 0,
	      "OpenSSL server: a full handshake, and its ticket a session");
	SSL_free(s);
	tls_result_wipe(&res);
	fake_now += 2000;
	s = openssl_run(sctx, &sess, &res, rest, &rest_len);
	CHECK(SSL_session_reused(s) == 1 && res.resumed && res.peer_verified,
	      "OpenSSL server: it reports the session reused, and so do we");
	SSL_free(s);
	tls_result_wipe(&res);
	tls_session_wipe(&sess);
	SSL_CTX_free(sctx);
}

/* ------------------------------------------ hand-made ServerHellos */

/*
 * The client's ClientHello, answered with a ServerHello of suite, which
 * selects PSK identity (-1: no pre_shared_key), with or without a key
 * share for X25519: the client's error and alert.
 */
static void bad_server_hello(const char *label, const struct tls_session *sess,
			     uint16_t suite, int identity, bool share,
			     int alert)
{
	static const uint8_t pub[32] = { 9 };
	struct tls_engine *e = client_engine(&ccfg, sess);
	const uint8_t *out;
	size_t len;
	struct client_hello ch;
	struct server_hello sh = {
		.legacy_version = TLS_VERSION_1_2,
		.cipher_suite = suite,
		.exts = HS_EXT_SUPPORTED_VERSIONS,
		.selected_version = TLS_VERSION_1_3,
		.key_share_group = TLS_GROUP_X25519,
		.key_share = { pub, sizeof(pub) },
	};

	tls_engine_output(e, &out, &len);
	/* record header, handshake header: the ClientHello's body */
	if (len < 9 || hs_client_hello_decode((struct bytes){ out + 9,
							       len - 9 },
					      &ch))
		abort();
	sh.session_id = ch.session_id;
	if (share)
		sh.exts |= HS_EXT_KEY_SHARE;
	if (identity >= 0) {
		sh.exts |= HS_EXT_PRE_SHARED_KEY;
		sh.psk_identity = (uint16_t)identity;
	}
	check_server_hello_alert(label, e, &sh, alert);
}

static void test_bad_server_hellos(void)
{
	struct tls_session sess = { 0 };

	configs(NULL, NULL);
	sess.st.version = TLS_VERSION_1_3;
	sess.st.cipher_suite = TLS_AES_256_GCM_SHA384;
	sess.st.created_ms = fake_now;
	sess.st.lifetime_s = LIFETIME;
	sess.st.peer_verified = true;
	if (secret_set(&sess.st.secret, "0123456789abcdef0123456789abcdef"
					"0123456789abcdef", 48))
		abort();
	memcpy(sess.ticket, "a ticket", 8);
	sess.ticket_len = 8;
	bad_server_hello("ServerHello selects PSK identity 1 of 1", &sess,
			 TLS_AES_256_GCM_SHA384, 1, true,
			 TLS_ALERT_ILLEGAL_PARAMETER);
	bad_server_hello("ServerHello resumes a SHA-384 ticket with a SHA-256 suite",
			 &sess, TLS_AES_128_GCM_SHA256, 0, true,
			 TLS_ALERT_ILLEGAL_PARAMETER);
	bad_server_hello("ServerHello resumes without key_share (psk_ke)",
			 &sess, TLS_AES_256_GCM_SHA384, 0, false,
			 TLS_ALERT_ILLEGAL_PARAMETER);
	bad_server_hello("ServerHello selects a PSK the client did not offer",
			 NULL, TLS_AES_256_GCM_SHA384, 0, true,
			 TLS_ALERT_UNSUPPORTED_EXTENSION);
	/* expired: not offered, so the same ServerHello is unrequested */
	fake_now += (uint64_t)LIFETIME * 1000;
	bad_server_hello("an expired session is not offered", &sess,
			 TLS_AES_256_GCM_SHA384, 0, true,
			 TLS_ALERT_UNSUPPORTED_EXTENSION);
	tls_session_wipe(&sess);
}

int main(void)
{
	if (pki_make()) {
		CHECK(0, "tests/pki/mkpki makes the test PKI");
		return check_summary();
	}
	configs(NULL, NULL);
	test_resume("ktlso server");
	/* an HRR first: the binder covers it, the offer survives it */
	configs("secp384r1", NULL);
	test_resume("ktlso server after a HelloRetryRequest");
	configs(NULL, "TLS_AES_256_GCM_SHA384");
	test_resume("ktlso server, SHA-384 suite");
	test_ignored();
	test_openssl();
	test_bad_server_hellos();
	tls_config_free(&ccfg);
	tls_config_free(&scfg);
	pki_cleanup();
	return check_summary();
}
