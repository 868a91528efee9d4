// SPDX-License-Identifier: MIT
/* The kernel algorithm probe and the suite cut (kcipher.h). */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <kcapi.h>
#include <linux/ktlso.h>
#include <linux/tls.h>

#include "kcipher.h"
#include "log.h"
#include "tls_suite.h"

#define GCM "gcm(aes)"
#define CHACHA "rfc7539(chacha20,poly1305)"
#define CCM "ccm(aes)"
#define CBC "cbc(aes)"
#define HMAC_SHA1 "hmac(sha1)"
#define HMAC_SHA256 "hmac(sha256)"
#define HMAC_SHA384 "hmac(sha384)"
#define NO_SUITE "no suite left that the kernel can encrypt"

/* Each algorithm, the AF_ALG interface that binds it, its flag in k. */
enum alg_type { AEAD, SKCIPHER, HASH };
static const struct alg {
	const char *name;
	enum alg_type type;
	size_t has;	/* offsetof(struct kcipher, the flag) */
} algs[] = {
	{ GCM, AEAD, offsetof(struct kcipher, gcm) },
	{ CHACHA, AEAD, offsetof(struct kcipher, chacha) },
	{ CCM, AEAD, offsetof(struct kcipher, ccm) },
	{ CBC, SKCIPHER, offsetof(struct kcipher, cbc) },
	{ HMAC_SHA1, HASH, offsetof(struct kcipher, hmac_sha1) },
	{ HMAC_SHA256, HASH, offsetof(struct kcipher, hmac_sha256) },
	{ HMAC_SHA384, HASH, offsetof(struct kcipher, hmac_sha384) },
};
#define N_ALGS (sizeof(algs) / sizeof(algs[0]))

static bool *flag(struct kcipher *k, const struct alg *a)
{
	return (bool *)((char *)k + a->has);
}

static bool kernel_has(const struct kcipher *k, const char *name)
{
	for (size_t i = 0; i < N_ALGS; i++)
		if (!strcmp(algs[i].name, name))
			return *(const bool *)((const char *)k + algs[i].has);
	return false;
}

void kcipher_describe(const struct kcipher *k, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = 0;
	for (size_t i = 0; i < N_ALGS && n < len; i++)
		n += snprintf(buf + n, len - n, "%s%s %s", i ? ", " : "",
			      algs[i].name,
			      kernel_has(k, algs[i].name) ? "yes" : "no");
}

size_t kcipher_needs(uint16_t kernel_cipher,
		     const char *names[KCIPHER_NEEDS_MAX])
{
	const char *hmac;

	switch (kernel_cipher) {
	case TLS_CIPHER_AES_GCM_128:
	case TLS_CIPHER_AES_GCM_256:
		names[0] = GCM;
		return 1;
	case TLS_CIPHER_CHACHA20_POLY1305:
		names[0] = CHACHA;
		return 1;
	case TLS_CIPHER_AES_CCM_128:
		names[0] = CCM;
		return 1;
	/* ktlso.ko's own: cbc(aes) and the suite's HMAC (kernel/cipher.c) */
	case KTLSO_CIPHER_AES_128_CBC_SHA:
	case KTLSO_CIPHER_AES_256_CBC_SHA:
		hmac = HMAC_SHA1;
		break;
	case KTLSO_CIPHER_AES_128_CBC_SHA256:
	case KTLSO_CIPHER_AES_256_CBC_SHA256:
		hmac = HMAC_SHA256;
		break;
	case KTLSO_CIPHER_AES_256_CBC_SHA384:
		hmac = HMAC_SHA384;
		break;
	default:
		return 0;
	}
	names[0] = CBC;
	names[1] = hmac;
	return 2;
}

/* 0: present, -ENOENT: absent, else AF_ALG's own failure. */
static int probe_one(const struct alg *a)
{
	struct kcapi_handle *h;
	int ret;

	switch (a->type) {
	case AEAD:
		ret = kcapi_aead_init(&h, a->name, 0);
		if (!ret)
			kcapi_aead_destroy(h);
		return ret;
	case SKCIPHER:
		ret = kcapi_cipher_init(&h, a->name, 0);
		if (!ret)
			kcapi_cipher_destroy(h);
		return ret;
	default:
		ret = kcapi_md_init(&h, a->name, 0);
		if (!ret)
			kcapi_md_destroy(h);
		return ret;
	}
}

static bool answered(int ret)
{
	return !ret || ret == -ENOENT;
}

int kcipher_probe(struct kcipher *k, char *why, size_t whylen)
{
	int ret[N_ALGS], failed = 0;
	bool aead_known = true, any_aead = false;

	/* libkcapi prints its own errors otherwise; ours are clearer */
	kcapi_set_verbosity(KCAPI_LOG_NONE);
	*k = (struct kcipher){ .probed = true };
	for (size_t i = 0; i < N_ALGS; i++) {
		ret[i] = probe_one(&algs[i]);
		*flag(k, &algs[i]) = !ret[i];
		if (algs[i].type != AEAD)
			continue;
		aead_known &= answered(ret[i]);
		any_aead |= !ret[i];
		if (!answered(ret[i]) && !failed)
			failed = ret[i];
	}
	if (aead_known && any_aead)
		return 0;
	/*
	 * socket(AF_ALG) failed, or every AEAD bind did: without algif_aead
	 * the kernel answers ENOENT for any AEAD, and a kernel that runs
	 * ktlso.ko without even gcm(aes) is far less likely than one
	 * without the AF_ALG interface. Either way nothing was learnt.
	 * ktlso.ko allocates its AEADs with crypto_alloc_aead(), which loads
	 * the gcm and chacha20poly1305 modules on demand, and both are built
	 * by every kernel ktlso supports; if that assumption is ever wrong,
	 * TLS_TX fails and the handshake is reported failed, never left in
	 * plaintext. The legacy CBC suites are not assumed: they are offered
	 * only on a kernel known to have them.
	 */
	if (failed)
		snprintf(why, whylen, "AF_ALG: %s", strerror(-failed));
	else
		snprintf(why, whylen,
			 "AF_ALG knows no AEAD at all (is algif_aead loaded?)");
	*k = (struct kcipher){ .gcm = true, .chacha = true };
	return -EAFNOSUPPORT;
}

/* The first algorithm of the suite's kernel cipher k lacks, or "": none. */
static const char *missing(const struct kcipher *k, const struct tls_suite *s)
{
	const char *names[KCIPHER_NEEDS_MAX];
	size_t n = kcipher_needs(s->kernel_cipher, names);

	if (!n)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!kernel_has(k, names[i]))
			return names[i];
	return "";
}

/* One log line per reason: the suites that go for it. */
static void log_dropped(const struct profile *p, const struct kcipher *k,
			const uint16_t *dropped, size_t n)
{
	/* NULL: no kernel cipher at all; then each missing algorithm */
	for (size_t r = 0; r <= N_ALGS; r++) {
		const char *reason = r ? algs[r - 1].name : NULL;
		char names[1024] = "";
		size_t len = 0;

		for (size_t i = 0; i < n; i++) {
			const struct tls_suite *s = tls_suite_by_id(dropped[i]);
			const char *m;

			if (!s)
				continue;
			m = missing(k, s);
			if ((m == NULL) != (reason == NULL) ||
			    (m && strcmp(m, reason)))
				continue;
			len += snprintf(names + len, sizeof(names) - len,
					"%s%s", len ? ", " : "", s->name);
			if (len >= sizeof(names))
				break;
		}
		if (!names[0])
			continue;
		/* The library's default list is not the operator's doing. */
		log_msg(p->suites_line ? LOG_LVL_WARN : LOG_LVL_DEBUG,
			"profile %s: dropping %s: %s%s", p->name, names,
			reason ? "the kernel has no " :
				 "ktlso.ko has no record layer for it",
			reason ? reason : "");
	}
}

static int restrict_profile(const struct config *c, struct profile *p,
			    const struct kcipher *k, char *err, size_t errlen)
{
	struct tls_config *t = &p->tls;
	uint16_t dropped[TLS_CONFIG_MAX_LIST];
	size_t kept = 0, n_dropped = 0;
	unsigned int line = p->suites_line ? p->suites_line : p->line;

	for (size_t i = 0; i < t->n_suites; i++) {
		const struct tls_suite *s = tls_suite_by_id(t->suites[i]);
		const char *m = s ? missing(k, s) : NULL;

		if (m && !*m)
			t->suites[kept++] = t->suites[i];
		else
			dropped[n_dropped++] = t->suites[i];
	}
	t->n_suites = kept;
	log_dropped(p, k, dropped, n_dropped);
	if (kept)
		return 0;
	/* Line 0: the built-in default profile, not a line of the file */
	if (line)
		snprintf(err, errlen, "%s:%u: profile %s: %s", c->path, line,
			 p->name, NO_SUITE);
	else
		snprintf(err, errlen, "%s: profile %s: %s", c->path, p->name,
			 NO_SUITE);
	return -EINVAL;
}

int kcipher_restrict(struct config *c, const struct kcipher *k, char *err,
		     size_t errlen)
{
	for (size_t i = 0; i < c->n; i++)
		TRY(restrict_profile(c, &c->profiles[i], k, err, errlen));
	return 0;
}
