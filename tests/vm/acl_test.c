// SPDX-License-Identifier: MIT
/*
 * Who asked, as ACCEPT reports it (kernel/upcall.c), read by a fake daemon
 * (root, this process) for requests made by children with other
 * credentials:
 *
 *   child: setgroups, setgid, setuid ─► socket ─► KTLSO_HANDSHAKE
 *   parent (fake daemon): ACCEPT {uid, gid, groups, netns cookie, cgroup}
 *                         DONE EACCES ─► the child sees EACCES, then
 *                         ECONNABORTED from send
 *
 * Also: a socket made by nobody and handed to root asks as nobody (the
 * file's credentials, not the caller's); more groups than KTLSO_GROUPS_MAX
 * are cut to the first ones; the cgroup is the socket's, where it was made
 * (none at all on a kernel that does not keep sockets' cgroups).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/ktlso.h>
#include <netinet/tcp.h>

#include "../lib/check.h"
#include "../lib/fake_daemon.h"
#include "../lib/tls_sock.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

#define CGROOT "/sys/fs/cgroup"
#define CGTEST CGROOT "/ktlso-acl-test"

static struct genl g;

/*
 * Does the running kernel keep each socket's cgroup (CONFIG_SOCK_CGROUP_DATA,
 * which Debian's stock kernels have and the debug build has not)? Without
 * it ACCEPT carries no cgroup. From the kernel's .config: 1, 0, or -1 when
 * none can be found.
 */
static int socket_cgroups_tracked(void)
{
	static const char *const where[] = {
		"/lib/modules/%s/build/.config",
		"/usr/src/linux-headers-%s/.config",
	};
	struct utsname u;
	char path[512], line[256];

	if (uname(&u))
		return -1;
	for (size_t i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
		FILE *f;
		int found = 0;

		snprintf(path, sizeof(path), where[i], u.release);
		f = fopen(path, "re");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			if (!strcmp(line, "CONFIG_SOCK_CGROUP_DATA=y\n"))
				found = 1;
		fclose(f);
		return found;
	}
	return -1;
}

static int tracked;

static struct ktlso_handshake_req request(void)
{
	struct ktlso_handshake_req req = { .role = KTLSO_ROLE_CLIENT,
					   .timeout_ms = 10000 };

	snprintf(req.profile, sizeof(req.profile), "acl");
	return req;
}

/* A connected pair, a with the ULP; exits on failure (setup). */
static void pair(int *a, int *b)
{
	loopback_pair(a, b);
	if (setsockopt(*a, SOL_TCP, TCP_ULP, KTLSO_ULP_NAME,
		       sizeof(KTLSO_ULP_NAME))) {
		perror("TCP_ULP");
		exit(2);
	}
}

static void become(uid_t uid, gid_t gid, const gid_t *groups, size_t n)
{
	if (setgroups(n, groups) || setgid(gid) || setuid(uid)) {
		perror("dropping to the test user");
		_exit(2);
	}
}

/*
 * In a child with these credentials: a handshake request, blocking. Exit
 * 0 when it failed with EACCES and the socket then refuses data with
 * ECONNABORTED; 1 otherwise.
 */
static pid_t ask_as(uid_t uid, gid_t gid, const gid_t *groups, size_t n)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct ktlso_handshake_req req = request();
		int a, b, r, e;

		become(uid, gid, groups, n);
		pair(&a, &b);
		r = setsockopt(a, SOL_TLS, KTLSO_HANDSHAKE, &req, sizeof(req));
		e = errno;
		if (r != -1 || e != EACCES) {
			fprintf(stderr, "child: handshake %d (%s)\n", r,
				strerror(e));
			_exit(1);
		}
		r = send(a, "x", 1, MSG_NOSIGNAL);
		_exit(r == -1 && errno == ECONNABORTED ? 0 : 1);
	}
	return pid;
}

static int child_status(pid_t pid)
{
	int status;

	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static uint64_t our_netns_cookie(void)
{
	uint64_t cookie = 0;
	socklen_t len = sizeof(cookie);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len))
		cookie = 0;
	close(fd);
	return cookie;
}

/* Our cgroup v2 path, from /proc/self/cgroup's "0::PATH" line. */
static void our_cgroup(char *out, size_t size)
{
	char line[1200];
	FILE *f = fopen("/proc/self/cgroup", "re");

	snprintf(out, size, "?");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "0::", 3)) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(out, size, "%.1000s", line + 3);
		}
	if (f)
		fclose(f);
}

/* ACCEPT the request waiting, answer EACCES, close our copy. */
static bool accept_and_refuse(struct accepted *acc)
{
	int fd = genl_accept(&g, acc);

	if (fd < 0)
		return false;
	(void)genl_done(&g, fd, EACCES, -1);
	close(fd);
	return true;
}

static void test_setuid_child(void)
{
	static const gid_t groups[] = { 4242, 7 };
	struct accepted acc = { 0 };
	char cg[1024];
	pid_t pid = ask_as(4001, 4000, groups, 2);

	CHECK(accept_and_refuse(&acc), "the child's request is accepted");
	CHECK(acc.has_uid && acc.uid == 4001 && acc.gid == 4000,
	      "uid 4001 and gid 4000 arrive as set (%u, %u)", acc.uid,
	      acc.gid);
	CHECK(acc.n_groups == 2 && acc.groups[0] == 7 && acc.groups[1] == 4242,
	      "both supplementary groups, ascending (%u: %u %u)",
	      acc.n_groups, acc.groups[0], acc.groups[1]);
	CHECK(acc.netns_cookie && acc.netns_cookie == our_netns_cookie(),
	      "the netns cookie is SO_NETNS_COOKIE's (%llu)",
	      (unsigned long long)acc.netns_cookie);
	our_cgroup(cg, sizeof(cg));
	if (tracked)
		CHECK(!strcmp(acc.cgroup, cg),
		      "the cgroup is the socket's: \"%s\" (/proc/self/cgroup: "
		      "\"%s\")", acc.cgroup, cg);
	else
		CHECK(!acc.cgroup[0], "no socket cgroups in this kernel: no "
		      "cgroup attribute (\"%s\")", acc.cgroup);
	CHECK(child_status(pid) == 0,
	      "the child sees EACCES, then ECONNABORTED from send");
}

static void test_many_groups(void)
{
	enum { N = KTLSO_GROUPS_MAX + 44 };
	static gid_t groups[N];
	struct accepted acc = { 0 };
	bool ascending = true;
	pid_t pid;

	/* Given out of order: the kernel sorts them. */
	for (int i = 0; i < N; i++)
		groups[i] = 20000 + N - i;
	pid = ask_as(4001, 4000, groups, N);
	CHECK(accept_and_refuse(&acc), "request with %d groups accepted", N);
	for (int i = 0; i < 64; i++)
		ascending &= acc.groups[i] == (uint32_t)(20001 + i);
	CHECK(acc.n_groups == KTLSO_GROUPS_MAX && ascending,
	      "%d groups: the first %d in ascending order arrive (%u)", N,
	      KTLSO_GROUPS_MAX, acc.n_groups);
	CHECK(child_status(pid) == 0, "and the child sees EACCES");
}

/* One fd over a unix socket. */
static int send_fd(int via, int fd)
{
	char c = 'f', cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = cbuf,
			    .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *h = CMSG_FIRSTHDR(&m);

	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(h), &fd, sizeof(int));
	return sendmsg(via, &m, 0) == 1 ? 0 : -1;
}

static int recv_fd(int via)
{
	char c, cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = cbuf,
			    .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *h;
	int fd = -1;

	if (recvmsg(via, &m, 0) != 1)
		return -1;
	h = CMSG_FIRSTHDR(&m);
	if (h && h->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(h), sizeof(int));
	return fd;
}

/* A setuid program handed someone's socket asks with that someone's rights. */
static void test_handed_socket(void)
{
	struct ktlso_handshake_req req = request();
	struct accepted acc = { 0 };
	int sv[2], a, r, e;
	bool ok;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		exit(2);
	pid = fork();
	if (pid == 0) {
		int ca, cb;
		char c;

		become(65534, 65534, NULL, 0);
		pair(&ca, &cb);
		/* Keep the peer open until the parent is done. */
		_exit(send_fd(sv[1], ca) || read(sv[1], &c, 1) < 0 ? 1 : 0);
	}
	a = recv_fd(sv[0]);
	CHECK(a >= 0, "root holds a socket nobody made");
	if (a < 0)
		goto out;
	fcntl(a, F_SETFL, O_NONBLOCK);
	r = setsockopt(a, SOL_TLS, KTLSO_HANDSHAKE, &req, sizeof(req));
	e = errno;
	CHECK(r == -1 && e == EINPROGRESS, "root asks, non-blocking");
	ok = accept_and_refuse(&acc);
	CHECK(ok && acc.has_uid && acc.uid == 65534 && acc.gid == 65534 &&
		      acc.n_groups == 0,
	      "ACCEPT says nobody asked (uid %u gid %u, %u groups), not root",
	      acc.uid, acc.gid, acc.n_groups);
	close(a);
out:
	(void)!write(sv[0], "x", 1);
	close(sv[0]);
	close(sv[1]);
	child_status(pid);
}

/*
 * cgroup v2 at CGROOT (the VM's init mounts none). Until it is mounted
 * once, /proc/self/cgroup has no "0::" line to compare with.
 */
static int mount_cgroup2(void)
{
	if (!access(CGROOT "/cgroup.procs", F_OK))
		return 0;
	return mount("cgroup2", CGROOT, "cgroup2", 0, NULL);
}

/* Make a cgroup v2 and move into it: 0, or -1. */
static int enter_cgroup(const char *dir)
{
	char procs[256];
	FILE *f;

	if (mkdir(dir, 0755) && errno != EEXIST)
		return -1;
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
	f = fopen(procs, "we");
	if (!f)
		return -1;
	fprintf(f, "%d\n", (int)getpid());
	return fclose(f) ? -1 : 0;
}

/* The socket's cgroup, where it was made, even once its maker has moved. */
static void test_socket_cgroup(void)
{
	struct ktlso_handshake_req req = request();
	struct accepted acc = { 0 };
	int a, b, r;

	if (enter_cgroup(CGTEST)) {
		CHECK(0, "into " CGTEST ": %s", strerror(errno));
		return;
	}
	pair(&a, &b);
	/* Back to the root cgroup: the socket stays in the test one. */
	if (enter_cgroup(CGROOT))
		CHECK(0, "back to the root cgroup: %s", strerror(errno));
	fcntl(a, F_SETFL, O_NONBLOCK);
	r = setsockopt(a, SOL_TLS, KTLSO_HANDSHAKE, &req, sizeof(req));
	CHECK(r == -1 && errno == EINPROGRESS, "asked from the root cgroup");
	r = accept_and_refuse(&acc);
	CHECK(r && !strcmp(acc.cgroup, tracked ? "/ktlso-acl-test" : ""),
	      "the cgroup the socket was made in: \"%s\"%s", acc.cgroup,
	      tracked ? "" : " (none: no socket cgroups in this kernel)");
	close(a);
	close(b);
	rmdir(CGTEST);
}

int main(void)
{
	if (genl_open(&g)) {
		CHECK(0, "the ktlso family, the handshake group: is ktlso.ko loaded?");
		return check_summary();
	}
	if (mount_cgroup2())
		CHECK(0, "cgroup2 at " CGROOT ": %s", strerror(errno));
	tracked = socket_cgroups_tracked();
	CHECK(tracked >= 0, "the kernel's .config says whether sockets keep "
	      "their cgroup (%s)", tracked > 0 ? "yes" : tracked ? "?" : "no");
	test_setuid_child();
	test_many_groups();
	test_handed_socket();
	test_socket_cgroup();
	return check_summary();
}
