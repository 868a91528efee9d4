// SPDX-License-Identifier: MIT
/* The kernel AEAD probe and the suite cut (kcipher.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <kcapi.h>
#include <linux/tls.h>

#include "kcipher.h"
#include "log.h"
#include "tls_suite.h"

#define GCM "gcm(aes)"
#define CHACHA "rfc7539(chacha20,poly1305)"
#define CCM "ccm(aes)"
#define NO_SUITE "no suite left that the kernel can encrypt"

const char *kcipher_aead_name(uint16_t kernel_cipher)
{
	switch (kernel_cipher) {
	case TLS_CIPHER_AES_GCM_128:
	case TLS_CIPHER_AES_GCM_256:
		return GCM;
	case TLS_CIPHER_CHACHA20_POLY1305:
		return CHACHA;
	case TLS_CIPHER_AES_CCM_128:
		return CCM;
	default:
		return NULL;
	}
}

/* 0: present, -ENOENT: absent, else AF_ALG's own failure. */
static int probe_one(const char *name)
{
	struct kcapi_handle *h;
	int ret = kcapi_aead_init(&h, name, 0);

	if (!ret)
		kcapi_aead_destroy(h);
	return ret;
}

static bool answered(int ret)
{
	return !ret || ret == -ENOENT;
}

int kcipher_probe(struct kcipher *k, char *why, size_t whylen)
{
	int gcm, chacha, ccm;

	/* libkcapi prints its own errors otherwise; ours are clearer */
	kcapi_set_verbosity(KCAPI_LOG_NONE);
	gcm = probe_one(GCM);
	chacha = probe_one(CHACHA);
	ccm = probe_one(CCM);
	if (answered(gcm) && answered(chacha) && answered(ccm) &&
	    !(gcm && chacha && ccm)) {
		*k = (struct kcipher){
			.probed = true,
			.gcm = !gcm,
			.chacha = !chacha,
			.ccm = !ccm,
		};
		return 0;
	}
	/*
	 * socket(AF_ALG) failed, or every bind did: without algif_aead the
	 * kernel answers ENOENT for any AEAD, and a kernel that runs
	 * ktlso.ko without even gcm(aes) is far less likely than one
	 * without the AF_ALG interface. Either way nothing was learnt.
	 * ktlso.ko allocates its AEADs with crypto_alloc_aead(), which loads
	 * the gcm and chacha20poly1305 modules on demand, and both are built
	 * by every kernel ktlso supports; if that assumption is ever wrong,
	 * TLS_TX fails and the handshake is reported failed, never left in
	 * plaintext.
	 */
	if (!answered(gcm))
		snprintf(why, whylen, "AF_ALG: %s", strerror(-gcm));
	else if (!answered(chacha) || !answered(ccm))
		snprintf(why, whylen, "AF_ALG: %s",
			 strerror(answered(chacha) ? -ccm : -chacha));
	else
		snprintf(why, whylen,
			 "AF_ALG knows no AEAD at all (is algif_aead loaded?)");
	*k = (struct kcipher){ .gcm = true, .chacha = true };
	return -EAFNOSUPPORT;
}

static bool kernel_has(const struct kcipher *k, const char *aead)
{
	return aead && ((!strcmp(aead, GCM) && k->gcm) ||
			(!strcmp(aead, CHACHA) && k->chacha) ||
			(!strcmp(aead, CCM) && k->ccm));
}

/* One log line per reason: the suites that go for it. */
static void log_dropped(const struct profile *p, const uint16_t *dropped,
			size_t n)
{
	static const char *const reasons[] = { NULL, GCM, CHACHA, CCM };

	for (size_t r = 0; r < sizeof(reasons) / sizeof(reasons[0]); r++) {
		char names[1024] = "";
		size_t len = 0;

		for (size_t i = 0; i < n; i++) {
			const struct tls_suite *s = tls_suite_by_id(dropped[i]);
			const char *aead;

			if (!s)
				continue;
			aead = kcipher_aead_name(s->kernel_cipher);
			if ((aead == NULL) != (reasons[r] == NULL) ||
			    (aead && strcmp(aead, reasons[r])))
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
			reasons[r] ? "the kernel has no " :
				     "ktlso.ko has no CBC record layer",
			reasons[r] ? reasons[r] : "");
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

		if (s && kernel_has(k, kcipher_aead_name(s->kernel_cipher)))
			t->suites[kept++] = t->suites[i];
		else
			dropped[n_dropped++] = t->suites[i];
	}
	t->n_suites = kept;
	log_dropped(p, dropped, n_dropped);
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
