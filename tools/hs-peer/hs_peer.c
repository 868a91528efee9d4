// SPDX-License-Identifier: MIT
/*
 * hs-peer: run libktlso's handshake engine against a real peer over TCP,
 * then carry stdin/stdout over the negotiated keys (see hs_peer.h).
 *
 *   hs-peer client --connect HOST:PORT --ca FILE [options]
 *   hs-peer server --listen PORT --cert FILE --key FILE [options]
 */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <openssl/crypto.h>

#include "hs_peer.h"
#include "resume/session_cache.h"
#include "resume/ticket.h"
#include "tls_suite.h"

#define MAX_CRLS 16
/* How long a closing connection waits for the peer to close too. */
#define LINGER_MS 1000

struct options {
	enum tls_role role;
	const char *connect, *servername, *reconnect_to;
	const char *listen;
	const char *tls, *cipher, *group, *alpn;
	const char *cert, *key, *ca, *ocsp, *ticket_key_file, *ticket_context;
	const char *crls[MAX_CRLS];
	size_t n_crls;
	bool no_verify, verify_client, optional_client, once, legacy, tickets;
	bool session_cache, reconnect;
	unsigned long ticket_lifetime;
};

bool peer_verbose;

static void vlog(const char *fmt, va_list ap)
{
	char line[1024];

	vsnprintf(line, sizeof(line), fmt, ap);
	fprintf(stderr, "hs-peer: %s\n", line);
}

void peer_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void peer_debug(const char *fmt, ...)
{
	va_list ap;

	if (!peer_verbose)
		return;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

static void usage(FILE *f)
{
	fputs(
"usage: hs-peer client --connect HOST:PORT (--ca FILE | --no-verify) [options]\n"
"       hs-peer server --listen PORT --cert FILE --key FILE [options]\n"
"\n"
"Runs libktlso's handshake engine over TCP, then copies stdin to the peer\n"
"and the peer's data to stdout. End of stdin sends close_notify; the peer's\n"
"close_notify ends the program (status 0). The negotiated parameters, or\n"
"the alert that ended the handshake, are printed on stderr.\n"
"\n"
"options:\n"
"  --tls 1.2|1.3         only this protocol version (default: both)\n"
"  --cipher LIST         cipher suites (IANA or OpenSSL names, ':' or ',')\n"
"  --group LIST          key exchange groups: x25519, P-256, P-384,\n"
"                        x448, P-521\n"
"  --alpn LIST           ALPN protocols offered (client) or spoken (server)\n"
"  --cert FILE --key FILE  our chain (PEM, leaf first) and private key\n"
"  --ca FILE             trust anchors for the peer's certificate (PEM)\n"
"  --crl FILE            check the peer's chain against this CRL (repeatable)\n"
"  --legacy              allow RSA key exchange and CBC suites\n"
"  -v, --verbose         say more on stderr\n"
"  -h, --help            this text\n"
"client:\n"
"  --connect HOST:PORT   the server ([v6addr]:PORT for IPv6)\n"
"  --servername NAME     SNI and the name to verify (default: HOST)\n"
"  --no-verify           do not verify the server's certificate\n"
"  --reconnect           after the connection, connect again offering its\n"
"                        session (TLS 1.3: the last ticket, as a PSK)\n"
"  --reconnect-to HOST:PORT  the same, to another server (same servername)\n"
"server:\n"
"  --listen PORT         TCP port (0: any free port, printed on stderr)\n"
"  --verify-client       require a client certificate (needs --ca)\n"
"  --optional-client     ask for a client certificate (needs --ca)\n"
"  --ocsp-staple FILE    DER OCSP response to staple\n"
"  --once                serve one connection and exit with its status\n"
"  --tickets             issue TLS 1.3 session tickets and resume from them,\n"
"                        under keys of this process\n"
"  --ticket-key-file FILE  the same, under the keys of FILE (ktlsod.conf(5))\n"
"  --ticket-lifetime SECONDS  how long a ticket resumes (default 7200)\n"
"  --ticket-context NAME  the profile a ticket is for (default hs-peer)\n"
"  --session-cache       TLS 1.2: give sessions IDs and resume them\n",
	      f);
}

static int bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int bad(const char *fmt, ...)
{
	va_list ap;

	fputs("hs-peer: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (try --help)\n", stderr);
	return PEER_USAGE;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	enum {
		OPT_CONNECT = 256, OPT_LISTEN, OPT_SERVERNAME, OPT_TLS,
		OPT_CIPHER, OPT_GROUP, OPT_ALPN, OPT_CERT, OPT_KEY, OPT_CA,
		OPT_CRL, OPT_OCSP, OPT_NO_VERIFY, OPT_VERIFY_CLIENT,
		OPT_OPTIONAL_CLIENT, OPT_ONCE, OPT_LEGACY, OPT_TICKETS,
		OPT_TICKET_KEY_FILE, OPT_TICKET_LIFETIME, OPT_TICKET_CONTEXT,
		OPT_SESSION_CACHE, OPT_RECONNECT, OPT_RECONNECT_TO,
	};
	static const struct option longopts[] = {
		{ "connect", required_argument, NULL, OPT_CONNECT },
		{ "listen", required_argument, NULL, OPT_LISTEN },
		{ "servername", required_argument, NULL, OPT_SERVERNAME },
		{ "tls", required_argument, NULL, OPT_TLS },
		{ "cipher", required_argument, NULL, OPT_CIPHER },
		{ "group", required_argument, NULL, OPT_GROUP },
		{ "alpn", required_argument, NULL, OPT_ALPN },
		{ "cert", required_argument, NULL, OPT_CERT },
		{ "key", required_argument, NULL, OPT_KEY },
		{ "ca", required_argument, NULL, OPT_CA },
		{ "crl", required_argument, NULL, OPT_CRL },
		{ "ocsp-staple", required_argument, NULL, OPT_OCSP },
		{ "no-verify", no_argument, NULL, OPT_NO_VERIFY },
		{ "verify-client", no_argument, NULL, OPT_VERIFY_CLIENT },
		{ "optional-client", no_argument, NULL, OPT_OPTIONAL_CLIENT },
		{ "once", no_argument, NULL, OPT_ONCE },
		{ "legacy", no_argument, NULL, OPT_LEGACY },
		{ "tickets", no_argument, NULL, OPT_TICKETS },
		{ "ticket-key-file", required_argument, NULL,
		  OPT_TICKET_KEY_FILE },
		{ "ticket-lifetime", required_argument, NULL,
		  OPT_TICKET_LIFETIME },
		{ "ticket-context", required_argument, NULL,
		  OPT_TICKET_CONTEXT },
		{ "session-cache", no_argument, NULL, OPT_SESSION_CACHE },
		{ "reconnect", no_argument, NULL, OPT_RECONNECT },
		{ "reconnect-to", required_argument, NULL, OPT_RECONNECT_TO },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	bool client;
	int c;

	if (argc < 2)
		return bad("client or server?");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		exit(PEER_OK);
	}
	if (strcmp(argv[1], "client") && strcmp(argv[1], "server"))
		return bad("unknown mode \"%s\": client or server", argv[1]);
	client = !strcmp(argv[1], "client");
	o->role = client ? TLS_ROLE_CLIENT : TLS_ROLE_SERVER;
	/* getopt sees "hs-peer --opt ...": its messages name the program */
	argc--;
	argv++;
	argv[0] = (char *)"hs-peer";

	while ((c = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_CONNECT: o->connect = optarg; break;
		case OPT_LISTEN: o->listen = optarg; break;
		case OPT_SERVERNAME: o->servername = optarg; break;
		case OPT_TLS: o->tls = optarg; break;
		case OPT_CIPHER: o->cipher = optarg; break;
		case OPT_GROUP: o->group = optarg; break;
		case OPT_ALPN: o->alpn = optarg; break;
		case OPT_CERT: o->cert = optarg; break;
		case OPT_KEY: o->key = optarg; break;
		case OPT_CA: o->ca = optarg; break;
		case OPT_OCSP: o->ocsp = optarg; break;
		case OPT_NO_VERIFY: o->no_verify = true; break;
		case OPT_VERIFY_CLIENT: o->verify_client = true; break;
		case OPT_OPTIONAL_CLIENT: o->optional_client = true; break;
		case OPT_ONCE: o->once = true; break;
		case OPT_LEGACY: o->legacy = true; break;
		case OPT_TICKETS: o->tickets = true; break;
		case OPT_TICKET_KEY_FILE:
			o->tickets = true;
			o->ticket_key_file = optarg;
			break;
		case OPT_TICKET_CONTEXT: o->ticket_context = optarg; break;
		case OPT_SESSION_CACHE: o->session_cache = true; break;
		case OPT_RECONNECT: o->reconnect = true; break;
		case OPT_RECONNECT_TO:
			o->reconnect = true;
			o->reconnect_to = optarg;
			break;
		case OPT_TICKET_LIFETIME:
			o->ticket_lifetime = strtoul(optarg, NULL, 10);
			if (!o->ticket_lifetime ||
			    o->ticket_lifetime > TICKET_LIFETIME_MAX)
				return bad("--ticket-lifetime: 1 to %d seconds",
					   TICKET_LIFETIME_MAX);
			break;
		case 'v': peer_verbose = true; break;
		case 'h': usage(stdout); exit(PEER_OK);
		case OPT_CRL:
			if (o->n_crls == MAX_CRLS)
				return bad("more than %d --crl files",
					   MAX_CRLS);
			o->crls[o->n_crls++] = optarg;
			break;
		default:
			return PEER_USAGE; /* getopt said what */
		}
	}
	if (optind < argc)
		return bad("unexpected argument \"%s\"", argv[optind]);

	/* What each mode needs, and what only the other mode takes. */
	if (client) {
		if (!o->connect)
			return bad("client needs --connect HOST:PORT");
		if (!o->ca && !o->no_verify)
			return bad("client needs --ca FILE (or --no-verify)");
		if (o->listen || o->verify_client || o->optional_client ||
		    o->ocsp || o->once || o->tickets || o->session_cache)
			return bad("--listen, --verify-client, "
				   "--optional-client, --ocsp-staple, --once, "
				   "--tickets, --session-cache: "
				   "server options");
	} else {
		if (!o->listen)
			return bad("server needs --listen PORT");
		if (!o->cert || !o->key)
			return bad("server needs --cert FILE --key FILE");
		if (o->connect || o->servername || o->no_verify ||
		    o->reconnect)
			return bad("--connect, --servername, --no-verify, "
				   "--reconnect: client options");
		if (o->verify_client && o->optional_client)
			return bad("--verify-client or --optional-client, "
				   "not both");
		if ((o->verify_client || o->optional_client) != !!o->ca)
			return bad("--ca goes with --verify-client or "
				   "--optional-client");
	}
	if (!o->cert != !o->key)
		return bad("--cert and --key go together");
	if (o->n_crls && !o->ca)
		return bad("--crl needs --ca");
	return PEER_OK;
}

/* Apply one setter; on failure print its reason. */
#define SET(call)                                                              \
	do {                                                                   \
		if ((call)) {                                                  \
			fprintf(stderr, "hs-peer: %s\n", err);                 \
			return PEER_USAGE;                                     \
		}                                                              \
	} while (0)

/* Options that leave no suite to offer get a reason, not EINVAL later. */
static int check_suites(const struct tls_config *cfg)
{
	bool legacy_only = false;

	for (size_t i = 0; i < cfg->n_suites; i++) {
		const struct tls_suite *s = tls_suite_by_id(cfg->suites[i]);

		if (!s || s->version < cfg->min_version ||
		    s->version > cfg->max_version)
			continue;
		if (!s->legacy || cfg->legacy)
			return PEER_OK;
		legacy_only = true;
	}
	fprintf(stderr, "hs-peer: %s\n", legacy_only ?
		"only legacy cipher suites left: add --legacy" :
		"no cipher suite left for the TLS version(s) chosen");
	return PEER_USAGE;
}

/*
 * A ring of generated keys, or the key file's, and a session cache; one
 * profile context.
 */
static int set_resumption(const struct options *o, struct tls_config *cfg,
			  char *err, size_t errlen)
{
	cfg->ticket_lifetime = o->ticket_lifetime ? o->ticket_lifetime : 7200;
	snprintf((char *)cfg->session_context, sizeof(cfg->session_context),
		 "%s", o->ticket_context ? o->ticket_context : "hs-peer");
	snprintf(err, errlen, "out of memory");
	if (o->session_cache &&
	    !(cfg->session_cache = session_cache_new(1024)))
		return -ENOMEM;
	if (!o->tickets)
		return 0;
	if (o->ticket_key_file)
		return ticket_keys_load(&cfg->tickets, o->ticket_key_file,
					(uid_t)-1, err, errlen);
	snprintf(err, errlen, "cannot generate ticket keys");
	return ticket_keys_generate(&cfg->tickets, cfg->ticket_lifetime,
				    time(NULL));
}

static int build_config(const struct options *o, struct tls_config *cfg)
{
	char err[TLS_CONFIG_ERR] = "";

	tls_config_init(cfg);
	cfg->legacy = o->legacy;
	if (o->tls)
		SET(tls_config_set_versions(cfg, o->tls, o->tls, err,
					    sizeof(err)));
	if (o->cipher)
		SET(tls_config_set_suites(cfg, o->cipher, err, sizeof(err)));
	if (o->group)
		SET(tls_config_set_groups(cfg, o->group, err, sizeof(err)));
	if (o->alpn)
		SET(tls_config_set_alpn(cfg, o->alpn, err, sizeof(err)));
	if (o->cert)
		SET(tls_config_load_identity(cfg, o->cert, o->key, err,
					     sizeof(err)));
	if (o->ca)
		SET(tls_config_load_trust(cfg, o->ca, o->crls, o->n_crls, err,
					  sizeof(err)));
	if (o->ocsp)
		SET(tls_config_load_ocsp(cfg, o->ocsp, err, sizeof(err)));
	cfg->verify_peer = !o->no_verify;
	if (o->verify_client)
		cfg->client_auth = TLS_CLIENT_AUTH_REQUIRED;
	else if (o->optional_client)
		cfg->client_auth = TLS_CLIENT_AUTH_OPTIONAL;
	if (o->tickets || o->session_cache)
		SET(set_resumption(o, cfg, err, sizeof(err)));
	return check_suites(cfg);
}

/* "host:port" or "[v6]:port" into its parts, in buf. */
static int split_host_port(const char *s, char *buf, size_t size,
			   const char **host, const char **port)
{
	char *colon;

	if (snprintf(buf, size, "%s", s) >= (int)size)
		return -EINVAL;
	colon = strrchr(buf, ':');
	if (!colon || !colon[1] || colon == buf)
		return -EINVAL;
	*colon = '\0';
	*port = colon + 1;
	*host = buf;
	if (buf[0] == '[') {
		if (colon[-1] != ']')
			return -EINVAL;
		colon[-1] = '\0';
		*host = buf + 1;
	}
	return 0;
}

static int connect_to(const char *host, const char *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	int fd = -1, gai, one = 1;

	gai = getaddrinfo(host, port, &hints, &res);
	if (gai) {
		peer_log("%s port %s: %s", host, port, gai_strerror(gai));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
			    ai->ai_protocol);
		if (fd < 0)
			continue;
		if (!connect(fd, ai->ai_addr, ai->ai_addrlen))
			break;
		close(fd);
		fd = -1;
	}
	if (fd < 0)
		peer_log("cannot connect to %s port %s: %s", host, port,
			 strerror(errno));
	else
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
				 sizeof(one));
	freeaddrinfo(res);
	return fd;
}

/* A listening socket on every address (IPv6 and IPv4 if it can). */
static int listen_on(const char *port_text)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in a4 = { .sin_family = AF_INET };
	struct sockaddr_storage bound;
	socklen_t len = sizeof(bound);
	int fd, one = 1, zero = 0, port;
	char *end;

	port = strtol(port_text, &end, 10);
	if (*end || end == port_text || port < 0 || port > 65535) {
		peer_log("bad port \"%s\"", port_text);
		return -1;
	}
	a6.sin6_port = htons(port);
	a4.sin_port = htons(port);
	fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero,
				 sizeof(zero));
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
				 sizeof(one));
		if (bind(fd, (struct sockaddr *)&a6, sizeof(a6))) {
			close(fd);
			fd = -1;
		}
	}
	if (fd < 0) {
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0 ||
		    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
			       sizeof(one)) ||
		    bind(fd, (struct sockaddr *)&a4, sizeof(a4))) {
			peer_log("cannot bind port %d: %s", port,
				 strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
	}
	if (listen(fd, 16) ||
	    getsockname(fd, (struct sockaddr *)&bound, &len)) {
		peer_log("cannot listen on port %d: %s", port, strerror(errno));
		close(fd);
		return -1;
	}
	port = ntohs(bound.ss_family == AF_INET6 ?
			     ((struct sockaddr_in6 *)&bound)->sin6_port :
			     ((struct sockaddr_in *)&bound)->sin_port);
	/* Scripts wait for this line (and take the port from it). */
	peer_log("listening on port %d", port);
	return fd;
}

/*
 * Close without losing what we sent last (our alert or close_notify):
 * closing with unread input makes the kernel send a reset, which can
 * overtake it. So stop sending, and read until the peer closes too.
 */
static void close_gently(int fd)
{
	char sink[4096];
	struct pollfd p = { .fd = fd, .events = POLLIN };

	(void)shutdown(fd, SHUT_WR);
	while (poll(&p, 1, LINGER_MS) > 0 && read(fd, sink, sizeof(sink)) > 0)
		;
	close(fd);
}

/*
 * One connection: handshake, then data until one side closes; a client
 * asked to keep_session keeps its session in keep (TLS 1.2: the
 * handshake's, TLS 1.3: the latest ticket's).
 */
static int run_connection(int fd, const struct tls_config *cfg,
			  const struct tls_peer_request *req,
			  struct tls_session *keep)
{
	uint8_t rest[RECORD_MAX_LEN];
	struct tls_result res = { 0 };
	struct tls_engine *e;
	size_t rest_len;
	int status;

	e = tls_engine_new(cfg, req);
	if (!e) {
		peer_log("cannot start the handshake: %s", strerror(errno));
		close(fd);
		return PEER_FAILED;
	}
	if (peer_handshake(fd, e, rest, sizeof(rest), &rest_len) ||
	    tls_engine_take_result(e, &res)) {
		tls_engine_free(e);
		close_gently(fd);
		return PEER_FAILED;
	}
	tls_engine_free(e);
	peer_print_result(&res);
	if (keep && res.session_ready)
		*keep = res.session;
	status = peer_relay(fd, req->role, &res, rest, rest_len, keep);
	tls_result_wipe(&res);
	OPENSSL_cleanse(rest, sizeof(rest));
	close_gently(fd);
	return status;
}

static int run_client(const struct options *o, const struct tls_config *cfg)
{
	struct tls_peer_request req = { .role = TLS_ROLE_CLIENT };
	static struct tls_session sess;
	const char *host, *port;
	char buf[512], buf2[512];
	int fd, status;

	if (split_host_port(o->connect, buf, sizeof(buf), &host, &port))
		return bad("bad --connect \"%s\": HOST:PORT", o->connect);
	req.server_name = o->servername ? o->servername : host;
	req.alpn = o->alpn;
	req.keep_session = o->reconnect;
	fd = connect_to(host, port);
	if (fd < 0)
		return PEER_FAILED;
	status = run_connection(fd, cfg, &req, &sess);
	if (!status && o->reconnect_to &&
	    split_host_port(o->reconnect_to, buf2, sizeof(buf2), &host, &port))
		status = bad("bad --reconnect-to \"%s\": HOST:PORT",
			     o->reconnect_to);
	if (!status && o->reconnect) {
		/* once more, offering the session kept, if any */
		peer_log("reconnecting %s a session",
			 tls_session_named(&sess) ? "with" : "without");
		req.session = tls_session_named(&sess) ? &sess : NULL;
		fd = connect_to(host, port);
		status = fd < 0 ? PEER_FAILED :
				  run_connection(fd, cfg, &req, NULL);
	}
	tls_session_wipe(&sess);
	return status;
}

static int run_server(const struct options *o, const struct tls_config *cfg)
{
	struct tls_peer_request req = { .role = TLS_ROLE_SERVER };
	int lfd = listen_on(o->listen), status;

	if (lfd < 0)
		return PEER_FAILED;
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC), one = 1;

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			peer_log("accept: %s", strerror(errno));
			status = PEER_FAILED;
			break;
		}
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
				 sizeof(one));
		peer_debug("connection accepted");
		status = run_connection(fd, cfg, &req, NULL);
		if (o->once)
			break;
	}
	close(lfd);
	return status;
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	struct tls_config cfg;
	int status;

	status = parse_options(argc, argv, &o);
	if (status)
		return status;
	/* A closed socket is an error to report, not a reason to die. */
	signal(SIGPIPE, SIG_IGN);
	status = build_config(&o, &cfg);
	if (!status)
		status = o.role == TLS_ROLE_CLIENT ? run_client(&o, &cfg) :
						     run_server(&o, &cfg);
	tls_config_free(&cfg);
	return status;
}
