// SPDX-License-Identifier: GPL-2.0
/* KUnit: record framing (record.c) against hand-checked RFC layouts. */
#include <kunit/test.h>
#include <linux/tls.h>

#include "ktlso.h"

static const u8 static_iv[KTLSO_NONCE_SIZE] = {
	0xa0, 0xa1, 0xa2, 0xa3, 0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7,
};

static struct ktlso_crypto dir(struct kunit *test, u16 type, u16 version, u64 seq)
{
	struct ktlso_crypto c = { .version = version, .seq = seq };

	c.cipher = ktlso_cipher_find(type, version);
	KUNIT_ASSERT_NOT_NULL(test, c.cipher);
	memcpy(c.iv, static_iv, sizeof(c.iv));
	return c;
}

static void nonce_tls13_xors_sequence(struct kunit *test)
{
	/* RFC 8446 §5.3: seq 0x0102 XORed into the IV's last bytes. */
	struct ktlso_crypto c = dir(test, TLS_CIPHER_AES_GCM_128, TLS_1_3_VERSION, 0x0102);
	u8 want[KTLSO_AEAD_IV_SIZE] = {
		0xa0, 0xa1, 0xa2, 0xa3, 0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5,
		0xb6 ^ 0x01, 0xb7 ^ 0x02,
	};
	u8 nonce[KTLSO_AEAD_IV_SIZE];

	ktlso_record_nonce(&c, nonce);
	KUNIT_EXPECT_EQ(test, 0, memcmp(want, nonce, sizeof(want)));
}

static void nonce_tls12_gcm_is_salt_and_explicit(struct kunit *test)
{
	/* RFC 5288 §3: salt || explicit nonce, no XOR. */
	struct ktlso_crypto c = dir(test, TLS_CIPHER_AES_GCM_256, TLS_1_2_VERSION, 0x0102);
	u8 nonce[KTLSO_AEAD_IV_SIZE];

	ktlso_record_nonce(&c, nonce);
	KUNIT_EXPECT_EQ(test, 0, memcmp(static_iv, nonce, sizeof(static_iv)));
	KUNIT_EXPECT_EQ(test, 8u, ktlso_record_prefix(&c));
}

static void nonce_tls12_chacha_xors_sequence(struct kunit *test)
{
	/* RFC 7905 §2: like TLS 1.3, and no explicit nonce on the wire. */
	struct ktlso_crypto c = dir(test, TLS_CIPHER_CHACHA20_POLY1305, TLS_1_2_VERSION, 1);
	u8 nonce[KTLSO_AEAD_IV_SIZE];

	ktlso_record_nonce(&c, nonce);
	KUNIT_EXPECT_EQ(test, 0xb7 ^ 1, nonce[11]);
	KUNIT_EXPECT_EQ(test, 0u, ktlso_record_prefix(&c));
}

static void nonce_ccm_has_flags_byte(struct kunit *test)
{
	/* RFC 3610 §2.3: L' = 2 in front of the 12-byte nonce. */
	struct ktlso_crypto c = dir(test, TLS_CIPHER_AES_CCM_128, TLS_1_3_VERSION, 0);
	u8 nonce[KTLSO_AEAD_IV_SIZE];

	ktlso_record_nonce(&c, nonce);
	KUNIT_EXPECT_EQ(test, 2, nonce[0]);
	KUNIT_EXPECT_EQ(test, 0, memcmp(static_iv, nonce + 1, sizeof(static_iv)));
}

static void aad_tls12(struct kunit *test)
{
	/* RFC 5246 §6.2.3.3: seq_num(8) type(1) version(2) length(2). */
	struct ktlso_crypto c = dir(test, TLS_CIPHER_AES_GCM_128, TLS_1_2_VERSION,
				    0x1122334455667788ull);
	static const u8 want[] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
				   21, 3, 3, 0x01, 0x00 };
	u8 aad[KTLSO_AAD12_SIZE];

	KUNIT_ASSERT_EQ(test, sizeof(want), ktlso_record_aad(&c, 21, 256, aad));
	KUNIT_EXPECT_EQ(test, 0, memcmp(want, aad, sizeof(want)));
}

static void aad_tls13_is_header(struct kunit *test)
{
	/* RFC 8446 §5.2: opaque_type 23, 0x0303, length of
	 * TLSCiphertext.encrypted_record = 256 + 1 (type) + 16 (tag).
	 */
	struct ktlso_crypto c = dir(test, TLS_CIPHER_AES_GCM_128, TLS_1_3_VERSION, 5);
	static const u8 want[] = { 23, 3, 3, 0x01, 0x11 };
	u8 aad[KTLSO_AAD12_SIZE];

	KUNIT_ASSERT_EQ(test, sizeof(want), ktlso_record_aad(&c, 22, 256, aad));
	KUNIT_EXPECT_EQ(test, 0, memcmp(want, aad, sizeof(want)));
}

static void header_tls12_gcm_counts_nonce_and_tag(struct kunit *test)
{
	struct ktlso_crypto c = dir(test, TLS_CIPHER_AES_GCM_128, TLS_1_2_VERSION, 0);
	static const u8 want[] = { 21, 3, 3, 0x00, 2 + 8 + 16 };
	u8 header[KTLSO_HEADER_SIZE];

	ktlso_record_header(&c, 21, 2, header);
	KUNIT_EXPECT_EQ(test, 0, memcmp(want, header, sizeof(want)));
}

static void advance_carries_explicit_nonce(struct kunit *test)
{
	struct ktlso_crypto c = dir(test, TLS_CIPHER_AES_GCM_128, TLS_1_2_VERSION, 41);

	c.iv[11] = 0xff;
	c.iv[10] = 0xff;
	KUNIT_EXPECT_EQ(test, 0, ktlso_record_advance(&c));
	KUNIT_EXPECT_EQ(test, 42ull, c.seq);
	KUNIT_EXPECT_EQ(test, 0xb5 + 1, c.iv[9]);
	KUNIT_EXPECT_EQ(test, 0, c.iv[10]);
	KUNIT_EXPECT_EQ(test, 0, c.iv[11]);
	/* the salt never moves */
	KUNIT_EXPECT_EQ(test, 0, memcmp(static_iv, c.iv, 4));
}

static void advance_tls13_keeps_static_iv(struct kunit *test)
{
	struct ktlso_crypto c = dir(test, TLS_CIPHER_AES_GCM_128, TLS_1_3_VERSION, 0);

	KUNIT_EXPECT_EQ(test, 0, ktlso_record_advance(&c));
	KUNIT_EXPECT_EQ(test, 0, memcmp(static_iv, c.iv, sizeof(static_iv)));
}

static void advance_refuses_to_wrap(struct kunit *test)
{
	/* RFC 8446 §5.3: sequence numbers MUST NOT wrap. */
	struct ktlso_crypto c = dir(test, TLS_CIPHER_AES_GCM_128, TLS_1_3_VERSION, U64_MAX);

	KUNIT_EXPECT_EQ(test, -EBADMSG, ktlso_record_advance(&c));
	KUNIT_EXPECT_EQ(test, U64_MAX, c.seq);
}

static void cipher_rules(struct kunit *test)
{
	KUNIT_EXPECT_NULL(test, ktlso_cipher_find(0, TLS_1_2_VERSION));
	KUNIT_EXPECT_EQ(test, (u16)sizeof(struct tls12_crypto_info_aes_gcm_128),
			ktlso_cipher_find(TLS_CIPHER_AES_GCM_128, TLS_1_3_VERSION)->info_size);
#ifdef TLS_CIPHER_ARIA_GCM_128
	/* RFC 6209: ARIA is a TLS 1.2 cipher only. */
	KUNIT_EXPECT_NULL(test, ktlso_cipher_find(TLS_CIPHER_ARIA_GCM_128, TLS_1_3_VERSION));
	KUNIT_EXPECT_NOT_NULL(test, ktlso_cipher_find(TLS_CIPHER_ARIA_GCM_128, TLS_1_2_VERSION));
#endif
}

static struct kunit_case record_cases[] = {
	KUNIT_CASE(nonce_tls13_xors_sequence),
	KUNIT_CASE(nonce_tls12_gcm_is_salt_and_explicit),
	KUNIT_CASE(nonce_tls12_chacha_xors_sequence),
	KUNIT_CASE(nonce_ccm_has_flags_byte),
	KUNIT_CASE(aad_tls12),
	KUNIT_CASE(aad_tls13_is_header),
	KUNIT_CASE(header_tls12_gcm_counts_nonce_and_tag),
	KUNIT_CASE(advance_carries_explicit_nonce),
	KUNIT_CASE(advance_tls13_keeps_static_iv),
	KUNIT_CASE(advance_refuses_to_wrap),
	KUNIT_CASE(cipher_rules),
	{}
};

static struct kunit_suite record_suite = {
	.name = "ktlso_record",
	.test_cases = record_cases,
};

kunit_test_suite(record_suite);
