// SPDX-License-Identifier: MIT
/* ktlsod's log lines (log.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

#define LINE_MAX_LEN 1024

bool log_verbose;
static bool journald;

void log_init(void)
{
	/* systemd sets it when stderr is connected to the journal. */
	journald = getenv("JOURNAL_STREAM") != NULL;
}

/* A blank ends an unquoted field: in a word it is escaped too. */
static bool plain(unsigned char c, bool word)
{
	return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\' &&
	       !(word && c == ' ');
}

static size_t escaped_len(const unsigned char *s, bool word)
{
	size_t n = 0;

	for (; *s; s++)
		n += plain(*s, word) ? 1 : 4;
	return n;
}

static const char *escape(char *out, size_t size, const char *in, bool word)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)(in ? in : "(null)");
	/* Cut: keep room for "..." and the NUL. */
	size_t room = escaped_len(s, word) < size ? size - 1 :
		      size > 4 ? size - 4 : 0;
	size_t n = 0;

	if (!size)
		return out;
	for (; *s; s++) {
		if (n + (plain(*s, word) ? 1 : 4) > room)
			break;
		if (plain(*s, word)) {
			out[n++] = *s;
			continue;
		}
		out[n++] = '\\';
		out[n++] = 'x';
		out[n++] = hex[*s >> 4];
		out[n++] = hex[*s & 15];
	}
	snprintf(out + n, size - n, "%s", *s ? "..." : "");
	return out;
}

const char *log_escape(char *out, size_t size, const char *in)
{
	return escape(out, size, in, false);
}

const char *log_escape_word(char *out, size_t size, const char *in)
{
	return escape(out, size, in, true);
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	char line[LINE_MAX_LEN];
	va_list ap;
	int n, start;

	if (lvl == LOG_LVL_DEBUG && !log_verbose)
		return;
	n = journald ? snprintf(line, sizeof(line), "<%d>", lvl) :
		       snprintf(line, sizeof(line), "ktlsod: ");
	start = n;
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;	/* truncated: still one line */
	/*
	 * The last guard: a string that missed LOG_ESC() still cannot end
	 * the line early. Escaping is the real fix; this only keeps one line.
	 */
	for (int i = start; i < n; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			line[i] = '?';
	line[n++] = '\n';
	/* Best effort: there is nowhere to report a failing stderr. */
	if (write(STDERR_FILENO, line, n) < 0)
		return;
}
