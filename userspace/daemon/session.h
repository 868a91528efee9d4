/* SPDX-License-Identifier: MIT */
/*
 * One handshake: the engine on the socket the kernel handed over, driven
 * by a worker's epoll loop without ever blocking.
 *
 *   peer ─► recv(MSG_PEEK) ─► tls_engine_feed() ─► recv(exactly consumed)
 *   peer ◄─ send(MSG_DONTWAIT) ◄─ tls_engine_output()
 *   done ─► flush ─► TLS_TX, TLS_RX ─► wipe ─► DONE {0, details}
 *   fail ─► the alert, if it can go at once ─► DONE {errno, alert}
 *
 * Reading with MSG_PEEK and then taking exactly what the engine consumed
 * leaves every byte after the last handshake record in the socket for the
 * kernel's record layer. The socket's file is shared with the application,
 * so its flags are never changed: every call says MSG_DONTWAIT instead of
 * setting O_NONBLOCK on the application's socket.
 */
#ifndef KTLSOD_SESSION_H
#define KTLSOD_SESSION_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "config.h"
#include "netlink.h"

/*
 * What a session does to the outside world, one seam for the tests:
 * installing keys (setsockopt SOL_TLS) and reporting DONE (netlink), both
 * returning 0 or -errno; and, if set, release() once session_free() has
 * closed the socket (ktlsod gives back the handshake's slot, slots.h).
 */
struct session_ops {
	int (*install)(void *ctx, int fd, int optname, const void *info,
		       socklen_t len);
	int (*done)(void *ctx, const struct nl_done *d);
	void (*release)(void *ctx);
	void *ctx;
};

/* The production install: setsockopt(fd, SOL_TLS, optname, ...). */
int session_setsockopt(void *ctx, int fd, int optname, const void *info,
		       socklen_t len);

struct session;

/*
 * A handshake for req, served with a profile of cfg. Takes over req->fd
 * and the caller's reference to cfg, even when it fails (NULL, ENOMEM:
 * then release() is not called).
 */
struct session *session_new(const struct nl_request *req, struct config *cfg,
			    const struct session_ops *ops);

/*
 * Start, or go on after an event on the socket. Returns the epoll events
 * to wait for (EPOLLIN, EPOLLOUT), or 0 once the handshake has ended: DONE
 * is reported and the line logged; remove the socket from epoll, then
 * session_free(). buf is scratch space for reading.
 */
uint32_t session_start(struct session *s, uint8_t *buf, size_t cap);
uint32_t session_step(struct session *s, uint8_t *buf, size_t cap);

/* End it now with this positive errno (ETIMEDOUT, ECONNABORTED). */
void session_fail(struct session *s, int err);

int session_fd(const struct session *s);
/*
 * When to give up (CLOCK_MONOTONIC): the request's timeout counted from
 * ACCEPT, less a margin, so that ktlsod ends it before the kernel does
 * however long the session waited for its worker.
 */
struct timespec session_deadline(const struct session *s);

/* Close the socket, drop the configuration, wipe and free; release(). */
void session_free(struct session *s);

#endif /* KTLSOD_SESSION_H */
