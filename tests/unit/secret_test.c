// SPDX-License-Identifier: MIT
/* userspace/lib/crypto/secret.c: bounded copies, wiping, constant-time comparison. */
#include <errno.h>
#include <string.h>

#include "../lib/check.h"
#include "crypto/secret.h"

static int all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

static void test_set_and_equals(void)
{
	static const uint8_t key[4] = { 1, 2, 3, 4 }, other[4] = { 1, 2, 3, 5 };
	struct secret s = { 0 };

	CHECK(secret_set(&s, key, sizeof(key)) == 0 && s.len == 4 &&
		      !memcmp(s.bytes, key, 4),
	      "secret_set copies the bytes and the length");
	CHECK(secret_equals(&s, key, 4), "equal to the same bytes");
	CHECK(!secret_equals(&s, other, 4), "a difference in the last byte is seen");
	CHECK(!secret_equals(&s, key, 3), "a shorter value is not equal");
	secret_wipe(&s);
}

static void test_set_bounds(void)
{
	uint8_t big[SECRET_MAX + 1];
	struct secret s = { 0 };

	memset(big, 0x42, sizeof(big));
	CHECK(secret_set(&s, big, SECRET_MAX) == 0 && s.len == SECRET_MAX,
	      "exactly SECRET_MAX bytes fit");
	s.len = 7;
	CHECK(secret_set(&s, big, SECRET_MAX + 1) == -EMSGSIZE && s.len == 7,
	      "SECRET_MAX + 1 bytes: EMSGSIZE, secret untouched");
	CHECK(secret_set(&s, NULL, 3) == -EINVAL, "NULL data with a length: EINVAL");
	CHECK(secret_set(&s, NULL, 0) == 0 && s.len == 0 &&
		      secret_equals(&s, NULL, 0),
	      "an empty secret is allowed and equals only the empty value");
	secret_wipe(&s);
}

static void test_wipe(void)
{
	struct secret s;

	memset(&s, 0xa5, sizeof(s));
	s.len = SECRET_MAX;
	secret_wipe(&s);
	CHECK(all_zero(&s, sizeof(s)), "secret_wipe zeroes every byte and the length");
	secret_wipe(NULL); /* must not crash: cleanup paths pass NULL */
}

int main(void)
{
	test_set_and_equals();
	test_set_bounds();
	test_wipe();
	return check_summary();
}
