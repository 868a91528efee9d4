/* SPDX-License-Identifier: MIT */
/*
 * Key material in one fixed-size, self-wiping type.
 *
 * Every secret the key schedule produces (PRKs, traffic secrets, keys, IVs,
 * master secrets) fits in 64 bytes: the largest TLS hash is SHA-384 (48) and
 * the largest record key is 32. The largest (EC)DHE shared secret, P-521's
 * x-coordinate, is 66 bytes (RFC 8446 §7.4.2): hence 66. A fixed buffer means no allocation to fail
 * and no heap copies left behind; secret_wipe() is the only way a secret is
 * released, and it clears with OPENSSL_cleanse so the compiler cannot elide
 * it. Declare temporaries SECRET_SCOPED so early TRY() returns wipe them too.
 */
#ifndef KTLSO_SECRET_H
#define KTLSO_SECRET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "try.h"

#define SECRET_MAX 66

struct secret {
	size_t len;
	uint8_t bytes[SECRET_MAX];
};

/* Wipes the secret when the variable goes out of scope, on every path. */
#define SECRET_SCOPED __attribute__((cleanup(secret_wipe)))

/* Copy len bytes in; -EMSGSIZE if they do not fit (s is left untouched). */
int secret_set(struct secret *s, const void *data, size_t len) WUR;

/* Zero the bytes and the length. Safe on NULL and on an already-wiped s. */
void secret_wipe(struct secret *s);

/*
 * Does s hold exactly these bytes? Constant time in the contents (the
 * lengths are public), for checking a peer's Finished or binder.
 */
bool secret_equals(const struct secret *s, const void *data, size_t len);

#endif /* KTLSO_SECRET_H */
