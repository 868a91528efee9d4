/* SPDX-License-Identifier: MIT */
/*
 * Just enough HTTP/1.1 (RFC 9112) for `ktlso serve`: the request line of a
 * GET or HEAD, a path that cannot leave the served directory, and the
 * response head. Everything the client sends is bounded here.
 */
#ifndef KTLSO_HTTP_H
#define KTLSO_HTTP_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "try.h"

#define HTTP_HEAD_MAX 8192	/* request line and header fields */

struct http_request {
	bool head;		/* HEAD: the response has no body */
	int minor;		/* HTTP/1.minor */
	/* The decoded path below the served directory: no "..", no ".",
	 * no empty segment, no leading '/'; "" is the directory itself, a
	 * trailing '/' asks for a directory. */
	char path[PATH_MAX];
};

/*
 * Parse a request line of len bytes (without its line ending). Returns 0
 * or the HTTP status to answer with: 400 malformed, 405 not GET/HEAD,
 * 414 path too long, 505 not HTTP/1.x.
 */
int http_parse_request_line(const char *line, size_t len,
			    struct http_request *req) WUR;

/*
 * Where the request head ends in buf[0..len): the offset just past the
 * empty line, or 0 if it has not arrived yet. Also sets *line_len to the
 * length of the request line once its line end is in view, else leaves
 * it alone.
 */
size_t http_head_end(const char *buf, size_t len, size_t *line_len);

struct http_file {
	int fd;			/* a regular file, O_RDONLY */
	off_t size;
	const char *type;	/* Content-Type, by the name's extension */
};

/*
 * Open req->path under dirfd without following a symbolic link at any
 * step (a directory serves its index.html). Returns 0 with *file filled
 * in, or the HTTP status to answer with: 403, 404, 414 or 500.
 */
int http_open(int dirfd, const char *path, struct http_file *file) WUR;

/* The reason phrase of a status we send. */
const char *http_reason(int status);

#endif /* KTLSO_HTTP_H */
