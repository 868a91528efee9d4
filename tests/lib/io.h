/* SPDX-License-Identifier: MIT */
/*
 * Whole-buffer writes for the tests and tools: a short write is not a
 * failure to give up on, an interrupted one is retried.
 */
#ifndef KTLSO_TEST_IO_H
#define KTLSO_TEST_IO_H

#include <stdbool.h>
#include <stddef.h>

/* All of p[0..len) to fd: 0 or -errno. On a socket a closed peer is
 * -EPIPE, never SIGPIPE. */
int write_all(int fd, const void *p, size_t len)
	__attribute__((warn_unused_result));

/* Exactly @n bytes from socket @fd, waiting at most @timeout_ms for each
 * piece: false on a timeout, an error or the end of the stream. */
bool read_full(int fd, void *buf, size_t n, int timeout_ms);

#endif /* KTLSO_TEST_IO_H */
