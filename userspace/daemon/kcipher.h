/* SPDX-License-Identifier: MIT */
/*
 * Which of the crypto API's algorithms ktlso.ko needs the kernel can run
 * (Documentation/design.rst, decision 5), probed through AF_ALG with
 * libkcapi, and the cut that leaves each profile only the suites
 * ktlso.ko can take over: a suite the kernel cannot encrypt would
 * complete its handshake and then fail at TLS_TX.
 *
 *   AEAD suites          gcm(aes), rfc7539(chacha20,poly1305)   (aead)
 *   CBC suites (legacy)  cbc(aes)                               (skcipher)
 *                        and hmac(sha1|sha256|sha384)           (hash)
 */
#ifndef KTLSOD_KCIPHER_H
#define KTLSOD_KCIPHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "try.h"

struct kcipher {
	bool probed;	/* false: AF_ALG unusable, see kcipher_probe() */
	bool gcm;	/* gcm(aes): AES-128-GCM, AES-256-GCM */
	bool chacha;	/* rfc7539(chacha20,poly1305) */
	bool ccm;	/* ccm(aes) */
	bool cbc;	/* cbc(aes) */
	bool hmac_sha1, hmac_sha256, hmac_sha384;
};

/*
 * Ask the kernel for each algorithm. When AF_ALG itself is unusable (no
 * af_alg/algif_aead, or a sandbox forbids it) the answer cannot be known:
 * k->probed is false, gcm and chacha are assumed (ccm is not, and no suite
 * needs it), CBC and the HMACs are not (legacy suites are offered only
 * when the kernel is known to have them), the reason goes to why, and the
 * return is -EAFNOSUPPORT.
 */
int kcipher_probe(struct kcipher *k, char *why, size_t whylen) WUR;

/* "gcm(aes) yes, ..., hmac(sha384) no": every algorithm k says. */
void kcipher_describe(const struct kcipher *k, char *buf, size_t len);

/*
 * The crypto API names a kernel cipher type (tls_suite.kernel_cipher:
 * <linux/tls.h>'s TLS_CIPHER_* or <linux/ktlso.h>'s KTLSO_CIPHER_*) needs:
 * up to KCIPHER_NEEDS_MAX of them into names; their count, 0 for a type
 * ktlso.ko does not have.
 */
#define KCIPHER_NEEDS_MAX 2
size_t kcipher_needs(uint16_t kernel_cipher,
		     const char *names[KCIPHER_NEEDS_MAX]);

/*
 * Keep in every profile of c only the suites whose kernel cipher k has
 * all the algorithms of, logging what was dropped. A profile left with
 * no suite makes it fail with "FILE:LINE: reason" in err.
 */
int kcipher_restrict(struct config *c, const struct kcipher *k, char *err,
		     size_t errlen) WUR;

#endif /* KTLSOD_KCIPHER_H */
