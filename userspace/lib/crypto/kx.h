/* SPDX-License-Identifier: MIT */
/*
 * Ephemeral (EC)DHE key exchange for both TLS versions: the key_share of
 * TLS 1.3 (RFC 8446 §4.2.8, §7.4) and the ECDHE ServerKeyExchange /
 * ClientKeyExchange of TLS 1.2 (RFC 8422 §5.4, §5.7, §5.10), over
 * libcrypto.
 *
 * Groups: x25519, secp256r1, secp384r1, secp521r1, x448 (enum tls_group).
 * Public values are in wire form: 32 (X25519) or 56 (X448) raw bytes
 * (RFC 7748 §5), the uncompressed point 0x04 || X || Y for the NIST curves
 * (RFC 8446 §4.2.8.2). The shared secret is the raw X25519/X448 output or
 * the NIST x-coordinate padded to the field size (RFC 8446 §7.4.1,
 * §7.4.2), in a struct secret. No finite-field (ffdhe) group:
 * Documentation/handshake.rst says why.
 *
 * A peer's share is checked before use (RFC 8446 §4.2.8.2, RFC 8422
 * §5.11): exact length, uncompressed form, a point on the curve, and for
 * X25519/X448 a non-zero result (RFC 8446 §7.4.2). Any of these is
 * -EBADMSG, which the engine reports as illegal_parameter.
 */
#ifndef KTLSO_KX_H
#define KTLSO_KX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/secret.h"
#include "try.h"
#include "wire/proto.h"

/* Largest public value: a P-521 uncompressed point. */
#define KX_PUBLIC_MAX 133

/* One side's ephemeral private key, freed (and wiped) by kx_free(). */
struct kx_key;

bool kx_group_supported(enum tls_group group);

/* Length of the group's public value on the wire, or 0 if unsupported. */
size_t kx_public_len(enum tls_group group);

/* IANA name of the group ("x25519", "secp256r1", ...) or "unknown". */
const char *kx_group_name(enum tls_group group);

/*
 * Group from a configuration name, case-insensitive: the IANA name or the
 * NIST one ("P-256", "P-384", "P-521"). -ENOENT if it names no supported group.
 */
int kx_group_from_name(const char *name, enum tls_group *group) WUR;

/* A fresh key pair. -EOPNOTSUPP for an unsupported group, -EIO, -ENOMEM. */
int kx_keygen(enum tls_group group, struct kx_key **key) WUR;

/*
 * A key from a known private value, for known-answer tests: the 32-byte
 * X25519 or 56-byte X448 scalar, or the big-endian NIST scalar of exactly
 * field size.
 * -EINVAL for a wrong length or a scalar outside [1, n-1].
 */
int kx_key_from_private(enum tls_group group, const uint8_t *priv,
			size_t len, struct kx_key **key) WUR;

enum tls_group kx_key_group(const struct kx_key *key);

/* Our public value in wire form. -EMSGSIZE if cap is too small. */
int kx_public(const struct kx_key *key, uint8_t *out, size_t cap,
	      size_t *len) WUR;

/*
 * The shared secret with the peer's public value. *shared is written only
 * on success. -EBADMSG for an invalid share (see above), -EIO if libcrypto
 * fails otherwise.
 */
int kx_derive(const struct kx_key *key, const uint8_t *peer_pub,
	      size_t peer_len, struct secret *shared) WUR;

/* Safe on NULL. */
void kx_free(struct kx_key *key);

#endif /* KTLSO_KX_H */
