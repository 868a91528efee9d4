// SPDX-License-Identifier: MIT
/*
 * TLS 1.3 session resumption by a ktlso server (userspace/lib/engine/
 * hs13_resume.c), with OpenSSL's libssl as the client, in memory:
 *
 *   libssl ──full handshake──► ktlso server ──NewSessionTicket──► libssl
 *   libssl ──ClientHello + pre_shared_key(ticket, binder)──► ktlso server
 *
 * The client must report the session reused (SSL_session_reused), the
 * engine's result must say resumed, and application data must flow under
 * the result's keys, the server's sequence number counting the ticket.
 * Every unusable ticket (expired, its age far from ours, another profile,
 * a key rotated out, tickets turned off) gives a full handshake; a binder
 * that does not verify (the client's PSK changed) is decrypt_error.
 *
 * TLS 1.2 (hs12_resume.c): a ticket (RFC 5077) and a session ID from the
 * server's cache each resume; a client that leaves out EMS, another
 * profile, an expired session give a full handshake (RFC 7627 §5.3).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "../lib/check.h"
#include "../lib/engine_pair.h"
#include "../lib/pki.h"
#include "../lib/ssl_mem.h"
#include "engine/engine.h"
#include "resume/session_cache.h"
#include "resume/ticket_keys.h"
#include "wire/proto.h"

#define LIFETIME 3600
static uint64_t fake_now = 1800000000000ULL;

static uint64_t fake_clock(void)
{
	return fake_now;
}

struct run {
	struct tls_engine *e;
	SSL *c;
	bool client_done;
	struct tls_result res;
	bool have_res;
	uint8_t pending[1 << 16];
	size_t pending_len;
};

static void to_engine(struct run *r)
{
	size_t used = 0;
	int n, err;

	while ((n = BIO_read(SSL_get_wbio(r->c), r->pending + r->pending_len,
			     (int)(sizeof(r->pending) - r->pending_len))) > 0)
		r->pending_len += n;
	/* its verdict is read with tls_engine_error() */
	err = tls_engine_feed(r->e, r->pending, r->pending_len, &used);
	(void)err;
	memmove(r->pending, r->pending + used, r->pending_len - used);
	r->pending_len -= used;
}

static void to_client(struct run *r)
{
	const uint8_t *out;
	size_t len;

	tls_engine_output(r->e, &out, &len);
	if (len)
		BIO_write(SSL_get_rbio(r->c), out, (int)len);
	tls_engine_output_done(r->e, len);
}

/* A handshake of a libssl client (resuming sess if not NULL). */
static void run(struct run *r, SSL_CTX *cctx, SSL_SESSION *sess,
		const struct tls_config *cfg)
{
	struct tls_peer_request req = { .role = TLS_ROLE_SERVER };
	char byte;

	memset(r, 0, sizeof(*r));
	r->e = tls_engine_new(cfg, &req);
	r->c = ssl_mem_new(cctx, false);
	if (!r->e || (sess && !SSL_set_session(r->c, sess)))
		abort();
	for (int i = 0; i < 10; i++) {
		if (!r->client_done)
			r->client_done = SSL_do_handshake(r->c) == 1;
		to_engine(r);
		to_client(r);
		if (tls_engine_error(r->e) ||
		    (r->client_done && tls_engine_done(r->e)))
			break;
	}
	/* The client takes any NewSessionTicket when it reads. */
	(void)SSL_read(r->c, &byte, 1);
	r->have_res = tls_engine_done(r->e) &&
		      !tls_engine_take_result(r->e, &r->res);
}

static SSL_SESSION *session_of(struct run *r)
{
	SSL_SESSION *s = SSL_get1_session(r->c);

	/* Closed as if cleanly, or SSL_free marks the session unusable. */
	SSL_set_shutdown(r->c, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
	return s;
}

static void run_free(struct run *r)
{
	tls_engine_free(r->e);
	SSL_free(r->c);
	if (r->have_res)
		tls_result_wipe(&r->res);
}

/*
 * A record sealed with the result's tx keys opens in the client, and one
 * the client sends opens with the rx keys: the keys and sequence numbers
 * the kernel would get are right.
 */
static bool app_data_both_ways(struct run *r)
{
	return r->have_res && ssl_mem_talks(r->c, &r->res);
}

static int server_config_auth(struct tls_config *cfg, const char *profile,
			      struct ticket_keys *keys,
			      enum tls_client_auth auth)
{
	struct side s = { .id = "server-p256", .client_auth = auth,
			  .ca = auth ? "root.pem" : NULL };

	TRY(side_config(cfg, &s, true));
	cfg->tickets = keys;
	cfg->ticket_lifetime = LIFETIME;
	cfg->clock_ms = fake_clock;
	snprintf((char *)cfg->session_context, sizeof(cfg->session_context),
		 "%s", profile);
	return 0;
}

static int server_config(struct tls_config *cfg, const char *profile,
			 struct ticket_keys *keys)
{
	return server_config_auth(cfg, profile, keys, TLS_CLIENT_AUTH_NONE);
}

/* A full handshake with cfg, and the session the client keeps. */
static SSL_SESSION *fresh_session(SSL_CTX *cctx, const struct tls_config *cfg)
{
	struct run r;
	SSL_SESSION *s;

	run(&r, cctx, NULL, cfg);
	s = session_of(&r);
	run_free(&r);
	return s;
}

/*
 * TLS 1.2: a full handshake keeps the session; the next resumes it.
 * opts: libssl options of the client (SSL_OP_NO_TICKET: by session ID).
 */
static void test_resume12(SSL_CTX *cctx, const struct tls_config *cfg,
			  uint64_t opts, const char *how)
{
	SSL_SESSION *sess;
	struct run r;

	SSL_CTX_set_options(cctx, opts);
	run(&r, cctx, NULL, cfg);
	CHECK(r.have_res && r.client_done && !r.res.resumed &&
		      r.res.version == TLS_VERSION_1_2 &&
		      app_data_both_ways(&r),
	      "TLS 1.2 %s: a full handshake: %s", how, tls_engine_reason(r.e));
	sess = session_of(&r);
	run_free(&r);
	CHECK(sess && SSL_SESSION_is_resumable(sess) &&
		      SSL_SESSION_has_ticket(sess) == !(opts & SSL_OP_NO_TICKET),
	      "TLS 1.2 %s: the client keeps a resumable session", how);
	fake_now += 1000;
	run(&r, cctx, sess, cfg);
	CHECK(r.have_res && r.client_done && SSL_session_reused(r.c) &&
		      r.res.resumed && r.res.group == 0,
	      "TLS 1.2 %s: resumed, both ends report it: %s", how,
	      tls_engine_reason(r.e));
	CHECK(app_data_both_ways(&r),
	      "TLS 1.2 %s: the abbreviated handshake's keys carry data", how);
	run_free(&r);
	/* RFC 7627 §5.3: the same session offered without EMS */
	SSL_CTX_set_options(cctx, SSL_OP_NO_EXTENDED_MASTER_SECRET);
	run(&r, cctx, sess, cfg);
	CHECK(r.have_res && r.client_done && !SSL_session_reused(r.c) &&
		      !r.res.resumed && app_data_both_ways(&r),
	      "TLS 1.2 %s: offered without extended_master_secret: a full "
	      "handshake: %s", how, tls_engine_reason(r.e));
	run_free(&r);
	SSL_CTX_clear_options(cctx, SSL_OP_NO_EXTENDED_MASTER_SECRET);
	/* A session made without EMS is not kept at all */
	SSL_CTX_set_options(cctx, SSL_OP_NO_EXTENDED_MASTER_SECRET);
	SSL_SESSION_free(sess);
	run(&r, cctx, NULL, cfg);
	sess = session_of(&r);
	run_free(&r);
	SSL_CTX_clear_options(cctx, SSL_OP_NO_EXTENDED_MASTER_SECRET);
	run(&r, cctx, sess, cfg);
	CHECK(r.have_res && !SSL_session_reused(r.c) && !r.res.resumed,
	      "TLS 1.2 %s: a session made without EMS does not resume", how);
	run_free(&r);
	SSL_SESSION_free(sess);
	SSL_CTX_clear_options(cctx, opts);
}

static void test_resume(SSL_CTX *cctx, struct tls_config *cfg)
{
	SSL_SESSION *sess, *again;
	struct run r;

	run(&r, cctx, NULL, cfg);
	CHECK(r.have_res && r.client_done && !SSL_session_reused(r.c) &&
		      !r.res.resumed,
	      "a full handshake: %s", tls_engine_reason(r.e));
	CHECK(r.have_res && r.res.tx.seq == 1 && r.res.rx.seq == 0,
	      "one NewSessionTicket went out under the application key: the "
	      "server's next record is number 1");
	CHECK(app_data_both_ways(&r),
	      "after the ticket, application data flows both ways");
	sess = session_of(&r);
	CHECK(sess && SSL_SESSION_is_resumable(sess) &&
		      SSL_SESSION_get_ticket_lifetime_hint(sess) == LIFETIME,
	      "the client holds a resumable ticket with our lifetime");
	run_free(&r);

	fake_now += 2000;
	run(&r, cctx, sess, cfg);
	CHECK(r.have_res && r.client_done && SSL_session_reused(r.c) &&
		      r.res.resumed,
	      "the client resumes with the ticket, both report it: %s",
	      tls_engine_reason(r.e));
	CHECK(app_data_both_ways(&r),
	      "a resumed session's keys carry application data both ways");
	again = session_of(&r);
	CHECK(again && again != sess && SSL_SESSION_is_resumable(again),
	      "a resumed session is issued a new ticket");
	run_free(&r);
	SSL_SESSION_free(again);
	SSL_SESSION_free(sess);
}

/* A session made with make_cfg, resumed against try_cfg after skip_ms. */
static void check_full(SSL_CTX *cctx, const struct tls_config *make_cfg,
		       const struct tls_config *try_cfg, uint64_t skip_ms,
		       const char *what)
{
	SSL_SESSION *sess = fresh_session(cctx, make_cfg);
	struct run r;

	fake_now += skip_ms;
	run(&r, cctx, sess, try_cfg);
	CHECK(sess && r.have_res && r.client_done && !SSL_session_reused(r.c) &&
		      !r.res.resumed && app_data_both_ways(&r),
	      "%s: a full handshake instead: %s", what, tls_engine_reason(r.e));
	run_free(&r);
	SSL_SESSION_free(sess);
}

/*
 * The identity a session carries: a client certificate checked in the full
 * handshake is the resumed session's peer; a session without one does not
 * resume where a certificate is required.
 */
static void test_identity(SSL_CTX *cctx, struct ticket_keys *k)
{
	struct tls_config none, required;
	SSL_SESSION *sess;
	struct run r;

	if (server_config_auth(&none, "id", k, TLS_CLIENT_AUTH_NONE) ||
	    server_config_auth(&required, "id", k, TLS_CLIENT_AUTH_REQUIRED) ||
	    SSL_CTX_use_certificate_chain_file(cctx, pki("client-chain.pem")) != 1 ||
	    SSL_CTX_use_PrivateKey_file(cctx, pki("client.key"),
					SSL_FILETYPE_PEM) != 1)
		abort();
	run(&r, cctx, NULL, &required);
	CHECK(r.have_res && r.res.peer_verified &&
		      strstr(r.res.peer_subject, "CN=client"),
	      "client_auth = required: the full handshake checks CN=client");
	sess = session_of(&r);
	run_free(&r);
	run(&r, cctx, sess, &required);
	CHECK(r.have_res && r.res.resumed && SSL_session_reused(r.c) &&
		      r.res.peer_verified &&
		      strstr(r.res.peer_subject, "CN=client"),
	      "resumed: the peer is the session's, verified CN=client (%s)",
	      r.have_res ? r.res.peer_subject : tls_engine_reason(r.e));
	run_free(&r);
	SSL_SESSION_free(sess);
	/* A session of the same profile made when no certificate was asked */
	sess = fresh_session(cctx, &none);
	run(&r, cctx, sess, &required);
	CHECK(r.have_res && !r.res.resumed && !SSL_session_reused(r.c) &&
		      r.res.peer_verified,
	      "a session without a verified client does not resume where one "
	      "is required: a full handshake checks the certificate");
	run_free(&r);
	SSL_SESSION_free(sess);
	none.tickets = required.tickets = NULL;
	tls_config_free(&none);
	tls_config_free(&required);
}

static void test_wrong_binder(SSL_CTX *cctx, const struct tls_config *cfg)
{
	static const uint8_t wrong[48] = "not the PSK the ticket holds";
	SSL_SESSION *sess = fresh_session(cctx, cfg);
	struct run r;

	/* The client's PSK is no longer the ticket's: its binder is wrong. */
	if (!sess || !SSL_SESSION_set1_master_key(sess, wrong, 32))
		abort();
	run(&r, cctx, sess, cfg);
	CHECK(tls_engine_error(r.e) == -EPROTO &&
		      tls_engine_alert(r.e) == TLS_ALERT_DECRYPT_ERROR &&
		      !r.client_done,
	      "a binder that does not verify: decrypt_error (RFC 8446 "
	      "§4.2.11): err %d alert %d (%s)", tls_engine_error(r.e),
	      tls_engine_alert(r.e), tls_engine_reason(r.e));
	run_free(&r);
	SSL_SESSION_free(sess);
}

int main(void)
{
	struct tls_config web, api, off, rotated;
	struct ticket_keys *k, *other;
	SSL_CTX *cctx, *cctx12;

	if (pki_make()) {
		CHECK(0, "tests/pki/mkpki makes the test PKI");
		return check_summary();
	}
	cctx = SSL_CTX_new(TLS_client_method());
	if (!cctx || !SSL_CTX_set_min_proto_version(cctx, TLS1_3_VERSION) ||
	    ticket_keys_generate(&k, LIFETIME, fake_now / 1000) ||
	    ticket_keys_generate(&other, LIFETIME, fake_now / 1000) ||
	    server_config(&web, "web", k) || server_config(&api, "api", NULL) ||
	    server_config(&off, "web", NULL) ||
	    server_config(&rotated, "web", other)) {
		ERR_print_errors_fp(stdout);
		CHECK(0, "OpenSSL and ktlso configurations");
		return check_summary();
	}
	SSL_CTX_set_verify(cctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_session_cache_mode(cctx, SSL_SESS_CACHE_CLIENT);

	test_resume(cctx, &web);

	/* TLS 1.2: tickets and a session cache on the same profile */
	if (!(web.session_cache = session_cache_new(16)) ||
	    !(api.session_cache = session_cache_new(16)) ||
	    !(cctx12 = SSL_CTX_new(TLS_client_method())) ||
	    !SSL_CTX_set_max_proto_version(cctx12, TLS1_2_VERSION))
		abort();
	SSL_CTX_set_verify(cctx12, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_session_cache_mode(cctx12, SSL_SESS_CACHE_CLIENT);
	test_resume12(cctx12, &web, 0, "ticket");
	test_resume12(cctx12, &web, SSL_OP_NO_TICKET, "session ID");
	check_full(cctx12, &web, &web, (LIFETIME + 1) * 1000ULL,
		   "TLS 1.2: a ticket past its lifetime");
	SSL_CTX_set_options(cctx12, SSL_OP_NO_TICKET);
	check_full(cctx12, &web, &web, (LIFETIME + 1) * 1000ULL,
		   "TLS 1.2: a session ID past its lifetime");
	/* another profile with the same cache and keys */
	session_cache_free(api.session_cache);
	api.session_cache = web.session_cache;
	check_full(cctx12, &web, &api, 0,
		   "TLS 1.2: a session ID of another profile");
	api.session_cache = NULL;
	SSL_CTX_clear_options(cctx12, SSL_OP_NO_TICKET);
	api.tickets = k;
	check_full(cctx12, &web, &api, 0, "TLS 1.2: a ticket of another profile");
	api.tickets = NULL;
	SSL_CTX_free(cctx12);
	test_wrong_binder(cctx, &web);
	{
		SSL_CTX *mtls = SSL_CTX_new(TLS_client_method());

		if (!mtls || !SSL_CTX_set_min_proto_version(mtls, TLS1_3_VERSION))
			abort();
		SSL_CTX_set_verify(mtls, SSL_VERIFY_NONE, NULL);
		test_identity(mtls, k);
		SSL_CTX_free(mtls);
	}
	check_full(cctx, &web, &web, (LIFETIME + 1) * 1000ULL,
		   "a ticket past its lifetime");
	check_full(cctx, &web, &web, 60 * 1000,
		   "a ticket whose age the client sees a minute off ours");
	/* api shares the key ring but is another profile */
	api.tickets = k;
	check_full(cctx, &web, &api, 0, "another profile's ticket");
	api.tickets = NULL;
	check_full(cctx, &web, &rotated, 0,
		   "a ticket of a key the server no longer has");
	check_full(cctx, &web, &off, 0, "a server with tickets off");
	{
		struct run r;

		run(&r, cctx, NULL, &off);
		CHECK(r.have_res && r.res.tx.seq == 0,
		      "tickets off: no NewSessionTicket is sent");
		run_free(&r);
	}
	web.tickets = NULL;	/* k is freed below, once */
	rotated.tickets = NULL;
	tls_config_free(&web);
	tls_config_free(&api);
	tls_config_free(&off);
	tls_config_free(&rotated);
	ticket_keys_free(k);
	ticket_keys_free(other);
	SSL_CTX_free(cctx);
	pki_cleanup();
	return check_summary();
}
