// SPDX-License-Identifier: MIT
/* A client's sessions to resume (client_cache.h). */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/hash.h"
#include "resume/client_cache.h"
#include "resume/session_cache.h"

struct client_cache {
	pthread_mutex_t lock;
	size_t n;
	struct tls_session slots[];	/* empty: not tls_session_named() */
};

size_t client_cache_memory(size_t slots)
{
	return sizeof(struct client_cache) + slots * sizeof(struct tls_session);
}

struct client_cache *client_cache_new(size_t slots)
{
	struct client_cache *c;

	if (!slots || slots > SESSION_CACHE_SLOTS_MAX)
		return NULL;
	c = calloc(1, client_cache_memory(slots));
	if (!c)
		return NULL;
	if (pthread_mutex_init(&c->lock, NULL)) {
		free(c);
		return NULL;
	}
	c->n = slots;
	return c;
}

void client_cache_free(struct client_cache *c)
{
	if (!c)
		return;
	pthread_mutex_destroy(&c->lock);
	OPENSSL_cleanse(c, client_cache_memory(c->n));
	free(c);
}

int client_cache_key(const char *profile, const char *peer, uint16_t port,
		     uint8_t key[CLIENT_CACHE_KEY_LEN])
{
	uint8_t h[TLS_HASH_MAX];
	char text[512];
	/* NUL-separated: no two triples give the same text */
	int n = snprintf(text, sizeof(text), "%s%c%s%c%u", profile, 0, peer, 0,
			 (unsigned int)port);

	if (n < 0 || (size_t)n >= sizeof(text))
		return -ENAMETOOLONG;
	TRY(tls_hash_digest(TLS_HASH_SHA256, text, (size_t)n, h));
	memcpy(key, h, CLIENT_CACHE_KEY_LEN);
	return 0;
}

/* The key is a hash: its first bytes pick the slot. */
static struct tls_session *slot_of(struct client_cache *c, const uint8_t *key)
{
	uint64_t h = 0;

	for (int i = 0; i < 8; i++)
		h = h << 8 | key[i];
	return &c->slots[h % c->n];
}

void client_cache_put(struct client_cache *c, const struct tls_session *s)
{
	struct tls_session *slot;

	pthread_mutex_lock(&c->lock);
	slot = slot_of(c, s->st.context);
	tls_session_wipe(slot);
	*slot = *s;
	pthread_mutex_unlock(&c->lock);
}

int client_cache_take(struct client_cache *c,
		      const uint8_t key[CLIENT_CACHE_KEY_LEN], uint64_t now_ms,
		      struct tls_session *out)
{
	struct tls_session *slot;
	bool found;

	pthread_mutex_lock(&c->lock);
	slot = slot_of(c, key);
	found = tls_session_named(slot) &&
		!CRYPTO_memcmp(slot->st.context, key, CLIENT_CACHE_KEY_LEN);
	if (found) {
		*out = *slot;
		/* RFC 8446 §C.4: a ticket is offered once (a TLS 1.2
		 * session comes back with its handshake's result) */
		tls_session_wipe(slot);
	}
	pthread_mutex_unlock(&c->lock);
	if (found && tls_session_usable(out, now_ms))
		return 0;
	tls_session_wipe(out);
	return -ENOENT;
}
