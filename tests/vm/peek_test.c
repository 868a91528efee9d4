// SPDX-License-Identifier: MIT
/*
 * MSG_PEEK must not pin memory without bound.
 *
 *   sender (ktlso, TLS_TX) --- 127.0.0.1 --- receiver (ktlso, TLS_RX, SO_RCVBUF 128 KiB)
 *   sends 32 MiB, then FIN            recvmsg(MSG_PEEK | MSG_WAITALL) into 1 GiB
 *                                     (one 1 MiB buffer, 1024 times)
 *
 * Peeked records are decrypted into kernel buffers and consumed from TCP,
 * so TCP's window keeps opening. The peek must stop at about the receive
 * buffer and return what it has, not decrypt the whole stream into kernel
 * memory; the bytes peeked must then be the bytes read.
 */
#include <linux/tls.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "../lib/check.h"
#include "../lib/tls_sock.h"
#include <linux/ktlso.h>

#define STREAM (32u << 20)
#define PEEK_BUF (1u << 20)
#define PEEK_IOVS 1024
#define RECORD 16384
/* Growth of the VM's used memory the peek may cause: the receive buffer's
 * worth of records is far below it, the 32 MiB stream far above.
 */
#define MEM_BOUND (16 << 20)

static uint8_t byte_at(size_t i)
{
	return (uint8_t)(i * 7 + (i >> 12));
}

static void *send_stream(void *arg)
{
	static uint8_t buf[1 << 20];
	int fd = *(int *)arg;

	for (size_t off = 0; off < STREAM; off += sizeof(buf)) {
		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = byte_at(off + i);
		for (size_t done = 0; done < sizeof(buf);) {
			ssize_t n = send(fd, buf + done, sizeof(buf) - done, MSG_NOSIGNAL);

			if (n <= 0)
				return NULL;
			done += n;
		}
	}
	shutdown(fd, SHUT_WR);
	return NULL;
}

/* MemAvailable in /proc/meminfo, in bytes. */
static long long mem_available(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	long long kb = -1;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %lld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb * 1024;
}

static void keys_on(int fd, int optname)
{
	struct tls12_crypto_info_aes_gcm_128 k = { 0 };

	k.info.version = TLS_1_3_VERSION;
	k.info.cipher_type = TLS_CIPHER_AES_GCM_128;
	memset(k.key, 0x42, sizeof(k.key));
	if (setsockopt(fd, SOL_TCP, TCP_ULP, KTLSO_ULP_NAME, sizeof(KTLSO_ULP_NAME)) ||
	    setsockopt(fd, SOL_TLS, optname, &k, sizeof(k))) {
		perror("keys");
		exit(2);
	}
}

int main(void)
{
	static struct iovec iov[PEEK_IOVS];
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = PEEK_IOVS };
	struct timeval tv = { .tv_sec = 60 };
	int sender, receiver, rcvbuf = 128 << 10;
	socklen_t len = sizeof(rcvbuf);
	uint8_t *peeked = malloc(PEEK_BUF), *got = malloc(PEEK_BUF);
	long long mem_before, mem_after;
	pthread_t thread;
	ssize_t r, n;
	bool same;

	loopback_pair(&sender, &receiver);
	setsockopt(receiver, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	getsockopt(receiver, SOL_SOCKET, SO_RCVBUF, &rcvbuf, &len);
	setsockopt(receiver, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	keys_on(sender, TLS_TX);
	keys_on(receiver, TLS_RX);
	for (int i = 0; i < PEEK_IOVS; i++)
		iov[i] = (struct iovec){ .iov_base = peeked, .iov_len = PEEK_BUF };

	mem_before = mem_available();
	pthread_create(&thread, NULL, send_stream, &sender);
	r = recvmsg(receiver, &msg, MSG_PEEK | MSG_WAITALL);
	mem_after = mem_available();
	printf("# peek returned %zd (receive buffer %d); MemAvailable %lld -> %lld kB\n",
	       r, rcvbuf, mem_before >> 10, mem_after >> 10);

	CHECK(r > 0 && r <= rcvbuf + 2 * RECORD,
	      "the peek returns at most about the receive buffer (%zd, buffer %d)", r, rcvbuf);
	CHECK(mem_before - mem_after < MEM_BOUND,
	      "memory used meanwhile stays under %d MiB (%lld KiB)", MEM_BOUND >> 20,
	      (mem_before - mem_after) >> 10);

	/* What was peeked (the last iovec entry written holds the end of
	 * it; the first PEEK_BUF bytes are enough to compare) is what is read.
	 */
	if (r > 0) {
		size_t want = r < PEEK_BUF ? (size_t)r : PEEK_BUF;

		n = recv(receiver, got, want, MSG_WAITALL);
		same = n == (ssize_t)want;
		for (size_t i = 0; same && i < want; i++)
			same = got[i] == byte_at(i);
		CHECK(same, "the bytes read after the peek are the stream's first %zu (got %zd)",
		      want, n);
	}

	close(receiver);
	pthread_join(thread, NULL);
	close(sender);
	return check_summary();
}
