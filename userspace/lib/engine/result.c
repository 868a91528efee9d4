// SPDX-License-Identifier: MIT
/* A handshake's result in the form the kernel's SOL_TLS options take. */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <linux/ktlso.h>
#include <linux/tls.h>
#include <openssl/crypto.h>

#include "engine/engine.h"

/* Where one field of a crypto info struct sits; len 0: not in it. */
struct field {
	uint16_t off, len;
};

/*
 * Every crypto info is <linux/tls.h>'s header followed by fields of sizes
 * of its own: the AEADs' (iv, key, salt, rec_seq) and ktlso's CBC ones
 * (flags, key, mac_key, rec_seq). One table row per cipher says where
 * each sits, so one function fills any of them.
 */
struct info_layout {
	uint16_t cipher;
	uint16_t size;
	struct field key, iv, salt, mac_key, rec_seq, flags;
};

#define FIELD(type, m) { offsetof(type, m), sizeof(((type *)0)->m) }

#define AEAD(cipher_, type)                                                    \
	{ .cipher = cipher_, .size = sizeof(type), .key = FIELD(type, key),    \
	  .iv = FIELD(type, iv), .salt = FIELD(type, salt),                    \
	  .rec_seq = FIELD(type, rec_seq) }

#define CBC(cipher_, type)                                                     \
	{ .cipher = cipher_, .size = sizeof(type), .key = FIELD(type, key),    \
	  .mac_key = FIELD(type, mac_key), .rec_seq = FIELD(type, rec_seq),    \
	  .flags = FIELD(type, flags) }

static const struct info_layout layouts[] = {
	AEAD(TLS_CIPHER_AES_GCM_128, struct tls12_crypto_info_aes_gcm_128),
	AEAD(TLS_CIPHER_AES_GCM_256, struct tls12_crypto_info_aes_gcm_256),
	AEAD(TLS_CIPHER_CHACHA20_POLY1305,
	     struct tls12_crypto_info_chacha20_poly1305),
	CBC(KTLSO_CIPHER_AES_128_CBC_SHA,
	    struct ktlso_crypto_info_aes_128_cbc_sha),
	CBC(KTLSO_CIPHER_AES_256_CBC_SHA,
	    struct ktlso_crypto_info_aes_256_cbc_sha),
	CBC(KTLSO_CIPHER_AES_128_CBC_SHA256,
	    struct ktlso_crypto_info_aes_128_cbc_sha256),
	CBC(KTLSO_CIPHER_AES_256_CBC_SHA256,
	    struct ktlso_crypto_info_aes_256_cbc_sha256),
	CBC(KTLSO_CIPHER_AES_256_CBC_SHA384,
	    struct ktlso_crypto_info_aes_256_cbc_sha384),
};

_Static_assert(sizeof(struct ktlso_crypto_info_aes_256_cbc_sha384) <=
		       TLS_CRYPTO_INFO_MAX,
	       "TLS_CRYPTO_INFO_MAX holds the largest crypto info");

static bool fits(struct field f, const struct secret *s)
{
	return f.len == s->len;
}

static void put(uint8_t *buf, struct field f, const void *src)
{
	memcpy(buf + f.off, src, f.len);
}

static int fill(const struct info_layout *l, uint16_t version,
		const struct tls_direction_keys *d, bool etm, uint8_t *buf,
		size_t cap, size_t *len)
{
	struct tls_crypto_info hdr = { .version = version,
				       .cipher_type = l->cipher };
	uint32_t flags = etm ? KTLSO_CBC_ENCRYPT_THEN_MAC : 0;
	uint8_t seq[8];

	if (cap < l->size)
		return -ENOBUFS;
	if (!fits(l->key, &d->key) || !fits(l->iv, &d->iv) ||
	    !fits(l->salt, &d->salt) || !fits(l->mac_key, &d->mac_key) ||
	    (etm && !l->flags.len))
		return -EINVAL;
	for (int i = 0; i < 8; i++)
		seq[i] = (uint8_t)(d->seq >> (56 - 8 * i));
	memset(buf, 0, l->size);
	memcpy(buf, &hdr, sizeof(hdr));
	put(buf, l->key, d->key.bytes);
	put(buf, l->iv, d->iv.bytes);
	put(buf, l->salt, d->salt.bytes);
	put(buf, l->mac_key, d->mac_key.bytes);
	put(buf, l->rec_seq, seq);
	if (l->flags.len)
		put(buf, l->flags, &flags);
	*len = l->size;
	return 0;
}

int tls_result_crypto_info(const struct tls_result *res, bool tx, void *buf,
			   size_t cap, size_t *len)
{
	const struct tls_direction_keys *d = tx ? &res->tx : &res->rx;

	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++)
		if (layouts[i].cipher == res->kernel_cipher)
			return fill(&layouts[i], res->version, d,
				    res->encrypt_then_mac, buf, cap, len);
	return -EOPNOTSUPP;
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
	res->encrypt_then_mac = false;
}
