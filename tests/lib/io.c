// SPDX-License-Identifier: MIT
/*
 * write_all: send(MSG_NOSIGNAL) on sockets, write() on anything else
 * (pipes, files, a terminal), both retried on EINTR and short counts;
 * read_full: its counterpart for a socket, with a time limit.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include "io.h"

static ssize_t write_some(int fd, const void *p, size_t len, bool *is_sock)
{
	ssize_t n;

	if (*is_sock) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n >= 0 || errno != ENOTSOCK)
			return n;
		*is_sock = false;
	}
	return write(fd, p, len);
}

int write_all(int fd, const void *p, size_t len)
{
	const uint8_t *b = p;
	bool is_sock = true;

	while (len) {
		ssize_t n = write_some(fd, b, len, &is_sock);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

bool read_full(int fd, void *buf, size_t n, int timeout_ms)
{
	uint8_t *b = buf;

	while (n) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;

		if (poll(&p, 1, timeout_ms) != 1)
			return false;
		r = recv(fd, b, n, 0);
		if (r <= 0)
			return false;
		b += r;
		n -= (size_t)r;
	}
	return true;
}
