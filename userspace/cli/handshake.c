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
#include "wire/reader.h"

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

/*
 * Post-handshake handshake messages: a message may span records and a
 * record may hold several, so the 4-byte headers are reassembled here.
 */
static int handshake_bytes(struct tls_in *in, const void *data, size_t n)
{
	struct reader r, h;
	uint8_t type;
	uint32_t len;

	reader_init(&r, data, n);
	while (!reader_done(&r)) {
		size_t k;

		if (in->hs_skip) {
			k = reader_left(&r) < in->hs_skip ? reader_left(&r) :
							    in->hs_skip;
			TRY(reader_skip(&r, k));
			in->hs_skip -= k;
			continue;
		}
		k = sizeof(in->hs_hdr) - in->hs_hdr_len;
		if (k > reader_left(&r))
			k = reader_left(&r);
		TRY(reader_copy(&r, in->hs_hdr + in->hs_hdr_len, k));
		in->hs_hdr_len += k;
		if (in->hs_hdr_len < sizeof(in->hs_hdr))
			break;
		in->hs_hdr_len = 0;
		reader_init(&h, in->hs_hdr, sizeof(in->hs_hdr));
		TRY(reader_u8(&h, &type));
		TRY(reader_u24(&h, &len));
		switch (type) {
		/* RFC 8446 §4.6.1: tickets come any time after Finished. */
		case TLS_HS_NEW_SESSION_TICKET:
		/* RFC 5246 §7.4.1.1: a client MAY ignore HelloRequest. */
		case TLS_HS_HELLO_REQUEST:
			in->hs_skip = len;
			break;
		default:
			/* KeyUpdate, post-handshake auth: need keys. */
			fprintf(stderr, "ktlso: post-handshake message %u "
				"not supported\n", type);
			return -EPROTO;
		}
	}
	return 0;
}

/*
 * RFC 8446 §6: close_notify ends the stream; other alerts are fatal, but
 * for warnings (RFC 5246 §7.2).
 */
static ssize_t alert_bytes(struct tls_in *in, const void *data, size_t n)
{
	struct reader r;
	uint8_t level, desc;

	reader_init(&r, data, n);
	if (reader_u8(&r, &level) || reader_u8(&r, &desc))
		return -EPROTO;
	if (desc == TLS_ALERT_CLOSE_NOTIFY)
		return 0;
	if (level == TLS_ALERT_LEVEL_WARNING)
		return -EAGAIN; /* e.g. user_canceled: read on */
	in->alert = desc;
	return -EPROTO;
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
	for (;;) {
		char cbuf[CMSG_SPACE(sizeof(unsigned char))] = { 0 };
		struct iovec iov = { .iov_base = buf, .iov_len = len };
		struct msghdr msg = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
		};
		struct cmsghdr *cm;
		unsigned char type = TLS_CT_APPLICATION_DATA;
		ssize_t n = recvmsg(in->fd, &msg, 0);

		/* The module took the peer's fatal alert out of the stream;
		 * the request's status says which it was. */
		if (n < 0 && errno == ECONNRESET && peer_alert(in) >= 0)
			return -EPROTO;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		cm = CMSG_FIRSTHDR(&msg);
		if (cm && cm->cmsg_level == SOL_TLS &&
		    cm->cmsg_type == TLS_GET_RECORD_TYPE)
			type = *CMSG_DATA(cm);
		switch (type) {
		case TLS_CT_APPLICATION_DATA:
			return n;
		case TLS_CT_HANDSHAKE:
			TRY(handshake_bytes(in, buf, n));
			break;
		case TLS_CT_ALERT:
			n = alert_bytes(in, buf, n);
			if (n != -EAGAIN)
				return n;
			break;
		default:
			return -EPROTO;
		}
		/* A control record was consumed: the next may be data (or,
		 * non-blocking, -EAGAIN). */
	}
}
