/* SPDX-License-Identifier: MIT */
/*
 * A profile's session resumption (ktlsod.conf(5): tickets, ticket_key_file,
 * ticket_lifetime, session_cache, session_cache_size), set up in its
 * tls_config when the configuration is loaded: the profile's identity for
 * its tickets and sessions, its ticket keys (generated, or the key file's)
 * and its TLS 1.2 session cache. Each load builds them afresh: a reload
 * re-reads the key file, and generated keys and cached sessions do not
 * survive it (Documentation/handshake.rst, Session resumption).
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

#endif /* KTLSOD_RESUME_H */
