// SPDX-License-Identifier: MIT
/*
 * userspace/lib/crypto/tls13_keysched.c against published traces:
 *  - RFC 8448 §3 "Simple 1-RTT Handshake" (TLS_AES_128_GCM_SHA256) and §4's
 *    PSK early secret; bytes as printed in the RFC.
 *  - "The Illustrated TLS 1.3 Connection", https://tls13.xargs.org/
 *    (TLS_AES_256_GCM_SHA384), the only published full trace with SHA-384.
 * Every chain starts from the trace's inputs (shared secret, transcript
 * hashes) and is compared step by step with the trace's outputs.
 */
#include <errno.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include "crypto/tls13_keysched.h"
#include "../lib/hex.h"

struct trace {
	const char *name;
	enum tls_hash hash;
	size_t key_len;
	const char *dhe, *early, *derived_hs, *handshake;
	const char *hello_hash, *c_hs, *s_hs;
	const char *c_hs_key, *c_hs_iv, *s_hs_key, *s_hs_iv;
	const char *c_finished_key, *s_finished_key; /* NULL: not published */
	const char *cert_verify_hash, *s_verify_data; /* NULL: not published */
	const char *derived_master, *master;
	const char *server_finished_hash, *c_ap, *s_ap, *c_verify_data;
	const char *c_ap_key, *c_ap_iv, *s_ap_key, *s_ap_iv;
};

static const struct trace traces[] = {
	{
		.name = "RFC 8448 §3",
		.hash = TLS_HASH_SHA256,
		.key_len = 16,
		.dhe = "8b d4 05 4f b5 5b 9d 63 fd fb ac f9 f0 4b 9f 0d 35 e6 d6 3f 53 75 63 ef d4 62 72 90 0f 89 49 2d",
		.early = "33 ad 0a 1c 60 7e c0 3b 09 e6 cd 98 93 68 0c e2 10 ad f3 00 aa 1f 26 60 e1 b2 2e 10 f1 70 f9 2a",
		.derived_hs = "6f 26 15 a1 08 c7 02 c5 67 8f 54 fc 9d ba b6 97 16 c0 76 18 9c 48 25 0c eb ea c3 57 6c 36 11 ba",
		.handshake = "1d c8 26 e9 36 06 aa 6f dc 0a ad c1 2f 74 1b 01 04 6a a6 b9 9f 69 1e d2 21 a9 f0 ca 04 3f be ac",
		.hello_hash = "86 0c 06 ed c0 78 58 ee 8e 78 f0 e7 42 8c 58 ed d6 b4 3f 2c a3 e6 e9 5f 02 ed 06 3c f0 e1 ca d8",
		.c_hs = "b3 ed db 12 6e 06 7f 35 a7 80 b3 ab f4 5e 2d 8f 3b 1a 95 07 38 f5 2e 96 00 74 6a 0e 27 a5 5a 21",
		.s_hs = "b6 7b 7d 69 0c c1 6c 4e 75 e5 42 13 cb 2d 37 b4 e9 c9 12 bc de d9 10 5d 42 be fd 59 d3 91 ad 38",
		.c_hs_key = "db fa a6 93 d1 76 2c 5b 66 6a f5 d9 50 25 8d 01",
		.c_hs_iv = "5b d3 c7 1b 83 6e 0b 76 bb 73 26 5f",
		.s_hs_key = "3f ce 51 60 09 c2 17 27 d0 f2 e4 e8 6e e4 03 bc",
		.s_hs_iv = "5d 31 3e b2 67 12 76 ee 13 00 0b 30",
		.c_finished_key = "b8 0a d0 10 15 fb 2f 0b d6 5f f7 d4 da 5d 6b f8 3f 84 82 1d 1f 87 fd c7 d3 c7 5b 5a 7b 42 d9 c4",
		.s_finished_key = "00 8d 3b 66 f8 16 ea 55 9f 96 b5 37 e8 85 c3 1f c0 68 bf 49 2c 65 2f 01 f2 88 a1 d8 cd c1 9f c8",
		.derived_master = "43 de 77 e0 c7 77 13 85 9a 94 4d b9 db 25 90 b5 31 90 a6 5b 3e e2 e4 f1 2d d7 a0 bb 7c e2 54 b4",
		.master = "18 df 06 84 3d 13 a0 8b f2 a4 49 84 4c 5f 8a 47 80 01 bc 4d 4c 62 79 84 d5 a4 1d a8 d0 40 29 19",
		.server_finished_hash = "96 08 10 2a 0f 1c cc 6d b6 25 0b 7b 7e 41 7b 1a 00 0e aa da 3d aa e4 77 7a 76 86 c9 ff 83 df 13",
		.c_ap = "9e 40 64 6c e7 9a 7f 9d c0 5a f8 88 9b ce 65 52 87 5a fa 0b 06 df 00 87 f7 92 eb b7 c1 75 04 a5",
		.s_ap = "a1 1a f9 f0 55 31 f8 56 ad 47 11 6b 45 a9 50 32 82 04 b4 f4 4b fb 6b 3a 4b 4f 1f 3f cb 63 16 43",
		.c_verify_data = "a8 ec 43 6d 67 76 34 ae 52 5a c1 fc eb e1 1a 03 9e c1 76 94 fa c6 e9 85 27 b6 42 f2 ed d5 ce 61",
		.c_ap_key = "17 42 2d da 59 6e d5 d9 ac d8 90 e3 c6 3f 50 51",
		.c_ap_iv = "5b 78 92 3d ee 08 57 90 33 e5 23 d9",
		.s_ap_key = "9f 02 28 3b 6c 9c 07 ef c2 6b b9 f2 ac 92 e3 56",
		.s_ap_iv = "cf 78 2b 88 dd 83 54 9a ad f1 e9 84",
	},
	{
		.name = "tls13.xargs.org",
		.hash = TLS_HASH_SHA384,
		.key_len = 32,
		.dhe = "df4a291baa1eb7cfa6934b29b474baad2697e29f1f920dcc77c8a0a088447624",
		.early = "7ee8206f5570023e6dc7519eb1073bc4e791ad37b5c382aa10ba18e2357e716971f9362f2c2fe2a76bfd78dfec4ea9b5",
		.derived_hs = "1591dac5cbbf0330a4a84de9c753330e92d01f0a88214b4464972fd668049e93e52f2b16fad922fdc0584478428f282b",
		.handshake = "bdbbe8757494bef20de932598294ea65b5e6bf6dc5c02a960a2de2eaa9b07c929078d2caa0936231c38d1725f179d299",
		.hello_hash = "e05f64fcd082bdb0dce473adf669c2769f257a1c75a51b7887468b5e0e7a7de4f4d34555112077f16e079019d5a845bd",
		.c_hs = "db89d2d6df0e84fed74a2288f8fd4d0959f790ff23946cdf4c26d85e51bebd42ae184501972f8d30c4a3e4a3693d0ef0",
		.s_hs = "23323da031634b241dd37d61032b62a4f450584d1f7f47983ba2f7cc0cdcc39a68f481f2b019f9403a3051908a5d1622",
		.c_hs_key = "1135b4826a9a70257e5a391ad93093dfd7c4214812f493b3e3daae1eb2b1ac69",
		.c_hs_iv = "4256d2e0e88babdd05eb2f27",
		.s_hs_key = "9f13575ce3f8cfc1df64a77ceaffe89700b492ad31b4fab01c4792be1b266b7f",
		.s_hs_iv = "9563bc8b590f671f488d2da3",
		.cert_verify_hash = "e50a22307719ae4a157cebd424331b060490c351244e15d8d6375518a74c555b0ebca6a7929e6acfc4845d4f6ec0b9b9",
		.s_verify_data = "7e30eeccb6b23be6c6ca363992e842da877ee64715ae7fc0cf87f9e5032182b5bb48d1e33f9979055a160c8dbbb1569c",
		.derived_master = "be3a8cdfcd10e46d3fe5d2902568518993ae43f2fb7c5438cde4776d1bc220242041a83f388266fd07b0177bf29e9486",
		.master = "2931209e1b7840e16d0d6bfd4bda1102f3a984f1162dc450f9606654f45bd55d9cb8857a8d14b59b98d7250fee55d3c3",
		.server_finished_hash = "fa6800169a6baac19159524fa7b9721b41be3c9db6f3f93fa5ff7e3db3ece204d2b456c51046e40ec5312c55a86126f5",
		.c_ap = "9e47af27cb60d818a9ea7d233cb5ed4cc525fcd74614fb24b0ee59acb8e5aa7ff8d88b89792114208fec291a6fa96bad",
		.s_ap = "86c967fd7747a36a0685b4ed8d0e6b4c02b4ddaf3cd294aa44e9f6b0183bf911e89a189ba5dfd71fccffb5cc164901f8",
		.c_verify_data = "bff56a671b6c659d0a7c5dd18428f58bdd38b184a3ce342d9fde95cbd5056f7da7918ee320eab7a93abd8f1c02454d27",
		.c_ap_key = "de2f4c7672723a692319873e5c227606691a32d1c59d8b9f51dbb9352e9ca9cc",
		.c_ap_iv = "bb007956f474b25de902432f",
		.s_ap_key = "01f78623f17e3edcc09e944027ba3218d57c8e0db93cd3ac419309274700ac27",
		.s_ap_iv = "196a750b0c5049c0cc51a541",
	},
};

static void check_key_iv(const struct trace *t, const struct secret *traffic,
			 const char *key_hex, const char *iv_hex,
			 const char *what)
{
	struct secret key SECRET_SCOPED = { 0 }, iv SECRET_SCOPED = { 0 };

	CHECK(tls13_traffic_key_iv(t->hash, traffic, t->key_len, 12, &key,
				   &iv) == 0,
	      "%s: %s key and IV derive", t->name, what);
	CHECK_SECRET(&key, key_hex, "%s: %s write key", t->name, what);
	CHECK_SECRET(&iv, iv_hex, "%s: %s write IV", t->name, what);
}

static void check_verify_data(const struct trace *t, const struct secret *base,
			      const char *hash_hex, const char *want_hex,
			      const char *what)
{
	struct secret vd SECRET_SCOPED = { 0 };
	struct hexbuf h = unhex(hash_hex);

	CHECK(tls13_finished_verify_data(t->hash, base, h.b, h.len, &vd) == 0,
	      "%s: %s Finished computes", t->name, what);
	CHECK_SECRET(&vd, want_hex, "%s: %s Finished verify_data", t->name,
		     what);
}

static void test_full_handshake(const struct trace *t)
{
	struct secret early SECRET_SCOPED = { 0 }, hs SECRET_SCOPED = { 0 };
	struct secret master SECRET_SCOPED = { 0 }, tmp SECRET_SCOPED = { 0 };
	struct secret c_hs SECRET_SCOPED = { 0 }, s_hs SECRET_SCOPED = { 0 };
	struct secret c_ap SECRET_SCOPED = { 0 }, s_ap SECRET_SCOPED = { 0 };
	struct hexbuf dhe = unhex(t->dhe), hello = unhex(t->hello_hash);
	struct hexbuf fin = unhex(t->server_finished_hash);
	uint8_t empty[TLS_HASH_MAX];

	/* No PSK: the early secret is Extract(0, 0). */
	CHECK(tls13_early_secret(t->hash, NULL, 0, &early) == 0,
	      "%s: early secret derives", t->name);
	CHECK_SECRET(&early, t->early, "%s: early secret", t->name);

	CHECK(tls_hash_digest(t->hash, NULL, 0, empty) == 0 &&
		      tls13_derive_secret(t->hash, &early, "derived", empty,
					  tls_hash_len(t->hash), &tmp) == 0,
	      "%s: \"derived\" from the early secret", t->name);
	CHECK_SECRET(&tmp, t->derived_hs, "%s: salt of the handshake secret",
		     t->name);

	CHECK(tls13_handshake_secret(t->hash, &early, dhe.b, dhe.len, &hs) == 0,
	      "%s: handshake secret derives", t->name);
	CHECK_SECRET(&hs, t->handshake, "%s: handshake secret", t->name);

	CHECK(tls13_handshake_traffic_secrets(t->hash, &hs, hello.b, hello.len,
					      &c_hs, &s_hs) == 0,
	      "%s: handshake traffic secrets derive", t->name);
	CHECK_SECRET(&c_hs, t->c_hs, "%s: client_handshake_traffic_secret",
		     t->name);
	CHECK_SECRET(&s_hs, t->s_hs, "%s: server_handshake_traffic_secret",
		     t->name);
	check_key_iv(t, &c_hs, t->c_hs_key, t->c_hs_iv, "client handshake");
	check_key_iv(t, &s_hs, t->s_hs_key, t->s_hs_iv, "server handshake");

	if (t->c_finished_key) {
		CHECK(tls13_finished_key(t->hash, &c_hs, &tmp) == 0,
		      "%s: client finished_key derives", t->name);
		CHECK_SECRET(&tmp, t->c_finished_key,
			     "%s: client finished_key", t->name);
		CHECK(tls13_finished_key(t->hash, &s_hs, &tmp) == 0,
		      "%s: server finished_key derives", t->name);
		CHECK_SECRET(&tmp, t->s_finished_key,
			     "%s: server finished_key", t->name);
	}
	if (t->s_verify_data)
		check_verify_data(t, &s_hs, t->cert_verify_hash,
				  t->s_verify_data, "server");
	/* The client's Finished covers the transcript up to the server's
	 * Finished: the same hash the application secrets use.
	 */
	check_verify_data(t, &c_hs, t->server_finished_hash, t->c_verify_data,
			  "client");

	CHECK(tls_hash_digest(t->hash, NULL, 0, empty) == 0 &&
		      tls13_derive_secret(t->hash, &hs, "derived", empty,
					  tls_hash_len(t->hash), &tmp) == 0,
	      "%s: \"derived\" from the handshake secret", t->name);
	CHECK_SECRET(&tmp, t->derived_master, "%s: salt of the master secret",
		     t->name);

	CHECK(tls13_master_secret(t->hash, &hs, &master) == 0,
	      "%s: master secret derives", t->name);
	CHECK_SECRET(&master, t->master, "%s: master secret", t->name);

	CHECK(tls13_application_traffic_secrets(t->hash, &master, fin.b,
						fin.len, &c_ap, &s_ap) == 0,
	      "%s: application traffic secrets derive", t->name);
	CHECK_SECRET(&c_ap, t->c_ap, "%s: client_application_traffic_secret_0",
		     t->name);
	CHECK_SECRET(&s_ap, t->s_ap, "%s: server_application_traffic_secret_0",
		     t->name);
	check_key_iv(t, &c_ap, t->c_ap_key, t->c_ap_iv, "client application");
	check_key_iv(t, &s_ap, t->s_ap_key, t->s_ap_iv, "server application");
}

/* RFC 8448 prints the HkdfLabel ("info") of each expansion it shows. */
static void test_hkdf_label_encoding(void)
{
	static const struct {
		uint16_t length;
		const char *label, *context, *info;
	} cases[] = {
		{ 16, "key", "", "00 10 09 74 6c 73 31 33 20 6b 65 79 00" },
		{ 12, "iv", "", "00 0c 08 74 6c 73 31 33 20 69 76 00" },
		{ 32, "finished", "",
		  "00 20 0e 74 6c 73 31 33 20 66 69 6e 69 73 68 65 64 00" },
		{ 32, "c hs traffic",
		  "86 0c 06 ed c0 78 58 ee 8e 78 f0 e7 42 8c 58 ed d6 b4 3f 2c a3 e6 e9 5f 02 ed 06 3c f0 e1 ca d8",
		  "00 20 12 74 6c 73 31 33 20 63 20 68 73 20 74 72 61 66 66 69 63 20 86 0c 06 ed c0 78 58 ee 8e 78 f0 e7 42 8c 58 ed d6 b4 3f 2c a3 e6 e9 5f 02 ed 06 3c f0 e1 ca d8" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hexbuf ctx = unhex(cases[i].context);
		uint8_t buf[TLS13_HKDF_LABEL_MAX];
		size_t used = 0;

		CHECK(tls13_hkdf_label(cases[i].length, cases[i].label, ctx.b,
				       ctx.len, buf, sizeof(buf), &used) == 0,
		      "HkdfLabel for \"%s\" encodes", cases[i].label);
		CHECK_HEX(buf, used, cases[i].info,
			  "HkdfLabel for \"%s\" is RFC 8448's info",
			  cases[i].label);
	}
}

/* RFC 8448 §3 and §4: the secrets derived from the master and early secrets
 * beyond the traffic secrets, through the generic Derive-Secret.
 */
static void test_other_derived_secrets(void)
{
	struct secret master SECRET_SCOPED = { 0 }, early SECRET_SCOPED = { 0 };
	struct secret out SECRET_SCOPED = { 0 };
	struct hexbuf ms = unhex(traces[0].master);
	struct hexbuf fin = unhex(traces[0].server_finished_hash);
	struct hexbuf cfin = unhex("20 91 45 a9 6e e8 e2 a1 22 ff 81 00 47 cc 95 26 84 65 8d 60 49 e8 64 29 42 6d b8 7c 54 ad 14 3d");
	struct hexbuf psk = unhex("4e cd 0e b6 ec 3b 4d 87 f5 d6 02 8f 92 2c a4 c5 85 1a 27 7f d4 13 11 c9 e6 2d 2c 94 92 e1 c4 f3");
	uint8_t empty[TLS_HASH_MAX];

	CHECK(secret_set(&master, ms.b, ms.len) == 0, "load RFC 8448 master");
	CHECK(tls13_derive_secret(TLS_HASH_SHA256, &master, "exp master", fin.b,
				  fin.len, &out) == 0,
	      "RFC 8448 §3: exporter_master_secret derives");
	CHECK_SECRET(&out, "fe 22 f8 81 17 6e da 18 eb 8f 44 52 9e 67 92 c5 0c 9a 3f 89 45 2f 68 d8 ae 31 1b 43 09 d3 cf 50",
		     "RFC 8448 §3: exporter_master_secret");
	CHECK(tls13_derive_secret(TLS_HASH_SHA256, &master, "res master",
				  cfin.b, cfin.len, &out) == 0,
	      "RFC 8448 §3: resumption_master_secret derives");
	CHECK_SECRET(&out, "7d f2 35 f2 03 1d 2a 05 12 87 d0 2b 02 41 b0 bf da f8 6c c8 56 23 1f 2d 5a ba 46 c4 34 ec 19 6c",
		     "RFC 8448 §3: resumption_master_secret");

	CHECK(tls13_early_secret(TLS_HASH_SHA256, psk.b, psk.len, &early) == 0,
	      "RFC 8448 §4: early secret from a PSK derives");
	CHECK_SECRET(&early, "9b 21 88 e9 b2 fc 6d 64 d7 1d c3 29 90 0e 20 bb 41 91 50 00 f6 78 aa 83 9c bb 79 7c b7 d8 33 2c",
		     "RFC 8448 §4: early secret from the resumption PSK");
	CHECK(tls_hash_digest(TLS_HASH_SHA256, NULL, 0, empty) == 0 &&
		      tls13_derive_secret(TLS_HASH_SHA256, &early, "res binder",
					  empty, 32, &out) == 0,
	      "RFC 8448 §4: binder key derives");
	CHECK_SECRET(&out, "69 fe 13 1a 3b ba d5 d6 3c 64 ee bc c3 0e 39 5b 9d 81 07 72 6a 13 d0 74 e3 89 db c8 a4 e4 72 56",
		     "RFC 8448 §4: binder key");
}

/* libcrypto's own TLS 1.3 KDF (RFC 8446 §7.1, independent of our HkdfLabel). */
static int openssl_expand_label(enum tls_hash hash, const struct secret *s,
				const char *label, struct secret *out)
{
	static const char prefix[] = "tls13 ";
	static uint8_t no_context[1]; /* libcrypto wants a pointer even for "" */
	int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "TLS13-KDF", NULL);
	EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	OSSL_PARAM p[] = {
		OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
		OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
						 (char *)tls_hash_name(hash), 0),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
						  (void *)s->bytes, s->len),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PREFIX,
						  (void *)prefix, 6),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_LABEL,
						  (void *)label, strlen(label)),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_DATA,
						  no_context, 0),
		OSSL_PARAM_construct_end(),
	};
	int ok = ctx && EVP_KDF_derive(ctx, out->bytes, s->len, p) == 1;

	out->len = ok ? s->len : 0;
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return ok ? 0 : -EIO;
}

/* Neither trace publishes a KeyUpdate, so "traffic upd" is cross-checked
 * against libcrypto's TLS13-KDF, generation by generation.
 */
static void test_key_update(const struct trace *t)
{
	struct secret cur SECRET_SCOPED = { 0 }, ref SECRET_SCOPED = { 0 };
	struct secret next SECRET_SCOPED = { 0 };
	struct hexbuf ap = unhex(t->s_ap);

	CHECK(secret_set(&cur, ap.b, ap.len) == 0 &&
		      secret_set(&ref, ap.b, ap.len) == 0,
	      "%s: load server_application_traffic_secret_0", t->name);
	for (int gen = 1; gen <= 2; gen++) {
		CHECK(openssl_expand_label(t->hash, &ref, "traffic upd",
					   &ref) == 0,
		      "%s: libcrypto TLS13-KDF gives generation %d", t->name,
		      gen);
		CHECK(tls13_next_traffic_secret(t->hash, &cur, &next) == 0 &&
			      next.len == ref.len &&
			      !memcmp(next.bytes, ref.bytes, ref.len),
		      "%s: KeyUpdate generation %d matches libcrypto", t->name,
		      gen);
		/* in place, as the engine will use it */
		CHECK(tls13_next_traffic_secret(t->hash, &cur, &cur) == 0 &&
			      secret_equals(&cur, next.bytes, next.len),
		      "%s: KeyUpdate in place gives the same secret", t->name);
	}
	CHECK(!secret_equals(&cur, ap.b, ap.len),
	      "%s: the updated secret differs from generation 0", t->name);
}

static void test_rejects_bad_input(void)
{
	struct secret s256 SECRET_SCOPED = { 0 }, out SECRET_SCOPED = { 0 };
	struct hexbuf ms = unhex(traces[0].master);
	uint8_t hash[TLS_HASH_MAX] = { 0 }, buf[TLS13_HKDF_LABEL_MAX];
	char label_249[250], label_250[251];
	size_t used;

	memset(label_249, 'x', sizeof(label_249) - 1);
	label_249[249] = '\0';
	memset(label_250, 'x', sizeof(label_250) - 1);
	label_250[250] = '\0';
	CHECK(secret_set(&s256, ms.b, ms.len) == 0, "load a SHA-256 secret");

	CHECK(tls13_early_secret(0, NULL, 0, &out) == -EOPNOTSUPP,
	      "hash 0 is not a hash: EOPNOTSUPP");
	CHECK(tls13_hkdf_expand_label(99, &s256, "key", NULL, 0, 16, &out) ==
		      -EOPNOTSUPP,
	      "unknown hash in Expand-Label: EOPNOTSUPP");
	CHECK(tls13_master_secret(7, &s256, &out) == -EOPNOTSUPP,
	      "unknown hash in the master secret: EOPNOTSUPP");

	CHECK(tls13_hkdf_expand_label(TLS_HASH_SHA256, &s256, "key", NULL, 0,
				      SECRET_MAX + 1, &out) == -EMSGSIZE,
	      "output longer than struct secret: EMSGSIZE");
	CHECK(tls13_hkdf_expand_label(TLS_HASH_SHA256, &s256, "key", NULL, 0,
				      SECRET_MAX, &out) == 0 &&
		      out.len == SECRET_MAX,
	      "output of exactly SECRET_MAX bytes is allowed");

	CHECK(tls13_hkdf_label(32, label_249, NULL, 0, buf, sizeof(buf),
			       &used) == 0 &&
		      used == 2 + 1 + 255 + 1 && buf[2] == 255,
	      "249-byte label makes the 255-byte maximum with \"tls13 \"");
	CHECK(tls13_hkdf_label(32, label_250, NULL, 0, buf, sizeof(buf),
			       &used) == -EINVAL,
	      "250-byte label exceeds label<7..255>: EINVAL");
	CHECK(tls13_hkdf_expand_label(TLS_HASH_SHA256, &s256, label_250, NULL,
				      0, 32, &out) == -EINVAL,
	      "Expand-Label refuses the over-long label: EINVAL");
	CHECK(tls13_hkdf_label(32, "", NULL, 0, buf, sizeof(buf), &used) ==
		      -EINVAL,
	      "empty label is under label<7..255>: EINVAL");
	CHECK(tls13_hkdf_label(32, "key", hash, 256, buf, sizeof(buf),
			       &used) == -EINVAL,
	      "256-byte context exceeds context<0..255>: EINVAL");
	CHECK(tls13_hkdf_label(32, "key", NULL, 0, buf, 12, &used) ==
		      -EMSGSIZE,
	      "HkdfLabel larger than the caller's buffer: EMSGSIZE");

	CHECK(tls13_hkdf_expand_label(TLS_HASH_SHA384, &s256, "key", NULL, 0,
				      32, &out) == -EINVAL,
	      "a SHA-256 secret in a SHA-384 schedule: EINVAL");
	CHECK(tls13_derive_secret(TLS_HASH_SHA256, &s256, "c hs traffic", hash,
				  48, &out) == -EINVAL,
	      "transcript hash of the wrong length: EINVAL");
	CHECK(tls13_finished_verify_data(TLS_HASH_SHA256, &s256, hash, 31,
					 &out) == -EINVAL,
	      "Finished over a short transcript hash: EINVAL");

	out.len = 5;
	out.bytes[0] = 0xaa;
	CHECK(tls13_handshake_traffic_secrets(TLS_HASH_SHA256, &s256, hash, 20,
					      &out, &out) == -EINVAL &&
		      out.len == 5 && out.bytes[0] == 0xaa,
	      "a failed derivation leaves its outputs untouched");
}

int main(void)
{
	for (size_t i = 0; i < sizeof(traces) / sizeof(traces[0]); i++) {
		test_full_handshake(&traces[i]);
		test_key_update(&traces[i]);
	}
	test_hkdf_label_encoding();
	test_other_derived_secrets();
	test_rejects_bad_input();
	return check_summary();
}
