/* SPDX-License-Identifier: MIT */
/*
 * What a set of connections shares: versions, suites, groups and signature
 * schemes in preference order, our certificate and key, the trust anchors
 * and CRLs the peer is checked against, client authentication and the OCSP
 * response a server staples. Built once (by ktlsod from a profile, by a
 * tool from its options), read-only while engines use it.
 *
 * Setters return 0 or -errno and, on failure, write a one-line reason
 * naming the offending value or file into err.
 */
#ifndef KTLSO_TLS_CONFIG_H
#define KTLSO_TLS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <openssl/evp.h>

#include "try.h"

#define TLS_CONFIG_MAX_LIST 32
#define TLS_CONFIG_ERR 256

enum tls_client_auth {
	TLS_CLIENT_AUTH_NONE,
	TLS_CLIENT_AUTH_OPTIONAL,
	TLS_CLIENT_AUTH_REQUIRED,
};

struct cert_chain;
struct cert_trust;
struct ticket_keys;
struct session_cache;
struct client_cache;

struct tls_config {
	uint16_t min_version;
	uint16_t max_version;
	uint16_t suites[TLS_CONFIG_MAX_LIST];
	size_t n_suites;
	uint16_t groups[TLS_CONFIG_MAX_LIST];
	size_t n_groups;
	uint16_t sig_schemes[TLS_CONFIG_MAX_LIST];
	size_t n_sig_schemes;
	/* RSA key exchange, CBC suites (Documentation/design.rst, decision 7) */
	bool legacy;

	/* Ours: always for a server, for a client only with mutual TLS. */
	struct cert_chain *chain;
	EVP_PKEY *key;
	uint8_t *ocsp_staple;
	size_t ocsp_staple_len;

	/* The peer's: a client always verifies the server unless told not to. */
	struct cert_trust *trust;
	bool check_crl;		/* CRLs were loaded: check the whole chain */
	bool verify_peer;
	enum tls_client_auth client_auth;
	time_t verify_time;	/* 0: now; a fixed time for tests */

	/* Server: the ALPN protocols it speaks, comma-separated. */
	char alpn[256];

	/*
	 * Server: session tickets (Documentation/handshake.rst, Session
	 * resumption). NULL: none issued, none accepted. The ring is the
	 * config's: tls_config_free() frees it. session_context names the
	 * profile: a ticket or session ID resumes only where it was issued.
	 */
	struct ticket_keys *tickets;
	/* TLS 1.2 session IDs (NULL: none given); the config's too. */
	struct session_cache *session_cache;
	/*
	 * Client: the sessions servers gave, to resume (client_cache.h);
	 * NULL: none kept, none offered. The config's too.
	 */
	struct client_cache *client_cache;
	uint32_t ticket_lifetime;	/* seconds, at most 7 days; IDs too */
	uint8_t session_context[32];
	/* Wall-clock milliseconds; NULL: CLOCK_REALTIME (a seam for tests) */
	uint64_t (*clock_ms)(void);
};

/*
 * Secure defaults: TLS 1.2-1.3, ECDHE + AEAD suites, groups X25519, P-256,
 * P-384, X448, P-521.
 */
void tls_config_init(struct tls_config *cfg);
void tls_config_free(struct tls_config *cfg);

/* "1.2", "1.3" */
int tls_config_set_versions(struct tls_config *cfg, const char *min,
			    const char *max, char *err, size_t errlen) WUR;
/* Suite names (IANA or OpenSSL), separated by ':' or ','. */
int tls_config_set_suites(struct tls_config *cfg, const char *list, char *err,
			  size_t errlen) WUR;
/*
 * "x25519", "P-256", "P-384", "x448", "P-521" (or secp256r1, secp384r1,
 * secp521r1), ':' or ','
 */
int tls_config_set_groups(struct tls_config *cfg, const char *list, char *err,
			  size_t errlen) WUR;
int tls_config_set_alpn(struct tls_config *cfg, const char *list, char *err,
			size_t errlen) WUR;
/* Certificate chain (PEM, leaf first) and its private key. */
int tls_config_load_identity(struct tls_config *cfg, const char *chain_path,
			     const char *key_path, char *err,
			     size_t errlen) WUR;
/*
 * The same for a daemon: the key file must be owned by root or owner and
 * be private to its owner (cert_key_file_ok()), or -EPERM.
 */
int tls_config_load_identity_private(struct tls_config *cfg,
				     const char *chain_path,
				     const char *key_path, uid_t owner,
				     char *err, size_t errlen) WUR;
/* Trust anchors (PEM file) and CRL files (may be none). */
int tls_config_load_trust(struct tls_config *cfg, const char *ca_path,
			  const char *const *crl_paths, size_t n_crls,
			  char *err, size_t errlen) WUR;
/* A DER OCSP response to staple (RFC 6066 §8, RFC 8446 §4.4.2.1). */
int tls_config_load_ocsp(struct tls_config *cfg, const char *path, char *err,
			 size_t errlen) WUR;

#endif /* KTLSO_TLS_CONFIG_H */
