// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the TLS 1.3 key derivation the kernel does for KeyUpdate
 * (hkdf.c, keyupdate.c), against known answers:
 *
 * - RFC 8448 §3 (SHA-256) and tls13.xargs.org (SHA-384): the application
 *   traffic secrets' write key and IV, as those traces print them;
 * - neither trace has a KeyUpdate, so "traffic upd" and the keys of the
 *   next three generations come from OpenSSL's TLS13-KDF, computed when
 *   tools/kunit runs (tools/kunit-vectors writes keyupdate_vectors.h).
 *
 * And the update TX makes on its own at the AEAD's limit (RFC 8446 §5.5),
 * on a real loopback pair whose keys start a few records short of it:
 *
 *   client (ULP, TX seq limit - 2) --- lo --- server (ULP, RX seq limit - 2)
 */
#include <kunit/test.h>
#include <linux/tls.h>
#include <net/sock.h>

#include "ktlso.h"
#include "kunit_pair.h"

struct ku_vector {
	const char *name;
	const char *hmac;
	u16 cipher;
	unsigned int len;
	u8 secret[KTLSO_HASH_MAX], next[KTLSO_HASH_MAX];
	u8 key[32], iv[12];
};

#include "keyupdate_vectors.h"

struct label_vector {
	const char *name;
	const char *hmac;
	unsigned int secret_len, key_len;
	u8 secret[KTLSO_HASH_MAX];
	u8 key[32], iv[12];
};

static const struct label_vector rfc_vectors[] = {
	{
		.name = "RFC 8448 §3 client application traffic",
		.hmac = "hmac(sha256)", .secret_len = 32, .key_len = 16,
		.secret = { 0x9e, 0x40, 0x64, 0x6c, 0xe7, 0x9a, 0x7f, 0x9d, 0xc0, 0x5a, 0xf8,
			    0x88, 0x9b, 0xce, 0x65, 0x52, 0x87, 0x5a, 0xfa, 0x0b, 0x06, 0xdf,
			    0x00, 0x87, 0xf7, 0x92, 0xeb, 0xb7, 0xc1, 0x75, 0x04, 0xa5 },
		.key = { 0x17, 0x42, 0x2d, 0xda, 0x59, 0x6e, 0xd5, 0xd9, 0xac, 0xd8, 0x90,
			 0xe3, 0xc6, 0x3f, 0x50, 0x51 },
		.iv = { 0x5b, 0x78, 0x92, 0x3d, 0xee, 0x08, 0x57, 0x90, 0x33, 0xe5, 0x23, 0xd9 },
	},
	{
		.name = "RFC 8448 §3 server application traffic",
		.hmac = "hmac(sha256)", .secret_len = 32, .key_len = 16,
		.secret = { 0xa1, 0x1a, 0xf9, 0xf0, 0x55, 0x31, 0xf8, 0x56, 0xad, 0x47, 0x11,
			    0x6b, 0x45, 0xa9, 0x50, 0x32, 0x82, 0x04, 0xb4, 0xf4, 0x4b, 0xfb,
			    0x6b, 0x3a, 0x4b, 0x4f, 0x1f, 0x3f, 0xcb, 0x63, 0x16, 0x43 },
		.key = { 0x9f, 0x02, 0x28, 0x3b, 0x6c, 0x9c, 0x07, 0xef, 0xc2, 0x6b, 0xb9,
			 0xf2, 0xac, 0x92, 0xe3, 0x56 },
		.iv = { 0xcf, 0x78, 0x2b, 0x88, 0xdd, 0x83, 0x54, 0x9a, 0xad, 0xf1, 0xe9, 0x84 },
	},
	{
		.name = "tls13.xargs.org client application traffic (SHA-384)",
		.hmac = "hmac(sha384)", .secret_len = 48, .key_len = 32,
		.secret = { 0x9e, 0x47, 0xaf, 0x27, 0xcb, 0x60, 0xd8, 0x18, 0xa9, 0xea, 0x7d,
			    0x23, 0x3c, 0xb5, 0xed, 0x4c, 0xc5, 0x25, 0xfc, 0xd7, 0x46, 0x14,
			    0xfb, 0x24, 0xb0, 0xee, 0x59, 0xac, 0xb8, 0xe5, 0xaa, 0x7f, 0xf8,
			    0xd8, 0x8b, 0x89, 0x79, 0x21, 0x14, 0x20, 0x8f, 0xec, 0x29, 0x1a,
			    0x6f, 0xa9, 0x6b, 0xad },
		.key = { 0xde, 0x2f, 0x4c, 0x76, 0x72, 0x72, 0x3a, 0x69, 0x23, 0x19, 0x87,
			 0x3e, 0x5c, 0x22, 0x76, 0x06, 0x69, 0x1a, 0x32, 0xd1, 0xc5, 0x9d,
			 0x8b, 0x9f, 0x51, 0xdb, 0xb9, 0x35, 0x2e, 0x9c, 0xa9, 0xcc },
		.iv = { 0xbb, 0x00, 0x79, 0x56, 0xf4, 0x74, 0xb2, 0x5d, 0xe9, 0x02, 0x43, 0x2f },
	},
	{
		.name = "tls13.xargs.org server application traffic (SHA-384)",
		.hmac = "hmac(sha384)", .secret_len = 48, .key_len = 32,
		.secret = { 0x86, 0xc9, 0x67, 0xfd, 0x77, 0x47, 0xa3, 0x6a, 0x06, 0x85, 0xb4,
			    0xed, 0x8d, 0x0e, 0x6b, 0x4c, 0x02, 0xb4, 0xdd, 0xaf, 0x3c, 0xd2,
			    0x94, 0xaa, 0x44, 0xe9, 0xf6, 0xb0, 0x18, 0x3b, 0xf9, 0x11, 0xe8,
			    0x9a, 0x18, 0x9b, 0xa5, 0xdf, 0xd7, 0x1f, 0xcc, 0xff, 0xb5, 0xcc,
			    0x16, 0x49, 0x01, 0xf8 },
		.key = { 0x01, 0xf7, 0x86, 0x23, 0xf1, 0x7e, 0x3e, 0xdc, 0xc0, 0x9e, 0x94,
			 0x40, 0x27, 0xba, 0x32, 0x18, 0xd5, 0x7c, 0x8e, 0x0d, 0xb9, 0x3c,
			 0xd3, 0xac, 0x41, 0x93, 0x09, 0x27, 0x47, 0x00, 0xac, 0x27 },
		.iv = { 0x19, 0x6a, 0x75, 0x0b, 0x0c, 0x50, 0x49, 0xc0, 0xcc, 0x51, 0xa5, 0x41 },
	},
};

static void rfc_desc(const struct label_vector *v, char *desc)
{
	strscpy(desc, v->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(rfc, rfc_vectors, rfc_desc);

static void ku_desc(const struct ku_vector *v, char *desc)
{
	strscpy(desc, v->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(openssl, openssl_vectors, ku_desc);

/* RFC 8446 §7.3: [sender]_write_key and _iv from a traffic secret. */
static void expand_label_gives_rfc_key_and_iv(struct kunit *test)
{
	const struct label_vector *v = test->param_value;
	u8 key[32], iv[12];

	KUNIT_ASSERT_EQ(test, 0, ktlso_hkdf_expand_label(v->hmac, v->secret, v->secret_len,
							 "key", NULL, 0, key, v->key_len));
	KUNIT_ASSERT_EQ(test, 0, ktlso_hkdf_expand_label(v->hmac, v->secret, v->secret_len,
							 "iv", NULL, 0, iv, sizeof(iv)));
	KUNIT_EXPECT_EQ(test, 0, memcmp(key, v->key, v->key_len));
	KUNIT_EXPECT_EQ(test, 0, memcmp(iv, v->iv, sizeof(iv)));
}

/*
 * RFC 8446 §7.2 then §7.3, as a KeyUpdate runs them: the next secret and
 * a crypto_info keyed from it, the 12-byte IV split into salt || iv the
 * way <linux/tls.h> has it for the cipher, sequence number 0.
 */
static void derive_matches_openssl(struct kunit *test)
{
	const struct ku_vector *v = test->param_value;
	const struct ktlso_cipher *c = ktlso_cipher_find(v->cipher, TLS_1_3_VERSION);
	union ktlso_crypto_info info;
	u8 next[KTLSO_HASH_MAX], nonce[12];

	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_ASSERT_EQ(test, 0, ktlso_ku_derive(v->hmac, v->secret, v->len, c, next, &info));
	KUNIT_EXPECT_EQ(test, 0, memcmp(next, v->next, v->len));
	KUNIT_EXPECT_EQ(test, info.info.version, TLS_1_3_VERSION);
	KUNIT_EXPECT_EQ(test, info.info.cipher_type, v->cipher);
	KUNIT_EXPECT_EQ(test, 0, memcmp(ktlso_cipher_key(c, &info), v->key, c->key));
	memcpy(nonce, ktlso_cipher_salt(c, &info), c->salt);
	memcpy(nonce + c->salt, ktlso_cipher_iv(c, &info), c->iv);
	KUNIT_EXPECT_EQ(test, 0, memcmp(nonce, v->iv, sizeof(nonce)));
	KUNIT_EXPECT_EQ(test, get_unaligned_be64(ktlso_cipher_rec_seq(c, &info)), 0ULL);
}

/* The HkdfLabel's bounds (RFC 8446 §7.1): refused, and nothing left out. */
static void expand_label_refuses_long_label(struct kunit *test)
{
	static const char label[251] = { [0 ... 249] = 'x' };
	u8 secret[32] = { 1 }, out[16] = { [0 ... 15] = 0xaa };

	/* "tls13 " + 250 bytes is 256: one more than the label may hold. */
	KUNIT_EXPECT_EQ(test, -EINVAL, ktlso_hkdf_expand_label("hmac(sha256)", secret, 32,
								label, NULL, 0, out, 16));
}

static void ku_new_checks_secret_length(struct kunit *test)
{
	u8 s[48] = { };
	struct ktlso_ku *ku;

	/* TLS_AES_256_GCM_SHA384 hashes with SHA-384: 48-byte secrets. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(ktlso_ku_new(0x1302, s, s, 32, 0)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(ktlso_ku_new(0x1301, s, s, 48, 0)), -EINVAL);
	ku = ktlso_ku_new(0x1302, s, s, 48, 0);
	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(ku));
	if (!IS_ERR(ku))
		ktlso_ku_free(ku);
}

struct limit_case {
	const char *name;
	u16 suite, cipher;
	unsigned int hash_len;
};

static const struct limit_case limit_cases[] = {
	{ "TLS_AES_128_GCM_SHA256", 0x1301, TLS_CIPHER_AES_GCM_128, 32 },
	{ "TLS_AES_256_GCM_SHA384", 0x1302, TLS_CIPHER_AES_GCM_256, 48 },
	{ "TLS_CHACHA20_POLY1305_SHA256", 0x1303, TLS_CIPHER_CHACHA20_POLY1305, 32 },
	{ "TLS_AES_128_CCM_SHA256", 0x1304, TLS_CIPHER_AES_CCM_128, 32 },
};

static void limit_desc(const struct limit_case *l, char *desc)
{
	strscpy(desc, l->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(limit, limit_cases, limit_desc);

/*
 * RFC 8446 §5.5: AES-GCM may protect 2^24.5 full records under one key;
 * the update itself is one record more. ChaCha20-Poly1305 has no limit
 * below the sequence space, which must never wrap (§5.3).
 */
static void record_limit_is_within_rfc(struct kunit *test)
{
	const struct limit_case *l = test->param_value;
	u64 limit = ktlso_ku_record_limit(l->cipher);

	KUNIT_EXPECT_GT(test, limit, 0ULL);
	if (l->cipher == TLS_CIPHER_CHACHA20_POLY1305)
		KUNIT_EXPECT_LT(test, limit, U64_MAX);
	else
		KUNIT_EXPECT_LE(test, limit, 1ULL << 24);
}

/* One direction's key, as <linux/tls.h> has it, at sequence @seq. */
static void install(struct kunit *test, struct socket *sock, const struct ktlso_cipher *c,
		    int optname, u8 key, u64 seq)
{
	union ktlso_crypto_info info = { };

	info.info.version = TLS_1_3_VERSION;
	info.info.cipher_type = c->type;
	memset(ktlso_cipher_key(c, &info), key, c->key);
	memset(ktlso_cipher_salt(c, &info), 0x33, c->salt);
	memset(ktlso_cipher_iv(c, &info), 0x44, c->iv);
	put_unaligned_be64(seq, ktlso_cipher_rec_seq(c, &info));
	KUNIT_ASSERT_EQ(test, 0, sock->ops->setsockopt(sock, SOL_TLS, optname,
						       KERNEL_SOCKPTR(&info), c->info_size));
}

/* The kernel's KeyUpdate state, as DONE would hand it over. */
static void own_updates(struct kunit *test, struct socket *sock,
			const struct limit_case *l, const u8 *tx, const u8 *rx)
{
	struct ktlso_ku *ku = ktlso_ku_new(l->suite, tx, rx, l->hash_len, 0);

	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(ku));
	lock_sock(sock->sk);
	ktlso_ku_attach(ktlso_ctx(sock->sk), ku);
	release_sock(sock->sk);
	KUNIT_ASSERT_NOT_NULL(test, ktlso_ctx(sock->sk)->ku);
}

static void send_and_read(struct kunit *test, struct ktlso_kunit_pair *p, u8 fill)
{
	u8 out[100], in[100];

	memset(out, fill, sizeof(out));
	KUNIT_ASSERT_EQ(test, (int)sizeof(out), ktlso_kunit_send(p->client, out, sizeof(out)));
	KUNIT_ASSERT_EQ(test, (int)sizeof(in), ktlso_kunit_recv(p->server, in, sizeof(in)));
	KUNIT_EXPECT_EQ(test, 0, memcmp(in, out, sizeof(in)));
}

/*
 * Records at limit - 2 and limit - 1 go out under the first key; the one
 * that would be record number limit goes out after a KeyUpdate, as the
 * first under the next key (sequence 0, then 1). The server, keyed the
 * same and updating with it, reads every byte.
 */
static void tx_updates_at_record_limit(struct kunit *test)
{
	const struct limit_case *l = test->param_value;
	const struct ktlso_cipher *c = ktlso_cipher_find(l->cipher, TLS_1_3_VERSION);
	u64 limit = ktlso_ku_record_limit(l->cipher);
	struct ktlso_kunit_pair p = { };
	struct ktlso_context *cctx, *sctx;
	u8 c_secret[KTLSO_HASH_MAX], s_secret[KTLSO_HASH_MAX];

	KUNIT_ASSERT_NOT_NULL(test, c);
	memset(c_secret, 0x5c, sizeof(c_secret));
	memset(s_secret, 0xc5, sizeof(s_secret));
	ktlso_kunit_connect(test, AF_INET, &p);
	KUNIT_ASSERT_EQ(test, 0, ktlso_kunit_attach(p.client));
	KUNIT_ASSERT_EQ(test, 0, ktlso_kunit_attach(p.server));
	install(test, p.client, c, TLS_TX, 0x11, limit - 2);
	install(test, p.server, c, TLS_RX, 0x11, limit - 2);
	/* The other way is unused: attach wants both directions keyed. */
	install(test, p.client, c, TLS_RX, 0x22, 0);
	install(test, p.server, c, TLS_TX, 0x22, 0);
	own_updates(test, p.client, l, c_secret, s_secret);
	own_updates(test, p.server, l, s_secret, c_secret);
	cctx = ktlso_ctx(p.client->sk);
	sctx = ktlso_ctx(p.server->sk);

	send_and_read(test, &p, 'a');		/* record limit - 2 */
	KUNIT_EXPECT_EQ(test, ktlso_tx_crypto(cctx)->seq, limit - 1);
	send_and_read(test, &p, 'b');		/* record limit - 1: no update yet */
	KUNIT_EXPECT_EQ(test, ktlso_tx_crypto(cctx)->seq, limit);
	KUNIT_EXPECT_EQ(test, ktlso_rx_crypto(sctx)->seq, limit);

	send_and_read(test, &p, 'c');		/* KeyUpdate at limit, then 0 */
	KUNIT_EXPECT_EQ(test, ktlso_tx_crypto(cctx)->seq, 1ULL);
	KUNIT_EXPECT_EQ(test, ktlso_rx_crypto(sctx)->seq, 1ULL);
	send_and_read(test, &p, 'd');		/* and no second update */
	KUNIT_EXPECT_EQ(test, ktlso_tx_crypto(cctx)->seq, 2ULL);
	KUNIT_EXPECT_EQ(test, ktlso_rx_crypto(sctx)->seq, 2ULL);
	ktlso_kunit_release(&p);
}

static struct kunit_case keyupdate_cases[] = {
	KUNIT_CASE_PARAM(expand_label_gives_rfc_key_and_iv, rfc_gen_params),
	KUNIT_CASE_PARAM(derive_matches_openssl, openssl_gen_params),
	KUNIT_CASE(expand_label_refuses_long_label),
	KUNIT_CASE(ku_new_checks_secret_length),
	{}
};

static struct kunit_suite keyupdate_suite = {
	.name = "ktlso_keyupdate",
	.test_cases = keyupdate_cases,
};

static int limit_suite_init(struct kunit_suite *suite)
{
	return ktlso_kunit_lo_up();
}

static struct kunit_case limit_cases_list[] = {
	KUNIT_CASE_PARAM(record_limit_is_within_rfc, limit_gen_params),
	KUNIT_CASE_PARAM(tx_updates_at_record_limit, limit_gen_params),
	{}
};

static struct kunit_suite limit_suite = {
	.name = "ktlso_keyupdate_limit",
	.suite_init = limit_suite_init,
	.test_cases = limit_cases_list,
};

kunit_test_suites(&keyupdate_suite, &limit_suite);
