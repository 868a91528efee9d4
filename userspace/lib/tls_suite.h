/* SPDX-License-Identifier: MIT */
/*
 * The cipher suites ktlso can negotiate, in one table: what each means for
 * the key schedule (hash), the record layer (cipher, key and IV sizes), the
 * key exchange and authentication (TLS 1.2), and which kernel cipher takes
 * it over. Every other file asks this table instead of switching on suite
 * numbers.
 */
#ifndef KTLSO_TLS_SUITE_H
#define KTLSO_TLS_SUITE_H

#include <stdbool.h>
#include <stdint.h>

#include "crypto/hash.h"
#include "record/record.h"

enum tls_kx {
	TLS_KX_TLS13,	/* key share, any certificate type (RFC 8446 §4.2.8) */
	TLS_KX_ECDHE,	/* RFC 8422 §2 */
	TLS_KX_RSA,	/* RFC 5246 §7.4.7.1, legacy */
};

enum tls_auth {
	TLS_AUTH_ANY,	/* TLS 1.3: signature_algorithms decides */
	TLS_AUTH_ECDSA,
	TLS_AUTH_RSA,
};

struct tls_suite {
	uint16_t id;
	const char *name;	/* IANA name */
	const char *openssl_name; /* TLS 1.2: OpenSSL's name, else NULL */
	uint16_t version;	/* the only version it may be used with */
	enum tls_hash hash;
	enum record_cipher cipher;
	uint8_t key_len;	/* record key */
	uint8_t iv_len;		/* record IV: 12 in TLS 1.3; TLS 1.2 fixed part */
	uint8_t mac_key_len;	/* CBC-HMAC suites only */
	uint8_t kernel_salt_len; /* the salt field of <linux/tls.h>'s struct */
	enum tls_kx kx;
	enum tls_auth auth;
	bool legacy;		/* only when the configuration allows legacy */
	/*
	 * The kernel's cipher type: TLS_CIPHER_* of <linux/tls.h> (AEADs,
	 * which tls.ko has too) or KTLSO_CIPHER_* of <linux/ktlso.h> (CBC,
	 * ktlso.ko's own); 0: none.
	 */
	uint16_t kernel_cipher;
};

/* A TLS 1.2 CBC-HMAC suite (RFC 5246 §6.2.3.2): MAC key, no AEAD. */
static inline bool tls_suite_is_cbc(const struct tls_suite *s)
{
	return s->mac_key_len != 0;
}

/* The suite with this IANA number, or NULL. */
const struct tls_suite *tls_suite_by_id(uint16_t id);
/* By IANA name ("TLS_AES_128_GCM_SHA256") or OpenSSL's name, or NULL. */
const struct tls_suite *tls_suite_by_name(const char *name);

/* All suites in ktlso's default preference order; *n gets the count. */
const struct tls_suite *tls_suites(size_t *n);

#endif /* KTLSO_TLS_SUITE_H */
