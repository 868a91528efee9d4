// SPDX-License-Identifier: MIT
#include <errno.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "crypto/rsa_kx.h"

static int encrypt_with(EVP_PKEY_CTX *ctx, const struct secret *pms,
			uint8_t *out, size_t cap, size_t *len)
{
	size_t n = cap;

	ENSURE(EVP_PKEY_encrypt_init(ctx) == 1, -EIO);
	/* RFC 5246 §7.4.7.1: RSAES-PKCS1-v1_5 */
	ENSURE(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1, -EIO);
	ENSURE(EVP_PKEY_encrypt(ctx, out, &n, pms->bytes, pms->len) == 1, -EIO);
	*len = n;
	return 0;
}

int rsa_kx_encrypt(EVP_PKEY *server_pub, uint16_t client_version,
		   struct secret *pms, uint8_t *out, size_t cap, size_t *len)
{
	struct secret fresh SECRET_SCOPED = { 0 };
	int size = EVP_PKEY_get_size(server_pub);
	EVP_PKEY_CTX *ctx;
	int err;

	ENSURE(EVP_PKEY_is_a(server_pub, "RSA"), -EINVAL);
	ENSURE(size > 0 && cap >= (size_t)size, -EMSGSIZE);
	/*
	 * RFC 5246 §7.4.7.1: the version the client offered, not the one
	 * negotiated, so the server can detect a rollback.
	 */
	fresh.bytes[0] = client_version >> 8;
	fresh.bytes[1] = client_version & 0xff;
	ENSURE(RAND_priv_bytes(fresh.bytes + 2, RSA_KX_PMS_LEN - 2) == 1, -EIO);
	fresh.len = RSA_KX_PMS_LEN;

	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, server_pub, NULL);
	ENSURE(ctx, -ENOMEM);
	err = encrypt_with(ctx, &fresh, out, cap, len);
	EVP_PKEY_CTX_free(ctx);
	if (!err)
		*pms = fresh;
	return err;
}

/*
 * libcrypto's TLS mode checks the PKCS#1 type 2 padding, the 48-byte
 * length and the leading version in constant time and substitutes random
 * bytes for the pre-master when any check fails. Only the server's
 * client_version goes in: the negotiated-version workaround for old
 * clients (OpenSSL's SSL_OP_TLS_ROLLBACK_BUG) would reopen the rollback
 * RFC 5246 §7.4.7.1 closes, so TLS_NEGOTIATED_VERSION stays unset.
 */
static int setup_tls_decrypt(EVP_PKEY_CTX *ctx, uint16_t client_version)
{
	unsigned int version = client_version;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_uint(
			OSSL_ASYM_CIPHER_PARAM_TLS_CLIENT_VERSION, &version),
		OSSL_PARAM_construct_end(),
	};

	ENSURE(EVP_PKEY_decrypt_init(ctx) == 1, -EIO);
	ENSURE(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_WITH_TLS_PADDING) ==
		       1,
	       -EIO);
	ENSURE(EVP_PKEY_CTX_set_params(ctx, params) == 1, -EIO);
	return 0;
}

int rsa_kx_decrypt(EVP_PKEY *server_key, uint16_t client_version,
		   const uint8_t *ciphertext, size_t len, struct secret *pms)
{
	uint8_t fallback[RSA_KX_PMS_LEN], out[RSA_KX_PMS_LEN];
	size_t n = sizeof(out);
	EVP_PKEY_CTX *ctx;
	int size = EVP_PKEY_get_size(server_key);
	int err, ok;

	ENSURE(EVP_PKEY_is_a(server_key, "RSA"), -EINVAL);
	ENSURE(client_version != 0, -EINVAL);
	/*
	 * RFC 5246 §7.4.7.1: the ciphertext is as long as the modulus. The
	 * length is public, so this alone may fail the handshake early.
	 */
	ENSURE(size > 0 && len == (size_t)size, -EBADMSG);
	/* RFC 5246 §7.4.7.1: the random stand-in exists before decryption */
	ENSURE(RAND_priv_bytes(fallback, sizeof(fallback)) == 1, -EIO);

	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, server_key, NULL);
	ENSURE(ctx, -ENOMEM);
	err = setup_tls_decrypt(ctx, client_version);
	if (err) {
		EVP_PKEY_CTX_free(ctx);
		OPENSSL_cleanse(fallback, sizeof(fallback));
		return err;
	}
	/*
	 * Past the padding check libcrypto never fails; it does fail, before
	 * it, for a ciphertext not below the modulus, which the sender can
	 * compute from the public key. Either way RFC 5246 §7.4.7.1 says to
	 * carry on with a random pre-master, and the caller sees success.
	 */
	ok = EVP_PKEY_decrypt(ctx, out, &n, ciphertext, len) == 1 &&
	     n == RSA_KX_PMS_LEN;
	EVP_PKEY_CTX_free(ctx);
	if (!ok)
		ERR_clear_error();
	err = secret_set(pms, ok ? out : fallback, RSA_KX_PMS_LEN);
	OPENSSL_cleanse(out, sizeof(out));
	OPENSSL_cleanse(fallback, sizeof(fallback));
	return err;
}
