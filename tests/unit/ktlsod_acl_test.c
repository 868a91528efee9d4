// SPDX-License-Identifier: MIT
/*
 * Who may use a profile (userspace/daemon/acl.c) and its three ktlsod.conf
 * keys (config.c):
 *  - the cgroup prefix matches on a '/' boundary only;
 *  - uid, primary group, supplementary group and cgroup each let a
 *    requester in; root always, nobody else by default on a keyed profile,
 *    everyone on a keyless one; an unknown requester only an open profile;
 *  - names resolve to ids at load, an unknown name or a relative cgroup is
 *    refused with its "FILE:LINE: reason";
 *  - the profile list ktlso status reads says the same (publish.c).
 */
#include <errno.h>
#include <unistd.h>

#include "../lib/check.h"
#include "../lib/pki.h"
#include "acl.h"
#include "config.h"
#include "publish.h"

static const struct config_options no_system_ca = { .system_ca = NULL };

static void test_cgroup_boundary(void)
{
	static const struct {
		const char *path, *prefix;
		bool under;
	} cases[] = {
		{ "/system.slice/a.service", "/system.slice/a.service", true },
		{ "/system.slice/a.service/x", "/system.slice/a.service", true },
		{ "/system.slice/a.service2", "/system.slice/a.service", false },
		{ "/system.slice", "/system.slice/a.service", false },
		{ "/anything", "/", true },
		{ "/", "/", true },
		{ "relative", "/", false },
		{ "/system.slicex/a", "/system.slice", false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK(acl_cgroup_under(cases[i].path, cases[i].prefix) ==
			      cases[i].under,
		      "\"%s\" %s \"%s\"", cases[i].path,
		      cases[i].under ? "is under" : "is not under",
		      cases[i].prefix);
}

static struct acl_who who(uint32_t uid, uint32_t gid, const uint32_t *groups,
			  size_t n, const char *cgroup)
{
	return (struct acl_who){ .known = true, .uid = uid, .gid = gid,
				 .groups = groups, .n_groups = n,
				 .cgroup = cgroup };
}

static void test_matcher(void)
{
	static const uint32_t supp[] = { 7, 4242, 9 };
	struct acl keyed = { 0 }, open = { 0 }, listed = { 0 };
	struct acl_who w, unknown = { .known = false };
	char err[256] = "";

	acl_finish(&keyed, true);
	acl_finish(&open, false);
	CHECK(!acl_add_users(&listed, "1001, 1002", err, sizeof(err)) &&
		      !acl_add_groups(&listed, "4242", err, sizeof(err)) &&
		      !acl_add_cgroups(&listed, "/system.slice/app.service/",
				       err, sizeof(err)),
	      "lists parse (%s)", err);
	acl_finish(&listed, true);

	w = who(0, 0, NULL, 0, NULL);
	CHECK(acl_allows(&keyed, &w), "keyed, no list: root allowed");
	w = who(65534, 65534, NULL, 0, "/user.slice");
	CHECK(!acl_allows(&keyed, &w), "keyed, no list: nobody refused");
	CHECK(acl_allows(&open, &w), "keyless, no list: nobody allowed");
	CHECK(acl_allows(&open, &unknown), "keyless: an unknown asker too");
	CHECK(!acl_allows(&keyed, &unknown), "keyed: an unknown asker refused");

	w = who(1002, 100, NULL, 0, NULL);
	CHECK(acl_allows(&listed, &w), "listed uid 1002 allowed");
	w = who(1003, 100, NULL, 0, NULL);
	CHECK(!acl_allows(&listed, &w), "unlisted uid 1003 refused");
	w = who(1003, 4242, NULL, 0, NULL);
	CHECK(acl_allows(&listed, &w), "listed primary group allowed");
	w = who(1003, 100, supp, 3, NULL);
	CHECK(acl_allows(&listed, &w), "listed supplementary group allowed");
	w = who(1003, 100, supp, 1, NULL);
	CHECK(!acl_allows(&listed, &w), "only unlisted groups: refused");
	w = who(1003, 100, NULL, 0, "/system.slice/app.service");
	CHECK(acl_allows(&listed, &w), "the listed cgroup itself allowed");
	w = who(1003, 100, NULL, 0, "/system.slice/app.service/worker");
	CHECK(acl_allows(&listed, &w), "a cgroup below it allowed");
	w = who(1003, 100, NULL, 0, "/system.slice/app.serviceX");
	CHECK(!acl_allows(&listed, &w), "a sibling with the same start refused");
	w = who(0, 0, NULL, 0, NULL);
	CHECK(acl_allows(&listed, &w), "root stays allowed with lists");
	CHECK(!acl_allows(&listed, &unknown), "lists: an unknown asker refused");

	acl_free(&keyed);
	acl_free(&open);
	acl_free(&listed);
}

static void test_describe(void)
{
	struct acl a = { 0 };
	char err[256] = "", text[512];

	acl_finish(&a, true);
	acl_describe(&a, text, sizeof(text));
	CHECK(!strcmp(text, "root only"), "keyed default: \"%s\"", text);
	acl_free(&a);
	acl_finish(&a, false);
	acl_describe(&a, text, sizeof(text));
	CHECK(!strcmp(text, "anyone"), "keyless default: \"%s\"", text);
	acl_free(&a);
	CHECK(!acl_add_users(&a, "root 4000", err, sizeof(err)) &&
		      !acl_add_groups(&a, "nogroup", err, sizeof(err)) &&
		      !acl_add_cgroups(&a, "/a,/b/", err, sizeof(err)),
	      "lists with names parse (%s)", err);
	acl_finish(&a, true);
	acl_describe(&a, text, sizeof(text));
	CHECK(!strcmp(text, "root, users root(0),4000, groups nogroup(65534), "
			    "cgroups /a,/b"),
	      "lists described with names and ids: \"%s\"", text);
	acl_free(&a);
	CHECK(!acl_add_users(&a, "*", err, sizeof(err)), "allow_users = *");
	acl_finish(&a, true);
	acl_describe(&a, text, sizeof(text));
	CHECK(!strcmp(text, "anyone"), "* opens a keyed profile: \"%s\"", text);
	acl_free(&a);
}

/* Load text as a file; the error, "" when it loads. */
static const char *load(const char *text, struct config **c)
{
	static char err[CONFIG_ERR];

	err[0] = '\0';
	if (config_load(pki_write("acl.conf", text), &no_system_ca, c, err,
			sizeof(err)))
		*c = NULL;
	return err;
}

static void test_config(void)
{
	static const struct {
		const char *text, *line_reason;
	} bad[] = {
		{ "[profile a]\nallow_users = root, no-such-user-xyz\n",
		  ":2: allow_users: no user \"no-such-user-xyz\"" },
		{ "[profile a]\n\nallow_groups = no-such-group-xyz\n",
		  ":3: allow_groups: no group \"no-such-group-xyz\"" },
		{ "[profile a]\nallow_cgroups = system.slice\n",
		  ":2: allow_cgroups: \"system.slice\" is not an absolute path" },
		{ "[profile a]\nallow_users = 1\nallow_users = 2\n",
		  ":3: duplicate key \"allow_users\" (first at line 2)" },
		{ "[profile a]\nallow_users = ,\n",
		  ":2: an empty list" },
	};
	char text[1024];
	const struct profile *p;
	struct config *c;
	const char *err;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err = load(bad[i].text, &c);
		CHECK(!c && strstr(err, bad[i].line_reason),
		      "refused with \"%s\": %s", bad[i].line_reason, err);
		config_put(c);
	}

	snprintf(text, sizeof(text),
		 "[profile keyed]\ncert = %s\nkey = %s\n"
		 "[profile shared]\ncert = %s\nkey = %s\n"
		 "allow_users = daemon\nallow_groups = nogroup 4242\n"
		 "allow_cgroups = /system.slice/app.service\n"
		 "[profile client]\nca = %s\n",
		 pki("server-p256-chain.pem"), pki("server-p256.key"),
		 pki("server-p256-chain.pem"), pki("server-p256.key"),
		 pki("root.pem"));
	err = load(text, &c);
	CHECK(c, "a file with access lists loads (%s)", err);
	if (!c)
		return;
	p = config_profile(c, "keyed");
	CHECK(p && !p->acl.anyone && !p->acl.listed,
	      "a profile with a key, no list: root only");
	p = config_profile(c, "client");
	CHECK(p && p->acl.anyone, "a profile without a key: anyone");
	p = config_profile(c, "");
	CHECK(p && p->acl.anyone, "the built-in default: anyone");
	p = config_profile(c, "shared");
	CHECK(p && p->acl.n_uids == 1 && p->acl.uids[0] == 1 &&
		      p->acl.n_gids == 2 && p->acl.gids[0] == 65534 &&
		      p->acl.gids[1] == 4242 && p->acl.n_cgroups == 1,
	      "names resolved at load: daemon is 1, nogroup 65534");
	config_put(c);
}

/* The list ktlso status shows, as ktlsod writes it. */
static void test_publish(void)
{
	char path[512], err[512] = "", text[1024] = "", want[4400];
	struct config *c;
	FILE *f;
	size_t n = 0;
	int ret;

	snprintf(text, sizeof(text),
		 "[profile web]\ncert = %s\nkey = %s\nallow_groups = 4242\n"
		 "[profile client]\nca = %s\n",
		 pki("server-p256-chain.pem"), pki("server-p256.key"),
		 pki("root.pem"));
	load(text, &c);
	if (!c) {
		CHECK(0, "configuration for the profile list");
		return;
	}
	/* A directory that is not there yet, as /run/ktlso by hand */
	snprintf(path, sizeof(path), "%s/run-ktlso/profiles", pki_dir());
	ret = publish_profiles(c, path, err, sizeof(err));
	CHECK(ret == 0, "profile list written (%s)", err);
	f = fopen(path, "re");
	if (f) {
		n = fread(text, 1, sizeof(text) - 1, f);
		fclose(f);
	}
	text[n] = '\0';
	snprintf(want, sizeof(want),
		 "# ktlsod pid %d %s\n"
		 "web\tkey\troot, groups 4242\n"
		 "client\t-\tanyone\n"
		 "default\t-\tanyone\n", (int)getpid(), c->path);
	CHECK(!strcmp(text, want), "one line per profile, who may use it:\n%s",
	      text);
	unlink(path);
	config_put(c);
}

int main(void)
{
	if (pki_make()) {
		CHECK(0, "test PKI");
		return check_summary();
	}
	test_cgroup_boundary();
	test_matcher();
	test_describe();
	test_config();
	test_publish();
	pki_cleanup();
	return check_summary();
}
