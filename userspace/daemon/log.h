/* SPDX-License-Identifier: MIT */
/*
 * ktlsod's log: one line per event on stderr, which systemd hands to
 * journald. Under journald (JOURNAL_STREAM set) each line starts with its
 * syslog priority ("<3>"), so `journalctl -p err` works; on a terminal it
 * starts with "ktlsod: ". Each line is written with one write(2), so lines
 * from different workers never interleave.
 *
 * Strings that come from outside (an application's profile and peer name,
 * a peer's ALPN or certificate subject, the engine's reason that quotes
 * them) go through LOG_ESC(): a newline in them would otherwise start a
 * forged line, "<3>..." and all.
 */
#ifndef KTLSOD_LOG_H
#define KTLSOD_LOG_H

#include <stdbool.h>
#include <stddef.h>

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

/*
 * in as printable ASCII in out: every byte outside 0x20..0x7e, and '"' and
 * '\\', becomes "\xNN". An output that does not fit ends in "..." (always
 * NUL-terminated when size > 0). NULL prints as "(null)". Returns out.
 */
const char *log_escape(char *out, size_t size, const char *in);

/* Room for a 255-byte string escaped whole ("\xNN" each). */
#define LOG_ESC_MAX (4 * 255 + 1)

/* log_escape() into a buffer that lives until the end of the statement's
 * block: log_info("profile=%s", LOG_ESC(req.profile)). */
#define LOG_ESC(s) log_escape((char[LOG_ESC_MAX]){ 0 }, LOG_ESC_MAX, (s))

/* For a field that is not quoted (profile=NAME): blanks escaped too, so
 * the string cannot end its field and add one. */
const char *log_escape_word(char *out, size_t size, const char *in);
#define LOG_ESC_WORD(s) log_escape_word((char[LOG_ESC_MAX]){ 0 }, LOG_ESC_MAX, (s))

#endif /* KTLSOD_LOG_H */
