/* SPDX-License-Identifier: MIT */
/*
 * Internal to the record layer: TLS 1.2's legacy AES-CBC + HMAC suites
 * (RFC 5246 §6.2.3.2, RFC 7366), kept apart from the AEAD code in record.c
 * because their receive side must be constant-time.
 */
#ifndef KTLSO_TLS_RECORD_CBC_H
#define KTLSO_TLS_RECORD_CBC_H

#include "record/record.h"

#define RECORD_CBC_BLOCK 16

/*
 * One HMAC the suites use: SHA-1 (RFC 5246 §A.5's *_SHA suites), SHA-256
 * (*_SHA256) or SHA-384 (RFC 5289 §3.2, *_SHA384). Its MAC key is as long
 * as its MAC (RFC 5246 §6.2.3.1, §6.3).
 */
struct record_hmac {
	const char *digest; /* libcrypto's name for the hash */
	size_t mac_len;	    /* the hash's output: 20, 32 or 48 bytes */
	size_t block;	    /* its block: 64 bytes, 128 for SHA-384 */
	size_t min_pad;	    /* its final padding: 0x80 and the length field */
};

extern const struct record_hmac record_hmac_sha1, record_hmac_sha256,
	record_hmac_sha384;

#define RECORD_CBC_MAC_MAX 48 /* the longest of the three */

/* RFC 5246 §6.2.3.2/§6.2.3.3: seq_num + type + version + length */
#define RECORD_TLS12_AAD_LEN 13

static inline void record_tls12_aad(uint64_t seq, uint8_t type,
				    uint16_t version, size_t len,
				    uint8_t aad[RECORD_TLS12_AAD_LEN])
{
	for (int i = 0; i < 8; i++)
		aad[i] = (uint8_t)(seq >> (56 - 8 * i));
	aad[8] = type;
	aad[9] = (uint8_t)(version >> 8);
	aad[10] = (uint8_t)version;
	aad[11] = (uint8_t)(len >> 8);
	aad[12] = (uint8_t)len;
}

/*
 * Finish keying d (its cipher context is keyed already, d->hmac is set):
 * HMAC, padding.
 */
int record_cbc_keys(struct record_dir *d, const struct record_keys *k) WUR;

/* Body length (IV, ciphertext, MAC) for len bytes of content. */
size_t record_cbc_body_len(const struct record_dir *d, size_t len);

/* body[0..record_cbc_body_len()) for the record numbered d->seq. */
int record_cbc_seal(struct record_dir *d, uint8_t type, const uint8_t *data,
		    size_t len, uint8_t *body) WUR;

/* out[0..*pt_len) from f, with out of at least f->body_len bytes. */
int record_cbc_open(struct record_dir *d, const struct record_frame *f,
		    uint8_t *out, size_t *pt_len) WUR;

#endif /* KTLSO_TLS_RECORD_CBC_H */
