/* SPDX-License-Identifier: MIT */
/* TLS 1.2 steps both roles share (hs12.c). */
#ifndef KTLSO_HS12_H
#define KTLSO_HS12_H

#include "engine/engine_priv.h"

/*
 * RFC 5246 §8.1 / RFC 7627 §4: the master secret from the pre-master
 * secret (call once ClientKeyExchange is in the transcript), then the key
 * block (§6.3) split into both directions' record keys.
 */
int hs12_derive_keys(struct tls_engine *e, const struct secret *pms) WUR;
/* An abbreviated handshake: the key block from a resumed master secret. */
int hs12_resume_keys(struct tls_engine *e, const struct secret *master) WUR;

/*
 * The peer's keys wait for its CCS (§7.1), after which only its Finished
 * may come: the step finished.
 */
int hs12_expect_ccs(struct tls_engine *e, const struct hs_step *finished) WUR;
/* CCS, switch our direction to the new keys, then Finished (§7.1, §7.4.9). */
int hs12_send_ccs_finished(struct tls_engine *e) WUR;
/* The peer's Finished, checked in constant time (§7.4.9). */
int hs12_on_finished(struct tls_engine *e, const struct hs_message *m) WUR;

/* Verify the chain engine_on_certificate kept, with any stapled OCSP. */
int hs12_verify_kept_chain(struct tls_engine *e, struct bytes ocsp) WUR;

/* Our Certificate (empty when with_chain is false). */
int hs12_send_certificate(struct tls_engine *e, bool with_chain) WUR;
/* CertificateVerify: a signature over all handshake messages so far (§7.4.8). */
int hs12_send_certificate_verify(struct tls_engine *e) WUR;
int hs12_on_certificate_verify(struct tls_engine *e,
			       const struct hs_message *m) WUR;

/* Does the certificate key fit the suite's authentication (RFC 8422 §2)? */
bool hs12_key_fits_suite(const EVP_PKEY *key, const struct tls_suite *s);

#endif /* KTLSO_HS12_H */
