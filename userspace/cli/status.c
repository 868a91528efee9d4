// SPDX-License-Identifier: MIT
/*
 * ktlso status: is the module loaded, can a handshake request reach a
 * daemon, which profiles it serves and to whom, which AEAD transforms the kernel would run the records with,
 * and the module's counters. Exit status 0 when a handshake could work
 * (module loaded, family registered, a daemon listening), 1 otherwise.
 */
#include <dirent.h>
#include <errno.h>
#include <kcapi.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "genl.h"

#define STAT_FILE "/proc/net/ktlso_stat"
/* Written by ktlsod (its --profiles-file, ktlsod(8)) */
#define PROFILES_FILE "/run/ktlso/profiles"

/* The transforms ktlso's cipher table asks the crypto API for. */
static const char *const aeads[] = {
	"gcm(aes)",
	"rfc7539(chacha20,poly1305)",
	"ccm(aes)",
};

struct alg {
	char driver[128];
	long priority;
};

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && strchr(" \t\n", end[-1]))
		*--end = '\0';
	return s;
}

/*
 * /proc/crypto lists instantiated algorithms, one blank-line separated
 * block each; the crypto API picks the highest priority of a name.
 */
static int best_driver(const char *name, struct alg *best)
{
	char line[256], bname[128] = "", driver[128] = "", type[32] = "";
	long prio = -1;
	bool found = false;
	FILE *f = fopen("/proc/crypto", "re");

	if (!f)
		return -errno;
	best->priority = -1;
	for (;;) {
		char *got = fgets(line, sizeof(line), f), *colon, *val;

		if (!got || !strcmp(line, "\n")) {
			if (!strcmp(bname, name) && !strcmp(type, "aead") &&
			    prio > best->priority) {
				snprintf(best->driver, sizeof(best->driver),
					 "%s", driver);
				best->priority = prio;
				found = true;
			}
			bname[0] = driver[0] = type[0] = '\0';
			prio = -1;
			if (!got)
				break;
			continue;
		}
		colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = '\0';
		val = trim(colon + 1);
		if (!strcmp(trim(line), "name"))
			snprintf(bname, sizeof(bname), "%s", val);
		else if (!strcmp(trim(line), "driver"))
			snprintf(driver, sizeof(driver), "%s", val);
		else if (!strcmp(trim(line), "type"))
			snprintf(type, sizeof(type), "%s", val);
		else if (!strcmp(trim(line), "priority"))
			prio = strtol(val, NULL, 10);
	}
	fclose(f);
	return found ? 0 : -ENOENT;
}

/* Allocating the transform through AF_ALG (libkcapi) makes the kernel
 * build it from its templates if nobody has yet, so /proc/crypto then
 * shows the driver ktlso.ko would get too. */
static void show_ciphers(void)
{
	printf("ciphers:\n");
	kcapi_set_verbosity(KCAPI_LOG_NONE);	/* the errno is printed here */
	for (size_t i = 0; i < sizeof(aeads) / sizeof(aeads[0]); i++) {
		struct kcapi_handle *h;
		struct alg alg;
		int err = kcapi_aead_init(&h, aeads[i], 0);

		if (err) {
			printf("  %-28s unavailable: %s\n", aeads[i],
			       strerror(-err));
			continue;
		}
		kcapi_aead_destroy(h);
		err = best_driver(aeads[i], &alg);
		if (err)
			printf("  %-28s available, driver unknown: %s\n",
			       aeads[i], strerror(-err));
		else
			printf("  %-28s %-44s priority %ld\n", aeads[i],
			       alg.driver, alg.priority);
	}
}

/* Pids of processes named ktlsod, at most max of them; the count found. */
static int find_daemons(pid_t *pids, int max)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char path[300], comm[32];
		FILE *f;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) && !strcmp(comm, "ktlsod\n")) {
			if (n < max)
				pids[n] = atoi(e->d_name);
			n++;
		}
		fclose(f);
	}
	closedir(d);
	return n;
}

static void pid_list(const pid_t *pids, int n, int max, char *buf,
		     size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < n && i < max && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%d", i ? "," : "",
				pids[i]);
	if (n > max && off < len)
		snprintf(buf + off, len - off, ",...");
}

/*
 * The kernel answers a request with ECONNREFUSED when no socket listens
 * on the group, so a listener is what "reachable" means. /proc/net/netlink
 * shows that for group ids up to 32; beyond, a ktlsod process is the best
 * evidence available, and the line says which of the two was used.
 */
static bool show_daemon(bool have_group, uint32_t group_id)
{
	pid_t pids[8];
	char list[128];
	int n = find_daemons(pids, 8);
	int listeners = have_group ? genl_listeners(group_id) : -ENOENT;

	pid_list(pids, n, 8, list, sizeof(list));
	printf("daemon:   ");
	if (listeners > 0) {
		printf("reachable: %d socket%s listen%s on \"%s\" "
		       "(/proc/net/netlink)", listeners, listeners > 1 ? "s" : "",
		       listeners > 1 ? "" : "s", KTLSO_GENL_MCGRP);
		if (n)
			printf("; ktlsod pid %s", list);
		printf("\n");
		return true;
	}
	if (listeners == 0) {
		printf("not reachable: no socket listens on \"%s\" "
		       "(/proc/net/netlink)", KTLSO_GENL_MCGRP);
		if (n)
			printf("; ktlsod pid %s runs but has not joined", list);
		printf("\n");
		return false;
	}
	if (n) {
		printf("running: ktlsod pid %s (/proc/*/comm; listeners not "
		       "visible: %s)\n", list, strerror(-listeners));
		return true;
	}
	printf("not running: no ktlsod process (/proc/*/comm)\n");
	return false;
}

static void show_counters(void)
{
	char line[256], name[128];
	long long v;
	FILE *f = fopen(STAT_FILE, "re");

	if (!f) {
		printf("counters: unavailable: %s: %s\n", STAT_FILE,
		       strerror(errno));
		return;
	}
	printf("counters (%s):\n", STAT_FILE);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%127s %lld", name, &v) == 2)
			printf("  %-28s %lld\n", name, v);
	fclose(f);
}

/*
 * The profiles of the configuration ktlsod runs with and who may use each
 * (allow_users, allow_groups, allow_cgroups; ktlsod.conf(5)), as ktlsod
 * published them: the configuration's keys are not ours to read.
 */
static void show_profiles(void)
{
	char line[1536];
	int pid = 0;
	FILE *f = fopen(PROFILES_FILE, "re");

	if (!f) {
		printf("profiles: unknown: %s: %s\n", PROFILES_FILE,
		       strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char *name = line, *key, *who;

		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#') {
			char conf[1024] = "";

			if (sscanf(line, "# ktlsod pid %d %1023s", &pid, conf) < 1)
				continue;
			printf("profiles: %s, from ktlsod pid %d%s (%s):\n",
			       conf, pid,
			       kill(pid, 0) && errno == ESRCH ?
				       ", which has stopped" : "",
			       PROFILES_FILE);
			printf("  %-20s %-4s %s\n", "PROFILE", "KEY", "WHO MAY USE IT");
			continue;
		}
		key = strchr(name, '\t');
		who = key ? strchr(key + 1, '\t') : NULL;
		if (!who)
			continue;
		*key++ = '\0';
		*who++ = '\0';
		printf("  %-20s %-4s %s\n", name, key, who);
	}
	fclose(f);
	if (!pid)
		printf("profiles: %s has no header: not written by ktlsod?\n",
		       PROFILES_FILE);
}

int cmd_status(int argc, char **argv)
{
	uint16_t family_id = 0;
	uint32_t group_id = 0;
	bool module, ok;
	int err;

	(void)argv;
	if (argc != 1) {
		fputs("usage: ktlso status\n", stderr);
		return 2;
	}
	module = !access("/sys/module/ktlso", F_OK);
	printf("module:   %s\n", module ? "loaded (/sys/module/ktlso)" :
					  "not loaded (no /sys/module/ktlso)");

	err = genl_resolve(KTLSO_GENL_NAME, KTLSO_GENL_MCGRP, &family_id,
			   &group_id);
	if (!err)
		printf("netlink:  family \"%s\" id %u, group \"%s\" id %u\n",
		       KTLSO_GENL_NAME, family_id, KTLSO_GENL_MCGRP, group_id);
	else if (err == -ENOENT)
		printf("netlink:  family \"%s\" not registered\n",
		       KTLSO_GENL_NAME);
	else
		printf("netlink:  family \"%s\": %s\n", KTLSO_GENL_NAME,
		       strerror(-err));
	ok = module && !err;
	ok = show_daemon(!err, group_id) && ok;
	show_profiles();
	show_ciphers();
	show_counters();
	return ok ? 0 : 1;
}
