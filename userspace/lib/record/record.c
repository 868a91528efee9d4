// SPDX-License-Identifier: MIT
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "record/record.h"
#include "record/record_cbc.h"

#define AEAD_TAG_LEN 16 /* all three AEADs here */
#define AEAD_NONCE_LEN 12
#define GCM_SALT_LEN 4
#define GCM_EXPLICIT_LEN 8 /* RFC 5288 §3: nonce_explicit */

struct cipher_info {
	const char *evp_name;
	size_t key_len;
	const struct record_hmac *hmac; /* CBC suites; NULL: an AEAD */
};

static const struct cipher_info ciphers[] = {
	[RECORD_AES_128_GCM] = { .evp_name = "AES-128-GCM", .key_len = 16 },
	[RECORD_AES_256_GCM] = { .evp_name = "AES-256-GCM", .key_len = 32 },
	[RECORD_CHACHA20_POLY1305] = { .evp_name = "ChaCha20-Poly1305",
				       .key_len = 32 },
	[RECORD_AES_128_CBC_SHA] = { .evp_name = "AES-128-CBC", .key_len = 16,
				     .hmac = &record_hmac_sha1 },
	[RECORD_AES_256_CBC_SHA] = { .evp_name = "AES-256-CBC", .key_len = 32,
				     .hmac = &record_hmac_sha1 },
	[RECORD_AES_128_CBC_SHA256] = { .evp_name = "AES-128-CBC",
					.key_len = 16,
					.hmac = &record_hmac_sha256 },
	[RECORD_AES_256_CBC_SHA256] = { .evp_name = "AES-256-CBC",
					.key_len = 32,
					.hmac = &record_hmac_sha256 },
	[RECORD_AES_256_CBC_SHA384] = { .evp_name = "AES-256-CBC",
					.key_len = 32,
					.hmac = &record_hmac_sha384 },
};

/* NULL for plaintext and for what is not a cipher */
static const struct cipher_info *cipher_info(enum record_cipher c)
{
	if ((size_t)c >= sizeof(ciphers) / sizeof(ciphers[0]) ||
	    !ciphers[c].evp_name)
		return NULL;
	return &ciphers[c];
}

static bool is_tls12_gcm(const struct record_dir *d)
{
	return d->version == TLS_VERSION_1_2 &&
	       (d->cipher == RECORD_AES_128_GCM ||
		d->cipher == RECORD_AES_256_GCM);
}

/* The static IV's length for this version and cipher (see the header). */
static size_t iv_len(enum tls_version version, const struct cipher_info *ci,
		     enum record_cipher c)
{
	if (ci->hmac)
		return 0;
	if (version == TLS_VERSION_1_2 && c != RECORD_CHACHA20_POLY1305)
		return GCM_SALT_LEN;
	return AEAD_NONCE_LEN;
}

static bool is_content_type(uint8_t type)
{
	return type == TLS_CT_CHANGE_CIPHER_SPEC || type == TLS_CT_ALERT ||
	       type == TLS_CT_HANDSHAKE || type == TLS_CT_APPLICATION_DATA;
}

void record_dir_wipe(struct record_dir *d)
{
	if (!d)
		return;
	EVP_CIPHER_CTX_free(d->cipher_ctx);
	EVP_MAC_CTX_free(d->mac_ctx);
	EVP_MD_CTX_free(d->pad_ctx);
	OPENSSL_cleanse(d, sizeof(*d));
}

void record_dir_plain(struct record_dir *d, uint16_t record_version)
{
	record_dir_wipe(d);
	d->cipher = RECORD_PLAINTEXT;
	d->record_version = record_version;
}

static int check_keys(const struct record_keys *k, enum record_op op,
		      const struct cipher_info **out)
{
	const struct cipher_info *ci = cipher_info(k->cipher);

	ENSURE(op == RECORD_SEAL || op == RECORD_OPEN, -EINVAL);
	ENSURE(k->version == TLS_VERSION_1_2 || k->version == TLS_VERSION_1_3,
	       -EINVAL);
	ENSURE(ci, -EINVAL);
	/* RFC 8446 §5.2: TLS 1.3 has AEAD ciphers only. */
	ENSURE(!ci->hmac || k->version == TLS_VERSION_1_2, -EINVAL);
	/* RFC 7366: encrypt-then-MAC applies to block ciphers only. */
	ENSURE(ci->hmac || !k->encrypt_then_mac, -EINVAL);
	ENSURE(k->key.len == ci->key_len, -EINVAL);
	ENSURE(k->iv.len == iv_len(k->version, ci, k->cipher), -EINVAL);
	ENSURE(k->mac_key.len == (ci->hmac ? ci->hmac->mac_len : 0), -EINVAL);
	*out = ci;
	return 0;
}

static int key_cipher(struct record_dir *d, const struct cipher_info *ci,
		      const struct record_keys *k)
{
	EVP_CIPHER *cipher = EVP_CIPHER_fetch(NULL, ci->evp_name, NULL);
	int ok;

	ENSURE(cipher, -EOPNOTSUPP);
	d->cipher_ctx = EVP_CIPHER_CTX_new();
	/* The IV is set per record; the key schedule is made once here and
	 * cleared by libcrypto when the context is freed.
	 */
	ok = d->cipher_ctx &&
	     EVP_CipherInit_ex2(d->cipher_ctx, cipher, k->key.bytes, NULL,
				d->op == RECORD_SEAL, NULL) == 1;
	EVP_CIPHER_free(cipher);
	if (!d->cipher_ctx)
		return -ENOMEM;
	return ok ? 0 : -EIO;
}

int record_dir_keys(struct record_dir *d, const struct record_keys *k,
		    enum record_op op)
{
	const struct cipher_info *ci;
	int err;

	record_dir_wipe(d);
	TRY(check_keys(k, op, &ci));
	d->cipher = k->cipher;
	d->version = k->version;
	/* RFC 8446 §5.2 legacy_record_version; RFC 5246 §6.2.1 version */
	d->record_version = TLS_VERSION_1_2;
	d->op = op;
	d->encrypt_then_mac = k->encrypt_then_mac;
	d->seq = k->seq;
	d->iv = k->iv;
	d->hmac = ci->hmac;
	err = key_cipher(d, ci, k);
	if (!err && ci->hmac)
		err = record_cbc_keys(d, k);
	if (err)
		record_dir_wipe(d);
	return err;
}

int record_parse(const struct record_dir *d, struct reader *r,
		 struct record_frame *f)
{
	struct reader hdr = *r;
	size_t max = TLS_MAX_PLAINTEXT;
	uint16_t len;

	ENSURE(d->cipher, -EINVAL);
	if (d->cipher != RECORD_PLAINTEXT)
		max = d->version == TLS_VERSION_1_3 ? TLS13_MAX_CIPHERTEXT :
						      TLS12_MAX_CIPHERTEXT;
	f->size = TLS_RECORD_HEADER_LEN;
	/* Judge each field as soon as it is here: garbage is refused without
	 * waiting for a body, and a short read is never an error.
	 */
	if (reader_u8(&hdr, &f->type))
		return -EAGAIN;
	/* RFC 8446 §5, RFC 5246 §6: an unexpected record type is
	 * unexpected_message.
	 */
	ENSURE(is_content_type(f->type), -EPROTO);
	if (reader_u16(&hdr, &f->version) || reader_u16(&hdr, &len))
		return -EAGAIN;
	/* RFC 8446 §5.1/§5.2, RFC 5246 §6.2.1/§6.2.3: record_overflow */
	ENSURE(len <= max, -EMSGSIZE);
	f->size = TLS_RECORD_HEADER_LEN + len;
	if (reader_borrow(&hdr, len, &f->body))
		return -EAGAIN;
	f->body_len = len;
	*r = hdr;
	return 0;
}

static void put_header(uint8_t *out, uint8_t type, uint16_t version,
		       size_t body_len)
{
	out[0] = type;
	out[1] = (uint8_t)(version >> 8);
	out[2] = (uint8_t)version;
	out[3] = (uint8_t)(body_len >> 8);
	out[4] = (uint8_t)body_len;
}

static void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}

/* RFC 8446 §5.3, RFC 7905 §2: the static IV XOR the padded sequence number */
static void xor_nonce(const struct record_dir *d, uint8_t nonce[AEAD_NONCE_LEN])
{
	uint8_t seq[8];

	put_be64(seq, d->seq);
	memcpy(nonce, d->iv.bytes, AEAD_NONCE_LEN);
	for (int i = 0; i < 8; i++)
		nonce[4 + i] ^= seq[i];
}

/*
 * One AEAD operation with d's key: sealing writes E(in) to out and the tag
 * to tag; opening writes D(in) to out and checks it against tag.
 */
static int aead(struct record_dir *d, const uint8_t nonce[AEAD_NONCE_LEN],
		const uint8_t *aad, size_t aad_len, const uint8_t *in,
		size_t len, uint8_t *out, uint8_t tag[AEAD_TAG_LEN])
{
	EVP_CIPHER_CTX *c = d->cipher_ctx;
	bool seal = d->op == RECORD_SEAL, ok;
	int n;

	ENSURE(EVP_CipherInit_ex2(c, NULL, NULL, nonce, -1, NULL) == 1, -EIO);
	ENSURE(EVP_CipherUpdate(c, NULL, &n, aad, (int)aad_len) == 1, -EIO);
	if (len)
		ENSURE(EVP_CipherUpdate(c, out, &n, in, (int)len) == 1 &&
			       (size_t)n == len,
		       -EIO);
	if (!seal)
		ENSURE(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG,
					   AEAD_TAG_LEN, tag) == 1,
		       -EIO);
	/* RFC 8446 §5.2, RFC 5246 §6.2.3.3: a tag that does not verify is
	 * bad_record_mac.
	 */
	ERR_set_mark();
	ok = EVP_CipherFinal_ex(c, out + len, &n) == 1;
	ERR_pop_to_mark();
	if (!ok)
		return seal ? -EIO : -EBADMSG;
	if (seal)
		ENSURE(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG,
					   AEAD_TAG_LEN, tag) == 1,
		       -EIO);
	return 0;
}

size_t record_sealed_len(const struct record_dir *d, size_t len, size_t pad)
{
	size_t body;

	if (!d->cipher || len > TLS_MAX_PLAINTEXT)
		return 0;
	if (pad && (d->cipher == RECORD_PLAINTEXT ||
		    d->version != TLS_VERSION_1_3 ||
		    pad > TLS_MAX_PLAINTEXT - len))
		return 0;
	if (d->cipher == RECORD_PLAINTEXT)
		body = len;
	else if (d->version == TLS_VERSION_1_3)
		body = len + 1 + pad + AEAD_TAG_LEN; /* §5.2, §5.4 */
	else if (d->hmac)
		body = record_cbc_body_len(d, len);
	else
		body = (is_tls12_gcm(d) ? GCM_EXPLICIT_LEN : 0) + len +
		       AEAD_TAG_LEN;
	return TLS_RECORD_HEADER_LEN + body;
}

static int seal_tls13(struct record_dir *d, uint8_t type, const void *data,
		      size_t len, size_t pad, uint8_t *out)
{
	size_t inner = len + 1 + pad;
	uint8_t *body = out + TLS_RECORD_HEADER_LEN;
	uint8_t nonce[AEAD_NONCE_LEN];

	/* RFC 8446 §5.2: the outer header claims application_data, 0x0303,
	 * and is the AEAD's additional data; §5.4: TLSInnerPlaintext is the
	 * content, its real type and zero padding.
	 */
	put_header(out, TLS_CT_APPLICATION_DATA, TLS_VERSION_1_2,
		   inner + AEAD_TAG_LEN);
	memcpy(body, data, len);
	body[len] = type;
	memset(body + len + 1, 0, pad);
	xor_nonce(d, nonce);
	return aead(d, nonce, out, TLS_RECORD_HEADER_LEN, body, inner, body,
		    body + inner);
}

static int seal_tls12(struct record_dir *d, uint8_t type, const void *data,
		      size_t len, uint8_t *out)
{
	uint8_t *body = out + TLS_RECORD_HEADER_LEN;
	uint8_t aad[RECORD_TLS12_AAD_LEN], nonce[AEAD_NONCE_LEN];
	size_t explicit = 0;

	if (d->hmac) {
		put_header(out, type, TLS_VERSION_1_2,
			   record_cbc_body_len(d, len));
		return record_cbc_seal(d, type, data, len, body);
	}
	if (is_tls12_gcm(d)) {
		/* RFC 5288 §3: salt + nonce_explicit, which is the sequence
		 * number and goes out in front of the ciphertext.
		 */
		explicit = GCM_EXPLICIT_LEN;
		memcpy(nonce, d->iv.bytes, GCM_SALT_LEN);
		put_be64(nonce + GCM_SALT_LEN, d->seq);
		memcpy(body, nonce + GCM_SALT_LEN, GCM_EXPLICIT_LEN);
	} else {
		xor_nonce(d, nonce);
	}
	put_header(out, type, TLS_VERSION_1_2, explicit + len + AEAD_TAG_LEN);
	record_tls12_aad(d->seq, type, TLS_VERSION_1_2, len, aad);
	memcpy(body + explicit, data, len);
	return aead(d, nonce, aad, sizeof(aad), body + explicit, len,
		    body + explicit, body + explicit + len);
}

/* Advance after a record went through: the last number is never reused. */
static void seq_advance(struct record_dir *d)
{
	if (d->seq == UINT64_MAX)
		d->exhausted = true;
	else
		d->seq++;
}

int record_seal(struct record_dir *d, uint8_t type, const void *data,
		size_t len, size_t pad, uint8_t *out, size_t cap,
		size_t *out_len)
{
	size_t n;
	int err;

	ENSURE(d->cipher, -EINVAL);
	ENSURE(d->cipher == RECORD_PLAINTEXT || d->op == RECORD_SEAL, -EINVAL);
	ENSURE(data || !len, -EINVAL);
	if (!data)
		data = ""; /* memcpy wants a pointer even for 0 bytes */
	ENSURE(is_content_type(type), -EINVAL);
	/* RFC 8446 §5.1/§5.4, RFC 5246 §6.2.1: only data may be empty */
	ENSURE(len || type == TLS_CT_APPLICATION_DATA, -EINVAL);
	/* RFC 8446 §5: change_cipher_spec is never protected in TLS 1.3 */
	ENSURE(d->cipher == RECORD_PLAINTEXT || d->version != TLS_VERSION_1_3 ||
		       type != TLS_CT_CHANGE_CIPHER_SPEC,
	       -EINVAL);
	ENSURE(len <= TLS_MAX_PLAINTEXT && pad <= TLS_MAX_PLAINTEXT - len,
	       -EMSGSIZE);
	n = record_sealed_len(d, len, pad);
	ENSURE(n, -EINVAL);
	ENSURE(n <= cap, -ENOBUFS);

	if (d->cipher == RECORD_PLAINTEXT) {
		put_header(out, type, d->record_version, len);
		memcpy(out + TLS_RECORD_HEADER_LEN, data, len);
		*out_len = n;
		return 0;
	}
	/* RFC 8446 §5.3, RFC 5246 §6.1: sequence numbers never wrap */
	ENSURE(!d->exhausted, -EKEYEXPIRED);
	if (d->version == TLS_VERSION_1_3)
		err = seal_tls13(d, type, data, len, pad, out);
	else
		err = seal_tls12(d, type, data, len, out);
	if (err) {
		OPENSSL_cleanse(out, n);
		return err;
	}
	seq_advance(d);
	*out_len = n;
	return 0;
}

/* RFC 8446 §5.1, RFC 5246 §6.2.1: what any opened record must satisfy. */
static int check_content(uint8_t type, size_t len)
{
	ENSURE(is_content_type(type), -EPROTO);
	/* RFC 8446 §5.4: an empty handshake or alert is unexpected_message;
	 * RFC 5246 §6.2.1 forbids those and empty change_cipher_spec, which
	 * would only let a peer spin us.
	 */
	ENSURE(len || type == TLS_CT_APPLICATION_DATA, -EPROTO);
	ENSURE(len <= TLS_MAX_PLAINTEXT, -EMSGSIZE);
	return 0;
}

/*
 * RFC 8446 §5.4: the content type is the last non-zero byte, the zeros after
 * it are padding. Scanned in constant time, so the padding length stays as
 * hidden as the sender meant it to be.
 */
static int strip_padding(const uint8_t *inner, size_t n, uint8_t *type,
			 size_t *len)
{
	size_t last = 0, found = 0;
	uint8_t t = 0;

	for (size_t i = 0; i < n; i++) {
		/* all ones when inner[i] != 0: (b + 255) >> 8 is 1 iff b */
		size_t nz = 0 - (size_t)(((unsigned int)inner[i] + 0xff) >> 8);

		last = (i & nz) | (last & ~nz);
		t = (uint8_t)((inner[i] & nz) | (t & ~nz));
		found |= nz;
	}
	/* an all-zero plaintext is unexpected_message */
	ENSURE(found, -EPROTO);
	*type = t;
	*len = last;
	return 0;
}

static int open_tls13(struct record_dir *d, const struct record_frame *f,
		      uint8_t *type, uint8_t *out, size_t *pt_len)
{
	uint8_t aad[TLS_RECORD_HEADER_LEN], nonce[AEAD_NONCE_LEN];
	uint8_t tag[AEAD_TAG_LEN];
	const uint8_t *ct;
	struct reader r;
	size_t n;

	/* RFC 8446 §5.2: every protected record claims application_data
	 * (a plaintext change_cipher_spec is the engine's to drop, §5).
	 */
	ENSURE(f->type == TLS_CT_APPLICATION_DATA, -EPROTO);
	ENSURE(f->body_len <= TLS13_MAX_CIPHERTEXT, -EMSGSIZE);
	ENSURE(f->body_len >= AEAD_TAG_LEN, -EBADMSG);
	n = f->body_len - AEAD_TAG_LEN;
	reader_init(&r, f->body, f->body_len);
	TRY(reader_borrow(&r, n, &ct));
	TRY(reader_copy(&r, tag, sizeof(tag)));

	put_header(aad, f->type, f->version, f->body_len);
	xor_nonce(d, nonce);
	TRY(aead(d, nonce, aad, sizeof(aad), ct, n, out, tag));
	/* §5.4: TLSInnerPlaintext is at most 2^14 + 1 bytes */
	ENSURE(n <= TLS_MAX_PLAINTEXT + 1, -EMSGSIZE);
	TRY(strip_padding(out, n, type, pt_len));
	/* §5: a protected change_cipher_spec is unexpected_message */
	ENSURE(*type != TLS_CT_CHANGE_CIPHER_SPEC, -EPROTO);
	return check_content(*type, *pt_len);
}

static int open_tls12(struct record_dir *d, const struct record_frame *f,
		      uint8_t *out, size_t *pt_len)
{
	uint8_t aad[RECORD_TLS12_AAD_LEN], nonce[AEAD_NONCE_LEN];
	uint8_t tag[AEAD_TAG_LEN];
	size_t explicit = is_tls12_gcm(d) ? GCM_EXPLICIT_LEN : 0, n;
	const uint8_t *ct;
	struct reader r;

	/* RFC 5246 §6.2.1: once keys are in use every record carries the
	 * negotiated version.
	 */
	ENSURE(f->version == TLS_VERSION_1_2, -EPROTONOSUPPORT);
	ENSURE(f->body_len <= TLS12_MAX_CIPHERTEXT, -EMSGSIZE);
	if (d->hmac) {
		TRY(record_cbc_open(d, f, out, pt_len));
		return check_content(f->type, *pt_len);
	}
	ENSURE(f->body_len >= explicit + AEAD_TAG_LEN, -EBADMSG);
	n = f->body_len - explicit - AEAD_TAG_LEN;
	reader_init(&r, f->body, f->body_len);
	if (explicit) {
		/* RFC 5288 §3: the sender's nonce_explicit, taken as sent */
		memcpy(nonce, d->iv.bytes, GCM_SALT_LEN);
		TRY(reader_copy(&r, nonce + GCM_SALT_LEN, GCM_EXPLICIT_LEN));
	} else {
		xor_nonce(d, nonce);
	}
	TRY(reader_borrow(&r, n, &ct));
	TRY(reader_copy(&r, tag, sizeof(tag)));

	/* RFC 5246 §6.2.3.3: additional_data carries the plaintext length */
	record_tls12_aad(d->seq, f->type, f->version, n, aad);
	TRY(aead(d, nonce, aad, sizeof(aad), ct, n, out, tag));
	*pt_len = n;
	return check_content(f->type, n);
}

int record_open(struct record_dir *d, const struct record_frame *f,
		uint8_t *type, uint8_t *out, size_t cap, size_t *pt_len)
{
	int err;

	ENSURE(d->cipher, -EINVAL);
	ENSURE(d->cipher == RECORD_PLAINTEXT || d->op == RECORD_OPEN, -EINVAL);
	ENSURE(f->body || !f->body_len, -EINVAL);
	ENSURE(cap >= f->body_len, -ENOBUFS);

	if (d->cipher == RECORD_PLAINTEXT) {
		TRY(check_content(f->type, f->body_len));
		if (f->body_len)
			memcpy(out, f->body, f->body_len);
		*type = f->type;
		*pt_len = f->body_len;
		return 0;
	}
	ENSURE(!d->exhausted, -EKEYEXPIRED);
	*type = f->type;
	if (d->version == TLS_VERSION_1_3)
		err = open_tls13(d, f, type, out, pt_len);
	else
		err = open_tls12(d, f, out, pt_len);
	if (err) {
		/* nothing unauthenticated or rejected reaches the caller */
		OPENSSL_cleanse(out, f->body_len);
		return err;
	}
	seq_advance(d);
	return 0;
}
