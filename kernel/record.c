// SPDX-License-Identifier: GPL-2.0
/*
 * TLS record framing and protection: nonces, additional data, headers,
 * sequence numbers, and sealing and opening one record. Functions of the
 * direction's state and of buffers, never of a socket, so KUnit can pin them
 * down against published records. The AEADs are here; what differs for CBC
 * with HMAC is in record_cbc.c, behind the cipher's ops.
 */
#include <linux/scatterlist.h>
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

static const struct ktlso_record_ops *ops(const struct ktlso_crypto *c)
{
	return c->cipher->ops;
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

/* Bytes between the header and the ciphertext: the explicit nonce or IV. */
unsigned int ktlso_record_prefix(const struct ktlso_crypto *c)
{
	return is_tls13(c) ? 0 : c->cipher->prefix;
}

/* Wire bytes of a record of plaintext_len bytes of content. */
unsigned int ktlso_record_size(const struct ktlso_crypto *c, unsigned int plaintext_len)
{
	return KTLSO_HEADER_SIZE + ops(c)->fragment_len(c, plaintext_len);
}

static unsigned int aead_fragment_len(const struct ktlso_crypto *c,
				      unsigned int plaintext_len)
{
	/* RFC 8446 §5.2: TLSInnerPlaintext ends with the real content type. */
	return ktlso_record_prefix(c) + plaintext_len + c->cipher->tag +
	       (is_tls13(c) ? 1 : 0);
}

/**
 * ktlso_record_inner_len() - bytes a received record decrypts to
 * @c: direction state
 * @header: the record's checked header
 *
 * Return: the length of the (TLS 1.3: inner) plaintext, content type and
 * padding included: the ciphertext without explicit nonce and tag.
 */
unsigned int ktlso_record_inner_len(const struct ktlso_crypto *c, const u8 *header)
{
	return ops(c)->inner_len(c, get_unaligned_be16(header + 3));
}

static unsigned int aead_inner_len(const struct ktlso_crypto *c,
				   unsigned int fragment_len)
{
	return fragment_len - ktlso_record_prefix(c) - c->cipher->tag;
}

/**
 * ktlso_record_check_header() - may a received record header be read on?
 * @c: direction state
 * @header: the record's first KTLSO_HEADER_SIZE bytes
 *
 * The checks in kTLS's order and with its errno, so that applications see
 * what the in-tree module would give them.
 *
 * Return: 0; -EMSGSIZE for more ciphertext than 2^14 bytes of content can
 * make (RFC 8446 §5.2, RFC 5246 §6.2.3), -EBADMSG for too little to hold
 * the explicit nonce and the tag (TLS 1.3: and the content type; CBC: the
 * IV, a block and the MAC), -EINVAL for a legacy_record_version other than
 * 0x0303 (RFC 8446 §5.1 fixes it for TLS 1.3 too, and a TLS 1.2 peer sends
 * its own version).
 */
int ktlso_record_check_header(const struct ktlso_crypto *c, const u8 *header)
{
	int err = ops(c)->check_len(c, get_unaligned_be16(header + 3));

	if (err)
		return err;
	if (header[1] != TLS_1_2_VERSION_MAJOR || header[2] != TLS_1_2_VERSION_MINOR)
		return -EINVAL;
	return 0;
}

static int aead_check_len(const struct ktlso_crypto *c, unsigned int len)
{
	unsigned int overhead = aead_fragment_len(c, 0);

	/* Like kTLS, no room for TLS 1.3 padding beyond the type byte. */
	if (len > KTLSO_MAX_PLAINTEXT + overhead)
		return -EMSGSIZE;
	/* A TLS 1.3 record of the tag alone passes here, as in kTLS, and
	 * fails after decryption: it has no content type.
	 */
	if (len < overhead - (is_tls13(c) ? 1 : 0))
		return -EBADMSG;
	return 0;
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
	put_unaligned_be16(ops(c)->fragment_len(c, plaintext_len), header + 3);
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

/**
 * ktlso_record_seal() - protect one record
 * @c: direction state at the record's sequence number; the caller advances
 *     it (ktlso_record_advance()) once the record is committed
 * @type: the record's content type
 * @len: bytes of plaintext
 * @head: out: the header and explicit nonce, KTLSO_HEADER_SIZE +
 *        ktlso_record_prefix() bytes
 * @src: entry 0 is set here to the additional data; the entries after it
 *       hold @len bytes of plaintext and, for TLS 1.3, one byte more that
 *       the content type is written to
 * @dst: entry 0 is set here to the additional data; the entries after it
 *       have room for the rest of the record (ciphertext, tag). May be @src
 *       (in place).
 *
 * Return: 0, or the crypto layer's -errno.
 */
int ktlso_record_seal(struct ktlso_crypto *c, u8 type, unsigned int len,
		      u8 *head, struct scatterlist *src, struct scatterlist *dst)
{
	return ops(c)->seal(c, type, len, head, src, dst);
}

static int aead_seal(struct ktlso_crypto *c, u8 type, unsigned int len,
		     u8 *head, struct scatterlist *src, struct scatterlist *dst)
{
	unsigned int inner = len, aad_len;

	/* RFC 8446 §5.2: the real content type is encrypted after the data. */
	if (is_tls13(c)) {
		if (sg_pcopy_from_buffer(src + 1, sg_nents(src + 1), &type, 1, len) != 1)
			return -EINVAL;
		inner++;
	}
	ktlso_record_header(c, type, len, head);
	/* RFC 5288 §3: the explicit nonce travels in the clear. */
	memcpy(head + KTLSO_HEADER_SIZE, c->iv + c->cipher->salt, ktlso_record_prefix(c));
	aad_len = ktlso_record_aad(c, type, len, c->aad);
	ktlso_record_nonce(c, c->nonce);
	sg_set_buf(&src[0], c->aad, aad_len);
	sg_set_buf(&dst[0], c->aad, aad_len);
	return ktlso_crypto_run(c, true, src, dst, aad_len, inner, c->nonce);
}

/**
 * ktlso_record_open() - authenticate and decrypt one record
 * @c: direction state at the record's sequence number; the caller advances
 *     it once the record is accepted
 * @head: the record's header, checked, and explicit nonce
 * @src: entry 0 is set here to the additional data; the entries after it
 *       hold the ciphertext and tag, which are left as they are
 * @dst: entry 0 is set here to the additional data; the entries after it
 *       have room for ktlso_record_inner_len() bytes of plaintext
 *
 * What the AEAD wrote to @dst is wiped again if the record is not authentic.
 *
 * Return: 0, or -EBADMSG: whatever the crypto layer said, the record cannot
 * be trusted.
 */
int ktlso_record_open(struct ktlso_crypto *c, const u8 *head,
		      struct scatterlist *src, struct scatterlist *dst)
{
	return ops(c)->open(c, head, src, dst);
}

static int aead_open(struct ktlso_crypto *c, const u8 *head,
		     struct scatterlist *src, struct scatterlist *dst)
{
	unsigned int inner = ktlso_record_inner_len(c, head), aad_len;

	ktlso_record_nonce(c, c->nonce);
	/* RFC 5288 §3: the explicit nonce is what the peer put on the wire. */
	memcpy(c->nonce + (c->cipher->ccm_b0 ? 1 : 0) + c->cipher->salt,
	       head + KTLSO_HEADER_SIZE, ktlso_record_prefix(c));
	/* RFC 8446 §5.2: TLS 1.3 authenticates the header as received. */
	if (is_tls13(c)) {
		aad_len = KTLSO_HEADER_SIZE;
		memcpy(c->aad, head, aad_len);
	} else {
		aad_len = ktlso_record_aad(c, head[0], inner, c->aad);
	}

	sg_set_buf(&src[0], c->aad, aad_len);
	sg_set_buf(&dst[0], c->aad, aad_len);
	if (!ktlso_crypto_run(c, false, src, dst, aad_len, inner + c->cipher->tag,
			      c->nonce))
		return 0;
	sg_zero_buffer(dst + 1, sg_nents(dst + 1), inner, 0);
	return -EBADMSG;
}

/**
 * ktlso_record_content() - a decrypted record's content type and length
 * @c: direction state
 * @outer_type: the type in the record header
 * @inner: the plaintext ktlso_record_open() produced
 * @len: in: ktlso_record_inner_len(); out: bytes of content
 * @type: out: the content type
 *
 * Return: 0, or -EBADMSG for a TLS 1.3 record without a content type.
 */
int ktlso_record_content(const struct ktlso_crypto *c, u8 outer_type,
			 const u8 *inner, unsigned int *len, u8 *type)
{
	return ops(c)->content(c, outer_type, inner, len, type);
}

static int aead_content(const struct ktlso_crypto *c, u8 outer_type,
			const u8 *inner, unsigned int *len, u8 *type)
{
	unsigned int n = *len;

	if (!is_tls13(c)) {
		*type = outer_type;
		return 0;
	}
	/* RFC 8446 §5.4: the content type is the last non-zero byte ... */
	while (n && !inner[n - 1])
		n--;
	/* ... and a record of zeros only is an unexpected_message. */
	if (!n)
		return -EBADMSG;
	*type = inner[n - 1];
	*len = n - 1;
	return 0;
}

const struct ktlso_record_ops ktlso_aead_ops = {
	.init = ktlso_aead_init,
	.uninit = ktlso_aead_uninit,
	.fragment_len = aead_fragment_len,
	.check_len = aead_check_len,
	.inner_len = aead_inner_len,
	.seal = aead_seal,
	.open = aead_open,
	.content = aead_content,
	/* TLS 1.3 hides the content type and padding in the plaintext. */
	.plaintext_is_content = true,
};
