// SPDX-License-Identifier: MIT
/*
 * 0-RTT against a TLS 1.3 server engine that accepts none (RFC 8446
 * §4.2.10), with OpenSSL's libssl as the client, in memory:
 *
 *   libssl client ──handshake──► libssl server (-early_data): a ticket
 *   libssl client ──ClientHello + early_data + 0-RTT records──► ktlso server
 *
 * ktlso issues no tickets, so the ticket comes from an OpenSSL server, as
 * it would from another server sharing a ticket key. ktlso must ignore the
 * PSK, skip the early data, finish the handshake with keys that carry
 * application data, and the client must see its early data rejected. More
 * than 2^14 bytes of early data is unexpected_message (§4.6.1); after a
 * HelloRetryRequest the early data is skipped as application_data records
 * until the second ClientHello.
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
#include "record/record.h"
#include "wire/proto.h"
#include "wire/reader.h"

/* A full handshake with an OpenSSL server: the session with its ticket. */
static SSL_SESSION *ticket_from_openssl(SSL_CTX *cctx, SSL_CTX *sctx)
{
	SSL *c = ssl_mem_new(cctx, false), *s = ssl_mem_new(sctx, true);
	SSL_SESSION *sess = NULL;
	char byte;

	for (int i = 0; i < 10; i++) {
		int cr = SSL_do_handshake(c);

		ssl_mem_carry(c, s);
		(void)SSL_do_handshake(s);
		ssl_mem_carry(s, c);
		if (cr == 1 && SSL_is_init_finished(s))
			break;
	}
	/* The NewSessionTicket follows the handshake: read to take it. */
	(void)SSL_read(c, &byte, 1);
	sess = SSL_get1_session(c);
	/* Closed as if cleanly, or SSL_free marks the session unusable. */
	SSL_set_shutdown(c, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
	SSL_free(c);
	SSL_free(s);
	return sess;
}

struct run {
	struct tls_engine *e;
	SSL *c;
	int early_status;
	bool client_done;
	uint8_t pending[1 << 18];
	size_t pending_len;
};

/* Client bytes to the engine; what it does not take waits. */
static void to_engine(struct run *r)
{
	size_t used = 0;
	int n, err;

	while (r->pending_len < sizeof(r->pending) &&
	       (n = BIO_read(SSL_get_wbio(r->c), r->pending + r->pending_len,
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

/*
 * The client resumes with early_len bytes of 0-RTT data against a ktlso
 * server with these groups; pumps until both ends stop.
 */
static void run_early(struct run *r, SSL_CTX *cctx, SSL_SESSION *sess,
		      const struct tls_config *cfg, size_t early_len)
{
	struct tls_peer_request req = { .role = TLS_ROLE_SERVER };
	static uint8_t early[65536];
	size_t written = 0, total = 0;

	memset(early, 'e', sizeof(early));
	r->e = tls_engine_new(cfg, &req);
	r->c = ssl_mem_new(cctx, false);
	if (!r->e || !SSL_set_session(r->c, sess))
		abort();
	/* In records' worth: libssl will not take more than that at once. */
	for (size_t done = 0; done < early_len; done += written) {
		size_t n = early_len - done < 16384 ? early_len - done : 16384;

		if (SSL_write_early_data(r->c, early + done, n, &written) != 1)
			break;
		total += written;
	}
	CHECK(total == early_len, "libssl client writes %zu bytes of early data",
	      early_len);
	for (int i = 0; i < 20; i++) {
		to_engine(r);
		to_client(r);
		if (!r->client_done)
			r->client_done = SSL_do_handshake(r->c) == 1;
		if (tls_engine_error(r->e) ||
		    (r->client_done && tls_engine_done(r->e)))
			break;
	}
	r->early_status = SSL_get_early_data_status(r->c);
}

static void run_free(struct run *r)
{
	tls_engine_free(r->e);
	SSL_free(r->c);
}

/* Data from the client under the engine's result: the keys are right. */
static bool app_data_opens(struct run *r)
{
	static const char msg[] = "after 0-RTT was skipped";
	struct tls_result res;
	struct record_keys k = { 0 };
	struct record_dir d = { 0 };
	struct record_frame f;
	struct reader rd;
	uint8_t type = 0, pt[RECORD_MAX_LEN];
	size_t len = 0;
	bool ok;

	if (SSL_write(r->c, msg, sizeof(msg)) != (int)sizeof(msg) ||
	    tls_engine_take_result(r->e, &res))
		return false;
	/* What the engine left: nothing but what the client sent now. */
	to_engine(r);
	ok = !record_keys_from_result(&res, false, &k) &&
	     !record_dir_keys(&d, &k, RECORD_OPEN);
	reader_init(&rd, r->pending, r->pending_len);
	ok = ok && !record_parse(&d, &rd, &f) &&
	     !record_open(&d, &f, &type, pt, sizeof(pt), &len) &&
	     type == TLS_CT_APPLICATION_DATA && len == sizeof(msg) &&
	     !memcmp(pt, msg, len);
	keys_wipe(&k);
	record_dir_wipe(&d);
	tls_result_wipe(&res);
	return ok;
}

int main(void)
{
	SSL_CTX *sctx, *cctx;
	SSL_SESSION *sess;
	struct tls_config cfg, p384;
	struct side s = { .id = "server-p256" };
	struct side s384 = { .id = "server-p256", .groups = "P-384" };

	if (pki_make()) {
		CHECK(0, "tests/pki/mkpki makes the test PKI");
		return check_summary();
	}
	sctx = SSL_CTX_new(TLS_server_method());
	cctx = SSL_CTX_new(TLS_client_method());
	if (!sctx || !cctx ||
	    !SSL_CTX_set_min_proto_version(cctx, TLS1_3_VERSION) ||
	    SSL_CTX_use_certificate_chain_file(sctx,
					       pki("server-p256-chain.pem")) != 1 ||
	    SSL_CTX_use_PrivateKey_file(sctx, pki("server-p256.key"),
					SSL_FILETYPE_PEM) != 1 ||
	    !SSL_CTX_set_max_early_data(sctx, 65536) ||
	    side_config(&cfg, &s, true) || side_config(&p384, &s384, true)) {
		ERR_print_errors_fp(stdout);
		CHECK(0, "OpenSSL and ktlso configurations");
		return check_summary();
	}
	SSL_CTX_set_verify(cctx, SSL_VERIFY_NONE, NULL);

	static const struct {
		const char *what;
		size_t early;
		bool hrr;
		bool ok;
	} cases[] = {
		{ "5 bytes", 5, false, true },
		{ "2^14 bytes (two records)", 16384, false, true },
		{ "5 bytes, after a HelloRetryRequest", 5, true, true },
		{ "2^14 bytes, after a HelloRetryRequest", 16384, true, true },
		/* RFC 8446 §4.6.1 */
		{ "20000 bytes, over the limit", 20000, false, false },
		{ "20000 bytes, over the limit, HelloRetryRequest", 20000,
		  true, false },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct run *r = calloc(1, sizeof(*r));

		/* A fresh ticket each time: a failed run spoils its session. */
		sess = ticket_from_openssl(cctx, sctx);
		CHECK(sess && SSL_SESSION_get_max_early_data(sess) == 65536,
		      "libssl server issues a ticket allowing 64 KiB of early data");
		if (!r || !sess)
			abort();
		run_early(r, cctx, sess, cases[i].hrr ? &p384 : &cfg,
			  cases[i].early);
		if (cases[i].ok) {
			CHECK(tls_engine_done(r->e) && r->client_done &&
				      r->early_status ==
					      SSL_EARLY_DATA_REJECTED,
			      "0-RTT with %s: ktlso skips it and completes, the client sees it rejected: engine err %d alert %d (%s), client %s, early status %d",
			      cases[i].what, tls_engine_error(r->e),
			      tls_engine_alert(r->e), tls_engine_reason(r->e),
			      r->client_done ? "done" : "not done",
			      r->early_status);
			CHECK(r->client_done && tls_engine_done(r->e) &&
				      app_data_opens(r),
			      "0-RTT with %s: the client's next record opens with ktlso's keys",
			      cases[i].what);
		} else {
			CHECK(tls_engine_error(r->e) == -EPROTO &&
				      tls_engine_alert(r->e) ==
					      TLS_ALERT_UNEXPECTED_MESSAGE,
			      "0-RTT with %s: unexpected_message: err %d alert %d (%s)",
			      cases[i].what, tls_engine_error(r->e),
			      tls_engine_alert(r->e), tls_engine_reason(r->e));
		}
		run_free(r);
		free(r);
		SSL_SESSION_free(sess);
	}
	SSL_CTX_free(sctx);
	SSL_CTX_free(cctx);
	tls_config_free(&cfg);
	tls_config_free(&p384);
	pki_cleanup();
	return check_summary();
}
