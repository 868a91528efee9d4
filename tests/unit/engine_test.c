// SPDX-License-Identifier: MIT
/*
 * The handshake engine (userspace/lib/engine/engine.c and the state machines
 * behind it), client engine against server engine in one process:
 *  - every version × suite × group × server key: TLS 1.3's three suites,
 *    TLS 1.2's ECDHE-ECDSA and ECDHE-RSA with AES-128-GCM, AES-256-GCM and
 *    ChaCha20-Poly1305; X25519, P-256, P-384; ECDSA P-256 and P-384,
 *    RSA-2048 (PSS, and PKCS#1 v1.5 in TLS 1.2) and Ed25519. Each pair must
 *    agree, hold crosswise-equal keys with the RFCs' sequence numbers, and
 *    carry application data both ways through record/record.h;
 *  - tls_result_crypto_info(): the <linux/tls.h> structs, sized and filled
 *    so that a record sealed from them opens at the peer;
 *  - mutual TLS (required, optional, none), ALPN, HelloRetryRequest;
 *  - the stream handover: nothing consumed past the last handshake record,
 *    nothing after completion, input one byte at a time, a ClientHello
 *    split over two records.
 * Rejections are in engine_reject_test.c. Certificates come from
 * tests/pki/mkpki, run afresh into a temporary directory.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/tls.h>

#include "../lib/check.h"
#include "../lib/engine_pair.h"
#include "../lib/pki.h"
#include "tls_suite.h"
#include "wire/proto.h"
#include "wire/reader.h"

/* ------------------------------------------------------------- matrix */

struct key_case {
	const char *id;		/* PKI name of the server identity */
	const char *label;
	enum tls_auth auth;	/* TLS 1.2: the suites this key can serve */
	uint16_t scheme;	/* TLS 1.2 RSA: the client offers only this */
	const char *curve;	/* TLS 1.2 ECDSA: the certificate's group */
};

static const struct key_case keys13[] = {
	{ "server-p256", "ECDSA P-256", TLS_AUTH_ANY, 0, NULL },
	{ "server-p384", "ECDSA P-384", TLS_AUTH_ANY, 0, NULL },
	{ "server-rsa2048", "RSA-2048 PSS", TLS_AUTH_ANY, 0, NULL },
	{ "server-ed25519", "Ed25519", TLS_AUTH_ANY, 0, NULL },
};

static const struct key_case keys12[] = {
	{ "server-p256", "ECDSA P-256", TLS_AUTH_ECDSA, 0, "P-256" },
	{ "server-p384", "ECDSA P-384", TLS_AUTH_ECDSA, 0, "P-384" },
	{ "server-ed25519", "Ed25519", TLS_AUTH_ECDSA, 0, NULL },
	{ "server-rsa2048", "RSA-2048 PSS", TLS_AUTH_RSA,
	  TLS_SIG_RSA_PSS_RSAE_SHA256, NULL },
	{ "server-rsa2048", "RSA-2048 PKCS#1", TLS_AUTH_RSA,
	  TLS_SIG_RSA_PKCS1_SHA256, NULL },
};

static const uint16_t suites13[] = {
	TLS_AES_128_GCM_SHA256,
	TLS_AES_256_GCM_SHA384,
	TLS_CHACHA20_POLY1305_SHA256,
};

static const uint16_t suites12[] = {
	TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
};

static const struct {
	uint16_t id;
	const char *name;
} groups[] = {
	{ TLS_GROUP_X25519, "x25519" },
	{ TLS_GROUP_SECP256R1, "P-256" },
	{ TLS_GROUP_SECP384R1, "P-384" },
	{ TLS_GROUP_SECP521R1, "P-521" },
	{ TLS_GROUP_X448, "x448" },
};

/* ------------------------------------------------ <linux/tls.h> structs */

#define INFO(type, cipher_)                                                    \
	{ cipher_, sizeof(struct type), offsetof(struct type, iv),             \
	  sizeof(((struct type *)0)->iv), offsetof(struct type, key),          \
	  sizeof(((struct type *)0)->key), offsetof(struct type, salt),        \
	  sizeof(((struct type *)0)->salt), offsetof(struct type, rec_seq) }

static const struct info_layout {
	uint16_t cipher;
	size_t size, iv, iv_len, key, key_len, salt, salt_len, rec_seq;
} layouts[] = {
	INFO(tls12_crypto_info_aes_gcm_128, TLS_CIPHER_AES_GCM_128),
	INFO(tls12_crypto_info_aes_gcm_256, TLS_CIPHER_AES_GCM_256),
	INFO(tls12_crypto_info_chacha20_poly1305, TLS_CIPHER_CHACHA20_POLY1305),
};

static uint16_t kernel_cipher_of(uint16_t suite)
{
	switch (tls_suite_by_id(suite)->cipher) {
	case RECORD_AES_128_GCM:
		return TLS_CIPHER_AES_GCM_128;
	case RECORD_AES_256_GCM:
		return TLS_CIPHER_AES_GCM_256;
	case RECORD_CHACHA20_POLY1305:
		return TLS_CIPHER_CHACHA20_POLY1305;
	default:
		return 0;
	}
}

static const struct info_layout *layout_of(uint16_t cipher)
{
	for (size_t i = 0; i < ARRAY_SIZE(layouts); i++)
		if (layouts[i].cipher == cipher)
			return &layouts[i];
	return NULL;
}

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/*
 * The record keys the kernel would use from a crypto info: TLS 1.3 and
 * ChaCha20 nonces from salt || iv (RFC 8446 §5.3, RFC 7905 §2), TLS 1.2 GCM
 * from the salt plus an explicit nonce that starts at iv (RFC 5288 §3),
 * which ktlso and the kernel both keep equal to the sequence number.
 */
static int record_keys_from_info(const uint8_t *info,
				 const struct info_layout *l,
				 uint16_t version, uint16_t suite,
				 struct record_keys *k)
{
	uint8_t iv[32];
	size_t n = l->salt_len;

	memset(k, 0, sizeof(*k));
	k->version = version;
	k->cipher = tls_suite_by_id(suite)->cipher;
	k->seq = be64(info + l->rec_seq);
	memcpy(iv, info + l->salt, l->salt_len);
	if (version == TLS_VERSION_1_2 && l->salt_len) {
		ENSURE(be64(info + l->iv) == k->seq, -EINVAL);
	} else {
		memcpy(iv + n, info + l->iv, l->iv_len);
		n += l->iv_len;
	}
	TRY(secret_set(&k->key, info + l->key, l->key_len));
	return secret_set(&k->iv, iv, n);
}

/* The crypto info of each direction of each side, and a record from it. */
static void check_crypto_info(const char *label, const struct pair *p)
{
	static const char *const side_name[2] = { "client", "server" };
	const struct tls_result *res = &p->res[CLIENT];
	uint16_t kc = kernel_cipher_of(res->cipher_suite);
	const struct info_layout *l = layout_of(kc);
	uint16_t kver = res->version == TLS_VERSION_1_3 ? TLS_1_3_VERSION :
							  TLS_1_2_VERSION;

	CHECK(l && res->kernel_cipher == kc,
	      "%s: kernel cipher %u for suite 0x%04x", label,
	      res->kernel_cipher, res->cipher_suite);
	if (!l)
		return;
	for (int side = 0; side < 2; side++) {
		for (int tx = 1; tx >= 0; tx--) {
			const struct tls_result *r = &p->res[side];
			const struct tls_direction_keys *d =
				tx ? &r->tx : &r->rx;
			struct tls_crypto_info *hdr;
			uint8_t info[256], small[256];
			size_t len = 0, dummy = 0;
			struct record_keys mine = { 0 }, peer = { 0 };
			char why[128] = "";
			int ret;

			memset(info, 0xa5, sizeof(info));
			ret = tls_result_crypto_info(r, tx, info, sizeof(info),
						     &len);
			hdr = (struct tls_crypto_info *)info;
			CHECK(ret == 0 && len == l->size &&
				      hdr->version == kver &&
				      hdr->cipher_type == kc,
			      "%s: %s %s crypto info: %zu bytes, version 0x%04x, cipher %u (ret %d)",
			      label, side_name[side], tx ? "tx" : "rx", len,
			      hdr->version, hdr->cipher_type, ret);
			if (ret || len != l->size)
				continue;
			CHECK(d->key.len == l->key_len &&
				      !memcmp(info + l->key, d->key.bytes,
					      l->key_len) &&
				      d->salt.len == l->salt_len &&
				      !memcmp(info + l->salt, d->salt.bytes,
					      l->salt_len) &&
				      d->iv.len == l->iv_len &&
				      !memcmp(info + l->iv, d->iv.bytes,
					      l->iv_len) &&
				      be64(info + l->rec_seq) == d->seq,
			      "%s: %s %s crypto info holds the result's key, salt, iv and rec_seq",
			      label, side_name[side], tx ? "tx" : "rx");
			CHECK(tls_result_crypto_info(r, tx, small, l->size - 1,
						     &dummy) < 0,
			      "%s: %s %s crypto info refuses a buffer one byte short",
			      label, side_name[side], tx ? "tx" : "rx");
			if (!tx)
				continue;
			/* What the kernel would seal, the peer opens. */
			ret = record_keys_from_info(info, l, r->version,
						    r->cipher_suite, &mine);
			if (!ret)
				ret = record_keys_from_result(&p->res[!side],
							      false, &peer);
			if (!ret)
				ret = keys_transfer(&mine, &peer, 2, why,
					       sizeof(why));
			CHECK(ret == 0,
			      "%s: a record sealed with the %s's tx crypto info opens at the peer%s%s",
			      label, side_name[side], why[0] ? ": " : "", why);
			keys_wipe(&mine);
			keys_wipe(&peer);
			OPENSSL_cleanse(info, sizeof(info));
		}
	}
}

/*
 * Client offers exactly one version, suite and key exchange group; server
 * defaults except for the group. A TLS 1.2 ECDSA certificate's curve must
 * also be in the client's list (RFC 8422 §5.1), so the client adds it and
 * the server keeps to the one group under test.
 */
static void run_case(uint16_t version, uint16_t suite, size_t g,
		     const struct key_case *k)
{
	const struct tls_suite *s = tls_suite_by_id(suite);
	bool v13 = version == TLS_VERSION_1_3;
	char client_groups[32];
	struct side c = {
		.min = v13 ? "1.3" : "1.2",
		.max = v13 ? "1.3" : "1.2",
		.suites = s ? s->name : "missing",
		.groups = client_groups,
		.ca = "root.pem",
		.schemes = k->scheme ? &k->scheme : NULL,
		.n_schemes = k->scheme ? 1 : 0,
	};
	struct side sv = { .id = k->id, .groups = groups[g].name };
	char label[160];
	struct pair *p;

	snprintf(client_groups, sizeof(client_groups), "%s%s%s",
		 groups[g].name, !v13 && k->curve ? "," : "",
		 !v13 && k->curve ? k->curve : "");
	snprintf(label, sizeof(label), "%s %s %s %s", v13 ? "1.3" : "1.2",
		 s ? s->name : "(suite missing from the table)", groups[g].name,
		 k->label);
	p = pair_new(&c, &sv);
	(void)pair_run(p);
	check_finished_pair(label, p, version, suite, groups[g].id);
	if (p->have_res[CLIENT] && p->have_res[SERVER]) {
		CHECK(p->res[CLIENT].peer_verified &&
			      strstr(p->res[CLIENT].peer_subject, "CN=server"),
		      "%s: client verified the server (\"%s\")", label,
		      p->res[CLIENT].peer_subject);
		check_crypto_info(label, p);
	}
	pair_free(p);
}

/* RFC 8422 §5.1: no ECDSA suite when the client cannot take our curve. */
static void test_ecdsa_curve_rule(void)
{
	struct side c = { .min = "1.2", .max = "1.2",
			  .suites = "ECDHE-ECDSA-AES128-GCM-SHA256",
			  .groups = "x25519", .ca = "root.pem" };
	struct side sv = { .id = "server-p256" };
	struct pair *p = pair_new(&c, &sv);

	(void)pair_run(p);
	check_alerted("1.2 ECDSA P-256 certificate, client lists only x25519",
		      p, SERVER, -EPROTO, TLS_ALERT_HANDSHAKE_FAILURE);
	pair_free(p);
}

static void test_matrix(void)
{
	for (size_t si = 0; si < ARRAY_SIZE(suites13); si++)
		for (size_t g = 0; g < ARRAY_SIZE(groups); g++)
			for (size_t k = 0; k < ARRAY_SIZE(keys13); k++)
				run_case(TLS_VERSION_1_3, suites13[si], g,
					 &keys13[k]);
	for (size_t si = 0; si < ARRAY_SIZE(suites12); si++) {
		const struct tls_suite *s = tls_suite_by_id(suites12[si]);

		for (size_t g = 0; g < ARRAY_SIZE(groups); g++)
			for (size_t k = 0; k < ARRAY_SIZE(keys12); k++)
				if (!s || s->auth == keys12[k].auth)
					run_case(TLS_VERSION_1_2, suites12[si],
						 g, &keys12[k]);
	}
}

/*
 * The other way round: the server allows one version and suite, the client
 * offers everything by default (TLS 1.3 and 1.2, all suites and groups).
 */
static void test_server_chooses(void)
{
	static const struct {
		const char *max, *suite, *id;
		uint16_t version, suite_id;
	} cases[] = {
		{ "1.3", "TLS_CHACHA20_POLY1305_SHA256", "server-p384",
		  TLS_VERSION_1_3, TLS_CHACHA20_POLY1305_SHA256 },
		{ "1.3", "TLS_AES_256_GCM_SHA384", "server-rsa2048",
		  TLS_VERSION_1_3, TLS_AES_256_GCM_SHA384 },
		{ "1.2", "ECDHE-RSA-AES256-GCM-SHA384", "server-rsa2048",
		  TLS_VERSION_1_2, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 },
		{ "1.2", "ECDHE-ECDSA-CHACHA20-POLY1305", "server-p256",
		  TLS_VERSION_1_2,
		  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct side c = { .ca = "root.pem" };
		struct side s = { .min = cases[i].max, .max = cases[i].max,
				  .suites = cases[i].suite, .id = cases[i].id };
		struct pair *p = pair_new(&c, &s);
		char label[128];

		snprintf(label, sizeof(label),
			 "server allows only %s %s, client offers all",
			 cases[i].max, cases[i].suite);
		(void)pair_run(p);
		/* The client's first share is its first group: x25519. */
		check_finished_pair(label, p, cases[i].version,
				    cases[i].suite_id, TLS_GROUP_X25519);
		pair_free(p);
	}
}

/* --------------------------------------------------------- mutual TLS */

static void test_mutual(const char *ver)
{
	static const struct {
		const char *what;
		enum tls_client_auth auth;
		const char *client_id;
		bool verified;
	} cases[] = {
		{ "required, client has a certificate",
		  TLS_CLIENT_AUTH_REQUIRED, "client", true },
		{ "optional, client has a certificate",
		  TLS_CLIENT_AUTH_OPTIONAL, "client", true },
		{ "optional, client has none", TLS_CLIENT_AUTH_OPTIONAL, NULL,
		  false },
		{ "none, client has a certificate", TLS_CLIENT_AUTH_NONE,
		  "client", false },
	};
	bool v13 = !strcmp(ver, "1.3");
	uint16_t version = v13 ? TLS_VERSION_1_3 : TLS_VERSION_1_2;
	uint16_t suite = v13 ? TLS_AES_128_GCM_SHA256 :
			       TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct side c = { .min = ver, .max = ver, .ca = "root.pem",
				  .id = cases[i].client_id,
				  .suites = tls_suite_by_id(suite)->name,
				  .groups = "P-256" };
		struct side s = { .id = "server-p256", .ca = "root.pem",
				  .client_auth = cases[i].auth };
		struct pair *p = pair_new(&c, &s);
		const struct tls_result *sr = &p->res[SERVER];
		char label[128];

		snprintf(label, sizeof(label), "%s mutual TLS %s", ver,
			 cases[i].what);
		(void)pair_run(p);
		check_finished_pair(label, p, version, suite,
				    TLS_GROUP_SECP256R1);
		if (p->have_res[SERVER]) {
			bool named = strstr(sr->peer_subject, "CN=client");
			bool ok = cases[i].verified || !sr->peer_subject[0];

			CHECK(sr->peer_verified == cases[i].verified &&
				      named == cases[i].verified && ok,
			      "%s: server %s the client (subject \"%s\")",
			      label,
			      cases[i].verified ? "verified" : "did not verify",
			      sr->peer_subject);
		}
		pair_free(p);
	}
}

/* --------------------------------------------------------------- ALPN */

static void test_alpn(const char *ver)
{
	static const struct {
		const char *server, *client, *chosen;
	} cases[] = {
		{ "h2,http/1.1", "http/1.1", "http/1.1" },
		/* RFC 7301 §3.2: the server's preference decides */
		{ "http/1.1,h2", "h2,http/1.1", "http/1.1" },
		{ "h2", NULL, "" },
		{ NULL, "h2", "" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct side c = { .min = ver, .max = ver, .ca = "root.pem",
				  .alpn = cases[i].client };
		struct side s = { .id = "server-p256",
				  .alpn = cases[i].server };
		struct pair *p = pair_new(&c, &s);
		bool both = !pair_run(p);

		CHECK(both && !strcmp(p->res[CLIENT].alpn, cases[i].chosen) &&
			      !strcmp(p->res[SERVER].alpn, cases[i].chosen),
		      "%s ALPN server \"%s\" client \"%s\": both negotiate \"%s\" (client \"%s\", server \"%s\")%s",
		      ver, cases[i].server ? cases[i].server : "-",
		      cases[i].client ? cases[i].client : "-", cases[i].chosen,
		      both ? p->res[CLIENT].alpn : "?",
		      both ? p->res[SERVER].alpn : "?",
		      both ? "" : pair_status(p));
		pair_free(p);
	}

	/* RFC 7301 §3.2: no protocol in common is no_application_protocol */
	{
		struct side c = { .min = ver, .max = ver, .ca = "root.pem",
				  .alpn = "spdy/3,imap" };
		struct side s = { .id = "server-p256", .alpn = "h2,http/1.1" };
		struct pair *p = pair_new(&c, &s);
		char label[64];

		snprintf(label, sizeof(label), "%s ALPN mismatch", ver);
		(void)pair_run(p);
		check_alerted(label, p, SERVER, -EPROTO,
			      TLS_ALERT_NO_APPLICATION_PROTOCOL);
		pair_free(p);
	}
}

/* --------------------------------------------------- HelloRetryRequest */

/* RFC 8446 §4.1.3: the first server flight starts with an HRR's random. */
static bool first_server_flight_is_hrr(const struct pair *p)
{
	const uint8_t *b = p->log[CLIENT];

	/* record header 5, handshake header 4, legacy_version 2, random */
	return p->log_len[CLIENT] >= 43 && b[0] == TLS_CT_HANDSHAKE &&
	       b[5] == TLS_HS_SERVER_HELLO &&
	       !memcmp(b + 11, tls13_hrr_random, 32);
}

static void test_hrr(void)
{
	struct side c = { .ca = "root.pem" }; /* x25519, P-256, P-384 */
	struct side s = { .id = "server-p256", .groups = "P-384" };
	struct pair *p;

	p = pair_new(&c, &s);
	(void)pair_run(p);
	check_finished_pair("HRR: server has only P-384, client shares x25519",
			    p, TLS_VERSION_1_3, TLS_AES_128_GCM_SHA256,
			    TLS_GROUP_SECP384R1);
	CHECK(first_server_flight_is_hrr(p),
	      "HRR: the server's first answer is a HelloRetryRequest");
	pair_free(p);

	/* A share the server accepts, even if not its first choice. */
	s.groups = "P-384,x25519";
	p = pair_new(&c, &s);
	(void)pair_run(p);
	check_finished_pair("server prefers P-384 but takes the x25519 share",
			    p, TLS_VERSION_1_3, TLS_AES_128_GCM_SHA256,
			    TLS_GROUP_X25519);
	CHECK(!first_server_flight_is_hrr(p),
	      "no HelloRetryRequest when the client's share is acceptable");
	pair_free(p);

	/* HRR with mutual TLS, input one byte at a time. */
	s.groups = "P-384";
	s.ca = "root.pem";
	s.client_auth = TLS_CLIENT_AUTH_REQUIRED;
	c.id = "client";
	p = pair_new(&c, &s);
	p->chunk = 1;
	(void)pair_run(p);
	check_finished_pair("HRR + mutual TLS, one byte at a time", p,
			    TLS_VERSION_1_3, TLS_AES_128_GCM_SHA256,
			    TLS_GROUP_SECP384R1);
	pair_free(p);

	/* No group in common at all: handshake_failure (RFC 8446 §4.1.1) */
	c = (struct side){ .ca = "root.pem", .groups = "x25519,P-256" };
	s = (struct side){ .id = "server-p256", .groups = "P-384" };
	p = pair_new(&c, &s);
	(void)pair_run(p);
	check_alerted("no common group", p, SERVER, -EPROTO,
		      TLS_ALERT_HANDSHAKE_FAILURE);
	pair_free(p);
}

/* ---------------------------------------------------- stream handover */

/*
 * Bytes after the final flight (the peer's first application data, or
 * anything) stay in TCP for the kernel (Documentation/design.rst, decision 3).
 */
static void test_consumed(const char *ver, int final_to)
{
	struct side c = { .min = ver, .max = ver, .ca = "root.pem" };
	struct side s = { .id = "server-rsa2048" };
	struct pair *p = pair_new(&c, &s);
	char label[96];

	p->garbage_after_final = true;
	snprintf(label, sizeof(label), "%s garbage after the final flight",
		 ver);
	(void)pair_run(p);
	CHECK(pair_done(p), "%s: both finish: %s", label, pair_status(p));
	CHECK(p->got_final[final_to] &&
		      p->final_consumed[final_to] == p->final_len[final_to] &&
		      p->left[final_to] == strlen(GARBAGE),
	      "%s: the %s consumes the %zu-byte flight and not one byte more (took %zu)",
	      label, final_to == SERVER ? "server" : "client",
	      p->final_len[final_to], p->final_consumed[final_to]);

	/* RFC 5246 §7.4.1.1 / RFC 8446 §4.1.2: no renegotiation; once done,
	 * a new ClientHello is simply not the engine's. */
	if (pair_done(p)) {
		struct tls_peer_request req = { .role = TLS_ROLE_CLIENT,
						.server_name = "localhost" };
		struct tls_engine *again = tls_engine_new(&p->ccfg, &req);
		const uint8_t *hello = NULL;
		size_t len = 0, used = 99;
		int err = -1;

		if (again)
			tls_engine_output(again, &hello, &len);
		if (len)
			err = tls_engine_feed(p->e[SERVER], hello, len, &used);
		CHECK(len && err == 0 && used == 0 &&
			      tls_engine_done(p->e[SERVER]),
		      "%s: a second ClientHello after completion is not consumed (%zu of %zu, err %d)",
		      ver, used, len, err);
		used = 99;
		err = len ? tls_engine_feed(p->e[CLIENT], hello, len, &used) :
			    -1;
		CHECK(err == 0 && used == 0 && tls_engine_done(p->e[CLIENT]),
		      "%s: a finished client consumes nothing more", ver);
		tls_engine_free(again);
	}
	pair_free(p);
}

static void test_take_result_early(void)
{
	struct side c = { .ca = "root.pem" };
	struct side s = { .id = "server-p256" };
	struct pair *p = pair_new(&c, &s);
	struct tls_result r;

	CHECK(pair_start(p) == 0 &&
		      tls_engine_take_result(p->e[CLIENT], &r) == -EAGAIN &&
		      tls_engine_take_result(p->e[SERVER], &r) == -EAGAIN &&
		      !tls_engine_done(p->e[CLIENT]),
	      "no result before the handshake is complete (-EAGAIN)");
	pair_free(p);
}

static void test_one_byte_at_a_time(void)
{
	static const struct {
		const char *ver, *id;
		uint16_t version, suite;
	} cases[] = {
		{ "1.3", "server-p256", TLS_VERSION_1_3,
		  TLS_AES_128_GCM_SHA256 },
		{ "1.2", "server-rsa2048", TLS_VERSION_1_2,
		  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 },
		{ "1.2", "server-p256", TLS_VERSION_1_2,
		  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct side c = { .min = cases[i].ver, .max = cases[i].ver,
				  .ca = "root.pem", .id = "client" };
		struct side s = { .id = cases[i].id, .ca = "root.pem",
				  .client_auth = TLS_CLIENT_AUTH_REQUIRED,
				  .ocsp = "ocsp-good.der" };
		struct pair *p = pair_new(&c, &s);
		char label[96];

		/* server-p256 only: the staple is about that certificate */
		if (strcmp(cases[i].id, "server-p256"))
			p->sopt.ocsp = NULL;
		snprintf(label, sizeof(label),
			 "%s %s + mutual TLS, one byte at a time", cases[i].ver,
			 cases[i].id);
		p->chunk = 1;
		(void)pair_run(p);
		check_finished_pair(label, p, cases[i].version, cases[i].suite,
				    TLS_GROUP_X25519);
		pair_free(p);
	}
}

/* Re-frame the ClientHello record as two records (RFC 8446 §5.1). */
static void split_client_hello(struct pair *p, int to, int flight,
			       uint8_t *buf, size_t *len)
{
	uint8_t out[TRANSIT_MAX];
	size_t body, first;

	(void)p;
	if (to != SERVER || flight != 0 || *len < 10)
		return;
	body = (size_t)buf[3] << 8 | buf[4];
	if (body + 5 != *len)
		return;
	first = body / 2;
	memcpy(out, buf, 3);
	out[3] = first >> 8;
	out[4] = first & 0xff;
	memcpy(out + 5, buf + 5, first);
	memcpy(out + 5 + first, buf, 3);
	out[5 + first + 3] = (body - first) >> 8;
	out[5 + first + 4] = (body - first) & 0xff;
	memcpy(out + 10 + first, buf + 5 + first, body - first);
	*len += 5;
	memcpy(buf, out, *len);
}

static void test_split_client_hello(void)
{
	for (int v = 0; v < 2; v++) {
		const char *ver = v ? "1.2" : "1.3";
		struct side c = { .min = ver, .max = ver, .ca = "root.pem" };
		struct side s = { .id = "server-p256" };
		struct pair *p = pair_new(&c, &s);
		uint16_t suite = v ? TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 :
				     TLS_AES_128_GCM_SHA256;
		char label[64];

		p->tamper = split_client_hello;
		snprintf(label, sizeof(label),
			 "%s ClientHello split over two records", ver);
		(void)pair_run(p);
		check_finished_pair(label, p,
				    v ? TLS_VERSION_1_2 : TLS_VERSION_1_3,
				    suite, TLS_GROUP_X25519);
		pair_free(p);
	}
}

int main(void)
{
	if (pki_make()) {
		CHECK(0, "tests/pki/mkpki makes the test PKI");
		return check_summary();
	}
	test_matrix();
	test_ecdsa_curve_rule();
	test_server_chooses();
	test_mutual("1.3");
	test_mutual("1.2");
	test_alpn("1.3");
	test_alpn("1.2");
	test_hrr();
	/* TLS 1.3: the client's Finished is last; TLS 1.2: the server's */
	test_consumed("1.3", SERVER);
	test_consumed("1.2", CLIENT);
	test_take_result_early();
	test_one_byte_at_a_time();
	test_split_client_hello();
	pki_cleanup();
	return check_summary();
}
