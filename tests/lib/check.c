// SPDX-License-Identifier: MIT
/*
 * The counters behind CHECK(): one pair per test program, so every helper
 * in this library that checks something adds to the same summary.
 */
#include <stdarg.h>

#include "check.h"

static unsigned int checks_passed, checks_failed;

void check_report(int ok, const char *what, int line, const char *fmt, ...)
{
	va_list ap;

	printf("%s - ", ok ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (!ok)
		printf("  [line %d: %s]", line, what);
	printf("\n");
	fflush(stdout);
	if (ok)
		checks_passed++;
	else
		checks_failed++;
}

int check_summary(void)
{
	printf("%u passed, %u failed\n", checks_passed, checks_failed);
	return checks_failed || !checks_passed ? 1 : 0;
}
