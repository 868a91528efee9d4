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
 * after it reaches the reader. The peer's records: tests/lib/cbc_record.c.
 */
#include <linux/tls.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/ktlso.h>

#include "../lib/cbc_record.h"
#include "../lib/check.h"
#include "../lib/io.h"
#include "../lib/tls_sock.h"

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

static uint8_t want[CBC_MAX_RECORD], got[CBC_MAX_RECORD], rec[CBC_MAX_RECORD];

/* The kernel seals, EVP opens. */
static void kernel_to_evp(struct cbc_dir tx, struct cbc_dir rx)
{
	struct cbc_dir peer_rx = tx;	/* the peer reads what the kernel sends */
	int k, p, bad = 0, bad_len = -1;
	uint8_t type = 0;
	long n;

	cbc_pair(&tx, &rx, &k, &p);
	/* A write of 0 bytes sends no record, as in kTLS. */
	for (size_t i = 1; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
		size_t len = lengths[i];

		fill(want, len, (unsigned int)len);
		if (write_all(k, want, len) || !cbc_read_record(p, rec)) {
			bad++;
			bad_len = (int)len;
			break;
		}
		n = cbc_open(&peer_rx, rec, CBC_HEADER + ((size_t)rec[3] << 8 | rec[4]), &type, got);
		if (n != (long)len || type != 23 || memcmp(want, got, len)) {
			bad++;
			if (bad_len < 0)
				bad_len = (int)len;
		}
	}
	CHECK(!bad, "%s: kernel-sealed records of 1 to 2^14 bytes open in EVP (%d wrong, first %d bytes)",
	      tx.name, bad, bad_len);

	/* RFC 5246 §7.2.1: close_notify, a warning alert. */
	CHECK(send_with_type(k, 21, "\x01\x00", 2) == 2 && cbc_read_record(p, rec) &&
	      cbc_open(&peer_rx, rec, CBC_HEADER + ((size_t)rec[3] << 8 | rec[4]), &type, got) == 2 &&
	      type == 21 && !memcmp(got, "\x01\x00", 2),
	      "%s: the kernel's close_notify opens in EVP as an alert", tx.name);
	close(k);
	close(p);
}

/* EVP seals, the kernel opens. */
static void evp_to_kernel(struct cbc_dir tx, struct cbc_dir rx)
{
	int k, p, bad = 0, bad_at = -1;
	uint8_t type = 0;
	size_t n;

	cbc_pair(&tx, &rx, &k, &p);
	for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
		size_t len = lengths[i];

		fill(want, len, (unsigned int)len + 1);
		n = cbc_seal(&rx, 23, want, len, &cbc_honest, rec);
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
		size_t len = (CBC_BLOCK - inside % CBC_BLOCK) % CBC_BLOCK + 3 * CBC_BLOCK;
		struct cbc_tamper t = cbc_honest;

		t.pad = pad;
		fill(want, len, (unsigned int)pad);
		n = cbc_seal(&rx, 23, want, len, &t, rec);
		if (write_all(p, rec, n) ||
		    recv(k, got, len, MSG_WAITALL) != (ssize_t)len || memcmp(want, got, len)) {
			bad++;
			if (bad_at < 0)
				bad_at = pad;
		}
	}
	CHECK(!bad, "%s: every padding length, 0 to 255, opens in the kernel (%d wrong, first %d)",
	      rx.name, bad, bad_at);

	n = cbc_seal(&rx, 21, (const uint8_t *)"\x01\x00", 2, &cbc_honest, rec);
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
static bool refused(struct cbc_dir rx, const uint8_t *bad, size_t bad_len)
{
	struct cbc_dir before = rx, after = rx;
	int k, p;
	ssize_t r1, r2, r3;
	size_t n;
	bool ok;

	cbc_pair(NULL, &rx, &k, &p);
	n = cbc_seal(&before, 23, (const uint8_t *)"ok", 2, &cbc_honest, rec);
	after.seq = rx.seq + 2;
	if (write_all(p, rec, n) || write_all(p, bad, bad_len))
		return false;
	n = cbc_seal(&after, 23, (const uint8_t *)"after", 5, &cbc_honest, rec);
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
static size_t seal_bad(struct cbc_dir rx, size_t len, const struct cbc_tamper *t, uint8_t *out)
{
	fill(want, len, 99);
	rx.seq++;
	return cbc_seal(&rx, 23, want, len, t, out);
}

static uint8_t bad[CBC_MAX_RECORD];

static void hostile(struct cbc_dir rx)
{
	size_t mac_in = rx.etm ? 0 : rx.s->mac, len, n, least;
	struct cbc_tamper t = cbc_honest;
	int wrong = 0, first = -1;

	/* Every value of the first of 4 padding bytes but the right one. */
	t.pad = 3;
	t.pad_byte = 0;
	len = (CBC_BLOCK - (mac_in + 4) % CBC_BLOCK) % CBC_BLOCK + CBC_BLOCK;
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
	t = cbc_honest;
	t.pad_byte = (int)((CBC_BLOCK - (len + mac_in + 1) % CBC_BLOCK) % CBC_BLOCK);
	t.pad_value = (int)(len + mac_in + (size_t)t.pad_byte + 1);
	n = seal_bad(rx, len, &t, bad);
	CHECK(refused(rx, bad, n), "%s: padding_length one more than the record holds is EBADMSG",
	      rx.name);
	t.pad_value = 255;
	n = seal_bad(rx, len, &t, bad);
	CHECK(refused(rx, bad, n), "%s: padding_length 255 in a %zu-byte record is EBADMSG",
	      rx.name, len);

	/* RFC 5246 §6.2.3.2 (and RFC 7366): a MAC off in one bit */
	t = cbc_honest;
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
	for (size_t cut = 1; cut <= CBC_BLOCK; cut++) {
		n = seal_bad(rx, 100, &cbc_honest, bad) - cut;
		bad[3] = (uint8_t)((n - CBC_HEADER) >> 8);
		bad[4] = (uint8_t)(n - CBC_HEADER);
		wrong += !refused(rx, bad, n);
	}
	CHECK(!wrong, "%s: records cut short by 1 to 16 bytes are EBADMSG (%d not)", rx.name, wrong);

	/* Too short for the IV and the blocks of MAC (MtE) and padding, and
	 * for the MAC (EtM): every length from 0 up in steps of 4.
	 */
	wrong = 0;
	least = CBC_BLOCK + (rx.etm ? CBC_BLOCK + rx.s->mac : (rx.s->mac + CBC_BLOCK) / CBC_BLOCK * CBC_BLOCK);
	for (size_t frag = 0; frag < least; frag += 4) {
		n = seal_bad(rx, 0, &cbc_honest, bad);
		bad[3] = 0;
		bad[4] = (uint8_t)frag;
		wrong += !refused(rx, bad, CBC_HEADER + frag);
	}
	CHECK(!wrong, "%s: records too short to hold IV, a block and MAC are EBADMSG (%d not)",
	      rx.name, wrong);

	/* A record of another sequence number (a replay) or type. */
	n = cbc_seal(&rx, 23, (const uint8_t *)"replay", 6, &cbc_honest, bad);
	CHECK(refused(rx, bad, n), "%s: a record of the previous sequence number is EBADMSG",
	      rx.name);
	n = seal_bad(rx, 6, &cbc_honest, bad);
	bad[0] = 22;
	CHECK(refused(rx, bad, n), "%s: a record whose type was changed is EBADMSG", rx.name);
}

/* getsockopt reports the installed struct with the sequence number as now. */
static void reports_keys(struct cbc_dir tx)
{
	uint8_t expect[256], seen[256];
	socklen_t len, seen_len = sizeof(seen);
	int k, p;

	cbc_pair(&tx, NULL, &k, &p);
	(void)!write_all(k, "abc", 3);
	tx.seq++;
	cbc_crypto_info(&tx, expect, &len);
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
	struct cbc_dir d = cbc_dir_of(&cbc_suites[0], false, 1, 0);
	struct ktlso_crypto_info_aes_128_cbc_sha ci;
	socklen_t len;
	int k, p;

	cbc_pair(NULL, NULL, &k, &p);
	cbc_crypto_info(&d, (uint8_t *)&ci, &len);
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

int main(void)
{
	const char *missing = cbc_unsupported_suite();

	if (missing) {
		printf("# SKIP: the kernel's crypto API cannot run %s (ENOENT)\n", missing);
		return 77;
	}
	refused_installs();
	for (size_t i = 0; i < cbc_num_suites; i++) {
		for (int etm = 0; etm < 2; etm++) {
			struct cbc_dir tx = cbc_dir_of(&cbc_suites[i], etm, 0x10, 7);
			struct cbc_dir rx = cbc_dir_of(&cbc_suites[i], etm, 0x80, 0x0102030405060708ull);

			kernel_to_evp(tx, rx);
			evp_to_kernel(tx, rx);
			hostile(rx);
			reports_keys(tx);
		}
	}
	return check_summary();
}
