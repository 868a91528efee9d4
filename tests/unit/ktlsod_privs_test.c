// SPDX-License-Identifier: MIT
/*
 * ktlsod's privileges (userspace/daemon/privs.c, the key file rule of
 * userspace/lib/x509/cert_load.c, the "user" key of config.c):
 *  - a private key file that group or others may read or write is refused
 *    with "FILE:LINE: KEY: mode 0640: ...", as ssh refuses it; 0600 and
 *    0400 load; so is a key owned by anyone but root or the daemon's user;
 *  - "user = NAME" names the user to run as, before any section, and -u
 *    overrides it; an unknown user is refused;
 *  - ktlsod -t with an open key file exits 1 naming the file and its mode;
 *  - privs_drop() to nobody (in a child, as root) leaves uid and gid 65534
 *    everywhere, CAP_NET_ADMIN alone, an empty bounding set, no way back
 *    to root, no_new_privs, and the process not dumpable.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../lib/check.h"
#include "../lib/ktlsod_check.h"
#include "../lib/pki.h"
#include "config.h"
#include "privs.h"
#include "x509/cert_load.h"

static const struct config_options no_system_ca = { .system_ca = NULL };

/* A copy of server-p256.key named name, with mode: its path. */
static const char *key_copy(const char *name, mode_t mode)
{
	char buf[4096];
	int in = open(pki("server-p256.key"), O_RDONLY | O_CLOEXEC), out;
	const char *path = pki(name);
	ssize_t n;

	unlink(path);
	out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (in < 0 || out < 0)
		return NULL;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n)
			return NULL;
	close(in);
	if (fchmod(out, mode) || close(out))
		return NULL;
	return path;
}

/* config_load() of a profile with key file; err holds its reason. */
static int load_with_key(const char *head, const char *key, char *err,
			 size_t errlen, struct config **c)
{
	char text[8192];

	snprintf(text, sizeof(text),
		 "%s[profile web]\ncert = server-p256-chain.pem\nkey = %s\n",
		 head, key);
	return config_load(pki_write("keymode.conf", text), &no_system_ca, c,
			   err, errlen);
}

static void test_key_modes(void)
{
	static const mode_t good[] = { 0600, 0400 };
	static const mode_t bad[] = { 0640, 0644, 0604, 0620, 0602, 0660,
				      0610, 0700 | 01 };
	char err[CONFIG_ERR], want[CONFIG_ERR], name[64];
	struct config *c;
	const char *key;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(name, sizeof(name), "mode-%04o.key", good[i]);
		key = key_copy(name, good[i]);
		err[0] = '\0';
		CHECK(key && load_with_key("", key, err, sizeof(err), &c) == 0,
		      "key file mode %04o loads (%s)", good[i], err);
		if (key && !err[0])
			config_put(c);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(name, sizeof(name), "mode-%04o.key", bad[i]);
		key = key_copy(name, bad[i]);
		snprintf(want, sizeof(want),
			 "%s:3: %s: mode %04o: a private key must not be "
			 "readable or writable by group or others (chmod 600 "
			 "it)", pki("keymode.conf"), key, bad[i]);
		err[0] = '\0';
		CHECK(key && load_with_key("", key, err, sizeof(err), &c) ==
				     -EINVAL && !c && !strcmp(err, want),
		      "key file mode %04o refused: %s", bad[i], want);
		if (strcmp(err, want))
			printf("    got: %s\n", err);
	}
}

/* The owner rule itself, on made-up stat results. */
static void test_owner_rule(void)
{
	struct stat st = { .st_mode = S_IFREG | 0600, .st_uid = 1000 };
	char err[512] = "";

	CHECK(cert_key_file_ok(&st, 1000, "k", err, sizeof(err)) == 0,
	      "a 0600 key owned by the daemon's user is fine");
	st.st_uid = 0;
	CHECK(cert_key_file_ok(&st, 1000, "k", err, sizeof(err)) == 0,
	      "a 0600 key owned by root is fine");
	st.st_uid = 1001;
	CHECK(cert_key_file_ok(&st, 1000, "k", err, sizeof(err)) == -EPERM &&
		      !strcmp(err, "k: owned by uid 1001: a private key must "
				   "be owned by root or by the daemon's user "
				   "(uid 1000)"),
	      "a key owned by someone else is refused: %s", err);
}

/* The same through the file: a key owned by neither root nor the user. */
static void test_owner_file(void)
{
	struct passwd *nobody = getpwnam("nobody");
	char err[CONFIG_ERR] = "", want[CONFIG_ERR];
	const char *key = key_copy("owner.key", 0600), *head = "";
	uid_t stranger = geteuid();
	struct config *c;

	if (!nobody || !key) {
		CHECK(0, "user nobody and a key copy for the owner test");
		return;
	}
	if (geteuid() == 0) {
		/* root: the key is nobody's, and nobody is not our user */
		stranger = nobody->pw_uid;
		if (chown(key, stranger, -1)) {
			CHECK(0, "chown %s: %s", key, strerror(errno));
			return;
		}
	} else {
		/* not root: the key is ours, and we run as nobody */
		head = "user = nobody\n";
	}
	snprintf(want, sizeof(want), "%s:%d: %s: owned by uid %u: a private "
		 "key must be owned by root or by the daemon's user (uid %u)",
		 pki("keymode.conf"), head[0] ? 4 : 3, key,
		 (unsigned int)stranger,
		 (unsigned int)(head[0] ? nobody->pw_uid : 0));
	CHECK(load_with_key(head, key, err, sizeof(err), &c) == -EINVAL &&
		      !strcmp(err, want),
	      "a key of another owner is refused: %s", want);
	if (strcmp(err, want))
		printf("    got: %s\n", err);
	if (geteuid() == 0) {
		err[0] = '\0';
		CHECK(load_with_key("user = nobody\n", key, err, sizeof(err),
				    &c) == 0,
		      "the same key loads with user = nobody (%s)", err);
		if (!err[0])
			config_put(c);
	}
}

static void test_user_key(void)
{
	struct passwd *nobody = getpwnam("nobody");
	struct config_options minus_u = { .user = "root" };
	char err[CONFIG_ERR] = "", want[CONFIG_ERR];
	const char *path;
	struct config *c;

	path = pki_write("user.conf", "# run as\nuser = nobody\n"
				      "[profile a]\nverify = no\n");
	CHECK(nobody && config_load(path, &no_system_ca, &c, err,
				    sizeof(err)) == 0 &&
		      !strcmp(c->user.name, "nobody") &&
		      c->user.uid == nobody->pw_uid &&
		      c->user.gid == nobody->pw_gid && c->user.line == 2,
	      "user = nobody: uid and gid of nobody, from line 2 (%s)", err);
	if (!err[0])
		config_put(c);
	CHECK(config_load(path, &minus_u, &c, err, sizeof(err)) == 0 &&
		      !strcmp(c->user.name, "root") && c->user.uid == 0 &&
		      c->user.line == 0,
	      "-u root wins over the file's user line (%s)", err);
	if (!err[0])
		config_put(c);
	path = pki_write("nouser.conf", "[profile a]\nverify = no\n");
	CHECK(config_load(path, &no_system_ca, &c, err, sizeof(err)) == 0 &&
		      !c->user.name[0],
	      "without a user line: none (%s)", err);
	if (!err[0])
		config_put(c);

	static const struct {
		const char *text, *reason;
		unsigned int line;
	} bads[] = {
		{ "user = ktlso-no-such-user\n", "user: no such user "
		  "\"ktlso-no-such-user\"", 1 },
		{ "[profile a]\nuser = nobody\n", "\"user\" belongs before the "
		  "first [profile NAME] section", 2 },
		{ "user = nobody\nuser = root\n", "duplicate key \"user\" "
		  "(first at line 1)", 2 },
		{ "user =\n", "\"user\" needs a value", 1 },
	};
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		path = pki_write("baduser.conf", bads[i].text);
		snprintf(want, sizeof(want), "%s:%u: %s", path, bads[i].line,
			 bads[i].reason);
		CHECK(config_load(path, &no_system_ca, &c, err, sizeof(err)) ==
				-EINVAL && !strcmp(err, want),
		      "refused: %s", want);
		if (strcmp(err, want))
			printf("    got: %s\n", err);
	}
	minus_u.user = "ktlso-no-such-user";
	snprintf(want, sizeof(want), "%s: user (-u): no such user "
		 "\"ktlso-no-such-user\"", pki("nouser.conf"));
	CHECK(config_load(pki("nouser.conf"), &minus_u, &c, err,
			  sizeof(err)) == -EINVAL && !strcmp(err, want),
	      "-u with an unknown user: %s", want);
}

static void test_daemon_refuses_open_key(void)
{
	const char *key = key_copy("daemon-0644.key", 0644);
	char text[4096], line[1024], want[2048];
	const char *conf;

	snprintf(text, sizeof(text), "[profile web]\ncert = "
		 "server-p256-chain.pem\nkey = %s\n", key ? key : "?");
	conf = pki_write("daemon-key.conf", text);
	snprintf(want, sizeof(want), "ktlsod: %s:3: %s: mode 0644: a private "
		 "key must not be readable or writable by group or others "
		 "(chmod 600 it)", conf, key ? key : "?");
	CHECK(key && ktlsod_check(conf, line, sizeof(line)) == 1 &&
		      !strcmp(line, want),
	      "ktlsod -t with a 0644 key exits 1: %s", want);
	if (strcmp(line, want))
		printf("    got: %s\n", line);
}

/* What a child that dropped to nobody saw of itself. */
struct dropped {
	int ret;
	char err[256];
	uid_t r, e, s;
	gid_t rg, eg, sg;
	int n_groups;
	gid_t group0;
	bool only_net_admin, bounding_empty, setuid_failed;
	int dumpable, no_new_privs;
	rlim_t core;
};

static bool bounding_empty(void)
{
	for (int cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
		if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1)
			return false;
	return true;
}

static void drop_child(const struct config_user *u, struct dropped *d)
{
	struct rlimit rl = { 0 };
	gid_t groups[8];

	d->ret = privs_no_dumps();
	if (!d->ret)
		d->ret = privs_drop(u, d->err, sizeof(d->err));
	getresuid(&d->r, &d->e, &d->s);
	getresgid(&d->rg, &d->eg, &d->sg);
	d->n_groups = getgroups(8, groups);
	d->group0 = d->n_groups > 0 ? groups[0] : (gid_t)-1;
	d->only_net_admin = privs_only_net_admin();
	d->bounding_empty = bounding_empty();
	d->setuid_failed = setuid(0) != 0 && setresuid(0, 0, 0) != 0;
	d->dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
	d->no_new_privs = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
	getrlimit(RLIMIT_CORE, &rl);
	d->core = rl.rlim_cur;
}

/* Run drop_child() for u in a child process: 0, or -1. */
static int in_child(const struct config_user *u, uid_t first,
		    struct dropped *d)
{
	int p[2], status;
	pid_t pid;

	memset(d, 0, sizeof(*d));
	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		if (first && setresuid(first, first, first))
			_exit(1);
		drop_child(u, d);
		_exit(write(p[1], d, sizeof(*d)) == sizeof(*d) ? 0 : 1);
	}
	close(p[1]);
	if (pid < 0 || read(p[0], d, sizeof(*d)) != sizeof(*d)) {
		close(p[0]);
		return -1;
	}
	close(p[0]);
	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
			       !WEXITSTATUS(status) ? 0 : -1;
}

static void test_drop(void)
{
	struct passwd *pw = getpwnam("nobody");
	struct config_user u = { .name = "nobody" }, root = { .name = "root" };
	struct dropped d;

	if (geteuid() != 0) {
		/* Not counted: e2e-privs.sh shows the drop in the VM. */
		printf("skip - privs_drop() needs root (not counted)\n");
		return;
	}
	if (!pw) {
		CHECK(0, "user nobody exists");
		return;
	}
	u.uid = pw->pw_uid;
	u.gid = pw->pw_gid;
	if (in_child(&u, 0, &d)) {
		CHECK(0, "child dropping to nobody reported back");
		return;
	}
	CHECK(d.ret == 0, "privs_drop(nobody) as root: 0 (%s)", d.err);
	CHECK(d.r == u.uid && d.e == u.uid && d.s == u.uid,
	      "real, effective and saved uid: %u", (unsigned int)u.uid);
	CHECK(d.rg == u.gid && d.eg == u.gid && d.sg == u.gid &&
		      d.n_groups == 1 && d.group0 == u.gid,
	      "gids %u, and no other group", (unsigned int)u.gid);
	CHECK(d.only_net_admin, "only CAP_NET_ADMIN, effective and permitted");
	CHECK(d.bounding_empty, "the bounding set is empty");
	CHECK(d.setuid_failed, "setuid(0) fails afterwards");
	CHECK(d.dumpable == 0, "not dumpable after the uid change");
	CHECK(d.no_new_privs == 1, "no_new_privs set");
	CHECK(d.core == 0, "RLIMIT_CORE 0");

	/* Already someone else: no way to become root's choice. */
	root.uid = 0;
	u.uid = 1;	/* daemon */
	CHECK(in_child(&u, pw->pw_uid, &d) == 0 && d.ret == -EPERM &&
		      strstr(d.err, "not root"),
	      "not root, asked to become another user: EPERM (%s)", d.err);
	CHECK(in_child(&root, 0, &d) == 0 && d.ret == 0 && d.e == 0,
	      "user = root: stays root");
}

int main(void)
{
	if (pki_make()) {
		CHECK(0, "tests/pki/mkpki %s", pki_dir());
		return check_summary();
	}
	test_key_modes();
	test_owner_rule();
	test_owner_file();
	test_user_key();
	test_daemon_refuses_open_key();
	test_drop();
	pki_cleanup();
	return check_summary();
}
