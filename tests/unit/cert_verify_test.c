// SPDX-License-Identifier: MIT
/*
 * userspace/lib/x509/cert_verify.c and cert_load.c against a real PKI: the
 * `openssl` command builds it (tests/pki/mkpki) in a fresh temporary
 * directory, with `openssl ca` for certificates and CRLs and `openssl ocsp`
 * for the stapled responses. Each case is what a TLS peer would present,
 * and checks the alert we would send (RFC 8446 §6.2) and that the reason
 * names the problem.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "../lib/check.h"
#include "../lib/pki.h"
#include "wire/proto.h"
#include "x509/cert_load.h"
#include "x509/cert_verify.h"

#define DAY (24 * 60 * 60)

static struct cert_trust *trust; /* root.pem */

static size_t read_all(const char *path, uint8_t *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n = f ? fread(buf, 1, cap, f) : 0;

	if (f)
		fclose(f);
	return n;
}

static struct cert_check server(const char *name)
{
	return (struct cert_check){
		.peer_name = name,
		.peer = CERT_PEER_SERVER,
		.key_use = CERT_USE_SIGN,
	};
}

/* Verify a chain as it would arrive: the DER certificates of a PEM file. */
static int verify_file(struct cert_trust *t, const struct cert_check *ck,
		       const char *file, struct cert_result *res,
		       EVP_PKEY **key)
{
	struct cert_chain chain;
	char err[256];
	int ret;

	ret = cert_chain_load_pem(pki(file), &chain, err, sizeof(err));
	if (ret) {
		printf("    cannot load %s: %s\n", file, err);
		return ret;
	}
	ret = cert_verify(t, ck, chain.certs, chain.n, res, key);
	cert_chain_free(&chain);
	return ret;
}

static void check_outcome(const char *what, int ret,
			  const struct cert_result *res, int alert)
{
	if (!alert)
		CHECK(ret == 0 && res->alert == 0, "%s: accepted (%s)", what,
		      res->reason);
	else
		CHECK(ret == -EKEYREJECTED && res->alert == alert,
		      "%s: %s (%s)", what, tls_alert_name(alert), res->reason);
	if ((!alert && ret) || (alert && res->alert != alert))
		printf("    got %d, alert %s\n", ret,
		       tls_alert_name(res->alert));
}

/* alert 0: accepted. */
static void expect(const char *what, struct cert_trust *t,
		   const struct cert_check *ck, const char *file, int alert)
{
	struct cert_result res;
	int ret = verify_file(t, ck, file, &res, NULL);

	check_outcome(what, ret, &res, alert);
}

static void test_load(void)
{
	const char *enc = pki("encrypted.key"), *rev = pki("reversed.pem");
	struct cert_chain chain;
	EVP_PKEY *key = NULL, *other = NULL;
	char err[256] = "";
	X509 *leaf;
	FILE *f;
	int ret;

	ret = cert_chain_load_pem(pki("server-p256-chain.pem"), &chain, err,
				  sizeof(err));
	CHECK(ret == 0 && chain.n == 2, "chain file: leaf and intermediate");
	f = fopen(pki("server-p256.pem"), "r");
	leaf = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
	if (f)
		fclose(f);
	if (!ret && leaf) {
		unsigned char *der = NULL;
		int len = i2d_X509(leaf, &der);

		CHECK(len > 0 && (size_t)len == chain.certs[0].len &&
			      !memcmp(der, chain.certs[0].data, len),
		      "chain file: certs[0] is the leaf's DER");
		OPENSSL_free(der);
	}
	X509_free(leaf);

	CHECK(cert_key_load_pem(pki("server-p256.key"), &key, err,
				sizeof(err)) == 0, "key loads");
	CHECK(key && cert_key_check(&chain, key, err, sizeof(err)) == 0,
	      "key matches its certificate");
	CHECK(cert_key_load_pem(pki("server-p384.key"), &other, err,
				sizeof(err)) == 0 &&
		      cert_key_check(&chain, other, err, sizeof(err)) ==
			      -EKEYREJECTED && strstr(err, "does not match"),
	      "another key is refused: %s", err);
	EVP_PKEY_free(other);
	other = NULL;
	cert_chain_free(&chain);
	CHECK(chain.n == 0 && !chain.buf, "cert_chain_free empties the chain");

	ret = cert_chain_load_pem(pki("missing.pem"), &chain, err, sizeof(err));
	CHECK(ret == -ENOENT && strstr(err, "missing.pem") &&
		      strstr(err, "No such file"),
	      "missing chain file: %s", err);
	ret = cert_key_load_pem(pki("missing.key"), &other, err, sizeof(err));
	CHECK(ret == -ENOENT && strstr(err, "missing.key"),
	      "missing key file: %s", err);
	ret = cert_chain_load_pem(pki("server-p256.key"), &chain, err,
				  sizeof(err));
	CHECK(ret == -EBADMSG && strstr(err, "no certificate"),
	      "key file as a chain: %s", err);
	ret = cert_key_load_pem(pki("server-p256.pem"), &other, err,
				sizeof(err));
	CHECK(ret == -EBADMSG && strstr(err, "no usable private key"),
	      "certificate as a key: %s", err);
	ret = cert_chain_load_pem(pki_dir(), &chain, err, sizeof(err));
	CHECK(ret == -EISDIR, "directory as a chain: %s", err);

	/* intermediate first, then the leaf */
	f = fopen(rev, "w");
	if (f) {
		uint8_t buf[8192];
		size_t n = read_all(pki("inter.pem"), buf, sizeof(buf));

		fwrite(buf, 1, n, f);
		n = read_all(pki("server-p256.pem"), buf, sizeof(buf));
		fwrite(buf, 1, n, f);
		fclose(f);
	}
	ret = cert_chain_load_pem(rev, &chain, err, sizeof(err));
	CHECK(ret == -EBADMSG && strstr(err, "leaf first"),
	      "chain in the wrong order: %s", err);

	f = fopen(enc, "w");
	if (f) {
		PEM_write_PrivateKey(f, key, EVP_aes_256_cbc(),
				     (unsigned char *)"secret", 6, NULL, NULL);
		fclose(f);
	}
	ret = cert_key_load_pem(enc, &other, err, sizeof(err));
	CHECK(ret == -EBADMSG && strstr(err, "passphrase"),
	      "encrypted key refused without prompting: %s", err);
	EVP_PKEY_free(key);
}

static void test_trust_load(void)
{
	const char *crls[] = { pki("inter.crl.pem"), pki("root.crl.pem") };
	const char *not_crl[] = { pki("root.pem") };
	struct cert_trust *t = NULL;
	char err[256] = "", link[PATH_MAX], hashed[PATH_MAX / 2];
	struct cert_check ck = server("localhost");
	X509 *root = NULL;
	FILE *f;
	int ret;

	ret = cert_trust_load(pki("nonexistent.pem"), NULL, 0, &t, err,
			      sizeof(err));
	CHECK(ret == -ENOENT && !t && strstr(err, "nonexistent.pem"),
	      "missing CA file: %s", err);
	ret = cert_trust_load(pki("root.key"), NULL, 0, &t, err, sizeof(err));
	CHECK(ret == -EBADMSG && strstr(err, "no certificate"),
	      "CA file without certificates: %s", err);
	ret = cert_trust_load(pki("root.pem"), not_crl, 1, &t, err,
			      sizeof(err));
	CHECK(ret == -EBADMSG && strstr(err, "root.pem: no CRL"),
	      "CRL file without CRLs: %s", err);
	ret = cert_trust_load(pki("root.pem"), crls, 2, &t, err, sizeof(err));
	CHECK(ret == 0 && t, "CA file and two CRL files load");
	cert_trust_free(t);
	t = NULL;

	/* A CApath directory: root.pem under its subject hash. */
	snprintf(hashed, sizeof(hashed), "%s/capath", pki_dir());
	mkdir(hashed, 0700);
	f = fopen(pki("root.pem"), "r");
	root = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
	if (f)
		fclose(f);
	if (root) {
		snprintf(link, sizeof(link), "%s/%08lx.0", hashed,
			 X509_subject_name_hash(root));
		if (symlink(pki("root.pem"), link))
			perror("symlink");
	}
	X509_free(root);
	ret = cert_trust_load(hashed, NULL, 0, &t, err, sizeof(err));
	CHECK(ret == 0, "hashed CA directory loads");
	if (!ret)
		expect("trust from a CA directory", t, &ck,
		       "server-p256-chain.pem", 0);
	cert_trust_free(t);
}

static void test_key_types(void)
{
	static const struct {
		const char *name, *type, *group;
	} types[] = {
		{ "p256", "EC", "prime256v1" },
		{ "p384", "EC", "secp384r1" },
		{ "rsa2048", "RSA", NULL },
		{ "ed25519", "ED25519", NULL },
	};
	struct cert_check ck = server("localhost");

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		char file[64], keyfile[64], group[32] = "", err[256];
		EVP_PKEY *key = NULL, *priv = NULL;
		struct cert_result res;
		int ret;

		snprintf(file, sizeof(file), "server-%s-chain.pem",
			 types[i].name);
		snprintf(keyfile, sizeof(keyfile), "server-%s.key",
			 types[i].name);
		ret = verify_file(trust, &ck, file, &res, &key);
		check_outcome(file, ret, &res, 0);
		CHECK(key && EVP_PKEY_is_a(key, types[i].type),
		      "%s: leaf key returned, type %s", types[i].name,
		      types[i].type);
		if (key && types[i].group)
			EVP_PKEY_get_group_name(key, group, sizeof(group),
						NULL);
		CHECK(!types[i].group || !strcmp(group, types[i].group),
		      "%s: curve %s", types[i].name,
		      types[i].group ? types[i].group : "n/a");
		CHECK(cert_key_load_pem(pki(keyfile), &priv, err,
					sizeof(err)) == 0 &&
			      key && EVP_PKEY_eq(key, priv) == 1,
		      "%s: leaf key is the public half of %s", types[i].name,
		      keyfile);
		CHECK(strstr(res.subject, types[i].name) != NULL,
		      "%s: subject \"%s\"", types[i].name, res.subject);
		EVP_PKEY_free(key);
		EVP_PKEY_free(priv);
	}
}

static void test_names(void)
{
	static const struct {
		const char *name, *file;
		int alert;
	} cases[] = {
		{ "localhost", "server-p256-chain.pem", 0 },
		/* RFC 6125 §6.4.1: case-insensitive */
		{ "LocalHost", "server-p256-chain.pem", 0 },
		/* RFC 6125 §6.4.3: "*" is exactly one whole left-most label */
		{ "www.example.test", "server-p256-chain.pem", 0 },
		{ "a.b.example.test", "server-p256-chain.pem",
		  TLS_ALERT_BAD_CERTIFICATE },
		{ "example.test", "server-p256-chain.pem",
		  TLS_ALERT_BAD_CERTIFICATE },
		{ "wrong.test", "server-p256-chain.pem",
		  TLS_ALERT_BAD_CERTIFICATE },
		{ "127.0.0.1", "server-p256-chain.pem", 0 },
		{ "::1", "server-p256-chain.pem", 0 },
		{ "0:0:0:0:0:0:0:1", "server-p256-chain.pem", 0 },
		{ "127.0.0.2", "server-p256-chain.pem",
		  TLS_ALERT_BAD_CERTIFICATE },
		/* an IP literal never matches a dNSName */
		{ "192.0.2.1", "server-p256-chain.pem",
		  TLS_ALERT_BAD_CERTIFICATE },
		/* SANs w*.example.test, *.*.multi.test, *.test */
		{ "www.example.test", "server-wildcards-chain.pem",
		  TLS_ALERT_BAD_CERTIFICATE },
		{ "a.b.multi.test", "server-wildcards-chain.pem",
		  TLS_ALERT_BAD_CERTIFICATE },
		{ "x.test", "server-wildcards-chain.pem",
		  TLS_ALERT_BAD_CERTIFICATE },
		{ NULL, "server-wildcards-chain.pem", 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cert_check ck = server(cases[i].name);
		char what[128];

		snprintf(what, sizeof(what), "name %s vs %s",
			 cases[i].name ? cases[i].name : "(none)",
			 cases[i].file);
		expect(what, trust, &ck, cases[i].file, cases[i].alert);
	}
}

static void test_path(void)
{
	struct cert_check ck = server("localhost");
	char err[256];
	struct cert_trust *inter_only = NULL;
	struct cert_result res;
	int ret;

	expect("expired", trust, &ck, "server-expired-chain.pem",
	       TLS_ALERT_CERTIFICATE_EXPIRED);
	ret = verify_file(trust, &ck, "server-expired-chain.pem", &res, NULL);
	CHECK(ret && strstr(res.reason, "notAfter") && res.depth == 0 &&
		      strstr(res.subject, "server expired"),
	      "expired: reason names notAfter, depth 0, subject");
	expect("not yet valid", trust, &ck, "server-notyet-chain.pem",
	       TLS_ALERT_CERTIFICATE_EXPIRED);
	expect("unknown CA", trust, &ck, "other-server-chain.pem",
	       TLS_ALERT_UNKNOWN_CA);
	expect("self-signed, not trusted", trust, &ck, "other-root.pem",
	       TLS_ALERT_UNKNOWN_CA);
	expect("intermediate missing", trust, &ck, "server-p256.pem",
	       TLS_ALERT_UNKNOWN_CA);
	expect("weak RSA-1024 key", trust, &ck, "server-rsa1024-chain.pem",
	       TLS_ALERT_UNSUPPORTED_CERTIFICATE);

	/* An intermediate alone is not a trust anchor (no partial chains). */
	ret = cert_trust_load(pki("inter.pem"), NULL, 0, &inter_only, err,
			      sizeof(err));
	CHECK(ret == 0, "intermediate as the only CA loads");
	if (!ret)
		expect("intermediate is not an anchor", inter_only, &ck,
		       "server-p256-chain.pem", TLS_ALERT_UNKNOWN_CA);
	cert_trust_free(inter_only);

	/* The time seam governs validity. */
	ck.now = time(NULL) + 11 * 365 * DAY;
	expect("now + 11 years", trust, &ck, "server-p256-chain.pem",
	       TLS_ALERT_CERTIFICATE_EXPIRED);
	ck.now = time(NULL) - DAY;
	expect("now - 1 day", trust, &ck, "server-p256-chain.pem",
	       TLS_ALERT_CERTIFICATE_EXPIRED);
	ck.now = time(NULL) + 365 * DAY;
	expect("now + 1 year", trust, &ck, "server-p256-chain.pem", 0);
}

static void test_purpose(void)
{
	struct cert_check ck = server("localhost");
	struct cert_check client = {
		.peer = CERT_PEER_CLIENT,
		.key_use = CERT_USE_SIGN,
	};
	struct cert_result res;
	EVP_PKEY *key = NULL;
	int ret;

	/* RFC 5280 §4.2.1.12 */
	expect("server cert with clientAuth EKU only", trust, &ck,
	       "server-badeku-chain.pem", TLS_ALERT_UNSUPPORTED_CERTIFICATE);
	expect("client cert presented by a server", trust, &ck,
	       "client-chain.pem", TLS_ALERT_UNSUPPORTED_CERTIFICATE);
	ret = verify_file(trust, &client, "client-chain.pem", &res, &key);
	check_outcome("client cert, clientAuth", ret, &res, 0);
	CHECK(key && EVP_PKEY_is_a(key, "EC") &&
		      !strcmp(res.subject, "CN=client,O=ktlso test"),
	      "client cert: key returned, subject \"%s\"", res.subject);
	EVP_PKEY_free(key);
	expect("server cert presented by a client", trust, &client,
	       "server-p256-chain.pem", TLS_ALERT_UNSUPPORTED_CERTIFICATE);
	/* RFC 6125 §6.4.4, RFC 9525 §6.3: the subject CN is never a name */
	client.peer_name = "client";
	expect("CN=client without SAN is not the name \"client\"", trust,
	       &client, "client-chain.pem", TLS_ALERT_BAD_CERTIFICATE);

	/* RFC 5246 §7.4.2 */
	ck.key_use = CERT_USE_KEY_ENCIPHERMENT;
	expect("RSA key exchange, RSA keyEncipherment cert", trust, &ck,
	       "server-rsa2048-chain.pem", 0);
	expect("RSA key exchange, ECDSA cert", trust, &ck,
	       "server-p256-chain.pem", TLS_ALERT_UNSUPPORTED_CERTIFICATE);
}

/* Verify one chain file with mangled DER. */
static void expect_mangled(const char *what, const char *file, size_t index,
			   int how, int depth)
{
	struct cert_check ck = server("localhost");
	struct cert_der certs[CERT_CHAIN_MAX];
	uint8_t buf[8192];
	struct cert_chain chain;
	struct cert_result res;
	char err[256];
	int ret;

	if (cert_chain_load_pem(pki(file), &chain, err, sizeof(err)) ||
	    chain.certs[index].len >= sizeof(buf)) {
		CHECK(0, "%s: cannot load %s: %s", what, file, err);
		return;
	}
	memcpy(certs, chain.certs, sizeof(certs));
	memcpy(buf, certs[index].data, certs[index].len);
	certs[index].data = buf;
	switch (how) {
	case 0: /* flip the last byte: inside the signature */
		buf[certs[index].len - 1] ^= 0x01;
		break;
	case 1: /* one byte too many */
		buf[certs[index].len++] = 0;
		break;
	case 2: /* not DER at all */
		memcpy(buf, "hello", 5);
		certs[index].len = 5;
		break;
	}
	ret = cert_verify(trust, &ck, certs, chain.n, &res, NULL);
	check_outcome(what, ret, &res, TLS_ALERT_BAD_CERTIFICATE);
	CHECK(res.depth == depth, "%s: at depth %d", what, depth);
	cert_chain_free(&chain);
}

static void test_malformed(void)
{
	struct cert_check ck = server("localhost");
	struct cert_der one = { (const uint8_t *)"x", 1 };
	struct cert_result res;

	expect_mangled("leaf signature corrupted", "server-rsa2048-chain.pem",
		       0, 0, 0);
	expect_mangled("trailing byte after the leaf", "server-p256-chain.pem",
		       0, 1, 0);
	expect_mangled("garbage leaf", "server-p256-chain.pem", 0, 2, 0);
	expect_mangled("garbage intermediate", "server-p256-chain.pem", 1, 2,
		       1);

	CHECK(cert_verify(trust, &ck, &one, 0, &res, NULL) == -EINVAL &&
		      res.alert == TLS_ALERT_INTERNAL_ERROR,
	      "no certificates: -EINVAL");
	CHECK(cert_verify(NULL, &ck, &one, 1, &res, NULL) == -EINVAL,
	      "no trust: -EINVAL");
	ck.peer = 0;
	CHECK(cert_verify(trust, &ck, &one, 1, &res, NULL) == -EINVAL,
	      "peer role unset: -EINVAL");
	ck = server(".example.test");
	CHECK(cert_verify(trust, &ck, &one, 1, &res, NULL) == -EINVAL,
	      "peer name with a leading dot: -EINVAL");
	ck = server("");
	CHECK(cert_verify(trust, &ck, &one, 1, &res, NULL) == -EINVAL,
	      "empty peer name: -EINVAL");
}

static void test_crl(void)
{
	const char *both[] = { pki("inter.crl.pem"), pki("root.crl.pem") };
	const char *inter_only[] = { pki("inter.crl.pem") };
	const char *expired[] = { pki("inter-expired.crl.pem"),
				  pki("root.crl.pem") };
	struct cert_trust *t_both = NULL, *t_inter = NULL, *t_expired = NULL;
	struct cert_check ck = server("localhost");
	char err[256];

	CHECK(cert_trust_load(pki("root.pem"), both, 2, &t_both, err,
			      sizeof(err)) == 0 &&
		      cert_trust_load(pki("root.pem"), inter_only, 1, &t_inter,
				      err, sizeof(err)) == 0 &&
		      cert_trust_load(pki("root.pem"), expired, 2, &t_expired,
				      err, sizeof(err)) == 0,
	      "CRL trust stores load");
	if (!t_both || !t_inter || !t_expired)
		goto out;
	expect("CRLs loaded but not checked: revoked cert passes", t_both, &ck,
	       "server-revoked-chain.pem", 0);
	ck.check_crl = true;
	expect("revoked by CRL", t_both, &ck, "server-revoked-chain.pem",
	       TLS_ALERT_CERTIFICATE_REVOKED);
	expect("good cert, full-chain CRL check", t_both, &ck,
	       "server-p256-chain.pem", 0);
	expect("CRL check without any CRL", trust, &ck,
	       "server-p256-chain.pem", TLS_ALERT_CERTIFICATE_UNKNOWN);
	expect("root CRL missing (intermediate unchecked)", t_inter, &ck,
	       "server-p256-chain.pem", TLS_ALERT_CERTIFICATE_UNKNOWN);
	expect("intermediate's CRL expired", t_expired, &ck,
	       "server-p256-chain.pem", TLS_ALERT_CERTIFICATE_UNKNOWN);
	ck.now = time(NULL) + 45 * DAY;
	expect("CRLs past nextUpdate at now + 45 days", t_both, &ck,
	       "server-p256-chain.pem", TLS_ALERT_CERTIFICATE_UNKNOWN);
out:
	cert_trust_free(t_both);
	cert_trust_free(t_inter);
	cert_trust_free(t_expired);
}

struct staple {
	uint8_t der[8192];
	size_t len;
};

static void expect_staple(const char *what, const char *file,
			  const struct staple *s, struct cert_trust *t,
			  bool crl, time_t now, int alert)
{
	struct cert_check ck = server("localhost");

	ck.ocsp = s->der;
	ck.ocsp_len = s->len;
	ck.check_crl = crl;
	ck.now = now;
	expect(what, t, &ck, file, alert);
}

static void load_staple(const char *name, struct staple *s)
{
	s->len = read_all(pki(name), s->der, sizeof(s->der));
	CHECK(s->len > 0 && s->len < sizeof(s->der), "%s: %zu bytes", name,
	      s->len);
}

static void test_ocsp(void)
{
	const char *crls[] = { pki("inter.crl.pem"), pki("root.crl.pem") };
	static struct staple good, by_ca, revoked, unauth, wrong_ca, bad;
	/* RFC 6960 §4.2.1: OCSPResponse { responseStatus tryLater(3) } */
	static const struct staple try_later = {
		{ 0x30, 0x03, 0x0a, 0x01, 0x03 }, 5
	};
	const char *p256 = "server-p256-chain.pem";
	struct cert_trust *t_crl = NULL;
	struct cert_result res;
	char err[256];
	size_t i;

	load_staple("ocsp-good.der", &good);
	load_staple("ocsp-good-by-ca.der", &by_ca);
	load_staple("ocsp-revoked.der", &revoked);
	load_staple("ocsp-unauthorized.der", &unauth);
	load_staple("ocsp-wrong-ca.der", &wrong_ca);

	expect_staple("OCSP good, delegated responder", p256, &good, trust,
		      false, 0, 0);
	expect_staple("OCSP good, signed by the CA", p256, &by_ca, trust,
		      false, 0, 0);
	expect_staple("OCSP revoked", "server-revoked-chain.pem", &revoked,
		      trust, false, 0, TLS_ALERT_CERTIFICATE_REVOKED);
	{
		struct cert_check ck = server("localhost");

		ck.ocsp = revoked.der;
		ck.ocsp_len = revoked.len;
		CHECK(verify_file(trust, &ck, "server-revoked-chain.pem", &res,
				  NULL) &&
			      strstr(res.reason, "keyCompromise"),
		      "OCSP revoked: reason names keyCompromise");
	}
	expect_staple("OCSP about another certificate",
		      "server-p384-chain.pem", &good, trust, false, 0,
		      TLS_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE);
	expect_staple("OCSP signed by an unauthorised certificate", p256,
		      &unauth, trust, false, 0,
		      TLS_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE);
	expect_staple("OCSP signed by another CA's OCSP responder", p256,
		      &wrong_ca, trust, false, 0,
		      TLS_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE);
	expect_staple("OCSP not successful (tryLater)", p256, &try_later,
		      trust, false, 0,
		      TLS_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE);
	/* RFC 6960 §4.2.2.1: past nextUpdate (7 days) */
	expect_staple("OCSP stale at now + 8 days", p256, &good, trust, false,
		      time(NULL) + 8 * DAY,
		      TLS_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE);
	expect_staple("OCSP fresh at now + 6 days", p256, &good, trust, false,
		      time(NULL) + 6 * DAY, 0);

	bad = good;
	memcpy(bad.der, "garbage", 7);
	bad.len = 7;
	expect_staple("OCSP garbage", p256, &bad, trust, false, 0,
		      TLS_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE);
	bad = good;
	bad.len--;
	expect_staple("OCSP truncated", p256, &bad, trust, false, 0,
		      TLS_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE);
	bad = good;
	bad.len = 0;
	expect_staple("OCSP empty", p256, &bad, trust, false, 0,
		      TLS_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE);
	/* producedAt is the first GeneralizedTime (tag 0x18, 15 bytes) */
	bad = by_ca;
	for (i = 0; i + 16 < bad.len; i++)
		if (bad.der[i] == 0x18 && bad.der[i + 1] == 0x0f)
			break;
	CHECK(i + 16 < bad.len, "producedAt found in the response");
	bad.der[i + 2 + 12] ^= 0x01; /* tens of seconds: 0<->1, 2<->3, 4<->5 */
	expect_staple("OCSP signed data altered", p256, &bad, trust, false, 0,
		      TLS_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE);

	CHECK(cert_trust_load(pki("root.pem"), crls, 2, &t_crl, err,
			      sizeof(err)) == 0, "CRL trust loads");
	if (t_crl) {
		expect_staple("OCSP good with full-chain CRL checks", p256,
			      &good, t_crl, true, 0, 0);
		expect_staple("OCSP by CA with full-chain CRL checks", p256,
			      &by_ca, t_crl, true, 0, 0);
	}
	cert_trust_free(t_crl);
}

int main(void)
{
	char err[256];

	if (pki_make()) {
		CHECK(0, "tests/pki/mkpki %s", pki_dir());
		return check_summary();
	}
	CHECK(cert_trust_load(pki("root.pem"), NULL, 0, &trust, err,
			      sizeof(err)) == 0, "trust root.pem");
	if (trust) {
		test_load();
		test_trust_load();
		test_key_types();
		test_names();
		test_path();
		test_purpose();
		test_malformed();
		test_crl();
		test_ocsp();
	}
	cert_trust_free(trust);
	pki_cleanup();
	return check_summary();
}
