/* SPDX-License-Identifier: MIT */
/*
 * ktlsod.conf: named profiles, each a struct tls_config (ktlsod.conf(5)).
 *
 *   [profile web]
 *   cert = /etc/ktlso/web-chain.pem
 *   key = /etc/ktlso/web.key
 *   min_version = 1.3
 *
 * A loaded configuration is immutable and reference-counted: every
 * handshake holds the generation it started with, so a SIGHUP reload
 * never changes (or frees) a tls_config an engine is using. The last
 * config_put() frees it.
 */
#ifndef KTLSOD_CONFIG_H
#define KTLSOD_CONFIG_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <linux/ktlso.h>

#include "acl.h"
#include "tls_config.h"
#include "try.h"

#define CONFIG_DEFAULT_PATH "/etc/ktlso/ktlsod.conf"
/* Debian's ca-certificates, hashed: what a client verifies against. */
#define CONFIG_SYSTEM_CA "/etc/ssl/certs"
#define CONFIG_DEFAULT_PROFILE "default"
/* "FILE:LINE: reason" */
#define CONFIG_ERR 1024

/*
 * The daemon's limits: keys before the first [profile NAME] line
 * (ktlsod.conf(5), LIMITS). Handshakes beyond max_handshakes wait in the
 * kernel; a handshake's engine refuses what would take it past
 * handshake_memory (tls_engine_memory_max_message()).
 */
#define CONFIG_MAX_HANDSHAKES_DEFAULT 1024
#define CONFIG_MAX_HANDSHAKES_MAX 65536
#define CONFIG_HANDSHAKE_MEMORY_DEFAULT (512 * 1024)
#define CONFIG_HANDSHAKE_MEMORY_MAX (16 * 1024 * 1024)

/*
 * TLS 1.3: after how many bytes the kernel updates its sending key on its
 * own (ktlsod.conf(5), rekey_after), besides the AEAD's limit.
 */
#define CONFIG_REKEY_AFTER_DEFAULT (1ULL << 30)
#define CONFIG_REKEY_AFTER_MIN (64ULL * 1024)
#define CONFIG_REKEY_AFTER_MAX (1ULL << 50)

struct profile {
	char name[KTLSO_PROFILE_MAX];
	unsigned long long rekey_after;	/* bytes, passed in DONE */
	unsigned int line;	/* its [profile NAME] line; 0: built in */
	unsigned int suites_line; /* 0: the library's default list */
	size_t session_cache_size; /* as given; 0: the default */
	bool tickets_generated;	/* tickets = on without a key file */
	struct tls_config tls;
	struct acl acl;		/* who may use it (acl.h) */
};

/* Whom ktlsod runs as once its files are read (ktlsod.conf(5), user). */
struct config_user {
	char name[64];		/* "": none named, stay as started */
	uid_t uid;
	gid_t gid;		/* the user's primary group */
	unsigned int line;	/* of "user = NAME"; 0: from -u */
};

struct config {
	atomic_int refs;
	char path[4096];
	size_t n;
	struct profile *profiles;
	struct config_user user;
	unsigned int max_handshakes;
	size_t handshake_memory;
};

struct config_options {
	/* Anchors for a verifying profile without a ca line; NULL: none */
	const char *system_ca;
	/* -u NAME: the user, instead of the file's "user" line; NULL: none */
	const char *user;
};

/*
 * Global keys come before the first [profile NAME]. Private key files must
 * be owned by root or by the configured user (without one: by whoever
 * loads them) and be private to their owner (cert_key_file_ok()).
 *
 * Parse and load path. On failure *out is NULL and err holds
 * "FILE:LINE: reason" (or "FILE: reason" when the file cannot be read).
 * A file without [profile default] gets a built-in one (library defaults,
 * trust anchors o->system_ca). Relative file names in it are taken from
 * the directory of path.
 */
int config_load(const char *path, const struct config_options *o,
		struct config **out, char *err, size_t errlen) WUR;

/* A configuration with only the built-in default profile. */
int config_builtin(const char *path, const struct config_options *o,
		   struct config **out, char *err, size_t errlen) WUR;

/* Take and drop a reference; the last put frees the configuration. */
struct config *config_get(struct config *c);
void config_put(struct config *c);

/* The profile named name ("" is "default"), or NULL. */
const struct profile *config_profile(const struct config *c,
				     const char *name);

#endif /* KTLSOD_CONFIG_H */
