// SPDX-License-Identifier: MIT
/*
 * RFC 7366 encrypt_then_mac in the engine (hello.c, hs12_client.c,
 * hs12_server.c, hs12_client_resume.c, hs12_resume.c) and the CBC crypto
 * info for ktlso.ko (result.c):
 *
 *   ClientHello(CBC suite → encrypt_then_mac) ──► server
 *   client ◄── ServerHello(encrypt_then_mac only for a CBC suite)
 *   both: records EtM from the CCS on; tls_result.encrypt_then_mac
 *
 *  - what a ClientHello offers: EtM exactly when a CBC suite is offered
 *    (legacy on, TLS 1.2 on), never for AEAD-only or TLS 1.3-only ones;
 *  - ktlso against ktlso: EtM for a CBC suite, none for an AEAD suite
 *    chosen from an offer with both; the ServerHello as sent;
 *  - against libssl, both roles, with and without its
 *    SSL_OP_NO_ENCRYPT_THEN_MAC, for a CBC suite of each HMAC (SHA-1,
 *    SHA-256, SHA-384): what was negotiated, and records sealed with the
 *    result's keys open in libssl and back, so the protection, the key
 *    block and the PRF are the ones libssl uses;
 *  - ServerHellos a client refuses: EtM for an AEAD suite (RFC 7366 §3,
 *    illegal_parameter), EtM not offered (RFC 5246 §7.4.1.4,
 *    unsupported_extension), a resumption that changes the session's EtM
 *    (RFC 7366 §3.1, handshake_failure);
 *  - server resumption: the session resumes with its EtM, and a client
 *    that no longer offers the same gets a full handshake;
 *  - tls_result_crypto_info(): ktlso's CBC struct with key, MAC key,
 *    rec_seq and KTLSO_CBC_ENCRYPT_THEN_MAC as negotiated.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/ktlso.h>
#include <openssl/ssl.h>

#include "../lib/check.h"
#include "../lib/engine_pair.h"
#include "../lib/pki.h"
#include "../lib/ssl_mem.h"
#include "resume/session_cache.h"
#include "tls_suite.h"
#include "wire/hs_msg.h"
#include "wire/proto.h"

#define CBC_SUITE "ECDHE-ECDSA-AES128-SHA256"
#define GCM_SUITE "ECDHE-ECDSA-AES128-GCM-SHA256"

/* ------------------------------------------------------------ ClientHello */

/*
 * The extensions of the ClientHello a client of these options sends, and
 * whether it lists a CBC suite.
 */
static uint32_t client_hello_exts(const struct side *o, bool *cbc)
{
	struct tls_config cfg;
	struct tls_peer_request req = { .role = TLS_ROLE_CLIENT };
	struct tls_engine *e;
	struct client_hello ch;
	const uint8_t *out;
	size_t len;
	uint32_t exts;

	if (side_config(&cfg, o, false) || !(e = tls_engine_new(&cfg, &req)))
		abort();
	tls_engine_output(e, &out, &len);
	/* record header, handshake header: the ClientHello's body */
	if (len < 9 || hs_client_hello_decode((struct bytes){ out + 9, len - 9 },
					      &ch))
		abort();
	exts = ch.exts;
	*cbc = false;
	for (size_t i = 0; i + 1 < ch.cipher_suites.len; i += 2) {
		const struct tls_suite *st = tls_suite_by_id(
			(uint16_t)(ch.cipher_suites.p[i] << 8 |
				   ch.cipher_suites.p[i + 1]));

		*cbc |= st && tls_suite_is_cbc(st);
	}
	tls_engine_free(e);
	tls_config_free(&cfg);
	return exts;
}

static void test_offer(void)
{
	static const struct {
		const char *label;
		struct side o;
		bool etm;
	} cases[] = {
		{ "legacy, a CBC suite among AEADs",
		  { .suites = GCM_SUITE ":" CBC_SUITE, .legacy = true }, true },
		{ "legacy, the default suites",
		  { .legacy = true }, true },
		{ "not legacy: CBC suites listed but not usable",
		  { .suites = GCM_SUITE ":" CBC_SUITE }, false },
		{ "the default configuration", { 0 }, false },
		{ "legacy, AEAD suites only",
		  { .suites = GCM_SUITE ":TLS_AES_128_GCM_SHA256",
		    .legacy = true }, false },
		{ "legacy, TLS 1.3 only",
		  { .min = "1.3", .legacy = true }, false },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		bool cbc, etm = client_hello_exts(&cases[i].o, &cbc) &
				HS_EXT_ENCRYPT_THEN_MAC;

		CHECK(etm == cases[i].etm && cbc == cases[i].etm,
		      "ClientHello, %s: encrypt_then_mac and CBC suites %s",
		      cases[i].label,
		      cases[i].etm ? "offered" : "not offered");
	}
}

/* ------------------------------------------------------ ktlso and ktlso */

/* The extensions of the first ServerHello delivered to the client. */
static uint32_t server_hello_exts(const struct pair *p)
{
	const uint8_t *b = p->log[CLIENT];
	struct server_hello sh;
	size_t n;

	/* record header (5), then the ServerHello's 4-byte header */
	if (p->log_len[CLIENT] < 9 || b[5] != TLS_HS_SERVER_HELLO)
		return 0;
	n = (size_t)b[6] << 16 | (size_t)b[7] << 8 | b[8];
	if (9 + n > p->log_len[CLIENT] ||
	    hs_server_hello_decode((struct bytes){ b + 9, n }, &sh))
		return 0;
	return sh.exts;
}

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* ktlso.ko's CBC struct of one direction: what the result holds. */
static void check_cbc_info(const char *label, const struct tls_result *r,
			   bool tx)
{
	const struct tls_direction_keys *d = tx ? &r->tx : &r->rx;
	struct ktlso_crypto_info_aes_128_cbc_sha256 ci;
	uint8_t buf[TLS_CRYPTO_INFO_MAX];
	size_t len = 0;
	int ret;

	memset(buf, 0xa5, sizeof(buf));
	ret = tls_result_crypto_info(r, tx, buf, sizeof(buf), &len);
	memcpy(&ci, buf, sizeof(ci));
	CHECK(ret == 0 && len == sizeof(ci) &&
		      ci.info.version == TLS_1_2_VERSION &&
		      ci.info.cipher_type == KTLSO_CIPHER_AES_128_CBC_SHA256,
	      "%s: %s crypto info: ktlso's AES-128-CBC-SHA256, %zu bytes (ret %d)",
	      label, tx ? "tx" : "rx", len, ret);
	CHECK(d->key.len == sizeof(ci.key) &&
		      !memcmp(ci.key, d->key.bytes, sizeof(ci.key)) &&
		      d->mac_key.len == sizeof(ci.mac_key) &&
		      !memcmp(ci.mac_key, d->mac_key.bytes,
			      sizeof(ci.mac_key)) &&
		      be64(ci.rec_seq) == d->seq && d->seq == 1,
	      "%s: %s crypto info holds the key, the MAC key and rec_seq 1",
	      label, tx ? "tx" : "rx");
	CHECK(ci.flags == (r->encrypt_then_mac ? KTLSO_CBC_ENCRYPT_THEN_MAC :
						 0u),
	      "%s: %s crypto info flags 0x%x: %s", label, tx ? "tx" : "rx",
	      ci.flags, r->encrypt_then_mac ? "encrypt-then-MAC" :
					      "MAC-then-encrypt");
	CHECK(tls_result_crypto_info(r, tx, buf, sizeof(ci) - 1, &len) ==
		      -ENOBUFS,
	      "%s: %s crypto info refuses a buffer one byte short", label,
	      tx ? "tx" : "rx");
	OPENSSL_cleanse(buf, sizeof(buf));
	OPENSSL_cleanse(&ci, sizeof(ci));
}

static void test_pairs(void)
{
	struct side c = { .max = "1.2", .suites = CBC_SUITE, .ca = "root.pem",
			  .legacy = true };
	struct side both = { .max = "1.2", .suites = GCM_SUITE ":" CBC_SUITE,
			     .ca = "root.pem", .legacy = true };
	struct side sv = { .id = "server-p256", .legacy = true };
	struct pair *p = pair_new(&c, &sv);

	(void)pair_run(p);
	check_finished_pair("ktlso pair, CBC", p, TLS_VERSION_1_2,
			    TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
			    TLS_GROUP_X25519);
	CHECK(server_hello_exts(p) & HS_EXT_ENCRYPT_THEN_MAC,
	      "ktlso pair, CBC: the ServerHello echoes encrypt_then_mac");
	CHECK(p->res[CLIENT].encrypt_then_mac &&
		      p->res[SERVER].encrypt_then_mac,
	      "ktlso pair, CBC: both results say encrypt-then-MAC");
	if (p->have_res[CLIENT] && p->have_res[SERVER]) {
		check_cbc_info("ktlso pair, CBC, client", &p->res[CLIENT], true);
		check_cbc_info("ktlso pair, CBC, client", &p->res[CLIENT], false);
		check_cbc_info("ktlso pair, CBC, server", &p->res[SERVER], true);
	}
	pair_free(p);

	/* the server prefers AES-GCM: an AEAD from an offer with CBC */
	p = pair_new(&both, &sv);
	(void)pair_run(p);
	check_finished_pair("ktlso pair, GCM chosen over CBC", p,
			    TLS_VERSION_1_2,
			    TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
			    TLS_GROUP_X25519);
	CHECK(!(server_hello_exts(p) & HS_EXT_ENCRYPT_THEN_MAC) &&
		      !p->res[CLIENT].encrypt_then_mac &&
		      !p->res[SERVER].encrypt_then_mac,
	      "ktlso pair, GCM chosen over CBC: no encrypt_then_mac "
	      "(RFC 7366 §3)");
	pair_free(p);
}

/* ------------------------------------------------------------- libssl */

static struct tls_config ccfg, scfg;

static SSL_CTX *libssl_ctx_suite(bool server, bool etm, const char *suite)
{
	SSL_CTX *ctx = SSL_CTX_new(server ? TLS_server_method() :
					    TLS_client_method());

	if (!ctx || !SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION) ||
	    !SSL_CTX_set_cipher_list(ctx, suite))
		abort();
	if (server && (!SSL_CTX_use_certificate_chain_file(
			       ctx, pki("server-p256-chain.pem")) ||
		       !SSL_CTX_use_PrivateKey_file(ctx, pki("server-p256.key"),
						    SSL_FILETYPE_PEM)))
		abort();
	if (server)
		SSL_CTX_set_session_id_context(ctx, (const uint8_t *)"etm", 3);
	else
		SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	if (!etm)
		SSL_CTX_set_options(ctx, SSL_OP_NO_ENCRYPT_THEN_MAC);
	return ctx;
}

static SSL_CTX *libssl_ctx(bool server, bool etm)
{
	return libssl_ctx_suite(server, etm, CBC_SUITE);
}

/* One handshake of an engine (client: offering sess) with libssl. */
struct run {
	SSL *s;
	struct tls_result res;
	bool done, talks;
	int alert;
	char reason[256];
};

static void run(struct run *r, SSL_CTX *ctx, bool engine_server,
		const struct tls_session *sess, SSL_SESSION *ssl_sess)
{
	static uint8_t rest[RECORD_MAX_LEN * 4];
	struct tls_peer_request req = {
		.role = engine_server ? TLS_ROLE_SERVER : TLS_ROLE_CLIENT,
		.server_name = engine_server ? NULL : "localhost",
		.session = sess,
		.keep_session = !engine_server,
	};
	struct tls_engine *e;
	size_t rest_len;

	memset(r, 0, sizeof(*r));
	e = tls_engine_new(engine_server ? &scfg : &ccfg, &req);
	r->s = ssl_mem_new(ctx, !engine_server);
	if (!e || (ssl_sess && !SSL_set_session(r->s, ssl_sess)))
		abort();
	/* a server engine says nothing first: the pump starts libssl */
	ssl_mem_pump(r->s, e, rest, sizeof(rest), &rest_len);
	r->done = !tls_engine_take_result(e, &r->res);
	r->alert = tls_engine_alert(e);
	snprintf(r->reason, sizeof(r->reason), "%s", tls_engine_reason(e));
	tls_engine_free(e);
	r->talks = r->done && SSL_is_init_finished(r->s) &&
		   ssl_mem_talks(r->s, &r->res);
}

static void run_free(struct run *r)
{
	/* Closed as if cleanly, or SSL_free drops the session. */
	SSL_set_shutdown(r->s, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
	SSL_free(r->s);
	tls_result_wipe(&r->res);
}

/*
 * libssl offers or takes only suite (OpenSSL's name); the engines list
 * every suite. Its ktlso.ko crypto info is checked field by field for
 * CBC_SUITE; for the others its type and size.
 */
static void test_libssl_suite(bool engine_server, bool etm, const char *suite)
{
	const struct tls_suite *st = tls_suite_by_name(suite);
	SSL_CTX *ctx = libssl_ctx_suite(!engine_server, etm, suite);
	uint8_t buf[TLS_CRYPTO_INFO_MAX];
	struct tls_crypto_info info;
	char label[128];
	struct run r;
	size_t len = 0;

	snprintf(label, sizeof(label), "%s: ktlso %s, libssl %s%s", suite,
		 engine_server ? "server" : "client",
		 engine_server ? "client" : "server",
		 etm ? "" : " with SSL_OP_NO_ENCRYPT_THEN_MAC");
	run(&r, ctx, engine_server, NULL, NULL);
	CHECK(st && r.done && r.res.cipher_suite == st->id &&
		      r.res.kernel_cipher == st->kernel_cipher,
	      "%s: a CBC handshake (%s)", label, r.reason);
	CHECK(r.res.encrypt_then_mac == etm, "%s: %s", label,
	      etm ? "encrypt-then-MAC" : "MAC-then-encrypt");
	CHECK(r.talks, "%s: records from the result's keys open in libssl "
		       "and back", label);
	if (r.done && !strcmp(suite, CBC_SUITE)) {
		check_cbc_info(label, &r.res, true);
	} else if (r.done) {
		CHECK(tls_result_crypto_info(&r.res, true, buf, sizeof(buf),
					     &len) == 0 &&
			      r.res.tx.mac_key.len == st->mac_key_len &&
			      len == sizeof(info) + 4 + st->key_len +
					     st->mac_key_len + 8,
		      "%s: crypto info of %zu bytes: header, flags, key, "
		      "%u-byte MAC key, rec_seq", label, len,
		      st->mac_key_len);
		memcpy(&info, buf, sizeof(info));
		CHECK(info.cipher_type == st->kernel_cipher,
		      "%s: crypto info of ktlso's type 0x%x", label,
		      st->kernel_cipher);
		OPENSSL_cleanse(buf, sizeof(buf));
	}
	run_free(&r);
	SSL_CTX_free(ctx);
}

static void test_libssl(bool engine_server, bool etm)
{
	/* RFC 5246 §5: SHA-1 MAC, SHA-256 PRF; RFC 5289 §3.2: SHA-384 both */
	static const char *const suites[] = {
		CBC_SUITE, "ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA",
		"ECDHE-ECDSA-AES256-SHA384",
	};

	for (size_t i = 0; i < ARRAY_SIZE(suites); i++)
		test_libssl_suite(engine_server, etm, suites[i]);
}

/* ------------------------------------------------ hand-made ServerHellos */

static void bad_server_hello(const char *label, const struct side *o,
			     const struct tls_session *sess, uint16_t suite,
			     uint32_t exts, int alert)
{
	struct tls_config cfg;
	struct tls_peer_request req = {
		.role = TLS_ROLE_CLIENT,
		.server_name = "localhost",
		.session = sess,
	};
	struct server_hello sh = {
		.legacy_version = TLS_VERSION_1_2,
		.cipher_suite = suite,
		.exts = HS_EXT_RENEGOTIATION_INFO |
			HS_EXT_EXTENDED_MASTER_SECRET | exts,
	};
	struct tls_engine *e;

	if (side_config(&cfg, o, false) || !(e = tls_engine_new(&cfg, &req)))
		abort();
	if (sess) /* resuming: the ID echoed (RFC 5246 §7.4.1.3) */
		sh.session_id = (struct bytes){ sess->session_id,
						sess->session_id_len };
	check_server_hello_alert(label, e, &sh, alert);
	tls_config_free(&cfg);
}

/* A session of the CBC suite, resumable by its ID. */
static void cbc_session(struct tls_session *s, bool etm)
{
	memset(s, 0, sizeof(*s));
	s->st.version = TLS_VERSION_1_2;
	s->st.cipher_suite = TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256;
	s->st.ems = true;
	s->st.etm = etm;
	s->st.created_ms = (uint64_t)time(NULL) * 1000;
	s->st.lifetime_s = 3600;
	if (secret_set(&s->st.secret, "0123456789abcdef0123456789abcdef"
				      "0123456789abcdef", 48))
		abort();
	memset(s->session_id, 7, 32);
	s->session_id_len = 32;
}

static void test_bad_server_hellos(void)
{
	struct side legacy = { .suites = GCM_SUITE ":" CBC_SUITE,
			       .legacy = true };
	struct side aead = { .suites = GCM_SUITE };
	struct tls_session sess;

	bad_server_hello("encrypt_then_mac with an AEAD suite (RFC 7366 §3)",
			 &legacy, NULL, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
			 HS_EXT_ENCRYPT_THEN_MAC, TLS_ALERT_ILLEGAL_PARAMETER);
	bad_server_hello("encrypt_then_mac not offered (RFC 5246 §7.4.1.4)",
			 &aead, NULL, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
			 HS_EXT_ENCRYPT_THEN_MAC,
			 TLS_ALERT_UNSUPPORTED_EXTENSION);
	cbc_session(&sess, true);
	bad_server_hello("an encrypt-then-MAC session resumed without it "
			 "(RFC 7366 §3.1)", &legacy, &sess, sess.st.cipher_suite,
			 0, TLS_ALERT_HANDSHAKE_FAILURE);
	tls_session_wipe(&sess);
	cbc_session(&sess, false);
	bad_server_hello("a MAC-then-encrypt session resumed with "
			 "encrypt_then_mac (RFC 7366 §3.1)", &legacy, &sess,
			 sess.st.cipher_suite, HS_EXT_ENCRYPT_THEN_MAC,
			 TLS_ALERT_HANDSHAKE_FAILURE);
	tls_session_wipe(&sess);
}

/* ---------------------------------------------------------- resumption */

/* libssl clients resuming with our server (session IDs). */
static void test_server_resume(void)
{
	SSL_CTX *with = libssl_ctx(false, true), *without = libssl_ctx(false, false);
	SSL_SESSION *sess;
	struct run r;

	run(&r, with, true, NULL, NULL);
	sess = SSL_get1_session(r.s);
	CHECK(r.done && r.res.encrypt_then_mac && sess,
	      "server resumption: a first session with encrypt-then-MAC");
	run_free(&r);
	run(&r, with, true, NULL, sess);
	CHECK(r.done && r.res.resumed && SSL_session_reused(r.s) == 1 &&
		      r.res.encrypt_then_mac && r.talks,
	      "  resumed with encrypt-then-MAC again, records both ways (%s)",
	      r.reason);
	run_free(&r);
	run(&r, without, true, NULL, sess);
	CHECK(r.done && !r.res.resumed && SSL_session_reused(r.s) == 0 &&
		      !r.res.encrypt_then_mac && r.talks,
	      "  a client that no longer offers encrypt_then_mac: a full "
	      "handshake, MAC-then-encrypt (RFC 7366 §3.1) (%s)", r.reason);
	SSL_SESSION_free(sess);
	sess = SSL_get1_session(r.s);
	run_free(&r);
	run(&r, with, true, NULL, sess);
	CHECK(r.done && !r.res.resumed && SSL_session_reused(r.s) == 0 &&
		      r.res.encrypt_then_mac && r.talks,
	      "  a MAC-then-encrypt session offered with encrypt_then_mac: a "
	      "full handshake, encrypt-then-MAC (%s)", r.reason);
	run_free(&r);
	SSL_SESSION_free(sess);
	SSL_CTX_free(with);
	SSL_CTX_free(without);
}

/* Our client resuming with a libssl server, which changes its mind. */
static void test_client_resume(void)
{
	SSL_CTX *sctx = libssl_ctx(true, true);
	struct tls_session sess;
	struct run r;

	run(&r, sctx, false, NULL, NULL);
	CHECK(r.done && r.res.session_ready && r.res.session.st.etm,
	      "client resumption: the session kept says encrypt-then-MAC");
	sess = r.res.session;
	run_free(&r);
	run(&r, sctx, false, &sess, NULL);
	CHECK(r.done && r.res.resumed && SSL_session_reused(r.s) == 1 &&
		      r.res.encrypt_then_mac && r.talks,
	      "  resumed with encrypt-then-MAC, records both ways (%s)",
	      r.reason);
	run_free(&r);
	/* libssl does not keep EtM in its sessions: it resumes without */
	SSL_CTX_set_options(sctx, SSL_OP_NO_ENCRYPT_THEN_MAC);
	run(&r, sctx, false, &sess, NULL);
	CHECK(!r.done && r.alert == TLS_ALERT_HANDSHAKE_FAILURE,
	      "  a server resuming it without encrypt_then_mac: "
	      "handshake_failure (RFC 7366 §3.1) (alert %d, %s)", r.alert,
	      r.reason);
	run_free(&r);
	tls_session_wipe(&sess);
	SSL_CTX_free(sctx);
}

int main(void)
{
	struct side c = { .ca = "root.pem", .legacy = true };
	struct side s = { .id = "server-p256", .legacy = true };

	if (pki_make()) {
		CHECK(0, "tests/pki/mkpki makes the test PKI");
		return check_summary();
	}
	if (side_config(&ccfg, &c, false) || side_config(&scfg, &s, true) ||
	    !(scfg.session_cache = session_cache_new(16)))
		abort();
	scfg.ticket_lifetime = 3600;
	test_offer();
	test_pairs();
	test_libssl(false, true);
	test_libssl(false, false);
	test_libssl(true, true);
	test_libssl(true, false);
	test_bad_server_hellos();
	test_server_resume();
	test_client_resume();
	session_cache_free(scfg.session_cache);
	scfg.session_cache = NULL;
	tls_config_free(&ccfg);
	tls_config_free(&scfg);
	pki_cleanup();
	return check_summary();
}
