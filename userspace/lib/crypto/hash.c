// SPDX-License-Identifier: MIT
#include <errno.h>

#include <openssl/evp.h>
#include <openssl/kdf.h>

#include "crypto/hash.h"

size_t tls_hash_len(enum tls_hash hash)
{
	switch (hash) {
	case TLS_HASH_SHA256:
		return 32;
	case TLS_HASH_SHA384:
		return 48;
	}
	return 0;
}

const char *tls_hash_name(enum tls_hash hash)
{
	switch (hash) {
	case TLS_HASH_SHA256:
		return "SHA2-256";
	case TLS_HASH_SHA384:
		return "SHA2-384";
	}
	return NULL;
}

int tls_hash_digest(enum tls_hash hash, const void *data, size_t len,
		    uint8_t out[TLS_HASH_MAX])
{
	const char *name = tls_hash_name(hash);
	size_t out_len = 0;

	ENSURE(name, -EOPNOTSUPP);
	ENSURE(data || !len, -EINVAL);
	ENSURE(EVP_Q_digest(NULL, name, NULL, data, len, out, &out_len) == 1,
	       -EIO);
	ENSURE(out_len == tls_hash_len(hash), -EIO);
	return 0;
}

/*
 * Fetched per call: no global state, and the cost is noise next to the
 * handshake's public-key operations. libcrypto copies the key into the
 * context and clears it when the context is freed; a failed derivation
 * leaves no partial output behind.
 */
int tls_kdf_derive(const char *kdf_name, const OSSL_PARAM *params, uint8_t *out,
		   size_t out_len)
{
	EVP_KDF_CTX *ctx = NULL;
	EVP_KDF *kdf;
	int ok = 0;

	kdf = EVP_KDF_fetch(NULL, kdf_name, NULL);
	if (kdf)
		ctx = EVP_KDF_CTX_new(kdf);
	if (ctx)
		ok = EVP_KDF_derive(ctx, out, out_len, params) == 1;
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	if (!ok)
		OPENSSL_cleanse(out, out_len);
	return ok ? 0 : -EIO;
}
