// SPDX-License-Identifier: MIT
/*
 * TLS 1.2 AES-CBC-HMAC records on ktlso's other data paths, in the VM:
 * sendfile and splice from a file, MSG_MORE, control records both ways,
 * and the counters of /proc/net/ktlso_stat. The peer seals and opens
 * records with OpenSSL's EVP (tests/lib/cbc_record.c); cbc_test covers
 * plain writes, every suite and the hostile peer.
 *
 *   file --sendfile/splice--> ktlso (TLS_TX + TLS_RX, --- 127.0.0.1 --- peer (plain TCP,
 *                              CBC keys)                                 records by EVP)
 *
 * For a SHA-1 and a SHA-384 suite, each MAC-then-encrypt and
 * encrypt-then-MAC.
 */
#include <fcntl.h>
#include <linux/tls.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../lib/cbc_record.h"
#include "../lib/check.h"
#include "../lib/io.h"
#include "../lib/ktlso_stat.h"
#include "../lib/tls_sock.h"

#define DATA 23
#define HANDSHAKE 22

static uint8_t want[1 << 18], rec[CBC_MAX_RECORD], got[CBC_MAX_RECORD];

static void fill(uint8_t *p, size_t len, unsigned int seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + 11 * i + (i >> 9));
}

/* The next record off the peer's socket, opened: its content length (type
 * in *type, content in got), or -1 if none came or it is not authentic.
 */
static long peer_open(int p, struct cbc_dir *d, uint8_t *type)
{
	size_t n = cbc_read_record(p, rec);

	return n ? cbc_open(d, rec, n, type, got) : -1;
}

/* What the peer saw of a stream of data records. */
struct seen {
	size_t bytes;		/* content, all equal to want[] */
	size_t records, full;	/* records, of which 2^14 bytes */
	bool ok;		/* every record authentic, data, as sent */
};

/* The peer reads data records until @n bytes of want[] have come. */
static struct seen peer_reads(int p, struct cbc_dir *d, size_t n)
{
	struct seen s = { .ok = true };
	uint8_t type;

	while (s.bytes < n) {
		long len = peer_open(p, d, &type);

		if (len <= 0 || type != DATA || s.bytes + (size_t)len > n ||
		    memcmp(got, want + s.bytes, (size_t)len)) {
			printf("    record %zu: %ld bytes of type %u at %zu\n", s.records, len,
			       type, s.bytes);
			s.ok = false;
			return s;
		}
		s.bytes += (size_t)len;
		s.records++;
		s.full += len == CBC_MAX_PLAINTEXT;
	}
	return s;
}

/* Every record but the last carries 2^14 bytes: the stream was cut into
 * records by size, not by the calls that wrote it.
 */
static bool full_records(const struct seen *s, size_t n)
{
	return s->ok && s->bytes == n && s->records == (n + CBC_MAX_PLAINTEXT - 1) / CBC_MAX_PLAINTEXT &&
	       s->full == n / CBC_MAX_PLAINTEXT;
}

/* want[0..n) in a tmpfs file. */
static int file_of(size_t n)
{
	int fd = open("/tmp", O_TMPFILE | O_RDWR, 0600);

	if (fd < 0 || write_all(fd, want, n)) {
		perror("tmpfile");
		exit(2);
	}
	return fd;
}

/* sendfile(2) of the whole file into the socket. */
static int by_sendfile(int sock, int file, size_t n)
{
	off_t off = 0;

	while ((size_t)off < n)
		if (sendfile(sock, file, &off, n - (size_t)off) <= 0)
			return -1;
	return 0;
}

/* splice(2) file -> pipe -> socket, 64 KiB at a time (a pipe's size),
 * SPLICE_F_MORE but on the last piece.
 */
static int by_splice(int sock, int file, size_t n)
{
	loff_t off = 0;
	int pfd[2];

	if (pipe(pfd))
		return -1;
	while ((size_t)off < n) {
		size_t piece = n - (size_t)off < 65536 ? n - (size_t)off : 65536;
		unsigned int more = (size_t)off + piece < n ? SPLICE_F_MORE : 0;
		ssize_t in = splice(file, &off, pfd[1], NULL, piece, 0);

		for (ssize_t out = 0, r; in > 0 && out < in; out += r) {
			r = splice(pfd[0], NULL, sock, NULL, (size_t)(in - out), more);
			if (r <= 0)
				return -1;
		}
		if (in <= 0)
			return -1;
	}
	close(pfd[0]);
	close(pfd[1]);
	return 0;
}

/* A file of @n bytes into the ktlso socket by @how, in a child (the socket
 * buffers hold less than the file), while the peer reads.
 */
static void from_file(struct cbc_dir tx, const char *what, int (*how)(int, int, size_t),
		      size_t n)
{
	struct cbc_dir peer_rx = tx;
	int k, p, file, status = -1;
	struct seen s;
	pid_t pid;

	fill(want, n, (unsigned int)n);
	file = file_of(n);
	cbc_pair(&tx, NULL, &k, &p);
	pid = fork();
	if (pid == 0)
		_exit(how(k, file, n) ? 1 : 0);
	s = peer_reads(p, &peer_rx, n);
	waitpid(pid, &status, 0);
	CHECK(s.ok && status == 0, "%s: %zu bytes by %s open in EVP byte for byte", tx.name, n,
	      what);
	CHECK(full_records(&s, n), "%s: %s fills records: %zu of them, %zu of 2^14 bytes",
	      tx.name, what, s.records, s.full);
	close(file);
	close(k);
	close(p);
}

/* Nothing arrives at the peer within 50 ms. */
static bool peer_sees_nothing(int p)
{
	usleep(50000);
	return recv(p, rec, 1, MSG_DONTWAIT) == -1 && errno == EAGAIN;
}

/* MSG_MORE holds bytes back until a call without it, and writes coalesce
 * into records of 2^14 bytes.
 */
static void msg_more(struct cbc_dir tx)
{
	struct cbc_dir peer_rx = tx;
	int k, p, sent = 0;
	struct seen s;

	fill(want, 20001, 5);
	cbc_pair(&tx, NULL, &k, &p);
	CHECK(send(k, want, 1000, MSG_MORE) == 1000 && send(k, want + 1000, 2000, MSG_MORE) == 2000 &&
	      peer_sees_nothing(p),
	      "%s: MSG_MORE writes of 1000 and 2000 bytes put nothing on the wire", tx.name);
	CHECK(send(k, want + 3000, 3000, 0) == 3000 && (s = peer_reads(p, &peer_rx, 6000)).ok &&
	      s.records == 1,
	      "%s: the write without MSG_MORE sends the three as one record of 6000 bytes",
	      tx.name);

	for (int i = 0; i < 10; i++)
		sent += send(k, want + 2000 * i, 2000, MSG_MORE) == 2000;
	sent += send(k, want + 20000, 1, 0) == 1;
	s = peer_reads(p, &peer_rx, 20001);
	CHECK(sent == 11 && full_records(&s, 20001),
	      "%s: ten MSG_MORE writes of 2000 bytes and one of 1 arrive as records of 16384 and 3617 bytes (%zu records, %zu full)",
	      tx.name, s.records, s.full);
	close(k);
	close(p);
}

/* Control records the application sends (TLS_SET_RECORD_TYPE). */
static void control_out(struct cbc_dir tx)
{
	static const uint8_t finished[] = { 20, 0, 0, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	struct cbc_dir peer_rx = tx;
	uint8_t type = 0;
	int k, p;
	long n;

	cbc_pair(&tx, NULL, &k, &p);
	CHECK(send(k, "held", 4, MSG_MORE) == 4 &&
	      send_with_type(k, HANDSHAKE, finished, sizeof(finished)) == sizeof(finished),
	      "%s: a handshake record after data MSG_MORE holds", tx.name);
	n = peer_open(p, &peer_rx, &type);
	CHECK(n == 4 && type == DATA && !memcmp(got, "held", 4),
	      "%s: the held data goes first, sealed in a data record of its own", tx.name);
	n = peer_open(p, &peer_rx, &type);
	CHECK(n == sizeof(finished) && type == HANDSHAKE && !memcmp(got, finished, sizeof(finished)),
	      "%s: then the handshake record opens in EVP with type 22", tx.name);
	close(k);
	close(p);
}

/* Control records the application receives (TLS_GET_RECORD_TYPE). */
static void control_in(struct cbc_dir rx)
{
	static const uint8_t hello_request[] = { 0, 0, 0, 0 };
	uint8_t type = 0, buf[64];
	size_t n = 0;
	int k, p;

	cbc_pair(NULL, &rx, &k, &p);
	/* Three records in one write: the reader must not merge across types. */
	n += cbc_seal(&rx, DATA, (const uint8_t *)"abc", 3, &cbc_honest, want + n);
	n += cbc_seal(&rx, HANDSHAKE, hello_request, sizeof(hello_request), &cbc_honest, want + n);
	n += cbc_seal(&rx, DATA, (const uint8_t *)"def", 3, &cbc_honest, want + n);
	if (write_all(p, want, n))
		CHECK(0, "%s: the peer writes its records", rx.name);
	usleep(1000);
	CHECK(recv_with_type(k, buf, sizeof(buf), MSG_WAITALL, &type) == 3 && type == DATA &&
	      !memcmp(buf, "abc", 3),
	      "%s: a read stops at the data before a handshake record", rx.name);
	CHECK_ERRNO(recv(k, buf, sizeof(buf), 0), EIO,
		    "%s: the handshake record, read without room for its type: EIO", rx.name);
	CHECK(recv_with_type(k, buf, sizeof(buf), 0, &type) == sizeof(hello_request) &&
	      type == HANDSHAKE && !memcmp(buf, hello_request, sizeof(hello_request)),
	      "%s: then with a cmsg buffer: the record, TLS_GET_RECORD_TYPE 22", rx.name);
	CHECK(recv_with_type(k, buf, sizeof(buf), 0, &type) == 3 && type == DATA &&
	      !memcmp(buf, "def", 3),
	      "%s: and the data after it, type 23", rx.name);
	close(k);
	close(p);
}

/* /proc/net/ktlso_stat counts CBC records both ways, and a record that
 * does not authenticate. Nothing else uses ktlso while a VM test runs, so
 * the counters move by exactly this test's records.
 */
static void counters(struct cbc_dir tx, struct cbc_dir rx)
{
	static const size_t writes[] = { 100, 16384, 20000 };	/* 4 records */
	struct cbc_dir peer_rx = tx;
	long long records = ktlso_counter("KtlsoTxRecords"), bytes = ktlso_counter("KtlsoTxBytes");
	int k, p;
	size_t n;
	bool ok = true;

	cbc_pair(&tx, &rx, &k, &p);
	for (size_t i = 0; i < 3; i++) {
		fill(want, writes[i], (unsigned int)i);
		ok = ok && send(k, want, writes[i], 0) == (ssize_t)writes[i] &&
		     peer_reads(p, &peer_rx, writes[i]).ok;
	}
	records = ktlso_counter("KtlsoTxRecords") - records;
	bytes = ktlso_counter("KtlsoTxBytes") - bytes;
	CHECK(ok && records == 4 && bytes == 36484,
	      "%s: KtlsoTxRecords +4, KtlsoTxBytes +36484 for writes of 100, 2^14 and 20000 bytes (+%lld, +%lld)",
	      tx.name, records, bytes);

	records = ktlso_counter("KtlsoRxRecords");
	bytes = ktlso_counter("KtlsoRxBytes");
	ok = true;
	for (size_t len = 10; len <= 30; len += 10) {
		fill(want, len, (unsigned int)len);
		n = cbc_seal(&rx, DATA, want, len, &cbc_honest, rec);
		ok = ok && !write_all(p, rec, n) &&
		     recv(k, got, len, MSG_WAITALL) == (ssize_t)len && !memcmp(got, want, len);
	}
	records = ktlso_counter("KtlsoRxRecords") - records;
	bytes = ktlso_counter("KtlsoRxBytes") - bytes;
	CHECK(ok && records == 3 && bytes == 60,
	      "%s: KtlsoRxRecords +3, KtlsoRxBytes +60 for records of 10, 20 and 30 bytes (+%lld, +%lld)",
	      rx.name, records, bytes);

	struct cbc_tamper flipped = cbc_honest;
	long long errors = ktlso_counter("KtlsoDecryptErrors");

	flipped.flip_mac = 0;
	n = cbc_seal(&rx, DATA, want, 10, &flipped, rec);
	ok = !write_all(p, rec, n) && recv(k, got, sizeof(got), 0) == -1 && errno == EBADMSG;
	errors = ktlso_counter("KtlsoDecryptErrors") - errors;
	CHECK(ok && errors == 1,
	      "%s: a record with a flipped MAC is EBADMSG and KtlsoDecryptErrors +1 (+%lld)",
	      rx.name, errors);
	close(k);
	close(p);
}

int main(void)
{
	/* A SHA-1 suite and the SHA-384 one: the shortest and longest MAC. */
	static const size_t chosen[] = { 0, 4 };
	const char *missing = cbc_unsupported_suite();

	if (missing) {
		printf("# SKIP: the kernel's crypto API cannot run %s (ENOENT)\n", missing);
		return 77;
	}
	for (size_t i = 0; i < sizeof(chosen) / sizeof(chosen[0]); i++) {
		const struct cbc_suite *s = &cbc_suites[chosen[i]];

		for (int etm = 0; etm < 2; etm++) {
			struct cbc_dir tx = cbc_dir_of(s, etm, 0x21, 3);
			struct cbc_dir rx = cbc_dir_of(s, etm, 0x42, 0x1000);

			from_file(tx, "sendfile", by_sendfile, 5 * CBC_MAX_PLAINTEXT + 1000);
			from_file(tx, "splice", by_splice, 3 * CBC_MAX_PLAINTEXT + 77);
			msg_more(tx);
			control_out(tx);
			control_in(rx);
			counters(tx, rx);
		}
	}
	return check_summary();
}
