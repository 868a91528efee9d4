/* SPDX-License-Identifier: MIT */
/*
 * A few lines of test harness for ktlso's userspace and VM test programs:
 * one line per check, a closing "N passed, N failed", and an exit status
 * that is non-zero when anything failed.
 */
#ifndef KTLSO_CHECK_H
#define KTLSO_CHECK_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static unsigned int checks_passed, checks_failed;

static void __attribute__((format(printf, 4, 5)))
check_report(int ok, const char *what, int line, const char *fmt, ...)
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

/* CHECK(condition, "description", ...) */
#define CHECK(cond, ...) check_report(!!(cond), #cond, __LINE__, __VA_ARGS__)

/* CHECK_ERRNO(expression returning -1/errno, EXPECTED, "description", ...) */
#define CHECK_ERRNO(expr, expected, ...)                                       \
	do {                                                                   \
		errno = 0;                                                     \
		long r_ = (long)(expr);                                        \
		int e_ = errno;                                                \
		check_report(r_ == -1 && e_ == (expected), #expr, __LINE__,    \
			     __VA_ARGS__);                                     \
		if (!(r_ == -1 && e_ == (expected)))                           \
			printf("    got %ld (%s), want -1 (%s)\n", r_,         \
			       r_ == -1 ? strerror(e_) : "no error",           \
			       strerror(expected));                            \
	} while (0)

static int check_summary(void)
{
	printf("%u passed, %u failed\n", checks_passed, checks_failed);
	return checks_failed || !checks_passed ? 1 : 0;
}

#endif /* KTLSO_CHECK_H */
