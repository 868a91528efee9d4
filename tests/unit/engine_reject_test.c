// SPDX-License-Identifier: MIT
/*
 * What the handshake engine refuses, client engine against server engine in
 * one process, each case checked on both sides: the failing side's error
 * and the alert it sends, the peer's error and the alert it reads.
 *  - certificates (tests/pki/mkpki): expired, not yet valid, wrong host,
 *    unknown CA, revoked by CRL, revoked by a stapled OCSP response, wrong
 *    extended key usage; client certificates for mutual TLS;
 *  - a ClientHello tampered with in transit: caught because the two sides'
 *    transcripts differ (RFC 8446 §4.4.4, RFC 5246 §7.4.9, RFC 7627);
 *  - version downgrade: a real TLS 1.2-only server is fine, a forged
 *    RFC 8446 §4.1.3 sentinel is caught; RSA PKCS#1 v1.5 is refused as a
 *    TLS 1.3 signature;
 *  - garbage, oversized and truncated input: a fatal alert and a sticky
 *    error, never an over-read.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/check.h"
#include "../lib/engine_pair.h"
#include "../lib/pki.h"
#include "tls_suite.h"
#include "wire/proto.h"
#include "wire/reader.h"

/* ------------------------------------------------------- certificates */

static void test_server_certificates(const char *ver)
{
	static const struct {
		const char *what, *id, *name, *crl1, *crl2, *ocsp;
		int alert; /* 0: accepted */
	} cases[] = {
		{ "good certificate, CRLs checked", "server-p256", NULL,
		  "inter.crl.pem", "root.crl.pem", NULL, 0 },
		{ "good certificate, good OCSP staple", "server-p256", NULL,
		  NULL, NULL, "ocsp-good.der", 0 },
		{ "good certificate by IP address", "server-p256", "127.0.0.1",
		  NULL, NULL, NULL, 0 },
		{ "expired", "server-expired", NULL, NULL, NULL, NULL,
		  TLS_ALERT_CERTIFICATE_EXPIRED },
		{ "not yet valid", "server-notyet", NULL, NULL, NULL, NULL,
		  TLS_ALERT_CERTIFICATE_EXPIRED },
		{ "wrong host", "server-p256", "wrong.example.org", NULL, NULL,
		  NULL, TLS_ALERT_BAD_CERTIFICATE },
		{ "unknown CA", "other-server", NULL, NULL, NULL, NULL,
		  TLS_ALERT_UNKNOWN_CA },
		{ "revoked by CRL", "server-revoked", NULL, "inter.crl.pem",
		  "root.crl.pem", NULL, TLS_ALERT_CERTIFICATE_REVOKED },
		{ "revoked by OCSP staple", "server-revoked", NULL, NULL, NULL,
		  "ocsp-revoked.der", TLS_ALERT_CERTIFICATE_REVOKED },
		{ "wrong EKU (clientAuth only)", "server-badeku", NULL, NULL,
		  NULL, NULL, TLS_ALERT_UNSUPPORTED_CERTIFICATE },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct side c = { .min = ver, .max = ver, .ca = "root.pem",
				  .crls = { cases[i].crl1, cases[i].crl2 },
				  .server_name = cases[i].name };
		struct side s = { .id = cases[i].id, .ocsp = cases[i].ocsp };
		struct pair *p = pair_new(&c, &s);
		char label[128];

		snprintf(label, sizeof(label), "%s server certificate %s", ver,
			 cases[i].what);
		(void)pair_run(p);
		if (!cases[i].alert)
			CHECK(pair_done(p) && p->res[CLIENT].peer_verified,
			      "%s: accepted: %s", label, pair_status(p));
		else
			check_alerted(label, p, CLIENT, -EKEYREJECTED,
				      cases[i].alert);
		pair_free(p);
	}
}

/*
 * TLS 1.3 client authentication comes after the client's Finished: the
 * client engine is done and has handed the stream over when the server's
 * verdict arrives (RFC 8446 §4.4.2.4). The alert must be left in the
 * stream, unconsumed, sealed under the server's application traffic keys,
 * so the kernel's first read on the client reports it.
 */
static void check_alert_after_handover(const char *label, struct pair *p,
				       int err, int alert)
{
	const struct tls_engine *srv = p->e[SERVER];
	size_t left = p->left[CLIENT];
	const uint8_t *rec = p->log[CLIENT] + p->log_len[CLIENT] - left;
	struct record_keys k = { 0 };
	struct record_dir d = { 0 };
	struct record_frame f;
	struct reader r;
	uint8_t type = 0, pt[RECORD_MAX_LEN];
	size_t len = 0;
	int ret;

	CHECK(srv && tls_engine_error(srv) == err &&
		      tls_engine_alert(srv) == alert,
	      "%s: server fails (%d) and sends %s: %s", label, err,
	      tls_alert_name(alert), pair_status(p));
	CHECK(p->have_res[CLIENT] && left > 0,
	      "%s: the client has finished and left %zu bytes in the stream",
	      label, left);
	if (!p->have_res[CLIENT] || !left)
		return;
	ret = record_keys_from_result(&p->res[CLIENT], false, &k);
	if (!ret)
		ret = record_dir_keys(&d, &k, RECORD_OPEN);
	reader_init(&r, rec, left);
	if (!ret)
		ret = record_parse(&d, &r, &f);
	if (!ret)
		ret = record_open(&d, &f, &type, pt, sizeof(pt), &len);
	CHECK(ret == 0 && type == TLS_CT_ALERT && len == 2 &&
		      pt[0] == TLS_ALERT_LEVEL_FATAL && pt[1] == alert &&
		      reader_done(&r),
	      "%s: those bytes are one fatal %s alert under the client's rx keys (ret %d)",
	      label, tls_alert_name(alert), ret);
	keys_wipe(&k);
	record_dir_wipe(&d);
}

static void test_client_certificates(const char *ver)
{
	static const struct {
		const char *what, *id;
		int err, alert13, alert12;
	} cases[] = {
		/* RFC 8446 §4.4.2.4; RFC 5246 §7.4.6 */
		{ "required but none sent", NULL, -EKEYREJECTED,
		  TLS_ALERT_CERTIFICATE_REQUIRED, TLS_ALERT_HANDSHAKE_FAILURE },
		{ "from an unknown CA", "other-server", -EKEYREJECTED,
		  TLS_ALERT_UNKNOWN_CA, TLS_ALERT_UNKNOWN_CA },
		{ "without clientAuth EKU", "server-p256", -EKEYREJECTED,
		  TLS_ALERT_UNSUPPORTED_CERTIFICATE,
		  TLS_ALERT_UNSUPPORTED_CERTIFICATE },
	};
	bool v13 = !strcmp(ver, "1.3");

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct side c = { .min = ver, .max = ver, .ca = "root.pem",
				  .id = cases[i].id };
		struct side s = { .id = "server-p256", .ca = "root.pem",
				  .client_auth = TLS_CLIENT_AUTH_REQUIRED };
		struct pair *p = pair_new(&c, &s);
		char label[128];

		snprintf(label, sizeof(label), "%s client certificate %s", ver,
			 cases[i].what);
		(void)pair_run(p);
		if (v13)
			check_alert_after_handover(label, p, cases[i].err,
						   cases[i].alert13);
		else
			check_alerted(label, p, SERVER, cases[i].err,
				      cases[i].alert12);
		pair_free(p);
	}
}

/* ----------------------------------------------------------- tampering */

/* Where the fields of the ClientHello at the start of a flight are. */
struct ch_map {
	size_t random, suites, exts, exts_end;
};

static int ch_map(const uint8_t *b, size_t len, struct ch_map *m)
{
	struct reader r;
	uint8_t u8;
	uint16_t n;
	uint32_t u24;

	reader_init(&r, b, len);
	TRY(reader_skip(&r, TLS_RECORD_HEADER_LEN));
	TRY(reader_u8(&r, &u8));
	ENSURE(u8 == TLS_HS_CLIENT_HELLO, -EINVAL);
	TRY(reader_u24(&r, &u24));
	TRY(reader_skip(&r, 2));
	m->random = r.pos;
	TRY(reader_skip(&r, 32));
	TRY(reader_u8(&r, &u8));
	TRY(reader_skip(&r, u8));
	TRY(reader_u16(&r, &n));
	m->suites = r.pos;
	TRY(reader_skip(&r, n));
	TRY(reader_u8(&r, &u8));
	TRY(reader_skip(&r, u8));
	TRY(reader_u16(&r, &n));
	m->exts = r.pos;
	m->exts_end = r.pos + n;
	return 0;
}

/* Offset of extension type's type field in the ClientHello, or 0. */
static size_t ch_ext(const uint8_t *b, size_t len, uint16_t type)
{
	struct ch_map m;
	struct reader r;

	if (ch_map(b, len, &m) || m.exts_end > len)
		return 0;
	reader_init(&r, b, m.exts_end);
	if (reader_skip(&r, m.exts))
		return 0;
	while (!reader_done(&r)) {
		size_t at = r.pos;
		uint16_t t, n;

		if (reader_u16(&r, &t) || reader_u16(&r, &n) ||
		    reader_skip(&r, n))
			return 0;
		if (t == type)
			return at;
	}
	return 0;
}

static bool tampered;

static void flip_client_random(struct pair *p, int to, int flight,
			       uint8_t *buf, size_t *len)
{
	struct ch_map m;

	(void)p;
	if (to == SERVER && flight == 0 && !ch_map(buf, *len, &m)) {
		buf[m.random + 7] ^= 0x10;
		tampered = true;
	}
}

/* The attacker strikes the client's first (preferred) suite. */
static void flip_first_suite(struct pair *p, int to, int flight, uint8_t *buf,
			     size_t *len)
{
	struct ch_map m;

	(void)p;
	if (to == SERVER && flight == 0 && !ch_map(buf, *len, &m)) {
		buf[m.suites + 1] ^= 0x01;
		tampered = true;
	}
}

/* extended_master_secret (23) becomes an unknown type (0x0117). */
static void strip_ems(struct pair *p, int to, int flight, uint8_t *buf,
		      size_t *len)
{
	size_t at;

	(void)p;
	if (to == SERVER && flight == 0 &&
	    (at = ch_ext(buf, *len, TLS_EXT_EXTENDED_MASTER_SECRET))) {
		buf[at] ^= 0x01;
		tampered = true;
	}
}

/* RFC 8446 §4.1.3: the last 8 bytes of a downgrading server's random. */
static const uint8_t downgrd12[8] = { 'D', 'O', 'W', 'N', 'G', 'R', 'D', 1 };

static void forge_downgrade(struct pair *p, int to, int flight, uint8_t *buf,
			    size_t *len)
{
	(void)p;
	if (to == CLIENT && flight == 0 && *len > 43 &&
	    buf[0] == TLS_CT_HANDSHAKE && buf[5] == TLS_HS_SERVER_HELLO) {
		memcpy(buf + 11 + 24, downgrd12, 8);
		tampered = true;
	}
}

/* The server's random as the client received it, or NULL. */
static const uint8_t *server_random(const struct pair *p)
{
	const uint8_t *b = p->log[CLIENT];

	return p->log_len[CLIENT] > 43 && b[0] == TLS_CT_HANDSHAKE &&
			       b[5] == TLS_HS_SERVER_HELLO ?
		       b + 11 :
		       NULL;
}

static struct pair *tamper_run(const char *ver, const char *server_id,
			       pair_tamper fn)
{
	struct side c = { .min = ver, .max = ver, .ca = "root.pem" };
	struct side s = { .id = server_id };
	struct pair *p = pair_new(&c, &s);

	tampered = false;
	p->tamper = fn;
	(void)pair_run(p);
	return p;
}

/* Both sides failed, each with err and its own alert. */
static void check_both_fail(const char *label, const struct pair *p, int first,
			    int err, int alert)
{
	const struct tls_engine *a = p->e[first], *b = p->e[!first];

	CHECK(a && tls_engine_error(a) == err && tls_engine_alert(a) == alert,
	      "%s: the %s fails and sends %s: %s", label,
	      first == CLIENT ? "client" : "server", tls_alert_name(alert),
	      pair_status(p));
	CHECK(b && tls_engine_error(b) && !tls_engine_done(b),
	      "%s: the %s fails too (it cannot read that alert)", label,
	      first == CLIENT ? "server" : "client");
}

static void test_tampered_client_hello(void)
{
	struct pair *p;

	/*
	 * TLS 1.3: every handshake key depends on the transcript from the
	 * ClientHello on (§7.1), so the client cannot even open the server's
	 * EncryptedExtensions: bad_record_mac (§5.2). Its alert, under keys
	 * the server does not share, is unreadable there: bad_record_mac too.
	 */
	p = tamper_run("1.3", "server-p256", flip_client_random);
	CHECK(tampered, "1.3 ClientHello random flipped in transit");
	check_both_fail("1.3 tampered ClientHello random", p, CLIENT, -EPROTO,
			TLS_ALERT_BAD_RECORD_MAC);
	pair_free(p);

	p = tamper_run("1.3", "server-p256", flip_first_suite);
	CHECK(tampered, "1.3 ClientHello first suite struck in transit");
	check_both_fail("1.3 downgraded suite list", p, CLIENT, -EPROTO,
			TLS_ALERT_BAD_RECORD_MAC);
	pair_free(p);

	/*
	 * TLS 1.2: the server signs both randoms (RFC 5246 §7.4.3), so a
	 * changed client random fails the ServerKeyExchange signature:
	 * decrypt_error (§7.2.2).
	 */
	p = tamper_run("1.2", "server-rsa2048", flip_client_random);
	CHECK(tampered, "1.2 ClientHello random flipped in transit");
	check_alerted("1.2 tampered ClientHello random", p, CLIENT, -EPROTO,
		      TLS_ALERT_DECRYPT_ERROR);
	pair_free(p);

	/*
	 * TLS 1.2 with extended master secret: the session hash covers the
	 * ClientHello (RFC 7627 §4), so the two sides derive different keys
	 * and the server cannot open the client's Finished: bad_record_mac.
	 */
	p = tamper_run("1.2", "server-p256", flip_first_suite);
	CHECK(tampered, "1.2 ClientHello first suite struck in transit");
	check_alerted("1.2 downgraded suite list", p, SERVER, -EPROTO,
		      TLS_ALERT_BAD_RECORD_MAC);
	pair_free(p);

	/*
	 * The classic downgrade: strip extended_master_secret. Keys now
	 * agree, but the Finished verify_data covers the transcripts, which
	 * differ: the server refuses the client's Finished with
	 * decrypt_error (RFC 5246 §7.4.9, §7.2.2).
	 */
	p = tamper_run("1.2", "server-p256", strip_ems);
	CHECK(tampered, "1.2 extended_master_secret struck from ClientHello");
	check_alerted("1.2 ClientHello without EMS", p, SERVER, -EPROTO,
		      TLS_ALERT_DECRYPT_ERROR);
	pair_free(p);
}

static void test_version_downgrade(void)
{
	struct side c = { .ca = "root.pem" }; /* offers 1.3 and 1.2 */
	struct side s = { .id = "server-p256", .max = "1.2" };
	struct pair *p;
	const uint8_t *rnd;

	p = pair_new(&c, &s);
	(void)pair_run(p);
	check_finished_pair("server limited to 1.2, client offers 1.3", p,
			    TLS_VERSION_1_2,
			    TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
			    TLS_GROUP_X25519);
	rnd = server_random(p);
	CHECK(rnd && memcmp(rnd + 24, downgrd12, 7),
	      "a 1.2-only server's random carries no DOWNGRD sentinel");
	pair_free(p);

	/* RFC 8446 §4.1.3: a 1.3 server answering 1.2 must say so */
	c = (struct side){ .ca = "root.pem", .max = "1.2" };
	s = (struct side){ .id = "server-p256" };
	p = pair_new(&c, &s);
	(void)pair_run(p);
	check_finished_pair("1.3 server, client limited to 1.2", p,
			    TLS_VERSION_1_2,
			    TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
			    TLS_GROUP_X25519);
	rnd = server_random(p);
	CHECK(rnd && !memcmp(rnd + 24, downgrd12, 8),
	      "the 1.3-capable server's 1.2 random ends in DOWNGRD\\x01");
	pair_free(p);

	/* A 1.3 client must refuse a 1.2 ServerHello with that sentinel. */
	c = (struct side){ .ca = "root.pem" };
	s = (struct side){ .id = "server-p256", .max = "1.2" };
	p = pair_new(&c, &s);
	tampered = false;
	p->tamper = forge_downgrade;
	(void)pair_run(p);
	CHECK(tampered, "DOWNGRD sentinel forged into the ServerHello");
	check_alerted("forged downgrade sentinel", p, CLIENT, -EPROTO,
		      TLS_ALERT_ILLEGAL_PARAMETER);
	pair_free(p);
}

/* RFC 8446 §4.2.3: RSA PKCS#1 v1.5 never signs a TLS 1.3 handshake. */
static void test_pkcs1_in_tls13(void)
{
	static const uint16_t pkcs1[] = { TLS_SIG_RSA_PKCS1_SHA256,
					  TLS_SIG_RSA_PKCS1_SHA384 };
	struct side c = { .max = "1.3", .min = "1.3", .ca = "root.pem",
			  .schemes = pkcs1, .n_schemes = ARRAY_SIZE(pkcs1) };
	struct side s = { .id = "server-rsa2048" };
	struct pair *p = pair_new(&c, &s);

	(void)pair_run(p);
	check_alerted("1.3 client offers only rsa_pkcs1 to an RSA server", p,
		      SERVER, -EPROTO, TLS_ALERT_HANDSHAKE_FAILURE);
	pair_free(p);
}

/* -------------------------------------------------- garbage, truncation */

static const uint8_t *replacement;
static size_t replacement_len;
static int replace_to;

static void replace_flight(struct pair *p, int to, int flight, uint8_t *buf,
			   size_t *len)
{
	(void)p;
	if (to == replace_to && flight == 0) {
		memcpy(buf, replacement, replacement_len);
		*len = replacement_len;
		tampered = true;
	}
}

/* The ClientHello with its last n bytes cut and every length fixed. */
static void truncate_client_hello(struct pair *p, int to, int flight,
				  uint8_t *buf, size_t *len)
{
	size_t n = 3, rec, hs;

	(void)p;
	if (to != SERVER || flight != 0 || *len < 50)
		return;
	rec = ((size_t)buf[3] << 8 | buf[4]) - n;
	hs = ((size_t)buf[6] << 16 | (size_t)buf[7] << 8 | buf[8]) - n;
	buf[3] = rec >> 8;
	buf[4] = rec & 0xff;
	buf[6] = hs >> 16;
	buf[7] = hs >> 8 & 0xff;
	buf[8] = hs & 0xff;
	*len -= n;
	tampered = true;
}

static void test_garbage(const char *ver)
{
	static const uint8_t http[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	/* A ClientHello of legacy_version 0xffff and a 255-byte session id */
	static const uint8_t bad_ch[] = {
		0x16, 0x03, 0x01, 0x00, 0x28, 0x01, 0x00, 0x00, 0x24,
		0xff, 0xff, [43] = 0xff, [44] = 0xff,
	};
	static const uint8_t huge[] = { 0x16, 0x03, 0x01, 0xff, 0xff, 0x01 };
	static const uint8_t short_alert[] = { 0x15, 0x03, 0x01, 0x00, 0x01,
					       0x02 };
	/* A ServerHello whose body ends after legacy_version */
	static const uint8_t bad_sh[] = { 0x16, 0x03, 0x03, 0x00, 0x06, 0x02,
					  0x00, 0x00, 0x02, 0x03, 0x03 };
	/* Well-formed messages out of order: a Finished, a ServerHelloDone */
	static const uint8_t early_fin[5 + 4 + 12] = { 0x16, 0x03, 0x01, 0x00,
						       0x10, 0x14, 0x00, 0x00,
						       0x0c };
	static const uint8_t early_shd[] = { 0x16, 0x03, 0x03, 0x00, 0x04,
					     0x0e, 0x00, 0x00, 0x00 };
	static const struct {
		const char *what;
		const uint8_t *bytes;
		size_t len;
		int to, alert;
	} cases[] = {
		/* RFC 8446 §5: unknown record type */
		{ "an HTTP request", http, sizeof(http) - 1, SERVER,
		  TLS_ALERT_UNEXPECTED_MESSAGE },
		{ "a ClientHello of garbage", bad_ch, sizeof(bad_ch), SERVER,
		  TLS_ALERT_DECODE_ERROR },
		/* RFC 8446 §5.1: over 2^14 bytes of plaintext */
		{ "a 65535-byte plaintext record", huge, sizeof(huge), SERVER,
		  TLS_ALERT_RECORD_OVERFLOW },
		{ "a one-byte alert", short_alert, sizeof(short_alert), SERVER,
		  TLS_ALERT_DECODE_ERROR },
		{ "a truncated ServerHello", bad_sh, sizeof(bad_sh), CLIENT,
		  TLS_ALERT_DECODE_ERROR },
		/* RFC 8446 §6.2, RFC 5246 §7.2.2: the driver's type check */
		{ "a Finished instead of ClientHello", early_fin,
		  sizeof(early_fin), SERVER, TLS_ALERT_UNEXPECTED_MESSAGE },
		{ "a ServerHelloDone instead of ServerHello", early_shd,
		  sizeof(early_shd), CLIENT, TLS_ALERT_UNEXPECTED_MESSAGE },
	};
	bool v13 = !strcmp(ver, "1.3");

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct side c = { .min = ver, .max = ver, .ca = "root.pem" };
		struct side s = { .id = "server-p256" };
		struct pair *p = pair_new(&c, &s);
		char label[96];

		snprintf(label, sizeof(label), "%s %s", ver, cases[i].what);
		replacement = cases[i].bytes;
		replacement_len = cases[i].len;
		replace_to = cases[i].to;
		tampered = false;
		p->tamper = replace_flight;
		(void)pair_run(p);
		/*
		 * A TLS 1.3 server has switched to handshake keys by the time
		 * the client's plaintext alert arrives; TLS 1.2 reads it.
		 */
		if (cases[i].to == CLIENT && v13)
			check_both_fail(label, p, CLIENT, -EPROTO,
					cases[i].alert);
		else
			check_alerted(label, p, cases[i].to, -EPROTO,
				      cases[i].alert);
		pair_free(p);
	}

	{
		struct side c = { .min = ver, .max = ver, .ca = "root.pem" };
		struct side s = { .id = "server-p256" };
		struct pair *p = pair_new(&c, &s);
		char label[64];

		snprintf(label, sizeof(label), "%s truncated ClientHello", ver);
		tampered = false;
		p->tamper = truncate_client_hello;
		(void)pair_run(p);
		CHECK(tampered, "%s: ClientHello cut by 3 bytes in transit",
		      label);
		check_alerted(label, p, SERVER, -EPROTO,
			      TLS_ALERT_DECODE_ERROR);
		pair_free(p);
	}
}

/* BearSSL-style sticky failure: one alert, then the same error forever. */
static void test_sticky(void)
{
	static const uint8_t http[] = "GET / HTTP/1.1\r\n\r\n";
	static const uint8_t alert[] = { 0x15, 0x03, 0x03, 0x00, 0x02, 0x02,
					 TLS_ALERT_UNEXPECTED_MESSAGE };
	struct side c = { .ca = "root.pem" };
	struct side s = { .id = "server-p256" };
	struct pair *p = pair_new(&c, &s);
	const uint8_t *out = NULL, *hello = NULL;
	size_t len = 0, used = 0, hello_len = 0, out_len = 0;
	struct tls_result r;
	int err = 0;

	if (pair_start(p) == 0) {
		err = tls_engine_feed(p->e[SERVER], http, sizeof(http) - 1,
				      &used);
		tls_engine_output(p->e[SERVER], &out, &out_len);
	}
	CHECK(err == -EPROTO && used >= 1 &&
		      tls_engine_alert(p->e[SERVER]) ==
			      TLS_ALERT_UNEXPECTED_MESSAGE,
	      "garbage: the server fails with -EPROTO and unexpected_message (err %d)",
	      err);
	CHECK(out_len == sizeof(alert) && !memcmp(out, alert, sizeof(alert)),
	      "garbage: the output is exactly one plaintext fatal alert record (%zu bytes)",
	      out_len);
	if (p->e[CLIENT]) {
		tls_engine_output(p->e[CLIENT], &hello, &hello_len);
		used = 99;
		err = tls_engine_feed(p->e[SERVER], hello, hello_len, &used);
		tls_engine_output(p->e[SERVER], &out, &len);
	}
	CHECK(err == -EPROTO && used == 0 && len == out_len &&
		      tls_engine_error(p->e[SERVER]) == -EPROTO,
	      "garbage: a valid ClientHello afterwards is refused with the same error, nothing consumed, no new output");
	CHECK(p->e[SERVER] &&
		      tls_engine_take_result(p->e[SERVER], &r) == -EPROTO &&
		      !tls_engine_done(p->e[SERVER]),
	      "garbage: no result, ever");
	pair_free(p);
}

/* A flight cut short on the wire is not an error: the engine waits. */
static void test_partial_input(void)
{
	struct side c = { .ca = "root.pem" };
	struct side s = { .id = "server-p256" };
	struct pair *p = pair_new(&c, &s);
	const uint8_t *hello = NULL, *out = NULL;
	size_t len = 0, used = 0, out_len = 99;
	int err = -1;

	if (pair_start(p) == 0) {
		tls_engine_output(p->e[CLIENT], &hello, &len);
		err = tls_engine_feed(p->e[SERVER], hello, len - 1, &used);
		tls_engine_output(p->e[SERVER], &out, &out_len);
	}
	CHECK(len && err == 0 && used == len - 1 && out_len == 0 &&
		      !tls_engine_done(p->e[SERVER]),
	      "a ClientHello short of one byte: all consumed, no error, no answer yet");
	if (len) {
		err = tls_engine_feed(p->e[SERVER], hello + len - 1, 1, &used);
		tls_engine_output(p->e[SERVER], &out, &out_len);
	}
	CHECK(err == 0 && used == 1 && out_len > 0,
	      "its last byte brings the server's answer (%zu bytes)", out_len);
	pair_free(p);
}

int main(void)
{
	if (pki_make()) {
		CHECK(0, "tests/pki/mkpki makes the test PKI");
		return check_summary();
	}
	test_server_certificates("1.3");
	test_server_certificates("1.2");
	test_client_certificates("1.3");
	test_client_certificates("1.2");
	test_tampered_client_hello();
	test_version_downgrade();
	test_pkcs1_in_tls13();
	test_garbage("1.3");
	test_garbage("1.2");
	test_sticky();
	test_partial_input();
	pki_cleanup();
	return check_summary();
}
