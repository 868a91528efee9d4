// SPDX-License-Identifier: MIT
/*
 * A sender blocked on a slow reader must not take a kernel worker with it.
 *
 *   sender (ktlso, TLS_TX, blocking send of 8 MiB) --- 127.0.0.1 --- reader (plain TCP)
 *                                                                    reads a little, then stops
 *
 * When TCP frees send space, ktlso's flush work pushes sealed bytes that no
 * later send may come to push. A blocking sender holds the transmit lock
 * while it sleeps for space; if the work waited for that lock it would sit
 * in uninterruptible sleep as long as the sender does. The test lowers the
 * hung-task timeout to 2 s, keeps the sender blocked for 10 s with the work
 * fired, and looks for a hung-task report in the kernel log (tools/vm/run
 * fails the run on one too).
 */
#include <linux/tls.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/klog.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../lib/check.h"
#include "../lib/tls_sock.h"
#include <linux/ktlso.h>

#define HUNG_TASK_TIMEOUT "/proc/sys/kernel/hung_task_timeout_secs"
#define BIG_SEND (8u << 20)

/* How many hung-task reports the kernel log holds. */
static int hung_reports(void)
{
	static char log[1 << 20];
	int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, log, sizeof(log) - 1), count = 0;

	if (n < 0)
		return -1;
	log[n] = 0;
	for (char *p = log; (p = strstr(p, "blocked for more than")); p++)
		count++;
	return count;
}

static bool write_file(const char *path, const char *value)
{
	FILE *f = fopen(path, "w");
	bool ok = f && fputs(value, f) >= 0;

	if (f && fclose(f))
		ok = false;
	return ok;
}

static void *big_send(void *arg)
{
	static char buf[BIG_SEND];
	int fd = *(int *)arg;
	size_t done = 0;

	while (done < sizeof(buf)) {
		ssize_t n = send(fd, buf + done, sizeof(buf) - done, MSG_NOSIGNAL);

		if (n <= 0)
			break;
		done += n;
	}
	return NULL;
}

int main(void)
{
	struct tls12_crypto_info_aes_gcm_128 k = { 0 };
	int sender, reader, small = 16384, before, after;
	char old_timeout[32] = "120\n", buf[4096];
	FILE *f = fopen(HUNG_TASK_TIMEOUT, "r");
	pthread_t thread;

	/* Debian's kernels have CONFIG_DETECT_HUNG_TASK: without it this test
	 * could not fail, so its absence is a failure.
	 */
	CHECK(f && fgets(old_timeout, sizeof(old_timeout), f), "%s is there", HUNG_TASK_TIMEOUT);
	if (f)
		fclose(f);
	old_timeout[strcspn(old_timeout, "\n")] = 0;
	CHECK(write_file(HUNG_TASK_TIMEOUT, "2\n"), "hung-task timeout lowered to 2 s");
	before = hung_reports();
	CHECK(before >= 0, "the kernel log can be read");

	loopback_pair(&sender, &reader);
	k.info.version = TLS_1_3_VERSION;
	k.info.cipher_type = TLS_CIPHER_AES_GCM_128;
	setsockopt(sender, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	setsockopt(reader, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	if (setsockopt(sender, SOL_TCP, TCP_ULP, KTLSO_ULP_NAME, sizeof(KTLSO_ULP_NAME)) ||
	    setsockopt(sender, SOL_TLS, TLS_TX, &k, sizeof(k))) {
		perror("sender setup");
		return 2;
	}

	/* The sender blocks for space, holding the transmit lock ... */
	pthread_create(&thread, NULL, big_send, &sender);
	sleep(1);
	/* ... the reader frees some (TCP calls write_space, which fires the
	 * flush work while sealed bytes wait), then stops reading.
	 */
	for (int i = 0; i < 16; i++) {
		if (recv(reader, buf, sizeof(buf), MSG_DONTWAIT) < 0)
			usleep(50 * 1000);
		usleep(20 * 1000);
	}
	sleep(10);
	after = hung_reports();
	CHECK(after == before, "no task hung while the sender waited 10 s (%d new reports)",
	      after - before);

	/* Reset the connection (unread data): the sender's call ends. */
	close(reader);
	pthread_join(thread, NULL);
	close(sender);
	CHECK(write_file(HUNG_TASK_TIMEOUT, old_timeout), "hung-task timeout restored to %s s",
	      old_timeout);
	return check_summary();
}
