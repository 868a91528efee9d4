// SPDX-License-Identifier: GPL-2.0
/*
 * The ciphers ktlso can run, described once: sizes of their crypto_info
 * structs (the exact optlen TLS_TX/TLS_RX accept) and of their fields, and
 * the kernel crypto API transforms that do the work. The AEADs are kTLS's
 * (<linux/tls.h>), the CBC ciphers ktlso's own (<linux/ktlso.h>).
 */
#include <linux/kernel.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/tls.h>

#include "ktlso.h"

#define INFO(name) tls12_crypto_info_##name##_struct
#define FIELD_AT(name, field) offsetof(struct INFO(name), field)

/* Every tls12_crypto_info_* is { info, iv, key, salt, rec_seq }. */
#define CIPHER(name, aead_name, b0, explicit, only12)			\
	{								\
		.ops = &ktlso_aead_ops,					\
		.type = TLS_CIPHER_##name,				\
		.info_size = sizeof(struct INFO(name)),			\
		.iv = TLS_CIPHER_##name##_IV_SIZE,			\
		.key = TLS_CIPHER_##name##_KEY_SIZE,			\
		.salt = TLS_CIPHER_##name##_SALT_SIZE,			\
		.tag = TLS_CIPHER_##name##_TAG_SIZE,			\
		.iv_at = FIELD_AT(name, iv),				\
		.key_at = FIELD_AT(name, key),				\
		.salt_at = FIELD_AT(name, salt),			\
		.rec_seq_at = FIELD_AT(name, rec_seq),			\
		.prefix = (explicit) ? TLS_CIPHER_##name##_IV_SIZE : 0,	\
		.ccm_b0 = (b0),						\
		.explicit_nonce = (explicit),				\
		.reads_twice = (b0) != 0,				\
		.tls12_only = (only12),					\
		.alg = (aead_name),					\
	}

/* Every ktlso_crypto_info_*_cbc_* is { info, flags, key, mac_key, rec_seq };
 * RFC 5246 §6.2.3.2: each record starts with an IV of a block.
 */
#define CBC(name, lower, mac_alg)					\
	{								\
		.ops = &ktlso_cbc_ops,					\
		.type = KTLSO_CIPHER_##name,				\
		.info_size = sizeof(struct ktlso_crypto_info_##lower),	\
		.key = sizeof_field(struct ktlso_crypto_info_##lower, key), \
		.mac_key = sizeof_field(struct ktlso_crypto_info_##lower, mac_key), \
		.tag = sizeof_field(struct ktlso_crypto_info_##lower, mac_key), \
		.key_at = offsetof(struct ktlso_crypto_info_##lower, key), \
		.mac_key_at = offsetof(struct ktlso_crypto_info_##lower, mac_key), \
		.rec_seq_at = offsetof(struct ktlso_crypto_info_##lower, rec_seq), \
		.prefix = KTLSO_CBC_BLOCK,				\
		.reads_twice = true,					\
		.tls12_only = true,					\
		.alg = "cbc(aes)",					\
		.mac = (mac_alg),					\
	}

/* The UAPI struct names do not follow the constants' names; map them. */
#define tls12_crypto_info_AES_GCM_128_struct tls12_crypto_info_aes_gcm_128
#define tls12_crypto_info_AES_GCM_256_struct tls12_crypto_info_aes_gcm_256
#define tls12_crypto_info_AES_CCM_128_struct tls12_crypto_info_aes_ccm_128
#define tls12_crypto_info_CHACHA20_POLY1305_struct tls12_crypto_info_chacha20_poly1305
#define tls12_crypto_info_SM4_GCM_struct tls12_crypto_info_sm4_gcm
#define tls12_crypto_info_SM4_CCM_struct tls12_crypto_info_sm4_ccm
#define tls12_crypto_info_ARIA_GCM_128_struct tls12_crypto_info_aria_gcm_128
#define tls12_crypto_info_ARIA_GCM_256_struct tls12_crypto_info_aria_gcm_256

/* RFC 3610 §2.3: the first byte of a CCM counter block is L' = L - 1; with
 * TLS's 12-byte nonce L = 15 - 12 = 3, so 2.
 */
#define CCM_B0 2

static const struct ktlso_cipher ciphers[] = {
	/* RFC 5288 / RFC 6655: GCM and CCM carry an 8-byte explicit nonce
	 * in TLS 1.2 records; RFC 7905: ChaCha20-Poly1305 does not.
	 */
	CIPHER(AES_GCM_128, "gcm(aes)", 0, true, false),
	CIPHER(AES_GCM_256, "gcm(aes)", 0, true, false),
	CIPHER(AES_CCM_128, "ccm(aes)", CCM_B0, true, false),
	CIPHER(CHACHA20_POLY1305, "rfc7539(chacha20,poly1305)", 0, false, false),
	CIPHER(SM4_GCM, "gcm(sm4)", 0, true, false),
	CIPHER(SM4_CCM, "ccm(sm4)", CCM_B0, true, false),
#ifdef TLS_CIPHER_ARIA_GCM_128
	/* RFC 6209: ARIA is defined for TLS 1.2 only. */
	CIPHER(ARIA_GCM_128, "gcm(aria)", 0, true, true),
	CIPHER(ARIA_GCM_256, "gcm(aria)", 0, true, true),
#endif
	/* RFC 5246 §6.2.3.2, RFC 7366; the MAC is as long as its key (§6.3). */
	CBC(AES_128_CBC_SHA, aes_128_cbc_sha, "hmac(sha1)"),
	CBC(AES_256_CBC_SHA, aes_256_cbc_sha, "hmac(sha1)"),
	CBC(AES_128_CBC_SHA256, aes_128_cbc_sha256, "hmac(sha256)"),
	CBC(AES_256_CBC_SHA256, aes_256_cbc_sha256, "hmac(sha256)"),
	CBC(AES_256_CBC_SHA384, aes_256_cbc_sha384, "hmac(sha384)"),
};

/* The sizes the rest of the module assumes. */
#define CHECK_LAYOUT(name)						\
	BUILD_BUG_ON(TLS_CIPHER_##name##_REC_SEQ_SIZE != KTLSO_REC_SEQ_SIZE); \
	BUILD_BUG_ON(TLS_CIPHER_##name##_SALT_SIZE +			\
		     TLS_CIPHER_##name##_IV_SIZE != KTLSO_NONCE_SIZE);	\
	BUILD_BUG_ON(TLS_CIPHER_##name##_TAG_SIZE > KTLSO_MAX_TAG);	\
	BUILD_BUG_ON(sizeof(struct INFO(name)) > sizeof(union ktlso_crypto_info))

#define CHECK_CBC_LAYOUT(lower)						\
	BUILD_BUG_ON(offsetof(struct ktlso_crypto_info_##lower, flags) !=	\
		     sizeof(struct tls_crypto_info));			\
	BUILD_BUG_ON(sizeof_field(struct ktlso_crypto_info_##lower, rec_seq) != \
		     KTLSO_REC_SEQ_SIZE);					\
	BUILD_BUG_ON(sizeof_field(struct ktlso_crypto_info_##lower, mac_key) > \
		     KTLSO_MAX_MAC);					\
	BUILD_BUG_ON(sizeof(struct ktlso_crypto_info_##lower) >		\
		     sizeof(union ktlso_crypto_info))

/**
 * ktlso_cipher_find() - look up a cipher by its number
 * @type: the cipher_type of a struct tls_crypto_info: TLS_CIPHER_*, or
 *        ktlso's KTLSO_CIPHER_*
 * @version: TLS_1_2_VERSION or TLS_1_3_VERSION
 *
 * Return: the description, or NULL if ktlso cannot run it with that version
 * (ARIA is defined for TLS 1.2 only, RFC 6209; TLS 1.3 has no CBC).
 */
const struct ktlso_cipher *ktlso_cipher_find(u16 type, u16 version)
{
	size_t i;

	CHECK_LAYOUT(AES_GCM_128);
	CHECK_LAYOUT(AES_GCM_256);
	CHECK_LAYOUT(AES_CCM_128);
	CHECK_LAYOUT(CHACHA20_POLY1305);
	CHECK_LAYOUT(SM4_GCM);
	CHECK_LAYOUT(SM4_CCM);
#ifdef TLS_CIPHER_ARIA_GCM_128
	CHECK_LAYOUT(ARIA_GCM_128);
	CHECK_LAYOUT(ARIA_GCM_256);
#endif
	CHECK_CBC_LAYOUT(aes_128_cbc_sha);
	CHECK_CBC_LAYOUT(aes_256_cbc_sha);
	CHECK_CBC_LAYOUT(aes_128_cbc_sha256);
	CHECK_CBC_LAYOUT(aes_256_cbc_sha256);
	CHECK_CBC_LAYOUT(aes_256_cbc_sha384);

	for (i = 0; i < ARRAY_SIZE(ciphers); i++)
		if (ciphers[i].type == type)
			return ciphers[i].tls12_only && version != TLS_1_2_VERSION ?
			       NULL : &ciphers[i];
	return NULL;
}

/* Fields of the cipher's crypto_info struct (of size 0 where it has none). */
u8 *ktlso_cipher_iv(const struct ktlso_cipher *c, union ktlso_crypto_info *info)
{
	return (u8 *)info + c->iv_at;
}

u8 *ktlso_cipher_key(const struct ktlso_cipher *c, union ktlso_crypto_info *info)
{
	return (u8 *)info + c->key_at;
}

u8 *ktlso_cipher_salt(const struct ktlso_cipher *c, union ktlso_crypto_info *info)
{
	return (u8 *)info + c->salt_at;
}

u8 *ktlso_cipher_mac_key(const struct ktlso_cipher *c, union ktlso_crypto_info *info)
{
	return (u8 *)info + c->mac_key_at;
}

u8 *ktlso_cipher_rec_seq(const struct ktlso_cipher *c, union ktlso_crypto_info *info)
{
	return (u8 *)info + c->rec_seq_at;
}

/* Wipe every secret of a crypto_info: what getsockopt may not show. */
void ktlso_cipher_hide_keys(const struct ktlso_cipher *c, union ktlso_crypto_info *info)
{
	memzero_explicit(ktlso_cipher_key(c, info), c->key);
	memzero_explicit(ktlso_cipher_iv(c, info), c->iv);
	memzero_explicit(ktlso_cipher_salt(c, info), c->salt);
	memzero_explicit(ktlso_cipher_mac_key(c, info), c->mac_key);
}
