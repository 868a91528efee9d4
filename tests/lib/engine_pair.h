/* SPDX-License-Identifier: MIT */
/*
 * A client engine and a server engine joined in memory, for the engine
 * tests: configurations built from a few named options and the test PKI
 * (pki.h), a pump that carries each side's output to the other (whole
 * flights, or in chunks as small as one byte, optionally tampered with in
 * transit), and the checks that a finished pair agrees and that its keys
 * really protect application data both ways.
 *
 *   client ──output──► [tamper] ──feed (chunk)──► server
 *   client ◄──feed (chunk)── [tamper] ◄──output── server
 */
#ifndef KTLSO_TEST_ENGINE_PAIR_H
#define KTLSO_TEST_ENGINE_PAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"
#include "record/record.h"
#include "tls_config.h"

/* -------------------------------------------------------- configuration */

/* One side's options; zero means the library's default. */
struct side {
	const char *min, *max;	   /* "1.2", "1.3" */
	const char *suites;	   /* IANA or OpenSSL names */
	const char *groups;
	const char *id;		   /* NAME-chain.pem and NAME.key */
	const char *chain;	   /* overrides NAME-chain.pem */
	const char *ca;		   /* trust anchors; client: NULL: no verify */
	const char *crls[2];
	const char *ocsp;	   /* server: response to staple */
	enum tls_client_auth client_auth;
	const char *alpn;	   /* server: config; client: request */
	const uint16_t *schemes;   /* signature_algorithms we accept */
	size_t n_schemes;
	const char *server_name;   /* client: default "localhost" */
	bool legacy;		   /* legacy suites (RSA kx, CBC) usable */
};

/* cfg from o, files named in the test PKI (pki.h): 0 or -errno, the
 * reason on stderr. */
int side_config(struct tls_config *cfg, const struct side *o, bool server);

/* ----------------------------------------------------------------- pair */

enum { CLIENT, SERVER };

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define TRANSIT_MAX (128 * 1024)
#define GARBAGE "GARBAGE AFTER THE LAST HANDSHAKE RECORD"

struct pair;
/* Change a flight in transit: buf[0..*len), room for TRANSIT_MAX bytes. */
typedef void (*pair_tamper)(struct pair *p, int to, int flight, uint8_t *buf,
			    size_t *len);

struct pair {
	struct side copt, sopt;
	struct tls_config ccfg, scfg;
	struct tls_engine *e[2];

	/* How bytes travel */
	size_t chunk;		/* feed at most this much at once; 0: all */
	pair_tamper tamper;
	/* Append GARBAGE to the last flight of a side that is done. */
	bool garbage_after_final;

	/* What happened */
	int flights[2];			/* flights sent by each side */
	uint8_t log[2][TRANSIT_MAX];	/* bytes delivered to each side */
	size_t log_len[2];
	size_t final_len[2];	  /* last flight to a side, without garbage */
	size_t final_consumed[2]; /* what the side consumed of flight + garbage */
	bool got_final[2];
	size_t left[2];		  /* bytes a side left of its last delivery */
	struct tls_result res[2];
	bool have_res[2];
};

/* A pair with these options; nothing is built until pair_start. */
struct pair *pair_new(const struct side *c, const struct side *s);
void pair_free(struct pair *p);

/* Build both configs and engines; the client's ClientHello is queued. */
int pair_start(struct pair *p);

/* Start, pump flights both ways until neither side has anything to say,
 * and take both results: 0 if both finished, else -EPROTO. */
int pair_run(struct pair *p);

bool pair_done(const struct pair *p);

/* A one-line account of how a pair ended, for failure messages. */
const char *pair_status(const struct pair *p);

/* ------------------------------------------------------- result checks */

/*
 * The record layer's keys for one direction of a result (tx: what this
 * side sends), as record/record.h takes them.
 */
int record_keys_from_result(const struct tls_result *r, bool tx,
			    struct record_keys *k);
void keys_wipe(struct record_keys *k);

/*
 * Seal `count` application-data records with `from`'s keys and open them
 * with `to`'s: 0 when every record opens to what was sealed and the
 * sequence numbers advanced in step, else -errno and the reason in why.
 */
int keys_transfer(const struct record_keys *from, const struct record_keys *to,
		  int count, char *why, size_t whylen);

/*
 * Everything a finished pair must show: both done, same version, suite
 * and group as expected, keys crosswise equal and distinct per direction,
 * the RFCs' sequence numbers, and application data both ways.
 */
void check_finished_pair(const char *label, struct pair *p, uint16_t version,
			 uint16_t suite, uint16_t group);

/*
 * A failed pair: `sender` failed with err and sent alert; the other side
 * got exactly that alert (-ECONNRESET), and nobody finished.
 */
void check_alerted(const char *label, const struct pair *p, int sender,
		   int err, int alert);

struct server_hello;

/*
 * A client engine e whose ClientHello is out gets sh, in a plaintext
 * handshake record: it must fail with -EPROTO and alert. Frees e.
 */
void check_server_hello_alert(const char *label, struct tls_engine *e,
			      const struct server_hello *sh, int alert);

#endif /* KTLSO_TEST_ENGINE_PAIR_H */
