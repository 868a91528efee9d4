// SPDX-License-Identifier: MIT
/* A handshake's result in the form the kernel's SOL_TLS options take. */
#include <errno.h>
#include <string.h>

#include <linux/tls.h>
#include <openssl/crypto.h>

#include "engine/engine.h"

/*
 * Every <linux/tls.h> crypto info has the same shape (info, iv, key, salt,
 * rec_seq) with sizes of its own, so one macro fills any of them from the
 * direction's keys after checking each size matches.
 */
#define FILL_INFO(type, version_, cipher_, d, buf, cap, len)                     \
	({                                                                     \
		type *ci_ = (buf);                                             \
		int err_ = 0;                                                  \
		if ((cap) < sizeof(type))                                      \
			err_ = -ENOBUFS;                                       \
		else if ((d)->key.len != sizeof(ci_->key) ||                   \
			 (d)->iv.len != sizeof(ci_->iv) ||                     \
			 (d)->salt.len != sizeof(ci_->salt))                   \
			err_ = -EINVAL;                                        \
		if (!err_) {                                                   \
			memset(ci_, 0, sizeof(type));                          \
			ci_->info.version = (version_);                        \
			ci_->info.cipher_type = (cipher_);                     \
			memcpy(ci_->key, (d)->key.bytes, sizeof(ci_->key));    \
			memcpy(ci_->iv, (d)->iv.bytes, sizeof(ci_->iv));       \
			memcpy(ci_->salt, (d)->salt.bytes, sizeof(ci_->salt)); \
			for (int i_ = 0; i_ < 8; i_++)                         \
				ci_->rec_seq[i_] = (d)->seq >> (56 - 8 * i_);  \
			*(len) = sizeof(type);                                 \
		}                                                              \
		err_;                                                          \
	})

int tls_result_crypto_info(const struct tls_result *res, bool tx, void *buf,
			   size_t cap, size_t *len)
{
	const struct tls_direction_keys *d = tx ? &res->tx : &res->rx;
	uint16_t v = res->version;

	switch (res->kernel_cipher) {
	case TLS_CIPHER_AES_GCM_128:
		return FILL_INFO(struct tls12_crypto_info_aes_gcm_128, v,
				 TLS_CIPHER_AES_GCM_128, d, buf, cap, len);
	case TLS_CIPHER_AES_GCM_256:
		return FILL_INFO(struct tls12_crypto_info_aes_gcm_256, v,
				 TLS_CIPHER_AES_GCM_256, d, buf, cap, len);
	case TLS_CIPHER_CHACHA20_POLY1305:
		return FILL_INFO(struct tls12_crypto_info_chacha20_poly1305, v,
				 TLS_CIPHER_CHACHA20_POLY1305, d, buf, cap,
				 len);
	default:
		return -EOPNOTSUPP;
	}
}

static void direction_wipe(struct tls_direction_keys *d)
{
	secret_wipe(&d->key);
	secret_wipe(&d->salt);
	secret_wipe(&d->iv);
	secret_wipe(&d->mac_key);
	secret_wipe(&d->traffic_secret);
	d->seq = 0;
}

void tls_result_wipe(struct tls_result *res)
{
	direction_wipe(&res->tx);
	direction_wipe(&res->rx);
	tls_session_wipe(&res->session);
	res->session_pending = false;
	res->session_ready = false;
}
