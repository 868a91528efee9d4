/* SPDX-License-Identifier: MIT */
/*
 * ktlso perf (ktlso-perf): an iperf3-style throughput test over ktlso, the
 * in-tree kTLS, plain TCP or OpenSSL's libssl, all in one tool so one run
 * compares them (Documentation/ktlso.1, PERF).
 *
 *   main.c     options, the client and the server
 *   control.c  the control connection: parameters out, results back
 *   stream.c   a data connection in each mode, its reads and writes
 *   engine.c   mode tls: libktlso's engine on the socket, keys to tls.ko
 *   ossl.c     mode openssl: SSL_connect/accept, SSL_write/SSL_read
 *   run.c      the timed transfer: every stream in one poll loop, intervals,
 *              the CPU time and ktlso_stat counters around it
 *   report.c   what the run measured: text as iperf3 prints it, or JSON
 *
 * Single-threaded, like iperf3 before 3.16. Functions return 0 or -errno.
 */
#ifndef KTLSO_PERF_H
#define KTLSO_PERF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <openssl/ssl.h>

#include "cli.h"
#include "engine/engine.h"

#define PERF_DEFAULT_PORT 5301
#define PERF_MAX_STREAMS 128
#define PERF_DEFAULT_LEN (128 * 1024)
#define PERF_SETUP_TIMEOUT_MS 10000

enum perf_mode { MODE_KTLSO, MODE_TLS, MODE_TCP, MODE_OPENSSL };

/* What the client asks for; the server gets it over the control connection. */
struct perf_params {
	enum perf_mode mode;
	unsigned int streams;	/* -P */
	bool reverse;		/* -R: the server sends */
	bool bidir;		/* --bidir: -P streams each way */
	size_t len;		/* -l: bytes per write */
	double seconds;		/* -t */
	uint64_t bytes;		/* -n: total to send instead of -t, 0: off */
	double interval;	/* -i, 0: no interval lines */
	char cipher[128];	/* --cipher, "" for the defaults */
	char tls[8];		/* --tls 1.2|1.3, "" for both */
};

/* The local options that never travel. */
struct perf_local {
	bool server, json, one_off;
	const char *host;
	unsigned int port;
	const char *sendfile;	/* --sendfile FILE */
	const char *profile;	/* ktlso mode: ktlsod.conf profile */
	const char *name;	/* peer name to verify, default HOST */
	const char *cert, *key;	/* server, modes tls and openssl */
	const char *ca;		/* client, modes tls and openssl */
	bool control_tls;	/* client: the control connection by ktlsod */
};

/* Figures of one side, and of the other side once exchanged. */
struct perf_side {
	double user, system, wall;	/* CPU and wall seconds of the test */
	/* /proc/net/ktlso_stat deltas (whole network namespace), -1: none */
	int64_t tx_records, rx_records, rekeys;
	char cipher[64];		/* "TLSv1.3 TLS_AES_128_GCM_SHA256", "none" */
};

struct perf_stream {
	int fd;
	unsigned int id;	/* the socket number iperf3 prints */
	bool sender;		/* this side writes on it */
	bool done;		/* sender: stopped and shut down; receiver: EOF */
	uint64_t bytes;		/* sent or received here */
	uint64_t interval_bytes;
	double end;		/* seconds from the start when done */
	uint64_t remote_bytes;	/* what the other side counted */
	double remote_end;
	struct tls_in in;	/* modes ktlso, tls: records not data */
	SSL *ssl;		/* mode openssl */
	char local[80], remote[80];
};

struct perf_test {
	struct perf_params p;
	struct perf_local l;
	int ctl;
	struct perf_stream s[PERF_MAX_STREAMS * 2];
	unsigned int n;
	struct perf_side me, peer;
	SSL_CTX *ssl_ctx;
	struct tls_config tls_cfg;
	bool tls_cfg_ready;
	int file_fd;		/* --sendfile */
	uint64_t file_size;
	unsigned char *buf;
	FILE *out;		/* the report: stdout */
	char control_cipher[64]; /* "none", or as perf_side's cipher */
	char *json_intervals;	/* intervals, JSON, collected as they come */
	size_t json_len, json_cap;
};

const char *mode_name(enum perf_mode m);
int mode_parse(const char *s, enum perf_mode *m) WUR;

/* control.c */
int ctl_send_params(int fd, const struct perf_params *p) WUR;
/* Reads the client's hello; *msg says what was wrong on -EPROTO. */
int ctl_recv_params(int fd, struct perf_params *p, char *msg, size_t len) WUR;
/* "ok" or "error MESSAGE" to the client. */
int ctl_reply(int fd, const char *status) WUR;
/* The server's answer; -EPROTO with the reason in msg. */
int ctl_wait_reply(int fd, char *msg, size_t len) WUR;
int ctl_send_line(int fd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3))) WUR;
int ctl_recv_line(int fd, char *buf, size_t len, int timeout_ms) WUR;
int ctl_send_results(const struct perf_test *t) WUR;
int ctl_recv_results(struct perf_test *t) WUR;

/* stream.c */
/* ktlsod's handshake on fd; the version and suite into cipher, or why
 * not into err, after WHAT ("mode ktlso", "--control-tls"). */
int perf_ktlso_handshake(struct perf_test *t, const char *what, int fd,
			 bool server, char *cipher, size_t cipherlen, char *err,
			 size_t errlen) WUR;
int stream_client_setup(struct perf_test *t, struct perf_stream *s, char *err,
			size_t errlen) WUR;
int stream_server_setup(struct perf_test *t, struct perf_stream *s, char *err,
			size_t errlen) WUR;
/* > 0 bytes moved, 0 at the end of the stream (read), -EAGAIN, -errno. */
ssize_t stream_write(struct perf_test *t, struct perf_stream *s) WUR;
ssize_t stream_read(struct perf_test *t, struct perf_stream *s) WUR;
/* The sender's end: close_notify where the mode has one, then FIN. */
void stream_finish(struct perf_stream *s);
void stream_close(struct perf_stream *s);
/* Plaintext libssl holds already: readable whatever poll() says. */
bool stream_has_pending(const struct perf_stream *s);

/* engine.c */
int engine_config(struct perf_test *t, char *err, size_t errlen) WUR;
int engine_handshake(struct perf_test *t, int fd, bool server, char *err,
		     size_t errlen) WUR;

/* ossl.c */
int ossl_context(struct perf_test *t, char *err, size_t errlen) WUR;
int ossl_handshake(struct perf_test *t, struct perf_stream *s, bool server,
		   char *err, size_t errlen) WUR;
void ossl_describe(const SSL *ssl, char *buf, size_t len);

/* run.c */
int run_test(struct perf_test *t) WUR;
double now_s(void);

/* report.c */
void report_connected(struct perf_test *t, const struct perf_stream *s);
void report_header(struct perf_test *t);
void report_interval(struct perf_test *t, double from, double to);
void report_end(struct perf_test *t);
void report_progress(struct perf_test *t, double at);
/* ktlso_stat counters now; -1 each when there is no ktlso. */
void stat_read(int64_t *tx, int64_t *rx, int64_t *rekeys);

#endif /* KTLSO_PERF_H */
