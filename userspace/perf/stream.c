// SPDX-License-Identifier: MIT
/*
 * One data connection: TLS set up the way its mode says (before the test
 * starts, on a blocking socket with the setup timeout), then non-blocking
 * reads and writes in the run loop.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "perf.h"
#include "tls_suite.h"
#include "wire/proto.h"

static int set_nonblocking(int fd, bool on)
{
	int fl = fcntl(fd, F_GETFL);

	ENSURE(fl >= 0, -errno);
	fl = on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK;
	ENSURE(!fcntl(fd, F_SETFL, fl), -errno);
	return 0;
}

/* Reads and writes of the setup give up after the setup timeout. */
static void setup_timeout(int fd)
{
	struct timeval tv = { .tv_sec = PERF_SETUP_TIMEOUT_MS / 1000 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static void describe_status(const struct ktlso_handshake_status *st,
			    char *buf, size_t len)
{
	const struct tls_suite *s = tls_suite_by_id(st->cipher_suite);

	snprintf(buf, len, "%s %s",
		 st->version == TLS_VERSION_1_3 ? "TLSv1.3" : "TLSv1.2",
		 s ? s->name : "unknown");
}

/* ktlsod does the handshake (Documentation/handshake.rst): a stream in
 * mode ktlso, and the control connection with --control-tls. */
int perf_ktlso_handshake(struct perf_test *t, const char *what, int fd,
			 bool server, char *cipher, size_t cipherlen, char *err,
			 size_t errlen)
{
	struct ktlso_handshake_req req = {
		.role = server ? KTLSO_ROLE_SERVER : KTLSO_ROLE_CLIENT,
		.timeout_ms = PERF_SETUP_TIMEOUT_MS,
	};
	struct ktlso_handshake_status st;
	char why[512];
	int ret;

	if (t->l.profile && set_field(req.profile, sizeof(req.profile),
				      t->l.profile))
		return -EINVAL;
	if (!server && set_field(req.peer_name, sizeof(req.peer_name),
				 t->l.name ? t->l.name : t->l.host))
		return -EINVAL;
	ret = ktlso_attach(fd);
	if (ret) {
		snprintf(err, errlen, "%s unavailable: TCP_ULP \"%s\": %s%s",
			 what, KTLSO_ULP_NAME, strerror(-ret),
			 ret == -ENOENT ? " (is ktlso.ko loaded?)" : "");
		return ret;
	}
	ret = ktlso_handshake(fd, &req, &st);
	if (ret) {
		ktlso_describe_failure(-ret, &st, why, sizeof(why));
		snprintf(err, errlen, "%s: handshake failed: %s", what, why);
		return ret;
	}
	describe_status(&st, cipher, cipherlen);
	return 0;
}

static int setup(struct perf_test *t, struct perf_stream *s, bool server,
		 char *err, size_t errlen)
{
	int ret = 0;

	setup_timeout(s->fd);
	tls_in_init(&s->in, s->fd);
	switch (t->p.mode) {
	case MODE_TCP:
		snprintf(t->me.cipher, sizeof(t->me.cipher), "none");
		break;
	case MODE_KTLSO:
		ret = perf_ktlso_handshake(t, "mode ktlso", s->fd, server,
					   t->me.cipher, sizeof(t->me.cipher),
					   err, errlen);
		break;
	case MODE_TLS:
		ret = engine_handshake(t, s->fd, server, err, errlen);
		break;
	case MODE_OPENSSL:
		ret = ossl_handshake(t, s, server, err, errlen);
		break;
	}
	if (!ret)
		ret = set_nonblocking(s->fd, true);
	if (ret && !err[0])
		snprintf(err, errlen, "stream setup: %s", strerror(-ret));
	return ret;
}

int stream_client_setup(struct perf_test *t, struct perf_stream *s, char *err,
			size_t errlen)
{
	return setup(t, s, false, err, errlen);
}

int stream_server_setup(struct perf_test *t, struct perf_stream *s, char *err,
			size_t errlen)
{
	return setup(t, s, true, err, errlen);
}

static ssize_t ssl_result(SSL *ssl, int n)
{
	if (n > 0)
		return n;
	switch (SSL_get_error(ssl, n)) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		return -EAGAIN;
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	case SSL_ERROR_SYSCALL:
		/* The peer's FIN without close_notify ends the stream too. */
		return errno ? -errno : 0;
	default:
		return -EPROTO;
	}
}

ssize_t stream_write(struct perf_test *t, struct perf_stream *s)
{
	size_t len = t->p.len;
	ssize_t n;

	if (s->ssl)
		return ssl_result(s->ssl, SSL_write(s->ssl, t->buf, len));
	if (t->file_fd >= 0) {
		off_t off = s->bytes % t->file_size;

		if (len > t->file_size - off)
			len = t->file_size - off;
		n = sendfile(s->fd, t->file_fd, &off, len);
	} else {
		n = send(s->fd, t->buf, len, MSG_NOSIGNAL);
	}
	return n < 0 ? -errno : n;
}

ssize_t stream_read(struct perf_test *t, struct perf_stream *s)
{
	ssize_t n;

	if (s->ssl)
		return ssl_result(s->ssl, SSL_read(s->ssl, t->buf, t->p.len));
	if (t->p.mode == MODE_TCP) {
		n = recv(s->fd, t->buf, t->p.len, 0);
		return n < 0 ? -errno : n;
	}
	return tls_read(&s->in, t->buf, t->p.len);
}

bool stream_has_pending(const struct perf_stream *s)
{
	return s->ssl && SSL_pending(s->ssl) > 0;
}

/*
 * The sender is done: close_notify (libssl's, or the module's with the
 * FIN), then FIN. Blocking, so a full send buffer does not lose either.
 */
void stream_finish(struct perf_stream *s)
{
	if (set_nonblocking(s->fd, false))
		return;
	if (s->ssl)
		SSL_shutdown(s->ssl);
	shutdown(s->fd, SHUT_WR);
	(void)set_nonblocking(s->fd, true);
}

void stream_close(struct perf_stream *s)
{
	if (s->ssl)
		SSL_free(s->ssl);
	s->ssl = NULL;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}
