/* SPDX-License-Identifier: MIT */
/*
 * Handshake messages of RFC 8448 ("Example Handshake Traces for TLS 1.3"),
 * pasted as printed there: §3 "Simple 1-RTT Handshake" and the
 * HelloRetryRequest of §5. hs_msg_test.c checks that they hash to the
 * transcript hashes the RFC prints, so a typo here cannot go unnoticed.
 * Shared by the unit test and the fuzz target's seed corpus.
 */
#ifndef KTLSO_TEST_RFC8448_H
#define KTLSO_TEST_RFC8448_H

#include <stdint.h>

enum rfc8448_msg {
	RFC8448_CLIENT_HELLO,
	RFC8448_SERVER_HELLO,
	RFC8448_ENCRYPTED_EXTENSIONS,
	RFC8448_CERTIFICATE,
	RFC8448_CERTIFICATE_VERIFY,
	RFC8448_SERVER_FINISHED,
	RFC8448_CLIENT_FINISHED,
	RFC8448_NEW_SESSION_TICKET,
	RFC8448_HELLO_RETRY_REQUEST,
	RFC8448_COUNT
};

/* One message: its name in the RFC, handshake type, protocol version, and
 * the whole message (header included) in the RFC's hex. */
struct rfc8448_entry {
	const char *name;
	uint8_t type;
	uint16_t version;
	const char *hex;
};

extern const struct rfc8448_entry rfc8448[RFC8448_COUNT];

#endif /* KTLSO_TEST_RFC8448_H */
