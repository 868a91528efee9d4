// SPDX-License-Identifier: MIT
/*
 * handshake_bench: full TLS handshakes per second, ktlso's engine against
 * OpenSSL's libssl, both ends in one thread pinned to one CPU, bytes moved
 * in memory (no sockets):
 *
 *   ktlso    client engine ──memcpy──► server engine, and back
 *   openssl  SSL client ◄── BIO pair ──► SSL server, SSL_do_handshake
 *
 * Each full handshake is complete and fresh: new connection objects,
 * ephemeral key exchange, the server signs, the client verifies the
 * server's chain (leaf + intermediate to the test root) and host name
 * "localhost"; no tickets on either side. The configurations
 * (certificates, keys, trust store) are loaded once, as a server would.
 *
 *   TLS 1.3 X25519, ECDSA P-256 certificate, TLS_AES_128_GCM_SHA256
 *   TLS 1.2 ECDHE (X25519), RSA-2048 certificate, ECDHE-RSA-AES128-GCM-SHA256
 *
 * The resumed cells resume one session again and again with tickets on at
 * the server (one TLS 1.3 ticket per connection, as ktlsod issues; TLS 1.2
 * tickets, no session cache). ktlso's engine has no resuming client, so
 * the client is libssl in both columns and only the server differs:
 *
 *   ktlso    libssl client ──memory BIOs──► ktlso server engine
 *   openssl  libssl client ◄── BIO pair ──► libssl server
 *
 *   TLS 1.3 PSK with X25519 (psk_dhe_ke), TLS_AES_128_GCM_SHA256
 *   TLS 1.2 ticket, ECDHE-RSA-AES128-GCM-SHA256 (abbreviated handshake)
 *
 * The two implementations alternate in short rounds (the first one
 * rotates); each round counts handshakes per second of this thread's CPU
 * time, so other load on the machine does not count against either, and
 * the median round is reported.
 *
 * A benchmark, not a test: it fails only if a handshake fails, never on a
 * timing.
 *
 *   handshake_bench [--seconds S] [--rounds N] [--pki DIR] [--only ktlso|openssl]
 *
 * --only runs one implementation (for perf record); the table then shows
 * no ratio.
 */
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/opensslv.h>
#include <openssl/ssl.h>

#include "../../tests/lib/engine_pair.h"
#include "../../tests/lib/pki.h"
#include "../../tests/lib/ssl_mem.h"
#include "engine/engine.h"
#include "resume/ticket_keys.h"
#include "tls_config.h"

struct cell {
	const char *name;
	/* ktlso */
	const char *version, *suite, *group, *server_id;
	/* OpenSSL */
	int ossl_version;
	const char *ossl_cipher;
	bool resumed;		/* a libssl client resuming, tickets on */
};

static const struct cell cells[] = {
	{ "TLS 1.3 X25519 ECDSA-P256 AES-128-GCM", "1.3",
	  "TLS_AES_128_GCM_SHA256", "x25519", "server-p256", TLS1_3_VERSION,
	  "TLS_AES_128_GCM_SHA256", false },
	{ "TLS 1.2 ECDHE-RSA-2048 AES-128-GCM", "1.2",
	  "ECDHE-RSA-AES128-GCM-SHA256", "x25519", "server-rsa2048",
	  TLS1_2_VERSION, "ECDHE-RSA-AES128-GCM-SHA256", false },
	{ "TLS 1.3 resumed, PSK-DHE X25519", "1.3",
	  "TLS_AES_128_GCM_SHA256", "x25519", "server-p256", TLS1_3_VERSION,
	  "TLS_AES_128_GCM_SHA256", true },
	{ "TLS 1.2 resumed, ticket (RSA-2048 cert)", "1.2",
	  "ECDHE-RSA-AES128-GCM-SHA256", "x25519", "server-rsa2048",
	  TLS1_2_VERSION, "ECDHE-RSA-AES128-GCM-SHA256", true },
};
#define N_CELLS (sizeof(cells) / sizeof(cells[0]))

static void die(const char *what)
{
	fprintf(stderr, "handshake_bench: %s\n", what);
	ERR_print_errors_fp(stderr);
	exit(1);
}

static double cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---------------------------------------------------------------- ktlso */

struct ktlso_side {
	struct tls_config client, server;
	/* resumed cells: the libssl client and the session it resumes */
	SSL_CTX *lib_client;
	SSL_SESSION *sess;
};

static void resumed_handshake(struct ktlso_side *k, bool check);
static SSL_CTX *lib_client_ctx(const struct cell *c);

static void ktlso_setup(const struct cell *c, struct ktlso_side *k)
{
	const struct side client = {
		.min = c->version, .max = c->version, .suites = c->suite,
		.groups = c->group, .ca = "root.pem",
	};
	const struct side server = {
		.min = c->version, .max = c->version, .suites = c->suite,
		.groups = c->group, .id = c->server_id,
	};

	if (side_config(&k->client, &client, false) ||
	    side_config(&k->server, &server, true))
		die("ktlso configuration");
	if (!c->resumed)
		return;
	k->server.ticket_lifetime = 7200;
	memcpy(k->server.session_context, "bench", 6);
	if (ticket_keys_generate(&k->server.tickets, 7200, time(NULL)))
		die("ticket keys");
	k->lib_client = lib_client_ctx(c);
	/* The session every round resumes, from one full handshake. */
	resumed_handshake(k, false);
}

static bool ktlso_move(struct tls_engine *from, struct tls_engine *to)
{
	const uint8_t *out;
	size_t len, used;

	tls_engine_output(from, &out, &len);
	if (!len)
		return false;
	if (tls_engine_feed(to, out, len, &used))
		die("ktlso handshake failed");
	tls_engine_output_done(from, len);
	return true;
}

static void ktlso_handshake(const struct ktlso_side *k, bool check)
{
	static const struct tls_peer_request creq = {
		.role = TLS_ROLE_CLIENT, .server_name = "localhost"
	};
	static const struct tls_peer_request sreq = { .role = TLS_ROLE_SERVER };
	struct tls_engine *c = tls_engine_new(&k->client, &creq);
	struct tls_engine *s = tls_engine_new(&k->server, &sreq);
	struct tls_result rc, rs;
	bool moved;

	if (!c || !s)
		die("tls_engine_new failed");
	do {
		moved = ktlso_move(c, s);
		moved |= ktlso_move(s, c);
	} while (moved);
	if (tls_engine_take_result(c, &rc) || tls_engine_take_result(s, &rs))
		die(tls_engine_error(c) ? tls_engine_reason(c) :
					  tls_engine_reason(s));
	if (!rc.peer_verified)
		die("ktlso client did not verify the server");
	if (check)
		printf("  ktlso:   TLS 0x%04x suite 0x%04x group 0x%04x, server \"%s\" verified\n",
		       rc.version, rc.cipher_suite, rc.group, rc.peer_subject);
	tls_result_wipe(&rc);
	tls_result_wipe(&rs);
	tls_engine_free(c);
	tls_engine_free(s);
}

/* Move a libssl client's output to an engine and the engine's back. */
static bool lib_move(SSL *c, struct tls_engine *s)
{
	uint8_t buf[16384];
	const uint8_t *out;
	size_t len, used;
	bool moved = false;
	int n;

	while ((n = BIO_read(SSL_get_wbio(c), buf, sizeof(buf))) > 0) {
		if (tls_engine_feed(s, buf, n, &used) || used != (size_t)n)
			die("ktlso server handshake failed");
		moved = true;
	}
	tls_engine_output(s, &out, &len);
	if (len) {
		BIO_write(SSL_get_rbio(c), out, (int)len);
		tls_engine_output_done(s, len);
		moved = true;
	}
	return moved;
}

/*
 * libssl client (resuming k->sess, else keeping the session it gets in
 * k->sess) against a ktlso server engine.
 */
static void resumed_handshake(struct ktlso_side *k, bool check)
{
	static const struct tls_peer_request sreq = { .role = TLS_ROLE_SERVER };
	struct tls_engine *s = tls_engine_new(&k->server, &sreq);
	SSL *c = ssl_mem_new(k->lib_client, false);
	struct tls_result rs;
	bool done = false;
	char byte;

	if (!s || !SSL_set_tlsext_host_name(c, "localhost") ||
	    (k->sess && !SSL_set_session(c, k->sess)))
		die("resumed handshake setup");
	for (int i = 0; i < 16 && !(done && tls_engine_done(s)); i++) {
		done = done || SSL_do_handshake(c) == 1;
		(void)lib_move(c, s);
	}
	if (!done || tls_engine_take_result(s, &rs))
		die("resumed handshake did not finish");
	if (k->sess && (!rs.resumed || !SSL_session_reused(c)))
		die("the ktlso server did not resume");
	if (check)
		printf("  ktlso:   TLS 0x%04x suite 0x%04x, resumed\n",
		       rs.version, rs.cipher_suite);
	if (!k->sess) {
		(void)SSL_read(c, &byte, 1); /* takes a TLS 1.3 ticket */
		k->sess = SSL_get1_session(c);
	}
	/* As if closed cleanly, or SSL_free spoils the session */
	SSL_set_shutdown(c, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
	tls_result_wipe(&rs);
	tls_engine_free(s);
	SSL_free(c);
}

static void ktlso_cleanup(struct ktlso_side *k)
{
	tls_config_free(&k->client);
	tls_config_free(&k->server);
	SSL_SESSION_free(k->sess);
	SSL_CTX_free(k->lib_client);
}

/* -------------------------------------------------------------- OpenSSL */

struct ossl_side {
	SSL_CTX *client, *server;
	bool resumed;
	SSL_SESSION *sess;	/* resumed cells: the one resumed */
};

/* The libssl client of a cell: tickets on when the cell resumes. */
static SSL_CTX *lib_client_ctx(const struct cell *c)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (!ctx || !SSL_CTX_set_min_proto_version(ctx, c->ossl_version) ||
	    !SSL_CTX_set_max_proto_version(ctx, c->ossl_version) ||
	    !SSL_CTX_set1_groups_list(ctx, "X25519") ||
	    SSL_CTX_load_verify_locations(ctx, pki("root.pem"), NULL) != 1)
		die("OpenSSL client context");
	if (c->ossl_version == TLS1_3_VERSION ?
		    !SSL_CTX_set_ciphersuites(ctx, c->ossl_cipher) :
		    !SSL_CTX_set_cipher_list(ctx, c->ossl_cipher))
		die("OpenSSL cipher");
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	return ctx;
}

static void ossl_setup(const struct cell *c, struct ossl_side *o)
{
	char chain[128], key[128];
	SSL_CTX *ctx[2];

	snprintf(chain, sizeof(chain), "%s-chain.pem", c->server_id);
	snprintf(key, sizeof(key), "%s.key", c->server_id);
	o->client = SSL_CTX_new(TLS_client_method());
	o->server = SSL_CTX_new(TLS_server_method());
	ctx[0] = o->client;
	ctx[1] = o->server;
	for (int i = 0; i < 2; i++) {
		if (!ctx[i] ||
		    !SSL_CTX_set_min_proto_version(ctx[i], c->ossl_version) ||
		    !SSL_CTX_set_max_proto_version(ctx[i], c->ossl_version) ||
		    !SSL_CTX_set1_groups_list(ctx[i], "X25519"))
			die("OpenSSL context");
		if (c->ossl_version == TLS1_3_VERSION ?
			    !SSL_CTX_set_ciphersuites(ctx[i], c->ossl_cipher) :
			    !SSL_CTX_set_cipher_list(ctx[i], c->ossl_cipher))
			die("OpenSSL cipher");
		/* Full handshakes: no resumption; resumed: tickets only. */
		SSL_CTX_set_session_cache_mode(ctx[i], SSL_SESS_CACHE_OFF);
		if (!c->resumed)
			SSL_CTX_set_options(ctx[i], SSL_OP_NO_TICKET);
	}
	/* One TLS 1.3 ticket per connection, as ktlsod sends */
	SSL_CTX_set_num_tickets(o->server, c->resumed ? 1 : 0);
	if (SSL_CTX_use_certificate_chain_file(o->server, pki(chain)) != 1 ||
	    SSL_CTX_use_PrivateKey_file(o->server, pki(key),
					SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_load_verify_locations(o->client, pki("root.pem"), NULL) != 1)
		die("OpenSSL certificates");
	SSL_CTX_set_verify(o->client, SSL_VERIFY_PEER, NULL);
	o->resumed = c->resumed;
}

static bool ossl_step(SSL *ssl)
{
	int r = SSL_do_handshake(ssl);

	if (r == 1)
		return true;
	switch (SSL_get_error(ssl, r)) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		return false;
	default:
		die("OpenSSL handshake failed");
		return false;
	}
}

static void ossl_handshake(struct ossl_side *o, bool check)
{
	SSL *c = SSL_new(o->client), *s = SSL_new(o->server);
	BIO *bc, *bs;
	bool cd = false, sd = false;
	char byte;

	if (!c || !s || !BIO_new_bio_pair(&bc, 0, &bs, 0) ||
	    (o->sess && !SSL_set_session(c, o->sess)))
		die("SSL_new");
	SSL_set_bio(c, bc, bc);
	SSL_set_bio(s, bs, bs);
	SSL_set_connect_state(c);
	SSL_set_accept_state(s);
	if (!SSL_set_tlsext_host_name(c, "localhost") ||
	    !SSL_set1_host(c, "localhost"))
		die("SSL_set1_host");
	for (int i = 0; i < 32 && !(cd && sd); i++) {
		cd = ossl_step(c) || cd;
		sd = ossl_step(s) || sd;
	}
	if (!cd || !sd)
		die("OpenSSL handshake did not finish");
	if (o->sess && !SSL_session_reused(c))
		die("the OpenSSL server did not resume");
	if (o->sess && check)
		printf("  openssl: %s %s, resumed\n", SSL_get_version(c),
		       SSL_get_cipher_name(c));
	else if (check) {
		int nid = 0;

		if (SSL_get_verify_result(c) != X509_V_OK)
			die("OpenSSL client did not verify the server");
		SSL_get_peer_signature_type_nid(c, &nid);
		printf("  openssl: %s %s, server signed with %s\n",
		       SSL_get_version(c), SSL_get_cipher_name(c),
		       OBJ_nid2sn(nid));
	}
	if (o->resumed && !o->sess) {
		(void)SSL_read(c, &byte, 1); /* takes a TLS 1.3 ticket */
		o->sess = SSL_get1_session(c);
	}
	SSL_set_shutdown(c, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
	SSL_free(c);
	SSL_free(s);
}

static void ossl_cleanup(struct ossl_side *o)
{
	SSL_SESSION_free(o->sess);
	SSL_CTX_free(o->client);
	SSL_CTX_free(o->server);
}

/* ---------------------------------------------------------------- rounds */

struct impl_ctx {
	struct ktlso_side k;
	struct ossl_side o;
};

/* Handshakes per CPU second over at least `seconds` of CPU time. */
static double round_rate(struct impl_ctx *x, int impl, double seconds)
{
	double t0 = cpu_seconds(), t;
	long n = 0;

	do {
		for (int i = 0; i < 8; i++) {
			if (impl == 0 && x->k.lib_client)
				resumed_handshake(&x->k, false);
			else if (impl == 0)
				ktlso_handshake(&x->k, false);
			else
				ossl_handshake(&x->o, false);
		}
		n += 8;
		t = cpu_seconds() - t0;
	} while (t < seconds);
	return n / t;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	double seconds = 3, results[N_CELLS][2], ratio[N_CELLS];
	int rounds = 10, cpu;
	bool own_pki = true;
	int only = -1;
	cpu_set_t set;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seconds") && i + 1 < argc) {
			seconds = atof(argv[++i]);
		} else if (!strcmp(argv[i], "--rounds") && i + 1 < argc) {
			rounds = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--only") && i + 1 < argc) {
			i++;
			only = !strcmp(argv[i], "ktlso") ? 0 :
			       !strcmp(argv[i], "openssl") ? 1 : 2;
			if (only == 2) {
				fprintf(stderr, "--only ktlso or openssl\n");
				return 2;
			}
		} else if (!strcmp(argv[i], "--pki") && i + 1 < argc) {
			pki_use(argv[++i]);
			own_pki = false;
		} else {
			fprintf(stderr,
				"usage: %s [--seconds S] [--rounds N] [--pki DIR] [--only ktlso|openssl]\n",
				argv[0]);
			return 2;
		}
	}
	if (seconds <= 0 || rounds < 1 || rounds > 100) {
		fprintf(stderr, "handshake_bench: bad --seconds or --rounds\n");
		return 2;
	}
	if (own_pki && pki_make())
		die("tests/pki/mkpki failed");

	/* One core for both ends, as the comparison requires. */
	cpu = sched_getcpu();
	CPU_ZERO(&set);
	CPU_SET(cpu < 0 ? 0 : cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		perror("sched_setaffinity");

	printf("handshake_bench: full handshakes per CPU-second, client and server in one thread on CPU %d\n",
	       cpu);
	printf("  %s; %.1f s per cell and implementation in %d alternating rounds, median round\n",
	       OpenSSL_version(OPENSSL_VERSION), seconds, rounds);
	printf("  command:");
	for (int i = 0; i < argc; i++)
		printf(" %s", argv[i]);
	printf("\n");

	for (size_t ci = 0; ci < N_CELLS; ci++) {
		struct impl_ctx x;
		double r[2][100];

		memset(&x, 0, sizeof(x));
		ktlso_setup(&cells[ci], &x.k);
		ossl_setup(&cells[ci], &x.o);
		printf("%s\n", cells[ci].name);
		/* Warm up and check once that both really do the handshake. */
		if (cells[ci].resumed) {
			ossl_handshake(&x.o, false); /* the session to resume */
			resumed_handshake(&x.k, true);
		} else {
			ktlso_handshake(&x.k, true);
		}
		ossl_handshake(&x.o, true);
		for (int n = 0; n < rounds; n++) {
			int first = n % 2;

			r[0][n] = r[1][n] = 0;
			if (only != !first)
				r[first][n] = round_rate(&x, first,
							 seconds / rounds);
			if (only != first)
				r[!first][n] = round_rate(&x, !first,
							  seconds / rounds);
		}
		for (int impl = 0; impl < 2; impl++) {
			qsort(r[impl], rounds, sizeof(double), cmp_double);
			results[ci][impl] = rounds % 2 ?
				r[impl][rounds / 2] :
				(r[impl][rounds / 2 - 1] + r[impl][rounds / 2]) / 2;
		}
		ratio[ci] = only < 0 ? results[ci][0] / results[ci][1] : 0;
		ktlso_cleanup(&x.k);
		ossl_cleanup(&x.o);
	}

	printf("\n%-40s %12s %12s %8s\n", "handshake", "ktlso/s", "OpenSSL/s",
	       "ratio");
	for (size_t ci = 0; ci < N_CELLS; ci++)
		printf("%-40s %12.0f %12.0f %8.2f\n", cells[ci].name,
		       results[ci][0], results[ci][1], ratio[ci]);
	pki_cleanup();
	return 0;
}
