// SPDX-License-Identifier: MIT
/*
 * Races on a handshake request's lifetime (issue 11), each bounded to a few
 * seconds. The choices are seeded: the seed is printed, and KTLSO_SEED=N
 * replays them; an argument ("timer", "gone", "gone-widened") runs one race only.
 *
 *   timer: a listener on the "handshake" group, never ACCEPTing
 *     16 threads × { 16 × (A ──TCP loopback── B, ULP on A, non-blocking
 *                    KTLSO_HANDSHAKE of 1 ms), all ETIMEDOUT?, close }
 *     (more threads than CPUs keep both busy, so ticks land while requests
 *     are being queued)
 *
 *   daemon gone: per round, n requests
 *     fake daemon: ACCEPT all n, then exit (closing the fds or not)  ┐ at once
 *     application: close the n sockets, ask again on fresh ones      ┘
 *
 *   gone, widened: the same with ktlso_test_delay.ko holding each
 *     ktlso_hs_fail() entry open for 50 ms in an exiting task (the dying
 *     daemon, not the closing application), the window where a daemon's
 *     exit once used a request the application's close had freed (a KASAN
 *     report on the debug kernel); the application closes 0-2 ms after
 *     the daemon's exit has released its files, so most rounds land inside
 *     it
 *
 * A lost race shows as a kernel report (list corruption, a fault), which
 * fails the VM run, or as a request ended by the wrong party, checked here.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>

#include <arpa/inet.h>
#include <linux/ktlso.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "../lib/check.h"
#include "../lib/fake_daemon.h"
#include "../lib/tls_sock.h"

#define TIMER_THREADS 16
#define TIMER_SECONDS 8
#define TIMER_BATCH 16
#define GONE_SECONDS 4
/*
 * A closed socket's request waits out its timeout (it holds the file), and
 * the next round's daemon may take it: short, and waited out at the end so
 * no request outlives the test.
 */
#define GONE_TIMEOUT_MS 2000
#define GONE_MAX 8	/* requests a daemon takes in one round */
#define GONE_VICTIMS 4	/* fresh requests made while it dies */
/*
 * Up to GONE_MAX + GONE_VICTIMS requests a round stay pending for
 * GONE_TIMEOUT_MS: a round takes at least this long, so they stay well
 * under the module's max_pending (1024), where KTLSO_HANDSHAKE is EAGAIN.
 * An idle machine otherwise runs 300 rounds in GONE_SECONDS and hits it.
 */
#define GONE_ROUND_MIN_S 0.04

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

/* A connected pair, A with the ULP attached. */
static void pair(int *a, int *b)
{
	loopback_pair(a, b);
	if (setsockopt(*a, SOL_TCP, TCP_ULP, KTLSO_ULP_NAME, sizeof(KTLSO_ULP_NAME))) {
		perror("TCP_ULP");
		exit(2);
	}
}

/* A listening socket on loopback, and its address. */
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
	int lfd = loopback_listener(&addr);
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

/* Take n requests, wait for the word, close them and vanish. */
static void gone_daemon(int n, bool close_first, int up, int down)
{
	struct accepted acc;
	int fds[GONE_MAX];
	struct genl g;
	char go;

	if (genl_open(&g))
		_exit(2);
	/*
	 * Above the netlink socket: exit queues the final release of each
	 * file in fd order and runs them last-queued first, so the pipe's end
	 * of file reaches the application just before the netlink release
	 * (ktlso_hs_daemon_gone()) starts.
	 */
	if (dup2(up, up + 64) < 0 || close(up))
		_exit(2);
	up += 64;
	if (write(up, "r", 1) != 1)
		_exit(2);
	for (int i = 0; i < n; i++) {
		fds[i] = genl_accept(&g, &acc);
		if (fds[i] < 0)
			_exit(3);
	}
	if (write(up, "a", 1) != 1 || read(down, &go, 1) != 1)
		_exit(4);
	if (close_first)
		for (int i = 0; i < n; i++)
			close(fds[i]);
	_exit(0);
}

/* One round; returns how many requests ended that should not have. */
static int gone_round(unsigned int *seed, bool widened)
{
	int n = 1 + rand_r(seed) % GONE_MAX, a[GONE_MAX], b[GONE_MAX];
	int va[GONE_VICTIMS], vb[GONE_VICTIMS], up[2], down[2], status, wrong = 0;
	bool close_first = rand_r(seed) & 1;
	unsigned int spin = rand_r(seed) % 20000;
	char c;
	pid_t pid;

	if (pipe(up) || pipe(down))
		exit(2);
	pid = fork();
	if (pid == 0)
		gone_daemon(n, close_first, up[1], down[0]);
	/* The daemon's end only: its exit reads here as end of file. */
	close(up[1]);
	if (read(up[0], &c, 1) != 1)
		exit(2);
	for (int i = 0; i < n; i++) {
		pair(&a[i], &b[i]);
		fcntl(a[i], F_SETFL, O_NONBLOCK);
		if (ask(a[i], GONE_TIMEOUT_MS) != -1 || errno != EINPROGRESS)
			wrong++;
	}
	if (read(up[0], &c, 1) != 1 || write(down[1], "g", 1) != 1)
		exit(2);
	if (widened) {
		/*
		 * Its exit releases this pipe and its netlink socket together:
		 * close as ktlso_hs_daemon_gone() holds the delayed window.
		 */
		while (read(up[0], &c, 1) > 0)
			;
		usleep(spin % 2000);
	} else
		for (volatile unsigned int i = 0; i < spin; i++)
			;
	for (int i = 0; i < n; i++) {
		close(a[i]);
		close(b[i]);
	}
	/* Fresh requests nobody takes: the dying daemon must not end them. */
	for (int i = 0; i < GONE_VICTIMS; i++) {
		pair(&va[i], &vb[i]);
		fcntl(va[i], F_SETFL, O_NONBLOCK);
		if (ask(va[i], GONE_TIMEOUT_MS) != -1 || errno != EINPROGRESS)
			wrong++;
	}
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		wrong++;
	for (int i = 0; i < GONE_VICTIMS; i++) {
		struct ktlso_handshake_status hs = status_of(va[i]);

		/* Its own timer may end it on a slow host; nothing else may. */
		if (hs.state != KTLSO_HS_IN_PROGRESS &&
		    (hs.state != KTLSO_HS_FAILED || hs.error != ETIMEDOUT))
			wrong++;
		close(va[i]);
		close(vb[i]);
	}
	close(up[0]);
	close(down[0]);
	close(down[1]);
	return wrong;
}

static void test_daemon_gone_while_closing(unsigned int seed, bool widened)
{
	double end = now() + GONE_SECONDS;
	unsigned int rounds = 0, wrong = 0;
	struct genl listener;

	/* Keeps a daemon listening while the fake ones come and go. */
	CHECK(genl_open(&listener) == 0, "daemon gone: a listener on the handshake group");
	while (now() < end) {
		double next = now() + GONE_ROUND_MIN_S;

		wrong += gone_round(&seed, widened);
		rounds++;
		while (now() < next)
			usleep(1000);
	}
	CHECK(rounds > 0 && wrong == 0,
	      "daemon gone%s: %u rounds of a daemon dying while its sockets close, "
	      "nothing ended by the wrong party (%u wrong)",
	      widened ? " (widened)" : "", rounds, wrong);
	mnl_socket_close(listener.nl);
	usleep((GONE_TIMEOUT_MS + 500) * 1000);
}

/* The delay module of this kernel's test build (tests/kmod). */
static int delay_module(bool load)
{
	struct utsname u;
	char cmd[512];

	if (uname(&u))
		return -1;
	if (load)
		snprintf(cmd, sizeof(cmd), "insmod build/%s/tests/kmod/ktlso_test_delay.ko "
			 "symbol=ktlso_hs_fail exiting_only=1 delay_ms=50", u.release);
	else
		snprintf(cmd, sizeof(cmd), "echo \"window held open $(cat "
			 "/sys/module/ktlso_test_delay/parameters/hits) times\"; "
			 "rmmod ktlso_test_delay");
	return system(cmd);
}

static void test_daemon_gone_widened(unsigned int seed)
{
	/* Every kernel the tests boot has kprobes; none may pass by skipping. */
	bool loaded = delay_module(true) == 0;

	CHECK(loaded, "gone, widened: ktlso_test_delay.ko loaded");
	if (!loaded)
		return;
	test_daemon_gone_while_closing(seed, true);
	CHECK(delay_module(false) == 0, "gone, widened: ktlso_test_delay.ko unloaded");
}

int main(int argc, char **argv)
{
	const char *only = argc > 1 ? argv[1] : NULL, *env = getenv("KTLSO_SEED");
	unsigned int seed = env ? strtoul(env, NULL, 0) : (unsigned int)time(NULL);

	printf("seed %u (KTLSO_SEED=%u replays it)\n", seed, seed);
	if (!only || !strcmp(only, "timer"))
		test_timer_while_queueing();
	if (!only || !strcmp(only, "gone"))
		test_daemon_gone_while_closing(seed, false);
	if (!only || !strcmp(only, "gone-widened"))
		test_daemon_gone_widened(seed);
	return check_summary();
}
