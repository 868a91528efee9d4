/* SPDX-License-Identifier: MIT */
/*
 * A profile's session resumption (ktlsod.conf(5): tickets, ticket_key_file,
 * ticket_lifetime, session_cache, session_cache_size), set up in its
 * tls_config when the configuration is loaded: the profile's identity for
 * its tickets and sessions, its ticket keys (generated, or the key file's)
 * and its TLS 1.2 session cache. Each load builds them afresh; a reload
 * re-reads the key file, and keeps a profile's generated keys and cached
 * sessions if nothing that vouches for them changed (resume_carry()).
 */
#ifndef KTLSOD_RESUME_H
#define KTLSOD_RESUME_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "tls_config.h"
#include "try.h"

#define RESUME_LIFETIME_DEFAULT 7200	/* seconds, as OpenSSL's */
#define RESUME_CACHE_SIZE_DEFAULT 4096	/* sessions */
/* A client cache's slots are bigger (a ticket each): fewer by default */
#define RESUME_CLIENT_CACHE_SIZE_DEFAULT 256

struct resume_options {
	bool tickets;
	const char *ticket_key_file;	/* NULL: generated keys */
	bool session_cache;
	size_t session_cache_size;
	uid_t key_owner;		/* who may own the key file, and root */
};

/* A reason in err (the key file's own message for a bad key file). */
int resume_configure(struct tls_config *t, const char *profile,
		     const struct resume_options *o, char *err,
		     size_t errlen) WUR;

struct config;
/*
 * A reload: each profile of c takes the generated ticket keys and the
 * session cache of old's profile of the same name, when both generations
 * have them with the same ticket_lifetime (and cache size) and neither asks
 * for a client certificate, whose checks a new ca or crl could change. So
 * a reload (an OCSP staple refreshed by cron) does not cost every client
 * its session.
 */
void resume_carry(const struct config *old, struct config *c);

#endif /* KTLSOD_RESUME_H */
