// SPDX-License-Identifier: MIT
/*
 * The engine on a socket, the way ktlsod will drive it: send whatever the
 * engine has to send, read what the peer sent, feed exactly that, repeat
 * until the handshake is complete or has failed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../../tests/lib/io.h"
#include "crypto/kx.h"
#include "hs_peer.h"
#include "tls_suite.h"
#include "wire/proto.h"

/* Send everything the engine has queued (its flight, or its alert). */
static int flush_engine(int fd, struct tls_engine *e)
{
	const uint8_t *out;
	size_t len;

	tls_engine_output(e, &out, &len);
	if (!len)
		return 0;
	TRY(write_all(fd, out, len));
	tls_engine_output_done(e, len);
	return 0;
}

static void log_failure(struct tls_engine *e, int err)
{
	int sent = tls_engine_alert(e), received = tls_engine_peer_alert(e);
	const char *reason = tls_engine_reason(e);

	if (received >= 0)
		peer_log("handshake failed: alert %s received",
			 tls_alert_name(received));
	else if (sent >= 0)
		peer_log("handshake failed: alert %s sent: %s",
			 tls_alert_name(sent), reason);
	else
		peer_log("handshake failed: %s",
			 *reason ? reason : strerror(-err));
}

int peer_handshake(int fd, struct tls_engine *e, uint8_t *rest, size_t cap,
		   size_t *rest_len)
{
	int err = 0;

	*rest_len = 0;
	for (;;) {
		size_t consumed;
		ssize_t n;

		/* Our flight (or the alert of a failure) goes out first. */
		err = flush_engine(fd, e);
		if (err) {
			peer_log("handshake failed: send: %s", strerror(-err));
			return err;
		}
		if (tls_engine_error(e)) {
			log_failure(e, tls_engine_error(e));
			return tls_engine_error(e);
		}
		if (tls_engine_done(e))
			return 0;

		n = read(fd, rest, cap);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n ? -errno : -ECONNRESET;
			peer_log("handshake failed: %s",
				 n ? strerror(errno) :
				     "connection closed by the peer");
			return err;
		}
		peer_debug("handshake: read %zd bytes", n);
		if (tls_engine_feed(e, rest, n, &consumed))
			continue; /* its alert goes out at the top */
		/*
		 * The engine stops at the end of the last handshake record;
		 * what follows is application data for the record layer.
		 */
		if (tls_engine_done(e) && consumed < (size_t)n) {
			memmove(rest, rest + consumed, n - consumed);
			*rest_len = n - consumed;
		}
	}
}

void peer_print_result(const struct tls_result *res)
{
	const struct tls_suite *s = tls_suite_by_id(res->cipher_suite);

	/* CBC suites: which record protection (RFC 7366) */
	peer_log("version=%s cipher=%s group=%s alpn=%s peer=\"%s\" verified=%s "
		 "resumed=%s%s",
		 res->version == TLS_VERSION_1_3 ? "TLSv1.3" : "TLSv1.2",
		 s ? s->name : "unknown",
		 res->group ? kx_group_name(res->group) : "none",
		 res->alpn[0] ? res->alpn : "none", res->peer_subject,
		 res->peer_verified ? "yes" : "no", res->resumed ? "yes" : "no",
		 !s || !tls_suite_is_cbc(s) ? "" :
		 res->encrypt_then_mac ? " etm=yes" : " etm=no");
}
