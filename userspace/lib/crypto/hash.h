/* SPDX-License-Identifier: MIT */
/*
 * The hash functions a TLS key schedule is parameterised by: the cipher
 * suite's hash in TLS 1.3 (RFC 8446 §B.4) and the PRF hash in TLS 1.2
 * (RFC 5246 §5). Only SHA-256 and SHA-384 are used by the suites ktlso
 * offers. The digests themselves come from libcrypto.
 */
#ifndef KTLSO_TLS_HASH_H
#define KTLSO_TLS_HASH_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/params.h>

#include "try.h"

/* 0 is deliberately not a hash, so a zeroed config cannot pick one. */
enum tls_hash {
	TLS_HASH_SHA256 = 1,
	TLS_HASH_SHA384 = 2,
};

#define TLS_HASH_MAX 48

/* Output length in bytes, or 0 when the hash is not supported. */
size_t tls_hash_len(enum tls_hash hash);

/* libcrypto's name for the hash, or NULL when it is not supported. */
const char *tls_hash_name(enum tls_hash hash);

/*
 * out[0..tls_hash_len(hash)) = Hash(data). -EOPNOTSUPP for an unsupported
 * hash, -EIO if libcrypto fails.
 */
int tls_hash_digest(enum tls_hash hash, const void *data, size_t len,
		    uint8_t out[TLS_HASH_MAX]) WUR;

/*
 * out[0..out_len) from libcrypto's KDF kdf_name ("HKDF", "TLS1-PRF") with
 * params. -EIO (and out wiped) if libcrypto fails.
 */
int tls_kdf_derive(const char *kdf_name, const OSSL_PARAM *params, uint8_t *out,
		   size_t out_len) WUR;

#endif /* KTLSO_TLS_HASH_H */
