// SPDX-License-Identifier: MIT
/*
 * The kernel half of the setsockopt handshake, without ktlsod: a fake
 * daemon in a child process speaks the "ktlso" generic netlink family and
 * installs fixed keys, so every errno the application can see is checked
 * against the kernel alone.
 *
 *   parent (application)                 child (fake daemon)
 *   A ──TCP loopback── B                 genl "ktlso", group "handshake"
 *   A: ULP ktlso, KTLSO_HANDSHAKE ─READY─► ACCEPT → fd for A
 *                                         TLS_TX/TLS_RX on it, DONE
 *   B: ULP ktlso, mirrored keys by hand; data A ⇄ B proves the keys
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <linux/tls.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/ktlso.h>
#include <netinet/tcp.h>

#include "../lib/check.h"
#include "../lib/fake_daemon.h"
#include "../lib/tls_keys.h"
#include "../lib/tls_sock.h"

enum scenario {
	COMPLETE,	/* keys, DONE(0) */
	HOLD,		/* accept, wait for the parent, then COMPLETE */
	REJECT,		/* DONE(EKEYREJECTED, bad_certificate) */
	DIE,		/* accept and exit: the netlink socket closes */
	NO_KEYS,	/* DONE(0) without installing keys */
	IGNORE,		/* listen, never accept */
	IMPOSTOR,	/* a child in another netns, same portid, DONEs first */
	ODD_ERRNO,	/* DONE(512), the kernel's ERESTARTSYS */
};

static const uint8_t key_ab[16] = "key from A to B", key_ba[16] = "key from B to A";

struct daemon {
	pid_t pid;
	int from;	/* child → parent: ready byte, then struct accepted */
	int to;		/* parent → child: go (HOLD) */
};

/*
 * DONE(EKEYREJECTED) for fd from a child in a new network namespace whose
 * netlink port has the daemon's number. Return: 0 when it was refused.
 */
static int impostor_done(struct genl *g, int fd)
{
	uint32_t portid = mnl_socket_get_portid(g->nl);
	struct genl other;
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (unshare(CLONE_NEWNET) || genl_open_bound(&other, portid) ||
		    mnl_socket_get_portid(other.nl) != portid)
			_exit(2);
		_exit(genl_done(&other, fd, EKEYREJECTED, 42) == -EINVAL ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void run_daemon(enum scenario sc, int to_parent, int from_parent)
{
	struct accepted acc = { 0 };
	struct genl g;
	char go;
	int fd;

	if (genl_open(&g) || write(to_parent, "r", 1) != 1)
		_exit(2);
	if (sc == IGNORE)
		for (;;)
			pause();
	fd = genl_accept(&g, &acc);
	if (write(to_parent, &acc, sizeof(acc)) != sizeof(acc) || fd < 0)
		_exit(3);
	if (sc == DIE)
		_exit(0);
	if (sc == HOLD && read(from_parent, &go, 1) != 1)
		_exit(4);
	if (sc == REJECT)
		_exit(genl_done(&g, fd, EKEYREJECTED, 42) ? 5 : 0);
	if (sc == IMPOSTOR && impostor_done(&g, fd))
		_exit(8);
	if (sc == ODD_ERRNO)
		_exit(genl_done(&g, fd, 512, -1) ? 5 : 0);
	if (sc != NO_KEYS && tls_keys_install(fd, key_ab, key_ba))
		_exit(6);
	_exit(genl_done(&g, fd, 0, -1) ? 7 : 0);
}

static struct daemon start_daemon(enum scenario sc)
{
	int up[2], down[2];
	struct daemon d;
	char ready;

	if (pipe(up) || pipe(down))
		exit(2);
	d.pid = fork();
	if (d.pid == 0) {
		close(up[0]);
		close(down[1]);
		run_daemon(sc, up[1], down[0]);
	}
	close(up[1]);
	close(down[0]);
	d.from = up[0];
	d.to = down[1];
	if (read(d.from, &ready, 1) != 1) {
		printf("fake daemon did not start\n");
		exit(2);
	}
	return d;
}

/* The child's exit status; one that never ends by itself (IGNORE) is killed. */
static int stop_daemon(struct daemon *d, struct accepted *acc, bool kill_it)
{
	int status;

	if (acc && read(d->from, acc, sizeof(*acc)) != sizeof(*acc))
		memset(acc, 0, sizeof(*acc));
	if (kill_it)
		kill(d->pid, SIGKILL);
	waitpid(d->pid, &status, 0);
	close(d->from);
	close(d->to);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static struct ktlso_handshake_req request(uint32_t timeout_ms)
{
	struct ktlso_handshake_req req = { .role = KTLSO_ROLE_CLIENT, .timeout_ms = timeout_ms };

	snprintf(req.peer_name, sizeof(req.peer_name), "localhost");
	snprintf(req.alpn, sizeof(req.alpn), "h2,http/1.1");
	snprintf(req.profile, sizeof(req.profile), "test");
	return req;
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

static int ask(int fd, uint32_t timeout_ms)
{
	struct ktlso_handshake_req req = request(timeout_ms);

	return setsockopt(fd, SOL_TLS, KTLSO_HANDSHAKE, &req, sizeof(req));
}

static struct ktlso_handshake_status status_of(int fd)
{
	struct ktlso_handshake_status st;
	socklen_t len = sizeof(st);

	memset(&st, 0xff, sizeof(st));
	if (getsockopt(fd, SOL_TLS, KTLSO_HANDSHAKE, &st, &len))
		st.state = 0xdead;
	return st;
}

static void test_no_daemon(void)
{
	int a, b;

	pair(&a, &b);
	CHECK_ERRNO(ask(a, 1000), ECONNREFUSED, "no daemon listening: ECONNREFUSED at once");
	CHECK(status_of(a).state == KTLSO_HS_NONE, "status stays NONE");
	close(a);
	close(b);
}

/* Listening for requests makes them wait for a daemon: root's privilege. */
static void test_unprivileged_listener(void)
{
	int up[2], a, b, err;
	char got = '?';
	struct genl g;
	pid_t pid;

	if (pipe(up))
		exit(2);
	pid = fork();
	if (pid == 0) {
		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534) ||
		    genl_open_bound(&g, 0))
			_exit(2);
		err = genl_join(&g);
		got = err == -EPERM || err == -EACCES ? 'p' : err ? 'e' : 'j';
		if (write(up[1], &got, 1) != 1)
			_exit(3);
		for (;;)
			pause();
	}
	if (read(up[0], &got, 1) != 1)
		got = '?';
	CHECK(got == 'p', "nobody joining the handshake group: EPERM (%s)",
	      got == 'j' ? "joined" : got == 'e' ? "another error" : "no answer");
	pair(&a, &b);
	CHECK_ERRNO(ask(a, 200), ECONNREFUSED,
		    "only an unprivileged process tried to listen: ECONNREFUSED");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(up[0]);
	close(up[1]);
	close(a);
	close(b);
}

static void test_bad_requests(void)
{
	struct ktlso_handshake_req req = request(1000);
	int a, b, plain, plain_b;

	pair(&a, &b);
	CHECK_ERRNO(setsockopt(a, SOL_TLS, KTLSO_HANDSHAKE, &req, sizeof(req) - 1), EINVAL,
		    "short request: EINVAL");
	req.role = 0;
	CHECK_ERRNO(setsockopt(a, SOL_TLS, KTLSO_HANDSHAKE, &req, sizeof(req)), EINVAL,
		    "no role: EINVAL");
	req = request(1000);
	memset(req.profile, 'x', sizeof(req.profile));
	CHECK_ERRNO(setsockopt(a, SOL_TLS, KTLSO_HANDSHAKE, &req, sizeof(req)), EINVAL,
		    "unterminated profile: EINVAL");
	req = request(3600 * 1000);
	CHECK_ERRNO(setsockopt(a, SOL_TLS, KTLSO_HANDSHAKE, &req, sizeof(req)), EINVAL,
		    "an hour's timeout: EINVAL");
	CHECK(!tls_keys_install(a, key_ab, key_ba), "keys installed by the application");
	CHECK_ERRNO(ask(a, 1000), EBUSY, "handshake after keys: EBUSY");
	close(a);
	close(b);

	loopback_pair(&plain, &plain_b);
	CHECK_ERRNO(ask(plain, 1000), ENOPROTOOPT, "without the ULP: ENOPROTOOPT");
	close(plain);
	close(plain_b);
}

static void exchange(int a, int b, const char *what)
{
	char buf[64] = { 0 };

	CHECK(write(a, "ping", 4) == 4 && read(b, buf, sizeof(buf)) == 4 &&
		      !memcmp(buf, "ping", 4) &&
		      write(b, "pong", 4) == 4 && read(a, buf, sizeof(buf)) == 4 &&
		      !memcmp(buf, "pong", 4),
	      "%s: data both ways under the daemon's keys", what);
}

static void test_complete(void)
{
	struct daemon d = start_daemon(COMPLETE);
	struct tls12_crypto_info_aes_gcm_128 ci;
	struct ktlso_handshake_status st;
	socklen_t len = sizeof(ci);
	struct accepted acc;
	int a, b;

	pair(&a, &b);
	CHECK(ask(a, 5000) == 0, "blocking request: 0 once the daemon is done");
	CHECK(stop_daemon(&d, &acc, false) == 0, "fake daemon: ACCEPT, keys and DONE succeeded");
	CHECK(acc.role == KTLSO_ROLE_CLIENT && !strcmp(acc.peer_name, "localhost") &&
		      !strcmp(acc.alpn, "h2,http/1.1") && !strcmp(acc.profile, "test") &&
		      acc.timeout_ms > 0 && acc.timeout_ms <= 5000,
	      "ACCEPT carries role, peer name, ALPN, profile and the time left (%u ms)",
	      acc.timeout_ms);
	st = status_of(a);
	CHECK(st.state == KTLSO_HS_DONE && st.error == 0 && st.version == 0x0304 &&
		      st.cipher_suite == 0x1301 && st.cipher_type == TLS_CIPHER_AES_GCM_128 &&
		      st.peer_verified == 1 &&
		      !strcmp(st.alpn, "h2") && !strcmp(st.peer_subject, "CN=fake peer"),
	      "getsockopt(KTLSO_HANDSHAKE): DONE with the daemon's details");
	CHECK(getsockopt(a, SOL_TLS, TLS_TX, &ci, &len) == 0 && len == sizeof(ci) &&
		      ci.info.cipher_type == TLS_CIPHER_AES_GCM_128 &&
		      !memcmp(ci.key, (uint8_t[16]){ 0 }, 16) &&
		      !memcmp(ci.iv, (uint8_t[8]){ 0 }, 8) && !memcmp(ci.salt, "\0\0\0\0", 4),
	      "getsockopt(TLS_TX) hides key, IV and salt from the application");
	CHECK(setsockopt(b, SOL_TCP, TCP_ULP, KTLSO_ULP_NAME, sizeof(KTLSO_ULP_NAME)) == 0 &&
		      tls_keys_install(b, key_ba, key_ab) == 0,
	      "peer keyed by hand");
	exchange(a, b, "after DONE");
	CHECK_ERRNO(ask(a, 1000), EALREADY, "a second request: EALREADY");
	close(a);
	close(b);
}

static void test_nonblocking(void)
{
	struct daemon d = start_daemon(HOLD);
	int file = open("/proc/self/exe", O_RDONLY);
	struct pollfd pfd;
	struct accepted acc;
	char c;
	int a, b;

	pair(&a, &b);
	fcntl(a, F_SETFL, O_NONBLOCK);
	CHECK_ERRNO(ask(a, 5000), EINPROGRESS, "non-blocking request: EINPROGRESS");
	CHECK(read(d.from, &acc, sizeof(acc)) == sizeof(acc) && acc.ok,
	      "daemon accepted the request");
	CHECK(status_of(a).state == KTLSO_HS_IN_PROGRESS, "status IN_PROGRESS");
	pfd = (struct pollfd){ .fd = a, .events = POLLIN | POLLOUT };
	CHECK(poll(&pfd, 1, 200) == 0, "no poll event while the daemon works");
	CHECK_ERRNO(read(a, &c, 1), EAGAIN, "application read while in progress: EAGAIN");
	CHECK_ERRNO(write(a, "x", 1), EAGAIN, "application write while in progress: EAGAIN");
	CHECK_ERRNO(sendfile(a, file, NULL, 1), EAGAIN,
		    "application sendfile while in progress: EAGAIN (no page in clear)");
	CHECK_ERRNO(tls_keys_install(a, key_ab, key_ba), EBUSY,
		    "application TLS_TX while in progress: EBUSY");
	CHECK(write(d.to, "g", 1) == 1, "daemon told to finish");
	pfd.revents = 0;
	CHECK(poll(&pfd, 1, 5000) == 1 && (pfd.revents & POLLOUT) && !(pfd.revents & POLLERR),
	      "POLLOUT when the handshake is done");
	CHECK(status_of(a).state == KTLSO_HS_DONE, "status DONE");
	CHECK(stop_daemon(&d, NULL, false) == 0, "fake daemon finished cleanly");
	fcntl(a, F_SETFL, 0);
	CHECK(setsockopt(b, SOL_TCP, TCP_ULP, KTLSO_ULP_NAME, sizeof(KTLSO_ULP_NAME)) == 0 &&
		      tls_keys_install(b, key_ba, key_ab) == 0,
	      "peer keyed by hand");
	exchange(a, b, "non-blocking");
	close(file);
	close(a);
	close(b);
}

/* The request fails as scenario says; the socket is unusable after. */
static void test_failure(enum scenario sc, uint32_t timeout_ms, int want, const char *what)
{
	struct daemon d = start_daemon(sc);
	struct ktlso_handshake_status st;
	struct pollfd pfd;
	int a, b;

	pair(&a, &b);
	CHECK_ERRNO(ask(a, timeout_ms), want, "%s: %s", what, strerror(want));
	st = status_of(a);
	CHECK(st.state == KTLSO_HS_FAILED && st.error == want, "%s: status FAILED, error %d",
	      what, st.error);
	CHECK_ERRNO(write(a, "x", 1), ECONNABORTED, "%s: write afterwards: ECONNABORTED", what);
	pfd = (struct pollfd){ .fd = a, .events = POLLIN | POLLOUT };
	CHECK(poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLERR), "%s: poll says POLLERR", what);
	if (sc == REJECT)
		CHECK(st.alert == 42, "%s: the alert is reported (%d)", what, st.alert);
	stop_daemon(&d, NULL, sc == IGNORE);
	close(a);
	close(b);
}

/*
 * A daemon whose ACCEPT answer cannot be delivered: its receive queue is
 * full of answers it never read. Reports how many of its fds are the
 * application's socket, and lives on until the parent says so.
 */
static void run_deaf_daemon(int a, int b, int to_parent, int from_parent)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], go;
	struct nlmsghdr *nlh;
	struct stat app, st;
	int tiny = 1, leaked = 0;
	struct genl g;

	if (fstat(a, &app))
		_exit(2);
	close(a);
	close(b);
	if (genl_open(&g) || write(to_parent, "r", 1) != 1 || read(from_parent, &go, 1) != 1 ||
	    setsockopt(mnl_socket_get_fd(g.nl), SOL_SOCKET, SO_RCVBUF, &tiny, sizeof(tiny)))
		_exit(3);
	for (int i = 0; i < 64; i++) {
		nlh = genl_msg(buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, ++g.seq);
		mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, KTLSO_GENL_NAME);
		if (mnl_socket_sendto(g.nl, nlh, nlh->nlmsg_len) < 0)
			_exit(4);
	}
	/* Served before sendto returns: the reply is lost or queued by now. */
	nlh = genl_msg(buf, g.family, KTLSO_CMD_ACCEPT, ++g.seq);
	if (mnl_socket_sendto(g.nl, nlh, nlh->nlmsg_len) < 0)
		_exit(5);
	for (int fd = 0; fd < 1024; fd++)
		if (!fstat(fd, &st) && S_ISSOCK(st.st_mode) && st.st_ino == app.st_ino &&
		    st.st_dev == app.st_dev)
			leaked++;
	/* Stays until the parent has looked: exiting fails what it accepted. */
	if (write(to_parent, &leaked, sizeof(leaked)) != sizeof(leaked) ||
	    read(from_parent, &go, 1) != 1)
		_exit(6);
	_exit(0);
}

static void test_accept_reply_lost(void)
{
	int up[2], down[2], a, b, leaked = -1;
	struct ktlso_handshake_status st;
	struct pollfd pfd;
	pid_t pid;
	char c;

	pair(&a, &b);
	if (pipe(up) || pipe(down))
		exit(2);
	pid = fork();
	if (pid == 0)
		run_deaf_daemon(a, b, up[1], down[0]);
	if (read(up[0], &c, 1) != 1)
		exit(2);
	fcntl(a, F_SETFL, O_NONBLOCK);
	CHECK_ERRNO(ask(a, 5000), EINPROGRESS, "deaf daemon: request queued");
	if (write(down[1], "g", 1) != 1 ||
	    read(up[0], &leaked, sizeof(leaked)) != sizeof(leaked))
		leaked = -1;
	CHECK(leaked == 0, "deaf daemon: an ACCEPT answer it cannot receive leaves it no fd "
	      "(%d fds for the socket)", leaked);
	pfd = (struct pollfd){ .fd = a, .events = POLLOUT };
	poll(&pfd, 1, 2000);
	st = status_of(a);
	CHECK(st.state == KTLSO_HS_FAILED && st.error == ECONNABORTED,
	      "deaf daemon: the request fails at once, ECONNABORTED (state %u, error %d)",
	      st.state, st.error);
	if (write(down[1], "x", 1) != 1)
		kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(up[0]);
	close(up[1]);
	close(down[0]);
	close(down[1]);
	close(a);
	close(b);
}

/* Netlink ports are per namespace: DONE must come from the daemon's. */
static void test_impostor(void)
{
	struct daemon d = start_daemon(IMPOSTOR);
	int a, b;

	pair(&a, &b);
	CHECK(ask(a, 5000) == 0,
	      "DONE from another namespace with the daemon's port: ignored, the daemon's counts");
	CHECK(stop_daemon(&d, NULL, false) == 0, "the other namespace's DONE: EINVAL");
	close(a);
	close(b);
}

#define MAX_PENDING "/sys/module/ktlso/parameters/max_pending"

/* Read or write a small sysfs number: 0, or -1. */
static int sysfs_number(const char *path, unsigned int *get, unsigned int set)
{
	FILE *f = fopen(path, get ? "r" : "w");
	int ok;

	if (!f)
		return -1;
	ok = get ? fscanf(f, "%u", get) == 1 : fprintf(f, "%u\n", set) > 0;
	return fclose(f) || !ok ? -1 : 0;
}

/* Requests waiting for a daemon hold sockets: a bound per namespace. */
static void test_quota(void)
{
	struct daemon d = start_daemon(IGNORE);
	int a[3], b[3], extra, extra_b;
	unsigned int saved = 0;

	int got = sysfs_number(MAX_PENDING, &saved, 0);
	struct pollfd pfd;

	CHECK(got == 0 && saved == 1024, "quota: max_pending defaults to 1024 (%u)", saved);
	CHECK(sysfs_number(MAX_PENDING, NULL, 2) == 0, "quota: max_pending set to 2");
	for (int i = 0; i < 3; i++) {
		pair(&a[i], &b[i]);
		fcntl(a[i], F_SETFL, O_NONBLOCK);
	}
	CHECK_ERRNO(ask(a[0], 300), EINPROGRESS, "quota: first request queued (300 ms)");
	CHECK_ERRNO(ask(a[1], 5000), EINPROGRESS, "quota: second request queued");
	CHECK_ERRNO(ask(a[2], 5000), EAGAIN, "quota: third request: EAGAIN");
	CHECK(status_of(a[2]).state == KTLSO_HS_NONE, "quota: the refused socket has no request");
	pfd = (struct pollfd){ .fd = a[0], .events = POLLOUT };
	CHECK(poll(&pfd, 1, 3000) == 1 && status_of(a[0]).error == ETIMEDOUT,
	      "quota: the first request times out");
	CHECK_ERRNO(ask(a[2], 5000), EINPROGRESS, "quota: which makes room");
	pair(&extra, &extra_b);
	fcntl(extra, F_SETFL, O_NONBLOCK);
	CHECK_ERRNO(ask(extra, 5000), EAGAIN, "quota: full again: EAGAIN");
	if (saved)
		sysfs_number(MAX_PENDING, NULL, saved);
	stop_daemon(&d, NULL, true);
	for (int i = 0; i < 3; i++) {
		close(a[i]);
		close(b[i]);
	}
	close(extra);
	close(extra_b);
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void test_signal(void)
{
	struct sigaction sa = { .sa_handler = on_alarm }; /* no SA_RESTART */
	struct daemon d = start_daemon(IGNORE);
	int a, b;

	sigaction(SIGALRM, &sa, NULL);
	pair(&a, &b);
	alarm(1);
	CHECK_ERRNO(ask(a, 30000), EINTR, "signal during the wait: EINTR");
	CHECK(status_of(a).state == KTLSO_HS_FAILED, "interrupted request is FAILED");
	CHECK_ERRNO(write(a, "x", 1), ECONNABORTED, "interrupted socket stays unusable");
	stop_daemon(&d, NULL, true);
	close(a);
	close(b);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	test_no_daemon();
	test_unprivileged_listener();
	test_bad_requests();
	test_complete();
	test_nonblocking();
	test_failure(REJECT, 5000, EKEYREJECTED, "daemon rejects the peer");
	test_failure(IGNORE, 500, ETIMEDOUT, "nobody accepts");
	test_failure(DIE, 5000, ECONNABORTED, "daemon dies after ACCEPT");
	test_failure(NO_KEYS, 5000, EPROTO, "DONE(0) without keys");
	test_failure(ODD_ERRNO, 5000, EPROTO, "DONE(512, kernel-internal)");
	test_signal();
	test_impostor();
	test_accept_reply_lost();
	test_quota();
	return check_summary();
}
