/* SPDX-License-Identifier: MIT */
/*
 * The TLS 1.3 key schedule (RFC 8446 §7), on libcrypto's HKDF and HMAC.
 *
 *             0 (or PSK)
 *                 |
 *   0 -> HKDF-Extract = early secret
 *                 |  Derive-Secret(., "derived", "")
 *  ECDHE -> HKDF-Extract = handshake secret -> c/s hs traffic  (CH..SH)
 *                 |  Derive-Secret(., "derived", "")
 *   0 -> HKDF-Extract = master secret      -> c/s ap traffic  (CH..server Fin)
 *
 * Each traffic secret gives a record key and IV (§7.3) and a finished_key
 * (§4.4.4); application secrets roll forward on KeyUpdate (§7.2).
 *
 * Transcript hashes are passed in already computed (the engine keeps the
 * running hash); every secret is Hash.length long and is checked to be.
 * All functions return 0 or -errno:
 *   -EOPNOTSUPP  the hash is not one TLS 1.3 uses here
 *   -EINVAL      a secret or transcript hash of the wrong length, or a label
 *                or context outside the HkdfLabel bounds
 *   -EMSGSIZE    the requested output does not fit in struct secret
 *   -EIO         libcrypto failed
 * Outputs are written only on success, so they may alias inputs.
 */
#ifndef KTLSO_TLS13_KEYSCHED_H
#define KTLSO_TLS13_KEYSCHED_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/hash.h"
#include "crypto/secret.h"
#include "try.h"

/* uint16 length + label<7..255> + context<0..255> */
#define TLS13_HKDF_LABEL_MAX (2 + 1 + 255 + 1 + 255)

/* §7.1 HkdfLabel: "tls13 " is prepended to label. *used gets the size. */
int tls13_hkdf_label(uint16_t length, const char *label, const uint8_t *context,
		     size_t context_len, uint8_t *buf, size_t size,
		     size_t *used) WUR;

/* HKDF-Extract(salt, IKM) (RFC 5869 §2.2); salt NULL means Hash.length zeros. */
int tls13_hkdf_extract(enum tls_hash hash, const struct secret *salt,
		       const uint8_t *ikm, size_t ikm_len,
		       struct secret *prk) WUR;

/* §7.1 HKDF-Expand-Label(secret, label, context, out_len). */
int tls13_hkdf_expand_label(enum tls_hash hash, const struct secret *secret,
			    const char *label, const uint8_t *context,
			    size_t context_len, size_t out_len,
			    struct secret *out) WUR;

/* §7.1 Derive-Secret(secret, label, Messages), given Transcript-Hash(Messages). */
int tls13_derive_secret(enum tls_hash hash, const struct secret *secret,
			const char *label, const uint8_t *transcript_hash,
			size_t transcript_hash_len, struct secret *out) WUR;

/* Early secret from a PSK, or from Hash.length zeros when psk is NULL. */
int tls13_early_secret(enum tls_hash hash, const uint8_t *psk, size_t psk_len,
		       struct secret *early) WUR;

/* Handshake secret from the early secret and the (EC)DHE shared secret. */
int tls13_handshake_secret(enum tls_hash hash, const struct secret *early,
			   const uint8_t *dhe, size_t dhe_len,
			   struct secret *handshake) WUR;

/* Master secret from the handshake secret. */
int tls13_master_secret(enum tls_hash hash, const struct secret *handshake,
			struct secret *master) WUR;

/* "c hs traffic" / "s hs traffic" over Transcript-Hash(ClientHello..ServerHello). */
int tls13_handshake_traffic_secrets(enum tls_hash hash,
				    const struct secret *handshake,
				    const uint8_t *hello_hash, size_t hash_len,
				    struct secret *client,
				    struct secret *server) WUR;

/* "c ap traffic" / "s ap traffic" over Transcript-Hash(ClientHello..server Finished). */
int tls13_application_traffic_secrets(enum tls_hash hash,
				      const struct secret *master,
				      const uint8_t *server_finished_hash,
				      size_t hash_len, struct secret *client,
				      struct secret *server) WUR;

/* §7.3 record protection key and IV from a traffic secret. */
int tls13_traffic_key_iv(enum tls_hash hash, const struct secret *traffic,
			 size_t key_len, size_t iv_len, struct secret *key,
			 struct secret *iv) WUR;

/* §4.4.4 finished_key = HKDF-Expand-Label(base_key, "finished", "", Hash.length). */
int tls13_finished_key(enum tls_hash hash, const struct secret *base_key,
		       struct secret *finished_key) WUR;

/* §4.4.4 verify_data = HMAC(finished_key, transcript_hash), from the base key. */
int tls13_finished_verify_data(enum tls_hash hash,
			       const struct secret *base_key,
			       const uint8_t *transcript_hash, size_t hash_len,
			       struct secret *verify_data) WUR;

/* §7.2 application_traffic_secret_N+1; next may be the same object as current. */
int tls13_next_traffic_secret(enum tls_hash hash, const struct secret *current,
			      struct secret *next) WUR;

/*
 * §4.6.1 the PSK of a ticket: HKDF-Expand-Label(resumption_master_secret,
 * "resumption", ticket_nonce, Hash.length). Server and client alike.
 */
int tls13_ticket_psk(enum tls_hash hash, const struct secret *res_master,
		     const uint8_t *nonce, size_t nonce_len,
		     struct secret *psk) WUR;

#endif /* KTLSO_TLS13_KEYSCHED_H */
