/* SPDX-License-Identifier: MIT */
/*
 * Which AEADs the kernel can run (Documentation/design.rst, decision 5), probed
 * through AF_ALG with libkcapi, and the cut that leaves each profile only
 * the suites ktlso.ko can take over: a suite the kernel cannot encrypt
 * would complete its handshake and then fail at TLS_TX.
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
};

/*
 * Ask the kernel for each AEAD. When AF_ALG itself is unusable (no
 * af_alg/algif_aead, or a sandbox forbids it) the answer cannot be known:
 * k->probed is false, gcm and chacha are assumed (ccm is not, and no suite
 * needs it), the reason goes to why, and the return is -EAFNOSUPPORT.
 */
int kcipher_probe(struct kcipher *k, char *why, size_t whylen) WUR;

/* The AF_ALG name of a <linux/tls.h> TLS_CIPHER_*, or NULL. */
const char *kcipher_aead_name(uint16_t kernel_cipher);

/*
 * Keep in every profile of c only the suites with a kernel cipher that k
 * has, logging what was dropped. A profile left with no suite makes it
 * fail with "FILE:LINE: reason" in err.
 */
int kcipher_restrict(struct config *c, const struct kcipher *k, char *err,
		     size_t errlen) WUR;

#endif /* KTLSOD_KCIPHER_H */
