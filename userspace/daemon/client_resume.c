// SPDX-License-Identifier: MIT
/* Sessions ktlsod's clients resume (client_resume.h). */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <openssl/crypto.h>

#include "client_resume.h"
#include "resume/client_cache.h"
#include "wire/proto.h"

/* A connection waiting for its tickets; empty when cfg is NULL. */
struct waiting {
	uint64_t cookie;
	uint64_t until_ms;		/* CLOCK_MONOTONIC */
	struct config *cfg;		/* holds cache */
	struct client_cache *cache;
	struct ticket_state pending;	/* no ticket yet */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct waiting waits[CLIENT_RESUME_WAITING];

static uint64_t clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The peer's port, 0 if the socket has none. */
static uint16_t peer_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getpeername(fd, (struct sockaddr *)&ss, &len))
		return 0;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return 0;
}

static int key_of(const struct profile *p, const char *peer, int fd,
		  uint8_t key[CLIENT_CACHE_KEY_LEN])
{
	return client_cache_key(p->name, peer, peer_port(fd), key);
}

bool client_resume_offer(const struct profile *p, const char *peer, int fd,
			 struct tls_session *out)
{
	uint8_t key[CLIENT_CACHE_KEY_LEN];

	if (!p->tls.client_cache || key_of(p, peer, fd, key))
		return false;
	return !client_cache_take(p->tls.client_cache, key,
				  clock_ms(CLOCK_REALTIME), out);
}

/* Lock held: end a wait, its secret wiped and its configuration let go. */
static void release(struct waiting *w)
{
	struct config *cfg = w->cfg;

	OPENSSL_cleanse(w, sizeof(*w));
	config_put(cfg);
}

/* Lock held: a free entry, or the one closest to giving up. */
static struct waiting *slot_for(uint64_t now)
{
	struct waiting *best = &waits[0];

	for (size_t i = 0; i < CLIENT_RESUME_WAITING; i++) {
		struct waiting *w = &waits[i];

		if (w->cfg && w->until_ms <= now)
			release(w);
		if (!w->cfg)
			return w;
		if (w->until_ms < best->until_ms)
			best = w;
	}
	release(best);
	return best;
}

/* TLS 1.2: the session is whole; it goes back to the cache at once. */
static void keep_now(const struct profile *p,
		     const uint8_t key[CLIENT_CACHE_KEY_LEN],
		     const struct tls_result *r)
{
	struct tls_session s = r->session;

	memcpy(s.st.context, key, CLIENT_CACHE_KEY_LEN);
	client_cache_put(p->tls.client_cache, &s);
	tls_session_wipe(&s);
}

/* TLS 1.3: wait for the tickets, by the socket's cookie. */
static void wait_for_tickets(struct config *cfg, const struct profile *p,
			     const uint8_t key[CLIENT_CACHE_KEY_LEN], int fd,
			     const struct tls_result *r)
{
	uint64_t cookie = 0, now = clock_ms(CLOCK_MONOTONIC);
	socklen_t len = sizeof(cookie);
	struct waiting *w;

	if (getsockopt(fd, SOL_SOCKET, SO_COOKIE, &cookie, &len) || !cookie)
		return;
	pthread_mutex_lock(&lock);
	w = slot_for(now);
	w->cookie = cookie;
	w->until_ms = now + CLIENT_RESUME_WAIT_MS;
	w->cfg = config_get(cfg);
	w->cache = p->tls.client_cache;
	w->pending = r->session.st;
	memcpy(w->pending.context, key, CLIENT_CACHE_KEY_LEN);
	pthread_mutex_unlock(&lock);
}

void client_resume_keep(struct config *cfg, const struct profile *p,
			const char *peer, int fd, const struct tls_result *r)
{
	uint8_t key[CLIENT_CACHE_KEY_LEN];

	if (!p->tls.client_cache || key_of(p, peer, fd, key))
		return;
	if (r->version == TLS_VERSION_1_2 && r->session_ready)
		keep_now(p, key, r);
	else if (r->version == TLS_VERSION_1_3 && r->session_pending)
		wait_for_tickets(cfg, p, key, fd, r);
}

int client_resume_ticket(const struct nl_ticket *t)
{
	uint64_t now = clock_ms(CLOCK_MONOTONIC);
	struct tls_session s;
	struct waiting *w = NULL;
	int err = -ENOENT;

	if (!t->cookie)
		return -ENOENT;
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < CLIENT_RESUME_WAITING && !w; i++) {
		if (!waits[i].cfg || waits[i].cookie != t->cookie)
			continue;
		if (waits[i].until_ms <= now)
			release(&waits[i]);
		else
			w = &waits[i];
	}
	/*
	 * The wait goes on after a ticket: a server may send several, and
	 * the latest is kept (one session per peer).
	 */
	if (w)
		err = tls_session_from_ticket(&w->pending, t->msg, t->len,
					      clock_ms(CLOCK_REALTIME), &s);
	if (!err)
		client_cache_put(w->cache, &s);
	pthread_mutex_unlock(&lock);
	tls_session_wipe(&s);
	return err;
}

void client_resume_clear(void)
{
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < CLIENT_RESUME_WAITING; i++)
		if (waits[i].cfg)
			release(&waits[i]);
	pthread_mutex_unlock(&lock);
}
