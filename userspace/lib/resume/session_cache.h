/* SPDX-License-Identifier: MIT */
/*
 * The server's TLS 1.2 session cache (RFC 5246 §7.4.1.2, §F.1.4): the
 * sessions a server gave a session ID, found again when a client offers
 * that ID.
 *
 * Bounded and direct-mapped: a fixed number of slots, chosen once; an ID
 * (32 random bytes of ours) picks its slot from its first bytes, and a new
 * session takes its slot whoever held it. No allocation after creation, no
 * list to walk, and a client cannot grow it: at most `slots` sessions, each
 * a fixed size (session_cache_memory()).
 *
 * Shared by every worker thread of ktlsod: one mutex around each put/get
 * (a copy of one slot); reference-counted, so that a reloaded
 * configuration can keep it. Entries hold master secrets: wiped when
 * replaced and on the last free.
 */
#ifndef KTLSO_SESSION_CACHE_H
#define KTLSO_SESSION_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "resume/ticket.h"
#include "try.h"

#define SESSION_CACHE_SLOTS_MAX (1u << 20)

struct session_cache;

/* A cache of slots sessions (1..SESSION_CACHE_SLOTS_MAX), or NULL. */
struct session_cache *session_cache_new(size_t slots);
/*
 * Another reference (a reloaded configuration keeping the cache); each is
 * dropped with session_cache_free(), the last one frees.
 */
struct session_cache *session_cache_hold(struct session_cache *c);
void session_cache_free(struct session_cache *c);
size_t session_cache_slots(const struct session_cache *c);

/* The memory a cache of slots sessions takes. */
size_t session_cache_memory(size_t slots);

/* Keep st under id (1..32 bytes). */
int session_cache_put(struct session_cache *c, const uint8_t *id, size_t len,
		      const struct ticket_state *st) WUR;

/*
 * The session under id, if it is this context's and has not expired
 * (ticket_state_usable()): 0, else -ENOENT (st wiped).
 */
int session_cache_get(struct session_cache *c, const uint8_t *id, size_t len,
		      const uint8_t context[TICKET_CONTEXT_LEN],
		      uint64_t now_ms, struct ticket_state *st) WUR;

#endif /* KTLSO_SESSION_CACHE_H */
