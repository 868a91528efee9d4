// SPDX-License-Identifier: MIT
/* One handshake on a handed-over socket (session.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include <linux/tls.h>
#include <openssl/crypto.h>

#include "client_resume.h"
#include "crypto/kx.h"
#include "engine/engine.h"
#include "log.h"
#include "session.h"
#include "tls_suite.h"
#include "wire/proto.h"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

/* How much sooner than the kernel a session gives up (session_timeout_ms) */
#define MARGIN_MS 100
/*
 * A request that waited in the kernel (every slot in use) until less than
 * this was left is not started: its peer would get our first flight and
 * then, most likely, silence, and a TLS 1.3 client completes before its
 * server does, so it would believe in a connection its server gave up.
 */
#define START_MIN_MS 200

enum phase {
	PHASE_HANDSHAKE,	/* the engine runs */
	PHASE_FLUSH,		/* complete: its last flight is going out */
	PHASE_ENDED,		/* DONE reported */
};

struct session {
	int fd;
	struct nl_request req;
	struct config *cfg;
	const struct profile *profile;
	const struct session_ops *ops;
	struct tls_engine *e;
	struct tls_result res;
	enum phase phase;
	struct timespec started;
	char peer[INET6_ADDRSTRLEN + 8];
};

int session_setsockopt(void *ctx, int fd, int optname, const void *info,
		       socklen_t len)
{
	(void)ctx;
	return setsockopt(fd, SOL_TLS, optname, info, len) ? -errno : 0;
}

/* "192.0.2.1:443", "[2001:db8::1]:443" */
static void peer_text(int fd, char *out, size_t size)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char host[INET6_ADDRSTRLEN];

	snprintf(out, size, "?");
	if (getpeername(fd, (struct sockaddr *)&ss, &len))
		return;
	if (ss.ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
		snprintf(out, size, "%s:%u", host, ntohs(a->sin_port));
	} else if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
		snprintf(out, size, "[%s]:%u", host, ntohs(a->sin6_port));
	}
}

struct session *session_new(const struct nl_request *req, struct config *cfg,
			    const struct session_ops *ops)
{
	struct session *s = calloc(1, sizeof(*s));

	if (!s) {
		close(req->fd);
		config_put(cfg);
		return NULL;
	}
	s->fd = req->fd;
	s->req = *req;
	s->cfg = cfg;
	s->ops = ops;
	clock_gettime(CLOCK_MONOTONIC, &s->started);
	peer_text(s->fd, s->peer, sizeof(s->peer));
	return s;
}

int session_fd(const struct session *s)
{
	return s->fd;
}

struct timespec session_deadline(const struct session *s)
{
	uint32_t ms = s->req.timeout_ms, margin = ms / 10;
	struct timespec t = s->started;

	/*
	 * The kernel's timer for the request runs out at the same moment:
	 * give up a little earlier, so that the kernel hears ETIMEDOUT from
	 * us rather than the two racing.
	 */
	ms -= margin < MARGIN_MS ? margin : MARGIN_MS;
	t.tv_sec += ms / 1000;
	t.tv_nsec += (ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

static long elapsed_ms(const struct session *s)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - s->started.tv_sec) * 1000 +
	       (now.tv_nsec - s->started.tv_nsec) / 1000000;
}

/* " uid=33 gid=33 cgroup=\"/system.slice/x.service\"", or " uid=?" */
static void who_text(const struct nl_request *r, char *out, size_t size)
{
	char cg[512];

	if (!r->who_known) {
		snprintf(out, size, " uid=?");
		return;
	}
	log_escape(cg, sizeof(cg), r->cgroup[0] ? r->cgroup : "?");
	snprintf(out, size, " uid=%u gid=%u cgroup=\"%s\"", r->uid, r->gid,
		 cg);
}

static const char *errno_name(int err)
{
	const char *name = strerrorname_np(err);

	return name ? name : "error";
}

/* The one line per handshake (ktlsod(8), LOGGING). */
static void log_end(const struct session *s, int status, const char *why)
{
	const char *role = s->req.role == KTLSO_ROLE_CLIENT ? "client" :
							       "server";
	const struct tls_result *r = &s->res;
	const struct tls_suite *suite = tls_suite_by_id(r->cipher_suite);
	int sent = s->e ? tls_engine_alert(s->e) : -1;
	int got = s->e ? tls_engine_peer_alert(s->e) : -1;
	const char *profile = s->req.profile[0] ? s->req.profile :
						  CONFIG_DEFAULT_PROFILE;
	char alert[64] = "", who[700];

	who_text(&s->req, who, sizeof(who));
	if (!status) {
		/* CBC suites say which record protection they got (RFC 7366) */
		log_info("handshake peer=%s role=%s profile=%s%s version=%s "
			 "cipher=%s%s group=%s alpn=%s verified=%s resumed=%s "
			 "result=ok ms=%ld",
			 s->peer, role, LOG_ESC_WORD(profile), who,
			 r->version == TLS_VERSION_1_3 ? "TLSv1.3" : "TLSv1.2",
			 suite ? suite->name : "?",
			 !suite || !tls_suite_is_cbc(suite) ? "" :
			 r->encrypt_then_mac ? " etm=yes" : " etm=no",
			 r->group ? kx_group_name(r->group) :
			 r->resumed ? "-" : "rsa",
			 r->alpn[0] ? LOG_ESC_WORD(r->alpn) : "-",
			 r->peer_verified ? "yes" : "no",
			 r->resumed ? "yes" : "no", elapsed_ms(s));
		return;
	}
	if (got >= 0)
		snprintf(alert, sizeof(alert), " alert=%s/received",
			 tls_alert_name(got));
	else if (sent >= 0)
		snprintf(alert, sizeof(alert), " alert=%s/sent",
			 tls_alert_name(sent));
	/*
	 * The reason may quote the peer's certificate or what an application
	 * sent: escaped, its '"' too.
	 */
	log_msg(status == EACCES ? LOG_LVL_WARN : LOG_LVL_INFO,
		"handshake peer=%s role=%s profile=%s%s result=%s%s "
		"reason=\"%s\" ms=%ld", s->peer, role,
		LOG_ESC_WORD(profile), who, errno_name(status), alert,
		LOG_ESC(why), elapsed_ms(s));
}

/* Report DONE and log; the session has ended. */
static void end(struct session *s, int status, const char *why)
{
	const struct tls_result *r = &s->res;
	struct nl_done d = {
		.fd = s->fd,
		.status = status,
		.alert = -1,
	};
	int ret;

	if (s->phase == PHASE_ENDED)
		return;
	s->phase = PHASE_ENDED;
	if (status && s->e) {
		d.alert = tls_engine_alert(s->e);
		if (d.alert < 0)
			d.alert = tls_engine_peer_alert(s->e);
	}
	if (!status) {
		d.version = r->version;
		d.cipher_suite = r->cipher_suite;
		d.alpn = r->alpn;
		d.peer_subject = r->peer_subject;
		d.peer_verified = r->peer_verified;
		/* Before DONE: TLS 1.3 tickets may follow at once. */
		if (s->req.role == KTLSO_ROLE_CLIENT && s->profile)
			client_resume_keep(s->cfg, s->profile,
					   s->req.peer_name, s->fd, r);
		d.resumed = r->resumed;
		/* TLS 1.3: the kernel updates the keys from these on
		 * (Documentation/handshake.rst, "After the handshake").
		 */
		if (r->version == TLS_VERSION_1_3) {
			d.tx_secret = &r->tx.traffic_secret;
			d.rx_secret = &r->rx.traffic_secret;
			d.rekey_after = s->profile ? s->profile->rekey_after :
						     CONFIG_REKEY_AFTER_DEFAULT;
		}
	}
	ret = s->ops->done(s->ops->ctx, &d);
	/* -ESTALE: the request ended first (its timeout, a signal). */
	if (ret)
		log_msg(ret == -ESTALE ? LOG_LVL_DEBUG : LOG_LVL_WARN,
			"peer=%s: reporting DONE to the kernel: %s", s->peer,
			strerror(-ret));
	log_end(s, status, why);
	tls_result_wipe(&s->res);
}

/* A socket error as the application should see it (handshake-uapi). */
static int socket_status(int err)
{
	return err == EPIPE ? ECONNRESET : err;
}

/* The engine's sticky error as the application should see it. */
static int engine_status(const struct tls_engine *e)
{
	switch (tls_engine_error(e)) {
	case -EKEYREJECTED:
		return EKEYREJECTED;
	case -ECONNRESET:
		/* The peer's alert: close_notify is a close, others fail */
		return tls_engine_peer_alert(e) == TLS_ALERT_CLOSE_NOTIFY ?
			       ECONNRESET : EPROTO;
	case -EPROTO:
		return EPROTO;
	default:
		return -tls_engine_error(e);
	}
}

/* Send what the engine has queued: 0 when all is out, -EAGAIN if not. */
static int flush(struct session *s)
{
	const uint8_t *out;
	size_t len;

	for (;;) {
		ssize_t n;

		tls_engine_output(s->e, &out, &len);
		if (!len)
			return 0;
		n = send(s->fd, out, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EWOULDBLOCK ? -EAGAIN : -errno;
		tls_engine_output_done(s->e, n);
	}
}

static bool pending(const struct session *s)
{
	const uint8_t *out;
	size_t len;

	tls_engine_output(s->e, &out, &len);
	return len;
}

/* The keys into the kernel, each copy wiped once it is there. */
static int install_keys(struct session *s, const char **which)
{
	union {
		struct tls_crypto_info hdr;
		uint8_t any[TLS_CRYPTO_INFO_MAX];
	} info;
	static const int opts[] = { TLS_TX, TLS_RX };
	int ret = 0;

	for (int i = 0; i < 2 && !ret; i++) {
		size_t len;

		*which = opts[i] == TLS_TX ? "TLS_TX" : "TLS_RX";
		ret = tls_result_crypto_info(&s->res, opts[i] == TLS_TX, &info,
					     sizeof(info), &len);
		if (!ret)
			ret = s->ops->install(s->ops->ctx, s->fd, opts[i],
					      &info, len);
		OPENSSL_cleanse(&info, sizeof(info));
	}
	return ret;
}

static void succeed(struct session *s)
{
	const char *which = "";
	char why[128];
	int ret;

	ret = install_keys(s, &which);
	if (ret) {
		snprintf(why, sizeof(why), "installing %s: %s", which,
			 strerror(-ret));
		end(s, -ret, why);
		return;
	}
	end(s, 0, "");
}

static void fail_engine(struct session *s)
{
	/* The alert goes out if the socket takes it now; no waiting. */
	(void)flush(s);
	end(s, engine_status(s->e), tls_engine_reason(s->e));
}

void session_fail(struct session *s, int err)
{
	end(s, err, err == ETIMEDOUT ? "no answer from the peer in time" :
		    err == ECONNABORTED ? "ktlsod is stopping" :
					  strerror(err));
}

/* Who asked may use the profile (acl.h). */
static bool may_use(const struct session *s)
{
	const struct nl_request *r = &s->req;
	const struct acl_who who = {
		.known = r->who_known,
		.uid = r->uid,
		.gid = r->gid,
		.groups = r->groups,
		.n_groups = r->n_groups,
		.cgroup = r->cgroup[0] ? r->cgroup : NULL,
	};

	return acl_allows(&s->profile->acl, &who);
}

/* Why this profile cannot serve this request, or NULL. */
static const char *refusal(const struct session *s)
{
	const struct tls_config *t = &s->profile->tls;

	if (s->req.role == KTLSO_ROLE_SERVER)
		return t->chain ? NULL : "the profile has no cert for a server";
	if (!t->verify_peer)
		return NULL;
	if (!t->trust)
		return "the profile has no ca to verify the server with";
	/* A chain proves nothing without the name it must be for. */
	if (!s->req.peer_name[0])
		return "a verifying client needs the peer name";
	return NULL;
}

/* The engine, offering a client the session cached for its peer. */
static struct tls_engine *start_engine(struct session *s,
				       struct tls_peer_request *pr)
{
	struct tls_session *offer = NULL;
	struct tls_engine *e;
	int err;

	if (pr->role == TLS_ROLE_CLIENT && s->profile->tls.client_cache) {
		pr->keep_session = true;
		offer = malloc(sizeof(*offer));
		if (offer && client_resume_offer(s->profile, s->req.peer_name,
						 s->fd, offer))
			pr->session = offer;
	}
	e = tls_engine_new(&s->profile->tls, pr);
	err = errno;
	if (offer) {
		tls_session_wipe(offer);
		free(offer);
	}
	errno = err;
	return e;
}

uint32_t session_start(struct session *s, uint8_t *buf, size_t cap)
{
	struct tls_peer_request pr = {
		.role = s->req.role == KTLSO_ROLE_CLIENT ? TLS_ROLE_CLIENT :
							   TLS_ROLE_SERVER,
		.server_name = s->req.peer_name[0] ? s->req.peer_name : NULL,
		.alpn = s->req.alpn[0] ? s->req.alpn : NULL,
		/* What a peer can make it hold stays within handshake_memory */
		.max_message = tls_engine_max_message(s->cfg->handshake_memory),
	};
	const char *why;
	char text[256];
	long left;

	left = (long)s->req.timeout_ms - elapsed_ms(s);
	if (left < START_MIN_MS) {
		snprintf(text, sizeof(text), "only %ld ms left to start in",
			 left);
		end(s, ETIMEDOUT, text);
		return 0;
	}
	s->profile = config_profile(s->cfg, s->req.profile);
	if (!s->profile) {
		snprintf(text, sizeof(text), "no profile '%s' in %.160s",
			 s->req.profile, s->cfg->path);
		end(s, EINVAL, text);
		return 0;
	}
	/* Before the engine: a refusal puts no byte on the wire. */
	if (!may_use(s)) {
		end(s, EACCES, s->req.who_known ?
			"not allowed to use the profile" :
			"the kernel did not say who asked (an older ktlso.ko)");
		return 0;
	}
	why = refusal(s);
	if (why) {
		end(s, EINVAL, why);
		return 0;
	}
	s->e = start_engine(s, &pr);
	if (!s->e) {
		int err = errno;

		end(s, err, err == EINVAL ?
				    "the request does not fit the profile" :
				    strerror(err));
		return 0;
	}
	return session_step(s, buf, cap);
}

/* Read what the peer sent; feed it; take off the socket what was used. */
static int pull(struct session *s, uint8_t *buf, size_t cap)
{
	size_t consumed;
	ssize_t n, taken;

	n = recv(s->fd, buf, cap, MSG_PEEK | MSG_DONTWAIT);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	if (n == 0)
		return -ECONNRESET;	/* the peer closed */
	/*
	 * A failure is sticky: session_step() finds it in the engine. What
	 * the engine took before failing is still taken off the socket.
	 */
	if (tls_engine_feed(s->e, buf, n, &consumed))
		log_debug("peer=%s: %s", s->peer,
			  LOG_ESC(tls_engine_reason(s->e)));
	do
		taken = recv(s->fd, buf, consumed, MSG_DONTWAIT);
	while (taken < 0 && errno == EINTR);
	if (taken != (ssize_t)consumed)
		return taken < 0 ? -errno : -EIO;
	return 0;
}

uint32_t session_step(struct session *s, uint8_t *buf, size_t cap)
{
	char why[128];
	int ret;

	for (;;) {
		if (s->phase == PHASE_ENDED)
			return 0;
		if (tls_engine_error(s->e)) {
			fail_engine(s);
			return 0;
		}
		ret = flush(s);
		if (ret && ret != -EAGAIN)
			break;
		if (s->phase == PHASE_FLUSH) {
			if (ret)
				return EPOLLOUT;
			succeed(s);
			return 0;
		}
		if (tls_engine_done(s->e)) {
			ret = tls_engine_take_result(s->e, &s->res);
			if (ret)
				break;
			s->phase = PHASE_FLUSH;
			continue;
		}
		ret = pull(s, buf, cap);
		if (ret == -EAGAIN)
			return EPOLLIN | (pending(s) ? EPOLLOUT : 0);
		if (ret == -EINTR)
			continue;
		if (ret)
			break;
	}
	snprintf(why, sizeof(why), "%s",
		 ret == -ECONNRESET ? "connection closed by the peer" :
				      strerror(-ret));
	end(s, socket_status(-ret), why);
	return 0;
}

void session_free(struct session *s)
{
	const struct session_ops *ops;

	if (!s)
		return;
	ops = s->ops;
	if (s->fd >= 0)
		close(s->fd);
	tls_engine_free(s->e);
	tls_result_wipe(&s->res);
	config_put(s->cfg);
	OPENSSL_cleanse(s, sizeof(*s));
	free(s);
	/* Last: the slot is free once the socket and the memory are. */
	if (ops->release)
		ops->release(ops->ctx);
}
