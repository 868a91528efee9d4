// SPDX-License-Identifier: MIT
#include <errno.h>

#include <openssl/evp.h>

#include "tls_hash.h"

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
