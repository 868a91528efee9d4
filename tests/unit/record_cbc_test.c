// SPDX-License-Identifier: MIT
/*
 * userspace/lib/record/record_cbc.c against records built here with
 * libcrypto's EVP (AES-CBC, HMAC) for every CBC cipher the record layer
 * has: HMAC-SHA1, -SHA256 and -SHA384, each MAC-then-encrypt (RFC 5246
 * §6.2.3.2) and encrypt-then-MAC (RFC 7366).
 *  - open: every padding length 0..255 opens to the exact content; a wrong
 *    padding byte, a padding length past the record, the MAC flipped at
 *    each byte, the MAC of another record number, bodies of the wrong
 *    length: all -EBADMSG, with nothing of the record in the output;
 *  - seal: every content length 0..300 and 2^14, opened by the reference
 *    here (decrypt, check the padding, recompute the MAC).
 * Interop with libssl itself is record_test.c's.
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "../lib/check.h"
#include "../lib/record_dir.h"
#include "record/record.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define BLOCK 16
#define HDR 5
#define AAD 13
#define MAC_MAX 48

struct cbc_cipher {
	const char *what;
	enum record_cipher cipher;
	const char *evp_cipher;
	size_t key_len;
	const char *digest;
	size_t mac_len;
};

static const struct cbc_cipher ciphers[] = {
	{ "AES-128-CBC HMAC-SHA1", RECORD_AES_128_CBC_SHA, "AES-128-CBC", 16,
	  "SHA1", 20 },
	{ "AES-256-CBC HMAC-SHA1", RECORD_AES_256_CBC_SHA, "AES-256-CBC", 32,
	  "SHA1", 20 },
	{ "AES-128-CBC HMAC-SHA256", RECORD_AES_128_CBC_SHA256, "AES-128-CBC",
	  16, "SHA2-256", 32 },
	{ "AES-256-CBC HMAC-SHA256", RECORD_AES_256_CBC_SHA256, "AES-256-CBC",
	  32, "SHA2-256", 32 },
	{ "AES-256-CBC HMAC-SHA384", RECORD_AES_256_CBC_SHA384, "AES-256-CBC",
	  32, "SHA2-384", 48 },
};

static const uint8_t key[32] = { 0x11, 0x22, 0x33 };
static const uint8_t mac_key[MAC_MAX] = { 0x44, 0x55, 0x66 };
static uint8_t rec[RECORD_MAX_LEN], out[RECORD_MAX_LEN], content[1 << 14];

static int keys(struct record_dir *d, const struct cbc_cipher *c, bool etm,
		enum record_op op)
{
	return record_dir_from_bytes(d, TLS_VERSION_1_2, c->cipher, key,
				     c->key_len, NULL, 0, mac_key, c->mac_len,
				     etm, 0, op);
}

/* RFC 5246 §6.2.3.2: HMAC(key, seq + type + version + length + data) */
static int hmac(const struct cbc_cipher *c, uint64_t seq, uint8_t type,
		const uint8_t *data, size_t len, uint8_t *mac)
{
	static uint8_t msg[AAD + RECORD_MAX_LEN];
	size_t n = 0;

	for (int i = 0; i < 8; i++)
		msg[i] = (uint8_t)(seq >> (56 - 8 * i));
	msg[8] = type;
	msg[9] = 3;
	msg[10] = 3;
	msg[11] = (uint8_t)(len >> 8);
	msg[12] = (uint8_t)len;
	memcpy(msg + AAD, data, len);
	return EVP_Q_mac(NULL, "HMAC", NULL, c->digest, NULL, mac_key,
			 c->mac_len, msg, AAD + len, mac, c->mac_len, &n) &&
			       n == c->mac_len ?
		       0 :
		       -EIO;
}

static int aes_cbc(const struct cbc_cipher *c, bool enc, const uint8_t *iv,
		   uint8_t *p, size_t len)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	EVP_CIPHER *cipher = EVP_CIPHER_fetch(NULL, c->evp_cipher, NULL);
	int n = 0, ok;

	ok = ctx && cipher &&
	     EVP_CipherInit_ex2(ctx, cipher, key, iv, enc, NULL) == 1 &&
	     EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
	     EVP_CipherUpdate(ctx, p, &n, p, (int)len) == 1 &&
	     (size_t)n == len;
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(cipher);
	return ok ? 0 : -EIO;
}

/* How a record is spoilt, or not. */
struct spoil {
	uint64_t mac_seq;  /* the MAC's record number (0: the right one) */
	int mac_flip;	   /* flip the MAC's byte at this index; -1: none */
	int pad_flip;	   /* flip this padding byte (not the length); -1 */
	int pad_len_byte;  /* the padding_length byte sent; -1: the true one */
};

static const struct spoil good = { 0, -1, -1, -1 };

/*
 * An application_data record numbered 0 of len bytes of content and
 * pad_len bytes of padding (plus the padding_length byte) in rec;
 * 0 if len, MAC and padding do not fill whole blocks.
 */
static size_t cbc_record(const struct cbc_cipher *c, bool etm, size_t len,
			 size_t pad_len, struct spoil s)
{
	uint8_t *body = rec + HDR, *p = body + BLOCK, *pad;
	size_t enc = len + (etm ? 0 : c->mac_len) + pad_len + 1;
	size_t body_len = BLOCK + enc + (etm ? c->mac_len : 0);
	uint8_t *mac = etm ? p + enc : p + len;

	if (enc % BLOCK)
		return 0;
	rec[0] = TLS_CT_APPLICATION_DATA;
	rec[1] = 3;
	rec[2] = 3;
	rec[3] = (uint8_t)(body_len >> 8);
	rec[4] = (uint8_t)body_len;
	memset(body, 0x5c, BLOCK);
	memcpy(p, content, len);
	if (!etm && hmac(c, s.mac_seq, TLS_CT_APPLICATION_DATA, content, len,
			 mac))
		return 0;
	pad = p + enc - pad_len - 1;
	memset(pad, (int)pad_len, pad_len + 1);
	if (s.pad_flip >= 0)
		pad[s.pad_flip] ^= 0x01;
	if (s.pad_len_byte >= 0)
		pad[pad_len] = (uint8_t)s.pad_len_byte;
	if (!etm && s.mac_flip >= 0)
		mac[s.mac_flip] ^= 0x80;
	if (aes_cbc(c, true, body, p, enc))
		return 0;
	if (etm && hmac(c, s.mac_seq, TLS_CT_APPLICATION_DATA, body,
			BLOCK + enc, mac))
		return 0;
	if (etm && s.mac_flip >= 0)
		mac[s.mac_flip] ^= 0x80;
	return HDR + body_len;
}

/* The content length that makes len + MAC + padding whole blocks. */
static size_t fitting_len(const struct cbc_cipher *c, bool etm,
			  size_t pad_len)
{
	size_t used = (etm ? 0 : c->mac_len) + pad_len + 1;

	return 20 + (BLOCK - (20 + used) % BLOCK) % BLOCK;
}

static bool all_byte(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* 0: opened to the content exactly; else the error (out checked clean). */
static int open_record(const struct cbc_cipher *c, bool etm, size_t n,
		       size_t len)
{
	struct record_dir d = { 0 };
	uint8_t type = 0;
	size_t got = 0;
	int err;

	memset(out, 0xaa, sizeof(out));
	err = keys(&d, c, etm, RECORD_OPEN);
	if (!err)
		err = record_open_bytes(&d, rec, n, &type, out, sizeof(out),
					&got);
	record_dir_wipe(&d);
	if (!err)
		return type == TLS_CT_APPLICATION_DATA && got == len &&
				       !memcmp(out, content, len) ?
			       0 :
			       -EINVAL;
	/* on failure, nothing of the record is in out: wiped or untouched */
	if (!all_byte(out, n - HDR, 0) && !all_byte(out, n - HDR, 0xaa))
		return -EFAULT;
	return err;
}

static const char *mode(bool etm)
{
	return etm ? "encrypt-then-MAC" : "MAC-then-encrypt";
}

static void test_every_padding(const struct cbc_cipher *c, bool etm)
{
	size_t opened = 0, refused = 0, lens = 0;

	for (size_t pad = 0; pad < 256; pad++) {
		size_t len = fitting_len(c, etm, pad);
		size_t n = cbc_record(c, etm, len, pad, good);
		struct spoil s = good;

		if (n && open_record(c, etm, n, len) == 0)
			opened++;
		/* one padding byte off, where there are any besides the
		 * length byte; the length byte one more than sent (254 for
		 * 255: 0 would be a good padding of its own)
		 */
		if (pad) {
			s.pad_flip = (int)(pad / 2);
			n = cbc_record(c, etm, len, pad, s);
			refused += n && open_record(c, etm, n, len) == -EBADMSG;
		}
		s = good;
		s.pad_len_byte = pad < 255 ? (int)pad + 1 : 254;
		n = cbc_record(c, etm, len, pad, s);
		lens += n && open_record(c, etm, n, len) == -EBADMSG;
	}
	CHECK(opened == 256, "%s %s: every padding length 0..255 opens to "
	      "the content (%zu/256)", c->what, mode(etm), opened);
	CHECK(refused == 255, "%s %s: a padding byte off by one bit: "
	      "EBADMSG, nothing out, for every padding length 1..255 "
	      "(%zu/255)", c->what, mode(etm), refused);
	CHECK(lens == 256, "%s %s: a padding_length other than sent (one "
	      "more, or 254 for 255): EBADMSG, nothing out, for every padding "
	      "length (%zu/256)",
	      c->what, mode(etm), lens);
}

static void test_mac_flips(const struct cbc_cipher *c, bool etm)
{
	size_t refused = 0;
	struct spoil s = good;
	size_t len = fitting_len(c, etm, 4), n;

	for (size_t i = 0; i < c->mac_len; i++) {
		s.mac_flip = (int)i;
		n = cbc_record(c, etm, len, 4, s);
		refused += n && open_record(c, etm, n, len) == -EBADMSG;
	}
	CHECK(refused == c->mac_len, "%s %s: the MAC flipped at each of its "
	      "%zu bytes: EBADMSG, nothing out (%zu)", c->what, mode(etm),
	      c->mac_len, refused);
	s = good;
	s.mac_seq = 1;
	n = cbc_record(c, etm, len, 4, s);
	CHECK(n && open_record(c, etm, n, len) == -EBADMSG,
	      "%s %s: the MAC of record number 1 on record 0: EBADMSG",
	      c->what, mode(etm));
}

static void test_public_lengths(const struct cbc_cipher *c, bool etm)
{
	size_t len = fitting_len(c, etm, 4);
	size_t n = cbc_record(c, etm, len, 4, good);
	/* MAC-then-encrypt: IV + the blocks a MAC and padding byte need */
	size_t least = etm ? 2 * BLOCK + c->mac_len :
			     BLOCK + (c->mac_len + 1 + BLOCK - 1) / BLOCK * BLOCK;

	rec[4] -= 1; /* one byte short */
	CHECK(n && open_record(c, etm, n - 1, len) == -EBADMSG,
	      "%s %s: a body one byte short: EBADMSG", c->what, mode(etm));
	rec[3] = 0;
	rec[4] = (uint8_t)(least - BLOCK);
	CHECK(open_record(c, etm, HDR + least - BLOCK, 0) == -EBADMSG,
	      "%s %s: a body a block shorter than the least (%zu): EBADMSG",
	      c->what, mode(etm), least);
	rec[4] = 0;
	CHECK(open_record(c, etm, HDR, 0) == -EBADMSG,
	      "%s %s: an empty body: EBADMSG", c->what, mode(etm));
}

/* Open a sealed record the reference way; 0 if it is right. */
static int reference_open(const struct cbc_cipher *c, bool etm, size_t n,
			  size_t len)
{
	uint8_t *body = rec + HDR, *p = body + BLOCK, want[MAC_MAX];
	size_t body_len = ((size_t)rec[3] << 8) | rec[4];
	size_t enc = body_len - BLOCK - (etm ? c->mac_len : 0), pad;

	ENSURE(n == HDR + body_len && rec[0] == TLS_CT_APPLICATION_DATA &&
		       rec[1] == 3 && rec[2] == 3 && enc % BLOCK == 0,
	       -EINVAL);
	if (etm) {
		TRY(hmac(c, 0, TLS_CT_APPLICATION_DATA, body, BLOCK + enc,
			 want));
		ENSURE(!memcmp(want, p + enc, c->mac_len), -EBADMSG);
	}
	TRY(aes_cbc(c, false, body, p, enc));
	pad = p[enc - 1];
	/* §6.2.3.2: the least padding that fills the block */
	ENSURE(len + (etm ? 0 : c->mac_len) + pad + 1 == enc && pad < BLOCK &&
		       all_byte(p + enc - pad - 1, pad + 1, (uint8_t)pad),
	       -EBADMSG);
	ENSURE(!memcmp(p, content, len), -EBADMSG);
	if (!etm) {
		TRY(hmac(c, 0, TLS_CT_APPLICATION_DATA, p, len, want));
		ENSURE(!memcmp(want, p + len, c->mac_len), -EBADMSG);
	}
	return 0;
}

static void test_seal(const struct cbc_cipher *c, bool etm)
{
	size_t ok = 0, tried = 0;

	for (size_t len = 0; len <= 301; len++) {
		size_t l = len == 301 ? sizeof(content) : len, n = 0;
		struct record_dir d = { 0 };

		tried++;
		if (!keys(&d, c, etm, RECORD_SEAL) &&
		    !record_seal(&d, TLS_CT_APPLICATION_DATA, content, l, 0,
				 rec, sizeof(rec), &n) &&
		    n == record_sealed_len(&d, l, 0) &&
		    !reference_open(c, etm, n, l))
			ok++;
		record_dir_wipe(&d);
	}
	CHECK(ok == tried, "%s %s: records we seal of 0..300 and 16384 bytes "
	      "decrypt, pad and MAC as EVP computes here (%zu/%zu)", c->what,
	      mode(etm), ok, tried);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(content); i++)
		content[i] = (uint8_t)(0xa0 + i * 7);
	for (size_t i = 0; i < ARRAY_SIZE(ciphers); i++) {
		for (int etm = 0; etm < 2; etm++) {
			test_every_padding(&ciphers[i], etm);
			test_mac_flips(&ciphers[i], etm);
			test_public_lengths(&ciphers[i], etm);
			test_seal(&ciphers[i], etm);
		}
	}
	return check_summary();
}
