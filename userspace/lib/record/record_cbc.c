// SPDX-License-Identifier: MIT
/*
 * TLS 1.2 AES-CBC with HMAC-SHA1, -SHA256 or -SHA384 (RFC 5246 §6.2.3.2,
 * RFC 5289 §3.2), MAC-then-encrypt or, when negotiated, encrypt-then-MAC
 * (RFC 7366). Legacy: off unless configured. One code path for the three
 * HMACs; what differs is in struct record_hmac.
 *
 * MAC-then-encrypt is the padding-oracle construction (Vaudenay, Lucky
 * Thirteen), so the receive side is built to give one answer, -EBADMSG, in
 * one time, whatever was wrong:
 *  - libcrypto's TLS mode for CBC (the provider parameters "tls-version" and
 *    "tls-mac-size", the code libssl itself uses) strips the padding and
 *    lifts the MAC out in constant time; bad padding yields a random MAC,
 *    so it fails the MAC comparison like any forgery rather than early;
 *  - the MAC is always computed (CRYPTO_memcmp to compare), over the
 *    content length the padding implies, and then a scratch context of the
 *    same hash takes as many extra blocks as make the total number of
 *    compressions that of the longest possible content, so the count no
 *    longer depends on the padding length. The count is per the hash's own
 *    block: 64 bytes for SHA-1 and SHA-256, 128 for SHA-384, whose length
 *    field is 16 bytes rather than 8.
 * Limits: EVP_MAC runs over a secret length, so the bytes it copies into
 * its partial block (up to a block less one) and cache effects still vary
 * with the padding: less than the whole compression Lucky Thirteen
 * measures, but not nothing, and not measured here. A fully constant-time
 * HMAC needs the hash's compression function, which libcrypto does not
 * offer through EVP (libssl has its own). Encrypt-then-MAC checks the MAC
 * over the ciphertext first and has no such oracle: prefer it, and AEAD to
 * both.
 */
#include <errno.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "record/record_cbc.h"

/* Up to 255 bytes of padding plus the padding_length byte (§6.2.3.2) */
#define CBC_MAX_PADDING 256
#define HASH_BLOCK_MAX 128

/* FIPS 180-4 §5.1: a 0x80 byte, then the message length in 64 bits
 * (SHA-1, SHA-256) or 128 bits (SHA-384).
 */
const struct record_hmac record_hmac_sha1 = {
	.digest = "SHA1", .mac_len = 20, .block = 64, .min_pad = 1 + 8 };
const struct record_hmac record_hmac_sha256 = {
	.digest = "SHA2-256", .mac_len = 32, .block = 64, .min_pad = 1 + 8 };
const struct record_hmac record_hmac_sha384 = {
	.digest = "SHA2-384", .mac_len = 48, .block = 128, .min_pad = 1 + 16 };

/* The hash of h for the scratch context, fetched and freed here. */
static int init_pad_ctx(struct record_dir *d, const struct record_hmac *h)
{
	EVP_MD *md = EVP_MD_fetch(NULL, h->digest, NULL);
	int ok;

	ENSURE(md, -EOPNOTSUPP);
	d->pad_ctx = EVP_MD_CTX_new();
	ok = d->pad_ctx && EVP_DigestInit_ex2(d->pad_ctx, md, NULL) == 1;
	EVP_MD_free(md);
	ENSURE(d->pad_ctx, -ENOMEM);
	return ok ? 0 : -EIO;
}

int record_cbc_keys(struct record_dir *d, const struct record_keys *k)
{
	const struct record_hmac *h = d->hmac;
	unsigned int tls_version = TLS_VERSION_1_2;
	size_t mac_size = d->encrypt_then_mac ? 0 : h->mac_len;
	EVP_MAC *hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	OSSL_PARAM p[3];

	ENSURE(hmac, -EOPNOTSUPP);
	d->mac_ctx = EVP_MAC_CTX_new(hmac);
	EVP_MAC_free(hmac);
	ENSURE(d->mac_ctx, -ENOMEM);
	p[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						(char *)h->digest, 0);
	p[1] = OSSL_PARAM_construct_end();
	ENSURE(EVP_MAC_init(d->mac_ctx, k->mac_key.bytes, k->mac_key.len, p) ==
		       1,
	       -EIO);

	if (d->op == RECORD_SEAL) {
		/* we write the TLS padding ourselves */
		ENSURE(EVP_CIPHER_CTX_set_padding(d->cipher_ctx, 0) == 1, -EIO);
		return 0;
	}
	/* Opening: libcrypto's constant-time TLS padding and MAC removal. */
	p[0] = OSSL_PARAM_construct_uint(OSSL_CIPHER_PARAM_TLS_VERSION,
					 &tls_version);
	p[1] = OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_TLS_MAC_SIZE,
					   &mac_size);
	p[2] = OSSL_PARAM_construct_end();
	ENSURE(EVP_CIPHER_CTX_set_params(d->cipher_ctx, p) == 1, -EIO);
	return init_pad_ctx(d, h);
}

static size_t round_up(size_t n)
{
	return (n + RECORD_CBC_BLOCK - 1) / RECORD_CBC_BLOCK * RECORD_CBC_BLOCK;
}

/* Bytes that go through the cipher: content, [MAC,] padding. */
static size_t enc_len(const struct record_dir *d, size_t len)
{
	return round_up(len + (d->encrypt_then_mac ? 0 : d->hmac->mac_len) +
			1);
}

size_t record_cbc_body_len(const struct record_dir *d, size_t len)
{
	return RECORD_CBC_BLOCK + enc_len(d, len) +
	       (d->encrypt_then_mac ? d->hmac->mac_len : 0);
}

/*
 * RFC 5246 §6.2.3.2: HMAC(MAC_write_key, seq_num + type + version + length
 * + data), where data is the content; RFC 7366 §3: or IV + ciphertext, the
 * length then being theirs. Either way length is len.
 */
static int record_mac(struct record_dir *d, uint8_t type, const uint8_t *data,
		      size_t len, uint8_t out[RECORD_CBC_MAC_MAX])
{
	size_t mac_len = d->hmac->mac_len;
	uint8_t hdr[RECORD_TLS12_AAD_LEN];
	size_t n = 0;

	record_tls12_aad(d->seq, type, TLS_VERSION_1_2, len, hdr);
	ENSURE(EVP_MAC_init(d->mac_ctx, NULL, 0, NULL) == 1, -EIO);
	ENSURE(EVP_MAC_update(d->mac_ctx, hdr, sizeof(hdr)) == 1, -EIO);
	ENSURE(EVP_MAC_update(d->mac_ctx, data, len) == 1, -EIO);
	ENSURE(EVP_MAC_final(d->mac_ctx, out, &n, mac_len) == 1 &&
		       n == mac_len,
	       -EIO);
	return 0;
}

int record_cbc_seal(struct record_dir *d, uint8_t type, const uint8_t *data,
		    size_t len, uint8_t *body)
{
	size_t enc = enc_len(d, len), fill = len;
	uint8_t *iv = body, *p = body + RECORD_CBC_BLOCK;
	int n;

	/* §6.2.3.2: a fresh, unpredictable IV for every record */
	ENSURE(RAND_bytes(iv, RECORD_CBC_BLOCK) == 1, -EIO);
	memcpy(p, data, len);
	if (!d->encrypt_then_mac) {
		TRY(record_mac(d, type, data, len, p + len));
		fill += d->hmac->mac_len;
	}
	/* padding_length + 1 bytes, each of value padding_length */
	memset(p + fill, (int)(enc - fill - 1), enc - fill);
	ENSURE(EVP_CipherInit_ex2(d->cipher_ctx, NULL, NULL, iv, -1, NULL) == 1,
	       -EIO);
	ENSURE(EVP_CipherUpdate(d->cipher_ctx, p, &n, p, (int)enc) == 1 &&
		       (size_t)n == enc,
	       -EIO);
	if (d->encrypt_then_mac)
		TRY(record_mac(d, type, body, RECORD_CBC_BLOCK + enc, p + enc));
	return 0;
}

/*
 * Decrypt IV + ciphertext in place in libcrypto's TLS mode. It discards the
 * IV block (CBC needs no IV to decrypt what follows it), removes the
 * padding and, MAC-then-encrypt, copies the MAC (random if the padding was
 * bad) into mac. The content is left at buf + RECORD_CBC_BLOCK.
 */
static int cbc_decrypt(struct record_dir *d, uint8_t *buf, size_t n,
		       size_t *len, uint8_t mac[RECORD_CBC_MAC_MAX])
{
	size_t mac_len = d->hmac->mac_len;
	void *tls_mac = NULL;
	OSSL_PARAM p[2];
	int outl = 0, ok;

	ERR_set_mark();
	ok = EVP_CipherUpdate(d->cipher_ctx, buf, &outl, buf, (int)n) == 1;
	ERR_pop_to_mark();
	/* Fails only for what is public: a length no record has or, after
	 * an encrypt-then-MAC record's MAC verified, bad padding.
	 */
	ENSURE(ok && outl >= 0, -EBADMSG);
	*len = (size_t)outl;
	if (!mac)
		return 0;
	p[0] = OSSL_PARAM_construct_octet_ptr(OSSL_CIPHER_PARAM_TLS_MAC,
					      &tls_mac, mac_len);
	p[1] = OSSL_PARAM_construct_end();
	ENSURE(EVP_CIPHER_CTX_get_params(d->cipher_ctx, p) == 1 && tls_mac,
	       -EIO);
	memcpy(mac, tls_mac, mac_len);
	return 0;
}

/*
 * Compressions in HMAC's inner hash of the key block, the header and len
 * bytes: the hash's final padding needs min_pad bytes of room.
 */
static size_t inner_blocks(const struct record_hmac *h, size_t len)
{
	return (h->block + RECORD_TLS12_AAD_LEN + len + h->min_pad +
		h->block - 1) /
	       h->block;
}

/*
 * k more compressions in the scratch context: whole blocks, no finalising.
 * The longest and the shortest content differ by CBC_MAX_PADDING bytes at
 * most, so k is at most CBC_MAX_PADDING / block + 1.
 */
static int extra_compressions(struct record_dir *d, size_t k)
{
	static const uint8_t zeros[CBC_MAX_PADDING + HASH_BLOCK_MAX];
	size_t n = k * d->hmac->block;

	ENSURE(n <= sizeof(zeros), -EIO);
	ENSURE(EVP_DigestUpdate(d->pad_ctx, zeros, n) == 1, -EIO);
	return 0;
}

static int open_mac_then_encrypt(struct record_dir *d,
				 const struct record_frame *f, uint8_t *out,
				 size_t *pt_len)
{
	uint8_t want[RECORD_CBC_MAC_MAX], got[RECORD_CBC_MAC_MAX];
	const struct record_hmac *h = d->hmac;
	size_t n = f->body_len, longest, len;
	struct reader r;
	int err;

	/* Public checks: whole blocks holding an IV, a MAC and a padding
	 * length byte (§6.2.3.2); a record that has not is bad_record_mac.
	 */
	ENSURE(n % RECORD_CBC_BLOCK == 0, -EBADMSG);
	ENSURE(n >= RECORD_CBC_BLOCK + round_up(h->mac_len + 1), -EBADMSG);
	reader_init(&r, f->body, n);
	TRY(reader_copy(&r, out, n));
	TRY(cbc_decrypt(d, out, n, &len, got));

	/* From here len depends on the padding: compute the MAC whatever
	 * it was, even out the hash work, compare in constant time. The
	 * longest is what bad padding leaves (libcrypto removes none).
	 */
	longest = n - RECORD_CBC_BLOCK - h->mac_len;
	TRY(record_mac(d, f->type, out + RECORD_CBC_BLOCK, len, want));
	TRY(extra_compressions(d, inner_blocks(h, longest) -
					  inner_blocks(h, len)));
	err = CRYPTO_memcmp(want, got, h->mac_len) ? -EBADMSG : 0;
	OPENSSL_cleanse(got, sizeof(got));
	TRY(err);
	memmove(out, out + RECORD_CBC_BLOCK, len);
	*pt_len = len;
	return 0;
}

static int open_encrypt_then_mac(struct record_dir *d,
				 const struct record_frame *f, uint8_t *out,
				 size_t *pt_len)
{
	uint8_t want[RECORD_CBC_MAC_MAX], got[RECORD_CBC_MAC_MAX];
	size_t mac_len = d->hmac->mac_len, n, len;
	const uint8_t *enc;
	struct reader r;

	/* RFC 7366 §3: IV + whole blocks, then the MAC over both */
	ENSURE(f->body_len >= 2 * RECORD_CBC_BLOCK + mac_len, -EBADMSG);
	n = f->body_len - mac_len;
	ENSURE(n % RECORD_CBC_BLOCK == 0, -EBADMSG);
	reader_init(&r, f->body, f->body_len);
	TRY(reader_borrow(&r, n, &enc));
	TRY(reader_copy(&r, got, mac_len));
	TRY(record_mac(d, f->type, enc, n, want));
	/* The MAC first: nothing unauthenticated is decrypted (§3). */
	ENSURE(CRYPTO_memcmp(want, got, mac_len) == 0, -EBADMSG);
	memcpy(out, enc, n);
	TRY(cbc_decrypt(d, out, n, &len, NULL));
	memmove(out, out + RECORD_CBC_BLOCK, len);
	*pt_len = len;
	return 0;
}

int record_cbc_open(struct record_dir *d, const struct record_frame *f,
		    uint8_t *out, size_t *pt_len)
{
	if (d->encrypt_then_mac)
		return open_encrypt_then_mac(d, f, out, pt_len);
	return open_mac_then_encrypt(d, f, out, pt_len);
}
