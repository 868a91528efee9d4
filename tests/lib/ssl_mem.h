/* SPDX-License-Identifier: MIT */
/*
 * OpenSSL's libssl as an in-memory peer for the engine tests: an SSL on a
 * pair of memory BIOs, the carrying of bytes between two of them, and
 * between one and an engine:
 *
 *   engine ──output──► SSL's rbio ──SSL_do_handshake──► SSL's wbio
 *          ◄──feed───── rest (what the engine did not take) ◄──┘
 */
#ifndef KTLSO_TEST_SSL_MEM_H
#define KTLSO_TEST_SSL_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "engine/engine.h"

/* An SSL of ctx over memory BIOs, in the accept or connect state. */
SSL *ssl_mem_new(SSL_CTX *ctx, bool server);

/* Move what one SSL wrote to the other's input. */
void ssl_mem_carry(SSL *from, SSL *to);

/*
 * Run a handshake between e (a client, its ClientHello queued) and s
 * until e fails or both have nothing more to say. What s wrote that e
 * did not take (after e's handshake: TLS 1.3 NewSessionTickets) is left
 * in rest[0..*rest_len), cap bytes at most.
 */
void ssl_mem_pump(SSL *s, struct tls_engine *e, uint8_t *rest, size_t cap,
		  size_t *rest_len);

/*
 * Do the keys of res (the engine side's result) talk with s: a record
 * sealed with res's tx keys reads in s, and one s writes opens with the
 * rx keys?
 */
bool ssl_mem_talks(SSL *s, const struct tls_result *res);

#endif /* KTLSO_TEST_SSL_MEM_H */
