// SPDX-License-Identifier: MIT
/*
 * TLS 1.2 AES-CBC-HMAC records by OpenSSL's EVP, and ktlso sockets keyed
 * for them (cbc_record.h). Not in constant time: it is the peer of a test
 * or a benchmark, never a defence.
 */
#include <errno.h>
#include <linux/tls.h>
#include <netinet/tcp.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/ktlso.h>

#include "cbc_record.h"
#include "io.h"
#include "tls_sock.h"

const struct cbc_suite cbc_suites[] = {
	{ "AES-128-CBC-SHA", KTLSO_CIPHER_AES_128_CBC_SHA, "AES-128-CBC", "SHA1", 16, 20 },
	{ "AES-256-CBC-SHA", KTLSO_CIPHER_AES_256_CBC_SHA, "AES-256-CBC", "SHA1", 32, 20 },
	{ "AES-128-CBC-SHA256", KTLSO_CIPHER_AES_128_CBC_SHA256, "AES-128-CBC", "SHA256", 16, 32 },
	{ "AES-256-CBC-SHA256", KTLSO_CIPHER_AES_256_CBC_SHA256, "AES-256-CBC", "SHA256", 32, 32 },
	{ "AES-256-CBC-SHA384", KTLSO_CIPHER_AES_256_CBC_SHA384, "AES-256-CBC", "SHA384", 32, 48 },
};

const size_t cbc_num_suites = sizeof(cbc_suites) / sizeof(cbc_suites[0]);

const struct cbc_tamper cbc_honest = { -1, -1, 0, -1 };

static void die(const char *what)
{
	fprintf(stderr, "cbc_record: %s failed\n", what);
	exit(2);
}

struct cbc_dir cbc_dir_of(const struct cbc_suite *s, bool etm, uint8_t salt, uint64_t seq)
{
	struct cbc_dir d = { .s = s, .etm = etm, .seq = seq };

	for (unsigned int i = 0; i < sizeof(d.key); i++)
		d.key[i] = (uint8_t)(salt + 13 * i);
	for (unsigned int i = 0; i < sizeof(d.mac_key); i++)
		d.mac_key[i] = (uint8_t)(salt ^ (0x5a + 29 * i));
	snprintf(d.name, sizeof(d.name), "%s %s", s->name, etm ? "EtM" : "MtE");
	return d;
}

/* Fill one of <linux/ktlso.h>'s structs; return -1 from the caller if its
 * layout is not the one expected.
 */
#define FILL(T)								\
	do {								\
		struct T *ci = (void *)buf;				\
		if (sizeof(ci->key) != d->s->key ||			\
		    sizeof(ci->mac_key) != d->s->mac ||			\
		    sizeof(*ci) != 8 + d->s->key + d->s->mac + 8)	\
			return -1;					\
		ci->info.version = TLS_1_2_VERSION;			\
		ci->info.cipher_type = d->s->type;			\
		ci->flags = d->etm ? KTLSO_CBC_ENCRYPT_THEN_MAC : 0;	\
		memcpy(ci->key, d->key, sizeof(ci->key));		\
		memcpy(ci->mac_key, d->mac_key, sizeof(ci->mac_key));	\
		for (int i = 0; i < 8; i++)				\
			ci->rec_seq[i] = (uint8_t)(d->seq >> (56 - 8 * i)); \
		*len = sizeof(*ci);					\
	} while (0)

int cbc_crypto_info(const struct cbc_dir *d, uint8_t *buf, socklen_t *len)
{
	memset(buf, 0, 256);
	switch (d->s->type) {
	case KTLSO_CIPHER_AES_128_CBC_SHA: FILL(ktlso_crypto_info_aes_128_cbc_sha); break;
	case KTLSO_CIPHER_AES_256_CBC_SHA: FILL(ktlso_crypto_info_aes_256_cbc_sha); break;
	case KTLSO_CIPHER_AES_128_CBC_SHA256: FILL(ktlso_crypto_info_aes_128_cbc_sha256); break;
	case KTLSO_CIPHER_AES_256_CBC_SHA256: FILL(ktlso_crypto_info_aes_256_cbc_sha256); break;
	case KTLSO_CIPHER_AES_256_CBC_SHA384: FILL(ktlso_crypto_info_aes_256_cbc_sha384); break;
	default: return -1;
	}
	return 0;
}

int cbc_install(int fd, int optname, const struct cbc_dir *d)
{
	uint8_t buf[256];
	socklen_t len;
	int ret;

	if (cbc_crypto_info(d, buf, &len))
		return -1;
	ret = setsockopt(fd, SOL_TLS, optname, buf, len);
	memset(buf, 0, sizeof(buf));
	return ret;
}

void cbc_pair(const struct cbc_dir *tx, const struct cbc_dir *rx, int *ktlso, int *peer)
{
	struct timeval tv = { .tv_sec = 5 };

	loopback_pair(ktlso, peer);
	if (setsockopt(*ktlso, SOL_TCP, TCP_ULP, KTLSO_ULP_NAME, sizeof(KTLSO_ULP_NAME)) ||
	    (tx && cbc_install(*ktlso, TLS_TX, tx)) || (rx && cbc_install(*ktlso, TLS_RX, rx)) ||
	    setsockopt(*ktlso, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv))) {
		perror("ktlso setup");
		exit(2);
	}
}

const char *cbc_unsupported_suite(void)
{
	for (size_t i = 0; i < cbc_num_suites; i++) {
		struct cbc_dir d = cbc_dir_of(&cbc_suites[i], false, 1, 0);
		int k, p, err;

		cbc_pair(NULL, NULL, &k, &p);
		err = cbc_install(k, TLS_TX, &d) ? errno : 0;
		close(k);
		close(p);
		if (err == ENOENT)
			return cbc_suites[i].name;
	}
	return NULL;
}

/* The HMAC context of d's MAC key, ready for a new MAC: keyed anew only
 * when the key changed since the last call.
 */
static EVP_MAC_CTX *mac_ctx(const struct cbc_dir *d)
{
	static EVP_MAC_CTX *ctx;
	static const struct cbc_suite *suite;
	static uint8_t key[48];
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)d->s->digest, 0),
		OSSL_PARAM_construct_end(),
	};
	bool rekey = suite != d->s || memcmp(key, d->mac_key, d->s->mac);

	if (!ctx) {
		EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);

		ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
		EVP_MAC_free(mac);
	}
	/* No key: the same key again (OpenSSL's HMAC re-initialises). */
	if (!ctx || !EVP_MAC_init(ctx, rekey ? d->mac_key : NULL, rekey ? d->s->mac : 0,
				  rekey ? params : NULL))
		die("HMAC init");
	suite = d->s;
	memcpy(key, d->mac_key, sizeof(key));
	return ctx;
}

/* HMAC(mac_key, a || b) with the suite's digest into out. */
static void hmac(const struct cbc_dir *d, const uint8_t *a, size_t a_len, const uint8_t *b,
		 size_t b_len, uint8_t *out)
{
	EVP_MAC_CTX *ctx = mac_ctx(d);
	size_t n = 0;

	if (!EVP_MAC_update(ctx, a, a_len) || !EVP_MAC_update(ctx, b, b_len) ||
	    !EVP_MAC_final(ctx, out, &n, 48) || n != d->s->mac)
		die("HMAC");
}

/* RFC 5246 §6.2.3.1: seq_num, type, version, length. */
static void pseudo_header(uint64_t seq, uint8_t type, size_t len, uint8_t out[13])
{
	for (int i = 0; i < 8; i++)
		out[i] = (uint8_t)(seq >> (56 - 8 * i));
	out[8] = type;
	out[9] = 3;
	out[10] = 3;
	out[11] = (uint8_t)(len >> 8);
	out[12] = (uint8_t)len;
}

/* AES-CBC of len bytes of buf in place, no padding, starting from iv; one
 * context per direction, keyed anew only when the key changed.
 */
static void aes_cbc(const struct cbc_dir *d, bool encrypt, const uint8_t *iv, uint8_t *buf,
		    size_t len)
{
	static EVP_CIPHER_CTX *ctx[2];
	static const struct cbc_suite *suite[2];
	static uint8_t key[2][32];
	EVP_CIPHER *c = NULL;
	int n = 0;

	if (!ctx[encrypt] && !(ctx[encrypt] = EVP_CIPHER_CTX_new()))
		die("EVP_CIPHER_CTX_new");
	if (suite[encrypt] != d->s || memcmp(key[encrypt], d->key, d->s->key)) {
		c = EVP_CIPHER_fetch(NULL, d->s->cipher, NULL);
		if (!c)
			die(d->s->cipher);
		suite[encrypt] = d->s;
		memcpy(key[encrypt], d->key, sizeof(d->key));
	}
	if (!EVP_CipherInit_ex2(ctx[encrypt], c, c ? d->key : NULL, iv, encrypt, NULL) ||
	    !EVP_CIPHER_CTX_set_padding(ctx[encrypt], 0) ||
	    !EVP_CipherUpdate(ctx[encrypt], buf, &n, buf, (int)len) || (size_t)n != len)
		die("AES-CBC");
	EVP_CIPHER_free(c);
}

/* RFC 5246 §6.2.3.2: the least padding_length that fills the last block. */
static size_t least_padding(size_t at)
{
	return (CBC_BLOCK - (at + 1) % CBC_BLOCK) % CBC_BLOCK;
}

size_t cbc_sealed_len(const struct cbc_dir *d, size_t len)
{
	size_t at = len + (d->etm ? 0 : d->s->mac);

	return CBC_HEADER + CBC_BLOCK + at + least_padding(at) + 1 + (d->etm ? d->s->mac : 0);
}

size_t cbc_seal(struct cbc_dir *d, uint8_t type, const uint8_t *content, size_t len,
		const struct cbc_tamper *t, uint8_t *out)
{
	uint8_t hdr[13], *iv = out + CBC_HEADER, *body = iv + CBC_BLOCK;
	size_t at = len, pad, enc;

	/* RFC 5246 §6.2.3.2: a fresh IV, unpredictable, per record */
	if (RAND_bytes(iv, CBC_BLOCK) != 1)
		die("RAND_bytes");
	memmove(body, content, len);
	if (!d->etm) {
		pseudo_header(d->seq, type, len, hdr);
		hmac(d, hdr, 13, body, len, body + at);
		if (t->flip_mac >= 0)
			body[at + t->flip_mac] ^= 0x01;
		at += d->s->mac;
	}
	/* padding_length + 1 bytes of padding_length */
	pad = t->pad >= 0 ? (size_t)t->pad : least_padding(at);
	memset(body + at, (int)pad, pad + 1);
	if (t->pad_byte >= 0)
		body[at + t->pad_byte] = (uint8_t)t->pad_value;
	enc = at + pad + 1;
	aes_cbc(d, true, iv, body, enc);
	if (d->etm) {
		/* RFC 7366 §3: the MAC covers IV and ciphertext, and their length */
		pseudo_header(d->seq, type, CBC_BLOCK + enc, hdr);
		hmac(d, hdr, 13, iv, CBC_BLOCK + enc, body + enc);
		if (t->flip_mac >= 0)
			body[enc + t->flip_mac] ^= 0x01;
		enc += d->s->mac;
	}
	out[0] = type;
	out[1] = 3;
	out[2] = 3;
	out[3] = (uint8_t)((CBC_BLOCK + enc) >> 8);
	out[4] = (uint8_t)(CBC_BLOCK + enc);
	d->seq++;
	return CBC_HEADER + CBC_BLOCK + enc;
}

static bool padding_ok(const uint8_t *p, size_t len, size_t *pad)
{
	*pad = p[len - 1];
	if (*pad + 1 > len)
		return false;
	for (size_t i = 0; i <= *pad; i++)
		if (p[len - 1 - i] != *pad)
			return false;
	return true;
}

long cbc_open(struct cbc_dir *d, uint8_t *rec, size_t n, uint8_t *type, uint8_t *content)
{
	uint8_t hdr[13], mac[48], *iv = rec + CBC_HEADER, *body = iv + CBC_BLOCK;
	size_t frag, enc, pad, len, mac_len = d->s->mac;

	if (n < CBC_HEADER)
		return -1;
	frag = (size_t)rec[3] << 8 | rec[4];
	if (n != CBC_HEADER + frag || frag < 2 * CBC_BLOCK + (d->etm ? mac_len : 0))
		return -1;
	*type = rec[0];
	enc = frag - CBC_BLOCK - (d->etm ? mac_len : 0);
	if (enc % CBC_BLOCK)
		return -1;
	if (d->etm) {
		pseudo_header(d->seq, rec[0], CBC_BLOCK + enc, hdr);
		hmac(d, hdr, 13, iv, CBC_BLOCK + enc, mac);
		if (memcmp(mac, body + enc, mac_len))
			return -1;
	}
	aes_cbc(d, false, iv, body, enc);
	if (!padding_ok(body, enc, &pad) || pad + 1 + (d->etm ? 0 : mac_len) > enc)
		return -1;
	len = enc - pad - 1 - (d->etm ? 0 : mac_len);
	if (!d->etm) {
		pseudo_header(d->seq, rec[0], len, hdr);
		hmac(d, hdr, 13, body, len, mac);
		if (memcmp(mac, body + len, mac_len))
			return -1;
	}
	memmove(content, body, len);
	d->seq++;
	return (long)len;
}

size_t cbc_read_record(int fd, uint8_t *rec)
{
	size_t frag;

	if (!read_full(fd, rec, CBC_HEADER, 5000))
		return 0;
	frag = (size_t)rec[3] << 8 | rec[4];
	if (frag > CBC_MAX_RECORD - CBC_HEADER || !read_full(fd, rec + CBC_HEADER, frag, 5000))
		return 0;
	return CBC_HEADER + frag;
}
