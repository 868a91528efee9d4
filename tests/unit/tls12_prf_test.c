// SPDX-License-Identifier: MIT
/*
 * userspace/lib/crypto/tls12_prf.c against published vectors:
 *  - the P_SHA256 / P_SHA384 PRF vectors posted to the IETF TLS WG
 *    (https://www.ietf.org/mail-archive/web/tls/current/msg03416.html);
 *  - NIST CAVP SP 800-135 "TLS" KDF vectors, [TLS 1.2, SHA-256] and
 *    [TLS 1.2, SHA-384] COUNT=0 (master secret and 128-byte key block; the
 *    SHA-256 one is also in OpenSSL's test/recipes/30-test_evp_data/
 *    evpkdf_tls12_prf.txt);
 *  - "The Illustrated TLS 1.2 Connection", https://tls12.xargs.org/
 *    (master secret and the 104-byte key block of an AES-128-CBC-SHA suite);
 *  - the "extended master secret" KAT in OpenSSL's evpkdf_tls12_prf.txt.
 * The AEAD key/IV split is checked against slices of those published key
 * blocks, so no expected value here is computed by the code under test.
 */
#include <errno.h>
#include <string.h>

#include "crypto/tls12_prf.h"
#include "../lib/hex.h"

static void test_prf(void)
{
	static const struct {
		const char *name;
		enum tls_hash hash;
		const char *secret, *seed, *out;
	} cases[] = {
		{ "P_SHA256, 100 bytes", TLS_HASH_SHA256,
		  "9b be 43 6b a9 40 f0 17 b1 76 52 84 9a 71 db 35",
		  "a0 ba 9f 93 6c da 31 18 27 a6 f7 96 ff d5 19 8c",
		  "e3 f2 29 ba 72 7b e1 7b 8d 12 26 20 55 7c d4 53"
		  "c2 aa b2 1d 07 c3 d4 95 32 9b 52 d4 e6 1e db 5a"
		  "6b 30 17 91 e9 0d 35 c9 c9 a4 6b 4e 14 ba f9 af"
		  "0f a0 22 f7 07 7d ef 17 ab fd 37 97 c0 56 4b ab"
		  "4f bc 91 66 6e 9d ef 9b 97 fc e3 4f 79 67 89 ba"
		  "a4 80 82 d1 22 ee 42 c5 a7 2e 5a 51 10 ff f7 01"
		  "87 34 7b 66" },
		{ "P_SHA384, 148 bytes", TLS_HASH_SHA384,
		  "b8 0b 73 3d 6c ee fc dc 71 56 6e a4 8e 55 67 df",
		  "cd 66 5c f6 a8 44 7d d6 ff 8b 27 55 5e db 74 65",
		  "7b 0c 18 e9 ce d4 10 ed 18 04 f2 cf a3 4a 33 6a"
		  "1c 14 df fb 49 00 bb 5f d7 94 21 07 e8 1c 83 cd"
		  "e9 ca 0f aa 60 be 9f e3 4f 82 b1 23 3c 91 46 a0"
		  "e5 34 cb 40 0f ed 27 00 88 4f 9d c2 36 f8 0e dd"
		  "8b fa 96 11 44 c9 e8 d7 92 ec a7 22 a7 b3 2f c3"
		  "d4 16 d4 73 eb c2 c5 fd 4a bf da d0 5d 91 84 25"
		  "9b 5b f8 cd 4d 90 fa 0d 31 e2 de c4 79 e4 f1 a2"
		  "60 66 f2 ee a9 a6 92 36 a3 e5 26 55 c9 e9 ae e6"
		  "91 c8 f3 a2 68 54 30 8d 5e aa 3b e8 5e 09 90 70"
		  "3d 73 e5 6f" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hexbuf secret = unhex(cases[i].secret);
		struct hexbuf seed = unhex(cases[i].seed);
		struct hexbuf want = unhex(cases[i].out);
		uint8_t out[HEX_MAX];

		CHECK(tls12_prf(cases[i].hash, secret.b, secret.len,
				"test label", seed.b, seed.len, out,
				want.len) == 0,
		      "IETF TLS WG %s computes", cases[i].name);
		CHECK_HEX(out, want.len, cases[i].out, "IETF TLS WG %s",
			  cases[i].name);
	}
}

/* A full RFC 5246 derivation: master secret, then key block. */
struct derivation {
	const char *name;
	enum tls_hash hash;
	const char *pms, *client_hello_random, *server_hello_random, *master;
	/* CAVP uses fresh randoms for the key expansion; xargs reuses them */
	const char *client_random, *server_random, *key_block;
};

static const struct derivation derivations[] = {
	{
		.name = "CAVP [TLS 1.2, SHA-256] COUNT=0",
		.hash = TLS_HASH_SHA256,
		.pms = "f8938ecc9edebc5030c0c6a441e213cd24e6f770a50dda07876f8d55da062bcadb386b411fd4fe4313a604fce6c17fbc",
		.client_hello_random = "36c129d01a3200894b9179faac589d9835d58775f9b5ea3587cb8fd0364cae8c",
		.server_hello_random = "f6c9575ed7ddd73e1f7d16eca115415812a43c2b747daaaae043abfb50053fce",
		.master = "202c88c00f84a17a20027079604787461176455539e705be730890602c289a5001e34eeb3a043e5d52a65e66125188bf",
		.client_random = "62e1fd91f23f558a605f28478c58cf72637b89784d959df7e946d3f07bd1b616",
		.server_random = "ae6c806f8ad4d80784549dff28a4b58fd837681a51d928c3e30ee5ff14f39868",
		.key_block = "d06139889fffac1e3a71865f504aa5d0d2a2e89506c6f2279b670c3e1b74f531016a2530c51a3a0f7e1d6590d0f0566b2f387f8d11fd4f731cdd572d2eae927f6f2f81410b25e6960be68985add6c38445ad9f8c64bf8068bf9a6679485d966f1ad6f68b43495b10a683755ea2b858d70ccac7ec8b053c6bd41ca299d4e51928",
	},
	{
		.name = "CAVP [TLS 1.2, SHA-384] COUNT=0",
		.hash = TLS_HASH_SHA384,
		.pms = "a5e2642633f5b8c81ad3fe0c2fe3a8e5ef806b06121dd10df4bb0fe857bfdcf522558e05d2682c9a80c741a3aab1716f",
		.client_hello_random = "abe4bf5527429ac8eb13574d2709e8012bd1a113c6d3b1d3aa2c3840518778ac",
		.server_hello_random = "cb6e0b3eb02976b6466dfa9651c2919414f1648fd3a7838d02153e5bd39535b6",
		.master = "b4d49bfa87747fe815457bc3da15073d6ac73389e703079a3503c09e14bd559a5b3c7c601c7365f6ea8c68d3d9596827",
		.client_random = "954b5fe1849c2ede177438261f099a2fcd884d001b9fe1de754364b1f6a6dd8e",
		.server_random = "1b1c8568344a65c30828e7483c0e353e2c68641c9551efae6927d9cd627a107c",
		.key_block = "10fd89ef689c7ef033387b8a8f3e5e8e7c11f680f6bdd71fbac3246a73e98d45d03185dde686e6b2369e4503e9dc5a6d2cee3e2bf2fa3f41d3de57dff3e197c8a9d5f74cc2d277119d894f8584b07a0a5822f0bd68b3433ec6adaf5c9406c5f3ddbb71bbe17ce98f3d4d5893d3179ef369f57aad908e2bf710639100c3ce7e0c",
	},
	{
		.name = "tls12.xargs.org",
		.hash = TLS_HASH_SHA256,
		.pms = "df4a291baa1eb7cfa6934b29b474baad2697e29f1f920dcc77c8a0a088447624",
		.client_hello_random = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		.server_hello_random = "707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f",
		.master = "916abf9da55973e13614ae0a3f5d3f37b023ba129aee02cc9134338127cd7049781c8e19fc1eb2a7387ac06ae237344c",
		.client_random = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		.server_random = "707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f",
		/* client/server MAC keys, write keys, IVs as the page lists them */
		.key_block = "1b7d117c7d5f690bc263cae8ef60af0f1878acc2"
			     "2ad8bdd8c601a617126f63540eb20906f781fad2"
			     "f656d037b173ef3e11169f27231a84b6"
			     "752a18e7a9fcb7cbcdd8f98dd8f769eb"
			     "a0d2550c9238eebfef5c32251abb67d6"
			     "434528db4937d540d393135e06a11bb8",
	},
};

static void test_derivation(const struct derivation *d)
{
	struct secret master SECRET_SCOPED = { 0 };
	struct hexbuf pms = unhex(d->pms), kb = unhex(d->key_block);
	struct hexbuf chr = unhex(d->client_hello_random);
	struct hexbuf shr = unhex(d->server_hello_random);
	struct hexbuf cr = unhex(d->client_random);
	struct hexbuf sr = unhex(d->server_random);
	uint8_t block[HEX_MAX];

	CHECK(tls12_master_secret(d->hash, pms.b, pms.len, chr.b, shr.b,
				  &master) == 0,
	      "%s: master secret derives", d->name);
	CHECK_SECRET(&master, d->master, "%s: master secret", d->name);

	CHECK(tls12_key_block(d->hash, &master, sr.b, cr.b, block, kb.len) == 0,
	      "%s: %zu-byte key block derives", d->name, kb.len);
	CHECK_HEX(block, kb.len, d->key_block, "%s: key block", d->name);
}

/* Does s hold block[*pos..*pos+n)? Advances *pos like the split does. */
static int is_slice(const struct secret *s, const struct hexbuf *block,
		    size_t *pos, size_t n)
{
	int ok = *pos + n <= block->len && secret_equals(s, block->b + *pos, n);

	*pos += n;
	return ok;
}

static void test_aead_split(void)
{
	/* Real suites: ECDHE_*_WITH_AES_128_GCM_SHA256,
	 * ECDHE_*_WITH_CHACHA20_POLY1305_SHA256, ECDHE_*_WITH_AES_256_GCM_SHA384.
	 */
	static const struct {
		const char *name;
		enum tls12_aead aead;
		const struct derivation *d;
		size_t key_len, iv_len;
	} cases[] = {
		{ "AES-128-GCM", TLS12_AES_128_GCM, &derivations[0], 16, 4 },
		{ "ChaCha20-Poly1305", TLS12_CHACHA20_POLY1305, &derivations[0],
		  32, 12 },
		{ "AES-256-GCM", TLS12_AES_256_GCM, &derivations[1], 32, 4 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct derivation *d = cases[i].d;
		struct tls12_aead_keys k = { 0 };
		struct secret master SECRET_SCOPED = { 0 };
		struct hexbuf ms = unhex(d->master), kb = unhex(d->key_block);
		struct hexbuf cr = unhex(d->client_random);
		struct hexbuf sr = unhex(d->server_random);
		size_t key = cases[i].key_len, iv = cases[i].iv_len, pos = 0;

		CHECK(secret_set(&master, ms.b, ms.len) == 0 &&
			      tls12_aead_keys(d->hash, cases[i].aead, &master,
					      cr.b, sr.b, &k) == 0,
		      "%s keys from %s derive", cases[i].name, d->name);
		CHECK(is_slice(&k.client_key, &kb, &pos, key),
		      "%s: client_write_key is key_block[0..%zu)",
		      cases[i].name, key);
		CHECK(is_slice(&k.server_key, &kb, &pos, key),
		      "%s: server_write_key follows it", cases[i].name);
		CHECK(is_slice(&k.client_iv, &kb, &pos, iv),
		      "%s: %zu-byte client_write_IV follows", cases[i].name, iv);
		CHECK(is_slice(&k.server_iv, &kb, &pos, iv),
		      "%s: %zu-byte server_write_IV follows", cases[i].name, iv);
		tls12_aead_keys_wipe(&k);
		CHECK(k.client_key.len == 0 && k.server_iv.len == 0 &&
			      k.client_key.bytes[0] == 0,
		      "%s: wiping the keys zeroes them", cases[i].name);
	}
}

static void test_extended_master_secret(void)
{
	struct secret ems SECRET_SCOPED = { 0 }, ms SECRET_SCOPED = { 0 };
	struct hexbuf pms = unhex("0102030405060708090a0b");
	struct hexbuf cr = unhex(derivations[0].client_hello_random);
	struct hexbuf sr = unhex(derivations[0].server_hello_random);
	uint8_t session_hash[64];

	/* OpenSSL's KAT feeds client_random + server_random as the seed. */
	memcpy(session_hash, cr.b, 32);
	memcpy(session_hash + 32, sr.b, 32);
	CHECK(tls12_extended_master_secret(TLS_HASH_SHA256, pms.b, pms.len,
					   session_hash, sizeof(session_hash),
					   &ems) == 0,
	      "extended master secret derives");
	CHECK_SECRET(&ems, "8cb203c99a13871fd96cecd2770720df3c4ebd49e1cbc956fddb400f9c051fb69b63d7abb2f996f4e4d1ac0e9153f51b",
		     "extended master secret is OpenSSL's KAT");
	CHECK(tls12_master_secret(TLS_HASH_SHA256, pms.b, pms.len, cr.b, sr.b,
				  &ms) == 0 &&
		      !secret_equals(&ms, ems.bytes, ems.len),
	      "the plain master secret over the same bytes differs");
}

static void test_finished(void)
{
	struct secret master SECRET_SCOPED = { 0 };
	struct hexbuf ms = unhex(derivations[0].master);
	uint8_t hash[32], client[12], server[12], prf[12];

	/* No published Finished vector: the wiring (label, seed, 12 bytes) is
	 * checked against the PRF, which the vectors above pin down.
	 */
	for (size_t i = 0; i < sizeof(hash); i++)
		hash[i] = (uint8_t)i;
	CHECK(secret_set(&master, ms.b, ms.len) == 0 &&
		      tls12_finished_verify_data(TLS_HASH_SHA256, &master,
						 TLS12_CLIENT, hash, 32,
						 client) == 0 &&
		      tls12_prf(TLS_HASH_SHA256, ms.b, ms.len,
				"client finished", hash, 32, prf, 12) == 0 &&
		      !memcmp(client, prf, 12),
	      "client verify_data is PRF(master, \"client finished\", hash)[0..11]");
	CHECK(tls12_finished_verify_data(TLS_HASH_SHA256, &master, TLS12_SERVER,
					 hash, 32, server) == 0 &&
		      tls12_prf(TLS_HASH_SHA256, ms.b, ms.len,
				"server finished", hash, 32, prf, 12) == 0 &&
		      !memcmp(server, prf, 12) && memcmp(client, server, 12),
	      "server verify_data uses \"server finished\" and differs");
}

static void test_rejects_bad_input(void)
{
	struct secret master SECRET_SCOPED = { 0 }, out SECRET_SCOPED = { 0 };
	struct tls12_aead_keys k = { 0 };
	uint8_t buf[128] = { 0 }, random[32] = { 0 }, vd[12];
	struct hexbuf ms = unhex(derivations[0].master);

	CHECK(secret_set(&master, ms.b, ms.len) == 0, "load a master secret");
	CHECK(tls12_prf(0, buf, 16, "test label", NULL, 0, buf, 16) ==
		      -EOPNOTSUPP,
	      "PRF with hash 0: EOPNOTSUPP");
	CHECK(tls12_master_secret(9, buf, 48, random, random, &out) ==
		      -EOPNOTSUPP,
	      "master secret with an unknown hash: EOPNOTSUPP");
	CHECK(tls12_aead_keys(TLS_HASH_SHA256, 0, &master, random, random,
			      &k) == -EOPNOTSUPP,
	      "AEAD 0 is not an AEAD: EOPNOTSUPP");
	CHECK(tls12_prf(TLS_HASH_SHA256, buf, 16, "test label", buf,
			TLS12_PRF_SEED_MAX - 9, buf, 16) == -EMSGSIZE,
	      "label + seed over TLS12_PRF_SEED_MAX: EMSGSIZE");
	CHECK(tls12_prf(TLS_HASH_SHA256, buf, 16, "", buf, 16, buf, 16) ==
		      -EINVAL,
	      "PRF with an empty label: EINVAL");

	master.len = 32;
	CHECK(tls12_key_block(TLS_HASH_SHA256, &master, random, random, buf,
			      40) == -EINVAL,
	      "key block from a 32-byte master secret: EINVAL");
	master.len = 48;
	CHECK(tls12_finished_verify_data(TLS_HASH_SHA384, &master, TLS12_CLIENT,
					 buf, 32, vd) == -EINVAL,
	      "Finished over a SHA-256 hash with the SHA-384 PRF: EINVAL");
	CHECK(tls12_extended_master_secret(TLS_HASH_SHA256, buf, 48, NULL, 0,
					   &out) == -EINVAL,
	      "extended master secret without a session hash: EINVAL");

	out.len = 3;
	out.bytes[0] = 0x5a;
	CHECK(tls12_master_secret(0, buf, 48, random, random, &out) ==
		      -EOPNOTSUPP && out.len == 3 && out.bytes[0] == 0x5a,
	      "a failed derivation leaves its output untouched");
}

int main(void)
{
	test_prf();
	for (size_t i = 0; i < sizeof(derivations) / sizeof(derivations[0]); i++)
		test_derivation(&derivations[i]);
	test_aead_split();
	test_extended_master_secret();
	test_finished();
	test_rejects_bad_input();
	return check_summary();
}
