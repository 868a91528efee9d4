/* SPDX-License-Identifier: MIT */
/*
 * Any handshake message through one door, for the codec's tests and fuzz
 * target: a union of the message structs and a decoder/encoder dispatch on
 * the message type (plus the version or key exchange where the type alone
 * does not pick the syntax).
 */
#ifndef KTLSO_TEST_HS_ANY_H
#define KTLSO_TEST_HS_ANY_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "wire/hs_msg.h"

union hs_any {
	struct client_hello ch;
	struct server_hello sh;
	struct encrypted_extensions ee;
	struct certificate cert;
	struct certificate_status cs;
	struct server_key_exchange ske;
	struct certificate_request cr;
	struct client_key_exchange cke;
	struct certificate_verify cv;
	struct finished fin;
	struct new_session_ticket nst;
	struct key_update ku;
};

struct hs_kind {
	uint8_t type;		/* enum tls_handshake_type */
	uint16_t version;	/* Certificate, CertificateRequest, NST */
	bool ecdhe;		/* ClientKeyExchange */
};

#define HS_KIND(t) ((struct hs_kind){ .type = TLS_HS_##t })
#define HS_KIND_V(t, v) ((struct hs_kind){ .type = TLS_HS_##t, .version = (v) })

/* Decode a message body of kind k into m: 0, or the codec's -errno. */
int hs_any_decode(struct hs_kind k, struct bytes body, union hs_any *m);
int hs_any_encode(struct writer *w, struct hs_kind k, const union hs_any *m);

/* The body of one whole message (header included) of type k.type. */
int hs_any_split(struct hs_kind k, const uint8_t *p, size_t n,
		 struct bytes *body);

/* Whether m encodes to exactly the whole message p[0..n). */
bool hs_any_encodes_to(struct hs_kind k, const union hs_any *m,
		       const uint8_t *p, size_t n);

/*
 * Decoding each strict prefix of body must fail with -EBADMSG (but for a
 * hello cut right before its optional extensions). Returns the first length
 * that misbehaves, or SIZE_MAX.
 */
size_t hs_any_bad_truncation(struct hs_kind k, struct bytes body);

/* Whether the body with one byte more is -EBADMSG. */
bool hs_any_rejects_extra_byte(struct hs_kind k, struct bytes body);

#endif /* KTLSO_TEST_HS_ANY_H */
