/* SPDX-License-Identifier: MIT */
/*
 * Legacy RSA key exchange (RFC 5246 §7.4.7.1): the client encrypts a
 * 48-byte pre-master secret, client_version || 46 random bytes, to the
 * server's certificate key with PKCS#1 v1.5; the server decrypts it.
 * Enabled only by the legacy setting (Documentation/design.rst, decision 7).
 *
 * The ciphertext is the bare RSA output; the EncryptedPreMasterSecret
 * length prefix is the engine's. The server side is Bleichenbacher-safe:
 * bad padding, a wrong length inside the padding or a wrong version all
 * yield a random pre-master secret and the same return value, decided in
 * constant time by libcrypto (RSA_PKCS1_WITH_TLS_PADDING). The handshake
 * then fails at Finished like any other wrong key.
 */
#ifndef KTLSO_RSA_KX_H
#define KTLSO_RSA_KX_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "crypto/secret.h"
#include "try.h"

#define RSA_KX_PMS_LEN 48

/*
 * Client: a fresh pre-master secret in *pms and its encryption in out.
 * cap must be at least EVP_PKEY_get_size(server_pub) (-EMSGSIZE).
 * -EINVAL if the key is not RSA, -EIO if libcrypto fails.
 */
int rsa_kx_encrypt(EVP_PKEY *server_pub, uint16_t client_version,
		   struct secret *pms, uint8_t *out, size_t cap,
		   size_t *len) WUR;

/*
 * Server: *pms is always RSA_KX_PMS_LEN bytes on return 0, the client's
 * secret or random ones. client_version is ClientHello.client_version.
 * -EBADMSG only when len is not the modulus size (public: decode_error);
 * -EINVAL for a non-RSA key or client_version 0; -EIO if libcrypto fails
 * before looking at the ciphertext.
 */
int rsa_kx_decrypt(EVP_PKEY *server_key, uint16_t client_version,
		   const uint8_t *ciphertext, size_t len,
		   struct secret *pms) WUR;

#endif /* KTLSO_RSA_KX_H */
