/* SPDX-License-Identifier: MIT */
/*
 * Internal to the record layer: TLS 1.2's legacy AES-CBC + HMAC-SHA256
 * suites (RFC 5246 §6.2.3.2, RFC 7366), kept apart from the AEAD code in
 * tls_record.c because their receive side must be constant-time.
 */
#ifndef KTLSO_TLS_RECORD_CBC_H
#define KTLSO_TLS_RECORD_CBC_H

#include "record/record.h"

#define RECORD_CBC_MAC_LEN 32 /* HMAC-SHA256 (RFC 5246 §6.2.3.2) */
#define RECORD_CBC_BLOCK 16

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

/* Finish keying d (its cipher context is keyed already): HMAC, padding. */
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
