/* SPDX-License-Identifier: MIT */
/*
 * TLS 1.3 AES-128-GCM keys installed by a test itself, as a daemon would
 * after a handshake: fill one direction's crypto_info, install both.
 */
#ifndef KTLSO_TLS_KEYS_H
#define KTLSO_TLS_KEYS_H

#include <linux/tls.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

/* A 16-byte key with a fixed IV and salt (the key alone tells them apart). */
static inline void tls_keys_fill(struct tls12_crypto_info_aes_gcm_128 *ci, const uint8_t *key)
{
	memset(ci, 0, sizeof(*ci));
	ci->info.version = TLS_1_3_VERSION;
	ci->info.cipher_type = TLS_CIPHER_AES_GCM_128;
	memcpy(ci->key, key, sizeof(ci->key));
	memcpy(ci->iv, "ivivivi", 8);
	memcpy(ci->salt, "salt", 4);
}

/* TLS_TX or TLS_RX with key: 0, or -1 and errno. */
static inline int tls_keys_set(int fd, int optname, const uint8_t *key)
{
	struct tls12_crypto_info_aes_gcm_128 ci;
	int ret;

	tls_keys_fill(&ci, key);
	ret = setsockopt(fd, SOL_TLS, optname, &ci, sizeof(ci));
	memset(&ci, 0, sizeof(ci));
	return ret;
}

/* Both directions: 0, or -1 and errno. */
static inline int tls_keys_install(int fd, const uint8_t *tx_key, const uint8_t *rx_key)
{
	if (tls_keys_set(fd, TLS_TX, tx_key) || tls_keys_set(fd, TLS_RX, rx_key))
		return -1;
	return 0;
}

#endif /* KTLSO_TLS_KEYS_H */
