// SPDX-License-Identifier: MIT
/*
 * ktlso against the kernel's own kTLS, byte for byte, in the VM.
 *
 *   writer (TLS_TX) --- 127.0.0.1 --- reader (TLS_RX)
 *   ktlso              ->            tls.ko
 *   tls.ko             ->            ktlso
 *   ktlso              ->            ktlso
 *
 * Both ends get the same key, IV and sequence number. What one end writes
 * must authenticate and decrypt at the other to exactly the bytes written:
 * plain writes, MSG_MORE coalescing, records larger than 2^14, sendfile, and
 * control records with their content type. A reader without TLS must see
 * well-formed records from ktlso and never the plaintext.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/tls.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../lib/check.h"
#include "../lib/ktlso_stat.h"
#include "../lib/tls_sock.h"
#include <linux/ktlso.h>

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

struct cipher {
	const char *name;
	uint16_t type;
	unsigned int info_size, iv, key, salt;
};

static const struct cipher ciphers[] = {
	{ "AES-GCM-128", TLS_CIPHER_AES_GCM_128, sizeof(struct tls12_crypto_info_aes_gcm_128), 8, 16, 4 },
	{ "AES-GCM-256", TLS_CIPHER_AES_GCM_256, sizeof(struct tls12_crypto_info_aes_gcm_256), 8, 32, 4 },
	{ "AES-CCM-128", TLS_CIPHER_AES_CCM_128, sizeof(struct tls12_crypto_info_aes_ccm_128), 8, 16, 4 },
	{ "ChaCha20-Poly1305", TLS_CIPHER_CHACHA20_POLY1305,
	  sizeof(struct tls12_crypto_info_chacha20_poly1305), 12, 32, 0 },
};

struct keys {
	uint8_t buf[64];
	unsigned int len;
};

/* A crypto_info with recognisable, cipher-specific key material. */
static struct keys make_info(const struct cipher *c, uint16_t version, uint64_t seq)
{
	struct keys k = { .len = c->info_size };
	struct tls_crypto_info *info = (struct tls_crypto_info *)k.buf;
	uint8_t *p = k.buf + sizeof(*info);

	info->version = version;
	info->cipher_type = c->type;
	for (unsigned int i = 0; i < c->iv + c->key + c->salt; i++)
		p[i] = (uint8_t)(0x40 + i * 3 + c->type);
	p += c->iv + c->key + c->salt;
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(seq >> (56 - 8 * i));
	return k;
}

struct direction {
	const char *writer_ulp, *reader_ulp;	/* reader NULL: plain TCP */
};

static const struct direction directions[] = {
	{ KTLSO_ULP_NAME, "tls" },
	{ "tls", KTLSO_ULP_NAME },
	{ KTLSO_ULP_NAME, KTLSO_ULP_NAME },
};

static const struct direction *dir;

static bool setup(const struct cipher *c, uint16_t version, bool reader_tls,
		  int *writer, int *reader)
{
	struct keys k = make_info(c, version, 0x0102030405060708ull);

	loopback_pair(writer, reader);
	if (setsockopt(*writer, SOL_TCP, TCP_ULP, dir->writer_ulp, strlen(dir->writer_ulp) + 1) ||
	    setsockopt(*writer, SOL_TLS, TLS_TX, k.buf, k.len)) {
		printf("    writer setup: %s\n", strerror(errno));
		return false;
	}
	if (reader_tls &&
	    (setsockopt(*reader, SOL_TCP, TCP_ULP, dir->reader_ulp, strlen(dir->reader_ulp) + 1) ||
	     setsockopt(*reader, SOL_TLS, TLS_RX, k.buf, k.len))) {
		printf("    reader setup: %s\n", strerror(errno));
		return false;
	}
	return true;
}

static void fill(uint8_t *buf, size_t n, unsigned int salt)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = (uint8_t)(i * 13 + salt + i / 509);
}

/* Read exactly n bytes of data records. */
static bool read_all(int fd, uint8_t *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = recv(fd, buf + got, n - got, 0);

		if (r <= 0) {
			printf("    recv after %zu of %zu: %s\n", got, n,
			       r ? strerror(errno) : "EOF");
			return false;
		}
		got += (size_t)r;
	}
	return true;
}

/* Writes of these sizes go through one connection, back to back. */
static const size_t sizes[] = { 1, 100, 16383, 16384, 16385, 100000, 1 << 20 };

static void test_stream(const struct cipher *c, uint16_t version, const char *v)
{
	int writer, reader;
	uint8_t *out = malloc(1 << 20), *in = malloc(1 << 20);

	if (!setup(c, version, true, &writer, &reader)) {
		CHECK(0, "%s %s: both ends accept the same keys", v, c->name);
		goto out;
	}
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i];
		bool ok;

		fill(out, n, (unsigned int)i);
		if (fork() == 0) {	/* the writer may block on a full pipe */
			_exit(send(writer, out, n, 0) == (ssize_t)n ? 0 : 1);
		}
		ok = read_all(reader, in, n) && !memcmp(in, out, n);
		int status;

		wait(&status);
		CHECK(ok && status == 0, "%s %s: %zu bytes arrive intact through tls.ko",
		      v, c->name, n);
	}

	/* MSG_MORE holds bytes back until a write without it. */
	fill(out, 3000, 7);
	CHECK(send(writer, out, 1000, MSG_MORE) == 1000 &&
		      recv(reader, in, 1, MSG_DONTWAIT) == -1 && errno == EAGAIN,
	      "%s %s: MSG_MORE keeps the record open", v, c->name);
	CHECK(send(writer, out + 1000, 2000, 0) == 2000 && read_all(reader, in, 3000) &&
		      !memcmp(in, out, 3000),
	      "%s %s: the coalesced record arrives whole", v, c->name);

	/* A control record keeps its type. */
	uint8_t alert[8], type;

	CHECK(send_with_type(writer, 21, "\x01\x00", 2) == 2, "%s %s: send an alert record",
	      v, c->name);
	CHECK(recv_with_type(reader, alert, sizeof(alert), 0, &type) == 2 && alert[0] == 1 &&
		      type == 21,
	      "%s %s: the reader receives it as an alert", v, c->name);

	/* getsockopt reports the sequence number moving on. */
	struct keys now;
	socklen_t len = sizeof(now.buf);

	CHECK_ERRNO(getsockopt(writer, SOL_TLS, TLS_TX, now.buf, &len), EINVAL,
		    "%s %s: TLS_TX into a buffer of the wrong size is EINVAL", v, c->name);
	len = c->info_size;
	CHECK(getsockopt(writer, SOL_TLS, TLS_TX, now.buf, &len) == 0,
	      "%s %s: TLS_TX reads back at the cipher's size", v, c->name);
	uint8_t *seq = now.buf + sizeof(struct tls_crypto_info) + c->iv + c->key + c->salt;
	CHECK(seq[7] > 0x08 && !memcmp(seq, "\x01\x02\x03\x04\x05\x06\x07", 7),
	      "%s %s: its rec_seq has advanced", v, c->name);
out:
	close(writer);
	close(reader);
	free(out);
	free(in);
}

static void test_sendfile(const struct cipher *c, uint16_t version, const char *v)
{
	size_t n = 300000;
	uint8_t *out = malloc(n), *in = malloc(n);
	int writer, reader, fd = open("/tmp", O_TMPFILE | O_RDWR, 0600);

	fill(out, n, 99);
	if (fd < 0 || write(fd, out, n) != (ssize_t)n || !setup(c, version, true, &writer, &reader)) {
		CHECK(0, "%s %s: sendfile setup", v, c->name);
		return;
	}
	if (fork() == 0) {
		off_t off = 0;

		while ((size_t)off < n)
			if (sendfile(writer, fd, &off, n - (size_t)off) <= 0)
				_exit(1);
		_exit(0);
	}
	bool ok = read_all(reader, in, n) && !memcmp(in, out, n);
	int status;

	wait(&status);
	CHECK(ok && status == 0, "%s %s: %zu bytes by sendfile arrive intact", v, c->name, n);
	close(fd);
	close(writer);
	close(reader);
	free(out);
	free(in);
}

/* Without TLS on the reader: records, not plaintext. */
static void test_wire(const struct cipher *c, uint16_t version, const char *v)
{
	static const char secret[] = "this plaintext must never be on the wire";
	uint8_t wire[256];
	int writer, reader;
	unsigned int overhead = 5 + 16 + (version == TLS_1_3_VERSION ? 1 :
					  c->type == TLS_CIPHER_CHACHA20_POLY1305 ? 0 : 8);

	if (!setup(c, version, false, &writer, &reader)) {
		CHECK(0, "%s %s: wire setup", v, c->name);
		return;
	}
	send(writer, secret, sizeof(secret), 0);
	size_t want = sizeof(secret) + overhead;
	bool got = read_all(reader, wire, want);

	CHECK(got && wire[0] == 23 && wire[1] == 3 && wire[2] == 3 &&
		      (size_t)(wire[3] << 8 | wire[4]) == want - 5,
	      "%s %s: one record of %zu bytes, type 23, version 0x0303", v, c->name, want);
	CHECK(got && !memmem(wire, want, "plaintext", 9),
	      "%s %s: the plaintext is not on the wire", v, c->name);
	close(writer);
	close(reader);
}

int main(void)
{
	const struct { uint16_t v; const char *name; } versions[] = {
		{ TLS_1_2_VERSION, "TLS1.2" }, { TLS_1_3_VERSION, "TLS1.3" },
	};

	long long tx0 = ktlso_counter("KtlsoTxRecords"), rx0 = ktlso_counter("KtlsoRxBytes");
	long long bad0 = ktlso_counter("KtlsoDecryptErrors");

	for (size_t d = 0; d < sizeof(directions) / sizeof(directions[0]); d++) {
		dir = &directions[d];
		printf("# %s -> %s\n", dir->writer_ulp, dir->reader_ulp);
		for (size_t i = 0; i < 2; i++)
			for (size_t j = 0; j < sizeof(ciphers) / sizeof(ciphers[0]); j++) {
				test_stream(&ciphers[j], versions[i].v, versions[i].name);
				test_sendfile(&ciphers[j], versions[i].v, versions[i].name);
				if (!strcmp(dir->writer_ulp, KTLSO_ULP_NAME))
					test_wire(&ciphers[j], versions[i].v, versions[i].name);
			}
	}
	CHECK(tx0 >= 0 && ktlso_counter("KtlsoTxRecords") > tx0 + 1000,
	      "/proc/net/ktlso_stat counts records sent (%lld -> %lld)", tx0,
	      ktlso_counter("KtlsoTxRecords"));
	CHECK(rx0 >= 0 && ktlso_counter("KtlsoRxBytes") > rx0 + (16 << 20),
	      "/proc/net/ktlso_stat counts bytes received (%lld -> %lld)", rx0,
	      ktlso_counter("KtlsoRxBytes"));
	/* Counters are per namespace and other tests provoke errors on purpose. */
	CHECK(bad0 >= 0 && ktlso_counter("KtlsoDecryptErrors") == bad0, "no decrypt errors");
	return check_summary();
}
