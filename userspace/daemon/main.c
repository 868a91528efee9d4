// SPDX-License-Identifier: MIT
/*
 * ktlsod: the handshake daemon of ktlso (ktlsod(8)). The main thread is
 * the acceptor: it listens on the "handshake" multicast group, takes each
 * pending request with ACCEPT and hands it to a worker; the workers run the
 * handshakes and report DONE.
 *
 * Start-up, each step refusing to go on with a one-line reason:
 *   no core dumps ─► configuration and keys ─► kernel cipher probe ─►
 *   drop to the configured user ─► netlink ─► workers ─► serve
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "client_resume.h"
#include "engine/engine.h"
#include "generation.h"
#include "kcipher.h"
#include "log.h"
#include "netlink.h"
#include "privs.h"
#include "publish.h"
#include "session.h"
#include "slots.h"
#include "worker.h"

#define KTLSOD_VERSION "0.1"
/* SIGTERM: how long handshakes in flight may take to finish. */
#define DRAIN_MS 5000
/* After a failed ACCEPT (out of fds or memory), when to try again. */
#define RETRY_MS 1000

struct daemon {
	struct generation_source src;
	struct config *cfg;		/* the generation new requests get */
	struct kcipher kc;
	struct nl cmd;			/* ACCEPT and DONE; cmd_lock */
	struct nl mc;			/* READY notifications */
	pthread_mutex_t cmd_lock;
	struct session_ops ops;
	struct workers *workers;
	struct slots slots;
	bool full;			/* every slot in use: requests wait */
	int sigfd;
	struct config_user user;	/* who we run as: fixed at start */
	const char *profiles_file;	/* for ktlso status (publish.h) */
};

/* What serve_pending() left behind. */
enum pending {
	PENDING_NONE,		/* nothing waits (as far as we know) */
	PENDING_RETRY,		/* ACCEPT failed: try again in RETRY_MS */
	PENDING_FULL,		/* no slot: try again when one frees */
};

static void usage(FILE *f)
{
	fputs(
"usage: ktlsod [-f] [-v] [-c FILE] [-p FILE] [-u USER] [-w N]\n"
"       ktlsod -t [-c FILE] [-u USER]\n"
"\n"
"The ktlso handshake daemon: runs the TLS handshakes that applications ask\n"
"for with setsockopt(SOL_TLS, KTLSO_HANDSHAKE) and installs the keys in\n"
"the kernel. Runs in the foreground and logs to stderr.\n"
"\n"
"  -c, --config FILE   configuration (default " CONFIG_DEFAULT_PATH ")\n"
"  -f, --foreground    run in the foreground (always; for systemd)\n"
"  -t, --check         check the configuration and the kernel ciphers, exit\n"
"  -p, --profiles-file FILE\n"
"                      the profile list for ktlso status\n"
"                      (default " PUBLISH_DEFAULT_PATH ")\n"
"  -u, --user USER     started as root: become USER once the keys are read\n"
"                      (instead of the file's user = line)\n"
"  -v, --verbose       debug lines too\n"
"  -w, --workers N     worker threads (default: one per online CPU)\n"
"      --version       print the version\n"
"  -h, --help          this text\n",
	      f);
}

struct options {
	const char *config, *user;
	const char *profiles_file;
	bool config_given, check;
	unsigned int workers;
};

static int parse_options(int argc, char **argv, struct options *o)
{
	enum { OPT_VERSION = 256 };
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "profiles-file", required_argument, NULL, 'p' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "check", no_argument, NULL, 't' },
		{ "user", required_argument, NULL, 'u' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "workers", required_argument, NULL, 'w' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	long n;
	char *end;
	int c;

	o->config = CONFIG_DEFAULT_PATH;
	o->profiles_file = PUBLISH_DEFAULT_PATH;
	while ((c = getopt_long(argc, argv, "c:fp:tu:vw:h", longopts, NULL)) !=
	       -1) {
		switch (c) {
		case 'p':
			o->profiles_file = optarg;
			break;
		case 'c':
			o->config = optarg;
			o->config_given = true;
			break;
		case 'f':
			break;
		case 't':
			o->check = true;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'v':
			log_verbose = true;
			break;
		case 'w':
			errno = 0;
			n = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || n < 1 ||
			    n > 1024) {
				fprintf(stderr, "ktlsod: -w: expected 1 to "
					"1024 workers, not \"%s\"\n", optarg);
				return -EINVAL;
			}
			o->workers = n;
			break;
		case OPT_VERSION:
			printf("ktlsod %s\n", KTLSOD_VERSION);
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ktlsod: unexpected argument \"%s\"\n",
			argv[optind]);
		return -EINVAL;
	}
	return 0;
}

/* Workers report DONE on the socket that took the request. */
static int report_done(void *ctx, const struct nl_done *d)
{
	struct daemon *dm = ctx;
	int ret;

	pthread_mutex_lock(&dm->cmd_lock);
	ret = nl_done(&dm->cmd, d);
	pthread_mutex_unlock(&dm->cmd_lock);
	return ret;
}

/* A session's socket is closed: its slot is free. */
static void release_slot(void *ctx)
{
	struct daemon *dm = ctx;

	slots_put(&dm->slots);
}

/* A request that never reaches a worker still gets its DONE. */
static void refuse(struct daemon *dm, int fd, int status)
{
	struct nl_done d = { .fd = fd, .status = status, .alert = -1 };
	int ret = report_done(dm, &d);

	if (ret)
		log_warn("reporting DONE to the kernel: %s", strerror(-ret));
	close(fd);
}

/* Requests wait in the kernel while every slot is in use: say so once. */
static bool slot_for_next(struct daemon *dm)
{
	unsigned int max = dm->cfg->max_handshakes;

	if (slots_take(&dm->slots, max)) {
		if (dm->full)
			log_debug("a handshake slot is free again");
		dm->full = false;
		return true;
	}
	if (!dm->full)
		log_info("all %u handshake slots in use (max_handshakes %u, "
			 "RLIMIT_NOFILE allows %u): new requests wait",
			 atomic_load(&dm->slots.used), max,
			 slots_max(&dm->slots, CONFIG_MAX_HANDSHAKES_MAX));
	dm->full = true;
	return false;
}

/*
 * ACCEPT until nothing is pending: one READY may stand for several. Each
 * request gets a slot first, so the socket ACCEPT opens is the one
 * descriptor its handshake needs, and it is there before any byte goes
 * out. When ACCEPT failed, or no slot is free, requests may still be
 * waiting and no READY will come for them: the caller tries again later.
 */
static enum pending serve_pending(struct daemon *dm)
{
	for (;;) {
		struct nl_request req;
		struct session *s;
		int ret;

		if (!slot_for_next(dm))
			return PENDING_FULL;
		pthread_mutex_lock(&dm->cmd_lock);
		ret = nl_accept(&dm->cmd, &req);
		pthread_mutex_unlock(&dm->cmd_lock);
		if (ret)
			slots_cancel(&dm->slots);
		if (ret == -ENOENT)
			return PENDING_NONE; /* none left, or another daemon's */
		if (ret && req.fd >= 0) {
			log_err("ACCEPT: unusable reply (%s)", strerror(-ret));
			refuse(dm, req.fd, EINVAL);
			continue;
		}
		if (ret) {
			log_err("ACCEPT: %s%s", strerror(-ret),
				ret == -EPERM ? ": ktlsod needs CAP_NET_ADMIN" :
						"");
			return PENDING_RETRY;
		}
		log_debug("accepted fd %d: %s, peer name \"%s\", "
			  "profile \"%s\", %u ms", req.fd,
			  req.role == KTLSO_ROLE_CLIENT ? "client" : "server",
			  LOG_ESC(req.peer_name), LOG_ESC(req.profile),
			  req.timeout_ms);
		s = session_new(&req, config_get(dm->cfg), &dm->ops);
		if (!s) {
			log_err("out of memory for a handshake");
			slots_cancel(&dm->slots);
			continue;	/* session_new closed the fd */
		}
		ret = workers_submit(dm->workers, s);
		if (ret) {
			log_err("handing a handshake to a worker: %s",
				strerror(-ret));
			session_fail(s, -ret);
			session_free(s);
		}
	}
}

static void probe(struct daemon *dm)
{
	char why[256] = "", algs[256];

	if (kcipher_probe(&dm->kc, why, sizeof(why))) {
		log_warn("cannot probe the kernel's ciphers: %s; assuming "
			 "gcm(aes) and rfc7539(chacha20,poly1305), and no "
			 "CBC suite", why);
		return;
	}
	kcipher_describe(&dm->kc, algs, sizeof(algs));
	log_info("kernel ciphers: %s", algs);
}

/* Best effort: ktlso status then says the list is missing or stale. */
static void publish(struct daemon *dm)
{
	char err[PATH_MAX + 64];

	if (publish_profiles(dm->cfg, dm->profiles_file, err, sizeof(err)))
		log_warn("profile list for ktlso status: %s", err);
}

static void reload(struct daemon *dm)
{
	char err[CONFIG_ERR];

	log_info("SIGHUP: reloading %s", dm->src.path);
	probe(dm);
	if (generation_reload(&dm->src, &dm->kc, &dm->cfg, err, sizeof(err))) {
		log_err("%s; keeping the configuration in use", err);
		return;
	}
	log_info("%s: %zu profile%s", dm->src.path, dm->cfg->n,
		 dm->cfg->n == 1 ? "" : "s");
	publish(dm);
	if (strcmp(dm->cfg->user.name, dm->user.name))
		log_warn("user = %s: ktlsod stays %s until it is restarted",
			 dm->cfg->user.name[0] ? dm->cfg->user.name : "(none)",
			 dm->user.name[0] ? dm->user.name : "as started");
}

/* After the keys are read: become the configured user, or say why not. */
static int drop_privileges(struct daemon *dm)
{
	const struct config_user *u = &dm->cfg->user;
	char err[256];

	if (privs_drop(u, err, sizeof(err))) {
		log_err("%s", err);
		return -1;
	}
	dm->user = *u;
	if (geteuid() == 0)
		log_warn("running as root: name a user (user = NAME in %s, "
			 "or -u USER) and ktlsod keeps only CAP_NET_ADMIN "
			 "once its keys are read", dm->src.path);
	else if (u->name[0] && privs_only_net_admin())
		log_info("running as user %s (uid %u, gid %u) with "
			 "CAP_NET_ADMIN only", u->name, (unsigned int)u->uid,
			 (unsigned int)u->gid);
	return 0;
}

/* Until SIGTERM or SIGINT. */
/*
 * A NewSessionTicket a client socket of ours received (the module hands it
 * over so that the application never sees it): kept for the next
 * connection to that peer if the connection waits for it
 * (client_resume.h), else dropped.
 */
static void ticket_seen(const struct nl_ticket *t, void *data)
{
	int err = client_resume_ticket(t);

	(void)data;
	log_debug("NewSessionTicket from peer=\"%s\" profile=%s (%zu bytes): "
		  "%s%s", LOG_ESC(t->peer_name),
		  LOG_ESC_WORD(*t->profile ? t->profile : "default"), t->len,
		  err ? "discarded: " : "kept",
		  err == -ENOENT ? "no connection waits for it, or one not to keep" :
		  err ? strerror(-err) : "");
}

static int serve(struct daemon *dm)
{
	/* Requests made before we joined the group first. */
	enum pending left = serve_pending(dm);

	for (;;) {
		struct pollfd p[3] = {
			{ .fd = dm->sigfd, .events = POLLIN },
			{ .fd = nl_fd(&dm->mc), .events = POLLIN },
			/* Only while full: a put wakes us for every slot. */
			{ .fd = left == PENDING_FULL ? slots_fd(&dm->slots) :
						       -1,
			  .events = POLLIN },
		};
		struct signalfd_siginfo si;
		int n, ready = poll(p, 3, left == PENDING_RETRY ? RETRY_MS : -1);

		if (ready == 0) {
			left = serve_pending(dm);
			continue;
		}
		if (ready < 0) {
			if (errno == EINTR)
				continue;
			log_err("poll: %s", strerror(errno));
			return 1;
		}
		if ((p[0].revents & POLLIN) &&
		    read(dm->sigfd, &si, sizeof(si)) == sizeof(si)) {
			if (si.ssi_signo != SIGHUP) {
				log_info("%s: stopping",
					 strsignal(si.ssi_signo));
				return 0;
			}
			reload(dm);
		}
		if (p[2].revents & POLLIN) {
			slots_clear(&dm->slots);
			left = serve_pending(dm);
		}
		if (!(p[1].revents & (POLLIN | POLLERR)))
			continue;
		n = nl_drain(&dm->mc, ticket_seen, NULL);
		if (n < 0)
			log_err("reading notifications: %s", strerror(-n));
		else if (n)
			left = serve_pending(dm);
	}
}

/*
 * A handshake holds a descriptor: take the hard limit, as the soft one is
 * often 1024 (systemd's default). prlimit(1) can lower it again later.
 */
static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		log_warn("raising RLIMIT_NOFILE: %s", strerror(errno));
}

static int setup_signals(struct daemon *dm)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	/* Blocked before the workers exist, so they inherit it. */
	if (pthread_sigmask(SIG_BLOCK, &set, NULL))
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	dm->sigfd = signalfd(-1, &set, SFD_CLOEXEC);
	return dm->sigfd < 0 ? -errno : 0;
}

static int open_netlink(struct daemon *dm)
{
	char err[256];

	if (nl_open(&dm->cmd, false, err, sizeof(err))) {
		log_err("%s", err);
		return -1;
	}
	if (!nl_may_accept()) {
		log_err("ktlsod needs CAP_NET_ADMIN to accept handshakes "
			"(run it as root, or grant it in the unit)");
		nl_close(&dm->cmd);
		return -1;
	}
	if (nl_open(&dm->mc, true, err, sizeof(err))) {
		log_err("%s", err);
		nl_close(&dm->cmd);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct daemon dm = {
		.cmd_lock = PTHREAD_MUTEX_INITIALIZER,
		.sigfd = -1,
	};
	struct options o = { 0 };
	char err[CONFIG_ERR];
	long cpus;
	int ret;

	log_init();
	if (parse_options(argc, argv, &o))
		return 2;
	/* Before any key is in memory. */
	ret = privs_no_dumps();
	if (ret) {
		log_err("disabling core dumps: %s", strerror(-ret));
		return 1;
	}
	dm.src = (struct generation_source){
		.path = o.config,
		.required = o.config_given,
		.opts = { .system_ca = CONFIG_SYSTEM_CA, .user = o.user },
	};
	dm.ops = (struct session_ops){
		.install = session_setsockopt,
		.done = report_done,
		.release = release_slot,
		.ctx = &dm,
	};

	if (generation_read(&dm.src, &dm.cfg, err, sizeof(err))) {
		log_err("%s", err);
		return 1;
	}
	probe(&dm);
	if (kcipher_restrict(dm.cfg, &dm.kc, err, sizeof(err))) {
		log_err("%s", err);
		config_put(dm.cfg);
		return 1;
	}
	if (o.check) {
		printf("%s: OK, %zu profile%s; max_handshakes %u, "
		       "handshake_memory %zu: handshake messages up to %zu "
		       "bytes\n", o.config, dm.cfg->n, dm.cfg->n == 1 ? "" : "s",
		       dm.cfg->max_handshakes, dm.cfg->handshake_memory,
		       tls_engine_max_message(dm.cfg->handshake_memory));
		config_put(dm.cfg);
		return 0;
	}

	/* Capabilities are per thread: before the workers exist. */
	if (drop_privileges(&dm)) {
		config_put(dm.cfg);
		return 1;
	}
	if (setup_signals(&dm)) {
		log_err("signals: %s", strerror(errno));
		return 1;
	}
	/* Before joining the group: whoever sees us reachable finds it. */
	dm.profiles_file = o.profiles_file;
	publish(&dm);
	if (open_netlink(&dm)) {
		(void)unlink(dm.profiles_file);
		return 1;
	}
	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (!o.workers)
		o.workers = cpus > 0 ? cpus : 1;
	ret = workers_start(o.workers, &dm.workers);
	if (ret) {
		log_err("starting %u workers: %s", o.workers, strerror(-ret));
		(void)unlink(dm.profiles_file);
		return 1;
	}
	raise_nofile();
	ret = slots_init(&dm.slots, o.workers);
	if (ret) {
		log_err("counting descriptors: %s", strerror(-ret));
		workers_stop(dm.workers, 0);
		return 1;
	}
	log_info("ktlsod %s: %zu profile%s from %s, %u workers, "
		 "%u handshakes at once (max_handshakes %u), "
		 "handshake messages up to %zu bytes (handshake_memory %zu), "
		 "ready",
		 KTLSOD_VERSION, dm.cfg->n, dm.cfg->n == 1 ? "" : "s",
		 o.config, o.workers,
		 slots_max(&dm.slots, dm.cfg->max_handshakes),
		 dm.cfg->max_handshakes,
		 tls_engine_max_message(dm.cfg->handshake_memory),
		 dm.cfg->handshake_memory);

	ret = serve(&dm);
	/* No listener left: new requests fail at once with ECONNREFUSED. */
	nl_close(&dm.mc);
	workers_stop(dm.workers, DRAIN_MS);
	client_resume_clear();
	slots_uninit(&dm.slots);
	nl_close(&dm.cmd);
	config_put(dm.cfg);
	close(dm.sigfd);
	(void)unlink(dm.profiles_file);
	log_info("stopped");
	return ret;
}
