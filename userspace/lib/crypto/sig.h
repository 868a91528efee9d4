/* SPDX-License-Identifier: MIT */
/*
 * Handshake signatures: CertificateVerify (RFC 8446 §4.4.3) and the TLS 1.2
 * ServerKeyExchange / CertificateVerify (RFC 5246 §7.4.3, §7.4.8), by
 * SignatureScheme (RFC 8446 §4.2.3, RFC 5246 §7.4.1.4.1), over libcrypto.
 *
 * Schemes: ecdsa_secp256r1_sha256, ecdsa_secp384r1_sha384,
 * rsa_pss_rsae_sha256/384 (salt = hash length), rsa_pkcs1_sha256/384 and
 * ed25519. ECDSA signatures are DER ECDSA-Sig-Value, as on the wire.
 *
 * sig_sign() and sig_verify() check only that the scheme can be computed
 * with the key (its type); which scheme a version allows (TLS 1.3: curve
 * named by the scheme, no PKCS#1 v1.5) is sig_scheme_fits_key()'s rule,
 * for the engine to apply to the peer's choice first.
 */
#ifndef KTLSO_SIG_H
#define KTLSO_SIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "crypto/hash.h"
#include "try.h"
#include "wire/proto.h"

/* 64 spaces, a 33-byte context string, a 0 byte and the transcript hash */
#define SIG_TLS13_CONTENT_MAX (64 + 33 + 1 + TLS_HASH_MAX)

/* Our signature_algorithms, most preferred first (RFC 8446 §4.2.3). */
extern const uint16_t sig_default_schemes[];
extern const size_t sig_default_schemes_len;

/* The RFC's name ("rsa_pss_rsae_sha256") or "unknown". */
const char *sig_scheme_name(uint16_t scheme);

/*
 * May key sign (or its public half verify) with scheme in this version?
 * TLS 1.3 (RFC 8446 §4.2.3, §4.4.3): the key type, the ECDSA curve the
 * scheme names, and never rsa_pkcs1_*. TLS 1.2 (RFC 5246 §7.4.1.4.1):
 * the key type; the ECDSA hash is independent of the curve. False for
 * unknown schemes and other versions.
 */
bool sig_scheme_fits_key(const EVP_PKEY *key, uint16_t scheme,
			 uint16_t version);

/*
 * Our most preferred scheme that the peer offered and our key fits in this
 * version (for TLS 1.2, one naming our key's curve first). -ENOENT if none:
 * handshake_failure.
 */
int sig_pick(const EVP_PKEY *key, uint16_t version,
	     const uint16_t *peer_schemes, size_t n, uint16_t *scheme) WUR;

/*
 * Sign tbs. cap must be at least EVP_PKEY_get_size(key) (-EMSGSIZE).
 * -EINVAL for an unknown scheme or one the key cannot compute, -EIO if
 * libcrypto fails.
 */
int sig_sign(EVP_PKEY *key, uint16_t scheme, const uint8_t *tbs, size_t len,
	     uint8_t *out, size_t cap, size_t *outlen) WUR;

/*
 * 0 if sig is a valid signature of tbs. -EBADMSG if it is not
 * (decrypt_error), -EINVAL for an unknown scheme or one the key cannot
 * compute (illegal_parameter), -EIO if libcrypto fails.
 */
int sig_verify(EVP_PKEY *pub, uint16_t scheme, const uint8_t *tbs, size_t len,
	       const uint8_t *sig, size_t siglen) WUR;

/*
 * RFC 8446 §4.4.3: the content a CertificateVerify signs, built from
 * Transcript-Hash(Handshake Context, Certificate). -EINVAL for a hash
 * length of 0 or over TLS_HASH_MAX, -EMSGSIZE if cap is too small.
 */
int sig_tls13_content(bool is_server, const uint8_t *transcript_hash,
		      size_t hash_len, uint8_t *out, size_t cap,
		      size_t *len) WUR;

#endif /* KTLSO_SIG_H */
