// SPDX-License-Identifier: MIT
/*
 * TLS 1.2 session resumption by a ktlso client (userspace/lib/engine/
 * hs12_client_resume.c), against OpenSSL's libssl in memory:
 *
 *   client ──full handshake──► libssl (session ID and/or ticket)
 *       result.session: ID, ticket, master secret, suite, EMS
 *   client ──ClientHello(session_id, SessionTicket(ticket))──► libssl
 *   client ◄──ServerHello(our session_id) [NST] CCS Finished── libssl
 *   client ──CCS Finished──► libssl
 *
 * libssl must itself report the session reused (SSL_session_reused), and
 * so must the engine; the keys must talk with libssl; the resumed
 * session's peer is the one the first handshake verified. Resumed by
 * session ID (tickets off), by ticket (server cache off), and with a new
 * ticket on resumption, which replaces the session's. A server that does
 * not know the session gives a full handshake; a session without EMS is
 * not kept, and one without EMS, not verified or expired not offered.
 * Hand-made ServerHellos that resume without EMS (RFC 7627
 * §5.3) or with another suite (RFC 5246 §7.4.1.3) are refused with their
 * alert.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include "../lib/check.h"
#include "../lib/engine_pair.h"
#include "../lib/pki.h"
#include "../lib/ssl_mem.h"
#include "engine/engine.h"
#include "record/record.h"
#include "wire/hs_msg.h"
#include "wire/proto.h"

static struct tls_config ccfg;

static struct tls_engine *client_engine(const struct tls_session *offer)
{
	struct tls_peer_request req = {
		.role = TLS_ROLE_CLIENT,
		.server_name = "localhost",
		.session = offer,
		.keep_session = true,
	};
	struct tls_engine *e = tls_engine_new(&ccfg, &req);

	if (!e)
		abort();
	return e;
}

/* The ways a libssl TLS 1.2 server keeps sessions. */
enum server_kind {
	IDS,		/* session IDs only (-no_ticket) */
	TICKETS,	/* tickets only (no server cache) */
	RENEWING,	/* tickets, a new one on every resumption */
	NO_EMS,		/* session IDs, no extended master secret */
};

static const uint8_t ticket_name[16] = "ktlso test key!";
static uint8_t ticket_aes[16], ticket_hmac[32];

/* RFC 5077 §4's recommended construction, with our fixed keys. */
static int renewing_ticket_cb(SSL *s, unsigned char name[16],
			      unsigned char *iv, EVP_CIPHER_CTX *cctx,
			      EVP_MAC_CTX *hctx, int enc)
{
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY,
						  ticket_hmac,
						  sizeof(ticket_hmac)),
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						 "SHA256", 0),
		OSSL_PARAM_construct_end(),
	};

	(void)s;
	if (enc) {
		memcpy(name, ticket_name, 16);
		if (RAND_bytes(iv, 16) != 1 ||
		    !EVP_EncryptInit_ex(cctx, EVP_aes_128_cbc(), NULL,
					ticket_aes, iv))
			return -1;
	} else {
		if (memcmp(name, ticket_name, 16))
			return 0;
		if (!EVP_DecryptInit_ex(cctx, EVP_aes_128_cbc(), NULL,
					ticket_aes, iv))
			return -1;
	}
	if (!EVP_MAC_CTX_set_params(hctx, params))
		return -1;
	/* decrypting: 2 asks libssl for a new ticket (RFC 5077 §3.3) */
	return enc ? 1 : 2;
}

static SSL_CTX *openssl_server(enum server_kind kind)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (!ctx || !SSL_CTX_use_certificate_chain_file(
			    ctx, pki("server-p256-chain.pem")) ||
	    !SSL_CTX_use_PrivateKey_file(ctx, pki("server-p256.key"),
					 SSL_FILETYPE_PEM))
		abort();
	SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_session_id_context(ctx, (const uint8_t *)"test", 4);
	if (kind == IDS || kind == NO_EMS)
		SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	if (kind == NO_EMS)
		SSL_CTX_set_options(ctx, SSL_OP_NO_EXTENDED_MASTER_SECRET);
	if (kind == TICKETS || kind == RENEWING)
		SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	if (kind == RENEWING)
		SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, renewing_ticket_cb);
	return ctx;
}

/* One handshake of our client (offering sess) with libssl's server. */
struct run {
	SSL *s;
	struct tls_result res;
	bool done;
	bool talks;
	char reason[256];
};

static void run(struct run *r, SSL_CTX *sctx, const struct tls_session *sess)
{
	static uint8_t rest[RECORD_MAX_LEN * 4];
	struct tls_engine *e = client_engine(sess);
	size_t rest_len;

	memset(r, 0, sizeof(*r));
	r->s = ssl_mem_new(sctx, true);
	ssl_mem_pump(r->s, e, rest, sizeof(rest), &rest_len);
	r->done = !tls_engine_take_result(e, &r->res);
	snprintf(r->reason, sizeof(r->reason), "%s", tls_engine_reason(e));
	tls_engine_free(e);
	r->talks = r->done && SSL_is_init_finished(r->s) &&
		   ssl_mem_talks(r->s, &r->res);
}

static void run_free(struct run *r)
{
	/* Closed as if cleanly, or SSL_free drops the session from the cache. */
	SSL_set_shutdown(r->s, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
	SSL_free(r->s);
	tls_result_wipe(&r->res);
}

/* A full handshake and the session it leaves: 0, or -EPROTO. */
static int first_session(SSL_CTX *sctx, struct tls_session *sess)
{
	struct run r;
	int err = -EPROTO;

	run(&r, sctx, NULL);
	if (r.done && r.talks && !r.res.resumed && r.res.session_ready &&
	    r.res.version == TLS_VERSION_1_2) {
		*sess = r.res.session;
		err = 0;
	}
	run_free(&r);
	return err;
}

static void test_resume(const char *label, enum server_kind kind)
{
	SSL_CTX *sctx = openssl_server(kind);
	struct tls_session sess, again;
	struct run r;

	CHECK(first_session(sctx, &sess) == 0 && sess.st.ems &&
		      sess.st.peer_verified && sess.st.secret.len == 48,
	      "%s: a full handshake keeps an EMS session", label);
	CHECK(kind == IDS ? sess.session_id_len && !sess.ticket_len :
			    sess.ticket_len && !sess.session_id_len,
	      "%s: named by %s only", label,
	      kind == IDS ? "a session ID" : "a ticket");
	run(&r, sctx, &sess);
	CHECK(r.done && SSL_session_reused(r.s) == 1 && r.res.resumed,
	      "%s: libssl reports the session reused, and so do we (%s)",
	      label, r.reason);
	CHECK(r.talks, "%s: data flows under the resumed keys", label);
	CHECK(r.res.peer_verified &&
		      !strcmp(r.res.peer_subject, sess.st.peer_subject),
	      "%s: the peer is the one verified first: %s", label,
	      r.res.peer_subject);
	again = r.res.session;
	CHECK(r.res.session_ready &&
		      again.st.cipher_suite == sess.st.cipher_suite &&
		      again.st.secret.len == 48 &&
		      !memcmp(again.st.secret.bytes, sess.st.secret.bytes, 48),
	      "%s: the resumed session is kept again", label);
	if (kind == RENEWING) {
		CHECK(again.ticket_len && (again.ticket_len != sess.ticket_len ||
					   memcmp(again.ticket, sess.ticket,
						  sess.ticket_len)),
		      "%s: the new ticket replaces the session's", label);
	} else {
		CHECK(again.ticket_len == sess.ticket_len &&
			      again.session_id_len == sess.session_id_len,
		      "%s: the session keeps its ID or ticket", label);
	}
	run_free(&r);
	run(&r, sctx, &again);
	CHECK(r.done && SSL_session_reused(r.s) == 1 && r.res.resumed,
	      "%s: the session kept after resuming resumes again", label);
	run_free(&r);
	tls_session_wipe(&sess);
	tls_session_wipe(&again);
	SSL_CTX_free(sctx);
}

/* A server that does not know the session: a full handshake. */
static void test_refused(void)
{
	SSL_CTX *sctx = openssl_server(IDS), *other = openssl_server(TICKETS);
	struct tls_session sess;
	struct run r;

	CHECK(first_session(sctx, &sess) == 0, "a session to offer");
	/* a server with an empty cache */
	SSL_CTX_free(sctx);
	sctx = openssl_server(IDS);
	run(&r, sctx, &sess);
	CHECK(r.done && r.talks && SSL_session_reused(r.s) == 0 &&
		      !r.res.resumed && r.res.peer_verified,
	      "a server that does not know the session ID: a full "
	      "handshake, its certificate verified (%s)", r.reason);
	CHECK(r.res.session_ready && r.res.session.session_id_len &&
		      memcmp(r.res.session.session_id, sess.session_id,
			     sess.session_id_len),
	      "  and a new session, of a new ID, to keep");
	run_free(&r);
	tls_session_wipe(&sess);
	CHECK(first_session(other, &sess) == 0, "a ticket to offer");
	SSL_CTX_free(other);
	other = openssl_server(TICKETS);	/* new ticket keys */
	run(&r, other, &sess);
	CHECK(r.done && r.talks && SSL_session_reused(r.s) == 0 &&
		      !r.res.resumed && r.res.session_ready,
	      "a server whose ticket keys changed: a full handshake and a "
	      "new ticket (%s)", r.reason);
	run_free(&r);
	tls_session_wipe(&sess);
	SSL_CTX_free(other);
	SSL_CTX_free(sctx);
}

/* RFC 7627 §5.3: a session without EMS is neither kept nor offered. */
static void test_no_ems(void)
{
	SSL_CTX *sctx = openssl_server(NO_EMS);
	struct run r;

	run(&r, sctx, NULL);
	CHECK(r.done && r.talks && !r.res.session_ready &&
		      !r.res.session.session_id_len,
	      "a full handshake without EMS keeps no session (%s)", r.reason);
	run_free(&r);
	SSL_CTX_free(sctx);
}

/* ------------------------------------------ hand-made ServerHellos */

/* e's ClientHello (its output, not yet taken): does it offer sess? */
static bool client_hello_offers(struct tls_engine *e,
				const struct tls_session *sess,
				struct client_hello *ch)
{
	const uint8_t *out;
	size_t len;

	tls_engine_output(e, &out, &len);
	/* record header, handshake header: the ClientHello's body */
	if (len < 9 || hs_client_hello_decode((struct bytes){ out + 9,
							       len - 9 },
					      ch))
		abort();
	return ch->session_id.len == sess->session_id_len &&
	       !memcmp(ch->session_id.p, sess->session_id,
		       sess->session_id_len) &&
	       ch->session_ticket.len == sess->ticket_len &&
	       !memcmp(ch->session_ticket.p, sess->ticket, sess->ticket_len);
}

/*
 * Our ClientHello offering sess, answered with a ServerHello of suite
 * that echoes the session ID (resuming), with or without EMS: the
 * client's error and alert.
 */
static void bad_server_hello(const char *label, const struct tls_session *sess,
			     uint16_t suite, bool ems, int alert)
{
	struct tls_engine *e = client_engine(sess);
	struct client_hello ch;
	struct server_hello sh = {
		.legacy_version = TLS_VERSION_1_2,
		.cipher_suite = suite,
		.exts = HS_EXT_RENEGOTIATION_INFO,
	};

	CHECK(client_hello_offers(e, sess, &ch),
	      "%s: the ClientHello offers the session's ID and ticket", label);
	sh.session_id = ch.session_id;
	if (ems)
		sh.exts |= HS_EXT_EXTENDED_MASTER_SECRET;
	check_server_hello_alert(label, e, &sh, alert);
}

/* sess, with *flag false if flag is given, is not offered at all. */
static void not_offered(const char *label, struct tls_session *sess,
			bool *flag)
{
	struct tls_engine *e;
	struct client_hello ch;

	if (flag)
		*flag = false;
	e = client_engine(sess);
	(void)client_hello_offers(e, sess, &ch);
	CHECK(ch.session_ticket.len == 0 &&
		      (ch.session_id.len != sess->session_id_len ||
		       memcmp(ch.session_id.p, sess->session_id,
			      sess->session_id_len)),
	      "%s is not offered", label);
	tls_engine_free(e);
	if (flag)
		*flag = true;
}

static void test_bad_server_hellos(void)
{
	struct tls_session sess = { 0 };

	sess.st.version = TLS_VERSION_1_2;
	sess.st.cipher_suite = TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;
	sess.st.ems = true;
	sess.st.peer_verified = true;
	sess.st.created_ms = (uint64_t)time(NULL) * 1000;
	sess.st.lifetime_s = 3600;
	if (secret_set(&sess.st.secret, "0123456789abcdef0123456789abcdef"
					"0123456789abcdef", 48))
		abort();
	memset(sess.session_id, 7, 32);
	sess.session_id_len = 32;
	memcpy(sess.ticket, "a ticket", 8);
	sess.ticket_len = 8;
	bad_server_hello("resumed ServerHello without EMS", &sess,
			 TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, false,
			 TLS_ALERT_HANDSHAKE_FAILURE);
	bad_server_hello("resumed ServerHello with another suite", &sess,
			 TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, true,
			 TLS_ALERT_ILLEGAL_PARAMETER);
	not_offered("a session without EMS", &sess, &sess.st.ems);
	not_offered("a session not verified then", &sess,
		    &sess.st.peer_verified);
	sess.st.created_ms -= 3600 * 1000;
	not_offered("an expired session", &sess, NULL);
	tls_session_wipe(&sess);
}

int main(void)
{
	struct side c = { .ca = "root.pem" };

	if (pki_make()) {
		CHECK(0, "tests/pki/mkpki makes the test PKI");
		return check_summary();
	}
	if (side_config(&ccfg, &c, false) ||
	    RAND_bytes(ticket_aes, sizeof(ticket_aes)) != 1 ||
	    RAND_bytes(ticket_hmac, sizeof(ticket_hmac)) != 1)
		abort();
	test_resume("by session ID", IDS);
	test_resume("by ticket", TICKETS);
	test_resume("by ticket, renewed", RENEWING);
	test_refused();
	test_no_ems();
	test_bad_server_hellos();
	tls_config_free(&ccfg);
	pki_cleanup();
	return check_summary();
}
