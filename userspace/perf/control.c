// SPDX-License-Identifier: MIT
/*
 * The control connection, plain TCP, in text lines as iperf3 exchanges JSON:
 *
 *   client: "ktlso-perf 1", "KEY VALUE" lines of the parameters, ""
 *   server: "ktlso-perf 1 ok" or "ktlso-perf 1 error MESSAGE"
 *   (data connections, each set up in turn)
 *   client: "ready" once its side of every stream is up; server: "start"
 *   client: "stop" when the time is up or its bytes are sent
 *   each side, once its streams are done: "stream I BYTES END" per stream,
 *   "cpu USER SYSTEM WALL", "stat TX RX REKEYS", "cipher TEXT", "end"
 *
 * A peer's line is at most CTL_LINE_MAX bytes; a value that does not parse
 * or is out of range fails the test.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "perf.h"

#define CTL_MAGIC "ktlso-perf 1"
#define CTL_LINE_MAX 256

int ctl_send_line(int fd, const char *fmt, ...)
{
	char line[CTL_LINE_MAX + 2];
	va_list ap;
	int n;
	size_t off = 0;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	ENSURE(n >= 0 && n < CTL_LINE_MAX, -EMSGSIZE);
	line[n++] = '\n';
	while (off < (size_t)n) {
		ssize_t w = send(fd, line + off, n - off, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		ENSURE(w > 0, -errno);
		off += w;
	}
	return 0;
}

/* One line, without its newline; -ETIMEDOUT, -ECONNRESET at EOF. */
int ctl_recv_line(int fd, char *buf, size_t len, int timeout_ms)
{
	size_t n = 0;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int r = poll(&p, 1, timeout_ms);
		ssize_t got;
		char c;

		if (r < 0 && errno == EINTR)
			continue;
		ENSURE(r >= 0, -errno);
		ENSURE(r > 0, -ETIMEDOUT);
		got = recv(fd, &c, 1, 0);
		if (got < 0 && errno == EINTR)
			continue;
		ENSURE(got >= 0, -errno);
		ENSURE(got > 0, -ECONNRESET);
		if (c == '\n')
			break;
		ENSURE(n + 1 < len && n < CTL_LINE_MAX, -EMSGSIZE);
		buf[n++] = c;
	}
	buf[n] = '\0';
	return 0;
}

/*
 * The peer's first bytes, checked one by one as they come: a peer that is
 * not ktlso perf (iperf3 sends a 37-byte cookie, or one state byte back)
 * is named at once rather than after a timeout.
 */
static int expect_prefix(int fd, const char *want)
{
	for (size_t n = 0; want[n]; n++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int r = poll(&p, 1, PERF_SETUP_TIMEOUT_MS);
		ssize_t got;
		char c;

		if (r < 0 && errno == EINTR) {
			n--;
			continue;
		}
		ENSURE(r >= 0, -errno);
		ENSURE(r > 0, -ETIMEDOUT);
		got = recv(fd, &c, 1, 0);
		ENSURE(got >= 0, -errno);
		ENSURE(got > 0, -ECONNRESET);
		ENSURE(c == want[n], -EPROTO);
	}
	return 0;
}

int ctl_send_params(int fd, const struct perf_params *p)
{
	TRY(ctl_send_line(fd, CTL_MAGIC));
	TRY(ctl_send_line(fd, "mode %s", mode_name(p->mode)));
	TRY(ctl_send_line(fd, "streams %u", p->streams));
	TRY(ctl_send_line(fd, "reverse %d", p->reverse));
	TRY(ctl_send_line(fd, "bidir %d", p->bidir));
	TRY(ctl_send_line(fd, "len %zu", p->len));
	TRY(ctl_send_line(fd, "seconds %.3f", p->seconds));
	TRY(ctl_send_line(fd, "bytes %" PRIu64, p->bytes));
	if (p->cipher[0])
		TRY(ctl_send_line(fd, "cipher %s", p->cipher));
	if (p->tls[0])
		TRY(ctl_send_line(fd, "tls %s", p->tls));
	return ctl_send_line(fd, "%s", "");
}

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;

	ENSURE(*s >= '0' && *s <= '9', -EINVAL);
	errno = 0;
	*out = strtoull(s, &end, 10);
	ENSURE(!errno && !*end && *out <= max, -EINVAL);
	return 0;
}

static int parse_double(const char *s, double max, double *out)
{
	char *end;

	ENSURE(*s >= '0' && *s <= '9', -EINVAL);
	*out = strtod(s, &end);
	ENSURE(!*end && *out >= 0 && *out <= max, -EINVAL);
	return 0;
}

static int param(struct perf_params *p, const char *key, const char *val)
{
	uint64_t v;

	if (!strcmp(key, "mode"))
		return mode_parse(val, &p->mode);
	if (!strcmp(key, "streams")) {
		TRY(parse_u64(val, PERF_MAX_STREAMS, &v));
		ENSURE(v >= 1, -EINVAL);
		p->streams = v;
	} else if (!strcmp(key, "reverse") || !strcmp(key, "bidir")) {
		TRY(parse_u64(val, 1, &v));
		*(!strcmp(key, "reverse") ? &p->reverse : &p->bidir) = v;
	} else if (!strcmp(key, "len")) {
		TRY(parse_u64(val, 16 << 20, &v));
		ENSURE(v >= 1, -EINVAL);
		p->len = v;
	} else if (!strcmp(key, "seconds")) {
		return parse_double(val, 86400, &p->seconds);
	} else if (!strcmp(key, "bytes")) {
		return parse_u64(val, UINT64_MAX, &p->bytes);
	} else if (!strcmp(key, "cipher")) {
		return set_field(p->cipher, sizeof(p->cipher), val);
	} else if (!strcmp(key, "tls")) {
		ENSURE(!strcmp(val, "1.2") || !strcmp(val, "1.3"), -EINVAL);
		strcpy(p->tls, val);
	} else {
		return -EINVAL;
	}
	return 0;
}

int ctl_recv_params(int fd, struct perf_params *p, char *msg, size_t len)
{
	char line[CTL_LINE_MAX + 1];
	int err = expect_prefix(fd, CTL_MAGIC "\n");

	if (err == -EPROTO)
		snprintf(msg, len, "not a ktlso perf client");
	TRY(err);
	for (;;) {
		char *sp;

		TRY(ctl_recv_line(fd, line, sizeof(line), PERF_SETUP_TIMEOUT_MS));
		if (!line[0])
			return 0;
		sp = strchr(line, ' ');
		if (!sp || param(p, (*sp = '\0', line), sp + 1)) {
			snprintf(msg, len, "bad parameter '%.64s'", line);
			return -EPROTO;
		}
	}
}

int ctl_reply(int fd, const char *status)
{
	return ctl_send_line(fd, "%s %s", CTL_MAGIC, status);
}

/* The server's answer: "ok", or its reason in msg and -EPROTO. */
int ctl_wait_reply(int fd, char *msg, size_t len)
{
	char line[CTL_LINE_MAX + 1];
	int err = expect_prefix(fd, CTL_MAGIC " ");

	if (!err)
		err = ctl_recv_line(fd, line, sizeof(line), PERF_SETUP_TIMEOUT_MS);
	switch (err) {
	case 0:
		break;
	case -EPROTO:
		snprintf(msg, len, "not a ktlso perf server");
		return err;
	case -ETIMEDOUT:
		snprintf(msg, len, "no answer as a ktlso perf server within %d s",
			 PERF_SETUP_TIMEOUT_MS / 1000);
		return err;
	case -ECONNRESET:
		snprintf(msg, len, "the server closed the connection "
			 "(not a ktlso perf server?)");
		return err;
	default:
		return err;
	}
	if (!strcmp(line, "ok"))
		return 0;
	if (!strncmp(line, "error ", 6))
		snprintf(msg, len, "server: %s", line + 6);
	else
		snprintf(msg, len, "server answered '%.64s'", line);
	return -EPROTO;
}

int ctl_send_results(const struct perf_test *t)
{
	const struct perf_side *m = &t->me;

	for (unsigned int i = 0; i < t->n; i++)
		TRY(ctl_send_line(t->ctl, "stream %u %" PRIu64 " %.6f", i,
				  t->s[i].bytes, t->s[i].end));
	TRY(ctl_send_line(t->ctl, "cpu %.6f %.6f %.6f", m->user, m->system,
			  m->wall));
	TRY(ctl_send_line(t->ctl, "stat %" PRId64 " %" PRId64 " %" PRId64,
			  m->tx_records, m->rx_records, m->rekeys));
	TRY(ctl_send_line(t->ctl, "cipher %s", m->cipher));
	return ctl_send_line(t->ctl, "end");
}

static int parse_stat(const char *s, int64_t *out)
{
	uint64_t v;

	if (!strcmp(s, "-1")) {
		*out = -1;
		return 0;
	}
	TRY(parse_u64(s, INT64_MAX, &v));
	*out = v;
	return 0;
}

/* One "KEY ARGS" line of the peer's results. */
static int result_line(struct perf_test *t, char *line)
{
	char *f[4] = { 0 }, *save = NULL;
	unsigned int nf = 0;
	uint64_t v;

	if (!strncmp(line, "cipher ", 7))
		return set_field(t->peer.cipher, sizeof(t->peer.cipher), line + 7);
	for (char *w = strtok_r(line, " ", &save); w && nf < 4;
	     w = strtok_r(NULL, " ", &save))
		f[nf++] = w;
	ENSURE(nf == 4, -EPROTO);
	if (!strcmp(f[0], "stream")) {
		TRY(parse_u64(f[1], t->n - 1, &v));
		TRY(parse_u64(f[2], UINT64_MAX, &t->s[v].remote_bytes));
		return parse_double(f[3], 1e6, &t->s[v].remote_end);
	}
	if (!strcmp(f[0], "cpu")) {
		TRY(parse_double(f[1], 1e9, &t->peer.user));
		TRY(parse_double(f[2], 1e9, &t->peer.system));
		return parse_double(f[3], 1e9, &t->peer.wall);
	}
	if (!strcmp(f[0], "stat")) {
		TRY(parse_stat(f[1], &t->peer.tx_records));
		TRY(parse_stat(f[2], &t->peer.rx_records));
		return parse_stat(f[3], &t->peer.rekeys);
	}
	return -EPROTO;
}

int ctl_recv_results(struct perf_test *t)
{
	char line[CTL_LINE_MAX + 1];

	for (;;) {
		TRY(ctl_recv_line(t->ctl, line, sizeof(line), 60000));
		if (!strcmp(line, "end"))
			return 0;
		ENSURE(!result_line(t, line), -EPROTO);
	}
}
