/* SPDX-License-Identifier: MIT */
/*
 * The ktlso command: what its subcommands share. The data path is the
 * kernel's: a TCP socket, the "ktlso" ULP and the KTLSO_HANDSHAKE socket
 * option; no TLS library is linked (only libktlso's tables of names).
 */
#ifndef KTLSO_CLI_H
#define KTLSO_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <linux/ktlso.h>

#include "try.h"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

/* --timeout: what the kernel accepts for a handshake request. */
#define TIMEOUT_MAX_MS (10 * 60 * 1000)

/* Each subcommand: argv[0] is its name; returns the exit status. */
int cmd_status(int argc, char **argv);
int cmd_connect(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_wrap(int argc, char **argv);
int cmd_perf(int argc, char **argv);

/*
 * The path of a file ktlso hands work to: beside the binary, else in
 * ../lib/ktlso/ (installed). 0, or -ENOENT.
 */
int helper_path(const char *name, char *buf, size_t len) WUR;

/* "ktlso: " + message (+ ": strerror(err)" when err > 0) on stderr. */
void warnx_(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Parse a decimal in [min, max]; 0 or -EINVAL. */
int parse_uint(const char *s, unsigned long min, unsigned long max,
	       unsigned long *out) WUR;

/* Copy an option into a request field; -ENAMETOOLONG if it does not fit. */
int set_field(char *dst, size_t size, const char *src) WUR;

/* The getopt_long() entries of the request options connect and serve share. */
#define HANDSHAKE_OPTIONS                                       \
	{ "alpn", required_argument, NULL, 'a' },               \
	{ "profile", required_argument, NULL, 'p' },            \
	{ "timeout", required_argument, NULL, 't' },            \
	{ "help", no_argument, NULL, 'h' }

/*
 * Apply one of HANDSHAKE_OPTIONS to req (--timeout to *ms as well): 0, or
 * -EINVAL for a bad value or an option that is none of them (--help too).
 */
int handshake_option(int opt, const char *arg,
		     struct ktlso_handshake_req *req, unsigned long *ms) WUR;

/* --- handshake.c: the two socket options, and reading plaintext --- */

/* setsockopt(TCP_ULP, "ktlso"). */
int ktlso_attach(int fd) WUR;

/*
 * setsockopt(KTLSO_HANDSHAKE) on a blocking socket, then
 * getsockopt(KTLSO_HANDSHAKE) into *st (zeroed, alert -1, if the kernel
 * has nothing to report).
 */
int ktlso_handshake(int fd, const struct ktlso_handshake_req *req,
		    struct ktlso_handshake_status *st) WUR;

/* "TLSv1.3 TLS_AES_128_GCM_SHA256 alpn=h2 peer=\"CN=x\" verified=yes" */
void ktlso_describe(const struct ktlso_handshake_status *st, char *buf,
		    size_t len);

/* "Key was rejected by service (alert bad_certificate)" */
void ktlso_describe_failure(int err, const struct ktlso_handshake_status *st,
			    char *buf, size_t len);

/*
 * Plaintext reader over a socket ktlsod set up: the module keeps the
 * peer's control records out of the stream, so only its fatal alert needs
 * telling apart from other resets.
 */
struct tls_in {
	int fd;
	int alert;		/* the peer's fatal alert, -1 if none */
};

void tls_in_init(struct tls_in *in, int fd);

/*
 * recv() of plaintext: > 0 bytes, 0 at close_notify or TCP EOF, or -errno:
 * -EAGAIN (non-blocking, nothing yet), -EPROTO (the peer's fatal alert, in
 * in->alert), others from the socket.
 */
ssize_t tls_read(struct tls_in *in, void *buf, size_t len) WUR;

/* --- addresses --- */

/* "[::1]:443" / "127.0.0.1:443" for a sockaddr. */
void sockaddr_str(const void *sa, socklen_t len, char *buf, size_t size);

#endif /* KTLSO_CLI_H */
