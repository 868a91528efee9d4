// SPDX-License-Identifier: MIT
/*
 * A handshake request's whole life, many at once (issue 11).
 *
 *   app threads × { A ──TCP loopback (v4 or v6)── B, ULP on A,
 *                   KTLSO_HANDSHAKE of 1-3 ms (blocking or not),
 *                   maybe poll / status / write, close A and B in either order }
 *   root listener on the "handshake" group (so requests wait for a daemon)
 *   fake daemons, one after another: ACCEPT, then at random install keys and
 *   DONE(0), DONE(EKEYREJECTED), close the fd, or exit with fds open
 *
 * Before that: an unprivileged process must not be able to join the group
 * (that made a four-thread loop of this a kernel panic, issue 11 bug 1).
 * Checks: every syscall's errno is one the request's documentation names,
 * a finished request's status is consistent, no daemon saw an undocumented
 * errno, and the kernel log stays clean (tools/vm/run).
 *
 *   handshake_stress [SEED]     KTLSO_STRESS_SECONDS (default 20)
 */
#include <fcntl.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <linux/ktlso.h>
#include <netinet/in.h>

#include "../../lib/check.h"
#include "../../lib/fake_daemon.h"
#include "../../lib/tls_keys.h"
#include "../../lib/tls_sock.h"
#include "stress.h"

#define APP_THREADS 6

static unsigned int seed;
static double deadline;
static bool have_v6;

static struct tally t_attach = TALLY("TCP_ULP", EBUSY);
/* Blocking: how a request ends (Documentation/handshake.rst); non-blocking
 * it is queued (EINPROGRESS) or refused at once.
 */
static struct tally t_ask = TALLY("KTLSO_HANDSHAKE", EINPROGRESS, ETIMEDOUT, ECONNABORTED,
				  EKEYREJECTED, EPROTO, EAGAIN, ECONNREFUSED, EINTR);
static struct tally t_status = TALLY("getsockopt(KTLSO_HANDSHAKE)", EINVAL);
/* Before the end: EAGAIN; after a failure: ECONNABORTED; a reset peer. */
static struct tally t_write = TALLY("write during/after the handshake", EAGAIN,
				    ECONNABORTED, EPIPE, ECONNRESET);
static unsigned long bad_status;

struct endpoint {
	int lfd;
	struct sockaddr_storage addr;
	socklen_t len;
};

static int listen_on(struct endpoint *ep, int family)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)&ep->addr;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ep->addr;

	memset(ep, 0, sizeof(*ep));
	ep->len = family == AF_INET ? sizeof(*v4) : sizeof(*v6);
	if (family == AF_INET) {
		v4->sin_family = AF_INET;
		v4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	} else {
		v6->sin6_family = AF_INET6;
		v6->sin6_addr = in6addr_loopback;
	}
	ep->lfd = socket(family, SOCK_STREAM, 0);
	if (ep->lfd < 0 || bind(ep->lfd, (struct sockaddr *)&ep->addr, ep->len) ||
	    listen(ep->lfd, 16) || getsockname(ep->lfd, (struct sockaddr *)&ep->addr, &ep->len)) {
		if (ep->lfd >= 0)
			close(ep->lfd);
		ep->lfd = -1;
		return -1;
	}
	return 0;
}

static int connect_pair(struct endpoint *ep, int *a, int *b)
{
	*a = socket(ep->addr.ss_family, SOCK_STREAM, 0);
	if (*a < 0)
		return -1;
	if (connect(*a, (struct sockaddr *)&ep->addr, ep->len) ||
	    (*b = accept(ep->lfd, NULL, NULL)) < 0) {
		close(*a);
		return -1;
	}
	return 0;
}

static void check_status(int fd)
{
	struct ktlso_handshake_status st;
	socklen_t len = sizeof(st);
	bool sane;

	if (tally(&t_status, getsockopt(fd, SOL_TLS, KTLSO_HANDSHAKE, &st, &len)) < 0)
		return;
	switch (st.state) {
	case KTLSO_HS_IN_PROGRESS:
	case KTLSO_HS_DONE:
		sane = st.error == 0;
		break;
	case KTLSO_HS_FAILED:
		sane = st.error == ETIMEDOUT || st.error == ECONNABORTED ||
		       st.error == EKEYREJECTED || st.error == EPROTO || st.error == EINTR;
		break;
	default:
		sane = false;
	}
	if (!sane && __sync_fetch_and_add(&bad_status, 1) < 5)
		printf("    status: state %u error %d after a request\n", st.state, st.error);
}

/* One request's life on a fresh pair; the choices come from r. */
static void one_request(struct rng *r, struct endpoint *ep)
{
	struct ktlso_handshake_req req = { .role = KTLSO_ROLE_CLIENT };
	bool nonblock = rnd(r) & 1;
	int a, b;

	if (connect_pair(ep, &a, &b))
		return;
	if (tally(&t_attach, setsockopt(a, SOL_TCP, TCP_ULP, KTLSO_ULP_NAME,
					sizeof(KTLSO_ULP_NAME))) < 0)
		goto out;
	if (nonblock)
		fcntl(a, F_SETFL, O_NONBLOCK);
	req.timeout_ms = rnd_in(r, 1, 3);
	snprintf(req.peer_name, sizeof(req.peer_name), "localhost");
	tally(&t_ask, setsockopt(a, SOL_TLS, KTLSO_HANDSHAKE, &req, sizeof(req)));
	switch (rnd(r) % 4) {
	case 0:		/* close while the daemon may hold it */
		break;
	case 1: {	/* wait a little for the end */
		struct pollfd pfd = { .fd = a, .events = POLLOUT };

		poll(&pfd, 1, rnd_in(r, 0, 5));
		check_status(a);
		break;
	}
	case 2:
		check_status(a);
		tally(&t_write, write(a, "x", 1));
		break;
	case 3:		/* the peer goes first */
		close(b);
		b = -1;
		check_status(a);
		break;
	}
out:
	if (rnd(r) & 1) {
		close(a);
		if (b >= 0)
			close(b);
	} else {
		if (b >= 0)
			close(b);
		close(a);
	}
}

static void *app_thread(void *arg)
{
	unsigned int id = (unsigned int)(uintptr_t)arg;
	struct rng r = rng_for(seed, 100 + id);
	struct endpoint ep[2];

	if (listen_on(&ep[0], AF_INET))
		return NULL;
	if (!have_v6 || listen_on(&ep[1], AF_INET6))
		ep[1] = ep[0];
	while (stress_now() < deadline)
		one_request(&r, &ep[rnd(&r) & 1]);
	close(ep[0].lfd);
	if (ep[1].lfd != ep[0].lfd)
		close(ep[1].lfd);
	return NULL;
}

static const uint8_t key_ab[16] = "key from A to B", key_ba[16] = "key from B to A";

/* errno of a daemon-side call that is not one of the documented ends. */
static bool daemon_wrong(int err)
{
	/* DONE: 0, or the request is gone (ESTALE), not this daemon's or not
	 * a ktlso socket any more (EINVAL). Keys: EBUSY once it ended.
	 */
	return err && err != -ESTALE && err != -EINVAL && err != -EBUSY;
}

/*
 * ACCEPT as soon as the group announces a request (requests live 1-3 ms):
 * the fd, or -ETIMEDOUT after a quiet second.
 */
static int accept_quickly(struct genl *g, struct accepted *acc)
{
	struct pollfd pfd = { .fd = mnl_socket_get_fd(g->nl), .events = POLLIN };

	for (int quiet = 0; quiet < 200;) {
		int fd = genl_accept_once(g, acc);

		if (fd != -ENOENT)
			return fd;
		if (poll(&pfd, 1, 5) == 0)
			quiet++;
	}
	return -ETIMEDOUT;
}

/* A fake daemon: takes a few requests, treats each at random, then exits. */
static void run_daemon(unsigned int n)
{
	struct rng r = rng_for(seed, 1000 + n);
	unsigned int requests = rnd_in(&r, 1, 8), wrong = 0;
	struct accepted acc;
	struct genl g;
	int fd, err;

	/* Announcements it has no time to read may overrun its socket: drop
	 * them silently (netlink(7)) rather than fail the next ACCEPT.
	 */
	if (genl_open(&g) || mnl_socket_setsockopt(g.nl, NETLINK_NO_ENOBUFS, &(int){ 1 },
						   sizeof(int)))
		_exit(2);
	for (unsigned int i = 0; i < requests; i++) {
		fd = accept_quickly(&g, &acc);
		if (fd < 0)
			_exit(fd == -ETIMEDOUT ? 0 : 3);
		switch (rnd(&r) % 5) {
		case 0:
			err = tls_keys_install(fd, key_ab, key_ba) ? -errno : 0;
			wrong += daemon_wrong(err);
			err = genl_done(&g, fd, 0, -1);
			break;
		case 1:
			err = genl_done(&g, fd, EKEYREJECTED, 42);
			break;
		case 2:		/* forget it: the timeout ends it */
			err = 0;
			break;
		case 3:		/* vanish with it open */
			_exit(wrong ? 1 : 0);
		default:	/* DONE(0) without keys: EPROTO for the app */
			err = genl_done(&g, fd, 0, -1);
			break;
		}
		if (daemon_wrong(err)) {
			printf("    daemon: undocumented errno %d (%s)\n", -err, strerror(-err));
			wrong++;
		}
		close(fd);
	}
	_exit(wrong ? 1 : 0);
}

static volatile pid_t daemon_pid;
static unsigned long daemons, daemons_wrong;

static void *daemon_manager(void *arg)
{
	int status;

	(void)arg;
	while (stress_now() < deadline) {
		pid_t pid;

		fflush(stdout);
		pid = fork();
		if (pid == 0)
			run_daemon(daemons);
		daemon_pid = pid;
		if (waitpid(pid, &status, 0) != pid)
			break;
		daemons++;
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL))
				daemons_wrong++;
	}
	return NULL;
}

/* The group tells a listener about every request: root's privilege. */
static void test_unprivileged_join(void)
{
	int up[2], err = 0;
	struct genl g;
	pid_t pid;

	if (pipe(up))
		exit(2);
	pid = fork();
	if (pid == 0) {
		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534) ||
		    genl_open_bound(&g, 0))
			err = -ENOENT;
		else
			err = genl_join(&g);
		_exit(write(up[1], &err, sizeof(err)) == sizeof(err) ? 0 : 1);
	}
	if (read(up[0], &err, sizeof(err)) != sizeof(err))
		err = 1;
	waitpid(pid, NULL, 0);
	CHECK(err == -EPERM, "an unprivileged process joining the handshake group: EPERM (%d)",
	      err);
	close(up[0]);
	close(up[1]);
}

static void report(struct tally *t)
{
	CHECK(!t->wrong, "%s: %lu ok, %lu refused with a documented errno, %lu otherwise",
	      t->what, t->ok, t->refused, t->wrong);
}

int main(int argc, char **argv)
{
	pthread_t apps[APP_THREADS], manager;
	struct endpoint probe;
	struct genl listener;

	seed = stress_seed(argc, argv);
	signal(SIGPIPE, SIG_IGN);
	test_unprivileged_join();
	have_v6 = !listen_on(&probe, AF_INET6);
	if (have_v6)
		close(probe.lfd);

	CHECK(genl_open(&listener) == 0, "root listener on the handshake group");
	deadline = stress_now() + stress_seconds(20);
	pthread_create(&manager, NULL, daemon_manager, NULL);
	for (uintptr_t i = 0; i < APP_THREADS; i++)
		pthread_create(&apps[i], NULL, app_thread, (void *)i);
	for (int i = 0; i < APP_THREADS; i++)
		pthread_join(apps[i], NULL);
	/* The current daemon may be waiting in ACCEPT for requests that
	 * no longer come.
	 */
	while (daemon_pid && pthread_tryjoin_np(manager, NULL)) {
		kill(daemon_pid, SIGKILL);
		usleep(10000);
	}
	mnl_socket_close(listener.nl);

	CHECK(t_ask.ok + t_ask.refused > 0, "requests made: %lu (%s IPv6), %lu daemons",
	      t_ask.ok + t_ask.refused, have_v6 ? "with" : "without", daemons);
	report(&t_attach);
	report(&t_ask);
	report(&t_status);
	report(&t_write);
	CHECK(!bad_status, "every status read is consistent (%lu not)", bad_status);
	CHECK(!daemons_wrong, "fake daemons saw only documented errnos (%lu did not)",
	      daemons_wrong);
	return check_summary();
}
