/* SPDX-License-Identifier: MIT */
/*
 * The TLS 1.2 key derivations (RFC 5246 §5, §6.3, §7.4.9, §8.1; RFC 7627 §4)
 * on libcrypto's TLS1-PRF:
 *
 *   master_secret = PRF(pre_master_secret, "master secret",
 *                       client_random + server_random)[0..47]
 *              or   PRF(pre_master_secret, "extended master secret",
 *                       session_hash)[0..47]                    (RFC 7627)
 *   key_block     = PRF(master_secret, "key expansion",
 *                       server_random + client_random)
 *   verify_data   = PRF(master_secret, "client finished" | "server finished",
 *                       Hash(handshake_messages))[0..11]
 *
 * The PRF hash is the suite's (SHA-256 unless the suite names SHA-384).
 * Functions return 0 or -errno: -EOPNOTSUPP for an unsupported hash or AEAD,
 * -EINVAL for a secret or hash of the wrong length, -EMSGSIZE when a label
 * and seed are too long, -EIO if libcrypto fails. struct secret outputs are
 * written only on success; raw byte outputs are zeroed on failure.
 */
#ifndef KTLSO_TLS12_PRF_H
#define KTLSO_TLS12_PRF_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/hash.h"
#include "crypto/secret.h"
#include "try.h"

#define TLS12_RANDOM_LEN 32
#define TLS12_MASTER_SECRET_LEN 48
#define TLS12_VERIFY_DATA_LEN 12

/* label + seed, concatenated here rather than trusting TLS1-PRF to join seeds */
#define TLS12_PRF_SEED_MAX 128

/* PRF(secret, label, seed)[0..out_len) = P_hash(secret, label + seed) (§5). */
int tls12_prf(enum tls_hash hash, const uint8_t *secret, size_t secret_len,
	      const char *label, const uint8_t *seed, size_t seed_len,
	      uint8_t *out, size_t out_len) WUR;

int tls12_master_secret(enum tls_hash hash, const uint8_t *pre_master_secret,
			size_t pre_master_secret_len,
			const uint8_t client_random[TLS12_RANDOM_LEN],
			const uint8_t server_random[TLS12_RANDOM_LEN],
			struct secret *master) WUR;

/* session_hash is Hash(ClientHello..ClientKeyExchange) (RFC 7627 §3). */
int tls12_extended_master_secret(enum tls_hash hash,
				 const uint8_t *pre_master_secret,
				 size_t pre_master_secret_len,
				 const uint8_t *session_hash,
				 size_t session_hash_len,
				 struct secret *master) WUR;

/* The raw key block; the caller splits it and wipes it. */
int tls12_key_block(enum tls_hash hash, const struct secret *master,
		    const uint8_t server_random[TLS12_RANDOM_LEN],
		    const uint8_t client_random[TLS12_RANDOM_LEN], uint8_t *out,
		    size_t out_len) WUR;

enum tls12_aead {
	TLS12_AES_128_GCM = 1,	 /* RFC 5288: 16-byte key, 4-byte salt */
	TLS12_AES_256_GCM,	 /* RFC 5288: 32-byte key, 4-byte salt */
	TLS12_CHACHA20_POLY1305, /* RFC 7905: 32-byte key, 12-byte IV */
};

/* What the kernel needs for an AEAD suite: no MAC keys (§6.3). */
struct tls12_aead_keys {
	struct secret client_key;
	struct secret server_key;
	struct secret client_iv; /* GCM: the implicit salt; ChaCha20: the IV */
	struct secret server_iv;
};

int tls12_aead_keys(enum tls_hash hash, enum tls12_aead aead,
		    const struct secret *master,
		    const uint8_t client_random[TLS12_RANDOM_LEN],
		    const uint8_t server_random[TLS12_RANDOM_LEN],
		    struct tls12_aead_keys *keys) WUR;

void tls12_aead_keys_wipe(struct tls12_aead_keys *keys);

enum tls12_sender {
	TLS12_CLIENT,
	TLS12_SERVER,
};

/* handshake_hash is Hash(handshake_messages) with the PRF hash (§7.4.9). */
int tls12_finished_verify_data(enum tls_hash hash, const struct secret *master,
			       enum tls12_sender sender,
			       const uint8_t *handshake_hash, size_t hash_len,
			       uint8_t verify_data[TLS12_VERIFY_DATA_LEN]) WUR;

#endif /* KTLSO_TLS12_PRF_H */
