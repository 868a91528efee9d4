// SPDX-License-Identifier: MIT
/* A profile's session resumption (resume.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "crypto/hash.h"
#include "resume.h"
#include "resume/client_cache.h"
#include "resume/session_cache.h"
#include "resume/ticket_keys.h"

/*
 * The profile's name is its identity: every host of a fleet that serves
 * profile "web" with the same key file resumes the others' "web" tickets,
 * and no other profile's.
 */
static int set_context(struct tls_config *t, const char *profile)
{
	char text[128];
	uint8_t h[TLS_HASH_MAX];
	int n = snprintf(text, sizeof(text), "ktlsod profile %s", profile);

	if (n < 0 || (size_t)n >= sizeof(text))
		return -ENAMETOOLONG;
	TRY(tls_hash_digest(TLS_HASH_SHA256, text, n, h));
	memcpy(t->session_context, h, sizeof(t->session_context));
	return 0;
}

int resume_configure(struct tls_config *t, const char *profile,
		     const struct resume_options *o, char *err, size_t errlen)
{
	int ret;

	if (!o->tickets && !o->session_cache)
		return 0;
	if (!t->ticket_lifetime)
		t->ticket_lifetime = RESUME_LIFETIME_DEFAULT;
	ret = set_context(t, profile);
	if (ret) {
		snprintf(err, errlen, "cannot name the profile's sessions");
		return ret;
	}
	if (o->session_cache) {
		t->session_cache = session_cache_new(o->session_cache_size ?
			o->session_cache_size : RESUME_CACHE_SIZE_DEFAULT);
		if (!t->session_cache) {
			snprintf(err, errlen, "no memory for a session cache");
			return -ENOMEM;
		}
	}
	if (!o->tickets)
		return 0;
	/* A client of this profile keeps the tickets servers give it. */
	t->client_cache = client_cache_new(o->session_cache_size ?
		o->session_cache_size : RESUME_CLIENT_CACHE_SIZE_DEFAULT);
	if (!t->client_cache) {
		snprintf(err, errlen, "no memory for a client session cache");
		return -ENOMEM;
	}
	if (o->ticket_key_file)
		return ticket_keys_load(&t->tickets, o->ticket_key_file,
					o->key_owner, err, errlen);
	ret = ticket_keys_generate(&t->tickets, t->ticket_lifetime,
				   time(NULL));
	if (ret)
		snprintf(err, errlen, "cannot generate ticket keys");
	return ret;
}

/* May p's sessions be o's? */
static bool carries(const struct profile *o, const struct profile *p)
{
	return o->tls.ticket_lifetime == p->tls.ticket_lifetime &&
	       o->tls.client_auth == TLS_CLIENT_AUTH_NONE &&
	       p->tls.client_auth == TLS_CLIENT_AUTH_NONE;
}

static const struct profile *same_name(const struct config *c,
				       const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->profiles[i].name, name))
			return &c->profiles[i];
	return NULL;
}

void resume_carry(const struct config *old, struct config *c)
{
	for (size_t i = 0; i < c->n; i++) {
		struct profile *p = &c->profiles[i];
		const struct profile *o = same_name(old, p->name);
		struct tls_config *t = &p->tls;

		if (!o || !carries(o, p))
			continue;
		if (p->tickets_generated && o->tickets_generated) {
			ticket_keys_free(t->tickets);
			t->tickets = ticket_keys_hold(o->tls.tickets);
		}
		if (t->session_cache && o->tls.session_cache &&
		    session_cache_slots(t->session_cache) ==
			    session_cache_slots(o->tls.session_cache)) {
			session_cache_free(t->session_cache);
			t->session_cache = session_cache_hold(o->tls.session_cache);
		}
	}
}
