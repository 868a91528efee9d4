// SPDX-License-Identifier: MIT
/*
 * TLS 1.2 AES-CBC with HMAC-SHA256 (RFC 5246 §6.2.3.2), MAC-then-encrypt
 * or, when negotiated, encrypt-then-MAC (RFC 7366). Legacy: off unless
 * configured.
 *
 * MAC-then-encrypt is the padding-oracle construction (Vaudenay, Lucky
 * Thirteen), so the receive side is built to give one answer, -EBADMSG, in
 * one time, whatever was wrong:
 *  - libcrypto's TLS mode for CBC (the provider parameters "tls-version" and
 *    "tls-mac-size", the code libssl itself uses) strips the padding and
 *    lifts the MAC out in constant time; bad padding yields a random MAC,
 *    so it fails the MAC comparison like any forgery rather than early;
 *  - the MAC is always computed (CRYPTO_memcmp to compare), over the
 *    content length the padding implies, and then a scratch SHA-256 context
 *    hashes as many extra blocks as make the total number of SHA-256
 *    compressions that of the longest possible content, so the count no
 *    longer depends on the padding length.
 * Limits: EVP_MAC runs over a secret length, so the bytes it copies into
 * its partial block (up to 63) and cache effects still vary with the
 * padding: less than the whole compression Lucky Thirteen measures, but
 * not nothing, and not measured here. A fully constant-time HMAC needs
 * SHA-256's compression function, which libcrypto does not offer through
 * EVP (libssl has its own). Encrypt-then-MAC checks the MAC over the
 * ciphertext first and has no such oracle: prefer it, and AEAD to both.
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

#define SHA256_BLOCK 64
#define SHA256_MIN_PAD 9 /* the 0x80 byte and the 64-bit length */
/* Up to 255 bytes of padding plus the padding_length byte (§6.2.3.2) */
#define CBC_MAX_PADDING 256

int record_cbc_keys(struct record_dir *d, const struct record_keys *k)
{
	unsigned int tls_version = TLS_VERSION_1_2;
	size_t mac_size = d->encrypt_then_mac ? 0 : RECORD_CBC_MAC_LEN;
	EVP_MAC *hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	OSSL_PARAM p[3];

	ENSURE(hmac, -EOPNOTSUPP);
	d->mac_ctx = EVP_MAC_CTX_new(hmac);
	EVP_MAC_free(hmac);
	ENSURE(d->mac_ctx, -ENOMEM);
	p[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						"SHA2-256", 0);
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
	d->pad_ctx = EVP_MD_CTX_new();
	ENSURE(d->pad_ctx, -ENOMEM);
	ENSURE(EVP_DigestInit_ex2(d->pad_ctx, EVP_sha256(), NULL) == 1, -EIO);
	return 0;
}

static size_t round_up(size_t n)
{
	return (n + RECORD_CBC_BLOCK - 1) / RECORD_CBC_BLOCK * RECORD_CBC_BLOCK;
}

/* Bytes that go through the cipher: content, [MAC,] padding. */
static size_t enc_len(const struct record_dir *d, size_t len)
{
	return round_up(len + (d->encrypt_then_mac ? 0 : RECORD_CBC_MAC_LEN) +
			1);
}

size_t record_cbc_body_len(const struct record_dir *d, size_t len)
{
	return RECORD_CBC_BLOCK + enc_len(d, len) +
	       (d->encrypt_then_mac ? RECORD_CBC_MAC_LEN : 0);
}

/*
 * RFC 5246 §6.2.3.2: HMAC(MAC_write_key, seq_num + type + version + length
 * + data), where data is the content; RFC 7366 §3: or IV + ciphertext, the
 * length then being theirs. Either way length is len.
 */
static int record_mac(struct record_dir *d, uint8_t type, const uint8_t *data,
		      size_t len, uint8_t out[RECORD_CBC_MAC_LEN])
{
	uint8_t hdr[RECORD_TLS12_AAD_LEN];
	size_t n = 0;

	record_tls12_aad(d->seq, type, TLS_VERSION_1_2, len, hdr);
	ENSURE(EVP_MAC_init(d->mac_ctx, NULL, 0, NULL) == 1, -EIO);
	ENSURE(EVP_MAC_update(d->mac_ctx, hdr, sizeof(hdr)) == 1, -EIO);
	ENSURE(EVP_MAC_update(d->mac_ctx, data, len) == 1, -EIO);
	ENSURE(EVP_MAC_final(d->mac_ctx, out, &n, RECORD_CBC_MAC_LEN) == 1 &&
		       n == RECORD_CBC_MAC_LEN,
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
		fill += RECORD_CBC_MAC_LEN;
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
		       size_t *len, uint8_t mac[RECORD_CBC_MAC_LEN])
{
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
					      &tls_mac, RECORD_CBC_MAC_LEN);
	p[1] = OSSL_PARAM_construct_end();
	ENSURE(EVP_CIPHER_CTX_get_params(d->cipher_ctx, p) == 1 && tls_mac,
	       -EIO);
	memcpy(mac, tls_mac, RECORD_CBC_MAC_LEN);
	return 0;
}

/* SHA-256 compressions in HMAC's inner hash of header + len bytes. */
static size_t inner_blocks(size_t len)
{
	return (SHA256_BLOCK + RECORD_TLS12_AAD_LEN + len + SHA256_MIN_PAD +
		SHA256_BLOCK - 1) /
	       SHA256_BLOCK;
}

/* k more compressions in a scratch context: whole blocks, no finalising. */
static int extra_compressions(struct record_dir *d, size_t k)
{
	static const uint8_t zeros[SHA256_BLOCK *
				   (CBC_MAX_PADDING / SHA256_BLOCK + 1)];

	ENSURE(k * SHA256_BLOCK <= sizeof(zeros), -EIO);
	ENSURE(EVP_DigestUpdate(d->pad_ctx, zeros, k * SHA256_BLOCK) == 1,
	       -EIO);
	return 0;
}

static int open_mac_then_encrypt(struct record_dir *d,
				 const struct record_frame *f, uint8_t *out,
				 size_t *pt_len)
{
	uint8_t want[RECORD_CBC_MAC_LEN], got[RECORD_CBC_MAC_LEN];
	size_t n = f->body_len, longest, len;
	struct reader r;
	int err;

	/* Public checks: whole blocks holding an IV, a MAC and a padding
	 * length byte (§6.2.3.2); a record that has not is bad_record_mac.
	 */
	ENSURE(n % RECORD_CBC_BLOCK == 0, -EBADMSG);
	ENSURE(n >= RECORD_CBC_BLOCK + round_up(RECORD_CBC_MAC_LEN + 1),
	       -EBADMSG);
	reader_init(&r, f->body, n);
	TRY(reader_copy(&r, out, n));
	TRY(cbc_decrypt(d, out, n, &len, got));

	/* From here len depends on the padding: compute the MAC whatever
	 * it was, even out the hash work, compare in constant time.
	 */
	longest = n - RECORD_CBC_BLOCK - RECORD_CBC_MAC_LEN;
	TRY(record_mac(d, f->type, out + RECORD_CBC_BLOCK, len, want));
	TRY(extra_compressions(d, inner_blocks(longest) - inner_blocks(len)));
	err = CRYPTO_memcmp(want, got, sizeof(want)) ? -EBADMSG : 0;
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
	uint8_t want[RECORD_CBC_MAC_LEN], got[RECORD_CBC_MAC_LEN];
	const uint8_t *enc;
	struct reader r;
	size_t n, len;

	/* RFC 7366 §3: IV + whole blocks, then the MAC over both */
	ENSURE(f->body_len >= 2 * RECORD_CBC_BLOCK + RECORD_CBC_MAC_LEN,
	       -EBADMSG);
	n = f->body_len - RECORD_CBC_MAC_LEN;
	ENSURE(n % RECORD_CBC_BLOCK == 0, -EBADMSG);
	reader_init(&r, f->body, f->body_len);
	TRY(reader_borrow(&r, n, &enc));
	TRY(reader_copy(&r, got, sizeof(got)));
	TRY(record_mac(d, f->type, enc, n, want));
	/* The MAC first: nothing unauthenticated is decrypted (§3). */
	ENSURE(CRYPTO_memcmp(want, got, sizeof(want)) == 0, -EBADMSG);
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
