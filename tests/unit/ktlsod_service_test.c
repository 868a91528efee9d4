// SPDX-License-Identifier: MIT
/*
 * userspace/daemon/ktlsod.service, as systemd reads it:
 *  - `systemd-analyze verify` accepts it without one warning (an unknown
 *    or misspelt directive is only a warning there, so any output fails);
 *  - it runs ktlsod as its own user with CAP_NET_ADMIN alone, no new
 *    privileges, no core file, and the sandbox ktlsod(8) describes;
 *  - `systemd-analyze security` finds no setting of it that leaves ktlsod
 *    root or able to change its identity.
 * The unit's ExecStart is pointed at build/ktlsod, so the check that the
 * program exists is a real one; nothing else is changed.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../lib/check.h"
#include "../lib/pki.h"

#define LINE 4096

static char unit[PATH_MAX];

/* The unit, ExecStart on build/ktlsod, in a temporary directory. */
static int make_copy(char *dir)
{
	char src[PATH_MAX], line[LINE], daemon[PATH_MAX];
	FILE *in, *out;

	snprintf(src, sizeof(src), "%s/userspace/daemon/ktlsod.service",
		 repo_root());
	snprintf(daemon, sizeof(daemon), "%s/build/ktlsod", repo_root());
	if (!mkdtemp(dir))
		return -1;
	snprintf(unit, sizeof(unit), "%s/ktlsod.service", dir);
	in = fopen(src, "r");
	out = fopen(unit, "w");
	if (!in || !out)
		return -1;
	while (fgets(line, sizeof(line), in)) {
		if (!strncmp(line, "ExecStart=/usr/sbin/ktlsod", 26))
			fprintf(out, "ExecStart=%s%s", daemon, line + 26);
		else
			fputs(line, out);
	}
	fclose(in);
	return fclose(out);
}

/* Run cmd; its output (stdout and stderr) in out, its exit status. */
static int run(const char *cmd, char *out, size_t size)
{
	FILE *p = popen(cmd, "r");
	size_t n = 0;
	int status;

	if (!p)
		return -1;
	while (n + 1 < size && fgets(out + n, size - n, p))
		n += strlen(out + n);
	out[n] = '\0';
	status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The unit has exactly this "Key=value" line. */
static bool has(const char *want)
{
	char line[LINE];
	bool found = false;
	FILE *f = fopen(unit, "r");

	while (f && !found && fgets(line, sizeof(line), f))
		found = !strcmp(line, want) ||
			(!strncmp(line, want, strlen(want)) &&
			 line[strlen(want)] == '\n');
	if (f)
		fclose(f);
	return found;
}

static void test_verify(void)
{
	char cmd[PATH_MAX + 64], out[8192];
	int st;

	snprintf(cmd, sizeof(cmd), "systemd-analyze verify --man=no '%s' 2>&1",
		 unit);
	st = run(cmd, out, sizeof(out));
	CHECK(st == 0 && !out[0], "systemd-analyze verify: exit 0, no warning");
	if (st || out[0])
		printf("    exit %d: %s\n", st, out);
}

static void test_directives(void)
{
	static const char *const want[] = {
		"User=ktlsod",
		"AmbientCapabilities=CAP_NET_ADMIN",
		"CapabilityBoundingSet=CAP_NET_ADMIN",
		"NoNewPrivileges=yes",
		"LimitCORE=0",
		"ProtectSystem=strict",
		"ProtectHome=yes",
		"PrivateTmp=yes",
		"MemoryDenyWriteExecute=yes",
		"SystemCallFilter=@system-service",
		"RestrictAddressFamilies=AF_NETLINK AF_ALG AF_UNIX",
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		CHECK(has(want[i]), "the unit says %s", want[i]);
}

static void test_security(void)
{
	static const char *const never[] = {
		"User=/DynamicUser=",
		"CapabilityBoundingSet=~CAP_SET(UID|GID|PCAP)",
		"CapabilityBoundingSet=~CAP_SYS_ADMIN",
		"CapabilityBoundingSet=~CAP_(DAC_*|FOWNER|IPC_OWNER)",
		"NoNewPrivileges=",
		"MemoryDenyWriteExecute=",
		"SystemCallFilter=~@mount",
		"SystemCallFilter=~@module",
		"SystemCallFilter=~@raw-io",
	};
	char cmd[PATH_MAX + 96], out[65536];
	int st;

	snprintf(cmd, sizeof(cmd), "systemd-analyze security --offline=true "
		 "--man=no '%s' 2>&1", unit);
	st = run(cmd, out, sizeof(out));
	CHECK(strstr(out, "Overall exposure level for ktlsod.service"),
	      "systemd-analyze security rates the unit (exit %d)", st);
	for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++) {
		char bad[128];

		/* A finding against the unit is a line "✗ SETTING ..." */
		snprintf(bad, sizeof(bad), "\xe2\x9c\x97 %s", never[i]);
		CHECK(strstr(out, "Overall") && !strstr(out, bad),
		      "security: no finding \"%s\"", never[i]);
	}
}

int main(void)
{
	char dir[] = "/tmp/ktlso-unit-XXXXXX", cmd[64];

	if (make_copy(dir)) {
		CHECK(0, "a copy of ktlsod.service in %s", dir);
		return check_summary();
	}
	test_directives();
	if (system("systemd-analyze --version >/dev/null 2>&1") != 0) {
		CHECK(0, "systemd-analyze is installed (tools/deps: systemd)");
	} else {
		test_verify();
		test_security();
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		printf("    could not remove %s\n", dir);
	return check_summary();
}
