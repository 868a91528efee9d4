// SPDX-License-Identifier: MIT
/*
 * userspace/lib/crypto/rsa_kx.c against the `openssl` command as the other side
 * (`openssl pkeyutl -encrypt/-decrypt`, PKCS#1 v1.5), and the server's
 * Bleichenbacher rule of RFC 5246 §7.4.7.1: a ciphertext with bad padding,
 * a wrong pre-master length or a wrong version must decrypt "successfully"
 * to 48 random bytes, with the same return value as a good one.
 */
#include <errno.h>
#include <string.h>

#include <openssl/rand.h>

#include "../lib/check.h"
#include "crypto/rsa_kx.h"
#include "../lib/openssl_cli.h"
#include "wire/proto.h"

#define CT_MAX 512

static EVP_PKEY *rsa, *ec;

/* The server's view of a ciphertext: return value and pre-master. */
struct outcome {
	int ret;
	struct secret pms;
};

static struct outcome server_decrypt(uint16_t client_version,
				     const uint8_t *ct, size_t len)
{
	struct outcome o = { 0 };

	o.ret = rsa_kx_decrypt(rsa, client_version, ct, len, &o.pms);
	return o;
}

static bool same_pms(const struct outcome *o, const uint8_t *pms)
{
	return o->pms.len == RSA_KX_PMS_LEN &&
	       !memcmp(o->pms.bytes, pms, RSA_KX_PMS_LEN);
}

/*
 * What a Bleichenbacher-safe server shows for a bad ciphertext: the same
 * return value as for a good one, 48 bytes that are not the encrypted
 * pre-master (real, if known), and fresh random ones on every attempt.
 */
static void check_silent_random(uint16_t client_version, const uint8_t *ct,
				size_t len, const uint8_t *real,
				const char *what)
{
	struct outcome a = server_decrypt(client_version, ct, len);
	struct outcome b = server_decrypt(client_version, ct, len);

	CHECK(a.ret == 0 && a.pms.len == RSA_KX_PMS_LEN,
	      "%s: same return value as a good one, 48-byte pre-master", what);
	if (real)
		CHECK(!same_pms(&a, real),
		      "%s: the pre-master is not the encrypted one", what);
	CHECK(b.ret == a.ret && b.pms.len == a.pms.len &&
		      !same_pms(&a, b.pms.bytes),
	      "%s: a second attempt gets a different random pre-master", what);
}

static void test_round_trip(void)
{
	struct secret pms SECRET_SCOPED = { 0 };
	uint8_t ct[CT_MAX], pt[CT_MAX];
	struct outcome o;
	size_t len = 0, ptlen = 0;

	CHECK(rsa_kx_encrypt(rsa, TLS_VERSION_1_2, &pms, ct, sizeof(ct),
			     &len) == 0,
	      "client encrypts a pre-master");
	CHECK(pms.len == RSA_KX_PMS_LEN && pms.bytes[0] == 0x03 &&
		      pms.bytes[1] == 0x03,
	      "pre-master is 48 bytes starting with client_version 03 03");
	CHECK(len == (size_t)EVP_PKEY_get_size(rsa),
	      "ciphertext is as long as the modulus (%zu bytes)", len);

	o = server_decrypt(TLS_VERSION_1_2, ct, len);
	CHECK(o.ret == 0 && same_pms(&o, pms.bytes),
	      "server recovers the client's pre-master");

	CHECK(cli_write("ours.ct", ct, len) == 0 &&
		      CLI_OK("openssl pkeyutl -decrypt -inkey rsa.key "
			     "-in ours.ct -out ours.pt") &&
		      cli_read("ours.pt", pt, sizeof(pt), &ptlen) == 0 &&
		      ptlen == RSA_KX_PMS_LEN &&
		      !memcmp(pt, pms.bytes, ptlen),
	      "openssl pkeyutl -decrypt recovers our pre-master");

	/* tampered: flip one bit in the middle of a good ciphertext */
	ct[len / 2] ^= 0x04;
	check_silent_random(TLS_VERSION_1_2, ct, len, pms.bytes,
			    "tampered ciphertext");

	/* a client whose pre-master carries 03 02 while it offered 03 03 */
	CHECK(rsa_kx_encrypt(rsa, 0x0302, &pms, ct, sizeof(ct), &len) == 0,
	      "client encrypts a pre-master with version 03 02");
	check_silent_random(TLS_VERSION_1_2, ct, len, pms.bytes,
			    "pre-master version differs from client_version");
	o = server_decrypt(0x0302, ct, len);
	CHECK(o.ret == 0 && same_pms(&o, pms.bytes),
	      "the same ciphertext decrypts when the versions agree");
}

/* ct = openssl pkeyutl -encrypt (PKCS#1 v1.5) of pt; false if it failed. */
static bool openssl_encrypt(const uint8_t *pt, size_t ptlen, uint8_t *ct,
			    size_t *len)
{
	return cli_write("pms", pt, ptlen) == 0 &&
	       CLI_OK("rm -f theirs.ct && openssl pkeyutl -encrypt -pubin "
		      "-inkey rsa.pub -in pms -out theirs.ct") &&
	       cli_read("theirs.ct", ct, CT_MAX, len) == 0;
}

static void test_openssl_client(void)
{
	uint8_t pt[RSA_KX_PMS_LEN + 1], ct[CT_MAX];
	struct outcome o;
	size_t len = 0;

	pt[0] = 0x03;
	pt[1] = 0x03;
	CHECK(RAND_bytes(pt + 2, sizeof(pt) - 2) == 1, "random pre-master");

	CHECK(openssl_encrypt(pt, RSA_KX_PMS_LEN, ct, &len),
	      "openssl pkeyutl -encrypt of a pre-master");
	o = server_decrypt(TLS_VERSION_1_2, ct, len);
	CHECK(o.ret == 0 && same_pms(&o, pt),
	      "openssl pkeyutl -encrypt: server recovers the pre-master");

	/* RFC 5246 §7.4.7.1: a rolled-back version is just a wrong key */
	pt[1] = 0x01;
	CHECK(openssl_encrypt(pt, RSA_KX_PMS_LEN, ct, &len),
	      "openssl encrypts a pre-master with version 03 01");
	check_silent_random(TLS_VERSION_1_2, ct, len, pt,
			    "openssl, version 03 01 for 03 03");
	pt[1] = 0x03;

	CHECK(openssl_encrypt(pt, RSA_KX_PMS_LEN - 1, ct, &len),
	      "openssl encrypts a 47-byte pre-master");
	check_silent_random(TLS_VERSION_1_2, ct, len, NULL,
			    "openssl, 47-byte pre-master");

	CHECK(openssl_encrypt(pt, RSA_KX_PMS_LEN + 1, ct, &len),
	      "openssl encrypts a 49-byte pre-master");
	check_silent_random(TLS_VERSION_1_2, ct, len, pt + 1,
			    "openssl, 49-byte pre-master (vs its last 48)");
}

/* Ciphertexts no client produced. */
static void test_bad_ciphertexts(void)
{
	size_t k = (size_t)EVP_PKEY_get_size(rsa);
	uint8_t ct[CT_MAX] = { 0 };

	/* almost surely not 00 02 ... after decryption */
	CHECK(RAND_bytes(ct + 1, (int)k - 1) == 1, "random ciphertext");
	check_silent_random(TLS_VERSION_1_2, ct, k, NULL, "random ciphertext");

	/* not below the modulus: libcrypto fails early, we must not */
	memset(ct, 0xff, k);
	check_silent_random(TLS_VERSION_1_2, ct, k, NULL,
			    "ciphertext above the modulus");

	memset(ct, 0, k);
	check_silent_random(TLS_VERSION_1_2, ct, k, NULL,
			    "all-zero ciphertext");
}

static void test_refusals(void)
{
	struct secret pms SECRET_SCOPED = { 0 };
	size_t k = (size_t)EVP_PKEY_get_size(rsa), len = 0;
	uint8_t ct[CT_MAX] = { 0 };

	CHECK(server_decrypt(TLS_VERSION_1_2, ct, k - 1).ret == -EBADMSG,
	      "ciphertext one byte short: EBADMSG (decode_error)");
	CHECK(server_decrypt(TLS_VERSION_1_2, ct, k + 1).ret == -EBADMSG,
	      "ciphertext one byte long: EBADMSG (decode_error)");
	CHECK(server_decrypt(TLS_VERSION_1_2, ct, 0).ret == -EBADMSG,
	      "empty ciphertext: EBADMSG (decode_error)");
	CHECK(server_decrypt(0, ct, k).ret == -EINVAL,
	      "client_version 0: EINVAL");

	pms.len = 5;
	CHECK(rsa_kx_decrypt(ec, TLS_VERSION_1_2, ct, 64, &pms) == -EINVAL &&
		      pms.len == 5,
	      "EC key on the server: EINVAL, output untouched");
	CHECK(rsa_kx_encrypt(ec, TLS_VERSION_1_2, &pms, ct, sizeof(ct), &len) ==
		      -EINVAL && pms.len == 5,
	      "EC key in the certificate: EINVAL, output untouched");
	CHECK(rsa_kx_encrypt(rsa, TLS_VERSION_1_2, &pms, ct, k - 1, &len) ==
		      -EMSGSIZE && pms.len == 5,
	      "ciphertext buffer below the modulus size: EMSGSIZE");
}

int main(void)
{
	int err;

	err = cli_init();
	CHECK(err == 0, "temporary directory for the openssl command");
	if (err)
		return check_summary();
	rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	CHECK(rsa && ec && cli_write_key("rsa.key", rsa, true) == 0 &&
		      cli_write_key("rsa.pub", rsa, false) == 0,
	      "RSA-2048 server key generated and written for openssl");
	if (rsa && ec) {
		test_round_trip();
		test_openssl_client();
		test_bad_ciphertexts();
		test_refusals();
	}
	cli_cleanup();
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(ec);
	return check_summary();
}
