// SPDX-License-Identifier: MIT
/*
 * ktlso perf -s [-p PORT] [-1] [--cert F --key F] [--profile P]
 * ktlso perf -c HOST [-p PORT] [-t SECS] [-n BYTES] [-P STREAMS] [-R]
 *            [--bidir] [-l LEN] [--sendfile FILE] [--mode M] [--cipher C]
 *            [--tls 1.2|1.3] [-J] [-i SECS] [--name N] [--ca F] [--profile P]
 *
 * Exit status: 0 done, 1 the test failed (said why), 2 bad options.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "perf.h"

static const char *const modes[] = {
	[MODE_KTLSO] = "ktlso", [MODE_TLS] = "tls", [MODE_TCP] = "tcp",
	[MODE_OPENSSL] = "openssl",
};

const char *mode_name(enum perf_mode m)
{
	return modes[m];
}

int mode_parse(const char *s, enum perf_mode *m)
{
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcmp(s, modes[i])) {
			*m = i;
			return 0;
		}
	return -EINVAL;
}

static int usage(void)
{
	fputs("usage: ktlso perf -s [-p PORT] [-1] [--cert FILE --key FILE] [--profile NAME]\n"
	      "       ktlso perf -c HOST [-p PORT] [-t SECS | -n BYTES] [-P STREAMS]\n"
	      "                  [-R | --bidir] [-l LEN] [--sendfile FILE]\n"
	      "                  [--mode ktlso|tls|tcp|openssl] [--cipher NAME] [--tls 1.2|1.3]\n"
	      "                  [-J] [-i SECS] [--name NAME] [--ca FILE] [--profile NAME]\n"
	      "                  [--control-tls]\n"
	      "See ktlso(1), PERF.\n", stderr);
	return 2;
}

/* The test failed: one line, as iperf3 words it (-J: a JSON document). */
static int fail(const struct perf_test *t, const char *msg, int err)
{
	char buf[640];

	if (err > 0)
		snprintf(buf, sizeof(buf), "%s: %s", msg, strerror(err));
	else
		snprintf(buf, sizeof(buf), "%s", msg);
	if (isatty(STDERR_FILENO))
		fputc('\n', stderr);
	fprintf(stderr, "ktlso perf: error - %s\n", buf);
	if (t->l.json && !t->l.server) {
		printf("{\"error\":\"");
		for (const char *p = buf; *p; p++)
			printf(*p == '"' || *p == '\\' ? "\\%c" :
			       (unsigned char)*p < 0x20 ? "?" : "%c", *p);
		printf("\"}\n");
	}
	return 1;
}

/* "128K", "10M", "1G" (powers of 1024, as iperf3). */
static int parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	double v;

	ENSURE(*s >= '0' && *s <= '9', -EINVAL);
	v = strtod(s, &end);
	switch (*end) {
	case 'k': case 'K': v *= 1024; end++; break;
	case 'm': case 'M': v *= 1024 * 1024; end++; break;
	case 'g': case 'G': v *= 1024.0 * 1024 * 1024; end++; break;
	}
	ENSURE(!*end && v >= min && v <= max, -EINVAL);
	*out = v;
	return 0;
}

static int parse_secs(const char *s, double min, double max, double *out)
{
	char *end;

	ENSURE(*s >= '0' && *s <= '9', -EINVAL);
	*out = strtod(s, &end);
	ENSURE(!*end && *out >= min && *out <= max, -EINVAL);
	return 0;
}

enum { OPT_BIDIR = 256, OPT_SENDFILE, OPT_MODE, OPT_CIPHER, OPT_TLS,
       OPT_PROFILE, OPT_NAME, OPT_CERT, OPT_KEY, OPT_CA, OPT_CONTROL_TLS };

static int parse(int argc, char **argv, struct perf_test *t)
{
	static const struct option opts[] = {
		{ "server", no_argument, NULL, 's' },
		{ "client", required_argument, NULL, 'c' },
		{ "port", required_argument, NULL, 'p' },
		{ "time", required_argument, NULL, 't' },
		{ "bytes", required_argument, NULL, 'n' },
		{ "parallel", required_argument, NULL, 'P' },
		{ "reverse", no_argument, NULL, 'R' },
		{ "bidir", no_argument, NULL, OPT_BIDIR },
		{ "length", required_argument, NULL, 'l' },
		{ "sendfile", required_argument, NULL, OPT_SENDFILE },
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "cipher", required_argument, NULL, OPT_CIPHER },
		{ "tls", required_argument, NULL, OPT_TLS },
		{ "json", no_argument, NULL, 'J' },
		{ "interval", required_argument, NULL, 'i' },
		{ "one-off", no_argument, NULL, '1' },
		{ "profile", required_argument, NULL, OPT_PROFILE },
		{ "name", required_argument, NULL, OPT_NAME },
		{ "cert", required_argument, NULL, OPT_CERT },
		{ "key", required_argument, NULL, OPT_KEY },
		{ "ca", required_argument, NULL, OPT_CA },
		{ "control-tls", no_argument, NULL, OPT_CONTROL_TLS },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct perf_params *p = &t->p;
	unsigned long ul;
	uint64_t u;
	int c;

	while ((c = getopt_long(argc, argv, "sc:p:t:n:P:Rl:Ji:1h", opts, NULL)) != -1) {
		switch (c) {
		case 's': t->l.server = true; break;
		case 'c': t->l.host = optarg; break;
		case 'p': TRY(parse_uint(optarg, 1, 65535, &ul)); t->l.port = ul; break;
		case 't': TRY(parse_secs(optarg, 0.1, 86400, &p->seconds)); break;
		case 'n': TRY(parse_size(optarg, 1, UINT64_MAX / 2, &p->bytes)); break;
		case 'P': TRY(parse_uint(optarg, 1, PERF_MAX_STREAMS, &ul)); p->streams = ul; break;
		case 'R': p->reverse = true; break;
		case OPT_BIDIR: p->bidir = true; break;
		case 'l': TRY(parse_size(optarg, 1, 16 << 20, &u)); p->len = u; break;
		case OPT_SENDFILE: t->l.sendfile = optarg; break;
		case OPT_MODE: TRY(mode_parse(optarg, &p->mode)); break;
		case OPT_CIPHER: TRY(set_field(p->cipher, sizeof(p->cipher), optarg)); break;
		case OPT_TLS:
			ENSURE(!strcmp(optarg, "1.2") || !strcmp(optarg, "1.3"), -EINVAL);
			strcpy(p->tls, optarg);
			break;
		case 'J': t->l.json = true; break;
		case 'i': TRY(parse_secs(optarg, 0, 3600, &p->interval)); break;
		case '1': t->l.one_off = true; break;
		case OPT_PROFILE: t->l.profile = optarg; break;
		case OPT_NAME: t->l.name = optarg; break;
		case OPT_CERT: t->l.cert = optarg; break;
		case OPT_KEY: t->l.key = optarg; break;
		case OPT_CA: t->l.ca = optarg; break;
		case OPT_CONTROL_TLS: t->l.control_tls = true; break;
		default: return -EINVAL;
		}
	}
	ENSURE(optind == argc && (t->l.server != !!t->l.host), -EINVAL);
	return 0;
}

/* What the options say together; a line on stderr for the first conflict. */
static int coherent(const struct perf_test *t)
{
	const struct perf_params *p = &t->p;
	const char *why = NULL;

	if (p->reverse && p->bidir)
		why = "-R and --bidir together";
	else if (t->l.server && t->l.control_tls)
		why = "--control-tls is the client's: the server tells a TLS "
		      "control connection by its first byte";
	else if (t->l.sendfile && (p->reverse || p->bidir))
		why = "--sendfile: only the client sends from a file (no -R, --bidir)";
	else if (t->l.sendfile && p->mode == MODE_OPENSSL)
		why = "--sendfile: mode openssl seals in userspace (libssl's "
		      "SSL_sendfile needs its kTLS, which this mode leaves off)";
	else if ((p->cipher[0] || p->tls[0]) &&
		 (p->mode == MODE_TCP || p->mode == MODE_KTLSO))
		why = p->mode == MODE_TCP ? "--cipher/--tls: mode tcp has no TLS" :
		      "--cipher/--tls: in mode ktlso the ktlsod.conf profile "
		      "decides (--profile)";
	if (why)
		fprintf(stderr, "ktlso perf: %s\n", why);
	return why ? -EINVAL : 0;
}

static void addrs(struct perf_stream *s)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (!getsockname(s->fd, (struct sockaddr *)&ss, &len))
		sockaddr_str(&ss, len, s->local, sizeof(s->local));
	len = sizeof(ss);
	if (!getpeername(s->fd, (struct sockaddr *)&ss, &len))
		sockaddr_str(&ss, len, s->remote, sizeof(s->remote));
	s->id = s->fd;
}

static int dial(const struct perf_test *t)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	char port[8];
	int fd = -EHOSTUNREACH;

	snprintf(port, sizeof(port), "%u", t->l.port);
	if (getaddrinfo(t->l.host, port, &hints, &res))
		return -EHOSTUNREACH;
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			fd = -errno;
			continue;
		}
		if (!connect(fd, ai->ai_addr, ai->ai_addrlen))
			break;
		close(fd);
		fd = -errno;
	}
	freeaddrinfo(res);
	return fd;
}

/* How many streams, and which of them this side sends on. */
static void streams_init(struct perf_test *t)
{
	t->n = t->p.streams * (t->p.bidir ? 2 : 1);
	for (unsigned int i = 0; i < t->n; i++) {
		bool client_sends = t->p.bidir ? i < t->p.streams : !t->p.reverse;

		t->s[i] = (struct perf_stream){ .fd = -1 };
		t->s[i].sender = t->l.server ? !client_sends : client_sends;
	}
}

static void cleanup(struct perf_test *t)
{
	for (unsigned int i = 0; i < t->n; i++)
		stream_close(&t->s[i]);
	if (t->ctl >= 0)
		close(t->ctl);
	t->ctl = -1;
	free(t->json_intervals);
	t->json_intervals = NULL;
	t->json_len = t->json_cap = 0;
	memset(&t->me, 0, sizeof(t->me));
	memset(&t->peer, 0, sizeof(t->peer));
	strcpy(t->control_cipher, "none");
}

/* The server's reason, if it sent one, after a stream failed here. */
static void server_reason(struct perf_test *t)
{
	char line[300];

	if (!ctl_recv_line(t->ctl, line, sizeof(line), 2000) &&
	    !strncmp(line, "error ", 6))
		fprintf(stderr, "ktlso perf: server: %s\n", line + 6);
}

static int client(struct perf_test *t)
{
	char err[512] = "";
	int ret;

	if (t->p.mode == MODE_TLS && (ret = engine_config(t, err, sizeof(err))))
		return fail(t, err, 0);
	if (t->p.mode == MODE_OPENSSL && (ret = ossl_context(t, err, sizeof(err))))
		return fail(t, err, 0);
	if (!t->l.json)
		fprintf(t->out, "Connecting to host %s, port %u%s\n", t->l.host,
			t->l.port, t->l.control_tls ? ", control over TLS (ktlsod)" : "");
	t->ctl = dial(t);
	if (t->ctl < 0) {
		snprintf(err, sizeof(err), "unable to connect to server %s port %u",
			 t->l.host, t->l.port);
		return fail(t, err, -t->ctl);
	}
	if (t->l.control_tls &&
	    (ret = perf_ktlso_handshake(t, "--control-tls", t->ctl, false,
					t->control_cipher, sizeof(t->control_cipher),
					err, sizeof(err))))
		return fail(t, err[0] ? err : "control connection", err[0] ? 0 : -ret);
	ret = ctl_send_params(t->ctl, &t->p);
	if (!ret)
		ret = ctl_wait_reply(t->ctl, err, sizeof(err));
	if (ret)
		return fail(t, err[0] ? err : "control connection", err[0] ? 0 : -ret);
	streams_init(t);
	for (unsigned int i = 0; i < t->n; i++) {
		struct perf_stream *s = &t->s[i];

		s->fd = dial(t);
		if (s->fd < 0)
			return fail(t, "data connection", -s->fd);
		ret = ctl_send_line(s->fd, "stream %u", i);
		if (!ret)
			ret = stream_client_setup(t, s, err, sizeof(err));
		if (ret) {
			server_reason(t);
			return fail(t, err[0] ? err : "data connection",
				    err[0] ? 0 : -ret);
		}
		addrs(s);
		report_connected(t, s);
	}
	/* Only now may the server send: in TLS 1.2 its handshake ends
	 * before ours, and bytes past the handshake would reach our engine. */
	ret = ctl_send_line(t->ctl, "ready");
	if (!ret)
		ret = ctl_recv_line(t->ctl, err, sizeof(err), PERF_SETUP_TIMEOUT_MS);
	if (ret || strcmp(err, "start")) {
		if (!ret && !strncmp(err, "error ", 6))
			return fail(t, err, 0);
		return fail(t, "the server did not start the test", ret ? -ret : EPROTO);
	}
	report_header(t);
	ret = run_test(t);
	if (isatty(STDERR_FILENO) && (t->l.json || !t->p.interval))
		fputc('\n', stderr);
	if (ret)
		return fail(t, "test", -ret);
	ret = ctl_send_results(t);
	if (!ret)
		ret = ctl_recv_results(t);
	if (ret)
		return fail(t, "results from the server", -ret);
	report_end(t);
	return 0;
}

static int listen_on(unsigned int port)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd, one = 1, zero = 0;

	fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
		if (!bind(fd, (struct sockaddr *)&a6, sizeof(a6)) && !listen(fd, 64))
			return fd;
		close(fd);
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a4, sizeof(a4)) || listen(fd, 64)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static int accept_timeout(int lfd)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	int fd;

	if (poll(&p, 1, PERF_SETUP_TIMEOUT_MS) <= 0)
		return -ETIMEDOUT;
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* A client's --control-tls: its first byte opens a TLS handshake record
 * (RFC 8446 §5.1, ContentType handshake), where ours would be "ktlso-perf". */
static int control_is_tls(int fd, bool *tls)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	unsigned char first;
	ssize_t n;

	ENSURE(poll(&p, 1, PERF_SETUP_TIMEOUT_MS) > 0, -ETIMEDOUT);
	n = recv(fd, &first, 1, MSG_PEEK);
	ENSURE(n >= 0, -errno);
	ENSURE(n == 1, -ECONNRESET);
	*tls = first == 0x16;
	return 0;
}

/* One test: the client's parameters, its streams, the run, the results. */
static int serve_one(struct perf_test *t, int lfd)
{
	double interval = t->p.interval; /* the server's own -i */
	char err[512] = "", line[64];
	bool tls = false;
	int ret;

	ret = control_is_tls(t->ctl, &tls);
	if (!ret && tls)
		ret = perf_ktlso_handshake(t, "control connection over TLS", t->ctl,
					   true, t->control_cipher,
					   sizeof(t->control_cipher), err, sizeof(err));
	if (ret)
		return fail(t, err[0] ? err : "control connection", err[0] ? 0 : -ret);
	if (tls && !t->l.json)
		fprintf(t->out, "Control connection over TLS (ktlsod): %s\n",
			t->control_cipher);
	memset(&t->p, 0, sizeof(t->p));
	t->p.interval = interval;
	t->p.streams = 1;
	t->p.len = PERF_DEFAULT_LEN;
	ret = ctl_recv_params(t->ctl, &t->p, err, sizeof(err));
	if (ret) {
		(void)!ctl_send_line(t->ctl, "ktlso-perf 1 error %s",
				     err[0] ? err : "no parameters");
		return fail(t, err[0] ? err : "client hello", err[0] ? 0 : -ret);
	}
	if (t->p.mode == MODE_TLS)
		ret = engine_config(t, err, sizeof(err));
	else if (t->p.mode == MODE_OPENSSL && !t->ssl_ctx)
		ret = ossl_context(t, err, sizeof(err));
	if (ret) {
		(void)!ctl_send_line(t->ctl, "ktlso-perf 1 error %s", err);
		return fail(t, err, 0);
	}
	t->p.interval = interval;
	TRY(ctl_reply(t->ctl, "ok"));
	streams_init(t);
	for (unsigned int i = 0; i < t->n; i++) {
		struct perf_stream *s = &t->s[i];
		char want[32];

		s->fd = accept_timeout(lfd);
		if (s->fd < 0)
			return fail(t, "data connection", -s->fd);
		snprintf(want, sizeof(want), "stream %u", i);
		ret = ctl_recv_line(s->fd, line, sizeof(line), PERF_SETUP_TIMEOUT_MS);
		if (ret || strcmp(line, want))
			return fail(t, "data connection: not the stream expected", EPROTO);
		ret = stream_server_setup(t, s, err, sizeof(err));
		if (ret) {
			(void)!ctl_send_line(t->ctl, "error %s", err);
			return fail(t, err[0] ? err : "stream setup", err[0] ? 0 : -ret);
		}
		addrs(s);
		report_connected(t, s);
	}
	ret = ctl_recv_line(t->ctl, line, sizeof(line), PERF_SETUP_TIMEOUT_MS);
	if (ret || strcmp(line, "ready"))
		return fail(t, "the client did not get ready", ret ? -ret : EPROTO);
	TRY(ctl_send_line(t->ctl, "start"));
	report_header(t);
	ret = run_test(t);
	if (ret)
		return fail(t, "test", -ret);
	ret = ctl_recv_results(t);
	if (!ret)
		ret = ctl_send_results(t);
	if (ret)
		return fail(t, "results", -ret);
	report_end(t);
	return 0;
}

static int server(struct perf_test *t)
{
	int lfd = listen_on(t->l.port), status = 0;

	if (lfd < 0)
		return fail(t, "listen", -lfd);
	for (;;) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		char peer[80];

		if (!t->l.json)
			fprintf(t->out, "-----------------------------------------------------------\n"
				"Server listening on %u\n"
				"-----------------------------------------------------------\n",
				t->l.port);
		fflush(t->out);
		t->ctl = accept4(lfd, (struct sockaddr *)&ss, &len, SOCK_CLOEXEC);
		if (t->ctl < 0) {
			status = fail(t, "accept", errno);
			if (errno == EINTR)
				continue;
			break;
		}
		sockaddr_str(&ss, len, peer, sizeof(peer));
		if (!t->l.json)
			fprintf(t->out, "Accepted connection from %s\n", peer);
		fflush(t->out);
		status = serve_one(t, lfd);
		cleanup(t);
		if (t->ssl_ctx) {
			SSL_CTX_free(t->ssl_ctx);
			t->ssl_ctx = NULL;
		}
		if (t->tls_cfg_ready) {
			tls_config_free(&t->tls_cfg);
			t->tls_cfg_ready = false;
		}
		if (t->l.one_off)
			break;
	}
	close(lfd);
	return status;
}

static int open_sendfile(struct perf_test *t)
{
	struct stat st;

	t->file_fd = open(t->l.sendfile, O_RDONLY | O_CLOEXEC);
	if (t->file_fd < 0)
		return fail(t, t->l.sendfile, errno);
	if (fstat(t->file_fd, &st) || !S_ISREG(st.st_mode) || !st.st_size)
		return fail(t, "--sendfile: not a regular file with data", EINVAL);
	t->file_size = st.st_size;
	return 0;
}

int main(int argc, char **argv)
{
	static struct perf_test t = {
		.p = { .mode = MODE_KTLSO, .streams = 1, .len = PERF_DEFAULT_LEN,
		       .seconds = 10, .interval = 1 },
		.l = { .port = PERF_DEFAULT_PORT },
		.ctl = -1, .file_fd = -1, .control_cipher = "none",
	};

	signal(SIGPIPE, SIG_IGN);
	if (parse(argc, argv, &t) || coherent(&t))
		return usage();
	t.out = stdout;
	if (t.l.sendfile && open_sendfile(&t))
		return 1;
	t.buf = malloc(t.l.server ? 16 << 20 : t.p.len);
	if (!t.buf || getrandom(t.buf, t.l.server ? 4096 : (t.p.len < 4096 ? t.p.len : 4096), 0) < 0)
		return fail(&t, "buffer", ENOMEM);
	return t.l.server ? server(&t) : client(&t);
}
