// SPDX-License-Identifier: MIT
/* The TLS 1.2 server session cache (session_cache.h). */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "resume/session_cache.h"
#include "wire/hs_msg.h"

struct slot {
	uint8_t id[HS_SESSION_ID_MAX];
	size_t id_len;		/* 0: empty */
	struct ticket_state st;
};

struct session_cache {
	atomic_int refs;
	pthread_mutex_t lock;
	size_t n;
	struct slot slots[];
};

size_t session_cache_memory(size_t slots)
{
	return sizeof(struct session_cache) + slots * sizeof(struct slot);
}

struct session_cache *session_cache_new(size_t slots)
{
	struct session_cache *c;

	if (!slots || slots > SESSION_CACHE_SLOTS_MAX)
		return NULL;
	c = calloc(1, session_cache_memory(slots));
	if (!c)
		return NULL;
	if (pthread_mutex_init(&c->lock, NULL)) {
		free(c);
		return NULL;
	}
	c->n = slots;
	atomic_init(&c->refs, 1);
	return c;
}

struct session_cache *session_cache_hold(struct session_cache *c)
{
	atomic_fetch_add(&c->refs, 1);
	return c;
}

size_t session_cache_slots(const struct session_cache *c)
{
	return c->n;
}

void session_cache_free(struct session_cache *c)
{
	if (!c || atomic_fetch_sub(&c->refs, 1) != 1)
		return;
	pthread_mutex_destroy(&c->lock);
	OPENSSL_cleanse(c, session_cache_memory(c->n));
	free(c);
}

/*
 * FNV-1a over the whole ID: ours are random anyway; a client's chosen ID
 * only picks a slot to miss in.
 */
static struct slot *slot_of(struct session_cache *c, const uint8_t *id,
			    size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++)
		h = (h ^ id[i]) * 0x100000001b3ULL;
	return &c->slots[h % c->n];
}

int session_cache_put(struct session_cache *c, const uint8_t *id, size_t len,
		      const struct ticket_state *st)
{
	struct slot *s;

	if (!len || len > HS_SESSION_ID_MAX)
		return -EINVAL;
	pthread_mutex_lock(&c->lock);
	s = slot_of(c, id, len);
	OPENSSL_cleanse(s, sizeof(*s));
	memcpy(s->id, id, len);
	s->id_len = len;
	s->st = *st;
	pthread_mutex_unlock(&c->lock);
	return 0;
}

int session_cache_get(struct session_cache *c, const uint8_t *id, size_t len,
		      const uint8_t context[TICKET_CONTEXT_LEN],
		      uint64_t now_ms, struct ticket_state *st)
{
	struct slot *s;
	bool found;

	memset(st, 0, sizeof(*st));
	if (!len || len > HS_SESSION_ID_MAX)
		return -ENOENT;
	pthread_mutex_lock(&c->lock);
	s = slot_of(c, id, len);
	found = s->id_len == len && !CRYPTO_memcmp(s->id, id, len);
	if (found)
		*st = s->st;
	pthread_mutex_unlock(&c->lock);
	if (found && ticket_state_usable(st, context, now_ms))
		return 0;
	ticket_state_wipe(st);
	return -ENOENT;
}
