// SPDX-License-Identifier: MIT
/*
 * ktlsod's workers and sessions (userspace/daemon/worker.c, session.c) on
 * real TCP sockets over loopback, with the two calls into the kernel
 * (TLS_TX/TLS_RX, DONE) caught by the session_ops seam:
 *
 *   peer thread: libktlso engine ── TCP 127.0.0.1 ── worker: session
 *   (client or server)                                 │ install() → keys[fd]
 *                                                      │ done()    → dones[]
 *
 * Checks what the kernel and the application would see: DONE's status,
 * alert and details; keys that are the peer's keys mirrored; the bytes
 * after the last handshake record still in the socket; a silent peer timed
 * out without delaying the others; shutdown ending what is in flight;
 * a requester the profile does not allow refused before a byte is sent;
 * session resumption: a libssl client resumes (TLS 1.3 ticket, TLS 1.2
 * session ID), DONE says resumed, and the TLS 1.3 NewSessionTicket went
 * out before the hand-off, counted in the sequence number of TLS_TX.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/tls.h>
#include <openssl/ssl.h>

#include "../lib/check.h"
#include "../lib/io.h"
#include "../lib/pki.h"
#include "../lib/tls_sock.h"
#include "config.h"
#include "engine/engine.h"
#include "session.h"
#include "wire/proto.h"
#include "worker.h"

#define EXTRA "APPLICATION DATA FOR THE KERNEL"
#define FD_MAX 1024
#define DONES_MAX 64
#define INFO_MAX 64

/* ---- the seam: what the kernel would have been told ---- */

struct keys {
	uint8_t tx[INFO_MAX], rx[INFO_MAX];
	size_t tx_len, rx_len;
};

struct done_rec {
	struct nl_done d;
	char alpn[256], subject[256];
	struct keys keys;
	struct timespec at;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct keys keys[FD_MAX];
	struct done_rec dones[DONES_MAX];
	bool seen[DONES_MAX];
	size_t n;
} sink = { .lock = PTHREAD_MUTEX_INITIALIZER,
	    .cond = PTHREAD_COND_INITIALIZER };

static int fake_install(void *ctx, int fd, int optname, const void *info,
			socklen_t len)
{
	struct keys *k;

	(void)ctx;
	if (fd < 0 || fd >= FD_MAX || len > INFO_MAX)
		return -EINVAL;
	pthread_mutex_lock(&sink.lock);
	k = &sink.keys[fd];
	memcpy(optname == TLS_TX ? k->tx : k->rx, info, len);
	*(optname == TLS_TX ? &k->tx_len : &k->rx_len) = len;
	pthread_mutex_unlock(&sink.lock);
	return 0;
}

static int fake_done(void *ctx, const struct nl_done *d)
{
	struct done_rec *r;

	(void)ctx;
	pthread_mutex_lock(&sink.lock);
	if (sink.n < DONES_MAX && d->fd >= 0 && d->fd < FD_MAX) {
		r = &sink.dones[sink.n++];
		r->d = *d;
		snprintf(r->alpn, sizeof(r->alpn), "%s", d->alpn ? d->alpn : "");
		snprintf(r->subject, sizeof(r->subject), "%s",
			 d->peer_subject ? d->peer_subject : "");
		r->d.alpn = r->alpn;
		r->d.peer_subject = r->subject;
		r->keys = sink.keys[d->fd];
		memset(&sink.keys[d->fd], 0, sizeof(sink.keys[d->fd]));
		clock_gettime(CLOCK_MONOTONIC, &r->at);
	}
	pthread_cond_broadcast(&sink.cond);
	pthread_mutex_unlock(&sink.lock);
	return 0;
}

static atomic_int released;

/* ktlsod gives the handshake's slot back here (slots.h). */
static void fake_release(void *ctx)
{
	(void)ctx;
	atomic_fetch_add(&released, 1);
}

static const struct session_ops ops = {
	.install = fake_install,
	.done = fake_done,
	.release = fake_release,
};

/* The DONE for fd not yet claimed, waiting up to ms; NULL if none came. */
static struct done_rec *wait_done(int fd, long ms)
{
	struct timespec until;
	struct done_rec *found = NULL;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&sink.lock);
	while (!found) {
		for (size_t i = 0; i < sink.n && !found; i++)
			if (!sink.seen[i] && sink.dones[i].d.fd == fd) {
				sink.seen[i] = true;
				found = &sink.dones[i];
			}
		if (!found && pthread_cond_timedwait(&sink.cond, &sink.lock,
						     &until) == ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&sink.lock);
	return found;
}

static long ms_between(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000 +
	       (b->tv_nsec - a->tv_nsec) / 1000000;
}

/* ---- sockets ---- */

/* A connected loopback pair: *ours goes to the daemon, *theirs to the
 * peer, which sends each flight at once. */
static int conn_pair(int *ours, int *theirs)
{
	int one = 1;

	if (tcp_pair("127.0.0.1", theirs, ours))
		return -1;
	(void)setsockopt(*theirs, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return 0;
}

/* ---- the peer: an engine on a blocking socket, in a thread ---- */

struct peer {
	int fd;
	struct tls_config cfg;
	struct tls_peer_request req;
	bool silent;		/* read, never answer */
	int err;
	bool done;
	struct tls_result res;
	pthread_t thread;
	bool joined;
};

static void *peer_main(void *arg)
{
	struct peer *p = arg;
	static __thread uint8_t buf[32 * 1024];
	struct tls_engine *e = tls_engine_new(&p->cfg, &p->req);
	/* Not checked: a daemon that hung up shows at the next recv or in
	 * its DONE. */
	int sent = 0;

	if (!e) {
		p->err = -errno;
		return NULL;
	}
	for (;;) {
		const uint8_t *out;
		size_t len, used;
		ssize_t n;

		tls_engine_output(e, &out, &len);
		if (tls_engine_done(e) && len + sizeof(EXTRA) <= sizeof(buf)) {
			/* The last flight and what follows it, in one segment */
			memcpy(buf, out, len);
			memcpy(buf + len, EXTRA, sizeof(EXTRA));
			sent = write_all(p->fd, buf, len + sizeof(EXTRA));
			tls_engine_output_done(e, len);
			break;
		}
		if (len && !p->silent) {
			sent = write_all(p->fd, out, len);
			tls_engine_output_done(e, len);
		}
		if (tls_engine_error(e))
			break;
		n = recv(p->fd, buf, sizeof(buf), 0);
		if (n <= 0) {
			p->err = -ECONNRESET;
			break;
		}
		if (tls_engine_feed(e, buf, n, &used))
			continue;	/* its alert goes out at the top */
	}
	(void)sent;
	if (!p->err)
		p->err = tls_engine_error(e);
	p->done = !p->err && !tls_engine_take_result(e, &p->res);
	tls_engine_free(e);
	return NULL;
}

static struct peer *peer_start(int fd, enum tls_role role, const char *id,
			       const char *ca, const char *alpn, bool silent)
{
	struct peer *p = calloc(1, sizeof(*p));
	char err[TLS_CONFIG_ERR] = "", chain[64], key[64];

	p->fd = fd;
	p->silent = silent;
	p->req.role = role;
	p->req.server_name = role == TLS_ROLE_CLIENT ? "localhost" : NULL;
	p->req.alpn = role == TLS_ROLE_CLIENT ? alpn : NULL;
	tls_config_init(&p->cfg);
	p->cfg.verify_peer = ca != NULL;
	snprintf(chain, sizeof(chain), "%s-chain.pem", id ? id : "");
	snprintf(key, sizeof(key), "%s.key", id ? id : "");
	if ((id && tls_config_load_identity(&p->cfg, pki(chain), pki(key),
					    err, sizeof(err))) ||
	    (ca && tls_config_load_trust(&p->cfg, pki(ca), NULL, 0, err,
					 sizeof(err))) ||
	    (role == TLS_ROLE_SERVER && alpn &&
	     tls_config_set_alpn(&p->cfg, alpn, err, sizeof(err)))) {
		fprintf(stderr, "peer config: %s\n", err);
		abort();
	}
	if (pthread_create(&p->thread, NULL, peer_main, p))
		abort();
	return p;
}

/* Wait for the peer's handshake to end on its own. */
static void peer_join(struct peer *p)
{
	if (!p->joined)
		pthread_join(p->thread, NULL);
	p->joined = true;
}

static void peer_finish(struct peer *p)
{
	shutdown(p->fd, SHUT_RDWR);
	peer_join(p);
	close(p->fd);
	tls_result_wipe(&p->res);
	tls_config_free(&p->cfg);
	free(p);
}

/* ---- the daemon side ---- */

static struct config *cfg;
static struct workers *workers;

/* Who the next submit() says asked; root unless a test changes it. */
static struct {
	bool known;
	uint32_t uid, gid, group;
	const char *cgroup;
} asker = { .known = true };

/* Hand a socket to the workers as ACCEPT would; returns the fd DONE names. */
static int submit(int sock, uint32_t role, const char *profile,
		  const char *peer_name, const char *alpn, uint32_t timeout_ms)
{
	struct nl_request req = {
		.fd = dup(sock),
		.role = role,
		.timeout_ms = timeout_ms,
	};
	struct session *s;
	int fd = req.fd;

	snprintf(req.profile, sizeof(req.profile), "%s", profile);
	snprintf(req.peer_name, sizeof(req.peer_name), "%s", peer_name);
	snprintf(req.alpn, sizeof(req.alpn), "%s", alpn ? alpn : "");
	req.who_known = asker.known;
	req.uid = asker.uid;
	req.gid = asker.gid;
	req.groups[0] = asker.group;
	req.n_groups = asker.group ? 1 : 0;
	snprintf(req.cgroup, sizeof(req.cgroup), "%s",
		 asker.cgroup ? asker.cgroup : "");
	s = session_new(&req, config_get(cfg), &ops);
	if (!s || workers_submit(workers, s))
		abort();
	return fd;
}

/* The <linux/tls.h> info a peer's result gives for one direction. */
static bool same_info(const struct tls_result *res, bool tx,
		      const uint8_t *info, size_t len)
{
	uint8_t want[INFO_MAX];
	size_t want_len;

	return !tls_result_crypto_info(res, tx, want, sizeof(want),
				       &want_len) &&
	       want_len == len && !memcmp(want, info, len);
}

/* What the daemon left in the socket once DONE was reported. */
static bool left_for_kernel(int sock, const char *want, size_t len)
{
	char buf[256];
	ssize_t n = recv(sock, buf, sizeof(buf), MSG_DONTWAIT);

	return n == (ssize_t)len && !memcmp(buf, want, len);
}

static void test_server_tls13(void)
{
	int ours, theirs, fd;
	struct peer *p;
	struct done_rec *r;

	if (conn_pair(&ours, &theirs))
		abort();
	p = peer_start(theirs, TLS_ROLE_CLIENT, "client", "root.pem",
		       "h2", false);
	fd = submit(ours, KTLSO_ROLE_SERVER, "web", "", "", 5000);
	r = wait_done(fd, 5000);
	peer_join(p);
	CHECK(r && r->d.status == 0 && r->d.alert == -1,
	      "server, TLS 1.3: DONE with status 0, no alert");
	if (!r || r->d.status || !p->done)
		goto out;
	CHECK(r->d.version == TLS_VERSION_1_3 &&
		      r->d.cipher_suite == p->res.cipher_suite,
	      "DONE: TLS 1.3 and the suite the client negotiated");
	CHECK(!strcmp(r->alpn, "h2"), "DONE: ALPN h2 chosen from the profile");
	CHECK(strstr(r->subject, "CN=client") && r->d.peer_verified,
	      "DONE: optional client certificate verified: \"%s\"", r->subject);
	CHECK(r->keys.tx_len == sizeof(struct tls12_crypto_info_aes_gcm_128) &&
		      same_info(&p->res, false, r->keys.tx, r->keys.tx_len),
	      "TLS_TX holds the client's receive key, IV and sequence");
	CHECK(same_info(&p->res, true, r->keys.rx, r->keys.rx_len),
	      "TLS_RX holds the client's send key, IV and sequence");
	CHECK(left_for_kernel(ours, EXTRA, sizeof(EXTRA)),
	      "the bytes after the client's Finished are left in the socket");
out:
	peer_finish(p);
	close(ours);
}

static void test_client_tls12(void)
{
	int ours, theirs, fd;
	struct peer *p;
	struct done_rec *r;

	if (conn_pair(&ours, &theirs))
		abort();
	p = peer_start(theirs, TLS_ROLE_SERVER, "server-rsa2048", NULL,
		       "http/1.1", false);
	fd = submit(ours, KTLSO_ROLE_CLIENT, "tls12", "localhost",
		    "h2,http/1.1", 5000);
	r = wait_done(fd, 5000);
	CHECK(r && r->d.status == 0 && r->d.version == TLS_VERSION_1_2,
	      "client, TLS 1.2 against an RSA server: DONE status 0");
	if (r && !r->d.status) {
		CHECK(r->d.cipher_suite ==
			      TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 &&
			      r->keys.tx_len ==
				      sizeof(struct tls12_crypto_info_aes_gcm_256),
		      "the profile's suite, AES-256-GCM keys installed");
		CHECK(!strcmp(r->alpn, "http/1.1") && r->d.peer_verified &&
			      strstr(r->subject, "CN=server rsa2048"),
		      "ALPN and the verified server subject \"%s\"", r->subject);
	}
	peer_finish(p);
	close(ours);
}

static void test_rejected_certificate(void)
{
	int ours, theirs, fd;
	struct peer *p;
	struct done_rec *r;

	if (conn_pair(&ours, &theirs))
		abort();
	p = peer_start(theirs, TLS_ROLE_SERVER, "server-expired", NULL, NULL,
		       false);
	fd = submit(ours, KTLSO_ROLE_CLIENT, "", "localhost", NULL, 5000);
	r = wait_done(fd, 5000);
	CHECK(r && r->d.status == EKEYREJECTED &&
		      r->d.alert == TLS_ALERT_CERTIFICATE_EXPIRED,
	      "expired server certificate: EKEYREJECTED, certificate_expired");
	CHECK(r && r->keys.tx_len == 0 && r->keys.rx_len == 0,
	      "no keys installed after a failure");
	peer_finish(p);
	close(ours);
}

static void test_refusals(void)
{
	static const struct {
		uint32_t role;
		const char *profile, *peer_name, *what;
	} cases[] = {
		{ KTLSO_ROLE_SERVER, "nope", "", "unknown profile" },
		{ KTLSO_ROLE_SERVER, "", "", "server on a profile without cert" },
		{ KTLSO_ROLE_CLIENT, "", "", "verifying client without a name" },
		{ KTLSO_ROLE_CLIENT, "noca", "localhost",
		  "verifying client without a ca" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ours, theirs, fd;
		struct done_rec *r;

		if (conn_pair(&ours, &theirs))
			abort();
		fd = submit(ours, cases[i].role, cases[i].profile,
			    cases[i].peer_name, NULL, 5000);
		r = wait_done(fd, 2000);
		CHECK(r && r->d.status == EINVAL && r->d.alert == -1,
		      "%s: EINVAL at once", cases[i].what);
		close(ours);
		close(theirs);
	}
}

/*
 * The profile's access list decides before the engine starts: a refusal
 * is EACCES with no alert and not one byte to the peer.
 */
static void test_access(void)
{
	static const struct {
		bool known;
		uint32_t uid, gid, group;
		const char *cgroup, *profile;
		uint32_t role;
		bool allowed;
		const char *what;
	} cases[] = {
		{ true, 65534, 65534, 0, "/user.slice", "web",
		  KTLSO_ROLE_SERVER, false, "nobody, keyed profile" },
		{ false, 0, 0, 0, NULL, "web", KTLSO_ROLE_SERVER, false,
		  "an older module that does not say who" },
		{ true, 1000, 1000, 0, "/user.slice", "shared",
		  KTLSO_ROLE_SERVER, false, "unlisted uid, listed profile" },
		{ true, 1001, 1000, 0, NULL, "shared", KTLSO_ROLE_SERVER, true,
		  "listed uid 1001" },
		{ true, 1000, 1000, 4242, NULL, "shared", KTLSO_ROLE_SERVER,
		  true, "listed supplementary group 4242" },
		{ true, 1000, 4242, 0, NULL, "shared", KTLSO_ROLE_SERVER, true,
		  "listed primary group 4242" },
		{ true, 1000, 1000, 0, "/system.slice/app.service/sub",
		  "shared", KTLSO_ROLE_SERVER, true, "under a listed cgroup" },
		{ true, 1000, 1000, 0, "/system.slice/app.service2",
		  "shared", KTLSO_ROLE_SERVER, false, "a sibling cgroup" },
		{ true, 65534, 65534, 0, NULL, "tls12", KTLSO_ROLE_CLIENT,
		  true, "nobody, keyless profile" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ours, theirs, fd;
		struct done_rec *r;
		struct timeval tv = { .tv_sec = 3 };
		char buf[16];
		ssize_t n;

		if (conn_pair(&ours, &theirs))
			abort();
		asker.known = cases[i].known;
		asker.uid = cases[i].uid;
		asker.gid = cases[i].gid;
		asker.group = cases[i].group;
		asker.cgroup = cases[i].cgroup;
		fd = submit(ours, cases[i].role, cases[i].profile,
			    "localhost", NULL, 1000);
		if (cases[i].allowed) {
			/* The engine ran: its first flight goes to the peer,
			 * or (server) it waits for one, then times out. */
			r = wait_done(fd, 3000);
			CHECK(r && r->d.status != EACCES,
			      "%s: allowed (DONE %d)", cases[i].what,
			      r ? (int)r->d.status : -1);
		} else {
			r = wait_done(fd, 2000);
			CHECK(r && r->d.status == EACCES && r->d.alert == -1,
			      "%s: EACCES, no alert", cases[i].what);
			/* Once both ends of ours close (the session's copy
			 * goes after DONE), the peer reads its end. */
			close(ours);
			ours = -1;
			(void)setsockopt(theirs, SOL_SOCKET, SO_RCVTIMEO, &tv,
					 sizeof(tv));
			n = recv(theirs, buf, sizeof(buf), 0);
			CHECK(n == 0, "%s: the peer got nothing, then the end "
			      "(%zd)", cases[i].what, n);
		}
		if (ours >= 0)
			close(ours);
		close(theirs);
	}
	asker.known = true;
	asker.uid = asker.gid = asker.group = 0;
	asker.cgroup = NULL;
}

/* What the application names reaches the log escaped: no forged line or field. */
static void test_log_escapes(void)
{
	char path[] = "/tmp/ktlsod-log-XXXXXX", text[2048] = "";
	int ours, theirs, fd, saved, logfd;
	struct done_rec *r;
	ssize_t n;

	logfd = mkstemp(path);
	if (logfd < 0 || conn_pair(&ours, &theirs))
		abort();
	fflush(stderr);
	saved = dup(2);
	dup2(logfd, 2);
	asker.cgroup = "/evil\"\nktlsod: handshake result=ok";
	fd = submit(ours, KTLSO_ROLE_SERVER, "x\nktlsod: forged result=ok",
		    "", NULL, 1000);
	r = wait_done(fd, 2000);
	/* The line is written after DONE: give the worker a moment. */
	usleep(100 * 1000);
	dup2(saved, 2);
	close(saved);
	asker.cgroup = NULL;
	n = pread(logfd, text, sizeof(text) - 1, 0);
	text[n > 0 ? n : 0] = '\0';
	close(logfd);
	unlink(path);
	fputs(text, stderr);
	CHECK(r && r->d.status == EINVAL, "unknown profile: EINVAL");
	CHECK(strstr(text, "profile=x\\x0aktlsod:\\x20forged\\x20result=ok "),
	      "the profile's newline and blanks are escaped in its field");
	CHECK(strstr(text, "cgroup=\"/evil\\x22\\x0aktlsod:"),
	      "the cgroup's quote and newline are escaped");
	CHECK(!strstr(text, "\nktlsod: forged") &&
		      !strstr(text, "\nktlsod: handshake result=ok"),
	      "no forged line");
	close(ours);
	close(theirs);
}

static void test_peer_closes(void)
{
	int ours, theirs, fd;
	struct done_rec *r;

	if (conn_pair(&ours, &theirs))
		abort();
	fd = submit(ours, KTLSO_ROLE_SERVER, "web", "", NULL, 5000);
	close(theirs);
	r = wait_done(fd, 2000);
	CHECK(r && r->d.status == ECONNRESET,
	      "peer closes before its ClientHello: ECONNRESET");
	close(ours);
}

/* A silent peer first, then many good ones on the same two workers. */
static void test_silent_peer(void)
{
	enum { N = 12, SILENT_MS = 800 };
	struct peer *silent, *good[N];
	int s_ours, s_theirs, ours[N], theirs[N], fds[N], s_fd;
	struct done_rec *r, *sr;
	struct timespec start, last_good = { 0 };
	int ok = 0;

	clock_gettime(CLOCK_MONOTONIC, &start);
	if (conn_pair(&s_ours, &s_theirs))
		abort();
	/* It takes our ClientHello and never answers. */
	silent = peer_start(s_theirs, TLS_ROLE_SERVER, "server-p256", NULL,
			    NULL, true);
	s_fd = submit(s_ours, KTLSO_ROLE_CLIENT, "", "localhost", NULL,
		      SILENT_MS);
	for (int i = 0; i < N; i++) {
		if (conn_pair(&ours[i], &theirs[i]))
			abort();
		good[i] = peer_start(theirs[i], TLS_ROLE_CLIENT, NULL,
				     "root.pem", NULL, false);
		fds[i] = submit(ours[i], KTLSO_ROLE_SERVER, "web", "", NULL,
				5000);
	}
	for (int i = 0; i < N; i++) {
		r = wait_done(fds[i], 5000);
		if (r && r->d.status == 0) {
			ok++;
			if (ms_between(&last_good, &r->at) > 0)
				last_good = r->at;
		}
	}
	sr = wait_done(s_fd, 5000);
	CHECK(ok == N, "%d of %d handshakes beside a silent peer succeed",
	      ok, N);
	/* A little before the kernel's own timer would fire */
	CHECK(sr && sr->d.status == ETIMEDOUT &&
		      ms_between(&start, &sr->at) >= SILENT_MS * 9 / 10 &&
		      ms_between(&start, &sr->at) <= SILENT_MS,
	      "the silent peer ends with ETIMEDOUT just inside its %d ms "
	      "(%ld ms)", SILENT_MS, sr ? ms_between(&start, &sr->at) : -1L);
	CHECK(sr && ok == N && ms_between(&last_good, &sr->at) > 0,
	      "every other handshake finished before it timed out "
	      "(last after %ld ms)", ms_between(&start, &last_good));
	for (int i = 0; i < N; i++) {
		peer_finish(good[i]);
		close(ours[i]);
	}
	peer_finish(silent);
	close(s_ours);
}

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

/*
 * A handshake in flight holds one descriptor, the socket ACCEPT handed
 * over, and nothing it would open mid-way: once ktlsod may hold no more,
 * a handshake that has sent its first flight must not need another
 * (issue 12: a timerfd opened after the ServerHello failed with EMFILE).
 * Its slot is released once it has ended.
 */
static void test_one_descriptor(void)
{
	int ours, theirs, fd, before, during, released_before;
	struct peer *silent;
	struct done_rec *r;

	if (conn_pair(&ours, &theirs))
		abort();
	silent = peer_start(theirs, TLS_ROLE_SERVER, "server-p256", NULL, NULL,
			    true);
	released_before = atomic_load(&released);
	before = open_fds();
	fd = submit(ours, KTLSO_ROLE_CLIENT, "", "localhost", NULL, 600);
	usleep(200 * 1000);	/* the ClientHello is out, the answer awaited */
	during = open_fds();
	CHECK(during - before == 1,
	      "a handshake waiting for its peer holds 1 descriptor (%d)",
	      during - before);
	r = wait_done(fd, 2000);
	usleep(50 * 1000);	/* session_free() follows DONE */
	CHECK(r && r->d.status == ETIMEDOUT && open_fds() == before &&
		      atomic_load(&released) == released_before + 1,
	      "ended: its descriptor closed, its slot released once");
	peer_finish(silent);
	close(ours);
}

/*
 * A request taken with less than 200 ms left (it waited for a slot) ends
 * at once with ETIMEDOUT, and its peer gets nothing.
 */
static void test_too_late(void)
{
	int ours, theirs, fd;
	struct done_rec *r;
	uint8_t byte;

	if (conn_pair(&ours, &theirs))
		abort();
	fd = submit(ours, KTLSO_ROLE_CLIENT, "", "localhost", NULL, 150);
	r = wait_done(fd, 1000);
	usleep(50 * 1000);
	CHECK(r && r->d.status == ETIMEDOUT &&
		      recv(theirs, &byte, 1, MSG_DONTWAIT) < 0 &&
		      errno == EAGAIN,
	      "150 ms left when taken: ETIMEDOUT at once, nothing sent");
	close(ours);
	close(theirs);
}

/* Stopping: in-flight handshakes get the drain time, then ECONNABORTED. */
static void test_stop(void)
{
	int ours, theirs, fd;
	struct peer *p;
	struct done_rec *r;
	struct timespec t0, t1;

	if (conn_pair(&ours, &theirs))
		abort();
	p = peer_start(theirs, TLS_ROLE_SERVER, "server-p256", NULL, NULL,
		       true);
	fd = submit(ours, KTLSO_ROLE_CLIENT, "", "localhost", NULL, 30000);
	usleep(50 * 1000);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	workers_stop(workers, 300);
	workers = NULL;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	r = wait_done(fd, 0);
	CHECK(r && r->d.status == ECONNABORTED,
	      "stop: a handshake still in flight ends with ECONNABORTED");
	CHECK(ms_between(&t0, &t1) >= 300 && ms_between(&t0, &t1) < 2000,
	      "stop waits out the drain time, no longer (%ld ms)",
	      ms_between(&t0, &t1));
	peer_finish(p);
	close(ours);
}


/* ---- resumption: a libssl client, which resumes ---- */

struct ossl_peer {
	int fd;
	SSL_CTX *ctx;
	SSL_SESSION *in, *out;	/* resume in; the session kept */
	bool connected, reused;
	pthread_t thread;
};

static void *ossl_main(void *arg)
{
	struct ossl_peer *o = arg;
	SSL *ssl = SSL_new(o->ctx);
	char byte;

	if (!ssl || !SSL_set_fd(ssl, o->fd) ||
	    (o->in && !SSL_set_session(ssl, o->in)))
		abort();
	o->connected = SSL_connect(ssl) == 1;
	o->reused = o->connected && SSL_session_reused(ssl);
	/* Up to the end of the stream: any NewSessionTicket is taken. */
	while (o->connected && SSL_read(ssl, &byte, 1) > 0)
		;
	o->out = SSL_get1_session(ssl);
	SSL_set_shutdown(ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
	SSL_free(ssl);
	return NULL;
}

/* One handshake of a libssl client with the daemon; its DONE. */
static struct done_rec *ossl_handshake(struct ossl_peer *o, const char *profile,
				       int *ours)
{
	struct done_rec *r;
	int theirs, fd;

	if (conn_pair(ours, &theirs))
		abort();
	o->fd = theirs;
	if (pthread_create(&o->thread, NULL, ossl_main, o))
		abort();
	fd = submit(*ours, KTLSO_ROLE_SERVER, profile, "", "", 5000);
	r = wait_done(fd, 5000);
	/* The kernel would take over here: end the stream instead. */
	shutdown(*ours, SHUT_RDWR);
	pthread_join(o->thread, NULL);
	close(theirs);
	close(*ours);
	return r;
}

/* The rec_seq of a TLS_TX info (the last 8 bytes of the AES-GCM-128 one) */
static uint64_t tx_seq(const struct done_rec *r)
{
	struct tls12_crypto_info_aes_gcm_128 info;
	uint64_t seq = 0;

	if (r->keys.tx_len != sizeof(info))
		return UINT64_MAX;
	memcpy(&info, r->keys.tx, sizeof(info));
	for (int i = 0; i < 8; i++)
		seq = seq << 8 | info.rec_seq[i];
	return seq;
}

static void test_resumption(int max_version, const char *profile,
			    uint64_t seq_after_ticket)
{
	struct ossl_peer first = { 0 }, second = { 0 };
	struct done_rec *r;
	int ours;

	first.ctx = SSL_CTX_new(TLS_client_method());
	if (!first.ctx || !SSL_CTX_set_max_proto_version(first.ctx, max_version))
		abort();
	SSL_CTX_set_verify(first.ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_session_cache_mode(first.ctx, SSL_SESS_CACHE_CLIENT);
	/* The stream ends without close_notify (the kernel's part) */
	SSL_CTX_set_options(first.ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
	if (max_version == TLS1_2_VERSION)
		SSL_CTX_set_options(first.ctx, SSL_OP_NO_TICKET);
	r = ossl_handshake(&first, profile, &ours);
	CHECK(r && r->d.status == 0 && first.connected && !r->d.resumed &&
		      tx_seq(r) == seq_after_ticket,
	      "profile %s: a full handshake, DONE resumed 0, TLS_TX's "
	      "sequence number %llu", profile,
	      (unsigned long long)seq_after_ticket);
	CHECK(first.out && SSL_SESSION_is_resumable(first.out),
	      "profile %s: the client keeps a resumable session", profile);
	second.ctx = first.ctx;
	second.in = first.out;
	r = ossl_handshake(&second, profile, &ours);
	CHECK(r && r->d.status == 0 && second.reused && r->d.resumed,
	      "profile %s: the next connection resumes: the client says so, "
	      "DONE says resumed", profile);
	SSL_SESSION_free(first.out);
	SSL_SESSION_free(second.out);
	SSL_CTX_free(first.ctx);
}

static const char conf[] =
	"[profile web]\n"
	"cert = server-p256-chain.pem\n"
	"key = server-p256.key\n"
	"ca = root.pem\n"
	"client_auth = optional\n"
	"alpn = h2,http/1.1\n"
	"[profile tls12]\n"
	"ca = root.pem\n"
	"max_version = 1.2\n"
	"suites = ECDHE-RSA-AES256-GCM-SHA384\n"
	"[profile noca]\n"
	"verify = yes\n"
	"[profile shared]\n"
	"cert = server-p256-chain.pem\n"
	"key = server-p256.key\n"
	"allow_users = 1001\n"
	"allow_groups = 4242\n"
	"allow_cgroups = /system.slice/app.service/\n"
	"[profile tickets]\n"
	"cert = server-p256-chain.pem\n"
	"key = server-p256.key\n"
	"tickets = on\n"
	"[profile ids]\n"
	"cert = server-p256-chain.pem\n"
	"key = server-p256.key\n"
	"session_cache = on\n"
	"[profile default]\n"
	"ca = root.pem\n";

int main(void)
{
	char err[CONFIG_ERR];
	const struct config_options o = { .system_ca = NULL };

	if (pki_make()) {
		CHECK(0, "test PKI");
		return check_summary();
	}
	if (config_load(pki_write("ktlsod.conf", conf), &o, &cfg, err,
			sizeof(err)) ||
	    workers_start(2, &workers)) {
		CHECK(0, "configuration and workers: %s", err);
		return check_summary();
	}
	test_server_tls13();
	test_client_tls12();
	test_rejected_certificate();
	test_refusals();
	test_access();
	test_log_escapes();
	test_peer_closes();
	test_silent_peer();
	test_one_descriptor();
	test_too_late();
	/* TLS 1.3: one NewSessionTicket record before the hand-off */
	test_resumption(TLS1_3_VERSION, "tickets", 1);
	test_resumption(TLS1_2_VERSION, "ids", 1);
	test_stop();
	config_put(cfg);
	pki_cleanup();
	return check_summary();
}
