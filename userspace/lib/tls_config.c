// SPDX-License-Identifier: MIT
/* Building a tls_config: defaults, named lists, and the files it loads. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "crypto/kx.h"
#include "crypto/sig.h"
#include "resume/client_cache.h"
#include "resume/session_cache.h"
#include "resume/ticket_keys.h"
#include "tls_config.h"
#include "tls_suite.h"
#include "wire/hs_msg.h"
#include "wire/proto.h"
#include "x509/cert_load.h"
#include "x509/cert_verify.h"

#define OCSP_MAX (64 * 1024)

void tls_config_init(struct tls_config *cfg)
{
	/* X448 and P-521 last: accepted from clients that want them */
	static const uint16_t groups[] = { TLS_GROUP_X25519, TLS_GROUP_SECP256R1,
					   TLS_GROUP_SECP384R1, TLS_GROUP_X448,
					   TLS_GROUP_SECP521R1 };
	size_t n;
	const struct tls_suite *s = tls_suites(&n);

	memset(cfg, 0, sizeof(*cfg));
	cfg->min_version = TLS_VERSION_1_2;
	cfg->max_version = TLS_VERSION_1_3;
	/* Legacy listed but off (Documentation/design.rst, decision 7) */
	for (size_t i = 0; i < n && cfg->n_suites < TLS_CONFIG_MAX_LIST; i++)
		cfg->suites[cfg->n_suites++] = s[i].id;
	memcpy(cfg->groups, groups, sizeof(groups));
	cfg->n_groups = sizeof(groups) / sizeof(groups[0]);
	for (size_t i = 0; i < sig_default_schemes_len; i++)
		cfg->sig_schemes[cfg->n_sig_schemes++] = sig_default_schemes[i];
	cfg->verify_peer = true;
}

void tls_config_free(struct tls_config *cfg)
{
	if (cfg->chain) {
		cert_chain_free(cfg->chain);
		free(cfg->chain);
	}
	EVP_PKEY_free(cfg->key);
	cert_trust_free(cfg->trust);
	free(cfg->ocsp_staple);
	ticket_keys_free(cfg->tickets);
	session_cache_free(cfg->session_cache);
	client_cache_free(cfg->client_cache);
	memset(cfg, 0, sizeof(*cfg));
}

static int version_from_name(const char *name, uint16_t *v)
{
	if (!strcmp(name, "1.2"))
		*v = TLS_VERSION_1_2;
	else if (!strcmp(name, "1.3"))
		*v = TLS_VERSION_1_3;
	else
		return -EINVAL;
	return 0;
}

int tls_config_set_versions(struct tls_config *cfg, const char *min,
			    const char *max, char *err, size_t errlen)
{
	uint16_t lo, hi;

	if (version_from_name(min, &lo) || version_from_name(max, &hi)) {
		snprintf(err, errlen, "unknown TLS version \"%s\" (use 1.2 or 1.3)",
			 version_from_name(min, &lo) ? min : max);
		return -EINVAL;
	}
	if (lo > hi) {
		snprintf(err, errlen, "minimum version %s above maximum %s",
			 min, max);
		return -EINVAL;
	}
	cfg->min_version = lo;
	cfg->max_version = hi;
	return 0;
}

/*
 * Split list at ':' or ',' and map each name to a number with lookup;
 * names must be known and the list must not be empty.
 */
static int parse_list(const char *list, const char *what,
		      int (*lookup)(const char *name, uint16_t *v),
		      uint16_t *out, size_t *n_out, char *err, size_t errlen)
{
	char buf[1024], *save = NULL;
	size_t n = 0;

	if (snprintf(buf, sizeof(buf), "%s", list) >= (int)sizeof(buf)) {
		snprintf(err, errlen, "%s list too long", what);
		return -EINVAL;
	}
	for (char *tok = strtok_r(buf, ":, ", &save); tok;
	     tok = strtok_r(NULL, ":, ", &save)) {
		if (n == TLS_CONFIG_MAX_LIST) {
			snprintf(err, errlen, "more than %d %ss",
				 TLS_CONFIG_MAX_LIST, what);
			return -EINVAL;
		}
		if (lookup(tok, &out[n])) {
			snprintf(err, errlen, "unknown %s \"%s\"", what, tok);
			return -EINVAL;
		}
		n++;
	}
	if (!n) {
		snprintf(err, errlen, "empty %s list", what);
		return -EINVAL;
	}
	*n_out = n;
	return 0;
}

static int suite_lookup(const char *name, uint16_t *v)
{
	const struct tls_suite *s = tls_suite_by_name(name);

	if (!s)
		return -ENOENT;
	*v = s->id;
	return 0;
}

static int group_lookup(const char *name, uint16_t *v)
{
	enum tls_group g;

	TRY(kx_group_from_name(name, &g));
	*v = g;
	return 0;
}

int tls_config_set_suites(struct tls_config *cfg, const char *list, char *err,
			  size_t errlen)
{
	return parse_list(list, "cipher suite", suite_lookup, cfg->suites,
			  &cfg->n_suites, err, errlen);
}

int tls_config_set_groups(struct tls_config *cfg, const char *list, char *err,
			  size_t errlen)
{
	return parse_list(list, "group", group_lookup, cfg->groups,
			  &cfg->n_groups, err, errlen);
}

int tls_config_set_alpn(struct tls_config *cfg, const char *list, char *err,
			size_t errlen)
{
	uint8_t wire[256];
	struct bytes b;

	if (snprintf(cfg->alpn, sizeof(cfg->alpn), "%s", list) >=
		    (int)sizeof(cfg->alpn) ||
	    hs_alpn_from_string(list, wire, sizeof(wire), &b)) {
		snprintf(err, errlen, "bad ALPN list \"%s\"", list);
		cfg->alpn[0] = '\0';
		return -EINVAL;
	}
	return 0;
}

static int load_identity(struct tls_config *cfg, const char *chain_path,
			 const char *key_path, const uid_t *owner, char *err,
			 size_t errlen)
{
	struct cert_chain *chain = calloc(1, sizeof(*chain));
	EVP_PKEY *key = NULL;
	int ret;

	if (!chain)
		return -ENOMEM;
	ret = cert_chain_load_pem(chain_path, chain, err, errlen);
	if (!ret)
		ret = owner ? cert_key_load_pem_private(key_path, *owner, &key,
							err, errlen) :
			      cert_key_load_pem(key_path, &key, err, errlen);
	if (!ret)
		ret = cert_key_check(chain, key, err, errlen);
	if (ret) {
		EVP_PKEY_free(key);
		cert_chain_free(chain);
		free(chain);
		return ret;
	}
	if (cfg->chain) {
		cert_chain_free(cfg->chain);
		free(cfg->chain);
	}
	EVP_PKEY_free(cfg->key);
	cfg->chain = chain;
	cfg->key = key;
	return 0;
}

int tls_config_load_identity(struct tls_config *cfg, const char *chain_path,
			     const char *key_path, char *err, size_t errlen)
{
	return load_identity(cfg, chain_path, key_path, NULL, err, errlen);
}

int tls_config_load_identity_private(struct tls_config *cfg,
				     const char *chain_path,
				     const char *key_path, uid_t owner,
				     char *err, size_t errlen)
{
	return load_identity(cfg, chain_path, key_path, &owner, err, errlen);
}

int tls_config_load_trust(struct tls_config *cfg, const char *ca_path,
			  const char *const *crl_paths, size_t n_crls,
			  char *err, size_t errlen)
{
	struct cert_trust *trust;

	TRY(cert_trust_load(ca_path, crl_paths, n_crls, &trust, err, errlen));
	cert_trust_free(cfg->trust);
	cfg->trust = trust;
	cfg->check_crl = n_crls > 0;
	return 0;
}

int tls_config_load_ocsp(struct tls_config *cfg, const char *path, char *err,
			 size_t errlen)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	size_t n;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	buf = malloc(OCSP_MAX);
	n = buf ? fread(buf, 1, OCSP_MAX, f) : 0;
	if (!buf || ferror(f) || n == 0 || n == OCSP_MAX) {
		snprintf(err, errlen, "%s: %s", path,
			 !buf ? "out of memory" :
			 n == OCSP_MAX ? "larger than 64 KiB" :
					 "cannot read an OCSP response");
		fclose(f);
		free(buf);
		return -EINVAL;
	}
	fclose(f);
	free(cfg->ocsp_staple);
	cfg->ocsp_staple = buf;
	cfg->ocsp_staple_len = n;
	return 0;
}
