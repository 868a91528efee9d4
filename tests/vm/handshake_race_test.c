// SPDX-License-Identifier: MIT
/*
 * Races on a handshake request's lifetime (issue 11), each bounded to a few
 * seconds.
 *
 *   timer: a listener on the "handshake" group, never ACCEPTing
 *     16 threads × { 16 × (A ──TCP loopback── B, ULP on A, non-blocking
 *                    KTLSO_HANDSHAKE of 1 ms), all ETIMEDOUT?, close }
 *     (more threads than CPUs keep both busy, so ticks land while requests
 *     are being queued)
 *
 * A lost race shows as a kernel report (list corruption, a fault), which
 * fails the VM run, or as a request ended by the wrong party, checked here.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include <linux/ktlso.h>
#include <netinet/tcp.h>

#include "../lib/check.h"
#include "../lib/fake_daemon.h"
#include "../lib/tls_sock.h"

#define TIMER_THREADS 16
#define TIMER_SECONDS 8
#define TIMER_BATCH 16

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int ask(int fd, uint32_t timeout_ms)
{
	struct ktlso_handshake_req req = { .role = KTLSO_ROLE_CLIENT, .timeout_ms = timeout_ms };

	snprintf(req.peer_name, sizeof(req.peer_name), "localhost");
	return setsockopt(fd, SOL_TLS, KTLSO_HANDSHAKE, &req, sizeof(req));
}

static struct ktlso_handshake_status status_of(int fd)
{
	struct ktlso_handshake_status st = { .state = 0xdead };
	socklen_t len = sizeof(st);

	if (getsockopt(fd, SOL_TLS, KTLSO_HANDSHAKE, &st, &len))
		st.state = 0xdead;
	return st;
}

/* A listening socket on loopback, and its address. */
static int listener(struct sockaddr_in *addr)
{
	socklen_t len = sizeof(*addr);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	*addr = (struct sockaddr_in){ .sin_family = AF_INET,
				      .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	if (fd < 0 || bind(fd, (struct sockaddr *)addr, len) || listen(fd, 64) ||
	    getsockname(fd, (struct sockaddr *)addr, &len)) {
		perror("listen");
		exit(2);
	}
	return fd;
}

/* A ──TCP loopback── B through lfd, A non-blocking with the ULP attached. */
static void pair_via(int lfd, const struct sockaddr_in *addr, int *a, int *b)
{
	*a = socket(AF_INET, SOCK_STREAM, 0);
	if (*a < 0 || connect(*a, (const struct sockaddr *)addr, sizeof(*addr)) ||
	    (*b = accept(lfd, NULL, NULL)) < 0 ||
	    setsockopt(*a, SOL_TCP, TCP_ULP, KTLSO_ULP_NAME, sizeof(KTLSO_ULP_NAME)) ||
	    fcntl(*a, F_SETFL, O_NONBLOCK)) {
		perror("pair");
		exit(2);
	}
}

struct timer_stats {
	unsigned int asked, wrong;
};

/*
 * Requests whose timer may fire while they are being queued: a batch of
 * non-blocking requests of 1 ms back to back, then each must have timed out.
 */
static void *timer_thread(void *arg)
{
	struct timer_stats *st = arg;
	double end = now() + TIMER_SECONDS;
	int a[TIMER_BATCH], b[TIMER_BATCH];
	struct sockaddr_in addr;
	int lfd = listener(&addr);
	while (now() < end) {
		for (int i = 0; i < TIMER_BATCH; i++) {
			pair_via(lfd, &addr, &a[i], &b[i]);
			if (ask(a[i], 1) != -1 || errno != EINPROGRESS)
				st->wrong++;
		}
		for (int i = 0; i < TIMER_BATCH; i++) {
			struct pollfd pfd = { .fd = a[i], .events = POLLOUT };
			struct ktlso_handshake_status hs;

			/* The handshake's end wakes poll: POLLERR once it fails. */
			poll(&pfd, 1, 1000);
			hs = status_of(a[i]);
			if (hs.state != KTLSO_HS_FAILED || hs.error != ETIMEDOUT)
				st->wrong++;
			close(a[i]);
			close(b[i]);
		}
		st->asked += TIMER_BATCH;
	}
	close(lfd);
	return NULL;
}

static void test_timer_while_queueing(void)
{
	struct timer_stats st[TIMER_THREADS] = { 0 };
	pthread_t t[TIMER_THREADS];
	unsigned int asked = 0, wrong = 0;
	struct genl listener;

	CHECK(genl_open(&listener) == 0, "timer: a listener on the handshake group");
	for (int i = 0; i < TIMER_THREADS; i++) {
		pthread_create(&t[i], NULL, timer_thread, &st[i]);
	}
	for (int i = 0; i < TIMER_THREADS; i++) {
		pthread_join(t[i], NULL);
		asked += st[i].asked;
		wrong += st[i].wrong;
	}
	CHECK(asked > 0 && wrong == 0,
	      "timer: %u requests of 1 ms from %d threads, all timed out (%u not)",
	      asked, TIMER_THREADS, wrong);
	mnl_socket_close(listener.nl);
}

int main(void)
{
	test_timer_while_queueing();
	return check_summary();
}
