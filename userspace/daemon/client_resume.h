/* SPDX-License-Identifier: MIT */
/*
 * Sessions ktlsod's clients resume (Documentation/handshake.rst, Session
 * resumption), for profiles with tickets = on (their client_cache):
 *
 *   worker, before a client handshake:   take the session cached for
 *       (profile, peer name, port) and offer it (single use, §C.4)
 *   worker, a TLS 1.2 client handshake done:  cache its session (the
 *       session ID and/or ticket of the handshake, resumed or new)
 *   worker, a TLS 1.3 client handshake done, before DONE:  wait for
 *       tickets on the socket, keeping its resumption master secret
 *   main thread, a TICKET from the module: the waiting connection (by its
 *       socket cookie) turns the ticket into a session, cached
 *
 * A connection waits at most CLIENT_RESUME_WAIT_MS for its tickets (they
 * come when the application first reads), and at most
 * CLIENT_RESUME_WAITING connections wait at once: a new one takes the
 * place of the one closest to giving up. The secret is wiped when the
 * wait ends. A waiting connection holds its configuration, so that a
 * ticket lands in the cache of the generation that made the connection:
 * a reload (SIGHUP) starts every profile with an empty cache, and sessions
 * of the old profiles or trust anchors are never offered again.
 *
 * Thread-safe: a mutex guards the waiting connections; the caches have
 * their own.
 */
#ifndef KTLSOD_CLIENT_RESUME_H
#define KTLSOD_CLIENT_RESUME_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "engine/engine.h"
#include "netlink.h"

#define CLIENT_RESUME_WAIT_MS 30000
#define CLIENT_RESUME_WAITING 1024

/*
 * The session to offer on fd (a connected client socket) for profile p
 * and peer name peer, into out: true if there is one.
 */
bool client_resume_offer(const struct profile *p, const char *peer, int fd,
			 struct tls_session *out);

/*
 * A client handshake ended well with r: keep its session, now (TLS 1.2)
 * or as its tickets come (TLS 1.3, wait for them).
 */
void client_resume_keep(struct config *cfg, const struct profile *p,
			const char *peer, int fd, const struct tls_result *r);

/* A TICKET notification: 0 if it became a cached session, else -errno. */
int client_resume_ticket(const struct nl_ticket *t);

/* Stop waiting for any ticket (exit). */
void client_resume_clear(void);

#endif /* KTLSOD_CLIENT_RESUME_H */
