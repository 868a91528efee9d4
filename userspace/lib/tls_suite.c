// SPDX-License-Identifier: MIT
/*
 * The cipher suite table (RFC 8446 §B.4, RFC 5288, RFC 5289, RFC 7905,
 * RFC 8422 §6, RFC 5246 §A.5).
 */
#include <string.h>
#include <strings.h>

#include <linux/ktlso.h>
#include <linux/tls.h>

#include "tls_suite.h"
#include "wire/proto.h"

#define TLS13(id_, name_, hash_, cipher_, key_, kcipher_, salt_)               \
	{ .id = id_, .name = name_, .version = TLS_VERSION_1_3,                 \
	  .hash = hash_, .cipher = cipher_, .key_len = key_, .iv_len = 12,      \
	  .kx = TLS_KX_TLS13, .auth = TLS_AUTH_ANY,                             \
	  .kernel_cipher = kcipher_, .kernel_salt_len = salt_ }

/* RFC 5288 §3: GCM's fixed IV is a 4-byte salt; RFC 7905 §2: ChaCha's 12. */
#define TLS12(id_, name_, ossl_, hash_, cipher_, key_, iv_, kx_, auth_, legacy_, \
	      kcipher_, salt_)                                                  \
	{ .id = id_, .name = name_, .openssl_name = ossl_,                      \
	  .version = TLS_VERSION_1_2, .hash = hash_, .cipher = cipher_,         \
	  .key_len = key_, .iv_len = iv_, .kx = kx_, .auth = auth_,             \
	  .legacy = legacy_, .kernel_cipher = kcipher_,                         \
	  .kernel_salt_len = salt_ }

/*
 * RFC 5246 §6.3: CBC suites key a MAC too, as long as the HMAC's output
 * (§6.2.3.1: 20 bytes for SHA-1, 32 for SHA-256, 48 for SHA-384), and
 * carry a random IV per record. The PRF and Finished hash is SHA-256 for
 * every suite TLS 1.2 defines, the *_SHA ones included (§5), except those
 * that name SHA-384 (RFC 5289 §3.2). ktlso.ko takes them over with its own
 * cipher types (<linux/ktlso.h>), which tls.ko does not have.
 */
#define TLS12_CBC(id_, name_, ossl_, hash_, cipher_, key_, mac_, kx_, auth_,    \
		  kcipher_)                                                     \
	{ .id = id_, .name = name_, .openssl_name = ossl_,                      \
	  .version = TLS_VERSION_1_2, .hash = hash_, .cipher = cipher_,         \
	  .key_len = key_, .mac_key_len = mac_, .kx = kx_, .auth = auth_,       \
	  .legacy = true, .kernel_cipher = kcipher_ }

/* Default preference: AES-GCM first (hardware), ChaCha20 next. */
static const struct tls_suite suites[] = {
	TLS13(TLS_AES_128_GCM_SHA256, "TLS_AES_128_GCM_SHA256", TLS_HASH_SHA256,
	      RECORD_AES_128_GCM, 16, TLS_CIPHER_AES_GCM_128, 4),
	TLS13(TLS_AES_256_GCM_SHA384, "TLS_AES_256_GCM_SHA384", TLS_HASH_SHA384,
	      RECORD_AES_256_GCM, 32, TLS_CIPHER_AES_GCM_256, 4),
	TLS13(TLS_CHACHA20_POLY1305_SHA256, "TLS_CHACHA20_POLY1305_SHA256",
	      TLS_HASH_SHA256, RECORD_CHACHA20_POLY1305, 32,
	      TLS_CIPHER_CHACHA20_POLY1305, 0),
	TLS12(TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
	      "ECDHE-ECDSA-AES128-GCM-SHA256", TLS_HASH_SHA256,
	      RECORD_AES_128_GCM, 16, 4, TLS_KX_ECDHE, TLS_AUTH_ECDSA, false,
	      TLS_CIPHER_AES_GCM_128, 4),
	TLS12(TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	      "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
	      "ECDHE-RSA-AES128-GCM-SHA256", TLS_HASH_SHA256,
	      RECORD_AES_128_GCM, 16, 4, TLS_KX_ECDHE, TLS_AUTH_RSA, false,
	      TLS_CIPHER_AES_GCM_128, 4),
	TLS12(TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	      "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
	      "ECDHE-ECDSA-AES256-GCM-SHA384", TLS_HASH_SHA384,
	      RECORD_AES_256_GCM, 32, 4, TLS_KX_ECDHE, TLS_AUTH_ECDSA, false,
	      TLS_CIPHER_AES_GCM_256, 4),
	TLS12(TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	      "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
	      "ECDHE-RSA-AES256-GCM-SHA384", TLS_HASH_SHA384,
	      RECORD_AES_256_GCM, 32, 4, TLS_KX_ECDHE, TLS_AUTH_RSA, false,
	      TLS_CIPHER_AES_GCM_256, 4),
	TLS12(TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
	      "ECDHE-ECDSA-CHACHA20-POLY1305", TLS_HASH_SHA256,
	      RECORD_CHACHA20_POLY1305, 32, 12, TLS_KX_ECDHE, TLS_AUTH_ECDSA,
	      false, TLS_CIPHER_CHACHA20_POLY1305, 0),
	TLS12(TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	      "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
	      "ECDHE-RSA-CHACHA20-POLY1305", TLS_HASH_SHA256,
	      RECORD_CHACHA20_POLY1305, 32, 12, TLS_KX_ECDHE, TLS_AUTH_RSA,
	      false, TLS_CIPHER_CHACHA20_POLY1305, 0),
	/* Legacy: only with the configuration's legacy switch. */
	TLS12(TLS_RSA_WITH_AES_128_GCM_SHA256, "TLS_RSA_WITH_AES_128_GCM_SHA256",
	      "AES128-GCM-SHA256", TLS_HASH_SHA256, RECORD_AES_128_GCM, 16, 4,
	      TLS_KX_RSA, TLS_AUTH_RSA, true, TLS_CIPHER_AES_GCM_128, 4),
	TLS12(TLS_RSA_WITH_AES_256_GCM_SHA384, "TLS_RSA_WITH_AES_256_GCM_SHA384",
	      "AES256-GCM-SHA384", TLS_HASH_SHA384, RECORD_AES_256_GCM, 32, 4,
	      TLS_KX_RSA, TLS_AUTH_RSA, true, TLS_CIPHER_AES_GCM_256, 4),
	/* CBC: SHA-2 MACs first, then SHA-1; ECDHE before RSA key exchange */
	TLS12_CBC(TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
		  "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
		  "ECDHE-ECDSA-AES128-SHA256", TLS_HASH_SHA256,
		  RECORD_AES_128_CBC_SHA256, 16, 32, TLS_KX_ECDHE,
		  TLS_AUTH_ECDSA, KTLSO_CIPHER_AES_128_CBC_SHA256),
	TLS12_CBC(TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
		  "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
		  "ECDHE-RSA-AES128-SHA256", TLS_HASH_SHA256,
		  RECORD_AES_128_CBC_SHA256, 16, 32, TLS_KX_ECDHE, TLS_AUTH_RSA,
		  KTLSO_CIPHER_AES_128_CBC_SHA256),
	TLS12_CBC(TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384,
		  "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
		  "ECDHE-ECDSA-AES256-SHA384", TLS_HASH_SHA384,
		  RECORD_AES_256_CBC_SHA384, 32, 48, TLS_KX_ECDHE,
		  TLS_AUTH_ECDSA, KTLSO_CIPHER_AES_256_CBC_SHA384),
	TLS12_CBC(TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384,
		  "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
		  "ECDHE-RSA-AES256-SHA384", TLS_HASH_SHA384,
		  RECORD_AES_256_CBC_SHA384, 32, 48, TLS_KX_ECDHE, TLS_AUTH_RSA,
		  KTLSO_CIPHER_AES_256_CBC_SHA384),
	TLS12_CBC(TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
		  "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
		  "ECDHE-ECDSA-AES128-SHA", TLS_HASH_SHA256,
		  RECORD_AES_128_CBC_SHA, 16, 20, TLS_KX_ECDHE, TLS_AUTH_ECDSA,
		  KTLSO_CIPHER_AES_128_CBC_SHA),
	TLS12_CBC(TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
		  "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA-AES128-SHA",
		  TLS_HASH_SHA256, RECORD_AES_128_CBC_SHA, 16, 20, TLS_KX_ECDHE,
		  TLS_AUTH_RSA, KTLSO_CIPHER_AES_128_CBC_SHA),
	TLS12_CBC(TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
		  "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
		  "ECDHE-ECDSA-AES256-SHA", TLS_HASH_SHA256,
		  RECORD_AES_256_CBC_SHA, 32, 20, TLS_KX_ECDHE, TLS_AUTH_ECDSA,
		  KTLSO_CIPHER_AES_256_CBC_SHA),
	TLS12_CBC(TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
		  "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA-AES256-SHA",
		  TLS_HASH_SHA256, RECORD_AES_256_CBC_SHA, 32, 20, TLS_KX_ECDHE,
		  TLS_AUTH_RSA, KTLSO_CIPHER_AES_256_CBC_SHA),
	TLS12_CBC(TLS_RSA_WITH_AES_128_CBC_SHA256,
		  "TLS_RSA_WITH_AES_128_CBC_SHA256", "AES128-SHA256",
		  TLS_HASH_SHA256, RECORD_AES_128_CBC_SHA256, 16, 32, TLS_KX_RSA,
		  TLS_AUTH_RSA, KTLSO_CIPHER_AES_128_CBC_SHA256),
	TLS12_CBC(TLS_RSA_WITH_AES_256_CBC_SHA256,
		  "TLS_RSA_WITH_AES_256_CBC_SHA256", "AES256-SHA256",
		  TLS_HASH_SHA256, RECORD_AES_256_CBC_SHA256, 32, 32, TLS_KX_RSA,
		  TLS_AUTH_RSA, KTLSO_CIPHER_AES_256_CBC_SHA256),
};

#define N_SUITES (sizeof(suites) / sizeof(suites[0]))

const struct tls_suite *tls_suite_by_id(uint16_t id)
{
	for (size_t i = 0; i < N_SUITES; i++)
		if (suites[i].id == id)
			return &suites[i];
	return NULL;
}

const struct tls_suite *tls_suite_by_name(const char *name)
{
	for (size_t i = 0; i < N_SUITES; i++) {
		const struct tls_suite *s = &suites[i];

		/* TLS 1.3 suites have one name in OpenSSL and IANA alike */
		if (!strcasecmp(name, s->name) ||
		    (s->openssl_name && !strcasecmp(name, s->openssl_name)))
			return s;
	}
	return NULL;
}

const struct tls_suite *tls_suites(size_t *n)
{
	*n = N_SUITES;
	return suites;
}
