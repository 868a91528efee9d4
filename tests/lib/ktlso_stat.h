/* SPDX-License-Identifier: MIT */
/*
 * The counters of /proc/net/ktlso_stat (per network namespace, one
 * "Name value" line each), for tests that check ktlso counted what went
 * through.
 */
#ifndef KTLSO_TEST_STAT_H
#define KTLSO_TEST_STAT_H

/* The counter @name ("KtlsoTxRecords"), or -1 if the file or the line is
 * missing. */
long long ktlso_counter(const char *name);

#endif /* KTLSO_TEST_STAT_H */
