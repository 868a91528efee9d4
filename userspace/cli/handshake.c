// SPDX-License-Identifier: MIT
/*
 * The application's half of ktlso: attach the ULP, ask for the handshake,
 * say what came of it, and read plaintext with the record type in view.
 */
#include <errno.h>
#include <linux/tls.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "cli.h"
#include "tls_suite.h"
#include "wire/proto.h"

int ktlso_attach(int fd)
{
	if (setsockopt(fd, SOL_TCP, TCP_ULP, KTLSO_ULP_NAME,
		       sizeof(KTLSO_ULP_NAME)))
		return -errno;
	return 0;
}

int ktlso_handshake(int fd, const struct ktlso_handshake_req *req,
		    struct ktlso_handshake_status *st)
{
	socklen_t len = sizeof(*st);
	int err = 0;

	if (setsockopt(fd, SOL_TLS, KTLSO_HANDSHAKE, req, sizeof(*req)))
		err = -errno;
	memset(st, 0, sizeof(*st));
	st->alert = -1;
	if (getsockopt(fd, SOL_TLS, KTLSO_HANDSHAKE, st, &len) ||
	    len != sizeof(*st)) {
		memset(st, 0, sizeof(*st));
		st->alert = -1;
	}
	/* The kernel terminates them; we do not rely on it to print them. */
	st->alpn[sizeof(st->alpn) - 1] = '\0';
	st->peer_subject[sizeof(st->peer_subject) - 1] = '\0';
	return err;
}

static const char *version_name(unsigned int v, char *buf, size_t len)
{
	switch (v) {
	case TLS_VERSION_1_2: return "TLSv1.2";
	case TLS_VERSION_1_3: return "TLSv1.3";
	}
	snprintf(buf, len, "0x%04x", v);
	return buf;
}

static const char *suite_name(unsigned int id, char *buf, size_t len)
{
	const struct tls_suite *s = tls_suite_by_id(id);

	if (s)
		return s->name;
	snprintf(buf, len, "0x%04x", id);
	return buf;
}

/* A certificate subject is the peer's text: keep control bytes off the tty. */
static void printable(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f || *s == '"')
			*s = '?';
}

void ktlso_describe(const struct ktlso_handshake_status *st, char *buf,
		    size_t len)
{
	char alpn[sizeof(st->alpn)], subject[sizeof(st->peer_subject)];
	char v[8], c[8];

	snprintf(alpn, sizeof(alpn), "%s", st->alpn[0] ? st->alpn : "-");
	snprintf(subject, sizeof(subject), "%s", st->peer_subject);
	printable(alpn);
	printable(subject);
	/* "resumed" only when it was: a full handshake's line is as before */
	snprintf(buf, len, "%s %s alpn=%s peer=\"%s\" verified=%s%s",
		 version_name(st->version, v, sizeof(v)),
		 suite_name(st->cipher_suite, c, sizeof(c)), alpn, subject,
		 st->peer_verified ? "yes" : "no",
		 st->resumed ? " resumed" : "");
}

void ktlso_describe_failure(int err, const struct ktlso_handshake_status *st,
			    char *buf, size_t len)
{
	const char *hint = "";

	switch (err) {
	case ECONNREFUSED: hint = ", is ktlsod running?"; break;
	case ENOENT: hint = ", is ktlso.ko loaded?"; break;
	}
	if (st->alert >= 0)
		snprintf(buf, len, "%s (alert %s%s)", strerror(err),
			 tls_alert_name(st->alert), hint);
	else if (*hint)
		snprintf(buf, len, "%s (%s)", strerror(err), hint + 2);
	else
		snprintf(buf, len, "%s", strerror(err));
}

void tls_in_init(struct tls_in *in, int fd)
{
	memset(in, 0, sizeof(*in));
	in->fd = fd;
	in->alert = -1;
}

/* The fatal alert getsockopt(KTLSO_HANDSHAKE) reports, in in->alert. */
static int peer_alert(struct tls_in *in)
{
	struct ktlso_handshake_status st;
	socklen_t len = sizeof(st);

	if (!getsockopt(in->fd, SOL_TLS, KTLSO_HANDSHAKE, &st, &len) &&
	    len == sizeof(st) && st.alert >= 0)
		in->alert = st.alert;
	return in->alert;
}

ssize_t tls_read(struct tls_in *in, void *buf, size_t len)
{
	/*
	 * On a socket ktlsod set up the module keeps every control record
	 * (tickets, KeyUpdates, alerts) out of the stream: what recv()
	 * returns is data. A fatal alert from the peer reads as ECONNRESET;
	 * the request's status says which it was.
	 */
	ssize_t n = recv(in->fd, buf, len, 0);

	if (n < 0 && errno == ECONNRESET && peer_alert(in) >= 0)
		return -EPROTO;
	return n < 0 ? -errno : n;
}
