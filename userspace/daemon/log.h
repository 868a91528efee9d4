/* SPDX-License-Identifier: MIT */
/*
 * ktlsod's log: one line per event on stderr, which systemd hands to
 * journald. Under journald (JOURNAL_STREAM set) each line starts with its
 * syslog priority ("<3>"), so `journalctl -p err` works; on a terminal it
 * starts with "ktlsod: ". Each line is written with one write(2), so lines
 * from different workers never interleave.
 */
#ifndef KTLSOD_LOG_H
#define KTLSOD_LOG_H

#include <stdbool.h>

enum log_level {
	LOG_LVL_ERR = 3,	/* syslog's LOG_ERR */
	LOG_LVL_WARN = 4,
	LOG_LVL_INFO = 6,
	LOG_LVL_DEBUG = 7,
};

/* -v: debug lines too. */
extern bool log_verbose;

void log_init(void);
void log_msg(enum log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_err(...) log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif /* KTLSOD_LOG_H */
