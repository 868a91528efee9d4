// SPDX-License-Identifier: MIT
/*
 * close() when the kernel is out of memory (issue 11, bug 9): the record
 * ktlso seals and pushes at close needs memory, and when it cannot have it
 * the peer must see a reset, never a FIN after part of a record or short of
 * bytes send() accepted. Each round fails the n-th slab allocation of the
 * close (the kernel's systematic fault injection, /proc/self/fail-nth,
 * Documentation/fault-injection in the kernel tree), n = 1, 2, ... until a
 * close runs through without reaching an n-th allocation.
 *
 *   sender (ktlso, TLS 1.3 TX:           ── 127.0.0.1 ──  peer (plain TCP,
 *   one record sent, one MSG_MORE open)                   reads to the end)
 *
 * Needs CONFIG_FAULT_INJECTION and CONFIG_FAILSLAB (the 6.12-debug kernel);
 * elsewhere it says so and exits 77, which tests/vm/run-guest reports as a
 * skip.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/tls.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include "../lib/check.h"
#include "../lib/raw_stream.h"
#include "../lib/tls_sock.h"
#include <linux/ktlso.h>

#define CLOSED_LEN 3000	/* a record sent before close */
#define OPEN_LEN 1000	/* a record MSG_MORE leaves open, sealed by close */
#define MAX_ROUNDS 400
#define SKIP 77

/* failslab fails only where fail-nth says, also allocations that may
 * sleep, and quietly: a stack dump per fault would read as a kernel report.
 */
static int setup_failslab(void)
{
	static const char *const knobs[][2] = {
		{ "/sys/kernel/debug/failslab/ignore-gfp-wait", "N" },
		{ "/sys/kernel/debug/failslab/verbose", "0" },
	};

	for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		FILE *f = fopen(knobs[i][0], "w");

		if (!f || fputs(knobs[i][1], f) < 0 || fclose(f)) {
			perror(knobs[i][0]);
			return -1;
		}
	}
	return 0;
}

static int sender_with_open_record(int *peer)
{
	static uint8_t buf[CLOSED_LEN + OPEN_LEN];
	int sender;

	raw_stream_pair(&sender, peer, 10);
	if (send(sender, buf, CLOSED_LEN, 0) != CLOSED_LEN ||
	    send(sender, buf, OPEN_LEN, MSG_MORE) != OPEN_LEN) {
		perror("send");
		exit(2);
	}
	return sender;
}

/* Close with the n-th allocation failing; whether it was reached. */
static int close_failing_nth(int fd, int fail_nth, unsigned int n)
{
	char num[16];
	ssize_t len;

	len = snprintf(num, sizeof(num), "%u", n);
	if (pwrite(fail_nth, num, len, 0) != len)
		exit(2);
	close(fd);
	len = pread(fail_nth, num, sizeof(num) - 1, 0);
	if (len <= 0)
		exit(2);
	num[len] = 0;
	/* 0: the fault was injected; else disarm what is left. */
	if (atoi(num) == 0)
		return 1;
	if (pwrite(fail_nth, "0", 1, 0) != 1)
		exit(2);
	return 0;
}

static void write_knob(const char *path, const char *value)
{
	ssize_t len = strlen(value);

	/* The write itself may meet an injected failure: try again. */
	for (int i = 0; i < 10; i++) {
		int fd = open(path, O_WRONLY);

		if (fd >= 0 && write(fd, value, len) == len) {
			close(fd);
			return;
		}
		if (fd >= 0)
			close(fd);
	}
	perror(path);
	exit(2);
}

static void close_without_memory(void)
{
	static uint8_t buf[16384], stream[4 << 20];
	int sender, peer, small = 4096, make_it_fail;
	size_t sent = 0, plaintext;
	struct raw_stream rs;
	char fail[64];
	ssize_t n;

	write_knob("/sys/kernel/debug/failslab/task-filter", "Y");
	write_knob("/sys/kernel/debug/failslab/probability", "100");
	write_knob("/sys/kernel/debug/failslab/interval", "1");
	write_knob("/sys/kernel/debug/failslab/times", "-1");
	write_knob("/sys/kernel/debug/failslab/space", "0");

	raw_stream_pair(&sender, &peer, 3);
	setsockopt(sender, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	setsockopt(peer, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	/* Until TCP takes no more: the last record sealed waits. */
	while ((n = send(sender, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		sent += n;

	/* Opened before: with the flag up, opening a file fails too. */
	snprintf(fail, sizeof(fail), "/proc/self/task/%ld/make-it-fail",
		 (long)syscall(SYS_gettid));
	make_it_fail = open(fail, O_WRONLY);
	if (make_it_fail < 0 || write(make_it_fail, "1", 1) != 1)
		exit(2);
	close(sender);
	for (int i = 0; lseek(make_it_fail, 0, SEEK_SET) || write(make_it_fail, "0", 1) != 1; i++)
		if (i == 10) {
			perror(fail);
			exit(2);
		}
	close(make_it_fail);
	write_knob("/sys/kernel/debug/failslab/probability", "0");

	raw_stream_read(peer, stream, sizeof(stream), &rs);
	close(peer);
	plaintext = raw_stream_plaintext(&rs);
	printf("# no memory at close: %zu bytes sent; peer got %zu bytes, %zu of plaintext "
	       "in whole records, ended by %s\n", sent, rs.bytes, plaintext,
	       rs.err ? strerror(rs.err) : "FIN");
	CHECK(rs.err || (rs.whole == rs.bytes && plaintext == sent),
	      "no memory at close: no FIN short of bytes sent or inside a record "
	      "(%zu of %zu, ended by %s)", plaintext, sent, rs.err ? strerror(rs.err) : "FIN");
}

int main(void)
{
	static uint8_t stream[1 << 16];
	unsigned int n, resets = 0, whole = 0, unended = 0, bad = 0;
	char path[64];
	int fail_nth;

	snprintf(path, sizeof(path), "/proc/self/task/%ld/fail-nth", (long)syscall(SYS_gettid));
	fail_nth = open(path, O_RDWR);
	if (fail_nth < 0) {
		printf("# SKIP: %s: %s (a kernel without CONFIG_FAULT_INJECTION)\n", path,
		       strerror(errno));
		return SKIP;
	}
	if (setup_failslab())
		return 2;

	for (n = 1; n <= MAX_ROUNDS; n++) {
		struct raw_stream rs;
		int peer, sender = sender_with_open_record(&peer);
		int injected = close_failing_nth(sender, fail_nth, n);
		size_t plaintext;

		raw_stream_read(peer, stream, sizeof(stream), &rs);
		close(peer);
		plaintext = raw_stream_plaintext(&rs);
		bool all = rs.whole == rs.bytes && plaintext == CLOSED_LEN + OPEN_LEN;

		if (rs.err == ECONNRESET)
			resets++;
		else if (!rs.err && all)
			whole++;
		else if (rs.err == EAGAIN && all)
			unended++;
		else {
			bad++;
			printf("# allocation %u failed: peer got %zu bytes, %zu in whole records, "
			       "%zu of plaintext, ended by %s\n", n, rs.bytes, rs.whole,
			       plaintext, rs.err ? strerror(rs.err) : "FIN");
		}
		if (!injected)
			break;
	}
	printf("# %u closes: %u reset, %u delivered whole and ended, %u delivered whole "
	       "with TCP's FIN lost, %u cut short\n", n, resets, whole, unended, bad);
	CHECK(n <= MAX_ROUNDS, "close() runs through within %d allocations", MAX_ROUNDS);
	CHECK(n > 1, "the faults reached close() (%u allocations)", n - 1);
	CHECK(bad == 0, "no close with a failed allocation ends the stream short of "
	      "bytes sent or inside a record (%u did)", bad);
	close_without_memory();
	return check_summary();
}
