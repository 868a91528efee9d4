// SPDX-License-Identifier: MIT
/*
 * The engine against hellos built byte by byte, the way an independent TLS
 * test suite probes a server: each case is a ClientHello (or ServerHello)
 * with one thing wrong, fed to an engine, and the check is the alert the
 * RFC's own words call for, sent at once (never a wait for more bytes):
 *  - legacy_version 0x0300 or lower (RFC 8446 §D.5), a ServerHello's
 *    supported_versions naming a version before TLS 1.3 (§4.2.1);
 *  - ChangeCipherSpec: a second one, several in one segment, one inside a
 *    fragmented handshake message, a malformed one (§5, §D.4);
 *  - key shares: wrong length, off the curve, for a group not in
 *    supported_groups, twice for one group (§4.2.8, §4.2.8.2): all
 *    illegal_parameter; a malformed list: decode_error; only ffdhe groups:
 *    handshake_failure (§4.1.1);
 *  - long lists of unknown values (signature_algorithms, supported_groups,
 *    cipher_suites) with one usable entry at the end: it is found;
 *  - a handshake message over the engine's limit: illegal_parameter.
 *
 *   test ──ClientHello records──► server engine ──► its output: a flight,
 *                                                    or one fatal alert
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/check.h"
#include "../lib/engine_pair.h"
#include "../lib/pki.h"
#include "crypto/kx.h"
#include "wire/proto.h"
#include "wire/writer.h"

/* ------------------------------------------------------ ClientHello bytes */

/* One KeyShareEntry: a fresh real share of group, or len raw bytes. */
struct share {
	uint16_t group;
	int len;		/* -1: a real share; else these bytes */
	uint8_t fill;		/* the raw bytes' value */
	int flip;		/* real share: flip this byte's low bit (0: none) */
};

/* A TLS 1.3 ClientHello; zero fields take the default in brackets. */
struct ch_spec {
	uint16_t legacy_version;	/* [0x0303] */
	bool no_versions;		/* leave supported_versions out */
	uint16_t versions[2];		/* [TLS 1.3] */
	const uint16_t *suites;		/* [TLS_AES_128_GCM_SHA256] */
	size_t n_suites, unknown_suites; /* that many unknown ones first */
	const uint16_t *groups;		/* [x25519] */
	size_t n_groups, unknown_groups;
	const uint16_t *schemes;	/* [ecdsa_secp256r1_sha256] */
	size_t n_schemes, unknown_schemes;
	bool no_key_share;
	const struct share *shares;	/* [one real x25519 share] */
	size_t n_shares;
	const uint8_t *raw_key_share;	/* the extension_data, verbatim */
	size_t raw_key_share_len;
};

static const uint16_t default_suite[] = { TLS_AES_128_GCM_SHA256 };
static const uint16_t default_group[] = { TLS_GROUP_X25519 };
static const uint16_t default_scheme[] = { TLS_SIG_ECDSA_SECP256R1_SHA256 };
/* A real share, one with byte `at` altered, len raw bytes of fill */
#define REAL(g) { .group = (g), .len = -1 }
#define FLIP(g, at) { .group = (g), .len = -1, .flip = (at) }
#define RAW(g, n, b) { .group = (g), .len = (n), .fill = (b) }

static const struct share default_share[] = { REAL(TLS_GROUP_X25519) };

#define OR(p, n, def)                                                          \
	do {                                                                   \
		if (!(p)) {                                                    \
			(p) = (def);                                           \
			(n) = ARRAY_SIZE(def);                                 \
		}                                                              \
	} while (0)

/* A u16 list: `unknown` values no registry assigns, then the real ones. */
static int u16_list(struct writer *w, unsigned int prefix, size_t unknown,
		    const uint16_t *v, size_t n)
{
	TRY(writer_open(w, prefix));
	for (size_t i = 0; i < unknown; i++)
		TRY(writer_u16(w, (uint16_t)(0xfe00 + i % 0x100) ^
					  (uint16_t)(i / 0x100 << 4)));
	for (size_t i = 0; i < n; i++)
		TRY(writer_u16(w, v[i]));
	return writer_close(w, 0, 0xffff);
}

static int key_share_entry(struct writer *w, const struct share *s)
{
	uint8_t pub[KX_PUBLIC_MAX];
	struct kx_key *k = NULL;
	size_t len = 0;
	int err;

	TRY(writer_u16(w, s->group));
	if (s->len >= 0) {
		TRY(writer_open(w, 2));
		for (int i = 0; i < s->len; i++)
			TRY(writer_u8(w, s->fill));
		return writer_close(w, 0, 0xffff);
	}
	err = kx_keygen(s->group, &k);
	if (!err)
		err = kx_public(k, pub, sizeof(pub), &len);
	kx_free(k);
	TRY(err);
	if (s->flip)
		pub[s->flip] ^= 0x01;
	return writer_vector(w, 2, pub, len);
}

static int ext_open(struct writer *w, uint16_t type)
{
	TRY(writer_u16(w, type));
	return writer_open(w, 2);
}

static int ch_encode(struct writer *w, struct ch_spec o)
{
	static const uint8_t random[32] = { 0x5a };
	uint8_t sid[32] = { 0x11 };

	OR(o.suites, o.n_suites, default_suite);
	OR(o.groups, o.n_groups, default_group);
	OR(o.schemes, o.n_schemes, default_scheme);
	OR(o.shares, o.n_shares, default_share);
	TRY(writer_u8(w, TLS_HS_CLIENT_HELLO));
	TRY(writer_open(w, 3));
	TRY(writer_u16(w, o.legacy_version ? o.legacy_version :
					      TLS_VERSION_1_2));
	TRY(writer_bytes(w, random, sizeof(random)));
	TRY(writer_vector(w, 1, sid, sizeof(sid)));
	TRY(u16_list(w, 2, o.unknown_suites, o.suites, o.n_suites));
	TRY(writer_vector(w, 1, "", 1)); /* null compression */
	TRY(writer_open(w, 2));
	TRY(ext_open(w, TLS_EXT_SUPPORTED_GROUPS));
	TRY(u16_list(w, 2, o.unknown_groups, o.groups, o.n_groups));
	TRY(writer_close(w, 0, 0xffff));
	TRY(ext_open(w, TLS_EXT_SIGNATURE_ALGORITHMS));
	TRY(u16_list(w, 2, o.unknown_schemes, o.schemes, o.n_schemes));
	TRY(writer_close(w, 0, 0xffff));
	if (!o.no_versions) {
		TRY(ext_open(w, TLS_EXT_SUPPORTED_VERSIONS));
		TRY(writer_open(w, 1));
		for (size_t i = 0; i < 2; i++)
			if (o.versions[i] || !i)
				TRY(writer_u16(w, o.versions[i] ?
							  o.versions[i] :
							  TLS_VERSION_1_3));
		TRY(writer_close(w, 0, 0xff));
		TRY(writer_close(w, 0, 0xffff));
	}
	if (o.raw_key_share) {
		TRY(ext_open(w, TLS_EXT_KEY_SHARE));
		TRY(writer_bytes(w, o.raw_key_share, o.raw_key_share_len));
		TRY(writer_close(w, 0, 0xffff));
	} else if (!o.no_key_share) {
		TRY(ext_open(w, TLS_EXT_KEY_SHARE));
		TRY(writer_open(w, 2));
		for (size_t i = 0; i < o.n_shares; i++)
			TRY(key_share_entry(w, &o.shares[i]));
		TRY(writer_close(w, 0, 0xffff));
		TRY(writer_close(w, 0, 0xffff));
	}
	TRY(writer_close(w, 0, 0xffff));
	return writer_close(w, 0, 0xffffff);
}

/* Plaintext records of type around p[0..n), 2^14 bytes at most each. */
static int records(struct writer *w, uint8_t type, const uint8_t *p, size_t n)
{
	do {
		size_t k = n < TLS_MAX_PLAINTEXT ? n : TLS_MAX_PLAINTEXT;

		TRY(writer_u8(w, type));
		TRY(writer_u16(w, TLS_VERSION_1_0));
		TRY(writer_vector(w, 2, p, k));
		p += k;
		n -= k;
	} while (n);
	return 0;
}

static const uint8_t ccs_body[] = { 1 };

/* ------------------------------------------------------------- a server */

static struct tls_config server_cfg;

static struct tls_engine *server_new(void)
{
	struct tls_peer_request req = { .role = TLS_ROLE_SERVER };
	struct tls_engine *e = tls_engine_new(&server_cfg, &req);

	if (!e)
		abort();
	return e;
}

/* Feed all of p; the engine must take every byte up to its failure. */
static int feed(struct tls_engine *e, const uint8_t *p, size_t n,
		size_t *used)
{
	return tls_engine_feed(e, p, n, used);
}

/* The server's output ends in one plaintext fatal alert of this kind. */
static bool output_ends_in_alert(const struct tls_engine *e, int alert)
{
	const uint8_t *out;
	size_t len;

	tls_engine_output(e, &out, &len);
	return len >= 7 && out[len - 7] == TLS_CT_ALERT &&
	       out[len - 2] == TLS_ALERT_LEVEL_FATAL && out[len - 1] == alert;
}

/* Did the server answer with a ServerHello (its first output record)? */
static bool answered_server_hello(const struct tls_engine *e)
{
	const uint8_t *out;
	size_t len;

	tls_engine_output(e, &out, &len);
	return len > 6 && out[0] == TLS_CT_HANDSHAKE &&
	       out[5] == TLS_HS_SERVER_HELLO;
}

/* ------------------------------------------------------------ the table */

#define SHARES(...)                                                            \
	.shares = (const struct share[]){ __VA_ARGS__ },                       \
	.n_shares = sizeof((const struct share[]){ __VA_ARGS__ }) /            \
		    sizeof(struct share)
#define GROUPS(...)                                                            \
	.groups = (const uint16_t[]){ __VA_ARGS__ },                           \
	.n_groups = sizeof((const uint16_t[]){ __VA_ARGS__ }) /                \
		    sizeof(uint16_t)

/* key_exchange<1..2^16-1> of length 0, and an entry cut short */
static const uint8_t empty_ke[] = { 0x00, 0x04, 0x00, 0x1d, 0x00, 0x00 };
static const uint8_t short_list[] = { 0x00, 0x08, 0x00, 0x1d, 0x00, 0x20,
				      0x01, 0x02, 0x03, 0x04 };

#define FFDHE2048 0x0100
#define FFDHE3072 0x0101

static const struct {
	const char *what;
	struct ch_spec ch;
	int alert;	/* -1: accepted, the server answers */
} cases[] = {
	/* RFC 8446 §D.5, RFC 5246 §E.1 */
	{ "legacy_version 0x0300, supported_versions TLS 1.3",
	  { .legacy_version = 0x0300 }, TLS_ALERT_PROTOCOL_VERSION },
	{ "legacy_version 0x0200, supported_versions TLS 1.3",
	  { .legacy_version = 0x0200 }, TLS_ALERT_PROTOCOL_VERSION },
	{ "legacy_version 0x0300, no supported_versions",
	  { .legacy_version = 0x0300, .no_versions = true },
	  TLS_ALERT_PROTOCOL_VERSION },
	{ "legacy_version 0x0301, no supported_versions",
	  { .legacy_version = 0x0301, .no_versions = true },
	  TLS_ALERT_PROTOCOL_VERSION },
	{ "legacy_version 0x0304 and supported_versions TLS 1.3 (control)",
	  { .legacy_version = 0x0304 }, -1 },
	/* §4.2.1: supported_versions without a version we speak */
	{ "supported_versions only 0x0302",
	  { .versions = { 0x0302 } }, TLS_ALERT_PROTOCOL_VERSION },

	/* §4.2.8.2, §4.2.8: key shares */
	{ "a real x25519 share (control)", { 0 }, -1 },
	{ "x25519 share of 31 bytes",
	  { SHARES(RAW(TLS_GROUP_X25519, 31, 0x09)) },
	  TLS_ALERT_ILLEGAL_PARAMETER },
	{ "x25519 share of 33 bytes",
	  { SHARES(RAW(TLS_GROUP_X25519, 33, 0x09)) },
	  TLS_ALERT_ILLEGAL_PARAMETER },
	{ "x25519 share of zeros (low order)",
	  { SHARES(RAW(TLS_GROUP_X25519, 32, 0x00)) },
	  TLS_ALERT_ILLEGAL_PARAMETER },
	{ "P-256 share off the curve",
	  { GROUPS(TLS_GROUP_SECP256R1),
	    SHARES(FLIP(TLS_GROUP_SECP256R1, 64)) },
	  TLS_ALERT_ILLEGAL_PARAMETER },
	{ "P-256 share of 64 bytes",
	  { GROUPS(TLS_GROUP_SECP256R1),
	    SHARES(RAW(TLS_GROUP_SECP256R1, 64, 0x04)) },
	  TLS_ALERT_ILLEGAL_PARAMETER },
	{ "P-256 share compressed (33 bytes)",
	  { GROUPS(TLS_GROUP_SECP256R1),
	    SHARES(RAW(TLS_GROUP_SECP256R1, 33, 0x02)) },
	  TLS_ALERT_ILLEGAL_PARAMETER },
	{ "P-384 share off the curve",
	  { GROUPS(TLS_GROUP_SECP384R1),
	    SHARES(FLIP(TLS_GROUP_SECP384R1, 96)) },
	  TLS_ALERT_ILLEGAL_PARAMETER },
	{ "P-521 share (control)",
	  { GROUPS(TLS_GROUP_SECP521R1),
	    SHARES(REAL(TLS_GROUP_SECP521R1)) }, -1 },
	{ "P-521 share off the curve",
	  { GROUPS(TLS_GROUP_SECP521R1),
	    SHARES(FLIP(TLS_GROUP_SECP521R1, 132)) },
	  TLS_ALERT_ILLEGAL_PARAMETER },
	{ "P-521 share of 132 bytes",
	  { GROUPS(TLS_GROUP_SECP521R1),
	    SHARES(RAW(TLS_GROUP_SECP521R1, 132, 0x04)) },
	  TLS_ALERT_ILLEGAL_PARAMETER },
	{ "x448 share (control)",
	  { GROUPS(TLS_GROUP_X448), SHARES(REAL(TLS_GROUP_X448)) }, -1 },
	{ "x448 share of 55 bytes",
	  { GROUPS(TLS_GROUP_X448), SHARES(RAW(TLS_GROUP_X448, 55, 0x07)) },
	  TLS_ALERT_ILLEGAL_PARAMETER },
	{ "x448 share of zeros (low order)",
	  { GROUPS(TLS_GROUP_X448), SHARES(RAW(TLS_GROUP_X448, 56, 0x00)) },
	  TLS_ALERT_ILLEGAL_PARAMETER },
	{ "x25519 share, supported_groups lists only P-256",
	  { GROUPS(TLS_GROUP_SECP256R1) }, TLS_ALERT_ILLEGAL_PARAMETER },
	{ "two x25519 shares",
	  { SHARES(REAL(TLS_GROUP_X25519), REAL(TLS_GROUP_X25519)) },
	  TLS_ALERT_ILLEGAL_PARAMETER },
	{ "good x25519 share, then a P-256 share of 10 bytes",
	  { GROUPS(TLS_GROUP_X25519, TLS_GROUP_SECP256R1),
	    SHARES(REAL(TLS_GROUP_X25519),
		   RAW(TLS_GROUP_SECP256R1, 10, 0x04)) },
	  TLS_ALERT_ILLEGAL_PARAMETER },
	{ "a share of an unknown group we never use, listed (control)",
	  { GROUPS(0x7a7a, TLS_GROUP_X25519),
	    SHARES(RAW(0x7a7a, 1, 0), REAL(TLS_GROUP_X25519)) }, -1 },
	/* §4.2.8 syntax: decode_error (§6.2) */
	{ "key_exchange of length 0",
	  { .raw_key_share = empty_ke, .raw_key_share_len = sizeof(empty_ke) },
	  TLS_ALERT_DECODE_ERROR },
	{ "key share list cut short",
	  { .raw_key_share = short_list,
	    .raw_key_share_len = sizeof(short_list) },
	  TLS_ALERT_DECODE_ERROR },
	/* §9.2 */
	{ "no key_share", { .no_key_share = true },
	  TLS_ALERT_MISSING_EXTENSION },
	/* §4.1.1: ffdhe is not supported (Documentation/handshake.rst) */
	{ "only ffdhe2048 and ffdhe3072, a share for ffdhe2048",
	  { GROUPS(FFDHE2048, FFDHE3072), SHARES(RAW(FFDHE2048, 256, 0x42)) },
	  TLS_ALERT_HANDSHAKE_FAILURE },
	{ "only ffdhe2048, TLS 1.2",
	  { .no_versions = true, .no_key_share = true, GROUPS(FFDHE2048),
	    .suites = (const uint16_t[]){ TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 },
	    .n_suites = 1 },
	  TLS_ALERT_HANDSHAKE_FAILURE },

	/* One usable entry after thousands of unknown ones */
	{ "30000 unknown signature schemes, then ecdsa_secp256r1_sha256",
	  { .unknown_schemes = 30000 }, -1 },
	{ "30000 unknown signature schemes only",
	  { .unknown_schemes = 30000, .schemes = default_scheme,
	    .n_schemes = 0 },
	  TLS_ALERT_HANDSHAKE_FAILURE },
	{ "30000 unknown groups, then x25519", { .unknown_groups = 30000 },
	  -1 },
	{ "30000 unknown cipher suites, then TLS_AES_128_GCM_SHA256",
	  { .unknown_suites = 30000 }, -1 },
};

static void test_client_hellos(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct tls_engine *e = server_new();
		WRITER_SCOPED(hs, 256 * 1024);
		WRITER_SCOPED(wire, 256 * 1024);
		size_t used = 0;
		int err = ch_encode(&hs, cases[i].ch);

		if (!err)
			err = records(&wire, TLS_CT_HANDSHAKE, hs.data, hs.len);
		if (err) {
			CHECK(0, "%s: ClientHello built (%d)", cases[i].what,
			      err);
			tls_engine_free(e);
			continue;
		}
		err = feed(e, wire.data, wire.len, &used);
		if (cases[i].alert < 0)
			CHECK(!err && used == wire.len &&
				      answered_server_hello(e),
			      "%s (%zu bytes): the server answers with its flight: %s",
			      cases[i].what, hs.len, tls_engine_reason(e));
		else
			CHECK(err == -EPROTO &&
				      tls_engine_alert(e) == cases[i].alert &&
				      output_ends_in_alert(e, cases[i].alert) &&
				      !answered_server_hello(e),
			      "%s: %s at once (got %d, %s: %s)",
			      cases[i].what, tls_alert_name(cases[i].alert),
			      err, tls_alert_name(tls_engine_alert(e)),
			      tls_engine_reason(e));
		tls_engine_free(e);
	}
}

/* ------------------------------------------------------ ChangeCipherSpec */

/* A server engine fed a good ClientHello and then `after`, in one go. */
static struct tls_engine *hello_then(const uint8_t *after, size_t after_len,
				     int *err)
{
	struct tls_engine *e = server_new();
	WRITER_SCOPED(hs, 4096);
	WRITER_SCOPED(wire, 8192);
	size_t used = 0;

	if (ch_encode(&hs, (struct ch_spec){ 0 }) ||
	    records(&wire, TLS_CT_HANDSHAKE, hs.data, hs.len) ||
	    writer_bytes(&wire, after, after_len))
		abort();
	*err = feed(e, wire.data, wire.len, &used);
	return e;
}

static void test_ccs(void)
{
	static const uint8_t one[] = { 0x14, 0x03, 0x03, 0x00, 0x01, 0x01 };
	static const uint8_t two[] = { 0x14, 0x03, 0x03, 0x00, 0x01, 0x01,
				       0x14, 0x03, 0x03, 0x00, 0x01, 0x01 };
	static const uint8_t five[5 * 6] = {
		0x14, 0x03, 0x03, 0x00, 0x01, 0x01, 0x14, 0x03, 0x03, 0x00,
		0x01, 0x01, 0x14, 0x03, 0x03, 0x00, 0x01, 0x01, 0x14, 0x03,
		0x03, 0x00, 0x01, 0x01, 0x14, 0x03, 0x03, 0x00, 0x01, 0x01,
	};
	static const uint8_t double_body[] = { 0x14, 0x03, 0x03, 0x00, 0x02,
					       0x01, 0x01 };
	struct tls_engine *e;
	size_t used = 0;
	int err;

	/* RFC 8446 §5: one CCS after the ClientHello is dropped */
	e = hello_then(one, sizeof(one), &err);
	CHECK(!err && answered_server_hello(e) && !tls_engine_done(e),
	      "ClientHello + one CCS in one segment: flight sent, waiting for Finished (%s)",
	      tls_engine_reason(e));
	/* §5, §D.4: a second one before the client's Finished is not */
	err = feed(e, one, sizeof(one), &used);
	CHECK(err == -EPROTO &&
		      tls_engine_alert(e) == TLS_ALERT_UNEXPECTED_MESSAGE,
	      "a second CCS before the client Finished: unexpected_message at once (%s)",
	      tls_engine_reason(e));
	tls_engine_free(e);

	e = hello_then(two, sizeof(two), &err);
	CHECK(err == -EPROTO &&
		      tls_engine_alert(e) == TLS_ALERT_UNEXPECTED_MESSAGE &&
		      answered_server_hello(e),
	      "ClientHello + two CCS in one segment: flight, then unexpected_message, sealed under the keys the flight ended with (%s)",
	      tls_engine_reason(e));
	tls_engine_free(e);

	e = hello_then(five, sizeof(five), &err);
	CHECK(err == -EPROTO &&
		      tls_engine_alert(e) == TLS_ALERT_UNEXPECTED_MESSAGE,
	      "ClientHello + five CCS in one segment: unexpected_message (%s)",
	      tls_engine_reason(e));
	tls_engine_free(e);

	e = hello_then(double_body, sizeof(double_body), &err);
	CHECK(err == -EPROTO &&
		      tls_engine_alert(e) == TLS_ALERT_UNEXPECTED_MESSAGE,
	      "a CCS record of two 0x01 bytes: unexpected_message (%s)",
	      tls_engine_reason(e));
	tls_engine_free(e);

	/* Before any ClientHello there is nothing a CCS may follow. */
	e = server_new();
	err = feed(e, one, sizeof(one), &used);
	CHECK(err == -EPROTO &&
		      tls_engine_alert(e) == TLS_ALERT_UNEXPECTED_MESSAGE &&
		      !answered_server_hello(e),
	      "a CCS before the ClientHello: unexpected_message (%s)",
	      tls_engine_reason(e));
	tls_engine_free(e);
}

/*
 * §5.1: handshake messages are not interleaved with other records. After a
 * HelloRetryRequest (plaintext both ways), ClientHello2 split in two
 * records with the client's one permitted CCS between them.
 */
static void test_ccs_inside_message(void)
{
	struct tls_engine *e = server_new();
	WRITER_SCOPED(ch1, 4096);
	WRITER_SCOPED(ch2, 4096);
	WRITER_SCOPED(wire, 8192);
	size_t used = 0, half;
	int err;

	/* no share: the server asks for x25519 with a HelloRetryRequest */
	if (ch_encode(&ch1, (struct ch_spec){ .raw_key_share =
							(const uint8_t *)"\0",
						.raw_key_share_len = 2 }) ||
	    records(&wire, TLS_CT_HANDSHAKE, ch1.data, ch1.len) ||
	    ch_encode(&ch2, (struct ch_spec){ 0 }))
		abort();
	err = feed(e, wire.data, wire.len, &used);
	CHECK(!err && answered_server_hello(e),
	      "ClientHello without a share: HelloRetryRequest (%s)",
	      tls_engine_reason(e));
	writer_reset(&wire);
	half = ch2.len / 2;
	if (records(&wire, TLS_CT_HANDSHAKE, ch2.data, half) ||
	    records(&wire, TLS_CT_CHANGE_CIPHER_SPEC, ccs_body, 1) ||
	    records(&wire, TLS_CT_HANDSHAKE, ch2.data + half, ch2.len - half))
		abort();
	err = feed(e, wire.data, wire.len, &used);
	CHECK(err == -EPROTO &&
		      tls_engine_alert(e) == TLS_ALERT_UNEXPECTED_MESSAGE,
	      "a CCS between two fragments of ClientHello2: unexpected_message (%s)",
	      tls_engine_reason(e));
	tls_engine_free(e);
}

/*
 * A handshake message longer than the engine buffers (128 KiB): refused
 * from its header. Not record_overflow, which RFC 8446 §6.2 keeps for
 * records; illegal_parameter.
 */
static void test_message_too_long(void)
{
	static const uint8_t hdr[] = { 0x16, 0x03, 0x01, 0x00, 0x04,
				       0x01, 0x02, 0x00, 0x01 };
	struct tls_engine *e = server_new();
	size_t used = 0;
	int err = feed(e, hdr, sizeof(hdr), &used);

	CHECK(err == -EPROTO &&
		      tls_engine_alert(e) == TLS_ALERT_ILLEGAL_PARAMETER &&
		      output_ends_in_alert(e, TLS_ALERT_ILLEGAL_PARAMETER),
	      "a ClientHello header saying 131073 bytes: illegal_parameter at once (%s, %s)",
	      tls_alert_name(tls_engine_alert(e)), tls_engine_reason(e));
	tls_engine_free(e);
}

/* ---------------------------------------------------- the client's side */

/* A client engine offering TLS 1.2 up to max_version. */
static struct tls_engine *client_new(uint16_t max_version)
{
	struct tls_peer_request req = { .role = TLS_ROLE_CLIENT,
					.server_name = "localhost" };
	static struct tls_config cfg[2];
	struct tls_config *c = &cfg[max_version == TLS_VERSION_1_3];
	struct tls_engine *e;

	if (!c->max_version) {
		tls_config_init(c);
		c->verify_peer = false;
		c->max_version = max_version;
	}
	e = tls_engine_new(c, &req);
	if (!e)
		abort();
	return e;
}

/* Feed a client a ServerHello of this version and supported_versions. */
static int server_hello_to(struct tls_engine *e, uint16_t legacy,
			   uint16_t selected)
{
	WRITER_SCOPED(sh, 1024);
	WRITER_SCOPED(wire, 2048);
	uint8_t random[32] = { 0x33 };
	size_t used = 0;

	if (writer_u8(&sh, TLS_HS_SERVER_HELLO) || writer_open(&sh, 3) ||
	    writer_u16(&sh, legacy) || writer_bytes(&sh, random, 32) ||
	    writer_vector(&sh, 1, "", 0) ||
	    writer_u16(&sh, TLS_AES_128_GCM_SHA256) || writer_u8(&sh, 0) ||
	    writer_open(&sh, 2) ||
	    (selected && (ext_open(&sh, TLS_EXT_SUPPORTED_VERSIONS) ||
			  writer_u16(&sh, selected) ||
			  writer_close(&sh, 0, 0xffff))) ||
	    writer_close(&sh, 0, 0xffff) || writer_close(&sh, 0, 0xffffff) ||
	    records(&wire, TLS_CT_HANDSHAKE, sh.data, sh.len))
		abort();
	return feed(e, wire.data, wire.len, &used);
}

static void test_server_hello_versions(void)
{
	static const struct {
		const char *what;
		uint16_t legacy, selected;
		int alert;
	} sh_cases[] = {
		/* RFC 8446 §D.5 */
		{ "ServerHello legacy_version 0x0300", 0x0300, 0,
		  TLS_ALERT_PROTOCOL_VERSION },
		{ "ServerHello legacy_version 0x0300 with TLS 1.3 selected",
		  0x0300, TLS_VERSION_1_3, TLS_ALERT_PROTOCOL_VERSION },
		/* RFC 5246 §E.1: a version we do not speak */
		{ "ServerHello legacy_version 0x0302", 0x0302, 0,
		  TLS_ALERT_PROTOCOL_VERSION },
		{ "ServerHello legacy_version 0x0304, no supported_versions",
		  0x0304, 0, TLS_ALERT_PROTOCOL_VERSION },
		/* RFC 8446 §4.2.1: not offered, or before TLS 1.3 */
		{ "supported_versions selects 0x0303", 0x0303, 0x0303,
		  TLS_ALERT_ILLEGAL_PARAMETER },
		{ "supported_versions selects 0x0305", 0x0303, 0x0305,
		  TLS_ALERT_ILLEGAL_PARAMETER },
	};

	for (size_t i = 0; i < ARRAY_SIZE(sh_cases); i++) {
		struct tls_engine *e = client_new(TLS_VERSION_1_3);
		int err = server_hello_to(e, sh_cases[i].legacy,
					  sh_cases[i].selected);

		CHECK(err == -EPROTO &&
			      tls_engine_alert(e) == sh_cases[i].alert,
		      "%s: %s (got %s: %s)", sh_cases[i].what,
		      tls_alert_name(sh_cases[i].alert),
		      tls_alert_name(tls_engine_alert(e)),
		      tls_engine_reason(e));
		tls_engine_free(e);
	}
}

/*
 * RFC 8446 §5: a client that offers TLS 1.3 drops a CCS from the time its
 * first ClientHello went out, even before the ServerHello; RFC 5246 §7.1:
 * for a TLS 1.2 server that CCS was out of place all the same.
 */
static void test_ccs_before_server_hello(void)
{
	static const uint8_t ccs[] = { 0x14, 0x03, 0x03, 0x00, 0x01, 0x01 };
	struct tls_engine *e;
	size_t used = 0;
	int err;

	e = client_new(TLS_VERSION_1_3);
	err = feed(e, ccs, sizeof(ccs), &used);
	CHECK(!err && used == sizeof(ccs) && tls_engine_alert(e) < 0,
	      "TLS 1.3 client: a CCS before the ServerHello is dropped (%s)",
	      tls_engine_reason(e));
	err = server_hello_to(e, TLS_VERSION_1_2, 0);
	CHECK(err == -EPROTO &&
		      tls_engine_alert(e) == TLS_ALERT_UNEXPECTED_MESSAGE,
	      "... and a TLS 1.2 ServerHello after it is unexpected_message (%s)",
	      tls_engine_reason(e));
	tls_engine_free(e);

	e = client_new(TLS_VERSION_1_3);
	err = feed(e, ccs, sizeof(ccs), &used);
	if (!err)
		err = server_hello_to(e, TLS_VERSION_1_2, TLS_VERSION_1_3);
	CHECK(err && tls_engine_alert(e) != TLS_ALERT_UNEXPECTED_MESSAGE,
	      "... a TLS 1.3 ServerHello after it is judged on its own (here: %s)",
	      tls_engine_reason(e));
	tls_engine_free(e);

	e = client_new(TLS_VERSION_1_2);
	err = feed(e, ccs, sizeof(ccs), &used);
	CHECK(err == -EPROTO &&
		      tls_engine_alert(e) == TLS_ALERT_UNEXPECTED_MESSAGE,
	      "TLS 1.2-only client: a CCS before the ServerHello is unexpected_message (%s)",
	      tls_engine_reason(e));
	tls_engine_free(e);
}

int main(void)
{
	struct side s = { .id = "server-p256" };

	if (pki_make() || side_config(&server_cfg, &s, true)) {
		CHECK(0, "the test PKI and a server configuration");
		return check_summary();
	}
	test_client_hellos();
	test_ccs();
	test_ccs_inside_message();
	test_message_too_long();
	test_server_hello_versions();
	test_ccs_before_server_hello();
	tls_config_free(&server_cfg);
	pki_cleanup();
	return check_summary();
}
