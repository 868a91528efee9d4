// SPDX-License-Identifier: MIT
/*
 * record_bench: TLS record layer throughput over loopback TCP, in the VM.
 *
 *   sender (parent)  --- 127.0.0.1 --->  receiver (child)
 *   TLS_TX                               TLS_RX
 *
 * Every variant moves the same bytes, with the same key, in each suite:
 * TLS 1.3 AES-128-GCM, and with --suite TLS 1.2 AES-128-CBC-SHA256,
 * encrypt-then-MAC or MAC-then-encrypt:
 *
 *   tcp      plain TCP, no TLS (the ceiling; GCM only)
 *   openssl  userspace record layer: EVP seal of 16 KiB records in the
 *            sender, EVP open in the receiver (send and recv)
 *   tls.ko   the kernel's own kTLS, ULP "tls" (GCM only: it has no CBC)
 *   ktlso    ULP "ktlso"
 *
 * in three modes: 16 KiB send() calls, sendfile() of a file in tmpfs, and
 * recv, the receive side alone: the records are sealed in advance into a
 * tmpfs file that a plain TCP sender sendfile()s, so the sender is never
 * the bottleneck (tls.ko, ktlso and OpenSSL receive). The receiver always
 * recv()s into 16 KiB. A run is timed from the first byte
 * sent to the last byte received. Every round runs each variant once, in
 * the order above and then reversed (ABBA), so tls.ko and ktlso always run
 * back to back and take turns going first. Reported: each variant's median
 * MB/s, and each ratio as the median of its per-round ratios (runs close in
 * time share the load of a busy host). Before timing, a short run of every
 * variant checks that the receiver gets exactly the bytes sent.
 *
 * A benchmark, not a test: it fails only if a variant cannot be set up or
 * delivers wrong bytes, never on a timing.
 *
 *   record_bench [--mb MiB] [--rounds N] [--only VARIANT] [--mode MODE]
 *                [--suite SUITE] [--start-round N] [--json FILE]
 *
 * --only and --mode (tcp, openssl, tls.ko, ktlso; send, sendfile, recv) run
 * one variant or one mode alone, for profiling; --only may be repeated
 * (--only tls.ko --only ktlso: the ratio alone, two builds of ktlso.ko
 * compared in one boot). --suite (gcm, cbc-etm, cbc-mte; may be repeated,
 * default gcm) picks the suites, each timed and tabled in turn.
 * --start-round numbers the rounds from N (the order alternates on that
 * number), for a caller that runs one round at a time; --json writes every
 * run's MB/s to FILE.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/tls.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/ktlso.h>

#include "../../tests/lib/cbc_record.h"
#include "../../tests/lib/io.h"
#include "../../tests/lib/tls_sock.h"

#define CHUNK 16384		/* send() size, recv() size, record payload */
#define PERIOD 251		/* the byte pattern repeats every PERIOD bytes */
#define TAG 16
#define HEADER 5
#define MAX_ROUNDS 15

enum variant { TCP, OPENSSL, TLS_KO, KTLSO, NUM_VARIANTS };
enum mode { SEND, SENDFILE, RECV, NUM_MODES };
enum suite_id { GCM, CBC_ETM, CBC_MTE, NUM_SUITES };

static const char *const variant_names[] = { "plain TCP", "OpenSSL (user)", "tls.ko", "ktlso" };
static const char *const mode_names[] = { "send", "sendfile", "recv" };
static const char *const variant_args[] = { "tcp", "openssl", "tls.ko", "ktlso" };
static unsigned int only_variants;	/* bit per variant; 0: all */
static int only_mode = -1;

/* A record protection: GCM by the code below, CBC by tests/lib/cbc_record.c
 * (cbc set; dir's sequence number is set per record).
 */
struct suite {
	const char *arg, *name;
	bool cbc, etm;
	struct cbc_dir dir;
};

static struct suite suites[NUM_SUITES] = {
	{ .arg = "gcm", .name = "TLS 1.3 AES-128-GCM" },
	{ .arg = "cbc-etm", .name = "TLS 1.2 AES-128-CBC-SHA256 encrypt-then-MAC", .cbc = true,
	  .etm = true },
	{ .arg = "cbc-mte", .name = "TLS 1.2 AES-128-CBC-SHA256 MAC-then-encrypt", .cbc = true },
};
static const struct suite *suite;	/* the one being measured */

/* One fixed TLS 1.3 AES-128-GCM key for everyone, sequence number 0. */
static struct tls12_crypto_info_aes_gcm_128 crypto_info = {
	.info = { .version = TLS_1_3_VERSION, .cipher_type = TLS_CIPHER_AES_GCM_128 },
	.iv = { 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17 },
	.key = { 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27,
		 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f },
	.salt = { 0x30, 0x31, 0x32, 0x33 },
};

/* pattern + (offset % PERIOD) holds the stream's bytes from offset on. */
static uint8_t pattern[CHUNK + PERIOD];

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static bool needs_ulp(enum variant v)
{
	return v == TLS_KO || v == KTLSO;
}

static void attach(int fd, enum variant v, int direction)
{
	const char *ulp = v == KTLSO ? KTLSO_ULP_NAME : "tls";

	if (setsockopt(fd, SOL_TCP, TCP_ULP, ulp, strlen(ulp) + 1))
		die(ulp);
	if (suite->cbc ? cbc_install(fd, direction, &suite->dir) :
	    setsockopt(fd, SOL_TLS, direction, &crypto_info, sizeof(crypto_info)))
		die("setsockopt SOL_TLS");
}

/* RFC 8446 §5.3: the per-record nonce, static IV XOR sequence number. */
static void nonce(uint64_t seq, uint8_t out[12])
{
	memcpy(out, crypto_info.salt, 4);
	memcpy(out + 4, crypto_info.iv, 8);
	for (int i = 0; i < 8; i++)
		out[11 - i] ^= (uint8_t)(seq >> (8 * i));
}

/* One GCM context per direction, for the life of the process. */
static EVP_CIPHER_CTX *gcm(bool encrypt)
{
	static EVP_CIPHER_CTX *ctx[2];

	if (!ctx[encrypt]) {
		ctx[encrypt] = EVP_CIPHER_CTX_new();
		if (!ctx[encrypt] || !EVP_CipherInit_ex(ctx[encrypt], EVP_aes_128_gcm(), NULL,
							crypto_info.key, NULL, encrypt))
			die("EVP_aes_128_gcm");
	}
	return ctx[encrypt];
}

static void send_all(int fd, const uint8_t *p, size_t n)
{
	if (write_all(fd, p, n))
		die("send");
}

/* RFC 8446 §5.2: record seq of the stream, the n bytes at off, sealed into
 * rec: header, then AEAD(payload || content type) with the header as
 * additional data. Returns the record's length on the wire.
 */
static size_t gcm_seal(uint64_t seq, size_t off, size_t n, uint8_t *rec)
{
	static const uint8_t type = 23;
	EVP_CIPHER_CTX *ctx = gcm(true);
	size_t len = n + 1 + TAG;
	uint8_t iv[12];
	int outl;

	rec[0] = 23, rec[1] = 3, rec[2] = 3, rec[3] = len >> 8, rec[4] = len & 0xff;
	nonce(seq, iv);
	if (!EVP_EncryptInit_ex(ctx, NULL, NULL, NULL, iv) ||
	    !EVP_EncryptUpdate(ctx, NULL, &outl, rec, HEADER) ||
	    !EVP_EncryptUpdate(ctx, rec + HEADER, &outl, pattern + off % PERIOD, (int)n) ||
	    !EVP_EncryptUpdate(ctx, rec + HEADER + n, &outl, &type, 1) ||
	    !EVP_EncryptFinal_ex(ctx, rec + HEADER + n + 1, &outl) ||
	    !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG, rec + HEADER + n + 1))
		die("EVP seal");
	return HEADER + len;
}

/* The stream's n bytes at off as record seq of the suite: its length. */
static size_t seal_record(uint64_t seq, size_t off, size_t n, uint8_t *rec)
{
	struct cbc_dir d;

	if (!suite->cbc)
		return gcm_seal(seq, off, n, rec);
	d = suite->dir;
	d.seq = seq;
	return cbc_seal(&d, 23, pattern + off % PERIOD, n, &cbc_honest, rec);
}

/* The wire length of the record that carries n bytes. */
static size_t record_size(size_t n)
{
	return suite->cbc ? cbc_sealed_len(&suite->dir, n) : HEADER + n + 1 + TAG;
}

/* The wire length of the records that carry the stream's first n bytes. */
static size_t sealed_size(size_t n)
{
	return n / CHUNK * record_size(CHUNK) + (n % CHUNK ? record_size(n % CHUNK) : 0);
}

static void openssl_send(int fd, size_t total)
{
	static uint8_t rec[CBC_MAX_RECORD];

	for (uint64_t seq = 0, off = 0; off < total; seq++, off += CHUNK)
		send_all(fd, rec, seal_record(seq, off, total - off < CHUNK ? total - off : CHUNK,
					      rec));
}

static void send_file(int fd, int file, size_t total)
{
	for (off_t off = 0; (size_t)off < total;)
		if (sendfile(fd, file, &off, total - (size_t)off) <= 0)
			die("sendfile");
}

/* recv: plain TCP carries the records sealed in advance, whatever the
 * receiver.
 */
static void send_side(int fd, const int files[NUM_MODES], enum variant v, enum mode m,
		      size_t total)
{
	if (m == RECV) {
		send_file(fd, files[RECV], sealed_size(total));
		return;
	}
	if (v == OPENSSL) {
		openssl_send(fd, total);
		return;
	}
	if (m == SEND) {
		for (size_t off = 0; off < total; off += CHUNK)
			send_all(fd, pattern + off % PERIOD,
				 total - off < CHUNK ? total - off : CHUNK);
		return;
	}
	send_file(fd, files[SENDFILE], total);
}

/* The receiver's sink: bytes counted, and in a check run compared. */
struct sink {
	size_t got;
	bool check, bad;
};

static void deliver(struct sink *s, const uint8_t *p, size_t n)
{
	if (s->check && memcmp(p, pattern + s->got % PERIOD, n))
		s->bad = true;
	s->got += n;
}

/* Open record seq (n bytes at rec, decrypted in place) into out: the
 * length of its data, or -1 if it is not an authentic data record.
 */
static long open_record(uint64_t seq, uint8_t *rec, size_t n, uint8_t *out)
{
	EVP_CIPHER_CTX *ctx;
	struct cbc_dir d;
	uint8_t iv[12], type = 0;
	size_t clen;
	int outl;
	long len;

	if (suite->cbc) {
		d = suite->dir;
		d.seq = seq;
		len = cbc_open(&d, rec, n, &type, out);
		return type == 23 ? len : -1;
	}
	if (n < HEADER + 1 + TAG || n > HEADER + CHUNK + 1 + TAG)
		return -1;
	ctx = gcm(false);
	clen = n - HEADER - TAG;
	nonce(seq, iv);
	if (!EVP_DecryptInit_ex(ctx, NULL, NULL, NULL, iv) ||
	    !EVP_DecryptUpdate(ctx, NULL, &outl, rec, HEADER) ||
	    !EVP_DecryptUpdate(ctx, out, &outl, rec + HEADER, (int)clen) ||
	    !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG, rec + HEADER + clen) ||
	    EVP_DecryptFinal_ex(ctx, out + clen, &outl) <= 0 || out[clen - 1] != 23)
		return -1;
	return (long)clen - 1;
}

static void openssl_recv(int fd, size_t total, struct sink *s)
{
	static uint8_t in[4 * CBC_MAX_RECORD], out[CBC_MAX_RECORD];
	size_t have = 0;
	uint64_t seq = 0;

	while (s->got < total && !s->bad) {
		ssize_t r = recv(fd, in + have, sizeof(in) - have, 0);
		size_t pos = 0;

		if (r <= 0)
			die("recv");
		have += (size_t)r;
		for (;;) {
			size_t len;
			long n;

			if (have - pos < HEADER)
				break;
			len = (size_t)in[pos + 3] << 8 | in[pos + 4];
			if (len > CBC_MAX_RECORD - HEADER) {
				s->bad = true;
				break;
			}
			if (have - pos < HEADER + len)
				break;
			n = open_record(seq++, in + pos, HEADER + len, out);
			if (n < 0) {
				s->bad = true;
				break;
			}
			deliver(s, out, (size_t)n);
			pos += HEADER + len;
		}
		memmove(in, in + pos, have - pos);
		have -= pos;
	}
}

static void recv_side(int fd, enum variant v, size_t total, struct sink *s)
{
	static uint8_t buf[CHUNK];

	if (v == OPENSSL) {
		openssl_recv(fd, total, s);
		return;
	}
	while (s->got < total && !s->bad) {
		ssize_t r = recv(fd, buf, sizeof(buf), 0);

		if (r <= 0)
			die("recv");
		deliver(s, buf, (size_t)r);
	}
}

/* One transfer of total bytes; returns MB/s (10^6 bytes per second). */
static double run(enum variant v, enum mode m, const int files[NUM_MODES], size_t total,
		  bool check)
{
	int tx, rx, go[2], done[2], status;
	struct sink s = { .check = check };
	double t0, t1;
	pid_t pid;

	loopback_pair(&tx, &rx);
	if (needs_ulp(v)) {
		if (m != RECV)
			attach(tx, v, TLS_TX);
		attach(rx, v, TLS_RX);
	}
	if (pipe(go) || pipe(done))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		char c;

		close(tx);
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		recv_side(rx, v, total, &s);
		_exit(write(done[1], &s, sizeof(s)) == sizeof(s) ? 0 : 2);
	}
	close(rx);
	t0 = now();
	if (write(go[1], "g", 1) != 1)
		die("write");
	send_side(tx, files, v, m, total);
	if (read(done[0], &s, sizeof(s)) != sizeof(s))
		die("receiver");
	t1 = now();
	waitpid(pid, &status, 0);
	close(tx);
	close(go[0]), close(go[1]), close(done[0]), close(done[1]);
	if (s.bad || s.got != total) {
		fprintf(stderr, "record_bench: %s %s: receiver got %zu of %zu bytes%s\n",
			variant_names[v], mode_names[m], s.got, total,
			s.bad ? ", not the bytes sent" : "");
		exit(1);
	}
	return total / (t1 - t0) / 1e6;
}

static bool applies(enum variant v, enum mode m)
{
	return !(v == OPENSSL && m == SENDFILE) && !(v == TCP && m == RECV) &&
	       !(suite->cbc && (v == TCP || v == TLS_KO)) &&
	       (!only_variants || (only_variants & 1u << v)) &&
	       (only_mode < 0 || (int)m == only_mode);
}

static int arg_index(const char *arg, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(arg, names[i]))
			return i;
	fprintf(stderr, "record_bench: unknown name %s\n", arg);
	exit(2);
}

/* A tmpfs file holding the pattern stream, for sendfile, or with sealed
 * set the records that carry it, for recv.
 */
static int make_file(size_t total, bool sealed)
{
	static uint8_t rec[CBC_MAX_RECORD];
	int fd = open("/tmp", O_TMPFILE | O_RDWR, 0600);

	if (fd < 0)
		die("O_TMPFILE in /tmp");
	for (size_t seq = 0, off = 0; off < total; seq++, off += CHUNK) {
		size_t n = total - off < CHUNK ? total - off : CHUNK;
		const uint8_t *p = pattern + off % PERIOD;

		if (sealed) {
			n = seal_record(seq, off, n, rec);
			p = rec;
		}
		if (write(fd, p, n) != (ssize_t)n)
			die("write file");
	}
	return fd;
}

/* The kernel's implementations of alg, best first: ktlso and tls.ko ask the
 * crypto API for "gcm(aes)" and get the same one; ktlso's CBC suites ask
 * for "cbc(aes)" and "hmac(sha256)" (over "sha256").
 */
static void print_drivers(const char *alg)
{
	char line[256], name[128] = "", driver[128] = "";
	FILE *f = fopen("/proc/crypto", "r");

	if (!f)
		return;
	printf("kernel %s:", alg);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "name : %127s", name) == 1)
			continue;
		if (sscanf(line, "driver : %127s", driver) == 1)
			continue;
		if (!strncmp(line, "priority", 8) && !strcmp(name, alg))
			printf(" %s (priority %d)", driver, atoi(strchr(line, ':') + 1));
	}
	printf("\n");
	fclose(f);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	double s[MAX_ROUNDS];

	memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* MB/s of every run of one suite, by variant, mode and round. */
typedef double results_t[NUM_VARIANTS][NUM_MODES][MAX_ROUNDS];

static bool any_mode(enum variant a, enum variant b)
{
	for (int m = 0; m < NUM_MODES; m++)
		if (applies(a, m) && applies(b, m))
			return true;
	return false;
}

/* The median over rounds of num's MB/s over den's in the same round; no
 * line when no mode has both.
 */
static void ratio_line(const char *name, results_t res, int rounds, enum variant num,
		       enum variant den)
{
	if (!any_mode(num, den))
		return;
	printf("%-26s", name);
	for (int m = 0; m < NUM_MODES; m++) {
		double r[MAX_ROUNDS];

		if (!applies(num, m) || !applies(den, m)) {
			printf(" %10s", "n/a");
			continue;
		}
		for (int i = 0; i < rounds; i++)
			r[i] = res[num][m][i] / res[den][m][i];
		printf(" %10.2f", median(r, rounds));
	}
	printf("\n");
}

static void header_line(const char *name)
{
	printf("%-26s", name);
	for (int m = 0; m < NUM_MODES; m++)
		printf(" %10s", mode_names[m]);
	printf("\n");
}

/* Every timed run, for a caller that computes its own ratios. */
static void write_json(const char *path, const char *release, unsigned long mib,
		       results_t res[NUM_SUITES], unsigned int chosen, int rounds, int first)
{
	FILE *f = fopen(path, "w");
	const char *sep = "";

	if (!f)
		die(path);
	fprintf(f, "{\"kernel\":\"%s\",\"mib\":%lu,\"runs\":[", release, mib);
	for (int i = 0; i < NUM_SUITES; i++) {
		if (!(chosen & 1u << i))
			continue;
		suite = &suites[i];
		for (int r = 0; r < rounds; r++)
			for (int m = 0; m < NUM_MODES; m++)
				for (int v = 0; v < NUM_VARIANTS; v++) {
					if (!applies(v, m))
						continue;
					fprintf(f, "%s\n{\"suite\":\"%s\",\"round\":%d,\"mode\":\"%s\","
						"\"variant\":\"%s\",\"MBps\":%.3f}", sep, suite->arg,
						first + r, mode_names[m], variant_args[v],
						res[i][v][m][r]);
					sep = ",";
				}
	}
	fprintf(f, "]}\n");
	if (fclose(f))
		die(path);
}

/* The untimed check of every variant, then the rounds, of the current
 * suite; files[RECV] holds its records.
 */
static void measure(const int files[NUM_MODES], size_t total, int rounds, int first,
		    results_t results)
{
	/* Untimed: every variant must deliver exactly the bytes sent. */
	for (int m = 0; m < NUM_MODES; m++)
		for (int v = 0; v < NUM_VARIANTS; v++)
			if (applies(v, m))
				run(v, m, files, total < (4u << 20) ? total : 4u << 20, true);
	printf("check: every variant delivered the bytes sent\n");
	if (suite->cbc) {
		print_drivers("cbc(aes)");
		print_drivers("hmac(sha256)");
		print_drivers("sha256");
	} else {
		print_drivers("gcm(aes)");
	}

	for (int r = 0; r < rounds; r++)
		for (int m = 0; m < NUM_MODES; m++) {
			bool any = false;

			for (int i = 0; i < NUM_VARIANTS; i++) {
				int v = (first + r) % 2 ? i : NUM_VARIANTS - 1 - i;

				if (!applies(v, m))
					continue;
				if (!any)
					printf("round %d %-8s", first + r, mode_names[m]);
				any = true;
				results[v][m][r] = run(v, m, files, total, false);
				printf("  %s %.1f", variant_names[v], results[v][m][r]);
				fflush(stdout);
			}
			if (applies(KTLSO, m) && applies(TLS_KO, m))
				printf("  (ktlso/tls.ko %.2f)",
				       results[KTLSO][m][r] / results[TLS_KO][m][r]);
			if (any)
				printf("\n");
		}
}

/* The medians and ratios of the current suite. */
static void table(results_t results, int rounds)
{
	printf("\n");
	header_line("MB/s (median)");
	for (int v = 0; v < NUM_VARIANTS; v++) {
		if (!any_mode(v, v))
			continue;
		printf("%-26s", variant_names[v]);
		for (int m = 0; m < NUM_MODES; m++) {
			if (applies(v, m))
				printf(" %10.1f", median(results[v][m], rounds));
			else
				printf(" %10s", "n/a");
		}
		printf("\n");
	}
	header_line("ratio (median of rounds)");
	ratio_line("ktlso / tls.ko", results, rounds, KTLSO, TLS_KO);
	ratio_line("ktlso / plain TCP", results, rounds, KTLSO, TCP);
	ratio_line("ktlso / OpenSSL", results, rounds, KTLSO, OPENSSL);
	ratio_line("tls.ko / plain TCP", results, rounds, TLS_KO, TCP);
	ratio_line("tls.ko / OpenSSL", results, rounds, TLS_KO, OPENSSL);
}

int main(int argc, char **argv)
{
	static results_t results[NUM_SUITES];
	unsigned long mib = 256;
	int rounds = 3, first = 1, files[NUM_MODES] = { -1, -1, -1 };
	const char *json = NULL, *suite_args[NUM_SUITES];
	unsigned int chosen = 0;
	struct utsname u;
	size_t total;

	for (int i = 0; i < NUM_SUITES; i++)
		suite_args[i] = suites[i].arg;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--mb") && i + 1 < argc)
			mib = strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
			rounds = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--only") && i + 1 < argc)
			only_variants |= 1u << arg_index(argv[++i], variant_args, NUM_VARIANTS);
		else if (!strcmp(argv[i], "--mode") && i + 1 < argc)
			only_mode = arg_index(argv[++i], mode_names, NUM_MODES);
		else if (!strcmp(argv[i], "--suite") && i + 1 < argc)
			chosen |= 1u << arg_index(argv[++i], suite_args, NUM_SUITES);
		else if (!strcmp(argv[i], "--start-round") && i + 1 < argc)
			first = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--json") && i + 1 < argc)
			json = argv[++i];
		else {
			fprintf(stderr, "usage: record_bench [--mb MiB] [--rounds N] "
				"[--only VARIANT] [--mode MODE] [--suite SUITE] [--start-round N] "
				"[--json FILE]\n");
			return 2;
		}
	}
	if (!mib || rounds < 1 || rounds > MAX_ROUNDS || first < 1) {
		fprintf(stderr, "record_bench: need --mb >= 1, 1 <= --rounds <= %d, "
			"--start-round >= 1\n", MAX_ROUNDS);
		return 2;
	}
	chosen = chosen ?: 1u << GCM;
	total = mib << 20;
	for (size_t i = 0; i < sizeof(pattern); i++)
		pattern[i] = (uint8_t)((i % PERIOD) * 7 + 1);
	for (size_t i = 0; i < cbc_num_suites; i++)
		if (cbc_suites[i].type == KTLSO_CIPHER_AES_128_CBC_SHA256)
			for (int j = CBC_ETM; j <= CBC_MTE; j++)
				suites[j].dir = cbc_dir_of(&cbc_suites[i], suites[j].etm, 0x20, 0);
	if (only_mode < 0 || only_mode == SENDFILE)
		files[SENDFILE] = make_file(total, false);
	uname(&u);
	printf("record_bench: kernel %s, %lu MiB per run, 16 KiB send/recv, %d rounds, "
	       "MB = 10^6 bytes\n", u.release, mib, rounds);

	for (int i = 0; i < NUM_SUITES; i++) {
		if (!(chosen & 1u << i))
			continue;
		suite = &suites[i];
		printf("\n%s%s\n", suite->name, suite->cbc ? " (tls.ko has no CBC)" : "");
		if (only_mode < 0 || only_mode == RECV)
			files[RECV] = make_file(total, true);
		measure(files, total, rounds, first, results[i]);
		table(results[i], rounds);
		if (files[RECV] >= 0)
			close(files[RECV]);
		files[RECV] = -1;
	}
	if (json)
		write_json(json, u.release, mib, results, chosen, rounds, first);
	if (files[SENDFILE] >= 0)
		close(files[SENDFILE]);
	return 0;
}
