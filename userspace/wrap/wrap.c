// SPDX-License-Identifier: MIT
/*
 * libktlso-wrap.so: ktlso for an unmodified, dynamically linked program,
 * loaded with LD_PRELOAD by `ktlso wrap` (Documentation/ktlso.1, WRAP).
 *
 *   connect()  of a TCP socket: the ULP and a client handshake request
 *   accept(), accept4() on a port of KTLSO_WRAP_PORTS: a server request
 *
 * Everything else goes straight to libc, but for TCP Fast Open's
 * MSG_FASTOPEN (data in the SYN, before TLS could start): EOPNOTSUPP. Peer name: KTLSO_WRAP_NAME, else
 * the numeric address connected to; profile: KTLSO_WRAP_PROFILE.
 *
 * Blocking sockets wait for the handshake inside connect()/accept(), whose
 * failure is the handshake's errno. A non-blocking connect() returns
 * EINPROGRESS as usual; the socket is then "pending" here until its TCP
 * connection is up, and the handshake is asked for (non-blocking, so the
 * kernel answers EINPROGRESS and holds reads and writes back) by the first
 * of getsockopt(SO_ERROR), a write or a read on it (through libc: io_uring
 * and raw system calls are not seen). Until then those calls return
 * EAGAIN without touching the socket, so no byte goes out in clear;
 * poll() reports POLLOUT once TLS is up. SO_ERROR reports a failed
 * handshake's errno. A socket whose request could not even be made is shut
 * down both ways, so it can never carry plaintext.
 *
 * The pending set is an array of flags indexed by descriptor, updated
 * atomically: any thread may use any socket. close() clears a flag.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <errno.h>
#include <linux/tls.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/ktlso.h>

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

#define EXPORT __attribute__((visibility("default")))
#define MAX_PENDING_FD 65536

static atomic_uchar pending[MAX_PENDING_FD];

/* libc's own functions, looked up once. */
#define REAL(name) real_##name
#define DECLARE_REAL(ret, name, ...) static ret (*REAL(name))(__VA_ARGS__)
DECLARE_REAL(int, connect, int, const struct sockaddr *, socklen_t);
DECLARE_REAL(int, accept, int, struct sockaddr *, socklen_t *);
DECLARE_REAL(int, accept4, int, struct sockaddr *, socklen_t *, int);
DECLARE_REAL(int, getsockopt, int, int, int, void *, socklen_t *);
DECLARE_REAL(int, close, int);
DECLARE_REAL(ssize_t, write, int, const void *, size_t);
DECLARE_REAL(ssize_t, writev, int, const struct iovec *, int);
DECLARE_REAL(ssize_t, send, int, const void *, size_t, int);
DECLARE_REAL(ssize_t, sendto, int, const void *, size_t, int,
	     const struct sockaddr *, socklen_t);
DECLARE_REAL(ssize_t, sendmsg, int, const struct msghdr *, int);
DECLARE_REAL(int, sendmmsg, int, struct mmsghdr *, unsigned int, int);
DECLARE_REAL(ssize_t, splice, int, loff_t *, int, loff_t *, size_t,
	     unsigned int);
DECLARE_REAL(ssize_t, sendfile, int, int, off_t *, size_t);
DECLARE_REAL(ssize_t, read, int, void *, size_t);
DECLARE_REAL(ssize_t, readv, int, const struct iovec *, int);
DECLARE_REAL(ssize_t, recv, int, void *, size_t, int);
DECLARE_REAL(ssize_t, recvfrom, int, void *, size_t, int, struct sockaddr *,
	     socklen_t *);
DECLARE_REAL(ssize_t, recvmsg, int, struct msghdr *, int);
/* What _FORTIFY_SOURCE builds call instead of read, recv, recvfrom. */
DECLARE_REAL(ssize_t, __read_chk, int, void *, size_t, size_t);
DECLARE_REAL(ssize_t, __recv_chk, int, void *, size_t, size_t, int);
DECLARE_REAL(ssize_t, __recvfrom_chk, int, void *, size_t, size_t, int,
	     struct sockaddr *, socklen_t *);

__attribute__((constructor)) static void wrap_init(void)
{
#define LOOKUP(name) REAL(name) = dlsym(RTLD_NEXT, #name)
	LOOKUP(connect);
	LOOKUP(accept);
	LOOKUP(accept4);
	LOOKUP(getsockopt);
	LOOKUP(close);
	LOOKUP(write);
	LOOKUP(writev);
	LOOKUP(send);
	LOOKUP(sendto);
	LOOKUP(sendmsg);
	LOOKUP(sendmmsg);
	LOOKUP(splice);
	LOOKUP(sendfile);
	LOOKUP(read);
	LOOKUP(readv);
	LOOKUP(recv);
	LOOKUP(recvfrom);
	LOOKUP(recvmsg);
	LOOKUP(__read_chk);
	LOOKUP(__recv_chk);
	LOOKUP(__recvfrom_chk);
#undef LOOKUP
}

/* A TCP socket over IPv4 or IPv6: the only kind that is ours. */
static bool is_tcp(int fd)
{
	int v;
	socklen_t len = sizeof(v);
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	if (REAL(getsockopt)(fd, SOL_SOCKET, SO_PROTOCOL, &v, &len) ||
	    v != IPPROTO_TCP)
		return false;
	if (getsockname(fd, (struct sockaddr *)&ss, &sl))
		return false;
	return ss.ss_family == AF_INET || ss.ss_family == AF_INET6;
}

/* KTLSO_WRAP_PORTS="443,8443": is port one of them? */
static bool port_listed(unsigned int port)
{
	const char *s = getenv("KTLSO_WRAP_PORTS");
	char *end;

	while (s && *s) {
		unsigned long p = strtoul(s, &end, 10);

		if (end == s)
			return false;
		if (p == port)
			return true;
		s = *end == ',' ? end + 1 : end;
		if (*end && *end != ',')
			return false;
	}
	return false;
}

static unsigned int local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return 0;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return 0;
}

/* The numeric address of the peer, what the certificate must name. */
static void peer_address(int fd, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	const void *a = NULL;

	buf[0] = '\0';
	if (getpeername(fd, (struct sockaddr *)&ss, &sl))
		return;
	if (ss.ss_family == AF_INET)
		a = &((struct sockaddr_in *)&ss)->sin_addr;
	else if (ss.ss_family == AF_INET6)
		a = &((struct sockaddr_in6 *)&ss)->sin6_addr;
	if (a && !inet_ntop(ss.ss_family, a, buf, len))
		buf[0] = '\0';
}

static void copy_env(char *dst, size_t size, const char *name)
{
	const char *v = getenv(name);

	if (v)
		snprintf(dst, size, "%s", v);
}

/*
 * Attach the ULP and ask for the handshake: 0, or -errno (-EINPROGRESS
 * on a non-blocking socket). A socket whose request was never made is
 * shut down: with no ULP it would otherwise carry plaintext.
 */
static int request(int fd, enum ktlso_role role)
{
	struct ktlso_handshake_req req = { .role = role };
	int err = 0;

	copy_env(req.profile, sizeof(req.profile), "KTLSO_WRAP_PROFILE");
	if (role == KTLSO_ROLE_CLIENT) {
		copy_env(req.peer_name, sizeof(req.peer_name), "KTLSO_WRAP_NAME");
		if (!req.peer_name[0])
			peer_address(fd, req.peer_name, sizeof(req.peer_name));
	}
	if (setsockopt(fd, SOL_TCP, TCP_ULP, KTLSO_ULP_NAME,
		       sizeof(KTLSO_ULP_NAME))) {
		err = -errno;
		shutdown(fd, SHUT_RDWR);
		return err;
	}
	if (setsockopt(fd, SOL_TLS, KTLSO_HANDSHAKE, &req, sizeof(req))) {
		err = -errno;
		/* EAGAIN: the kernel took nothing; the socket is still TCP. */
		if (err != -EINPROGRESS)
			shutdown(fd, SHUT_RDWR);
	}
	return err;
}

static bool is_pending(int fd)
{
	return fd >= 0 && fd < MAX_PENDING_FD && atomic_load(&pending[fd]);
}

/*
 * A pending socket's next step: -EAGAIN while TCP still connects (or the
 * handshake was just asked for), 0 once it is no longer ours to hold, or
 * the -errno of a failure (SO_ERROR's, or the request's).
 */
static int advance(int fd)
{
	int soerr = 0;
	socklen_t len = sizeof(soerr);
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int err;

	if (REAL(getsockopt)(fd, SOL_SOCKET, SO_ERROR, &soerr, &len))
		return -errno;
	if (soerr) {
		atomic_store(&pending[fd], 0);
		return -soerr;
	}
	if (getpeername(fd, (struct sockaddr *)&ss, &sl))
		return errno == ENOTCONN ? -EAGAIN : -errno;
	if (!atomic_exchange(&pending[fd], 0))
		return 0; /* another thread asked already */
	err = request(fd, KTLSO_ROLE_CLIENT);
	return err == -EINPROGRESS ? -EAGAIN : err;
}

/* The gate in front of every read and write of a pending socket. */
#define GATE(fd)                                                   \
	do {                                                       \
		if (is_pending(fd)) {                              \
			int gate_err = advance(fd);                \
			if (gate_err) {                            \
				errno = -gate_err;                 \
				return -1;                         \
			}                                          \
		}                                                  \
	} while (0)

EXPORT int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	int ret = REAL(connect)(fd, addr, len), err;

	if (!addr || (addr->sa_family != AF_INET && addr->sa_family != AF_INET6))
		return ret;
	if (ret && errno == EINPROGRESS && fd < MAX_PENDING_FD && is_tcp(fd)) {
		atomic_store(&pending[fd], 1);
		errno = EINPROGRESS;
		return -1;
	}
	if (ret || !is_tcp(fd))
		return ret;
	err = request(fd, KTLSO_ROLE_CLIENT);
	if (err == -EINPROGRESS)
		return 0; /* O_NONBLOCK set after a connect that completed */
	if (err) {
		errno = -err;
		return -1;
	}
	return 0;
}

static int accepted(int listener, int fd)
{
	int err;

	if (fd < 0 || !is_tcp(fd) || !port_listed(local_port(listener)))
		return fd;
	err = request(fd, KTLSO_ROLE_SERVER);
	if (!err || err == -EINPROGRESS)
		return fd;
	/* accept(2): a network error; servers retry on it. */
	REAL(close)(fd);
	errno = -err;
	return -1;
}

EXPORT int accept(int fd, struct sockaddr *addr, socklen_t *len)
{
	return accepted(fd, REAL(accept)(fd, addr, len));
}

EXPORT int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
	return accepted(fd, REAL(accept4)(fd, addr, len, flags));
}

/* SO_ERROR: a pending socket moves on; a failed handshake is its error. */
EXPORT int getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	struct ktlso_handshake_status st;
	socklen_t sl = sizeof(st);
	int err;

	if (level != SOL_SOCKET || name != SO_ERROR || !val || !len ||
	    *len < sizeof(int))
		return REAL(getsockopt)(fd, level, name, val, len);
	if (is_pending(fd)) {
		err = advance(fd);
		*(int *)val = err == -EAGAIN ? 0 : -err;
		*len = sizeof(int);
		return 0;
	}
	if (REAL(getsockopt)(fd, level, name, val, len))
		return -1;
	if (!*(int *)val &&
	    !REAL(getsockopt)(fd, SOL_TLS, KTLSO_HANDSHAKE, &st, &sl) &&
	    sl == sizeof(st) && st.state == KTLSO_HS_FAILED && st.error > 0)
		*(int *)val = st.error;
	return 0;
}

EXPORT int close(int fd)
{
	if (fd >= 0 && fd < MAX_PENDING_FD)
		atomic_store(&pending[fd], 0);
	return REAL(close)(fd);
}

EXPORT ssize_t write(int fd, const void *buf, size_t n)
{
	GATE(fd);
	return REAL(write)(fd, buf, n);
}

EXPORT ssize_t writev(int fd, const struct iovec *iov, int n)
{
	GATE(fd);
	return REAL(writev)(fd, iov, n);
}

EXPORT ssize_t send(int fd, const void *buf, size_t n, int flags)
{
	GATE(fd);
	return REAL(send)(fd, buf, n, flags);
}

/*
 * MSG_FASTOPEN connects and puts the data in the SYN, before any ULP
 * could be attached: plaintext. Refused on TCP sockets.
 */
#define NO_FASTOPEN(fd, flags)                                     \
	do {                                                       \
		if (((flags) & MSG_FASTOPEN) && is_tcp(fd)) {      \
			errno = EOPNOTSUPP;                        \
			return -1;                                 \
		}                                                  \
	} while (0)

EXPORT ssize_t sendto(int fd, const void *buf, size_t n, int flags,
		      const struct sockaddr *to, socklen_t tolen)
{
	NO_FASTOPEN(fd, flags);
	GATE(fd);
	return REAL(sendto)(fd, buf, n, flags, to, tolen);
}

EXPORT ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	NO_FASTOPEN(fd, flags);
	GATE(fd);
	return REAL(sendmsg)(fd, msg, flags);
}

EXPORT int sendmmsg(int fd, struct mmsghdr *v, unsigned int n, int flags)
{
	NO_FASTOPEN(fd, flags);
	GATE(fd);
	return REAL(sendmmsg)(fd, v, n, flags);
}

EXPORT ssize_t splice(int in, loff_t *off_in, int out, loff_t *off_out,
		      size_t n, unsigned int flags)
{
	GATE(in);
	GATE(out);
	return REAL(splice)(in, off_in, out, off_out, n, flags);
}

EXPORT ssize_t sendfile(int out, int in, off_t *off, size_t n)
{
	GATE(out);
	return REAL(sendfile)(out, in, off, n);
}

EXPORT ssize_t read(int fd, void *buf, size_t n)
{
	GATE(fd);
	return REAL(read)(fd, buf, n);
}

EXPORT ssize_t readv(int fd, const struct iovec *iov, int n)
{
	GATE(fd);
	return REAL(readv)(fd, iov, n);
}

EXPORT ssize_t recv(int fd, void *buf, size_t n, int flags)
{
	GATE(fd);
	return REAL(recv)(fd, buf, n, flags);
}

EXPORT ssize_t recvfrom(int fd, void *buf, size_t n, int flags,
			struct sockaddr *from, socklen_t *fromlen)
{
	GATE(fd);
	return REAL(recvfrom)(fd, buf, n, flags, from, fromlen);
}

EXPORT ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	GATE(fd);
	return REAL(recvmsg)(fd, msg, flags);
}

EXPORT ssize_t sendfile64(int out, int in, off_t *off, size_t n)
{
	GATE(out);
	return REAL(sendfile)(out, in, off, n);
}

EXPORT ssize_t __read_chk(int fd, void *buf, size_t n, size_t size)
{
	GATE(fd);
	return REAL(__read_chk)(fd, buf, n, size);
}

EXPORT ssize_t __recv_chk(int fd, void *buf, size_t n, size_t size, int flags)
{
	GATE(fd);
	return REAL(__recv_chk)(fd, buf, n, size, flags);
}

EXPORT ssize_t __recvfrom_chk(int fd, void *buf, size_t n, size_t size,
			      int flags, struct sockaddr *from,
			      socklen_t *fromlen)
{
	GATE(fd);
	return REAL(__recvfrom_chk)(fd, buf, n, size, flags, from, fromlen);
}
