/* SPDX-License-Identifier: MIT */
/*
 * The engine's promise to its caller, checked on any input: every feed
 * ends in exactly one of
 *   - complete (tls_engine_done),
 *   - failed, with a fatal alert queued for the peer (or the peer's alert
 *     received: -ECONNRESET), and sticky from then on,
 *   - every byte taken and more needed,
 * and no more than TLS_ENGINE_INPUT_MAX bytes are taken without one of the
 * first two. A failure that never became an alert (a dropped error) shows
 * up as "need more data" forever: the byte budget turns that into a
 * finding.
 *
 * Shared by the libFuzzer target tests/fuzz/engine_verdict_fuzz.c (built
 * with all of libktlso instrumented) and the unit test
 * tests/unit/engine_verdict_test.c, which replays the seeds, a checked-in
 * corpus and random inputs in `make check`. It needs only libktlso.
 */
#ifndef KTLSO_TEST_ENGINE_VERDICT_H
#define KTLSO_TEST_ENGINE_VERDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"
#include "tls_config.h"

enum verdict {
	VERDICT_BROKEN = -1,	/* the promise above was broken: see why */
	VERDICT_DONE,
	VERDICT_ALERT,		/* we failed and queued a fatal alert */
	VERDICT_PEER_ALERT,	/* the peer's alert ended it */
	VERDICT_MORE,		/* all taken, more needed */
};

/* A throw-away P-256 identity, and server and client configs that use it. */
struct verdict_configs {
	struct tls_config server;	/* 1.2 + 1.3, legacy, optional mTLS */
	struct tls_config client;	/* 1.2 + 1.3, verifies the identity */
};
int verdict_configs_init(struct verdict_configs *c);
void verdict_configs_free(struct verdict_configs *c);

/*
 * One fuzz input: byte 0 picks the role (bit 7: client) and the chunk
 * size (1 + the low 7 bits, times 4: fragmentation matters); the rest is
 * what the peer sends. A client's own ClientHello is dropped first.
 * Returns the verdict, or VERDICT_BROKEN with the reason in why.
 */
enum verdict verdict_run(const struct verdict_configs *c, const uint8_t *in,
			 size_t len, char *why, size_t whylen);

/*
 * The seed inputs: a real ClientHello (1.3 and 1.2) for the server; the
 * server flights of a real handshake (1.3 and 1.2) for a client, which
 * fail where they depend on the client's random. Each is handed to fn
 * with a name.
 */
typedef void verdict_seed_fn(const char *name, const uint8_t *p, size_t len,
			     void *arg);
int verdict_seeds(const struct verdict_configs *c, verdict_seed_fn *fn,
		  void *arg);

#endif /* KTLSO_TEST_ENGINE_VERDICT_H */
