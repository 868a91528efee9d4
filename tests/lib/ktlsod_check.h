/* SPDX-License-Identifier: MIT */
/* `ktlsod -t -c FILE` from the build tree, as the unit tests run it. */
#ifndef KTLSO_TEST_KTLSOD_CHECK_H
#define KTLSO_TEST_KTLSOD_CHECK_H

#include <stddef.h>

/*
 * Run build/ktlsod -t -c @conf (no shell; stdout dropped) and keep the last
 * line it wrote to stderr in @line (@size bytes, no newline).
 * Return: its exit status, or -1 when it could not run or was killed.
 */
int ktlsod_check(const char *conf, char *line, size_t size);

#endif /* KTLSO_TEST_KTLSOD_CHECK_H */
