// SPDX-License-Identifier: MIT
/*
 * The HTTP/1.1 requests `ktlso serve` understands (RFC 9112), read with
 * the same bounds-checked reader as every TLS message, and the one way a
 * path is opened: segment by segment, never through a symbolic link.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http.h"
#include "wire/reader.h"

/* The bytes before the next stop byte, which is consumed too. */
static int token(struct reader *r, uint8_t stop, const uint8_t **tok,
		 size_t *len)
{
	struct reader probe = *r;
	uint8_t c;
	size_t n = 0;

	for (;;) {
		TRY(reader_u8(&probe, &c));
		if (c == stop)
			break;
		n++;
	}
	TRY(reader_borrow(r, n, tok));
	*len = n;
	return reader_skip(r, 1);
}

static bool span_is(const uint8_t *p, size_t n, const char *s)
{
	return n == strlen(s) && !memcmp(p, s, n);
}

static int hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool is_ctl(uint8_t c)
{
	return c < 0x20 || c == 0x7f;
}

/*
 * "/a/./b//c" → "a/b/c", "/a/" → "a/" (a directory, then). Decoding comes
 * first, so "%2e%2e" is refused like ".."; a ".." segment is refused
 * rather than resolved.
 */
static int normalize(char *in, char *out, size_t size)
{
	bool dir = in[strlen(in) - 1] == '/';
	char *save, *seg;
	size_t len = 0;

	out[0] = '\0';
	for (seg = strtok_r(in, "/", &save); seg;
	     seg = strtok_r(NULL, "/", &save)) {
		size_t n = strlen(seg);

		if (!strcmp(seg, "."))
			continue;
		if (!strcmp(seg, ".."))
			return 400;
		if (len + !!len + n >= size)
			return 414;
		if (len)
			out[len++] = '/';
		memcpy(out + len, seg, n + 1);
		len += n;
	}
	if (dir && len) {
		if (len + 1 >= size)
			return 414;
		strcpy(out + len, "/");
	}
	return 0;
}

/* RFC 9112 §3.2.1: origin-form = absolute-path [ "?" query ] */
static int decode_target(struct reader *r, char *out, size_t size)
{
	char buf[PATH_MAX];
	size_t len = 0;
	uint8_t c, hi, lo;

	if (reader_u8(r, &c) || c != '/')
		return 400;
	while (!reader_u8(r, &c) && c != '?') {
		if (is_ctl(c) || c == ' ' || c == '#')
			return 400;
		/* RFC 3986 §2.1: percent-encoding */
		if (c == '%') {
			if (reader_u8(r, &hi) || reader_u8(r, &lo) ||
			    hexval(hi) < 0 || hexval(lo) < 0)
				return 400;
			c = hexval(hi) << 4 | hexval(lo);
			if (is_ctl(c))
				return 400;
		}
		if (len + 1 >= sizeof(buf))
			return 414;
		buf[len++] = c;
	}
	buf[len] = '\0';
	return normalize(buf, out, size);
}

int http_parse_request_line(const char *line, size_t len,
			    struct http_request *req)
{
	const uint8_t *method, *target, *version;
	size_t mlen, tlen, vlen;
	struct reader r, t;

	memset(req, 0, sizeof(*req));
	reader_init(&r, line, len);
	/* RFC 9112 §3: method SP request-target SP HTTP-version */
	if (token(&r, ' ', &method, &mlen) || token(&r, ' ', &target, &tlen) ||
	    !mlen || !tlen)
		return 400;
	vlen = reader_left(&r);
	if (reader_borrow(&r, vlen, &version))
		return 400;
	/* RFC 9112 §2.3: HTTP-version = "HTTP/" DIGIT "." DIGIT */
	if (vlen != 8 || memcmp(version, "HTTP/", 5) || version[6] != '.' ||
	    hexval(version[5]) < 0 || hexval(version[5]) > 9 ||
	    hexval(version[7]) < 0 || hexval(version[7]) > 9)
		return 400;
	if (version[5] != '1')
		return 505;
	req->minor = version[7] - '0';

	for (size_t i = 0; i < mlen; i++)
		if (method[i] < 'A' || method[i] > 'Z')
			return 400;
	if (span_is(method, mlen, "HEAD"))
		req->head = true;
	else if (!span_is(method, mlen, "GET"))
		return 405;

	reader_init(&t, target, tlen);
	return decode_target(&t, req->path, sizeof(req->path));
}

size_t http_head_end(const char *buf, size_t len, size_t *line_len)
{
	size_t start = 0;

	/* RFC 9112 §2.2: a bare LF ends a line as well as CRLF does. */
	for (size_t i = 0; i < len; i++) {
		size_t n;

		if (buf[i] != '\n')
			continue;
		n = i - start;
		if (n && buf[i - 1] == '\r')
			n--;
		if (start == 0)
			*line_len = n;
		if (n == 0)
			return i + 1;
		start = i + 1;
	}
	return 0;
}

static int status_of(int err)
{
	switch (err) {
	case ENOENT:
	case ENOTDIR:
		return 404;
	case ELOOP:	/* O_NOFOLLOW met a symbolic link */
	case EACCES:
	case EPERM:
		return 403;
	case ENAMETOOLONG:
		return 414;
	}
	return 500;
}

/* By the extension of the name served. */
static const char *content_type(const char *name)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{ ".html", "text/html; charset=utf-8" },
		{ ".htm", "text/html; charset=utf-8" },
		{ ".txt", "text/plain; charset=utf-8" },
		{ ".css", "text/css" },
		{ ".js", "text/javascript" },
		{ ".json", "application/json" },
		{ ".svg", "image/svg+xml" },
		{ ".png", "image/png" },
		{ ".jpg", "image/jpeg" },
	};
	const char *dot = strrchr(name, '.');

	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(dot, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

/*
 * The file itself, or a directory's index.html; regular files only.
 * A name that ended in '/' has to be a directory.
 */
static int open_leaf(int dirfd, const char *name, bool dir,
		     struct http_file *file)
{
	const int flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
			  O_CLOEXEC;
	struct stat st;
	int f, idx;

	f = openat(dirfd, name, flags);
	if (f < 0)
		return status_of(errno);
	if (fstat(f, &st))
		goto err;
	if (dir && !S_ISDIR(st.st_mode)) {
		close(f);
		return 404;
	}
	if (S_ISDIR(st.st_mode)) {
		idx = openat(f, "index.html", flags);
		close(f);
		if (idx < 0)
			return status_of(errno);
		f = idx;
		name = "index.html";
		if (fstat(f, &st))
			goto err;
	}
	if (!S_ISREG(st.st_mode)) {
		close(f);
		return 404;
	}
	file->fd = f;
	file->size = st.st_size;
	file->type = content_type(name);
	return 0;
err:
	close(f);
	return 500;
}

int http_open(int dirfd, const char *path, struct http_file *file)
{
	char buf[PATH_MAX], *save, *seg, *next;
	size_t len = strlen(path);
	bool dir = len && path[len - 1] == '/';
	int cur, sub, status;

	if (len >= sizeof(buf))
		return 414;
	strcpy(buf, path);
	cur = openat(dirfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cur < 0)
		return 500;
	seg = strtok_r(buf, "/", &save);
	if (!seg) {
		status = open_leaf(cur, ".", true, file);
		close(cur);
		return status;
	}
	/* Every directory on the way is opened without following a link. */
	while ((next = strtok_r(NULL, "/", &save))) {
		sub = openat(cur, seg, O_PATH | O_DIRECTORY | O_NOFOLLOW |
				       O_CLOEXEC);
		close(cur);
		if (sub < 0)
			return status_of(errno);
		cur = sub;
		seg = next;
	}
	status = open_leaf(cur, seg, dir, file);
	close(cur);
	return status;
}

const char *http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 414: return "URI Too Long";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 505: return "HTTP Version Not Supported";
	}
	return "Error";
}
