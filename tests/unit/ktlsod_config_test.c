// SPDX-License-Identifier: MIT
/*
 * ktlsod's configuration (userspace/daemon/config.c, kcipher.c,
 * generation.c) against files written here and a fresh test PKI:
 *  - a good file with two profiles becomes exactly the tls_configs it says;
 *  - every kind of mistake is refused with its exact "FILE:LINE: reason";
 *  - the kernel cut drops what the kernel cannot encrypt and refuses a
 *    profile left with nothing;
 *  - a failed reload keeps the configuration in use, and a handshake's
 *    reference keeps its generation alive across a good one;
 *  - session resumption: tickets from a key file or generated, a session
 *    cache, one identity per profile; a key file others can read refused;
 *  - the ktlsod binary itself refuses to start on a bad file (-t).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../lib/check.h"
#include "../lib/ktlsod_check.h"
#include "../lib/pki.h"
#include "engine/engine.h"
#include "generation.h"
#include "kcipher.h"
#include "tls_suite.h"
#include "wire/proto.h"
#include "x509/cert_load.h"

#include <linux/ktlso.h>
#include <linux/tls.h>

static const struct config_options no_system_ca = { .system_ca = NULL };

static const char good[] =
	"# ktlsod.conf for the test\n"
	"\n"
	"[profile web]\n"
	"cert = server-p256-chain.pem\n"
	"key = server-p256.key\n"
	"ca = root.pem\n"
	"crl = root.crl.pem\n"
	"crl = inter.crl.pem\n"
	"ocsp_staple = ocsp-good.der\n"
	"client_auth = required\n"
	"min_version = 1.3\n"
	"alpn = h2,http/1.1\n"
	"\n"
	"; a client profile\n"
	"[ profile  backend-1 ]\n"
	"  ca   =   root.pem  \n"
	"suites = TLS_AES_256_GCM_SHA384:ECDHE-ECDSA-AES128-GCM-SHA256\n"
	"groups = P-384\n"
	"max_version = 1.2\n"
	"verify = yes\n"
	"legacy = no\n";

static void test_good_file(void)
{
	const char *path = pki_write("good.conf", good);
	char err[CONFIG_ERR] = "";
	const struct profile *web, *be, *def;
	struct config *c;
	int ret;

	ret = config_load(path, &no_system_ca, &c, err, sizeof(err));
	CHECK(ret == 0, "good file with two profiles loads (%s)", err);
	if (ret)
		return;
	CHECK(c->n == 3, "two profiles and the built-in default: %zu", c->n);
	web = config_profile(c, "web");
	be = config_profile(c, "backend-1");
	def = config_profile(c, "");
	CHECK(web && web->line == 3, "profile web, from line 3");
	CHECK(be && be->line == 15, "profile backend-1 (spaces around the name)");
	CHECK(def && !strcmp(def->name, "default") && def->line == 0,
	      "\"\" finds the built-in default profile");
	CHECK(!config_profile(c, "nope"), "an unknown profile is NULL");
	if (!web || !be || !def)
		goto out;

	CHECK(web->tls.chain && web->tls.chain->n == 2 && web->tls.key,
	      "web: chain (leaf + intermediate) and key, relative to the file");
	CHECK(web->tls.trust && web->tls.check_crl,
	      "web: trust anchors with CRL checking");
	CHECK(web->tls.ocsp_staple && web->tls.ocsp_staple_len > 0,
	      "web: OCSP response to staple");
	CHECK(web->tls.client_auth == TLS_CLIENT_AUTH_REQUIRED,
	      "web: client_auth = required");
	CHECK(web->tls.min_version == TLS_VERSION_1_3 &&
		      web->tls.max_version == TLS_VERSION_1_3,
	      "web: min_version 1.3, max left at 1.3");
	CHECK(!strcmp(web->tls.alpn, "h2,http/1.1"), "web: alpn");
	CHECK(web->suites_line == 0, "web: the library's suites");

	CHECK(!be->tls.chain && be->tls.trust && !be->tls.check_crl,
	      "backend-1: trust anchors, no identity, no CRL");
	CHECK(be->tls.n_suites == 2 &&
		      be->tls.suites[0] == TLS_AES_256_GCM_SHA384 &&
		      be->tls.suites[1] ==
			      TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 &&
		      be->suites_line == 17,
	      "backend-1: suites in order, IANA and OpenSSL names");
	CHECK(be->tls.n_groups == 1 &&
		      be->tls.groups[0] == TLS_GROUP_SECP384R1,
	      "backend-1: groups = P-384");
	CHECK(be->tls.min_version == TLS_VERSION_1_2 &&
		      be->tls.max_version == TLS_VERSION_1_2,
	      "backend-1: max_version 1.2");
	CHECK(be->tls.verify_peer && !be->tls.legacy,
	      "backend-1: verify yes, legacy no");
	CHECK(!def->tls.trust && !def->tls.chain && def->tls.verify_peer,
	      "built-in default without a system CA: verifying, no anchors");
out:
	config_put(c);
}

struct bad {
	const char *text;
	unsigned int line;	/* 0: "FILE: reason" */
	/* Exact, after "FILE:LINE: "; a final '*': only its start (the
	 * rest comes from libcrypto) */
	const char *reason;
};

/* DIR is replaced by the PKI directory in reasons. */
static const struct bad bads[] = {
	{ "[profile a]\nfoo = bar\n", 2, "unknown key \"foo\"" },
	{ "[profile a]\ncert server-p256-chain.pem\n", 2,
	  "missing '=' in \"cert server-p256-chain.pem\"" },
	{ "[profile a]\nverify = yes\n\n[profile a]\n", 4,
	  "duplicate profile \"a\" (first at line 1)" },
	{ "[profile a]\ncert = missing.pem\nkey = server-p256.key\n", 2,
	  "DIR/missing.pem: No such file or directory" },
	{ "[profile a]\ncert = server-p256-chain.pem\nkey = missing.key\n", 3,
	  "DIR/missing.key: No such file or directory" },
	{ "[profile a]\ncert = server-p256-chain.pem\nkey = server-p384.key\n",
	  3, "the private key does not match the certificate of*" },
	{ "[profile a]\nkey = server-p256.key\ncert = server-p384-chain.pem\n",
	  2, "the private key does not match the certificate of*" },
	{ "[profile a]\ncert = server-p256.key\nkey = server-p256.key\n", 2,
	  "DIR/server-p256.key:*" },
	{ "[profile a]\nsuites = TLS_AES_128_GCM_SHA256:TLS_FOO\n", 2,
	  "unknown cipher suite \"TLS_FOO\"" },
	{ "[profile a]\ngroups = x25519,ffdhe2048\n", 2, "unknown group \"ffdhe2048\"" },
	{ "cert = server-p256-chain.pem\n", 1,
	  "\"cert\" outside a [profile NAME] section" },
	{ "[global]\n", 1, "unknown section [global] (expected [profile NAME])" },
	/* The daemon's limits: before the first section, in range */
	{ "[profile a]\nmax_handshakes = 10\n", 2,
	  "\"max_handshakes\" belongs before the first [profile NAME] section" },
	{ "max_handshakes = 0\n", 1,
	  "max_handshakes: expected 1 to 65536, not \"0\"" },
	{ "max_handshakes = 1K\n", 1,
	  "max_handshakes: expected 1 to 65536, not \"1K\"" },
	{ "max_handshakes = 65537\n", 1,
	  "max_handshakes: expected 1 to 65536, not \"65537\"" },
	{ "max_handshakes = -1\n", 1,
	  "max_handshakes: expected 1 to 65536, not \"-1\"" },
	{ "max_handshakes = 8\nmax_handshakes = 9\n", 2,
	  "duplicate key \"max_handshakes\" (first at line 1)" },
	{ "handshake_memory = 64K\n", 1, "handshake_memory: expected *" },
	{ "handshake_memory = 17M\n", 1, "handshake_memory: expected *" },
	{ "handshake_memory = 1G\n", 1, "handshake_memory: expected *" },
	{ "handshake_memory =\n", 1, "\"handshake_memory\" needs a value" },
	/* TLS 1.3 KeyUpdate: per profile, at least 64K */
	{ "[profile a]\nrekey_after = 1K\n", 2, "rekey_after: expected *" },
	{ "[profile a]\nrekey_after = 2T\n", 2, "rekey_after: expected *" },
	{ "rekey_after = 1G\n", 1,
	  "\"rekey_after\" outside a [profile NAME] section" },
	{ "[profile web\n", 1, "expected [profile NAME]" },
	{ "\n[profile]\n", 2, "[profile] needs a NAME" },
	{ "[profile a b]\n", 1,
	  "bad profile name \"a b\" (1 to 63 of A-Z a-z 0-9 . _ -)" },
	{ "[profile a]\ncert = x.pem\ncert = y.pem\n", 3,
	  "duplicate key \"cert\" (first at line 2)" },
	{ "[profile a]\nalpn =\n", 2, "\"alpn\" needs a value" },
	{ "[profile a]\nmin_version = 1.1\n", 2,
	  "unknown TLS version \"1.1\" (use 1.2 or 1.3)" },
	{ "[profile a]\nmin_version = 1.3\nmax_version = 1.2\n", 3,
	  "minimum version 1.3 above maximum 1.2" },
	{ "[profile a]\nverify = maybe\n", 2,
	  "verify: expected yes or no, not \"maybe\"" },
	{ "[profile a]\nlegacy = 1\n", 2, "legacy: expected yes or no, not \"1\"" },
	{ "[profile a]\nclient_auth = always\n", 2,
	  "client_auth: expected none, optional or required, not \"always\"" },
	{ "[profile a]\ncert = server-p256-chain.pem\nkey = server-p256.key\n"
	  "client_auth = optional\n", 4,
	  "client_auth = optional needs a ca line" },
	{ "[profile a]\ncrl = inter.crl.pem\n", 2, "crl needs a ca line" },
	{ "[profile a]\nca = root.pem\ncrl = root.crl.pem\ncrl = nocrl.pem\n",
	  4, "DIR/nocrl.pem: No such file or directory" },
	{ "[profile a]\nca = noroot.pem\ncrl = root.crl.pem\n", 2,
	  "DIR/noroot.pem: No such file or directory" },
	{ "[profile a]\ncert = server-p256-chain.pem\n", 2,
	  "cert needs a key line" },
	{ "[profile a]\n\nkey = server-p256.key\n", 3, "key needs a cert line" },
	{ "[profile a]\nsuites = TLS_RSA_WITH_AES_128_GCM_SHA256\n", 2,
	  "TLS_RSA_WITH_AES_128_GCM_SHA256 is a legacy suite: it needs legacy = yes" },
	{ "[profile a]\nsuites = ECDHE-ECDSA-AES256-SHA384\n", 2,
	  "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384 is a legacy suite: it needs legacy = yes" },
	{ "[profile a]\nsuites = ECDHE-RSA-AES128-SHA\n", 2,
	  "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA is a legacy suite: it needs legacy = yes" },
	{ "[profile a]\nmin_version = 1.3\n"
	  "suites = ECDHE-RSA-AES128-GCM-SHA256\n", 3,
	  "no listed suite is for TLS 1.3 to 1.3" },
	{ "[profile a]\nocsp_staple = ocsp-good.der\n", 2,
	  "ocsp_staple needs a cert line" },
	{ "[profile a]\ncert = server-p256-chain.pem\nkey = server-p256.key\n"
	  "ocsp_staple = nothere.der\n", 4,
	  "DIR/nothere.der: No such file or directory" },
	{ "[profile a]\nalpn = ,,\n", 2, "bad ALPN list \",,\"" },
	/* Session resumption (ktlsod.conf(5)) */
	{ "[profile a]\ntickets = yes\n", 2,
	  "tickets: expected on or off, not \"yes\"" },
	{ "[profile a]\nsession_cache = 1\n", 2,
	  "session_cache: expected on or off, not \"1\"" },
	{ "[profile a]\nticket_lifetime = 0\n", 2,
	  "ticket_lifetime: expected 1 to 604800, not \"0\"" },
	{ "[profile a]\ntickets = on\nticket_lifetime = 604801\n", 3,
	  "ticket_lifetime: expected 1 to 604800, not \"604801\"" },
	{ "[profile a]\nsession_cache = on\nsession_cache_size = 0\n", 3,
	  "session_cache_size: expected 1 to 1048576, not \"0\"" },
	{ "[profile a]\nticket_key_file = tickets.key\n", 2,
	  "ticket_key_file needs tickets = on" },
	{ "[profile a]\ntickets = off\nticket_key_file = tickets.key\n", 3,
	  "ticket_key_file needs tickets = on" },
	{ "[profile a]\nsession_cache_size = 100\n", 2,
	  "session_cache_size needs session_cache = on or tickets = on" },
	{ "[profile a]\nticket_lifetime = 60\n", 2,
	  "ticket_lifetime needs tickets = on or session_cache = on" },
	{ "[profile a]\ntickets = on\nticket_key_file = nokeys\n", 3,
	  "DIR/nokeys: No such file or directory" },
	{ "[profile a]\ntickets = on\nticket_key_file = tickets-0640.key\n",
	  3, "DIR/tickets-0640.key: mode 0640: a ticket key file must not be "
	     "readable or writable by group or others*" },
	{ "[profile a]\ntickets = on\nticket_key_file = tickets-short.key\n",
	  3, "DIR/tickets-short.key: 47 bytes: a ticket key file holds 1 to "
	     "16 records of 48 bytes*" },
};

/* Replace "DIR" in a reason by the PKI directory. */
static void expand(const char *in, char *out, size_t size)
{
	const char *dir = strstr(in, "DIR");

	if (dir)
		snprintf(out, size, "%.*s%s%s", (int)(dir - in), in, pki_dir(),
			 dir + 3);
	else
		snprintf(out, size, "%s", in);
}

/* A ticket key file of len bytes in the PKI directory, with this mode. */
static void key_file(const char *name, size_t len, mode_t mode)
{
	char path[512], buf[96] = "0123456789abcdef";
	int fd;

	snprintf(path, sizeof(path), "%s/%s", pki_dir(), name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, buf, len) != (ssize_t)len || fchmod(fd, mode))
		abort();
	close(fd);
}

/* tickets, ticket_key_file, ticket_lifetime, session_cache(_size) */
static void test_resumption(void)
{
	const char *path = pki_write("resume.conf",
		"[profile web]\ntickets = on\nticket_key_file = tickets.key\n"
		"ticket_lifetime = 600\nsession_cache = on\n"
		"session_cache_size = 100\n"
		"[profile api]\ntickets = on\n"
		"[profile none]\nverify = no\n");
	char err[CONFIG_ERR] = "";
	const struct tls_config *web, *api, *none;
	struct config *c;

	if (config_load(path, &no_system_ca, &c, err, sizeof(err))) {
		CHECK(0, "resume.conf loads: %s", err);
		return;
	}
	web = &config_profile(c, "web")->tls;
	api = &config_profile(c, "api")->tls;
	none = &config_profile(c, "none")->tls;
	CHECK(web->tickets && web->session_cache &&
		      web->ticket_lifetime == 600,
	      "web: tickets from the key file, a session cache, 600 s");
	CHECK(api->tickets && !api->session_cache &&
		      api->ticket_lifetime == 7200,
	      "api: generated ticket keys, no cache, 7200 s by default");
	CHECK(!none->tickets && !none->session_cache && !none->client_cache,
	      "a profile without the keys: no tickets, no cache (the default)");
	CHECK(api->client_cache && web->client_cache,
	      "tickets = on: its clients keep the tickets servers give");
	CHECK(memcmp(web->session_context, api->session_context,
		     sizeof(web->session_context)),
	      "two profiles, two identities for their sessions");
	config_put(c);
}

/* The daemon's limits: defaults, values, and the engine's message cap. */
static void test_limits(void)
{
	const char *path = pki_write("limits.conf",
				     "# limits\nmax_handshakes = 300\n"
				     "handshake_memory = 1M\n\n"
				     "[profile a]\nverify = no\n");
	char err[CONFIG_ERR] = "";
	struct config *c;

	if (config_load(path, &no_system_ca, &c, err, sizeof(err))) {
		CHECK(0, "limits.conf loads: %s", err);
		return;
	}
	CHECK(c->max_handshakes == 300 && c->handshake_memory == 1024 * 1024,
	      "max_handshakes = 300, handshake_memory = 1M: %u, %zu",
	      c->max_handshakes, c->handshake_memory);
	config_put(c);
	path = pki_write("rekey.conf", "[profile a]\nverify = no\nrekey_after = 8M\n"
			 "[profile b]\nverify = no\n");
	if (config_load(path, &no_system_ca, &c, err, sizeof(err))) {
		CHECK(0, "rekey.conf loads: %s", err);
		return;
	}
	CHECK(config_profile(c, "a")->rekey_after == 8ULL << 20 &&
		      config_profile(c, "b")->rekey_after == CONFIG_REKEY_AFTER_DEFAULT &&
		      CONFIG_REKEY_AFTER_DEFAULT == 1ULL << 30,
	      "rekey_after = 8M; a profile without it: 1 GiB");
	config_put(c);
	path = pki_write("nolimits.conf", "[profile a]\nverify = no\n");
	if (config_load(path, &no_system_ca, &c, err, sizeof(err))) {
		CHECK(0, "nolimits.conf loads: %s", err);
		return;
	}
	CHECK(c->max_handshakes == CONFIG_MAX_HANDSHAKES_DEFAULT &&
		      c->handshake_memory == CONFIG_HANDSHAKE_MEMORY_DEFAULT,
	      "defaults: max_handshakes %u, handshake_memory %zu",
	      c->max_handshakes, c->handshake_memory);
	CHECK(tls_engine_max_message(c->handshake_memory) >= 32 * 1024,
	      "the default memory takes a message of %zu bytes (a usual "
	      "chain is a few KiB)", tls_engine_max_message(c->handshake_memory));
	CHECK(tls_engine_memory(tls_engine_max_message(c->handshake_memory)) <=
		      c->handshake_memory,
	      "the message cap keeps a handshake within handshake_memory");
	config_put(c);
	CHECK(tls_engine_max_message(tls_engine_memory_min()) ==
			      TLS_ENGINE_MSG_MIN &&
		      tls_engine_max_message(tls_engine_memory_min() - 1) == 0,
	      "the least handshake_memory takes TLS_ENGINE_MSG_MIN, less none");
	CHECK(tls_engine_max_message(CONFIG_HANDSHAKE_MEMORY_MAX) ==
		      TLS_ENGINE_MSG_MAX,
	      "the most is capped at TLS_ENGINE_MSG_MAX");
}

static void test_bad_lines(void)
{
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		const struct bad *b = &bads[i];
		const char *path = pki_write("bad.conf", b->text);
		char err[CONFIG_ERR] = "", want[CONFIG_ERR], reason[512];
		struct config *c = (struct config *)&c;
		size_t len;
		bool prefix;
		int ret;

		expand(b->reason, reason, sizeof(reason));
		len = strlen(reason);
		prefix = len && reason[len - 1] == '*';
		if (prefix)
			reason[len - 1] = '\0';
		snprintf(want, sizeof(want), "%s:%u: %s", path, b->line, reason);
		ret = config_load(path, &no_system_ca, &c, err, sizeof(err));
		CHECK(ret < 0 && !c &&
			      (prefix ? !strncmp(err, want, strlen(want)) :
					!strcmp(err, want)),
		      "refused: %s%s", want, prefix ? "..." : "");
		if (ret >= 0 || strncmp(err, want, strlen(want)))
			printf("    got: %s\n", ret < 0 ? err : "loaded");
		if (!ret)
			config_put(c);
	}
}

static void test_missing_file(void)
{
	char err[CONFIG_ERR] = "", want[CONFIG_ERR];
	struct config *c;

	snprintf(want, sizeof(want), "%s: No such file or directory",
		 pki("absent.conf"));
	CHECK(config_load(pki("absent.conf"), &no_system_ca, &c, err,
			  sizeof(err)) == -ENOENT &&
		      !strcmp(err, want),
	      "a missing file: -ENOENT, \"%s\"", want);
}

static void test_builtin_default(void)
{
	const struct config_options root_ca = { .system_ca = pki("root.pem") };
	const struct config_options missing_ca = {
		.system_ca = pki("no-such-dir"),
	};
	const char *path = pki_write("nodefault.conf",
				      "[profile quiet]\nverify = no\n");
	char err[CONFIG_ERR] = "";
	const struct profile *def, *quiet;
	struct config *c;

	if (config_load(path, &root_ca, &c, err, sizeof(err))) {
		CHECK(0, "nodefault.conf loads: %s", err);
		return;
	}
	def = config_profile(c, NULL);
	quiet = config_profile(c, "quiet");
	CHECK(def && def->tls.trust && !def->tls.chain,
	      "built-in default verifies against the system anchors");
	CHECK(quiet && !quiet->tls.trust && !quiet->tls.verify_peer,
	      "verify = no: no anchors loaded");
	config_put(c);

	path = pki_write("explicit.conf", "[profile default]\nca = root.pem\n"
					   "[profile needs]\nverify = yes\n");
	if (config_load(path, &missing_ca, &c, err, sizeof(err))) {
		CHECK(0, "explicit.conf loads: %s", err);
		return;
	}
	CHECK(c->n == 2 && config_profile(c, "")->line == 1,
	      "[profile default] in the file replaces the built-in one");
	CHECK(!config_profile(c, "needs")->tls.trust,
	      "a missing system CA directory is skipped, not an error");
	config_put(c);

	CHECK(config_builtin("/etc/ktlso/none.conf", &root_ca, &c, err,
			     sizeof(err)) == 0 &&
		      c->n == 1 && config_profile(c, "default"),
	      "no file at all: just the built-in default");
	if (c)
		config_put(c);
}

/* Only AEAD suites left (with or without ChaCha20), and some. */
static bool only_aead_suites(const struct tls_config *t, bool chacha)
{
	for (size_t i = 0; i < t->n_suites; i++) {
		const struct tls_suite *s = tls_suite_by_id(t->suites[i]);

		if (!s->kernel_cipher || tls_suite_is_cbc(s) ||
		    (!chacha && s->kernel_cipher == TLS_CIPHER_CHACHA20_POLY1305))
			return false;
	}
	return t->n_suites > 0;
}

static size_t cbc_suites(const struct tls_config *t)
{
	size_t n = 0;

	for (size_t i = 0; i < t->n_suites; i++)
		n += tls_suite_is_cbc(tls_suite_by_id(t->suites[i]));
	return n;
}

static size_t gcm_suites(void)
{
	size_t n, gcm = 0;
	const struct tls_suite *s = tls_suites(&n);

	for (size_t i = 0; i < n; i++)
		gcm += s[i].kernel_cipher == TLS_CIPHER_AES_GCM_128 ||
		       s[i].kernel_cipher == TLS_CIPHER_AES_GCM_256;
	return gcm;
}

static void test_kernel_cut(void)
{
	const struct kcipher gcm_only = { .probed = true, .gcm = true };
	const struct kcipher aeads = { .probed = true, .gcm = true,
				       .chacha = true, .ccm = true };
	const struct kcipher no_hmac = { .probed = true, .gcm = true,
					 .chacha = true, .cbc = true,
					 .hmac_sha1 = true,
					 .hmac_sha384 = true };
	const struct kcipher all = { .probed = true, .gcm = true,
				     .chacha = true, .ccm = true, .cbc = true,
				     .hmac_sha1 = true, .hmac_sha256 = true,
				     .hmac_sha384 = true };
	size_t n_default;
	const char *path = pki_write("cut.conf",
		"[profile legacy]\nlegacy = yes\n"
		"suites = ECDHE-RSA-AES128-SHA256:ECDHE-RSA-CHACHA20-POLY1305:"
		"TLS_AES_128_GCM_SHA256\n"
		"[profile chacha]\nsuites = TLS_CHACHA20_POLY1305_SHA256\n");
	char err[CONFIG_ERR] = "", want[CONFIG_ERR];
	struct config *c;
	const struct profile *p;

	if (config_load(path, &no_system_ca, &c, err, sizeof(err))) {
		CHECK(0, "cut.conf loads: %s", err);
		return;
	}
	n_default = config_profile(c, "")->tls.n_suites;
	CHECK(kcipher_restrict(c, &all, err, sizeof(err)) == 0,
	      "every algorithm in the kernel: every profile keeps a suite");
	p = config_profile(c, "legacy");
	CHECK(p->tls.n_suites == 3 &&
		      p->tls.suites[0] == TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
	      "cbc(aes) and hmac(sha256) in the kernel: the CBC suite stays");
	CHECK(config_profile(c, "")->tls.n_suites == n_default &&
		      !config_profile(c, "")->tls.legacy,
	      "default profile: all %zu suites stay, and it is not legacy, so "
	      "the engine never offers its CBC ones", n_default);
	config_put(c);

	if (config_load(path, &no_system_ca, &c, err, sizeof(err)))
		return;
	CHECK(kcipher_restrict(c, &aeads, err, sizeof(err)) == 0,
	      "every AEAD in the kernel: every profile keeps a suite");
	p = config_profile(c, "legacy");
	CHECK(p->tls.n_suites == 2 &&
		      p->tls.suites[0] ==
			      TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 &&
		      p->tls.suites[1] == TLS_AES_128_GCM_SHA256,
	      "no cbc(aes): the CBC suite is dropped, order kept");
	CHECK(only_aead_suites(&config_profile(c, "")->tls, true),
	      "no cbc(aes): default profile: CBC suites dropped, AEADs kept");
	config_put(c);

	if (config_load(path, &no_system_ca, &c, err, sizeof(err)))
		return;
	CHECK(kcipher_restrict(c, &no_hmac, err, sizeof(err)) == 0 &&
		      config_profile(c, "legacy")->tls.n_suites == 2 &&
		      !cbc_suites(&config_profile(c, "legacy")->tls),
	      "cbc(aes) but no hmac(sha256): the CBC-SHA256 suite is dropped");
	config_put(c);

	if (config_load(path, &no_system_ca, &c, err, sizeof(err)))
		return;
	snprintf(want, sizeof(want),
		 "%s:5: profile chacha: no suite left that the kernel can encrypt",
		 path);
	CHECK(kcipher_restrict(c, &gcm_only, err, sizeof(err)) == -EINVAL &&
		      !strcmp(err, want),
	      "kernel without chacha: profile left with no suite is refused "
	      "at its suites line");
	config_put(c);

	path = pki_write("cut2.conf", "[profile legacy]\nlegacy = yes\n"
		"suites = ECDHE-RSA-AES128-SHA256:ECDHE-RSA-CHACHA20-POLY1305:"
		"TLS_AES_128_GCM_SHA256\n");
	if (config_load(path, &no_system_ca, &c, err, sizeof(err)))
		return;
	CHECK(kcipher_restrict(c, &gcm_only, err, sizeof(err)) == 0,
	      "kernel without chacha: profiles with a GCM suite stay");
	p = config_profile(c, "legacy");
	CHECK(p->tls.n_suites == 1 && p->tls.suites[0] == TLS_AES_128_GCM_SHA256,
	      "kernel without chacha: CBC and chacha suites dropped");
	CHECK(only_aead_suites(&config_profile(c, "")->tls, false) &&
		      config_profile(c, "")->tls.n_suites == gcm_suites(),
	      "default profile keeps all %zu GCM suites", gcm_suites());
	config_put(c);

	{
		const char *n[KCIPHER_NEEDS_MAX];

		CHECK(kcipher_needs(TLS_CIPHER_AES_GCM_256, n) == 1 &&
			      !strcmp(n[0], "gcm(aes)") &&
			      kcipher_needs(TLS_CIPHER_CHACHA20_POLY1305, n) == 1 &&
			      !strcmp(n[0], "rfc7539(chacha20,poly1305)") &&
			      kcipher_needs(0, n) == 0,
		      "AF_ALG names of the AEAD kernel ciphers");
		CHECK(kcipher_needs(KTLSO_CIPHER_AES_128_CBC_SHA256, n) == 2 &&
			      !strcmp(n[0], "cbc(aes)") &&
			      !strcmp(n[1], "hmac(sha256)") &&
			      kcipher_needs(KTLSO_CIPHER_AES_256_CBC_SHA384, n) == 2 &&
			      !strcmp(n[1], "hmac(sha384)") &&
			      kcipher_needs(KTLSO_CIPHER_AES_128_CBC_SHA, n) == 2 &&
			      !strcmp(n[1], "hmac(sha1)"),
		      "AF_ALG names of ktlso's CBC ciphers: cbc(aes) and the HMAC");
	}
}

/* Each CBC suite needs its own HMAC: sha1 and sha384 cut apart. */
static void test_kernel_cut_hmacs(void)
{
	const struct kcipher no_sha384 = { .probed = true, .gcm = true,
					   .cbc = true, .hmac_sha1 = true,
					   .hmac_sha256 = true };
	const struct kcipher no_sha1 = { .probed = true, .gcm = true,
					 .cbc = true, .hmac_sha256 = true,
					 .hmac_sha384 = true };
	const char *path = pki_write("cut3.conf",
		"[profile legacy]\nlegacy = yes\n"
		"suites = ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384:"
		"ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES256-SHA\n");
	char err[CONFIG_ERR] = "";
	const struct tls_config *t;
	struct config *c;

	if (config_load(path, &no_system_ca, &c, err, sizeof(err))) {
		CHECK(0, "cut3.conf loads: %s", err);
		return;
	}
	t = &config_profile(c, "legacy")->tls;
	CHECK(kcipher_restrict(c, &no_sha384, err, sizeof(err)) == 0 &&
		      t->n_suites == 2 &&
		      t->suites[0] == TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA &&
		      t->suites[1] == TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
	      "no hmac(sha384): the CBC-SHA384 suites are dropped, the "
	      "CBC-SHA ones stay");
	config_put(c);
	if (config_load(path, &no_system_ca, &c, err, sizeof(err)))
		return;
	t = &config_profile(c, "legacy")->tls;
	CHECK(kcipher_restrict(c, &no_sha1, err, sizeof(err)) == 0 &&
		      t->n_suites == 2 &&
		      t->suites[0] == TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384 &&
		      t->suites[1] == TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384,
	      "no hmac(sha1): the CBC-SHA suites are dropped, the CBC-SHA384 "
	      "ones stay");
	config_put(c);
}

static void test_reload(void)
{
	const struct kcipher all = { .probed = true, .gcm = true,
				     .chacha = true };
	const char *path = pki("reload.conf");
	struct generation_source src = {
		.path = path,
		.required = true,
		.opts = no_system_ca,
	};
	char err[CONFIG_ERR] = "", want[CONFIG_ERR];
	struct config *cur = NULL, *first, *held;
	const struct profile *p;

	pki_write("reload.conf", "[profile web]\ncert = server-p256-chain.pem\n"
				  "key = server-p256.key\n");
	if (generation_read(&src, &cur, err, sizeof(err)) ||
	    kcipher_restrict(cur, &all, err, sizeof(err))) {
		CHECK(0, "first generation: %s", err);
		return;
	}
	first = cur;

	pki_write("reload.conf", "[profile web]\ncert = server-p256-chain.pem\n"
				  "key = server-p256.key\nbogus = 1\n");
	snprintf(want, sizeof(want), "%s:4: unknown key \"bogus\"", path);
	CHECK(generation_reload(&src, &all, &cur, err, sizeof(err)) == -EINVAL &&
		      !strcmp(err, want),
	      "bad reload fails with %s", want);
	CHECK(cur == first && config_profile(cur, "web") &&
		      config_profile(cur, "web")->tls.chain,
	      "bad reload keeps the configuration in use");

	pki_write("reload.conf", "[profile web]\nsuites = TLS_CHACHA20_POLY1305_SHA256\n");
	CHECK(generation_reload(&src, &(struct kcipher){ .gcm = true }, &cur,
				err, sizeof(err)) == -EINVAL &&
		      cur == first,
	      "reload refused by the kernel cut keeps the old one too");

	/* A handshake in flight holds the generation it started with. */
	held = config_get(cur);
	p = config_profile(held, "web");
	pki_write("reload.conf", "[profile api]\nverify = no\n");
	CHECK(generation_reload(&src, &all, &cur, err, sizeof(err)) == 0 &&
		      cur != first && config_profile(cur, "api") &&
		      !config_profile(cur, "web"),
	      "good reload replaces the configuration");
	CHECK(atomic_load(&held->refs) == 1 && p->tls.chain && p->tls.key &&
		      !strcmp(p->name, "web"),
	      "the old generation lives on while a handshake holds it");
	config_put(held);
	config_put(cur);
}

/*
 * A reload keeps a profile's generated ticket keys and session cache when
 * nothing that vouches for them changed; not when its lifetime changed or
 * it asks for client certificates; a key file is read again.
 */
static void test_reload_keeps_sessions(void)
{
	const struct kcipher all = { .probed = true, .gcm = true,
				     .chacha = true };
	const char *path = pki("sessions.conf");
	struct generation_source src = {
		.path = path,
		.required = true,
		.opts = no_system_ca,
	};
	static const char base[] =
		"[profile web]\ncert = server-p256-chain.pem\n"
		"key = server-p256.key\ntickets = on\nsession_cache = on\n"
		"[profile mtls]\ncert = server-p256-chain.pem\n"
		"key = server-p256.key\nca = root.pem\n"
		"client_auth = required\ntickets = on\nsession_cache = on\n"
		"[profile fleet]\ncert = server-p256-chain.pem\n"
		"key = server-p256.key\ntickets = on\n"
		"ticket_key_file = tickets.key\n";
	char err[CONFIG_ERR] = "", text[1024];
	struct config *cur = NULL, *first;
	const struct tls_config *w0, *m0, *f0, *w1, *m1, *f1;

	pki_write("sessions.conf", base);
	if (generation_read(&src, &cur, err, sizeof(err)) ||
	    kcipher_restrict(cur, &all, err, sizeof(err))) {
		CHECK(0, "sessions.conf: %s", err);
		return;
	}
	first = config_get(cur);
	w0 = &config_profile(first, "web")->tls;
	m0 = &config_profile(first, "mtls")->tls;
	f0 = &config_profile(first, "fleet")->tls;
	CHECK(generation_reload(&src, &all, &cur, err, sizeof(err)) == 0 &&
		      cur != first,
	      "the same file reloads: %s", err);
	w1 = &config_profile(cur, "web")->tls;
	m1 = &config_profile(cur, "mtls")->tls;
	f1 = &config_profile(cur, "fleet")->tls;
	CHECK(w1->tickets == w0->tickets &&
		      w1->session_cache == w0->session_cache,
	      "web: the generated ticket keys and the session cache live on");
	CHECK(m1->tickets && m1->tickets != m0->tickets &&
		      m1->session_cache != m0->session_cache,
	      "mtls (client certificates required): both start afresh");
	CHECK(f1->tickets && f1->tickets != f0->tickets,
	      "fleet: the key file is read again");
	config_put(first);
	snprintf(text, sizeof(text), "%sticket_lifetime = 60\n", base);
	pki_write("sessions.conf", text);
	first = config_get(cur);
	w0 = w1;
	CHECK(generation_reload(&src, &all, &cur, err, sizeof(err)) == 0 &&
		      config_profile(cur, "web")->tls.tickets &&
		      config_profile(cur, "web")->tls.tickets == w0->tickets,
	      "a change to another profile keeps web's keys");
	config_put(first);
	snprintf(text, sizeof(text), "%s", base);
	memcpy(strstr(text, "session_cache = on"), "ticket_lifetime=60",
	       strlen("session_cache = on"));
	pki_write("sessions.conf", text);
	first = config_get(cur);
	w0 = &config_profile(first, "web")->tls;
	CHECK(generation_reload(&src, &all, &cur, err, sizeof(err)) == 0 &&
		      config_profile(cur, "web")->tls.tickets != w0->tickets &&
		      !config_profile(cur, "web")->tls.session_cache,
	      "a new ticket_lifetime (and no cache): fresh keys: %s", err);
	config_put(first);
	config_put(cur);
}

static void test_daemon_refuses(void)
{
	const char *bad = pki_write("daemon-bad.conf",
				     "[profile a]\nsuites = TLS_FOO\n");
	const char *ok = pki_write("daemon-ok.conf",
				    "[profile a]\nca = root.pem\n");
	char line[1024], want[1024];
	int st;

	snprintf(want, sizeof(want),
		 "ktlsod: %s:2: unknown cipher suite \"TLS_FOO\"", bad);
	st = ktlsod_check(bad, line, sizeof(line));
	CHECK(st == 1 && !strcmp(line, want),
	      "ktlsod -t on a bad file exits 1: \"%s\"", line);
	st = ktlsod_check(ok, line, sizeof(line));
	CHECK(st == 0, "ktlsod -t on a good file exits 0 (%s)", line);
	st = ktlsod_check(pki("none.conf"), line, sizeof(line));
	CHECK(st == 1 && strstr(line, "none.conf: No such file or directory"),
	      "ktlsod -c with a missing file exits 1: \"%s\"", line);
}

int main(void)
{
	if (pki_make()) {
		CHECK(0, "tests/pki/mkpki %s", pki_dir());
		return check_summary();
	}
	key_file("tickets.key", 96, 0600);
	key_file("tickets-0640.key", 48, 0640);
	key_file("tickets-short.key", 47, 0600);
	test_good_file();
	test_bad_lines();
	test_resumption();
	test_limits();
	test_missing_file();
	test_builtin_default();
	test_kernel_cut();
	test_kernel_cut_hmacs();
	test_reload();
	test_reload_keeps_sessions();
	test_daemon_refuses();
	pki_cleanup();
	return check_summary();
}
