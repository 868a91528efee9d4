// SPDX-License-Identifier: MIT
/*
 * TLS 1.2 AES-CBC-HMAC records on a ktlso socket against OpenSSL's EVP, in
 * the VM: every ktlso CBC cipher type, MAC-then-encrypt (RFC 5246
 * §6.2.3.2) and encrypt-then-MAC (RFC 7366).
 *
 *   ktlso (TLS_TX + TLS_RX, CBC keys) --- 127.0.0.1 --- peer (plain TCP,
 *                                                      records made and
 *                                                      opened with EVP)
 *
 * Records the kernel seals open with EVP, byte for byte the content, and
 * the other way round, for lengths from 0 to 2^14, every padding length,
 * and alerts. Then a hostile peer: every wrong value of a padding byte,
 * padding longer than the record, a flipped MAC, truncated and too short
 * records; each read fails with EBADMSG, and nothing of the record or
 * after it reaches the reader.
 */
#include <arpa/inet.h>
#include <linux/tls.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../lib/check.h"
#include "../lib/io.h"
#include "../lib/tls_sock.h"
#include <linux/ktlso.h>

#define HEADER 5
#define BLOCK 16
#define MAX_PLAINTEXT 16384
#define MAX_RECORD (HEADER + BLOCK + MAX_PLAINTEXT + 48 + 256)

struct suite {
	const char *name;
	uint16_t type;
	const char *cipher, *digest;
	size_t key, mac;
};

static const struct suite suites[] = {
	{ "AES-128-CBC-SHA", KTLSO_CIPHER_AES_128_CBC_SHA, "AES-128-CBC", "SHA1", 16, 20 },
	{ "AES-256-CBC-SHA", KTLSO_CIPHER_AES_256_CBC_SHA, "AES-256-CBC", "SHA1", 32, 20 },
	{ "AES-128-CBC-SHA256", KTLSO_CIPHER_AES_128_CBC_SHA256, "AES-128-CBC", "SHA256", 16, 32 },
	{ "AES-256-CBC-SHA256", KTLSO_CIPHER_AES_256_CBC_SHA256, "AES-256-CBC", "SHA256", 32, 32 },
	{ "AES-256-CBC-SHA384", KTLSO_CIPHER_AES_256_CBC_SHA384, "AES-256-CBC", "SHA384", 32, 48 },
};

/* One direction as both ends know it. */
struct dir {
	const struct suite *s;
	bool etm;
	uint8_t key[32], mac_key[48];
	uint64_t seq;
	char name[48];		/* "AES-128-CBC-SHA MtE" */
};

static struct dir dir_of(const struct suite *s, bool etm, uint8_t salt, uint64_t seq)
{
	struct dir d = { .s = s, .etm = etm, .seq = seq };

	for (unsigned int i = 0; i < sizeof(d.key); i++)
		d.key[i] = (uint8_t)(salt + 13 * i);
	for (unsigned int i = 0; i < sizeof(d.mac_key); i++)
		d.mac_key[i] = (uint8_t)(salt ^ (0x5a + 29 * i));
	snprintf(d.name, sizeof(d.name), "%s %s", s->name, etm ? "EtM" : "MtE");
	return d;
}

/* Fill one of <linux/ktlso.h>'s structs; 0, or -1 if its layout is not
 * the one the test (and Documentation/uapi.rst) expects.
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

static int crypto_info(const struct dir *d, uint8_t *buf, socklen_t *len)
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

static int install(int fd, int optname, const struct dir *d)
{
	uint8_t buf[256];
	socklen_t len;

	if (crypto_info(d, buf, &len))
		return -1;
	return setsockopt(fd, SOL_TLS, optname, buf, len);
}

/* A ktlso socket with tx keys for what it sends, rx for what it reads,
 * and its plain TCP peer; exits on failure (test setup).
 */
static void pair(const struct dir *tx, const struct dir *rx, int *ktlso, int *peer)
{
	struct timeval tv = { .tv_sec = 5 };

	loopback_pair(ktlso, peer);
	if (setsockopt(*ktlso, SOL_TCP, TCP_ULP, KTLSO_ULP_NAME, sizeof(KTLSO_ULP_NAME)) ||
	    (tx && install(*ktlso, TLS_TX, tx)) || (rx && install(*ktlso, TLS_RX, rx)) ||
	    setsockopt(*ktlso, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv))) {
		perror("ktlso setup");
		exit(2);
	}
}

/* HMAC(key, a || b) with the suite's digest, by EVP. */
static void hmac(const struct dir *d, const uint8_t *a, size_t a_len, const uint8_t *b,
		 size_t b_len, uint8_t *out)
{
	static uint8_t in[13 + 16 + MAX_RECORD];
	size_t n = 0;

	memcpy(in, a, a_len);
	memcpy(in + a_len, b, b_len);
	if (!EVP_Q_mac(NULL, "HMAC", NULL, d->s->digest, NULL, d->mac_key, d->s->mac, in,
		       a_len + b_len, out, 48, &n) || n != d->s->mac) {
		fprintf(stderr, "EVP_Q_mac failed\n");
		exit(2);
	}
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

static void aes_cbc(const struct dir *d, bool encrypt, const uint8_t *iv, uint8_t *buf,
		    size_t len)
{
	EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, d->s->cipher, NULL);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n = 0;

	if (!c || !ctx || !EVP_CipherInit_ex2(ctx, c, d->key, iv, encrypt, NULL) ||
	    !EVP_CIPHER_CTX_set_padding(ctx, 0) ||
	    !EVP_CipherUpdate(ctx, buf, &n, buf, (int)len) || (size_t)n != len) {
		fprintf(stderr, "EVP AES-CBC failed\n");
		exit(2);
	}
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(c);
}

/* What a hostile peer does to a record it seals. */
struct tamper {
	int pad;		/* padding_length, -1: the least */
	int pad_byte;		/* set this padding byte (padding_length's is
				 * the last), -1: none ... */
	int pad_value;		/* ... to this value */
	int flip_mac;		/* flip a bit of this MAC byte, -1: none */
};

static const struct tamper honest = { -1, -1, 0, -1 };

/* Seal a record as OpenSSL's libssl would, at d->seq (which advances).
 * Return: its length.
 */
static size_t seal(struct dir *d, uint8_t type, const uint8_t *content, size_t len,
		   const struct tamper *t, uint8_t *out)
{
	uint8_t hdr[13], *iv = out + HEADER, *body = iv + BLOCK;
	size_t at = len, pad, enc;

	RAND_bytes(iv, BLOCK);
	memcpy(body, content, len);
	if (!d->etm) {
		pseudo_header(d->seq, type, len, hdr);
		hmac(d, hdr, 13, content, len, body + at);
		if (t->flip_mac >= 0)
			body[at + t->flip_mac] ^= 0x01;
		at += d->s->mac;
	}
	/* RFC 5246 §6.2.3.2: padding_length + 1 bytes of padding_length */
	pad = t->pad >= 0 ? (size_t)t->pad : (BLOCK - (at + 1) % BLOCK) % BLOCK;
	memset(body + at, (int)pad, pad + 1);
	if (t->pad_byte >= 0)
		body[at + t->pad_byte] = (uint8_t)t->pad_value;
	enc = at + pad + 1;
	aes_cbc(d, true, iv, body, enc);
	if (d->etm) {
		/* RFC 7366 §3: the length of IV and ciphertext */
		pseudo_header(d->seq, type, BLOCK + enc, hdr);
		hmac(d, hdr, 13, iv, BLOCK + enc, body + enc);
		if (t->flip_mac >= 0)
			body[enc + t->flip_mac] ^= 0x01;
		enc += d->s->mac;
	}
	out[0] = type;
	out[1] = 3;
	out[2] = 3;
	out[3] = (uint8_t)((BLOCK + enc) >> 8);
	out[4] = (uint8_t)(BLOCK + enc);
	d->seq++;
	return HEADER + BLOCK + enc;
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

/* Open a record as libssl would (not in constant time: a test), at d->seq.
 * Return: the content's length, or -1 if it is not authentic.
 */
static long open_record(struct dir *d, uint8_t *rec, size_t n, uint8_t *type,
			uint8_t *content)
{
	uint8_t hdr[13], mac[48], *iv = rec + HEADER, *body = iv + BLOCK;
	size_t frag = (size_t)rec[3] << 8 | rec[4], enc, pad, len;

	if (n != HEADER + frag || frag < 2 * BLOCK + (d->etm ? d->s->mac : 0))
		return -1;
	*type = rec[0];
	enc = frag - BLOCK - (d->etm ? d->s->mac : 0);
	if (enc % BLOCK)
		return -1;
	if (d->etm) {
		pseudo_header(d->seq, rec[0], BLOCK + enc, hdr);
		hmac(d, hdr, 13, iv, BLOCK + enc, mac);
		if (memcmp(mac, body + enc, d->s->mac))
			return -1;
	}
	aes_cbc(d, false, iv, body, enc);
	if (!padding_ok(body, enc, &pad) || pad + 1 + (d->etm ? 0 : d->s->mac) > enc)
		return -1;
	len = enc - pad - 1 - (d->etm ? 0 : d->s->mac);
	if (!d->etm) {
		pseudo_header(d->seq, rec[0], len, hdr);
		hmac(d, hdr, 13, body, len, mac);
		if (memcmp(mac, body + len, d->s->mac))
			return -1;
	}
	memcpy(content, body, len);
	d->seq++;
	return (long)len;
}

/* Read one whole record off the plain peer. */
static size_t read_record(int fd, uint8_t *rec)
{
	size_t frag;

	if (!read_full(fd, rec, HEADER, 5000))
		return 0;
	frag = (size_t)rec[3] << 8 | rec[4];
	if (frag > MAX_RECORD - HEADER || !read_full(fd, rec + HEADER, frag, 5000))
		return 0;
	return HEADER + frag;
}

static void fill(uint8_t *p, size_t len, unsigned int seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + 7 * i + (i >> 8));
}

/* 0 to 2^14: the edges of blocks, of MACs' and of pages. */
static const size_t lengths[] = {
	0, 1, 2, 11, 12, 15, 16, 17, 31, 32, 33, 47, 48, 49, 63, 64, 65, 255, 256, 257,
	1000, 4095, 4096, 4097, 8191, 8192, 12345, 16367, 16368, 16383, 16384,
};

static uint8_t want[MAX_RECORD], got[MAX_RECORD], rec[MAX_RECORD];

/* The kernel seals, EVP opens. */
static void kernel_to_evp(struct dir tx, struct dir rx)
{
	struct dir peer_rx = tx;	/* the peer reads what the kernel sends */
	int k, p, bad = 0, bad_len = -1;
	uint8_t type = 0;
	long n;

	pair(&tx, &rx, &k, &p);
	/* A write of 0 bytes sends no record, as in kTLS. */
	for (size_t i = 1; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
		size_t len = lengths[i];

		fill(want, len, (unsigned int)len);
		if (write_all(k, want, len) || !read_record(p, rec)) {
			bad++;
			bad_len = (int)len;
			break;
		}
		n = open_record(&peer_rx, rec, HEADER + ((size_t)rec[3] << 8 | rec[4]), &type, got);
		if (n != (long)len || type != 23 || memcmp(want, got, len)) {
			bad++;
			if (bad_len < 0)
				bad_len = (int)len;
		}
	}
	CHECK(!bad, "%s: kernel-sealed records of 1 to 2^14 bytes open in EVP (%d wrong, first %d bytes)",
	      tx.name, bad, bad_len);

	/* RFC 5246 §7.2.1: close_notify, a warning alert. */
	CHECK(send_with_type(k, 21, "\x01\x00", 2) == 2 && read_record(p, rec) &&
	      open_record(&peer_rx, rec, HEADER + ((size_t)rec[3] << 8 | rec[4]), &type, got) == 2 &&
	      type == 21 && !memcmp(got, "\x01\x00", 2),
	      "%s: the kernel's close_notify opens in EVP as an alert", tx.name);
	close(k);
	close(p);
}

/* EVP seals, the kernel opens. */
static void evp_to_kernel(struct dir tx, struct dir rx)
{
	int k, p, bad = 0, bad_at = -1;
	uint8_t type = 0;
	size_t n;

	pair(&tx, &rx, &k, &p);
	for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
		size_t len = lengths[i];

		fill(want, len, (unsigned int)len + 1);
		n = seal(&rx, 23, want, len, &honest, rec);
		if (write_all(p, rec, n))
			bad++;
		/* An empty record gives nothing to read: the next one is. */
		if (!len)
			continue;
		if (recv(k, got, len, MSG_WAITALL) != (ssize_t)len || memcmp(want, got, len)) {
			bad++;
			if (bad_at < 0)
				bad_at = (int)len;
		}
	}
	CHECK(!bad, "%s: EVP-sealed records of 0 to 2^14 bytes open in the kernel (%d wrong, first %d bytes)",
	      rx.name, bad, bad_at);

	/* RFC 5246 §6.2.3.2: padding of any length up to 255 is valid. */
	bad = 0;
	for (int pad = 0; pad < 256; pad++) {
		size_t inside = (rx.etm ? 0 : rx.s->mac) + (size_t)pad + 1;
		size_t len = (BLOCK - inside % BLOCK) % BLOCK + 3 * BLOCK;
		struct tamper t = honest;

		t.pad = pad;
		fill(want, len, (unsigned int)pad);
		n = seal(&rx, 23, want, len, &t, rec);
		if (write_all(p, rec, n) ||
		    recv(k, got, len, MSG_WAITALL) != (ssize_t)len || memcmp(want, got, len)) {
			bad++;
			if (bad_at < 0)
				bad_at = pad;
		}
	}
	CHECK(!bad, "%s: every padding length, 0 to 255, opens in the kernel (%d wrong, first %d)",
	      rx.name, bad, bad_at);

	n = seal(&rx, 21, (const uint8_t *)"\x01\x00", 2, &honest, rec);
	CHECK(!write_all(p, rec, n) && recv_with_type(k, got, sizeof(got), 0, &type) == 2 &&
	      type == 21 && !memcmp(got, "\x01\x00", 2),
	      "%s: EVP's close_notify reaches the reader as an alert", rx.name);
	close(k);
	close(p);
}

/*
 * A hostile record between two good ones: the reader gets the first, then
 * EBADMSG, and nothing of the bad record or the one after it.
 * Return: true if so.
 */
static bool refused(struct dir rx, const uint8_t *bad, size_t bad_len)
{
	struct dir before = rx, after = rx;
	int k, p;
	ssize_t r1, r2, r3;
	size_t n;
	bool ok;

	pair(NULL, &rx, &k, &p);
	n = seal(&before, 23, (const uint8_t *)"ok", 2, &honest, rec);
	after.seq = rx.seq + 2;
	if (write_all(p, rec, n) || write_all(p, bad, bad_len))
		return false;
	n = seal(&after, 23, (const uint8_t *)"after", 5, &honest, rec);
	(void)!write_all(p, rec, n);
	usleep(1000);

	/* Exactly the good record: a longer read would go on to the bad one
	 * and, having bytes to return, keep a header error to itself.
	 */
	r1 = recv(k, got, 2, MSG_WAITALL);
	ok = r1 == 2 && !memcmp(got, "ok", 2);
	errno = 0;
	r2 = recv(k, got, sizeof(got), 0);
	ok = ok && r2 == -1 && errno == EBADMSG;
	r3 = recv(k, got, sizeof(got), MSG_DONTWAIT);
	ok = ok && r3 == -1;
	if (!ok)
		printf("    %s: got %zd, %zd (%s), %zd\n", rx.name, r1, r2, strerror(errno), r3);
	close(k);
	close(p);
	return ok;
}

/* Seal at the sequence number of the second record of refused(). */
static size_t seal_bad(struct dir rx, size_t len, const struct tamper *t, uint8_t *out)
{
	fill(want, len, 99);
	rx.seq++;
	return seal(&rx, 23, want, len, t, out);
}

static uint8_t bad[MAX_RECORD];

static void hostile(struct dir rx)
{
	size_t mac_in = rx.etm ? 0 : rx.s->mac, len, n, least;
	struct tamper t = honest;
	int wrong = 0, first = -1;

	/* Every value of the first of 4 padding bytes but the right one. */
	t.pad = 3;
	t.pad_byte = 0;
	len = (BLOCK - (mac_in + 4) % BLOCK) % BLOCK + BLOCK;
	for (int v = 0; v < 256; v++) {
		if (v == 3)
			continue;
		t.pad_value = v;
		n = seal_bad(rx, len, &t, bad);
		if (!refused(rx, bad, n)) {
			wrong++;
			if (first < 0)
				first = v;
		}
	}
	CHECK(!wrong, "%s: a padding byte of any wrong value is EBADMSG (%d of 255 not, first %d)",
	      rx.name, wrong, first);

	/* padding_length longer than the record, by one and by all 255 */
	t = honest;
	t.pad_byte = (int)((BLOCK - (len + mac_in + 1) % BLOCK) % BLOCK);
	t.pad_value = (int)(len + mac_in + (size_t)t.pad_byte + 1);
	n = seal_bad(rx, len, &t, bad);
	CHECK(refused(rx, bad, n), "%s: padding_length one more than the record holds is EBADMSG",
	      rx.name);
	t.pad_value = 255;
	n = seal_bad(rx, len, &t, bad);
	CHECK(refused(rx, bad, n), "%s: padding_length 255 in a %zu-byte record is EBADMSG",
	      rx.name, len);

	/* RFC 5246 §6.2.3.2 (and RFC 7366): a MAC off in one bit */
	t = honest;
	wrong = 0;
	for (size_t at = 0; at < rx.s->mac; at += rx.s->mac / 4) {
		t.flip_mac = (int)at;
		n = seal_bad(rx, 100, &t, bad);
		wrong += !refused(rx, bad, n);
	}
	t.flip_mac = (int)rx.s->mac - 1;
	n = seal_bad(rx, 100, &t, bad);
	wrong += !refused(rx, bad, n);
	CHECK(!wrong, "%s: a MAC flipped at 5 positions is EBADMSG (%d not)", rx.name, wrong);

	/* Truncated: 1 to 15 bytes off the end, not whole blocks; a block off. */
	wrong = 0;
	for (size_t cut = 1; cut <= BLOCK; cut++) {
		n = seal_bad(rx, 100, &honest, bad) - cut;
		bad[3] = (uint8_t)((n - HEADER) >> 8);
		bad[4] = (uint8_t)(n - HEADER);
		wrong += !refused(rx, bad, n);
	}
	CHECK(!wrong, "%s: records cut short by 1 to 16 bytes are EBADMSG (%d not)", rx.name, wrong);

	/* Too short for the IV and the blocks of MAC (MtE) and padding, and
	 * for the MAC (EtM): every length from 0 up in steps of 4.
	 */
	wrong = 0;
	least = BLOCK + (rx.etm ? BLOCK + rx.s->mac : (rx.s->mac + BLOCK) / BLOCK * BLOCK);
	for (size_t frag = 0; frag < least; frag += 4) {
		n = seal_bad(rx, 0, &honest, bad);
		bad[3] = 0;
		bad[4] = (uint8_t)frag;
		wrong += !refused(rx, bad, HEADER + frag);
	}
	CHECK(!wrong, "%s: records too short to hold IV, a block and MAC are EBADMSG (%d not)",
	      rx.name, wrong);

	/* A record of another sequence number (a replay) or type. */
	n = seal(&rx, 23, (const uint8_t *)"replay", 6, &honest, bad);
	CHECK(refused(rx, bad, n), "%s: a record of the previous sequence number is EBADMSG",
	      rx.name);
	n = seal_bad(rx, 6, &honest, bad);
	bad[0] = 22;
	CHECK(refused(rx, bad, n), "%s: a record whose type was changed is EBADMSG", rx.name);
}

/* getsockopt reports the installed struct with the sequence number as now. */
static void reports_keys(struct dir tx)
{
	uint8_t expect[256], seen[256];
	socklen_t len, seen_len = sizeof(seen);
	int k, p;

	pair(&tx, NULL, &k, &p);
	(void)!write_all(k, "abc", 3);
	tx.seq++;
	crypto_info(&tx, expect, &len);
	seen_len = len;
	CHECK(!getsockopt(k, SOL_TLS, TLS_TX, seen, &seen_len) && seen_len == len &&
	      !memcmp(expect, seen, len),
	      "%s: getsockopt(TLS_TX) returns the struct, rec_seq one record on", tx.name);
	close(k);
	close(p);
}

/* Installs the kernel refuses, socket left as it was. */
static void refused_installs(void)
{
	struct dir d = dir_of(&suites[0], false, 1, 0);
	struct ktlso_crypto_info_aes_128_cbc_sha ci;
	socklen_t len;
	int k, p;

	pair(NULL, NULL, &k, &p);
	crypto_info(&d, (uint8_t *)&ci, &len);
	ci.flags = 2;
	CHECK_ERRNO(setsockopt(k, SOL_TLS, TLS_TX, &ci, len), EINVAL, "CBC: an unknown flag");
	ci.flags = 0;
	ci.info.version = TLS_1_3_VERSION;
	CHECK_ERRNO(setsockopt(k, SOL_TLS, TLS_TX, &ci, len), EINVAL, "CBC: TLS 1.3");
	ci.info.version = TLS_1_2_VERSION;
	CHECK_ERRNO(setsockopt(k, SOL_TLS, TLS_TX, &ci, len - 1), EINVAL, "CBC: optlen short");
	CHECK(!setsockopt(k, SOL_TLS, TLS_TX, &ci, len), "CBC: then the right struct installs");
	close(k);
	close(p);
}

/* Can this kernel's crypto API run every suite? A kernel built with a
 * small config may lack cbc(aes) or hmac(sha1).
 */
static const char *missing_suite(void)
{
	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
		struct dir d = dir_of(&suites[i], false, 1, 0);
		int k, p, err;

		pair(NULL, NULL, &k, &p);
		err = install(k, TLS_TX, &d) ? errno : 0;
		close(k);
		close(p);
		if (err == ENOENT)
			return suites[i].name;
	}
	return NULL;
}

int main(void)
{
	const char *missing = missing_suite();

	if (missing) {
		printf("# SKIP: the kernel's crypto API cannot run %s (ENOENT)\n", missing);
		return 77;
	}
	refused_installs();
	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
		for (int etm = 0; etm < 2; etm++) {
			struct dir tx = dir_of(&suites[i], etm, 0x10, 7);
			struct dir rx = dir_of(&suites[i], etm, 0x80, 0x0102030405060708ull);

			kernel_to_evp(tx, rx);
			evp_to_kernel(tx, rx);
			hostile(rx);
			reports_keys(tx);
		}
	}
	return check_summary();
}
