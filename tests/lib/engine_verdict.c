// SPDX-License-Identifier: MIT
/*
 * The engine's promise on any input (engine_verdict.h): the identity and
 * configs, one input's run with its checks, and the seed inputs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "engine_verdict.h"
#include "record/record.h"
#include "wire/proto.h"

/* A throw-away P-256 identity, written where the configs load it. */
static int write_identity(const char *cert, const char *key)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *name = x ? X509_get_subject_name(x) : NULL;
	FILE *fc = fopen(cert, "w"), *fk = fopen(key, "w");
	int ok = k && x && fc && fk;

	if (ok) {
		ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
		X509_gmtime_adj(X509_getm_notBefore(x), -3600);
		X509_gmtime_adj(X509_getm_notAfter(x), 86400);
		X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
					   (const unsigned char *)"fuzz", -1,
					   -1, 0);
		X509_set_issuer_name(x, name);
		X509_set_pubkey(x, k);
		ok = X509_sign(x, k, EVP_sha256()) > 0 &&
		     PEM_write_X509(fc, x) &&
		     PEM_write_PrivateKey(fk, k, NULL, NULL, 0, NULL, NULL);
	}
	if (fc)
		fclose(fc);
	if (fk)
		fclose(fk);
	X509_free(x);
	EVP_PKEY_free(k);
	return ok ? 0 : -EIO;
}

int verdict_configs_init(struct verdict_configs *c)
{
	char dir[] = "/tmp/ktlso-verdict-XXXXXX", cert[64], key[64];
	char err[TLS_CONFIG_ERR] = "";
	int ret;

	if (!mkdtemp(dir))
		return -errno;
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	tls_config_init(&c->server);
	tls_config_init(&c->client);
	c->server.legacy = true;
	c->server.client_auth = TLS_CLIENT_AUTH_OPTIONAL;
	/* The client verifies nothing, so a fuzzed chain reaches the
	 * signature checks behind it. */
	c->client.verify_peer = false;
	c->client.legacy = true;
	ret = write_identity(cert, key);
	if (!ret)
		ret = tls_config_load_identity(&c->server, cert, key, err,
					       sizeof(err));
	if (!ret)
		ret = tls_config_load_trust(&c->server, cert, NULL, 0, err,
					    sizeof(err));
	if (ret && err[0])
		fprintf(stderr, "engine_verdict: %s\n", err);
	unlink(cert);
	unlink(key);
	rmdir(dir);
	return ret;
}

void verdict_configs_free(struct verdict_configs *c)
{
	tls_config_free(&c->server);
	tls_config_free(&c->client);
}

/* The outer type of the last whole record in out, or -1. */
static int last_record_type(const uint8_t *out, size_t len)
{
	int type = -1;

	while (len >= TLS_RECORD_HEADER_LEN) {
		size_t n = TLS_RECORD_HEADER_LEN +
			   ((size_t)out[3] << 8 | out[4]);

		if (n > len)
			return -1;
		type = out[0];
		out += n;
		len -= n;
	}
	return len ? -1 : type;
}

#define BROKEN(...)                                                            \
	do {                                                                   \
		snprintf(why, whylen, __VA_ARGS__);                            \
		v = VERDICT_BROKEN;                                            \
		goto out;                                                      \
	} while (0)

/* How a feed that failed ended: an alert either way, and sticky. */
static enum verdict failed(struct tls_engine *e, int err, const uint8_t *p,
			   size_t n, char *why, size_t whylen)
{
	const uint8_t *out;
	size_t out_len, used = 1;
	enum verdict v;
	int type;

	tls_engine_output(e, &out, &out_len);
	type = last_record_type(out, out_len);
	if (err != tls_engine_error(e))
		BROKEN("feed returned %d, the engine's error is %d", err,
		       tls_engine_error(e));
	if (err == -ECONNRESET && tls_engine_peer_alert(e) >= 0)
		v = VERDICT_PEER_ALERT;
	else if (tls_engine_alert(e) >= 0 &&
		 (type == TLS_CT_ALERT || type == TLS_CT_APPLICATION_DATA))
		v = VERDICT_ALERT;
	else
		BROKEN("failed (%d: %s) without an alert (ours %d, last record type %d)",
		       err, tls_engine_reason(e), tls_engine_alert(e), type);
	if (tls_engine_feed(e, p, n, &used) != err || used)
		BROKEN("failure is not sticky: %zu more bytes taken", used);
out:
	return v;
}

enum verdict verdict_run(const struct verdict_configs *c, const uint8_t *in,
			 size_t len, char *why, size_t whylen)
{
	bool client = len && (in[0] & 0x80);
	size_t chunk = len ? 4 * (1 + (size_t)(in[0] & 0x7f)) : 1;
	struct tls_peer_request req = {
		.role = client ? TLS_ROLE_CLIENT : TLS_ROLE_SERVER,
		.server_name = client ? "fuzz" : NULL,
	};
	struct tls_engine *e = tls_engine_new(client ? &c->client : &c->server,
					      &req);
	enum verdict v = VERDICT_MORE;
	const uint8_t *out;
	size_t out_len, taken = 0;

	why[0] = '\0';
	if (!e)
		BROKEN("no engine: %s", strerror(errno));
	tls_engine_output(e, &out, &out_len);
	tls_engine_output_done(e, out_len);
	for (size_t pos = 1; pos < len;) {
		size_t n = chunk < len - pos ? chunk : len - pos, used = 0;
		int err = tls_engine_feed(e, in + pos, n, &used);

		if (used > n)
			BROKEN("took %zu bytes of %zu", used, n);
		if (err) {
			v = failed(e, err, in + pos + used, n - used, why,
				   whylen);
			goto out;
		}
		tls_engine_output(e, &out, &out_len);
		tls_engine_output_done(e, out_len);
		if (tls_engine_done(e)) {
			v = VERDICT_DONE;
			goto out;
		}
		if (used != n)
			BROKEN("stopped after %zu of %zu bytes with no verdict",
			       used, n);
		taken += used;
		/* The budget counts whole records: one may be in progress. */
		if (taken > TLS_ENGINE_INPUT_MAX + RECORD_MAX_LEN)
			BROKEN("took %zu bytes with no verdict", taken);
		pos += n;
	}
out:
	tls_engine_free(e);
	return v;
}

/* One engine's first output, behind a first byte for verdict_run. */
static void seed(verdict_seed_fn *fn, void *arg, const char *name,
		 uint8_t first, struct tls_engine *e)
{
	static uint8_t buf[1 << 17];
	const uint8_t *out;
	size_t len;

	tls_engine_output(e, &out, &len);
	if (len >= sizeof(buf))
		len = sizeof(buf) - 1;
	buf[0] = first;
	memcpy(buf + 1, out, len);
	fn(name, buf, len + 1, arg);
}

int verdict_seeds(const struct verdict_configs *c, verdict_seed_fn *fn,
		  void *arg)
{
	static const struct {
		uint16_t max;
		const char *server_name, *client_name;
	} versions[] = {
		{ TLS_VERSION_1_3, "client-hello-13", "server-flight-13" },
		{ TLS_VERSION_1_2, "client-hello-12", "server-flight-12" },
	};

	for (size_t i = 0; i < 2; i++) {
		struct tls_config cc = c->client;
		struct tls_peer_request creq = { .role = TLS_ROLE_CLIENT,
						 .server_name = "fuzz" };
		struct tls_peer_request sreq = { .role = TLS_ROLE_SERVER };
		struct tls_engine *cl, *sv;
		const uint8_t *out;
		size_t len, used;
		int err;

		/* A copy that shares the loaded files: not freed. */
		cc.max_version = versions[i].max;
		cl = tls_engine_new(&cc, &creq);
		sv = tls_engine_new(&c->server, &sreq);
		if (!cl || !sv)
			return -ENOMEM;
		/* chunks of 256 bytes */
		seed(fn, arg, versions[i].server_name, 0x3f, cl);
		tls_engine_output(cl, &out, &len);
		err = tls_engine_feed(sv, out, len, &used);
		if (!err)
			seed(fn, arg, versions[i].client_name, 0x80 | 0x3f, sv);
		tls_engine_free(cl);
		tls_engine_free(sv);
		if (err)
			return err;
	}
	return 0;
}
