// SPDX-License-Identifier: MIT
/*
 * ktlso serve PORT --dir DIR: a small HTTPS/1.1 static file server. Each
 * connection gets its own process (fork), which asks ktlsod for the server
 * handshake, reads one request and answers it with sendfile() through the
 * kernel's records, then closes (Connection: close).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "http.h"

#define MAX_CHILDREN 512	/* connections served at once */
#define LOG_LINE_MAX 200	/* of the request line, in the log */

struct server {
	int dirfd;
	unsigned int io_timeout_ms;
	struct ktlso_handshake_req req;
};

/* What one connection did, for its log line. */
struct conn {
	int fd;
	char peer[80];
	char line[LOG_LINE_MAX + 4];
	char tls[1024];
	int status;
	long long sent;
	struct timespec t0;
};

static double elapsed(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) + (t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void log_request(const struct conn *c)
{
	fprintf(stderr, "ktlso: %s \"%s\" %d %lld %s %.3fs\n", c->peer, c->line,
		c->status, c->sent, c->tls, elapsed(&c->t0));
}

/* The request line as the log shows it: printable, bounded. */
static void set_log_line(struct conn *c, const char *buf, size_t len)
{
	size_t n = len < LOG_LINE_MAX ? len : LOG_LINE_MAX;

	for (size_t i = 0; i < n; i++)
		c->line[i] = (buf[i] < 0x20 || buf[i] == 0x7f || buf[i] == '"')
				     ? '?' : buf[i];
	strcpy(c->line + n, len > n ? "..." : "");
}

static int send_all(int fd, const char *buf, size_t len, int flags)
{
	while (len) {
		ssize_t n = send(fd, buf, len, flags | MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= n;
	}
	return 0;
}

static int send_file(int sock, int fd, off_t size, long long *sent)
{
	off_t off = 0;

	while (off < size) {
		size_t chunk = size - off > (1 << 30) ? 1 << 30 : size - off;
		ssize_t n = sendfile(sock, fd, &off, chunk);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;	/* the file shrank under us */
		*sent += n;
	}
	return 0;
}

/* The response head, and the body: the file, or a line for an error. */
static int respond(struct conn *c, const struct http_request *req,
		   const struct http_file *file)
{
	char head[512], body[64] = "";
	long long length;
	int n, flags = 0;

	if (c->status == 200) {
		length = file->size;
	} else {
		snprintf(body, sizeof(body), "%d %s\n", c->status,
			 http_reason(c->status));
		length = strlen(body);
	}
	n = snprintf(head, sizeof(head),
		     "HTTP/1.1 %d %s\r\n"
		     "Server: ktlso\r\n"
		     "Content-Length: %lld\r\n"
		     "Content-Type: %s\r\n"
		     "%s"
		     "Connection: close\r\n"
		     "\r\n",
		     c->status, http_reason(c->status), length,
		     c->status == 200 ? file->type : "text/plain; charset=utf-8",
		     c->status == 405 ? "Allow: GET, HEAD\r\n" : "");
	if (req->head)
		return send_all(c->fd, head, n, 0);
	/* The head and the first bytes of the body share a record. */
	if (c->status == 200 && length)
		flags = MSG_MORE;
	TRY(send_all(c->fd, head, n, flags));
	if (c->status == 200)
		return send_file(c->fd, file->fd, file->size, &c->sent);
	TRY(send_all(c->fd, body, length, 0));
	c->sent = length;
	return 0;
}

/*
 * Read the request head, at most HTTP_HEAD_MAX bytes. Returns 0 with the
 * status still 0, an HTTP status for a request we refuse, or -errno when
 * the client went away first.
 */
static int read_request(struct conn *c, struct tls_in *in,
			struct http_request *req)
{
	char buf[HTTP_HEAD_MAX];
	size_t len = 0, line_len = SIZE_MAX;

	for (;;) {
		ssize_t n = tls_read(in, buf + len, sizeof(buf) - len);

		if (n == 0)
			n = -ECONNRESET;
		if (n == -EAGAIN)	/* SO_RCVTIMEO */
			n = -ETIMEDOUT;
		if (n == -EINTR)
			continue;
		if (n < 0) {
			set_log_line(c, buf, len);
			return n;
		}
		len += n;
		if (http_head_end(buf, len, &line_len))
			break;
		if (len == sizeof(buf)) {
			if (line_len == SIZE_MAX) {
				set_log_line(c, buf, len);
				return 414;
			}
			set_log_line(c, buf, line_len);
			return 431;
		}
	}
	set_log_line(c, buf, line_len);
	return http_parse_request_line(buf, line_len, req);
}

static void set_timeouts(int fd, unsigned int ms)
{
	struct timeval tv = { .tv_sec = ms / 1000,
			      .tv_usec = ms % 1000 * 1000 };

	/* Best effort: without them a silent client only costs a process. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)))
		warnx_(errno, "SO_RCVTIMEO/SO_SNDTIMEO");
}

/*
 * Say goodbye properly: shutdown sends close_notify, then the FIN (the
 * module does, on a daemon-established socket); then read what the client
 * still sends (its own close_notify) for a moment, so that closing with
 * unread data does not reset the connection under the response.
 */
static void finish(struct conn *c, struct tls_in *in)
{
	char buf[4096];
	int budget = 16;

	if (shutdown(c->fd, SHUT_WR))
		return;
	set_timeouts(c->fd, 1000);
	while (budget-- > 0 && tls_read(in, buf, sizeof(buf)) > 0)
		;
}

/* One connection, in its own process; returns the exit status. */
static int serve_conn(const struct server *srv, struct conn *c)
{
	struct ktlso_handshake_status st;
	struct http_request req = { 0 };
	struct http_file file = { .fd = -1 };
	struct tls_in in;
	char why[512];
	int err;

	err = ktlso_attach(c->fd);
	if (err) {
		warnx_(-err, "%s TCP_ULP \"%s\"", c->peer, KTLSO_ULP_NAME);
		return 1;
	}
	err = ktlso_handshake(c->fd, &srv->req, &st);
	if (err) {
		ktlso_describe_failure(-err, &st, why, sizeof(why));
		warnx_(0, "%s handshake failed: %s", c->peer, why);
		return 1;
	}
	ktlso_describe(&st, c->tls, sizeof(c->tls));
	set_timeouts(c->fd, srv->io_timeout_ms);
	tls_in_init(&in, c->fd);

	err = read_request(c, &in, &req);
	if (err < 0) {
		c->status = 0;
		warnx_(-err, "%s \"%s\" no complete request", c->peer, c->line);
		return 1;
	}
	c->status = err;
	if (!c->status)
		c->status = http_open(srv->dirfd, req.path, &file);
	if (!c->status)
		c->status = 200;
	err = respond(c, &req, &file);
	log_request(c);
	if (file.fd >= 0)
		close(file.fd);
	if (err) {
		warnx_(-err, "%s response cut short", c->peer);
		return 1;
	}
	finish(c, &in);
	return 0;
}

/* A listening socket bound to addr, or -errno. */
static int listen_addr(const void *addr, socklen_t len)
{
	const int one = 1, zero = 0;
	int family = ((const struct sockaddr *)addr)->sa_family, fd, err;

	fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    (family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero))) ||
	    bind(fd, addr, len) || listen(fd, SOMAXCONN)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* Dual-stack where the kernel has IPv6, IPv4 alone otherwise. */
static int listen_on(unsigned int port)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6,
				   .sin6_port = htons(port),
				   .sin6_addr = IN6ADDR_ANY_INIT };
	struct sockaddr_in a4 = { .sin_family = AF_INET,
				  .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(INADDR_ANY) };
	int fd = listen_addr(&a6, sizeof(a6));

	if (fd == -EAFNOSUPPORT || fd == -EADDRNOTAVAIL)
		fd = listen_addr(&a4, sizeof(a4));
	return fd;
}

static unsigned int bound_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return 0;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

/* SIGCHLD only has to interrupt accept() so children get reaped. */
static void on_child(int sig)
{
	(void)sig;
}

static unsigned int reap(bool block)
{
	unsigned int n = 0;

	while (waitpid(-1, NULL, block && !n ? 0 : WNOHANG) > 0)
		n++;
	return n;
}

static int accept_loop(const struct server *srv, int lfd)
{
	struct sigaction sa = { .sa_handler = on_child };
	unsigned int children = 0;

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGCHLD, &sa, NULL))
		return -errno;
	for (;;) {
		struct conn c = { 0 };
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		pid_t pid;

		children -= reap(children >= MAX_CHILDREN);
		c.fd = accept4(lfd, (struct sockaddr *)&ss, &len, SOCK_CLOEXEC);
		if (c.fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			warnx_(errno, "accept");
			/* Out of descriptors or memory: let children finish. */
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				children -= reap(children > 0);
				continue;
			}
			return -errno;
		}
		clock_gettime(CLOCK_MONOTONIC, &c.t0);
		sockaddr_str(&ss, len, c.peer, sizeof(c.peer));
		pid = fork();
		if (pid == 0) {
			close(lfd);
			_exit(serve_conn(srv, &c));
		}
		if (pid < 0)
			warnx_(errno, "fork for %s", c.peer);
		else
			children++;
		close(c.fd);
	}
}

static int usage(void)
{
	fputs("usage: ktlso serve PORT --dir DIR [--profile NAME] [--alpn LIST]\n"
	      "                   [--timeout MS]\n", stderr);
	return 2;
}

int cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		HANDSHAKE_OPTIONS,
		{ 0 }
	};
	struct server srv = {
		.req = { .role = KTLSO_ROLE_SERVER },
		.io_timeout_ms = KTLSO_DEFAULT_TIMEOUT_MS,
	};
	const char *dir = NULL;
	unsigned long port, ms = KTLSO_DEFAULT_TIMEOUT_MS;
	int c, lfd, err;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'd')
			dir = optarg;
		else if (handshake_option(c, optarg, &srv.req, &ms))
			return usage();
	}
	if (!dir || optind != argc - 1 ||
	    parse_uint(argv[optind], 0, 65535, &port))
		return usage();
	srv.req.timeout_ms = ms;
	srv.io_timeout_ms = ms;

	srv.dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (srv.dirfd < 0) {
		warnx_(errno, "%s", dir);
		return 1;
	}
	lfd = listen_on(port);
	if (lfd < 0) {
		warnx_(-lfd, "listen on port %lu", port);
		return 1;
	}
	fprintf(stderr, "ktlso: serving %s on port %u\n", dir, bound_port(lfd));
	err = accept_loop(&srv, lfd);
	close(lfd);
	return err ? 1 : 0;
}
