// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: record framing (record.c) against hand-checked RFC layouts, the
 * header rules every received record must pass, and record protection
 * against the records RFC 8448 publishes.
 */
#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/scatterlist.h>
#include <linux/tls.h>

#include "compat.h"
#include "ktlso.h"
#include "kunit_bytes.h"

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

/*
 * RFC 8448 §3 "Simple 1-RTT Handshake" (TLS_AES_128_GCM_SHA256): records as
 * the RFC prints them ("complete record"), with the plaintext they carry and
 * the write key and IV they were protected with. Hex copied from the RFC.
 */
static const char rfc8448_ee[] =
	"08 00 00 24 00 22 00 0a 00 14 00 12 00 1d 00 17 "
	"00 18 00 19 01 00 01 01 01 02 01 03 01 04 00 1c "
	"00 02 40 01 00 00 00 00";

static const char rfc8448_certificate[] =
	"0b 00 01 b9 00 00 01 b5 00 01 b0 30 82 01 ac 30 "
	"82 01 15 a0 03 02 01 02 02 01 02 30 0d 06 09 2a "
	"86 48 86 f7 0d 01 01 0b 05 00 30 0e 31 0c 30 0a "
	"06 03 55 04 03 13 03 72 73 61 30 1e 17 0d 31 36 "
	"30 37 33 30 30 31 32 33 35 39 5a 17 0d 32 36 30 "
	"37 33 30 30 31 32 33 35 39 5a 30 0e 31 0c 30 0a "
	"06 03 55 04 03 13 03 72 73 61 30 81 9f 30 0d 06 "
	"09 2a 86 48 86 f7 0d 01 01 01 05 00 03 81 8d 00 "
	"30 81 89 02 81 81 00 b4 bb 49 8f 82 79 30 3d 98 "
	"08 36 39 9b 36 c6 98 8c 0c 68 de 55 e1 bd b8 26 "
	"d3 90 1a 24 61 ea fd 2d e4 9a 91 d0 15 ab bc 9a "
	"95 13 7a ce 6c 1a f1 9e aa 6a f9 8c 7c ed 43 12 "
	"09 98 e1 87 a8 0e e0 cc b0 52 4b 1b 01 8c 3e 0b "
	"63 26 4d 44 9a 6d 38 e2 2a 5f da 43 08 46 74 80 "
	"30 53 0e f0 46 1c 8c a9 d9 ef bf ae 8e a6 d1 d0 "
	"3e 2b d1 93 ef f0 ab 9a 80 02 c4 74 28 a6 d3 5a "
	"8d 88 d7 9f 7f 1e 3f 02 03 01 00 01 a3 1a 30 18 "
	"30 09 06 03 55 1d 13 04 02 30 00 30 0b 06 03 55 "
	"1d 0f 04 04 03 02 05 a0 30 0d 06 09 2a 86 48 86 "
	"f7 0d 01 01 0b 05 00 03 81 81 00 85 aa d2 a0 e5 "
	"b9 27 6b 90 8c 65 f7 3a 72 67 17 06 18 a5 4c 5f "
	"8a 7b 33 7d 2d f7 a5 94 36 54 17 f2 ea e8 f8 a5 "
	"8c 8f 81 72 f9 31 9c f3 6b 7f d6 c5 5b 80 f2 1a "
	"03 01 51 56 72 60 96 fd 33 5e 5e 67 f2 db f1 02 "
	"70 2e 60 8c ca e6 be c1 fc 63 a4 2a 99 be 5c 3e "
	"b7 10 7c 3c 54 e9 b9 eb 2b d5 20 3b 1c 3b 84 e0 "
	"a8 b2 f7 59 40 9b a3 ea c9 d9 1d 40 2d cc 0c c8 "
	"f8 96 12 29 ac 91 87 b4 2b 4d e1 00 00";

static const char rfc8448_cert_verify[] =
	"0f 00 00 84 08 04 00 80 5a 74 7c 5d 88 fa 9b d2 "
	"e5 5a b0 85 a6 10 15 b7 21 1f 82 4c d4 84 14 5a "
	"b3 ff 52 f1 fd a8 47 7b 0b 7a bc 90 db 78 e2 d3 "
	"3a 5c 14 1a 07 86 53 fa 6b ef 78 0c 5e a2 48 ee "
	"aa a7 85 c4 f3 94 ca b6 d3 0b be 8d 48 59 ee 51 "
	"1f 60 29 57 b1 54 11 ac 02 76 71 45 9e 46 44 5c "
	"9e a5 8c 18 1e 81 8e 95 b8 c3 fb 0b f3 27 84 09 "
	"d3 be 15 2a 3d a5 04 3e 06 3d da 65 cd f5 ae a2 "
	"0d 53 df ac d4 2f 74 f3";

static const char rfc8448_finished[] =
	"14 00 00 20 9b 9b 14 1d 90 63 37 fb d2 cb dc e7 "
	"1d f4 de da 4a b4 2c 30 95 72 cb 7f ff ee 54 54 "
	"b7 8f 07 18";

static const char rfc8448_server_hs_record[] =
	"17 03 03 02 a2 d1 ff 33 4a 56 f5 bf f6 59 4a 07 "
	"cc 87 b5 80 23 3f 50 0f 45 e4 89 e7 f3 3a f3 5e "
	"df 78 69 fc f4 0a a4 0a a2 b8 ea 73 f8 48 a7 ca "
	"07 61 2e f9 f9 45 cb 96 0b 40 68 90 51 23 ea 78 "
	"b1 11 b4 29 ba 91 91 cd 05 d2 a3 89 28 0f 52 61 "
	"34 aa dc 7f c7 8c 4b 72 9d f8 28 b5 ec f7 b1 3b "
	"d9 ae fb 0e 57 f2 71 58 5b 8e a9 bb 35 5c 7c 79 "
	"02 07 16 cf b9 b1 18 3e f3 ab 20 e3 7d 57 a6 b9 "
	"d7 47 76 09 ae e6 e1 22 a4 cf 51 42 73 25 25 0c "
	"7d 0e 50 92 89 44 4c 9b 3a 64 8f 1d 71 03 5d 2e "
	"d6 5b 0e 3c dd 0c ba e8 bf 2d 0b 22 78 12 cb b3 "
	"60 98 72 55 cc 74 41 10 c4 53 ba a4 fc d6 10 92 "
	"8d 80 98 10 e4 b7 ed 1a 8f d9 91 f0 6a a6 24 82 "
	"04 79 7e 36 a6 a7 3b 70 a2 55 9c 09 ea d6 86 94 "
	"5b a2 46 ab 66 e5 ed d8 04 4b 4c 6d e3 fc f2 a8 "
	"94 41 ac 66 27 2f d8 fb 33 0e f8 19 05 79 b3 68 "
	"45 96 c9 60 bd 59 6e ea 52 0a 56 a8 d6 50 f5 63 "
	"aa d2 74 09 96 0d ca 63 d3 e6 88 61 1e a5 e2 2f "
	"44 15 cf 95 38 d5 1a 20 0c 27 03 42 72 96 8a 26 "
	"4e d6 54 0c 84 83 8d 89 f7 2c 24 46 1a ad 6d 26 "
	"f5 9e ca ba 9a cb bb 31 7b 66 d9 02 f4 f2 92 a3 "
	"6a c1 b6 39 c6 37 ce 34 31 17 b6 59 62 22 45 31 "
	"7b 49 ee da 0c 62 58 f1 00 d7 d9 61 ff b1 38 64 "
	"7e 92 ea 33 0f ae ea 6d fa 31 c7 a8 4d c3 bd 7e "
	"1b 7a 6c 71 78 af 36 87 90 18 e3 f2 52 10 7f 24 "
	"3d 24 3d c7 33 9d 56 84 c8 b0 37 8b f3 02 44 da "
	"8c 87 c8 43 f5 e5 6e b4 c5 e8 28 0a 2b 48 05 2c "
	"f9 3b 16 49 9a 66 db 7c ca 71 e4 59 94 26 f7 d4 "
	"61 e6 6f 99 88 2b d8 9f c5 08 00 be cc a6 2d 6c "
	"74 11 6d bd 29 72 fd a1 fa 80 f8 5d f8 81 ed be "
	"5a 37 66 89 36 b3 35 58 3b 59 91 86 dc 5c 69 18 "
	"a3 96 fa 48 a1 81 d6 b6 fa 4f 9d 62 d5 13 af bb "
	"99 2f 2b 99 2f 67 f8 af e6 7f 76 91 3f a3 88 cb "
	"56 30 c8 ca 01 e0 c6 5d 11 c6 6a 1e 2a c4 c8 59 "
	"77 b7 c7 a6 99 9b bf 10 dc 35 ae 69 f5 51 56 14 "
	"63 6c 0b 9b 68 c1 9e d2 e3 1c 0b 3b 66 76 30 38 "
	"eb ba 42 f3 b3 8e dc 03 99 f3 a9 f2 3f aa 63 97 "
	"8c 31 7f c9 fa 66 a7 3f 60 f0 50 4d e9 3b 5b 84 "
	"5e 27 55 92 c1 23 35 ee 34 0b bc 4f dd d5 02 78 "
	"40 16 e4 b3 be 7e f0 4d da 49 f4 b4 40 a3 0c b5 "
	"d2 af 93 98 28 fd 4a e3 79 4e 44 f9 4d f5 a6 31 "
	"ed e4 2c 17 19 bf da bf 02 53 fe 51 75 be 89 8e "
	"75 0e dc 53 37 0d 2b";

static const char rfc8448_client_ap_record[] =
	"17 03 03 00 43 a2 3f 70 54 b6 2c 94 d0 af fa fe "
	"82 28 ba 55 cb ef ac ea 42 f9 14 aa 66 bc ab 3f "
	"2b 98 19 a8 a5 b4 6b 39 5b d5 4a 9a 20 44 1e 2b "
	"62 97 4e 1f 5a 62 92 a2 97 70 14 bd 1e 3d ea e6 "
	"3a ee bb 21 69 49 15 e4";

static const char rfc8448_server_ap_record[] =
	"17 03 03 00 43 2e 93 7e 11 ef 4a c7 40 e5 38 ad "
	"36 00 5f c4 a4 69 32 fc 32 25 d0 5f 82 aa 1b 36 "
	"e3 0e fa f9 7d 90 e6 df fc 60 2d cb 50 1a 59 a8 "
	"fc c4 9c 4b f2 e5 f0 a2 1c 00 47 c2 ab f3 32 54 "
	"0d d0 32 e1 67 c2 95 5d";

static const char rfc8448_client_alert_record[] =
	"17 03 03 00 13 c9 87 27 60 65 56 66 b7 4d 7f f1 "
	"15 3e fd 6d b6 d0 b0 e3";

static const char rfc8448_server_alert_record[] =
	"17 03 03 00 13 b5 8f d6 71 66 eb f5 99 d2 47 20 "
	"cf be 7e fa 7a 88 64 a9";

static const char rfc8448_app_data[] =
	"00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f "
	"10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f "
	"20 21 22 23 24 25 26 27 28 29 2a 2b 2c 2d 2e 2f "
	"30 31";

static const char rfc8448_close_notify[] = "01 00";

struct kat {
	const char *name;
	const char *key, *iv;	/* the RFC's write key and write IV */
	u64 seq;
	u8 type;
	const char *plaintext[4];	/* concatenated */
	const char *record;
};

static const struct kat kats[] = {
	{
		.name = "server handshake flight",
		.key = "3f ce 51 60 09 c2 17 27 d0 f2 e4 e8 6e e4 03 bc",
		.iv = "5d 31 3e b2 67 12 76 ee 13 00 0b 30",
		.seq = 0,
		.type = 22,
		.plaintext = { rfc8448_ee, rfc8448_certificate, rfc8448_cert_verify,
			       rfc8448_finished },
		.record = rfc8448_server_hs_record,
	},
	{
		.name = "client application data",
		.key = "17 42 2d da 59 6e d5 d9 ac d8 90 e3 c6 3f 50 51",
		.iv = "5b 78 92 3d ee 08 57 90 33 e5 23 d9",
		.seq = 0,
		.type = 23,
		.plaintext = { rfc8448_app_data },
		.record = rfc8448_client_ap_record,
	},
	{
		/* after the NewSessionTicket record: sequence number 1 */
		.name = "server application data",
		.key = "9f 02 28 3b 6c 9c 07 ef c2 6b b9 f2 ac 92 e3 56",
		.iv = "cf 78 2b 88 dd 83 54 9a ad f1 e9 84",
		.seq = 1,
		.type = 23,
		.plaintext = { rfc8448_app_data },
		.record = rfc8448_server_ap_record,
	},
	{
		.name = "client close_notify",
		.key = "17 42 2d da 59 6e d5 d9 ac d8 90 e3 c6 3f 50 51",
		.iv = "5b 78 92 3d ee 08 57 90 33 e5 23 d9",
		.seq = 1,
		.type = 21,
		.plaintext = { rfc8448_close_notify },
		.record = rfc8448_client_alert_record,
	},
	{
		.name = "server close_notify",
		.key = "9f 02 28 3b 6c 9c 07 ef c2 6b b9 f2 ac 92 e3 56",
		.iv = "cf 78 2b 88 dd 83 54 9a ad f1 e9 84",
		.seq = 2,
		.type = 21,
		.plaintext = { rfc8448_close_notify },
		.record = rfc8448_server_alert_record,
	},
};

static void kat_desc(const struct kat *k, char *desc)
{
	strscpy(desc, k->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(kat, kats, kat_desc);

#define KAT_ROOM 720	/* the largest record above is 679 bytes */

/* One case, parsed and keyed; in heap memory, as the AEAD needs. */
struct kat_run {
	struct ktlso_crypto c;
	u8 plaintext[KAT_ROOM], record[KAT_ROOM], buf[KAT_ROOM];
	unsigned int plaintext_len, record_len;
};

/* Append hex as the RFC prints it (bytes separated by spaces) to out. */
static void unhex(struct kunit *test, const char *s, u8 *out, unsigned int *len)
{
	while (*s) {
		int hi, lo;

		if (*s == ' ') {
			s++;
			continue;
		}
		hi = hex_to_bin(s[0]);
		lo = s[1] ? hex_to_bin(s[1]) : -1;
		KUNIT_ASSERT_TRUE(test, hi >= 0 && lo >= 0 && *len < KAT_ROOM);
		out[(*len)++] = hi << 4 | lo;
		s += 2;
	}
}

static struct kat_run *kat_setup(struct kunit *test)
{
	const struct kat *k = test->param_value;
	struct kat_run *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	union ktlso_crypto_info info = { };
	struct tls12_crypto_info_aes_gcm_128 *gcm = (void *)&info;
	u8 key_iv[KAT_ROOM];
	unsigned int i, n = 0;
	int err;

	KUNIT_ASSERT_NOT_NULL(test, r);
	for (i = 0; i < ARRAY_SIZE(k->plaintext) && k->plaintext[i]; i++)
		unhex(test, k->plaintext[i], r->plaintext, &r->plaintext_len);
	unhex(test, k->record, r->record, &r->record_len);
	unhex(test, k->key, key_iv, &n);
	unhex(test, k->iv, key_iv, &n);
	KUNIT_ASSERT_EQ(test, 16u + 12u, n);

	/* RFC 8446 §5.3's 12-byte write IV is kTLS's salt || iv. */
	gcm->info.version = TLS_1_3_VERSION;
	gcm->info.cipher_type = TLS_CIPHER_AES_GCM_128;
	memcpy(gcm->key, key_iv, 16);
	memcpy(gcm->salt, key_iv + 16, 4);
	memcpy(gcm->iv, key_iv + 20, 8);
	put_unaligned_be64(k->seq, gcm->rec_seq);
	err = ktlso_crypto_init(&r->c, &info);
	memzero_explicit(&info, sizeof(info));
	memzero_explicit(key_iv, sizeof(key_iv));
	KUNIT_ASSERT_EQ(test, 0, err);
	return r;
}

static void seal_matches_rfc8448(struct kunit *test)
{
	const struct kat *k = test->param_value;
	struct kat_run *r = kat_setup(test);
	unsigned int payload = r->record_len - KTLSO_HEADER_SIZE, split;
	struct scatterlist sg[3];

	/* Arrange: the plaintext where the record's payload goes, in two
	 * pieces so the content type lands past a scatterlist boundary.
	 */
	KUNIT_EXPECT_EQ(test, r->record_len, ktlso_record_size(&r->c, r->plaintext_len));
	memcpy(r->buf + KTLSO_HEADER_SIZE, r->plaintext, r->plaintext_len);
	split = r->plaintext_len / 2;
	sg_init_table(sg, 3);
	sg_set_buf(&sg[1], r->buf + KTLSO_HEADER_SIZE, split);
	sg_set_buf(&sg[2], r->buf + KTLSO_HEADER_SIZE + split, payload - split);

	/* Act */
	KUNIT_EXPECT_EQ(test, 0, ktlso_record_seal(&r->c, k->type, r->plaintext_len,
						   r->buf, sg, sg));

	/* Assert: byte for byte what RFC 8448 shows on the wire. */
	KUNIT_EXPECT_EQ(test, -1, ktlso_kunit_first_diff(r->record, r->buf, r->record_len));
	ktlso_crypto_uninit(&r->c);
}

static void seal_out_of_place_matches_rfc8448(struct kunit *test)
{
	const struct kat *k = test->param_value;
	struct kat_run *r = kat_setup(test);
	struct scatterlist src[3], dst[2];
	u8 *type_byte = kunit_kzalloc(test, 1, GFP_KERNEL);

	/* Arrange: the plaintext stays where it is (as spliced pages do);
	 * the content type goes to a byte of its own after it.
	 */
	KUNIT_ASSERT_NOT_NULL(test, type_byte);
	sg_init_table(src, 3);
	sg_set_buf(&src[1], r->plaintext, r->plaintext_len);
	sg_set_buf(&src[2], type_byte, 1);
	sg_init_table(dst, 2);
	sg_set_buf(&dst[1], r->buf + KTLSO_HEADER_SIZE, r->record_len - KTLSO_HEADER_SIZE);

	KUNIT_EXPECT_EQ(test, 0, ktlso_record_seal(&r->c, k->type, r->plaintext_len,
						   r->buf, src, dst));

	KUNIT_EXPECT_EQ(test, -1, ktlso_kunit_first_diff(r->record, r->buf, r->record_len));
	KUNIT_EXPECT_EQ(test, k->type, *type_byte);
	ktlso_crypto_uninit(&r->c);
}

/* The record's ciphertext and tag, in two pieces as TCP may queue them. */
static void source(struct scatterlist src[3], u8 *record, unsigned int record_len)
{
	unsigned int len = record_len - KTLSO_HEADER_SIZE, split = len / 3;

	sg_init_table(src, 3);
	sg_set_buf(&src[1], record + KTLSO_HEADER_SIZE, split);
	sg_set_buf(&src[2], record + KTLSO_HEADER_SIZE + split, len - split);
}

static void open_recovers_rfc8448_plaintext(struct kunit *test)
{
	const struct kat *k = test->param_value;
	struct kat_run *r = kat_setup(test);
	unsigned int inner = ktlso_record_inner_len(&r->c, r->record), len = inner;
	struct scatterlist src[3], dst[2];
	u8 type = 0;

	source(src, r->record, r->record_len);
	sg_init_table(dst, 2);
	sg_set_buf(&dst[1], r->buf, inner);

	KUNIT_EXPECT_EQ(test, 0, ktlso_record_open(&r->c, r->record, src, dst));
	KUNIT_EXPECT_EQ(test, 0, ktlso_record_content(&r->c, r->record[0], r->buf,
						      &len, &type));

	KUNIT_EXPECT_EQ(test, k->type, type);
	KUNIT_EXPECT_EQ(test, r->plaintext_len, len);
	KUNIT_EXPECT_EQ(test, -1, ktlso_kunit_first_diff(r->plaintext, r->buf, r->plaintext_len));
	ktlso_crypto_uninit(&r->c);
}

static void open_rejects_flipped_bit(struct kunit *test)
{
	struct kat_run *r = kat_setup(test);
	/* the header (additional data), the ciphertext, the tag */
	const unsigned int at[] = { 0, KTLSO_HEADER_SIZE + 1, r->record_len - 1 };
	unsigned int inner = ktlso_record_inner_len(&r->c, r->record), i;
	struct scatterlist src[3], dst[2];

	for (i = 0; i < ARRAY_SIZE(at); i++) {
		memcpy(r->buf, r->record, r->record_len);
		r->buf[at[i]] ^= 0x01;
		memset(r->plaintext, 0xaa, inner);
		source(src, r->buf, r->record_len);
		sg_init_table(dst, 2);
		sg_set_buf(&dst[1], r->plaintext, inner);

		KUNIT_EXPECT_EQ_MSG(test, -EBADMSG,
				    ktlso_record_open(&r->c, r->buf, src, dst),
				    "bit flipped at byte %u", at[i]);
		/* Nothing unauthenticated is left behind. */
		KUNIT_EXPECT_EQ(test, 0, memchr_inv(r->plaintext, 0, inner) ? 1 : 0);
	}
	ktlso_crypto_uninit(&r->c);
}

static void content_tls13_strips_padding(struct kunit *test)
{
	/* RFC 8446 §5.4: content, type, then zeros. */
	struct ktlso_crypto c = dir(test, TLS_CIPHER_AES_GCM_128, TLS_1_3_VERSION, 0);
	static const u8 padded[] = { 'h', 'i', 21, 0, 0, 0 };
	static const u8 zeros[] = { 0, 0, 0 };
	unsigned int len = sizeof(padded);
	u8 type = 0;

	KUNIT_EXPECT_EQ(test, 0, ktlso_record_content(&c, 23, padded, &len, &type));
	KUNIT_EXPECT_EQ(test, 2u, len);
	KUNIT_EXPECT_EQ(test, 21, type);

	/* RFC 8446 §5.4: no non-zero byte at all is an unexpected_message. */
	len = sizeof(zeros);
	KUNIT_EXPECT_EQ(test, -EBADMSG, ktlso_record_content(&c, 23, zeros, &len, &type));
}

static void content_tls12_is_outer_type(struct kunit *test)
{
	struct ktlso_crypto c = dir(test, TLS_CIPHER_AES_GCM_128, TLS_1_2_VERSION, 0);
	static const u8 data[] = { 1, 0 };
	unsigned int len = sizeof(data);
	u8 type = 0;

	KUNIT_EXPECT_EQ(test, 0, ktlso_record_content(&c, 21, data, &len, &type));
	KUNIT_EXPECT_EQ(test, 2u, len);
	KUNIT_EXPECT_EQ(test, 21, type);
}

/* An application_data header: version bytes ver, len bytes to follow. */
static void header_of(u8 *h, u16 ver, unsigned int len)
{
	h[0] = 23;
	h[1] = ver >> 8;
	h[2] = ver & 0xff;
	h[3] = len >> 8;
	h[4] = len & 0xff;
}

struct header_case {
	u16 type, version;
	u16 wire_version;
	unsigned int len;
	int err;
	const char *why;
};

/* kTLS's errno for each header rule, at both edges of every bound. */
static const struct header_case header_cases[] = {
	/* TLS 1.2 AES-GCM: 8 bytes explicit nonce + 16 bytes tag. */
	{ TLS_CIPHER_AES_GCM_128, TLS_1_2_VERSION, 0x0303, 24, 0, "empty record" },
	{ TLS_CIPHER_AES_GCM_128, TLS_1_2_VERSION, 0x0303, 23, -EBADMSG, "no room for tag" },
	{ TLS_CIPHER_AES_GCM_128, TLS_1_2_VERSION, 0x0303, 0, -EBADMSG, "zero length" },
	{ TLS_CIPHER_AES_GCM_128, TLS_1_2_VERSION, 0x0303, 16384 + 24, 0, "2^14 content" },
	{ TLS_CIPHER_AES_GCM_128, TLS_1_2_VERSION, 0x0303, 16384 + 25, -EMSGSIZE, "2^14 + 1" },
	{ TLS_CIPHER_AES_GCM_128, TLS_1_2_VERSION, 0x0301, 24, -EINVAL, "TLS 1.0 version" },
	{ TLS_CIPHER_AES_GCM_128, TLS_1_2_VERSION, 0x0304, 24, -EINVAL, "0x0304 on the wire" },
	/* Length is checked before version, as in kTLS. */
	{ TLS_CIPHER_AES_GCM_128, TLS_1_2_VERSION, 0x0301, 0xffff, -EMSGSIZE, "both wrong" },
	/* TLS 1.2 ChaCha20-Poly1305: no explicit nonce (RFC 7905). */
	{ TLS_CIPHER_CHACHA20_POLY1305, TLS_1_2_VERSION, 0x0303, 16, 0, "tag only" },
	{ TLS_CIPHER_CHACHA20_POLY1305, TLS_1_2_VERSION, 0x0303, 15, -EBADMSG, "short tag" },
	/* TLS 1.3: tag, plus the inner content type byte. */
	{ TLS_CIPHER_AES_GCM_128, TLS_1_3_VERSION, 0x0303, 17, 0, "type byte only" },
	{ TLS_CIPHER_AES_GCM_128, TLS_1_3_VERSION, 0x0303, 16, 0, "tag only, fails later" },
	{ TLS_CIPHER_AES_GCM_128, TLS_1_3_VERSION, 0x0303, 15, -EBADMSG, "short tag" },
	{ TLS_CIPHER_AES_GCM_128, TLS_1_3_VERSION, 0x0303, 16384 + 17, 0, "2^14 content" },
	{ TLS_CIPHER_AES_GCM_128, TLS_1_3_VERSION, 0x0303, 16384 + 18, -EMSGSIZE, "padding" },
	/* RFC 8446 §5.1: legacy_record_version stays 0x0303. */
	{ TLS_CIPHER_AES_GCM_128, TLS_1_3_VERSION, 0x0304, 17, -EINVAL, "0x0304 on the wire" },
	{ TLS_CIPHER_AES_GCM_256, TLS_1_3_VERSION, 0x0203, 17, -EINVAL, "bad major" },
};

static void header_case_desc(const struct header_case *h, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s cipher %u len %u: %s",
		 h->version == TLS_1_3_VERSION ? "1.3" : "1.2", h->type, h->len, h->why);
}

KUNIT_ARRAY_PARAM(header_case, header_cases, header_case_desc);

static void check_header_rules(struct kunit *test)
{
	const struct header_case *h = test->param_value;
	struct ktlso_crypto c = dir(test, h->type, h->version, 0);
	u8 header[KTLSO_HEADER_SIZE];

	header_of(header, h->wire_version, h->len);
	KUNIT_EXPECT_EQ(test, h->err, ktlso_record_check_header(&c, header));
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
	KUNIT_CASE(content_tls13_strips_padding),
	KUNIT_CASE(content_tls12_is_outer_type),
	KUNIT_CASE_PARAM(check_header_rules, header_case_gen_params),
	KUNIT_CASE_PARAM(seal_matches_rfc8448, kat_gen_params),
	KUNIT_CASE_PARAM(seal_out_of_place_matches_rfc8448, kat_gen_params),
	KUNIT_CASE_PARAM(open_recovers_rfc8448_plaintext, kat_gen_params),
	KUNIT_CASE_PARAM(open_rejects_flipped_bit, kat_gen_params),
	{}
};

static struct kunit_suite record_suite = {
	.name = "ktlso_record",
	.test_cases = record_cases,
};

kunit_test_suite(record_suite);
