// SPDX-License-Identifier: MIT
/*
 * Mode tls: libktlso's handshake engine runs in this process on the
 * blocking socket, then its keys go to the in-tree kTLS (TCP_ULP "tls",
 * TLS_TX, TLS_RX) and are wiped. The client does not send before the
 * server's "start", so the engine never reads past the handshake.
 */
#include <errno.h>
#include <linux/tls.h>
#include <netinet/tcp.h>
#include <openssl/crypto.h>
#include <string.h>
#include <unistd.h>

#include "perf.h"
#include "tls_suite.h"
#include "wire/proto.h"

int engine_config(struct perf_test *t, char *err, size_t errlen)
{
	struct tls_config *cfg = &t->tls_cfg;
	const char *v = t->p.tls[0] ? t->p.tls : NULL;

	tls_config_init(cfg);
	t->tls_cfg_ready = true;
	if (v)
		TRY(tls_config_set_versions(cfg, v, v, err, errlen));
	if (t->p.cipher[0])
		TRY(tls_config_set_suites(cfg, t->p.cipher, err, errlen));
	if (t->l.server) {
		if (!t->l.cert || !t->l.key) {
			snprintf(err, errlen, "mode tls needs --cert and --key "
				 "on the server");
			return -EINVAL;
		}
		return tls_config_load_identity(cfg, t->l.cert, t->l.key, err,
						errlen);
	}
	cfg->verify_peer = t->l.ca != NULL;
	if (t->l.ca)
		TRY(tls_config_load_trust(cfg, t->l.ca, NULL, 0, err, errlen));
	return 0;
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		ENSURE(n > 0, -errno);
		p += n;
		len -= n;
	}
	return 0;
}

/* The engine's flights out, the peer's bytes in, until done or failed. */
static int drive(struct tls_engine *e, int fd)
{
	uint8_t in[16384];

	for (;;) {
		const uint8_t *out;
		size_t len, used;
		ssize_t n;

		tls_engine_output(e, &out, &len);
		if (len) {
			TRY(write_all(fd, out, len));
			tls_engine_output_done(e, len);
		}
		if (tls_engine_error(e))
			return tls_engine_error(e);
		if (tls_engine_done(e))
			return 0;
		n = read(fd, in, sizeof(in));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n ? -errno : -ECONNRESET;
		if (tls_engine_feed(e, in, n, &used))
			continue; /* its alert goes out at the top */
		/* RFC 8446 §5.1: nothing may follow unseen; our peer waits. */
		ENSURE(used == (size_t)n, -EPROTO);
	}
}

static int install(int fd, const struct tls_result *res, char *err,
		   size_t errlen)
{
	static const int dirs[] = { TLS_TX, TLS_RX };
	union {
		struct tls_crypto_info hdr;
		uint8_t any[TLS_CRYPTO_INFO_MAX];
	} info;
	const struct tls_suite *s = tls_suite_by_id(res->cipher_suite);
	size_t len;
	int ret = 0;

	/* tls.ko has AEADs only: CBC's cipher types are ktlso.ko's own */
	if (s && tls_suite_is_cbc(s)) {
		snprintf(err, errlen, "mode tls: tls.ko has no %s", s->name);
		return -EOPNOTSUPP;
	}
	if (setsockopt(fd, SOL_TCP, TCP_ULP, "tls", sizeof("tls"))) {
		ret = -errno;
		snprintf(err, errlen, "mode tls unavailable: TCP_ULP \"tls\": %s%s",
			 strerror(errno),
			 errno == ENOENT ? " (is tls.ko loaded? modprobe tls)" : "");
		return ret;
	}
	for (size_t i = 0; i < 2 && !ret; i++) {
		ret = tls_result_crypto_info(res, dirs[i] == TLS_TX, &info,
					     sizeof(info), &len);
		if (!ret && setsockopt(fd, SOL_TLS, dirs[i], &info, len))
			ret = -errno;
		OPENSSL_cleanse(&info, sizeof(info));
	}
	if (ret)
		snprintf(err, errlen, "mode tls: %s: %s",
			 ret == -EOPNOTSUPP ? "the suite has no kernel cipher" :
					      "installing the keys",
			 strerror(-ret));
	return ret;
}

int engine_handshake(struct perf_test *t, int fd, bool server, char *err,
		     size_t errlen)
{
	struct tls_peer_request req = {
		.role = server ? TLS_ROLE_SERVER : TLS_ROLE_CLIENT,
		.server_name = server ? NULL : (t->l.name ? t->l.name : t->l.host),
	};
	struct tls_result res;
	struct tls_engine *e;
	int ret;

	if (!t->tls_cfg_ready) {
		ret = engine_config(t, err, errlen);
		if (ret)
			return ret;
	}
	e = tls_engine_new(&t->tls_cfg, &req);
	if (!e) {
		snprintf(err, errlen, "mode tls: engine: %s", strerror(errno));
		return -errno;
	}
	ret = drive(e, fd);
	if (ret) {
		int a = tls_engine_alert(e) >= 0 ? tls_engine_alert(e) :
						   tls_engine_peer_alert(e);
		const char *why = tls_engine_reason(e);

		snprintf(err, errlen, "mode tls: handshake failed: %s%s%s%s",
			 strerror(-ret), a >= 0 ? " (alert " : "",
			 a >= 0 ? tls_alert_name(a) : "", a >= 0 ? ")" : "");
		if (*why)
			snprintf(err + strlen(err), errlen - strlen(err), ": %s", why);
		tls_engine_free(e);
		return ret;
	}
	ret = tls_engine_take_result(e, &res);
	tls_engine_free(e);
	if (ret) {
		snprintf(err, errlen, "mode tls: %s", strerror(-ret));
		return ret;
	}
	snprintf(t->me.cipher, sizeof(t->me.cipher), "%s %s",
		 res.version == TLS_VERSION_1_3 ? "TLSv1.3" : "TLSv1.2",
		 tls_suite_by_id(res.cipher_suite) ?
			 tls_suite_by_id(res.cipher_suite)->name : "unknown");
	ret = install(fd, &res, err, errlen);
	tls_result_wipe(&res);
	return ret;
}
