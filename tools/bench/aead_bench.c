// SPDX-License-Identifier: MIT
/*
 * aead_bench: the kernel's AES-128-GCM alone, through AF_ALG (libkcapi), on
 * 16 KiB records with a TLS 1.3 record header as associated data: the
 * ceiling for a kernel record layer that has nothing to do but the cipher.
 * `make bench` runs it in the same VM boot as the record layers it bounds.
 *
 *   aead_bench [--mb MiB] [--json FILE]
 *
 * Prints MB/s (10^6 plaintext bytes per second) for sealing and opening
 * MiB of records, one AF_ALG call per record, the kernel picking its best
 * "gcm(aes)" as kTLS does. Before timing, one record sealed by the kernel
 * must equal OpenSSL's seal of it and open again: it fails only then (or
 * when AF_ALG is missing), never on a timing.
 */
#include <kcapi.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RECORD 16384
#define AAD 5			/* RFC 8446 §5.2: the record header */
#define TAG 16

static const uint8_t key[16] = { 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27,
				 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f };

static void fail(const char *what, long err)
{
	fprintf(stderr, "aead_bench: %s: %s\n", what, strerror((int)-err));
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *page_buffer(size_t n)
{
	void *p;

	if (posix_memalign(&p, (size_t)sysconf(_SC_PAGESIZE), n))
		fail("posix_memalign", -12);
	memset(p, 0x5a, n);
	return p;
}

/* The nonce of record seq: a fixed IV with seq in its last bytes (§5.3). */
static void nonce(uint64_t seq, uint8_t iv[12])
{
	memset(iv, 0x30, 12);
	for (int i = 0; i < 8; i++)
		iv[11 - i] ^= (uint8_t)(seq >> (8 * i));
}

/* OpenSSL's seal of in (AAD || plaintext) must be the kernel's out. */
static void check_against_openssl(const uint8_t *in, const uint8_t *out)
{
	uint8_t iv[12], ct[RECORD], tag[TAG];
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n;

	nonce(0, iv);
	if (!ctx || !EVP_EncryptInit_ex(ctx, EVP_aes_128_gcm(), NULL, key, iv) ||
	    !EVP_EncryptUpdate(ctx, NULL, &n, in, AAD) ||
	    !EVP_EncryptUpdate(ctx, ct, &n, in + AAD, RECORD) ||
	    !EVP_EncryptFinal_ex(ctx, ct, &n) ||
	    !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG, tag))
		fail("OpenSSL AES-128-GCM", -22);
	EVP_CIPHER_CTX_free(ctx);
	if (memcmp(out + AAD, ct, RECORD) || memcmp(out + AAD + RECORD, tag, TAG)) {
		fprintf(stderr, "aead_bench: the kernel's gcm(aes) differs from OpenSSL's\n");
		exit(1);
	}
}

int main(int argc, char **argv)
{
	size_t plain = AAD + RECORD, sealed = AAD + RECORD + TAG;
	uint8_t *in = page_buffer(plain), *out = page_buffer(sealed);
	uint8_t *back = page_buffer(plain), iv[12];
	struct kcapi_handle *h;
	unsigned long mib = 256;
	const char *json = NULL;
	double t0, enc, dec;
	uint64_t records;
	ssize_t r;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--mb") && i + 1 < argc)
			mib = strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--json") && i + 1 < argc)
			json = argv[++i];
		else {
			fprintf(stderr, "usage: aead_bench [--mb MiB] [--json FILE]\n");
			return 2;
		}
	}
	records = ((uint64_t)mib << 20) / RECORD;
	if (!records) {
		fprintf(stderr, "aead_bench: need --mb >= 1\n");
		return 2;
	}
	in[0] = 23, in[1] = 3, in[2] = 3, in[3] = (RECORD + TAG) >> 8, in[4] = (RECORD + TAG) & 0xff;
	r = kcapi_aead_init(&h, "gcm(aes)", 0);
	if (r)
		fail("AF_ALG aead gcm(aes) (algif_aead)", r);
	if ((r = kcapi_aead_setkey(h, key, sizeof(key))) || (r = kcapi_aead_settaglen(h, TAG)))
		fail("setkey/settaglen", r);
	kcapi_aead_setassoclen(h, AAD);

	/* Untimed: the kernel's seal is OpenSSL's, and it opens again. */
	nonce(0, iv);
	r = kcapi_aead_encrypt(h, in, plain, iv, out, sealed, KCAPI_ACCESS_HEURISTIC);
	if (r != (ssize_t)sealed)
		fail("encrypt", r < 0 ? r : -5);
	check_against_openssl(in, out);
	r = kcapi_aead_decrypt(h, out, sealed, iv, back, plain, KCAPI_ACCESS_HEURISTIC);
	if (r != (ssize_t)plain || memcmp(back + AAD, in + AAD, RECORD))
		fail("decrypt of the sealed record", r < 0 ? r : -5);

	t0 = now();
	for (uint64_t seq = 0; seq < records; seq++) {
		nonce(seq, iv);
		r = kcapi_aead_encrypt(h, in, plain, iv, out, sealed, KCAPI_ACCESS_HEURISTIC);
		if (r != (ssize_t)sealed)
			fail("encrypt", r < 0 ? r : -5);
	}
	enc = records * RECORD / (now() - t0) / 1e6;
	/* Opening the last sealed record again and again: the same work. */
	t0 = now();
	for (uint64_t seq = 0; seq < records; seq++) {
		r = kcapi_aead_decrypt(h, out, sealed, iv, back, plain, KCAPI_ACCESS_HEURISTIC);
		if (r != (ssize_t)plain)
			fail("decrypt", r < 0 ? r : -5);
	}
	dec = records * RECORD / (now() - t0) / 1e6;
	kcapi_aead_destroy(h);

	printf("aead_bench: AF_ALG gcm(aes), 16 KiB records, %lu MiB: seal %.1f MB/s, open %.1f MB/s\n",
	       mib, enc, dec);
	if (json) {
		FILE *f = fopen(json, "w");

		if (!f || fprintf(f, "{\"cipher\":\"gcm(aes) AES-128\",\"record\":%d,"
				  "\"mib\":%lu,\"seal_MBps\":%.3f,\"open_MBps\":%.3f}\n",
				  RECORD, mib, enc, dec) < 0 || fclose(f))
			fail(json, -5);
	}
	free(in), free(out), free(back);
	return 0;
}
