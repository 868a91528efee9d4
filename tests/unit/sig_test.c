// SPDX-License-Identifier: MIT
/*
 * userspace/lib/crypto/sig.c against:
 *  - the `openssl` command as an independent signer and verifier, for every
 *    scheme (dgst with PSS salt = digest length, pkeyutl -rawin for
 *    Ed25519), with keys generated in-process;
 *  - RFC 8448 §3: the server's CertificateVerify (rsa_pss_rsae_sha256),
 *    verified over the content sig_tls13_content() builds from the trace's
 *    own handshake messages and with the key in its Certificate;
 *  - RFC 8446 §4.4.3's worked example of the signed content;
 * plus the scheme/key/version rules of RFC 8446 §4.2.3, §4.4.3 and
 * RFC 5246 §7.4.1.4.1, and our preference order in sig_pick().
 */
#include <errno.h>
#include <string.h>

#include <openssl/x509.h>

#include "crypto/sig.h"
#include "../lib/hex.h"
#include "../lib/openssl_cli.h"

enum { K_P256, K_P384, K_RSA, K_ED25519, K_N };

static const char *const key_names[K_N] = { "p256", "p384", "rsa",
					    "ed25519" };
static EVP_PKEY *keys[K_N];

static const struct scheme_case {
	uint16_t scheme;
	int key;
	const char *dgst_opts; /* openssl dgst options; NULL: EdDSA */
} cases[] = {
	{ TLS_SIG_ECDSA_SECP256R1_SHA256, K_P256, "-sha256" },
	{ TLS_SIG_ECDSA_SECP384R1_SHA384, K_P384, "-sha384" },
	{ TLS_SIG_RSA_PSS_RSAE_SHA256, K_RSA,
	  "-sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest" },
	{ TLS_SIG_RSA_PSS_RSAE_SHA384, K_RSA,
	  "-sha384 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest" },
	{ TLS_SIG_RSA_PKCS1_SHA256, K_RSA, "-sha256" },
	{ TLS_SIG_RSA_PKCS1_SHA384, K_RSA, "-sha384" },
	{ TLS_SIG_ED25519, K_ED25519, NULL },
};

static const uint8_t msg[] = "ServerKeyExchange params signed by ktlso";

#define SIG_BUF 1024

static int make_keys(void)
{
	char name[32];

	keys[K_P256] = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	keys[K_P384] = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	keys[K_RSA] = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	keys[K_ED25519] = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	for (int k = 0; k < K_N; k++) {
		if (!keys[k])
			return -EIO;
		snprintf(name, sizeof(name), "%s.key", key_names[k]);
		TRY(cli_write_key(name, keys[k], true));
		snprintf(name, sizeof(name), "%s.pub", key_names[k]);
		TRY(cli_write_key(name, keys[k], false));
	}
	return cli_write("msg", msg, sizeof(msg));
}

static void test_round_trip(const struct scheme_case *c)
{
	const char *name = sig_scheme_name(c->scheme);
	EVP_PKEY *key = keys[c->key];
	uint8_t sig[SIG_BUF], other[sizeof(msg)];
	size_t len = 0, small = 0;

	CHECK(sig_sign(key, c->scheme, msg, sizeof(msg), sig, sizeof(sig),
		       &len) == 0 && len > 0,
	      "%s: signs (%zu bytes)", name, len);
	CHECK(sig_verify(key, c->scheme, msg, sizeof(msg), sig, len) == 0,
	      "%s: own signature verifies", name);

	memcpy(other, msg, sizeof(msg));
	other[0] ^= 0x01;
	CHECK(sig_verify(key, c->scheme, other, sizeof(other), sig, len) ==
		      -EBADMSG,
	      "%s: signature over other data: EBADMSG", name);
	sig[len / 2] ^= 0x10;
	CHECK(sig_verify(key, c->scheme, msg, sizeof(msg), sig, len) ==
		      -EBADMSG,
	      "%s: tampered signature: EBADMSG", name);
	sig[len / 2] ^= 0x10;
	CHECK(sig_verify(key, c->scheme, msg, sizeof(msg), sig, len - 1) ==
		      -EBADMSG,
	      "%s: truncated signature: EBADMSG", name);
	CHECK(sig_verify(key, c->scheme, msg, sizeof(msg), sig, 0) == -EBADMSG,
	      "%s: empty signature: EBADMSG", name);
	CHECK(sig_sign(key, c->scheme, msg, sizeof(msg), sig,
		       (size_t)EVP_PKEY_get_size(key) - 1, &small) == -EMSGSIZE,
	      "%s: buffer below EVP_PKEY_get_size: EMSGSIZE", name);
}

/* openssl signs, we verify. */
static void test_openssl_signs(const struct scheme_case *c)
{
	const char *name = sig_scheme_name(c->scheme), *k = key_names[c->key];
	uint8_t sig[SIG_BUF];
	size_t len = 0;
	bool ran;

	/* a fresh file per scheme, so a failed run cannot reuse the last */
	if (c->dgst_opts)
		ran = CLI_OK("rm -f theirs.sig && openssl dgst %s -sign %s.key "
			     "-out theirs.sig msg", c->dgst_opts, k);
	else
		ran = CLI_OK("rm -f theirs.sig && openssl pkeyutl -sign -rawin "
			     "-inkey %s.key -in msg -out theirs.sig", k);
	CHECK(ran && cli_read("theirs.sig", sig, sizeof(sig), &len) == 0,
	      "%s: openssl command signs", name);
	CHECK(ran && sig_verify(keys[c->key], c->scheme, msg, sizeof(msg), sig,
				len) == 0,
	      "%s: openssl's signature verifies", name);
	CHECK(ran && sig_verify(keys[c->key], c->scheme, msg, sizeof(msg) - 1,
				sig, len) == -EBADMSG,
	      "%s: openssl's signature over other data: EBADMSG", name);
}

static int openssl_verify(const struct scheme_case *c, const char *sigfile)
{
	const char *k = key_names[c->key];

	if (c->dgst_opts)
		return cli_run("openssl dgst %s -verify %s.pub -signature %s msg",
			       c->dgst_opts, k, sigfile);
	return cli_run("openssl pkeyutl -verify -rawin -pubin -inkey %s.pub "
		       "-in msg -sigfile %s", k, sigfile);
}

/* We sign, openssl verifies, and rejects the same signature tampered. */
static void test_openssl_verifies(const struct scheme_case *c)
{
	const char *name = sig_scheme_name(c->scheme);
	uint8_t sig[SIG_BUF];
	size_t len = 0;
	int st;

	CHECK(sig_sign(keys[c->key], c->scheme, msg, sizeof(msg), sig,
		       sizeof(sig), &len) == 0 &&
		      cli_write("ours.sig", sig, len) == 0,
	      "%s: sign for the openssl command", name);
	st = openssl_verify(c, "ours.sig");
	CHECK(st == 0, "%s: openssl command verifies our signature", name);
	if (st)
		cli_show_log();
	sig[len - 1] ^= 0x01;
	CHECK(cli_write("bad.sig", sig, len) == 0 &&
		      openssl_verify(c, "bad.sig") == 1,
	      "%s: openssl command rejects it tampered (control)", name);
}

/* RFC 8446 §4.2.3: the PSS salt is exactly the hash length. */
static void test_pss_salt_length(void)
{
	static const char *const salts[] = { "max", "0", "20" };
	uint8_t sig[SIG_BUF];
	size_t len = 0;

	for (size_t i = 0; i < sizeof(salts) / sizeof(salts[0]); i++) {
		bool ran = CLI_OK("openssl dgst -sha256 -sigopt "
				  "rsa_padding_mode:pss -sigopt "
				  "rsa_pss_saltlen:%s -sign rsa.key -out "
				  "salt.sig msg", salts[i]);

		CHECK(ran && cli_read("salt.sig", sig, sizeof(sig), &len) == 0 &&
			      sig_verify(keys[K_RSA],
					 TLS_SIG_RSA_PSS_RSAE_SHA256, msg,
					 sizeof(msg), sig, len) == -EBADMSG,
		      "rsa_pss_rsae_sha256 with salt length %s: EBADMSG",
		      salts[i]);
	}
}

/* A signature is tied to its scheme, not only to the key. */
static void test_cross_scheme(void)
{
	uint8_t sig[SIG_BUF];
	size_t len = 0;

	CHECK(sig_sign(keys[K_RSA], TLS_SIG_RSA_PSS_RSAE_SHA256, msg,
		       sizeof(msg), sig, sizeof(sig), &len) == 0,
	      "sign with rsa_pss_rsae_sha256");
	CHECK(sig_verify(keys[K_RSA], TLS_SIG_RSA_PKCS1_SHA256, msg,
			 sizeof(msg), sig, len) == -EBADMSG,
	      "PSS signature checked as rsa_pkcs1_sha256: EBADMSG");
	CHECK(sig_verify(keys[K_RSA], TLS_SIG_RSA_PSS_RSAE_SHA384, msg,
			 sizeof(msg), sig, len) == -EBADMSG,
	      "SHA-256 PSS signature checked as rsa_pss_rsae_sha384: EBADMSG");
	CHECK(sig_sign(keys[K_P256], TLS_SIG_ECDSA_SECP256R1_SHA256, msg,
		       sizeof(msg), sig, sizeof(sig), &len) == 0 &&
		      sig_verify(keys[K_P256], TLS_SIG_ECDSA_SECP384R1_SHA384,
				 msg, sizeof(msg), sig, len) == -EBADMSG,
	      "ECDSA SHA-256 signature checked with SHA-384: EBADMSG");
}

static void test_wrong_key(void)
{
	static const struct {
		int key;
		uint16_t scheme;
	} bad[] = {
		{ K_RSA, TLS_SIG_ECDSA_SECP256R1_SHA256 },
		{ K_ED25519, TLS_SIG_ECDSA_SECP384R1_SHA384 },
		{ K_P256, TLS_SIG_RSA_PSS_RSAE_SHA256 },
		{ K_P256, TLS_SIG_RSA_PKCS1_SHA256 },
		{ K_P384, TLS_SIG_ED25519 },
		{ K_RSA, TLS_SIG_ED25519 },
		{ K_RSA, 0x0201 },	/* rsa_pkcs1_sha1: not offered */
		{ K_RSA, 0x0809 },	/* rsa_pss_pss_sha256: not offered */
		{ K_P256, 0x0203 },	/* ecdsa_sha1 */
	};
	uint8_t sig[SIG_BUF];
	size_t len = 0;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EVP_PKEY *key = keys[bad[i].key];

		CHECK(sig_sign(key, bad[i].scheme, msg, sizeof(msg), sig,
			       sizeof(sig), &len) == -EINVAL,
		      "%s key, scheme 0x%04x: sign refuses with EINVAL",
		      key_names[bad[i].key], bad[i].scheme);
		CHECK(sig_verify(key, bad[i].scheme, msg, sizeof(msg), sig,
				 64) == -EINVAL,
		      "%s key, scheme 0x%04x: verify refuses with EINVAL",
		      key_names[bad[i].key], bad[i].scheme);
	}
}

static void test_fits_key(void)
{
	static const struct {
		int key;
		uint16_t scheme;
		bool tls13, tls12;
	} rules[] = {
		{ K_P256, TLS_SIG_ECDSA_SECP256R1_SHA256, true, true },
		/* RFC 8446 §4.2.3: curve fixed in 1.3; 1.2 pairs any curve */
		{ K_P256, TLS_SIG_ECDSA_SECP384R1_SHA384, false, true },
		{ K_P384, TLS_SIG_ECDSA_SECP384R1_SHA384, true, true },
		{ K_P384, TLS_SIG_ECDSA_SECP256R1_SHA256, false, true },
		{ K_RSA, TLS_SIG_RSA_PSS_RSAE_SHA256, true, true },
		{ K_RSA, TLS_SIG_RSA_PSS_RSAE_SHA384, true, true },
		/* RFC 8446 §4.4.3: no PKCS#1 v1.5 in CertificateVerify */
		{ K_RSA, TLS_SIG_RSA_PKCS1_SHA256, false, true },
		{ K_RSA, TLS_SIG_RSA_PKCS1_SHA384, false, true },
		{ K_ED25519, TLS_SIG_ED25519, true, true },
		{ K_RSA, TLS_SIG_ECDSA_SECP256R1_SHA256, false, false },
		{ K_P256, TLS_SIG_RSA_PSS_RSAE_SHA256, false, false },
		{ K_ED25519, TLS_SIG_ECDSA_SECP256R1_SHA256, false, false },
		{ K_P256, TLS_SIG_ED25519, false, false },
		{ K_RSA, 0x0201, false, false },
		{ K_RSA, 0x0000, false, false },
	};

	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		EVP_PKEY *key = keys[rules[i].key];
		uint16_t s = rules[i].scheme;

		CHECK(sig_scheme_fits_key(key, s, TLS_VERSION_1_3) ==
			      rules[i].tls13,
		      "TLS 1.3: %s key %s %s", key_names[rules[i].key],
		      rules[i].tls13 ? "fits" : "does not fit",
		      sig_scheme_name(s));
		CHECK(sig_scheme_fits_key(key, s, TLS_VERSION_1_2) ==
			      rules[i].tls12,
		      "TLS 1.2: %s key %s %s", key_names[rules[i].key],
		      rules[i].tls12 ? "fits" : "does not fit",
		      sig_scheme_name(s));
	}
	CHECK(!sig_scheme_fits_key(keys[K_RSA], TLS_SIG_RSA_PKCS1_SHA256,
				   TLS_VERSION_1_0),
	      "TLS 1.0 has no signature schemes");
}

static void test_pick(void)
{
	static const uint16_t pkcs1_first[] = {
		TLS_SIG_RSA_PKCS1_SHA256, TLS_SIG_RSA_PSS_RSAE_SHA384,
		TLS_SIG_RSA_PSS_RSAE_SHA256, TLS_SIG_ECDSA_SECP256R1_SHA256,
	};
	static const uint16_t pkcs1_only[] = { TLS_SIG_RSA_PKCS1_SHA384,
					       TLS_SIG_RSA_PKCS1_SHA256 };
	static const uint16_t p256_sha[] = { TLS_SIG_ECDSA_SECP256R1_SHA256 };
	static const uint16_t both_ec[] = { TLS_SIG_ECDSA_SECP256R1_SHA256,
					    TLS_SIG_ECDSA_SECP384R1_SHA384 };
	static const uint16_t openssl_default[] = {
		0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0809, 0x080a, 0x080b,
		0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601,
	};
	uint16_t s = 0;

	CHECK(sig_pick(keys[K_RSA], TLS_VERSION_1_3, pkcs1_first, 4, &s) == 0 &&
		      s == TLS_SIG_RSA_PSS_RSAE_SHA256,
	      "RSA, TLS 1.3: our first choice rsa_pss_rsae_sha256 wins over "
	      "the peer's order");
	CHECK(sig_pick(keys[K_RSA], TLS_VERSION_1_3, pkcs1_only, 2, &s) ==
		      -ENOENT,
	      "RSA, TLS 1.3, peer offers only PKCS#1: ENOENT");
	CHECK(sig_pick(keys[K_RSA], TLS_VERSION_1_2, pkcs1_only, 2, &s) == 0 &&
		      s == TLS_SIG_RSA_PKCS1_SHA256,
	      "RSA, TLS 1.2, peer offers only PKCS#1: rsa_pkcs1_sha256");
	CHECK(sig_pick(keys[K_P384], TLS_VERSION_1_3, p256_sha, 1, &s) ==
		      -ENOENT,
	      "P-384, TLS 1.3, peer offers only the P-256 scheme: ENOENT");
	CHECK(sig_pick(keys[K_P384], TLS_VERSION_1_2, p256_sha, 1, &s) == 0 &&
		      s == TLS_SIG_ECDSA_SECP256R1_SHA256,
	      "P-384, TLS 1.2, peer offers only SHA-256 ECDSA: it is used");
	CHECK(sig_pick(keys[K_P384], TLS_VERSION_1_2, both_ec, 2, &s) == 0 &&
		      s == TLS_SIG_ECDSA_SECP384R1_SHA384,
	      "P-384, TLS 1.2: the scheme naming our curve is preferred");
	CHECK(sig_pick(keys[K_P256], TLS_VERSION_1_3, openssl_default, 14,
		       &s) == 0 &&
		      s == TLS_SIG_ECDSA_SECP256R1_SHA256,
	      "P-256 against OpenSSL's default list: ecdsa_secp256r1_sha256");
	CHECK(sig_pick(keys[K_P384], TLS_VERSION_1_3, openssl_default, 14,
		       &s) == 0 &&
		      s == TLS_SIG_ECDSA_SECP384R1_SHA384,
	      "P-384 against OpenSSL's default list: ecdsa_secp384r1_sha384");
	CHECK(sig_pick(keys[K_ED25519], TLS_VERSION_1_3, openssl_default, 14,
		       &s) == 0 && s == TLS_SIG_ED25519,
	      "Ed25519 against OpenSSL's default list: ed25519");
	CHECK(sig_pick(keys[K_RSA], TLS_VERSION_1_2, openssl_default, 14,
		       &s) == 0 &&
		      s == TLS_SIG_RSA_PSS_RSAE_SHA256,
	      "RSA, TLS 1.2 against OpenSSL's default list: rsa_pss_rsae_sha256");
	CHECK(sig_pick(keys[K_ED25519], TLS_VERSION_1_3, both_ec, 2, &s) ==
		      -ENOENT,
	      "Ed25519 key, peer offers only ECDSA: ENOENT");
	CHECK(sig_pick(keys[K_RSA], TLS_VERSION_1_2, NULL, 0, &s) == -ENOENT,
	      "empty peer list: ENOENT");
}

static void test_default_schemes(void)
{
	bool known = true, unique = true, has_pkcs1 = false;

	for (size_t i = 0; i < sig_default_schemes_len; i++) {
		known &= strcmp(sig_scheme_name(sig_default_schemes[i]),
				"unknown") != 0;
		for (size_t j = 0; j < i; j++)
			unique &= sig_default_schemes[i] !=
				  sig_default_schemes[j];
		has_pkcs1 |= sig_default_schemes[i] == TLS_SIG_RSA_PKCS1_SHA256;
	}
	CHECK(sig_default_schemes_len == 7 && known && unique,
	      "our signature_algorithms: 7 distinct schemes, all implemented");
	CHECK(has_pkcs1,
	      "rsa_pkcs1_sha256 offered, for RSA certificate signatures");
	CHECK(!strcmp(sig_scheme_name(TLS_SIG_RSA_PSS_RSAE_SHA384),
		      "rsa_pss_rsae_sha384") &&
		      !strcmp(sig_scheme_name(0x0201), "unknown"),
	      "scheme names are the RFC's");
}

/* RFC 8446 §4.4.3's example: a server, a transcript hash of 32 0x01s. */
static void test_tls13_content(void)
{
	static const char rfc_example[] =
		"2020202020202020202020202020202020202020202020202020202020202020"
		"2020202020202020202020202020202020202020202020202020202020202020"
		"544c5320312e332c207365727665722043657274696669636174655665726966"
		"79"
		"00"
		"0101010101010101010101010101010101010101010101010101010101010101";
	static const char client_ctx[] = "TLS 1.3, client CertificateVerify";
	uint8_t hash[48], out[SIG_TLS13_CONTENT_MAX + 1];
	size_t len = 0;

	memset(hash, 0x01, sizeof(hash));
	CHECK(sig_tls13_content(true, hash, 32, out, sizeof(out), &len) == 0,
	      "server content builds");
	CHECK_HEX(out, len, rfc_example,
		  "server content is RFC 8446 §4.4.3's example");

	CHECK(sig_tls13_content(false, hash, 48, out, sizeof(out), &len) == 0 &&
		      len == SIG_TLS13_CONTENT_MAX,
	      "client content with a SHA-384 hash is %d bytes",
	      SIG_TLS13_CONTENT_MAX);
	CHECK(!memcmp(out + 64, client_ctx, sizeof(client_ctx)) &&
		      out[63] == 0x20 && out[64 + 33] == 0 &&
		      out[len - 1] == 0x01 && out[len - 49] == 0,
	      "client content: 64 spaces, the client string, 0, the hash");

	CHECK(sig_tls13_content(true, hash, 48, out, SIG_TLS13_CONTENT_MAX - 1,
				&len) == -EMSGSIZE,
	      "content into a short buffer: EMSGSIZE");
	CHECK(sig_tls13_content(true, hash, 0, out, sizeof(out), &len) ==
		      -EINVAL,
	      "empty transcript hash: EINVAL");
	CHECK(sig_tls13_content(true, hash, 49, out, sizeof(out), &len) ==
		      -EINVAL,
	      "transcript hash longer than SHA-384: EINVAL");
}

/* RFC 8448 §3, "Simple 1-RTT Handshake": the messages as printed. */
static const char rfc8448_ch[] =
	"01 00 00 c0 03 03 cb 34 ec b1 e7 81 63 ba 1c 38 c6 da cb 19 6a 6d ff a2 1a 8d 99 12 ec 18 a2 ef 62 83"
	"02 4d ec e7 00 00 06 13 01 13 03 13 02 01 00 00 91 00 00 00 0b 00 09 00 00 06 73 65 72 76 65 72 ff 01"
	"00 01 00 00 0a 00 14 00 12 00 1d 00 17 00 18 00 19 01 00 01 01 01 02 01 03 01 04 00 23 00 00 00 33 00"
	"26 00 24 00 1d 00 20 99 38 1d e5 60 e4 bd 43 d2 3d 8e 43 5a 7d ba fe b3 c0 6e 51 c1 3c ae 4d 54 13 69"
	"1e 52 9a af 2c 00 2b 00 03 02 03 04 00 0d 00 20 00 1e 04 03 05 03 06 03 02 03 08 04 08 05 08 06 04 01"
	"05 01 06 01 02 01 04 02 05 02 06 02 02 02 00 2d 00 02 01 01 00 1c 00 02 40 01";
static const char rfc8448_sh[] =
	"02 00 00 56 03 03 a6 af 06 a4 12 18 60 dc 5e 6e 60 24 9c d3 4c 95 93 0c 8a c5 cb 14 34 da c1 55 77 2e"
	"d3 e2 69 28 00 13 01 00 00 2e 00 33 00 24 00 1d 00 20 c9 82 88 76 11 20 95 fe 66 76 2b db f7 c6 72 e1"
	"56 d6 cc 25 3b 83 3d f1 dd 69 b1 b0 4e 75 1f 0f 00 2b 00 02 03 04";
static const char rfc8448_ee[] =
	"08 00 00 24 00 22 00 0a 00 14 00 12 00 1d 00 17 00 18 00 19 01 00 01 01 01 02 01 03 01"
	"04 00 1c 00 02 40 01 00 00 00 00";
/* Certificate, in two parts for struct hexbuf */
static const char rfc8448_cert_a[] =
	"0b 00 01 b9 00 00 01 b5 00 01 b0 30 82 01 ac 30 82 01 15 a0 03 02 01 02 02 01 02 30 0d 06 09 2a 86 48"
	"86 f7 0d 01 01 0b 05 00 30 0e 31 0c 30 0a 06 03 55 04 03 13 03 72 73 61 30 1e 17 0d 31 36 30 37 33 30"
	"30 31 32 33 35 39 5a 17 0d 32 36 30 37 33 30 30 31 32 33 35 39 5a 30 0e 31 0c 30 0a 06 03 55 04 03 13"
	"03 72 73 61 30 81 9f 30 0d 06 09 2a 86 48 86 f7 0d 01 01 01 05 00 03 81 8d 00 30 81 89 02 81 81 00 b4"
	"bb 49 8f 82 79 30 3d 98 08 36 39 9b 36 c6 98 8c 0c 68 de 55 e1 bd b8 26 d3 90 1a 24 61 ea fd 2d e4 9a"
	"91 d0 15 ab bc 9a 95 13 7a ce 6c 1a f1 9e aa 6a f9 8c 7c ed 43 12 09 98 e1 87 a8 0e e0 cc b0 52 4b 1b";
static const char rfc8448_cert_b[] =
	"01 8c 3e 0b 63 26 4d 44 9a 6d 38 e2 2a 5f da 43 08 46 74 80 30 53 0e f0 46 1c 8c a9 d9 ef bf ae 8e a6"
	"d1 d0 3e 2b d1 93 ef f0 ab 9a 80 02 c4 74 28 a6 d3 5a 8d 88 d7 9f 7f 1e 3f 02 03 01 00 01 a3 1a 30 18"
	"30 09 06 03 55 1d 13 04 02 30 00 30 0b 06 03 55 1d 0f 04 04 03 02 05 a0 30 0d 06 09 2a 86 48 86 f7 0d"
	"01 01 0b 05 00 03 81 81 00 85 aa d2 a0 e5 b9 27 6b 90 8c 65 f7 3a 72 67 17 06 18 a5 4c 5f 8a 7b 33 7d"
	"2d f7 a5 94 36 54 17 f2 ea e8 f8 a5 8c 8f 81 72 f9 31 9c f3 6b 7f d6 c5 5b 80 f2 1a 03 01 51 56 72 60"
	"96 fd 33 5e 5e 67 f2 db f1 02 70 2e 60 8c ca e6 be c1 fc 63 a4 2a 99 be 5c 3e b7 10 7c 3c 54 e9 b9 eb"
	"2b d5 20 3b 1c 3b 84 e0 a8 b2 f7 59 40 9b a3 ea c9 d9 1d 40 2d cc 0c c8 f8 96 12 29 ac 91 87 b4 2b 4d"
	"e1 00 00";
static const char rfc8448_cv[] =
	"0f 00 00 84 08 04 00 80 5a 74 7c 5d 88 fa 9b d2 e5 5a b0 85 a6 10 15 b7 21 1f 82 4c d4 84 14 5a b3 ff"
	"52 f1 fd a8 47 7b 0b 7a bc 90 db 78 e2 d3 3a 5c 14 1a 07 86 53 fa 6b ef 78 0c 5e a2 48 ee aa a7 85 c4"
	"f3 94 ca b6 d3 0b be 8d 48 59 ee 51 1f 60 29 57 b1 54 11 ac 02 76 71 45 9e 46 44 5c 9e a5 8c 18 1e 81"
	"8e 95 b8 c3 fb 0b f3 27 84 09 d3 be 15 2a 3d a5 04 3e 06 3d da 65 cd f5 ae a2 0d 53 df ac d4 2f 74 f3";
/* RFC 8448 §3: the hash of ClientHello..ServerHello ("hello_hash") */
static const char rfc8448_hello_hash[] =
	"86 0c 06 ed c0 78 58 ee 8e 78 f0 e7 42 8c 58 ed d6 b4 3f 2c a3 e6 e9 5f 02 ed 06 3c f0 e1 ca d8";

static void sha256_over(const struct hexbuf *parts, size_t n, uint8_t *out)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1;

	for (size_t i = 0; ok && i < n; i++)
		ok = EVP_DigestUpdate(ctx, parts[i].b, parts[i].len) == 1;
	if (!ok || EVP_DigestFinal_ex(ctx, out, NULL) != 1)
		memset(out, 0, 32);
	EVP_MD_CTX_free(ctx);
}

static void test_rfc8448_certificate_verify(void)
{
	struct hexbuf msgs[] = {
		unhex(rfc8448_ch), unhex(rfc8448_sh), unhex(rfc8448_ee),
		unhex(rfc8448_cert_a), unhex(rfc8448_cert_b),
	};
	struct hexbuf cv = unhex(rfc8448_cv);
	uint8_t cert_msg[512], hash[32], content[SIG_TLS13_CONTENT_MAX];
	const uint8_t *der;
	EVP_PKEY *pub = NULL;
	X509 *cert = NULL;
	size_t len = 0, clen;
	uint16_t scheme;

	sha256_over(msgs, 2, hash);
	CHECK_HEX(hash, 32, rfc8448_hello_hash,
		  "RFC 8448 §3: ClientHello and ServerHello transcribed exactly");

	/* Certificate: type, u24 length, context<0>, list u24, cert u24 */
	clen = msgs[3].len + msgs[4].len;
	memcpy(cert_msg, msgs[3].b, msgs[3].len);
	memcpy(cert_msg + msgs[3].len, msgs[4].b, msgs[4].len);
	der = cert_msg + 11;
	CHECK(clen == 445 && d2i_X509(&cert, &der, 0x1b0) &&
		      (pub = X509_get0_pubkey(cert)),
	      "RFC 8448 §3: the server certificate parses");
	if (!pub)
		goto out;

	/* CertificateVerify: type, u24 length, scheme u16, signature<u16> */
	scheme = (uint16_t)(cv.b[4] << 8 | cv.b[5]);
	CHECK(scheme == TLS_SIG_RSA_PSS_RSAE_SHA256 &&
		      sig_scheme_fits_key(pub, scheme, TLS_VERSION_1_3),
	      "RFC 8448 §3: rsa_pss_rsae_sha256 fits the server's key");

	sha256_over(msgs, 5, hash);
	CHECK(sig_tls13_content(true, hash, 32, content, sizeof(content),
				&len) == 0,
	      "RFC 8448 §3: server content over CH..Certificate");
	CHECK(sig_verify(pub, scheme, content, len, cv.b + 8, cv.len - 8) == 0,
	      "RFC 8448 §3: the published CertificateVerify verifies");
	CHECK(sig_tls13_content(false, hash, 32, content, sizeof(content),
				&len) == 0 &&
		      sig_verify(pub, scheme, content, len, cv.b + 8,
				 cv.len - 8) == -EBADMSG,
	      "RFC 8448 §3: with the client context string: EBADMSG");
	CHECK(sig_verify(pub, TLS_SIG_RSA_PSS_RSAE_SHA384, content, len,
			 cv.b + 8, cv.len - 8) == -EBADMSG,
	      "RFC 8448 §3: as rsa_pss_rsae_sha384: EBADMSG");
out:
	X509_free(cert);
}

int main(void)
{
	size_t ncases = sizeof(cases) / sizeof(cases[0]);
	int err;

	err = cli_init();
	CHECK(err == 0, "temporary directory for the openssl command");
	if (err)
		return check_summary();
	err = make_keys();
	CHECK(err == 0, "P-256, P-384, RSA-2048 and Ed25519 keys generated");
	if (err)
		goto out;

	for (size_t i = 0; i < ncases; i++) {
		test_round_trip(&cases[i]);
		test_openssl_signs(&cases[i]);
		test_openssl_verifies(&cases[i]);
	}
	test_pss_salt_length();
	test_cross_scheme();
	test_wrong_key();
	test_fits_key();
	test_pick();
	test_default_schemes();
	test_tls13_content();
	test_rfc8448_certificate_verify();
out:
	cli_cleanup();
	for (int k = 0; k < K_N; k++)
		EVP_PKEY_free(keys[k]);
	return check_summary();
}
