/* SPDX-License-Identifier: MIT */
/*
 * OpenSSL's libssl as an in-memory peer for the engine tests: an SSL on a
 * pair of memory BIOs, and the carrying of bytes between two of them.
 */
#ifndef KTLSO_TEST_SSL_MEM_H
#define KTLSO_TEST_SSL_MEM_H

#include <stdbool.h>

#include <openssl/ssl.h>

/* An SSL of ctx over memory BIOs, in the accept or connect state. */
SSL *ssl_mem_new(SSL_CTX *ctx, bool server);

/* Move what one SSL wrote to the other's input. */
void ssl_mem_carry(SSL *from, SSL *to);

#endif /* KTLSO_TEST_SSL_MEM_H */
