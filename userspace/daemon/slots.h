/* SPDX-License-Identifier: MIT */
/*
 * Handshake slots: how many handshakes ktlsod runs at once. The acceptor
 * takes a slot before each ACCEPT; a session gives it back once its socket
 * is closed (session_ops.release). While none is free the acceptor stops
 * taking requests: they wait in the kernel, under its max_pending quota
 * and their own timeouts, until a slot frees (ktlsod(8), LIMITS).
 *
 * The number of slots is the smaller of max_handshakes and what
 * RLIMIT_NOFILE leaves: a handshake holds one descriptor, its socket,
 * which ACCEPT itself opens before any byte goes out; the descriptors
 * ktlsod holds for itself and a reserve for what it opens on the way
 * (a reload's files, a worker's lazy look-up in a CA directory) are set
 * apart. The limit is read again at every take, so a prlimit(1) on the
 * running daemon counts too.
 *
 *   acceptor: slots_take() ─► ACCEPT ─► worker ... session_free()
 *                                                 └► slots_put() ─► wake
 */
#ifndef KTLSOD_SLOTS_H
#define KTLSOD_SLOTS_H

#include <stdatomic.h>
#include <stdbool.h>

#include "try.h"

/* Descriptors beyond those held at start that ktlsod may open itself. */
#define SLOTS_FD_RESERVE 16

struct slots {
	atomic_uint used;
	unsigned int own_fds;	/* held at slots_init(), plus the reserve */
	int wake;		/* eventfd, readable after every put */
};

/* Count the descriptors open now; workers: one more each for the reserve. */
int slots_init(struct slots *s, unsigned int workers) WUR;
void slots_uninit(struct slots *s);

/* The slots there are now: max_handshakes, or fewer for RLIMIT_NOFILE. */
unsigned int slots_max(const struct slots *s, unsigned int max_handshakes);

/* One slot, if one of slots_max() is free. */
bool slots_take(struct slots *s, unsigned int max_handshakes);
/* A session's slot back, waking the acceptor. */
void slots_put(struct slots *s);
/* The acceptor's own slot back, unused (nobody to wake). */
void slots_cancel(struct slots *s);

/* Readable when a slot may have come free; slots_clear() after poll. */
int slots_fd(const struct slots *s);
void slots_clear(struct slots *s);

#endif /* KTLSOD_SLOTS_H */
