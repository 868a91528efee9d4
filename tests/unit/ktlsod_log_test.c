// SPDX-License-Identifier: MIT
/*
 * ktlsod's log lines (userspace/daemon/log.c): LOG_ESC() turns whatever an
 * application or a peer chose into printable ASCII, and a log line that
 * carries such a string is still exactly one line on stderr, under
 * journald's "<N>" prefix too, so nobody can forge a journal entry.
 *
 *   log_msg() ── write(2) ──► pipe (dup2'ed over stderr) ──► read back here
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "../lib/check.h"
#include "log.h"

struct esc_case {
	const char *in;
	size_t size;
	const char *out;
};

static const struct esc_case cases[] = {
	{ "web", 64, "web" },
	{ "", 64, "" },
	{ "db.internal:5432", 64, "db.internal:5432" },
	{ "a\nb", 64, "a\\x0ab" },
	{ "\n<3>forged", 64, "\\x0a<3>forged" },
	{ "say \"hi\"", 64, "say \\x22hi\\x22" },
	{ "back\\slash", 64, "back\\x5cslash" },
	{ "\r\t\x1b[31m\x7f", 64, "\\x0d\\x09\\x1b[31m\\x7f" },
	{ "\xc3\xa9t\xc3\xa9", 64, "\\xc3\\xa9t\\xc3\\xa9" },
	/* Too long: cut, and said so; never a torn "\xN". */
	{ "abcdefghij", 8, "abcd..." },
	{ "\n\n\n", 8, "\\x0a..." },
	{ "abcdefg", 8, "abcdefg" },
	{ "abcdefgh", 8, "abcd..." },
};

static void test_escape(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct esc_case *c = &cases[i];
		char out[LOG_ESC_MAX];
		const char *got = log_escape(out, c->size, c->in);

		CHECK(got == out && !strcmp(out, c->out) &&
			      strlen(out) < c->size,
		      "escape case %zu in %zu bytes: \"%s\"", i, c->size,
		      c->out);
		if (strcmp(out, c->out))
			printf("    got \"%s\"\n", out);
	}
	CHECK(!strcmp(LOG_ESC(NULL), "(null)"), "NULL prints as (null)");
}

/* A 255-byte name of every bad byte fits LOG_ESC_MAX whole. */
static void test_longest_name(void)
{
	char name[256], *out;
	size_t len;

	memset(name, '\n', 255);
	name[255] = '\0';
	out = strdup(LOG_ESC(name));
	len = out ? strlen(out) : 0;
	CHECK(len == 4 * 255 && !strstr(out, "..."),
	      "255 newlines escape whole: %zu bytes", len);
	free(out);
}

/* What log_msg() writes while fmt's arguments are given, read back. */
static ssize_t capture(char *buf, size_t size, const char *peer)
{
	int p[2], saved = dup(STDERR_FILENO);
	ssize_t n;

	if (saved < 0 || pipe(p))
		return -1;
	dup2(p[1], STDERR_FILENO);
	close(p[1]);
	log_info("handshake peer_name=\"%s\" result=ok", LOG_ESC(peer));
	log_info("unescaped: %s", peer);
	dup2(saved, STDERR_FILENO);
	close(saved);
	n = read(p[0], buf, size - 1);
	close(p[0]);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

static size_t count(const char *s, char c)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == c;
	return n;
}

static void test_no_forged_line(void)
{
	static const char forged[] = "x\n<3>forged: root logged in\r\"";
	char buf[4096];
	ssize_t n;

	setenv("JOURNAL_STREAM", "8:1234", 1);
	log_init();
	n = capture(buf, sizeof(buf), forged);
	CHECK(n > 0 && count(buf, '\n') == 2,
	      "two log calls under journald are two lines, not more");
	CHECK(strstr(buf, "<6>handshake peer_name=\"x\\x0a<3>forged: root "
			  "logged in\\x0d\\x22\" result=ok\n") == buf,
	      "the escaped peer name stays inside its quotes on one line");
	CHECK(strstr(buf, "\n<6>unescaped: x?<3>forged: root logged in?\"\n"),
	      "a string that missed LOG_ESC() still ends no line early");
	CHECK(!strstr(buf, "\n<3>"), "no line starts with the forged <3>");
	if (n > 0)
		printf("    captured: %s", LOG_ESC(buf));
	printf("\n");
	unsetenv("JOURNAL_STREAM");
	log_init();
}

int main(void)
{
	test_escape();
	test_longest_name();
	test_no_forged_line();
	return check_summary();
}
