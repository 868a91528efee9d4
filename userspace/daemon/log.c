// SPDX-License-Identifier: MIT
/* ktlsod's log lines (log.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
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

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	char line[LINE_MAX_LEN];
	va_list ap;
	int n;

	if (lvl == LOG_LVL_DEBUG && !log_verbose)
		return;
	n = journald ? snprintf(line, sizeof(line), "<%d>", lvl) :
		       snprintf(line, sizeof(line), "ktlsod: ");
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;	/* truncated: still one line */
	line[n++] = '\n';
	/* Best effort: there is nowhere to report a failing stderr. */
	if (write(STDERR_FILENO, line, n) < 0)
		return;
}
