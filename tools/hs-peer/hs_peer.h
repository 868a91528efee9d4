/* SPDX-License-Identifier: MIT */
/*
 * hs-peer: libktlso's handshake engine over a real TCP socket, with the
 * record protection done in userspace, for testing against real peers.
 *
 *   hs_peer.c    options, configuration, sockets, main()
 *   handshake.c  the engine on a socket: feed what was read, send its output
 *   relay.c      the data phase: stdin <-> records <-> stdout (record/record.h)
 *
 * Exit status: 0 after the peer's close_notify (or, once ours is out, the
 * end of its TCP stream), 1 when the connection fails (the alert is named
 * on stderr), 2 for bad options or files.
 */
#ifndef KTLSO_HS_PEER_H
#define KTLSO_HS_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"
#include "record/record.h"
#include "try.h"

#define PEER_OK 0
#define PEER_FAILED 1
#define PEER_USAGE 2

extern bool peer_verbose;

/* "hs-peer: ..." on stderr; peer_debug() only with --verbose. */
void peer_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void peer_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Run e's handshake on the connected socket fd. On success the bytes read
 * past the last handshake record (the engine never consumes them) are in
 * rest[0..*rest_len); they belong to the record layer. On failure the
 * engine's alert has been sent and the failure logged; returns -errno.
 */
int peer_handshake(int fd, struct tls_engine *e, uint8_t *rest, size_t cap,
		   size_t *rest_len) WUR;

/* The negotiated parameters, one parseable line on stderr. */
void peer_print_result(const struct tls_result *res);

/*
 * Copy stdin to the peer and the peer's data to stdout under res's keys,
 * starting with the rest the handshake left over. A TLS 1.3 client whose
 * result has a pending session keeps the latest ticket's session in keep
 * (if not NULL). Returns PEER_OK once the connection is closed cleanly,
 * else PEER_FAILED (logged).
 */
int peer_relay(int fd, enum tls_role role, const struct tls_result *res,
	       const uint8_t *rest, size_t rest_len, struct tls_session *keep);

#endif /* KTLSO_HS_PEER_H */
