// SPDX-License-Identifier: MIT
/*
 * ktlso connect HOST:PORT: a TLS client for the shell, like
 * `openssl s_client -quiet`, except that ktlsod does the handshake and the
 * kernel the records. stdin goes to the server, the server's data to stdout.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli.h"
#include "wire/proto.h"

struct target {
	char host[KTLSO_NAME_MAX];
	char port[32];
};

/* "host:port", "[v6]:port"; a bare IPv6 address needs the brackets. */
static int parse_target(const char *s, struct target *t)
{
	const char *colon, *host = s;
	size_t hlen;

	if (*s == '[') {
		const char *end = strchr(s, ']');

		ENSURE(end && end[1] == ':', -EINVAL);
		host = s + 1;
		hlen = end - host;
		colon = end + 1;
	} else {
		colon = strrchr(s, ':');
		ENSURE(colon && strchr(s, ':') == colon, -EINVAL);
		hlen = colon - s;
	}
	ENSURE(hlen > 0 && hlen < sizeof(t->host), -EINVAL);
	ENSURE(colon[1] && strlen(colon + 1) < sizeof(t->port), -EINVAL);
	memcpy(t->host, host, hlen);
	t->host[hlen] = '\0';
	strcpy(t->port, colon + 1);
	return 0;
}

static int set_blocking(int fd, bool blocking)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -errno;
	fl = blocking ? fl & ~O_NONBLOCK : fl | O_NONBLOCK;
	if (fcntl(fd, F_SETFL, fl))
		return -errno;
	return 0;
}

/* One address, within timeout_ms; returns the blocking socket or -errno. */
static int connect_one(const struct addrinfo *ai, int timeout_ms)
{
	struct pollfd p;
	socklen_t len = sizeof(int);
	int fd, err = 0, r;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    ai->ai_protocol);
	if (fd < 0)
		return -errno;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) && errno != EINPROGRESS) {
		err = -errno;
		goto out;
	}
	p = (struct pollfd){ .fd = fd, .events = POLLOUT };
	do
		r = poll(&p, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r <= 0) {
		err = r ? -errno : -ETIMEDOUT;
		goto out;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &r, &len)) {
		err = -errno;
		goto out;
	}
	if (r) {
		err = -r;
		goto out;
	}
	err = set_blocking(fd, true);
out:
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

/* The first address of HOST that answers; -errno of the last failure. */
static int dial(const struct target *t, int timeout_ms, char *peer,
		size_t peer_len)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
	struct addrinfo *res, *ai;
	int fd = -EHOSTUNREACH, r;

	r = getaddrinfo(t->host, t->port, &hints, &res);
	if (r) {
		warnx_(0, "%s:%s: %s", t->host, t->port, gai_strerror(r));
		return -EHOSTUNREACH;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = connect_one(ai, timeout_ms);
		sockaddr_str(ai->ai_addr, ai->ai_addrlen, peer, peer_len);
		if (fd >= 0)
			break;
	}
	freeaddrinfo(res);
	/* Like s_client, only the last address's failure is worth a line. */
	if (fd < 0)
		warnx_(-fd, "connect %s", peer);
	return fd;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= n;
	}
	return 0;
}

/*
 * stdin → socket and socket → stdout until the server ends the stream.
 * Only the socket is non-blocking (stdin and stdout may be shared with
 * other processes, so their file status flags stay as they are); poll
 * keeps a slow reader on one side from stalling the other. Says what went
 * wrong itself.
 */
static int relay(int sock, const char *peer)
{
	char up[TLS_MAX_PLAINTEXT], down[TLS_MAX_PLAINTEXT];
	size_t up_off = 0, up_len = 0;
	bool in_eof = false, closed = false;
	struct tls_in in;
	ssize_t n;
	int err;

	tls_in_init(&in, sock);
	err = set_blocking(sock, false);
	if (err) {
		warnx_(-err, "O_NONBLOCK");
		return err;
	}
	for (;;) {
		struct pollfd p[2] = {
			{ .fd = STDIN_FILENO, .events = POLLIN },
			{ .fd = sock, .events = POLLIN },
		};

		if (in_eof && !up_len && !closed) {
			/* RFC 8446 §6.1: close_notify before closing the
			 * write side (the module sends it with the FIN); the
			 * server may still answer. */
			err = shutdown(sock, SHUT_WR) ? -errno : 0;
			if (err && err != -EAGAIN)
				goto err_send;
			closed = !err;
		}
		if (in_eof || up_len)
			p[0].fd = -1;
		/* Data to send, or a close_notify that did not fit yet. */
		if (up_len || (in_eof && !closed))
			p[1].events |= POLLOUT;
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (p[0].revents) {
			n = read(STDIN_FILENO, up, sizeof(up));
			if (n < 0 && errno != EINTR && errno != EAGAIN) {
				err = -errno;
				warnx_(-err, "stdin");
				return err;
			}
			if (n == 0)
				in_eof = true;
			if (n > 0) {
				up_off = 0;
				up_len = n;
			}
		}
		/* Reading first: what the server said before it went away
		 * still reaches stdout. */
		if (p[1].revents & (POLLIN | POLLERR | POLLHUP)) {
			n = tls_read(&in, down, sizeof(down));
			if (n == 0)
				break;
			if (n == -EAGAIN || n == -EINTR)
				n = 0;
			if (n < 0 && in.alert >= 0) {
				warnx_(0, "%s sent alert %s", peer,
				       tls_alert_name(in.alert));
				return n;
			}
			if (n < 0) {
				warnx_(-n, "read from %s", peer);
				return n;
			}
			err = n ? write_all(STDOUT_FILENO, down, n) : 0;
			if (err) {
				warnx_(-err, "stdout");
				return err;
			}
		}
		if (up_len && p[1].revents & (POLLOUT | POLLERR | POLLHUP)) {
			n = send(sock, up + up_off, up_len, MSG_NOSIGNAL);
			if (n < 0 && errno != EAGAIN && errno != EINTR) {
				err = -errno;
				goto err_send;
			}
			if (n > 0) {
				up_off += n;
				up_len -= n;
			}
		}
	}
	/* The server is done: so are we (as s_client is). close() sends our
	 * close_notify; the server may be gone already. */
	return 0;

err_send:
	warnx_(-err, "write to %s", peer);
	return err;
}

static int usage(void)
{
	fputs("usage: ktlso connect HOST:PORT [--servername NAME] [--alpn LIST]\n"
	      "                     [--profile NAME] [--timeout MS]\n", stderr);
	return 2;
}

int cmd_connect(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "servername", required_argument, NULL, 's' },
		HANDSHAKE_OPTIONS,
		{ 0 }
	};
	struct ktlso_handshake_req req = { .role = KTLSO_ROLE_CLIENT };
	struct ktlso_handshake_status st;
	const char *servername = NULL;
	char peer[80], desc[1024];
	struct target t;
	unsigned long ms = KTLSO_DEFAULT_TIMEOUT_MS;
	int c, fd, err;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 's')
			servername = optarg;
		else if (handshake_option(c, optarg, &req, &ms))
			return usage();
	}
	if (optind != argc - 1 || parse_target(argv[optind], &t))
		return usage();
	/* Like s_client: the host named is the name to verify and the SNI. */
	if (set_field(req.peer_name, sizeof(req.peer_name),
		      servername ? servername : t.host))
		return usage();
	req.timeout_ms = ms;

	fd = dial(&t, ms, peer, sizeof(peer));
	if (fd < 0)
		return 1;
	err = ktlso_attach(fd);
	if (err) {
		warnx_(-err, "TCP_ULP \"%s\"%s", KTLSO_ULP_NAME,
		       err == -ENOENT ? " (is ktlso.ko loaded?)" : "");
		close(fd);
		return 1;
	}
	err = ktlso_handshake(fd, &req, &st);
	if (err) {
		ktlso_describe_failure(-err, &st, desc, sizeof(desc));
		warnx_(0, "handshake failed: %s", desc);
		close(fd);
		return 1;
	}
	ktlso_describe(&st, desc, sizeof(desc));
	fprintf(stderr, "ktlso: %s %s\n", peer, desc);

	err = relay(fd, peer);
	close(fd);
	return err ? 1 : 0;
}
