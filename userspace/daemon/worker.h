/* SPDX-License-Identifier: MIT */
/*
 * The worker threads: one per core, each an epoll loop driving many
 * sessions at once. A session waits only on its own socket and its own
 * deadline (the request's TIMEOUT_MS, kept in the worker's list sorted by
 * deadline, which sets epoll_wait's timeout), so a slow or silent peer
 * delays nobody else. The socket is the only descriptor a session holds.
 *
 *   acceptor ──pipe──► worker 0: epoll { queue, sockets }, deadlines
 *            ──pipe──► worker 1: ...          (round-robin)
 */
#ifndef KTLSOD_WORKER_H
#define KTLSOD_WORKER_H

#include "session.h"
#include "try.h"

struct workers;

/* n threads, n >= 1. */
int workers_start(unsigned int n, struct workers **out) WUR;

/*
 * Hand a new session to the next worker. On failure the caller
 * still owns it.
 */
int workers_submit(struct workers *w, struct session *s) WUR;

/*
 * Stop: no new sessions; those in flight may finish within drain_ms, the
 * rest end with ECONNABORTED. Returns once every thread has exited, and
 * frees w.
 */
void workers_stop(struct workers *w, unsigned int drain_ms);

#endif /* KTLSOD_WORKER_H */
