// SPDX-License-Identifier: GPL-2.0
/*
 * The ciphers ktlso can run, described once: sizes of the <linux/tls.h>
 * crypto_info structs (the exact optlen TLS_TX/TLS_RX accept), of their
 * fields, and the kernel crypto API transform that does the work.
 */
#include <linux/kernel.h>
#include <linux/stddef.h>
#include <linux/tls.h>

#include "ktlso.h"

/* Every tls12_crypto_info_* is { info, iv, key, salt, rec_seq }: check
 * that our sizes put each field where the UAPI struct has it.
 */
#define CIPHER(name, aead_name, b0, explicit)				\
	{								\
		.type = TLS_CIPHER_##name,				\
		.info_size = sizeof(struct tls12_crypto_info_##name##_struct), \
		.iv = TLS_CIPHER_##name##_IV_SIZE,			\
		.key = TLS_CIPHER_##name##_KEY_SIZE,			\
		.salt = TLS_CIPHER_##name##_SALT_SIZE,			\
		.tag = TLS_CIPHER_##name##_TAG_SIZE,			\
		.ccm_b0 = (b0),						\
		.explicit_nonce = (explicit),				\
		.aead = (aead_name),					\
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
	CIPHER(AES_GCM_128, "gcm(aes)", 0, true),
	CIPHER(AES_GCM_256, "gcm(aes)", 0, true),
	CIPHER(AES_CCM_128, "ccm(aes)", CCM_B0, true),
	CIPHER(CHACHA20_POLY1305, "rfc7539(chacha20,poly1305)", 0, false),
	CIPHER(SM4_GCM, "gcm(sm4)", 0, true),
	CIPHER(SM4_CCM, "ccm(sm4)", CCM_B0, true),
#ifdef TLS_CIPHER_ARIA_GCM_128
	CIPHER(ARIA_GCM_128, "gcm(aria)", 0, true),
	CIPHER(ARIA_GCM_256, "gcm(aria)", 0, true),
#endif
};

#define CHECK_LAYOUT(name)						\
	BUILD_BUG_ON(offsetof(struct tls12_crypto_info_##name##_struct, rec_seq) != \
		     sizeof(struct tls_crypto_info) +			\
		     TLS_CIPHER_##name##_IV_SIZE +			\
		     TLS_CIPHER_##name##_KEY_SIZE +			\
		     TLS_CIPHER_##name##_SALT_SIZE);			\
	BUILD_BUG_ON(TLS_CIPHER_##name##_REC_SEQ_SIZE != KTLSO_REC_SEQ_SIZE); \
	BUILD_BUG_ON(TLS_CIPHER_##name##_SALT_SIZE +			\
		     TLS_CIPHER_##name##_IV_SIZE != KTLSO_NONCE_SIZE);	\
	BUILD_BUG_ON(sizeof(struct tls12_crypto_info_##name##_struct) > \
		     sizeof(union ktlso_crypto_info))

/**
 * ktlso_cipher_find() - look up a cipher by its TLS_CIPHER_* number
 * @type: the cipher_type of a struct tls_crypto_info
 * @version: TLS_1_2_VERSION or TLS_1_3_VERSION
 *
 * Return: the description, or NULL if ktlso cannot run it with that version
 * (ARIA is defined for TLS 1.2 only, RFC 6209).
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
	if ((type == TLS_CIPHER_ARIA_GCM_128 || type == TLS_CIPHER_ARIA_GCM_256) &&
	    version != TLS_1_2_VERSION)
		return NULL;
#endif

	for (i = 0; i < ARRAY_SIZE(ciphers); i++)
		if (ciphers[i].type == type)
			return &ciphers[i];
	return NULL;
}

/* Field offsets inside the crypto_info struct, in UAPI order. */
u8 *ktlso_cipher_iv(const struct ktlso_cipher *c, union ktlso_crypto_info *info)
{
	return (u8 *)info + sizeof(struct tls_crypto_info);
}

u8 *ktlso_cipher_key(const struct ktlso_cipher *c, union ktlso_crypto_info *info)
{
	return ktlso_cipher_iv(c, info) + c->iv;
}

u8 *ktlso_cipher_salt(const struct ktlso_cipher *c, union ktlso_crypto_info *info)
{
	return ktlso_cipher_key(c, info) + c->key;
}

u8 *ktlso_cipher_rec_seq(const struct ktlso_cipher *c, union ktlso_crypto_info *info)
{
	return ktlso_cipher_salt(c, info) + c->salt;
}
