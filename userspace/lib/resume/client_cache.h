/* SPDX-License-Identifier: MIT */
/*
 * A client's sessions to resume (Documentation/handshake.rst, Session
 * resumption): for each key, the latest session a server gave. ktlsod
 * keys them by (profile, peer name, port), hashed into the session's
 * st.context (client_cache_key()).
 *
 * Bounded and direct-mapped, as the server's session_cache.h: a fixed
 * number of slots, chosen once; a key picks its slot, and a new session
 * takes its slot whoever held it. A server cannot grow it: at most `slots`
 * sessions of a fixed size each (client_cache_memory()).
 *
 * TLS 1.3 tickets are single-use (RFC 8446 §C.4): take() hands the session
 * out and empties its slot, so no ticket is offered twice. A TLS 1.2
 * session is taken the same way and put back by the handshake that
 * offered it (resumed, or a full one's new session): one connection at a
 * time resumes it.
 *
 * Shared by every thread of ktlsod: one mutex around each put/take (a copy
 * of one slot). Entries hold PSKs and master secrets: wiped when
 * replaced, taken, and on free.
 */
#ifndef KTLSO_CLIENT_CACHE_H
#define KTLSO_CLIENT_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "resume/session.h"
#include "try.h"

#define CLIENT_CACHE_KEY_LEN TICKET_CONTEXT_LEN

struct client_cache;

/* A cache of slots sessions (1..SESSION_CACHE_SLOTS_MAX), or NULL. */
struct client_cache *client_cache_new(size_t slots);
void client_cache_free(struct client_cache *c);

/* The memory a cache of slots sessions takes. */
size_t client_cache_memory(size_t slots);

/* The key of a (profile, peer name, port). */
int client_cache_key(const char *profile, const char *peer, uint16_t port,
		     uint8_t key[CLIENT_CACHE_KEY_LEN]) WUR;

/* Keep s under its st.context, in place of what its slot held. */
void client_cache_put(struct client_cache *c, const struct tls_session *s);

/*
 * The session under key if it can still be offered at now_ms
 * (tls_session_usable()): 0 and the slot emptied, else -ENOENT (out
 * wiped).
 */
int client_cache_take(struct client_cache *c,
		      const uint8_t key[CLIENT_CACHE_KEY_LEN], uint64_t now_ms,
		      struct tls_session *out) WUR;

#endif /* KTLSO_CLIENT_CACHE_H */
