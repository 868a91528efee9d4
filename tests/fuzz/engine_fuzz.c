// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for a whole handshake: a server engine (TLS 1.2 and
 * 1.3, every suite including legacy, client authentication optional so the
 * client Certificate paths are reachable) fed the fuzzer's bytes as the
 * client's side of the stream, in chunks of a size the input's first
 * byte picks (1..256: fragmentation matters). Built and run by `make fuzz` with AddressSanitizer and UBSan.
 *
 * Whatever the bytes, the engine must not crash, must consume no more
 * than it was given, must stop consuming once failed, and must never
 * report success: random bytes cannot produce a valid client Finished.
 *
 * Built with -DENGINE_FUZZ_SEEDS instead, main() writes real ClientHellos
 * from ktlso's own client engine (TLS 1.3 and 1.2-only, each behind a
 * chunk-size byte of 255) as the seed corpus, so the fuzzer starts past framing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "engine/engine.h"
#include "resume/session_cache.h"
#include "resume/ticket_keys.h"
#include "tls_config.h"

static struct tls_config cfg;

/* A throw-away P-256 identity and trust anchor, written where the config loads them. */
static void make_identity(const char *dir)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *name = X509_get_subject_name(x);
	char path[256];
	FILE *f;

	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
				   (const unsigned char *)"fuzz", -1, -1, 0);
	X509_set_issuer_name(x, name);
	X509_set_pubkey(x, key);
	X509_sign(x, key, EVP_sha256());
	snprintf(path, sizeof(path), "%s/cert.pem", dir);
	f = fopen(path, "w");
	PEM_write_X509(f, x);
	fclose(f);
	snprintf(path, sizeof(path), "%s/key.pem", dir);
	f = fopen(path, "w");
	PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
	fclose(f);
	X509_free(x);
	EVP_PKEY_free(key);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char dir[] = "/tmp/ktlso-fuzz-XXXXXX", cert[300], key[300], err[256];

	(void)argc;
	(void)argv;
	if (!mkdtemp(dir))
		abort();
	make_identity(dir);
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	tls_config_init(&cfg);
	cfg.legacy = true;
	cfg.client_auth = TLS_CLIENT_AUTH_OPTIONAL;
	/* Offered tickets, PSKs and session IDs go through their lookups */
	cfg.ticket_lifetime = 3600;
	cfg.session_cache = session_cache_new(64);
	if (!cfg.session_cache ||
	    ticket_keys_generate(&cfg.tickets, 3600, time(NULL)))
		abort();
	if (tls_config_load_identity(&cfg, cert, key, err, sizeof(err)) ||
	    tls_config_load_trust(&cfg, cert, NULL, 0, err, sizeof(err))) {
		fprintf(stderr, "engine_fuzz: %s\n", err);
		abort();
	}
	unlink(cert);
	unlink(key);
	rmdir(dir);
	return 0;
}

#ifdef ENGINE_FUZZ_SEEDS
static void write_seed(const char *dir, const char *name, const char *max)
{
	struct tls_peer_request req = { .role = TLS_ROLE_CLIENT,
					.server_name = "fuzz" };
	struct tls_config c;
	struct tls_engine *e;
	const uint8_t *out;
	char path[512], err[256];
	size_t len;
	FILE *f;

	tls_config_init(&c);
	c.verify_peer = false;
	if (tls_config_set_versions(&c, "1.2", max, err, sizeof(err)))
		abort();
	e = tls_engine_new(&c, &req);
	if (!e)
		abort();
	tls_engine_output(e, &out, &len);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f || fputc(0xff, f) == EOF || fwrite(out, 1, len, f) != len)
		abort();
	fclose(f);
	tls_engine_free(e);
	tls_config_free(&c);
}

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	write_seed(argv[1], "client-hello-13", "1.3");
	write_seed(argv[1], "client-hello-12", "1.2");
	return 0;
}
#else
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tls_peer_request req = { .role = TLS_ROLE_SERVER };
	struct tls_engine *e = tls_engine_new(&cfg, &req);
	size_t pos = 1, step = size ? 1 + data[0] : 0;

	if (!e)
		abort();
	while (pos < size) {
		size_t chunk = step, used = 0;
		const uint8_t *out;
		size_t out_len;
		int err;

		if (chunk > size - pos)
			chunk = size - pos;
		err = tls_engine_feed(e, data + pos, chunk, &used);
		if (used > chunk)
			abort();
		if (err && used && tls_engine_error(e) != err)
			abort();
		tls_engine_output(e, &out, &out_len);
		tls_engine_output_done(e, out_len);
		if (err) {
			/* Sticky: nothing more is taken. */
			if (tls_engine_feed(e, data + pos, chunk, &used) != err ||
			    used)
				abort();
			break;
		}
		pos += chunk;
	}
	if (tls_engine_done(e))
		abort();
	tls_engine_free(e);
	return 0;
}
#endif
