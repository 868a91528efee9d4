/* SPDX-License-Identifier: MIT */
/*
 * A few lines of test harness for ktlso's userspace and VM test programs:
 * one line per check, a closing "N passed, N failed", and an exit status
 * that is non-zero when anything failed (or nothing was checked).
 */
#ifndef KTLSO_CHECK_H
#define KTLSO_CHECK_H

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* One "ok - ..." or "not ok - ... [line N: what]" line, counted. */
void check_report(int ok, const char *what, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* "N passed, N failed"; the exit status for main: 1 on any failure. */
int check_summary(void);

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

#endif /* KTLSO_CHECK_H */
