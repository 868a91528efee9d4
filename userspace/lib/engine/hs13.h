/* SPDX-License-Identifier: MIT */
/* TLS 1.3 steps both roles share (hs13.c). */
#ifndef KTLSO_HS13_H
#define KTLSO_HS13_H

#include "engine/engine_priv.h"

/*
 * §7.1: handshake secret and both handshake traffic secrets (after SH),
 * from the PSK (NULL: none, a full handshake) and the (EC)DHE secret.
 */
int hs13_derive_handshake(struct tls_engine *e, const struct secret *psk,
			  const struct secret *shared) WUR;
/*
 * §4.2.11.2: a PSK binder, the Finished of hash over the transcript so far
 * and partial (the ClientHello up to its binders), keyed from the PSK's
 * "res binder" secret.
 */
int hs13_psk_binder(struct tls_engine *e, enum tls_hash hash,
		    const struct secret *psk, const uint8_t *partial,
		    size_t partial_len, struct secret *binder) WUR;
/* §7.1: resumption_master_secret, once the client's Finished is in the
 * transcript. */
int hs13_resumption_master(struct tls_engine *e, struct secret *out) WUR;
/* §7.1: master secret and both application traffic secrets (after server Fin). */
int hs13_derive_application(struct tls_engine *e) WUR;

int hs13_send_certificate(struct tls_engine *e, bool with_chain,
			  bool staple) WUR;
int hs13_send_certificate_verify(struct tls_engine *e) WUR;
int hs13_send_finished(struct tls_engine *e,
		       const struct secret *base_key) WUR;

int hs13_on_certificate_verify(struct tls_engine *e,
			       const struct hs_message *m) WUR;
int hs13_on_finished(struct tls_engine *e, const struct hs_message *m,
		     const struct secret *base_key) WUR;

#endif /* KTLSO_HS13_H */
