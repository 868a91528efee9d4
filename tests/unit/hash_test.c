// SPDX-License-Identifier: MIT
/*
 * userspace/lib/crypto/hash.c: the two hashes, and nothing else. The digests
 * of "" are the ones RFC 8448 §3 ("tls13 derived", SHA-256) and
 * tls13.xargs.org (SHA-384) print as the empty transcript hash.
 */
#include <errno.h>

#include "crypto/hash.h"
#include "../lib/hex.h"

static void test_digests(void)
{
	static const struct {
		enum tls_hash hash;
		size_t len;
		const char *empty;
	} cases[] = {
		{ TLS_HASH_SHA256, 32,
		  "e3 b0 c4 42 98 fc 1c 14 9a fb f4 c8 99 6f b9 24 27 ae 41 e4 64 9b 93 4c a4 95 99 1b 78 52 b8 55" },
		{ TLS_HASH_SHA384, 48,
		  "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t out[TLS_HASH_MAX];

		CHECK(tls_hash_len(cases[i].hash) == cases[i].len &&
			      tls_hash_name(cases[i].hash),
		      "hash %d is %zu bytes and has a libcrypto name",
		      cases[i].hash, cases[i].len);
		CHECK(tls_hash_digest(cases[i].hash, NULL, 0, out) == 0,
		      "hash %d of \"\" computes", cases[i].hash);
		CHECK_HEX(out, cases[i].len, cases[i].empty,
			  "hash %d of \"\" is the published empty hash",
			  cases[i].hash);
	}
}

static void test_unsupported(void)
{
	static const enum tls_hash bad[] = { 0, 3, 99 };
	uint8_t out[TLS_HASH_MAX];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(tls_hash_len(bad[i]) == 0 && !tls_hash_name(bad[i]) &&
			      tls_hash_digest(bad[i], "x", 1, out) ==
				      -EOPNOTSUPP,
		      "hash %d: no length, no name, EOPNOTSUPP", bad[i]);
	CHECK(tls_hash_digest(TLS_HASH_SHA256, NULL, 1, out) == -EINVAL,
	      "NULL data with a length: EINVAL");
}

int main(void)
{
	test_digests();
	test_unsupported();
	return check_summary();
}
