// SPDX-License-Identifier: GPL-2.0
/*
 * TLS record framing: nonces, additional data, headers and sequence numbers.
 * Pure functions of the direction's state, so KUnit can pin them down.
 */
#include <linux/string.h>

#include "compat.h"
#include "ktlso.h"

static bool is_tls13(const struct ktlso_crypto *c)
{
	return c->version == TLS_1_3_VERSION;
}

/* TLS 1.2 GCM/CCM records start with the 8-byte explicit nonce. */
static bool carries_explicit_nonce(const struct ktlso_crypto *c)
{
	return !is_tls13(c) && c->cipher->explicit_nonce;
}

/**
 * ktlso_record_nonce() - the AEAD IV for the record at c->seq
 * @c: direction state
 * @nonce: out, KTLSO_AEAD_IV_SIZE bytes
 *
 * RFC 8446 §5.3 and RFC 7905 §2: the static IV XOR the 64-bit sequence
 * number, left-padded. RFC 5288 §3: salt || explicit nonce, the explicit
 * part already in c->iv. CCM's counter block adds a flags byte in front.
 */
void ktlso_record_nonce(const struct ktlso_crypto *c, u8 nonce[KTLSO_AEAD_IV_SIZE])
{
	u8 *n = nonce;
	int i;

	memset(nonce, 0, KTLSO_AEAD_IV_SIZE);
	if (c->cipher->ccm_b0)
		*n++ = c->cipher->ccm_b0;
	memcpy(n, c->iv, KTLSO_NONCE_SIZE);
	if (carries_explicit_nonce(c))
		return;
	for (i = 0; i < 8; i++)
		n[KTLSO_NONCE_SIZE - 1 - i] ^= (u8)(c->seq >> (8 * i));
}

/**
 * ktlso_record_aad() - the additional data authenticated with a record
 * @c: direction state, at the record's sequence number
 * @type: the record's content type (outer type for TLS 1.2)
 * @plaintext_len: bytes of application payload
 * @aad: out, at least KTLSO_AAD12_SIZE bytes
 *
 * Return: its length.
 */
unsigned int ktlso_record_aad(const struct ktlso_crypto *c, u8 type,
			      unsigned int plaintext_len, u8 *aad)
{
	/* RFC 8446 §5.2: the record header itself. */
	if (is_tls13(c)) {
		ktlso_record_header(c, type, plaintext_len, aad);
		return KTLSO_HEADER_SIZE;
	}
	/* RFC 5246 §6.2.3.3: seq_num + type + version + length. */
	put_unaligned_be64(c->seq, aad);
	aad[8] = type;
	aad[9] = TLS_VERSION_MAJOR(c->version);
	aad[10] = TLS_VERSION_MINOR(c->version);
	put_unaligned_be16(plaintext_len, aad + 11);
	return KTLSO_AAD12_SIZE;
}

/* Bytes between the header and the ciphertext: the explicit nonce. */
unsigned int ktlso_record_prefix(const struct ktlso_crypto *c)
{
	return carries_explicit_nonce(c) ? c->cipher->iv : 0;
}

/* Wire bytes a record adds to its plaintext. */
unsigned int ktlso_record_overhead(const struct ktlso_crypto *c)
{
	/* RFC 8446 §5.2: TLSInnerPlaintext ends with the real content type. */
	return KTLSO_HEADER_SIZE + ktlso_record_prefix(c) + c->cipher->tag +
	       (is_tls13(c) ? 1 : 0);
}

/**
 * ktlso_record_header() - the 5-byte record header
 * @c: direction state
 * @type: the content type; TLS 1.3 hides it and says application_data
 * @plaintext_len: bytes of payload
 * @header: out, KTLSO_HEADER_SIZE bytes
 */
void ktlso_record_header(const struct ktlso_crypto *c, u8 type,
			 unsigned int plaintext_len, u8 *header)
{
	/* RFC 8446 §5.1: legacy_record_version is 0x0303 for TLS 1.3 too. */
	header[0] = is_tls13(c) ? KTLSO_RECORD_DATA : type;
	header[1] = TLS_1_2_VERSION_MAJOR;
	header[2] = TLS_1_2_VERSION_MINOR;
	put_unaligned_be16(plaintext_len + ktlso_record_overhead(c) -
			   KTLSO_HEADER_SIZE, header + 3);
}

/**
 * ktlso_record_advance() - step to the next record's sequence number
 * @c: direction state
 *
 * RFC 8446 §5.3 / RFC 5246 §6.1: a sequence number must not wrap; the
 * connection ends instead, so no nonce is ever used twice.
 *
 * Return: 0, or -EBADMSG when the sequence space is exhausted.
 */
int ktlso_record_advance(struct ktlso_crypto *c)
{
	int i;

	if (c->seq == U64_MAX)
		return -EBADMSG;
	c->seq++;
	if (!carries_explicit_nonce(c))
		return 0;
	/* The explicit nonce counts along with the sequence number. */
	for (i = KTLSO_NONCE_SIZE - 1; i >= KTLSO_NONCE_SIZE - 8; i--)
		if (++c->iv[i])
			break;
	return 0;
}
