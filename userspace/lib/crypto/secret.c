// SPDX-License-Identifier: MIT
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/secret.h"

int secret_set(struct secret *s, const void *data, size_t len)
{
	ENSURE(len <= SECRET_MAX, -EMSGSIZE);
	ENSURE(data || !len, -EINVAL);
	if (len)
		memcpy(s->bytes, data, len);
	s->len = len;
	return 0;
}

void secret_wipe(struct secret *s)
{
	if (s)
		OPENSSL_cleanse(s, sizeof(*s));
}

bool secret_equals(const struct secret *s, const void *data, size_t len)
{
	/* Comparing 0 bytes is trivially equal, and CRYPTO_memcmp may not
	 * be handed a NULL pointer.
	 */
	if (s->len != len)
		return false;
	return !len || CRYPTO_memcmp(s->bytes, data, len) == 0;
}
