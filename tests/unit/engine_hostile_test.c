// SPDX-License-Identifier: MIT
/*
 * The handshake engine against unusual and hostile peers (issue 12's
 * engine fixes), each case the bytes a real peer may send, crafted here with
 * libktlso's own codec where no peer at hand sends them:
 *  - a handshake message that fills reassembly to its limit;
 *  - TLS 1.2 warning alerts, which are not fatal (and TLS 1.3's, which are);
 *  - a TLS 1.2 server answers renegotiation_info only when it was asked;
 *  - a client refuses extensions it did not ask for (early_data,
 *    record_size_limit, an OCSP staple), from a scripted TLS 1.3 server,
 *    and a certificate_request_context in the handshake;
 *  - a verifying client without a server name is refused;
 *  - HelloRetryRequest with only a cookie, and cookies over 256 bytes;
 *  - key shares for X25519 and P-256, so a P-256 server needs no HRR.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "../lib/check.h"
#include "../lib/engine_pair.h"
#include "../lib/pki.h"
#include "crypto/kx.h"
#include "crypto/tls13_keysched.h"
#include "crypto/transcript.h"
#include "record/record.h"
#include "tls_suite.h"
#include "wire/hs_msg.h"
#include "wire/proto.h"
#include "wire/reader.h"

/* ------------------------------------------------------------- helpers */

/* One engine of a role from side options (client: server name "localhost"). */
static struct tls_engine *engine(struct tls_config *cfg, const struct side *o,
				 bool server)
{
	struct tls_peer_request req = {
		.role = server ? TLS_ROLE_SERVER : TLS_ROLE_CLIENT,
		.server_name = server ? NULL : "localhost",
	};

	if (side_config(cfg, o, server))
		return NULL;
	return tls_engine_new(cfg, &req);
}

/* msg as plaintext records of at most `max` bytes each, appended to out. */
static size_t plain_records(uint8_t type, const uint8_t *msg, size_t len,
			    size_t max, uint8_t *out)
{
	size_t n = 0;

	while (len) {
		size_t take = len < max ? len : max;

		out[n++] = type;
		out[n++] = 3;
		out[n++] = 3;
		out[n++] = take >> 8;
		out[n++] = take & 0xff;
		memcpy(out + n, msg, take);
		n += take;
		msg += take;
		len -= take;
	}
	return n;
}

/* Feed everything (the engine may stop early on failure). */
static int feed(struct tls_engine *e, const uint8_t *p, size_t len)
{
	size_t used;

	return tls_engine_feed(e, p, len, &used);
}

/* The handshake messages in an engine's plaintext output, concatenated. */
static size_t plain_handshake(struct tls_engine *e, uint8_t *out, size_t cap)
{
	const uint8_t *p;
	size_t len, n = 0;
	struct reader r;

	tls_engine_output(e, &p, &len);
	reader_init(&r, p, len);
	while (!reader_done(&r)) {
		uint8_t type;
		uint16_t version;
		uint16_t blen;
		const uint8_t *body;

		if (reader_u8(&r, &type) || reader_u16(&r, &version) ||
		    reader_u16(&r, &blen) || reader_borrow(&r, blen, &body))
			break;
		if (type != TLS_CT_HANDSHAKE)
			continue;
		if (n + blen > cap)
			break;
		memcpy(out + n, body, blen);
		n += blen;
	}
	return n;
}

/* The first handshake message of the output, of type want, decoded. */
static int first_message(struct tls_engine *e, uint8_t want, uint8_t *buf,
			 size_t cap, struct bytes *body)
{
	size_t n = plain_handshake(e, buf, cap);
	struct bytes whole;
	struct reader r;
	uint8_t type;

	reader_init(&r, buf, n);
	TRY(hs_msg_next(&r, 1 << 20, &type, body, &whole));
	return type == want ? 0 : -ENOMSG;
}

/* ------------------------------------------------------- reassembly */

/*
 * A handshake message of the largest size the engine takes (128 KiB) whose
 * last byte comes in a record of 2^14 bytes, behind all the rest: the
 * reassembly buffer must hold the message's header and all but one byte of
 * its body plus that record. The message is no ClientHello, so the engine
 * must end with decode_error, not wait.
 */
static void test_reassembly_at_limit(void)
{
	const size_t body = 128 * 1024, whole = 4 + body;
	size_t tail = TLS_MAX_PLAINTEXT, n;
	uint8_t *msg = calloc(1, whole + tail), *wire;
	struct tls_config cfg;
	struct tls_engine *e = engine(&cfg, &(struct side){ .id = "server-p256" }, true);
	int err;

	wire = malloc(2 * (whole + tail));
	if (!msg || !wire || !e)
		abort();
	msg[0] = TLS_HS_CLIENT_HELLO;
	msg[1] = (uint8_t)(body >> 16);
	msg[2] = (uint8_t)(body >> 8);
	msg[3] = (uint8_t)body;
	/* all but the last byte in full records, then that byte and more */
	n = plain_records(TLS_CT_HANDSHAKE, msg, whole - 1, TLS_MAX_PLAINTEXT,
			  wire);
	n += plain_records(TLS_CT_HANDSHAKE, msg + whole - 1, tail,
			   TLS_MAX_PLAINTEXT, wire + n);
	err = feed(e, wire, n);
	CHECK(err == -EPROTO && tls_engine_alert(e) == TLS_ALERT_DECODE_ERROR,
	      "a 128 KiB message completed by a full record is decoded (decode_error), the handshake does not hang: err %d alert %d (%s)",
	      err, tls_engine_alert(e), tls_engine_reason(e));
	tls_engine_free(e);
	tls_config_free(&cfg);
	free(msg);
	free(wire);
}

/* --------------------------------------------------- warning alerts */

static int warnings_to_inject;

/* Warning alerts ahead of the server's first flight. */
static void inject_warnings(struct pair *p, int to, int flight, uint8_t *buf,
			    size_t *len)
{
	static const uint8_t warning[] = { TLS_CT_ALERT, 3, 3, 0, 2,
					   TLS_ALERT_LEVEL_WARNING,
					   TLS_ALERT_UNRECOGNIZED_NAME };
	size_t add = warnings_to_inject * sizeof(warning);

	(void)p;
	if (to != CLIENT || flight != 0 || *len + add > TRANSIT_MAX)
		return;
	memmove(buf + add, buf, *len);
	for (int i = 0; i < warnings_to_inject; i++)
		memcpy(buf + i * sizeof(warning), warning, sizeof(warning));
	*len += add;
}

static void test_warning_alerts(void)
{
	static const struct {
		const char *ver;
		int warnings;
		bool ok;
	} cases[] = {
		/* RFC 6066 §3, RFC 5246 §7.2: a warning is not fatal */
		{ "1.2", 1, true },
		{ "1.2", 4, true },
		/* a stream of them ends the handshake */
		{ "1.2", 5, false },
		/* RFC 8446 §6.2: TLS 1.3 knows only error alerts */
		{ "1.3", 1, false },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct side c = { .min = cases[i].ver, .max = cases[i].ver,
				  .ca = "root.pem" };
		struct side s = { .id = "server-p256" };
		struct pair *p = pair_new(&c, &s);
		char label[96];

		snprintf(label, sizeof(label),
			 "TLSv%s client, %d warning unrecognized_name before ServerHello",
			 cases[i].ver, cases[i].warnings);
		warnings_to_inject = cases[i].warnings;
		p->tamper = inject_warnings;
		(void)pair_run(p);
		if (cases[i].ok)
			CHECK(pair_done(p), "%s: handshake completes: %s",
			      label, pair_status(p));
		else
			CHECK(!pair_done(p) && tls_engine_error(p->e[CLIENT]) ==
						      -ECONNRESET &&
				      tls_engine_peer_alert(p->e[CLIENT]) ==
					      TLS_ALERT_UNRECOGNIZED_NAME,
			      "%s: the client gives up on the alert: %s", label,
			      pair_status(p));
		pair_free(p);
	}
}

/* ------------------------------------------- renegotiation_info, 1.2 */

/* A TLS 1.2 ClientHello for ECDHE-ECDSA-AES128-GCM on P-256, with or
 * without the SCSV and renegotiation_info (RFC 5746 §3.4). */
static size_t client_hello_12(uint8_t *wire, bool scsv, bool ext)
{
	static const uint8_t groups[] = { 0x00, 0x17 };
	static const uint8_t schemes[] = { 0x04, 0x03 };
	static const uint8_t formats[] = { 0 }, null_compression = 0;
	uint16_t suites[] = { 0xc02b, TLS_EMPTY_RENEGOTIATION_INFO_SCSV };
	uint8_t suite_buf[4];
	struct client_hello ch = {
		.legacy_version = TLS_VERSION_1_2,
		.cipher_suites = hs_u16_list(suites, scsv ? 2 : 1, suite_buf),
		.compression = { &null_compression, 1 },
		.exts = HS_EXT_SUPPORTED_GROUPS | HS_EXT_SIGNATURE_ALGORITHMS |
			HS_EXT_EC_POINT_FORMATS |
			(ext ? HS_EXT_RENEGOTIATION_INFO : 0),
		.supported_groups = { groups, sizeof(groups) },
		.sig_algs = { schemes, sizeof(schemes) },
		.ec_point_formats = { formats, sizeof(formats) },
	};
	WRITER_SCOPED(msg, 1024);

	if (hs_client_hello_encode(&msg, &ch))
		abort();
	return plain_records(TLS_CT_HANDSHAKE, msg.data, msg.len,
			     TLS_MAX_PLAINTEXT, wire);
}

static void test_renegotiation_info(void)
{
	static const struct {
		const char *what;
		bool scsv, ext;
	} cases[] = {
		{ "neither the extension nor the SCSV", false, false },
		{ "the SCSV", true, false },
		{ "an empty renegotiation_info", false, true },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct side s = { .id = "server-p256" };
		struct tls_config cfg;
		struct tls_engine *e = engine(&cfg, &s, true);
		uint8_t wire[1024], out[8192];
		struct server_hello sh = { 0 };
		struct bytes body;
		size_t n;
		int err;

		n = client_hello_12(wire, cases[i].scsv, cases[i].ext);
		err = feed(e, wire, n);
		if (!err)
			err = first_message(e, TLS_HS_SERVER_HELLO, out,
					    sizeof(out), &body);
		if (!err)
			err = hs_server_hello_decode(body, &sh);
		/* RFC 5746 §3.6, RFC 5246 §7.4.1.4 */
		CHECK(!err && !!(sh.exts & HS_EXT_RENEGOTIATION_INFO) ==
				      (cases[i].scsv || cases[i].ext),
		      "TLSv1.2 server, ClientHello with %s: renegotiation_info %s the ServerHello (err %d, %s)",
		      cases[i].what,
		      cases[i].scsv || cases[i].ext ? "in" : "not in", err,
		      tls_engine_reason(e));
		tls_engine_free(e);
		tls_config_free(&cfg);
	}
}

/* ------------------------------------ a scripted TLS 1.3 server */

/*
 * Just enough of a TLS 1.3 server to send a client engine what no real
 * server sends it: ServerHello for X25519 and TLS_AES_128_GCM_SHA256, then
 * messages of our choosing under the server's handshake keys.
 */
struct script13 {
	struct transcript t;
	struct record_dir tx;
	uint8_t out[32768];
	size_t out_len;
};

static int script13_start(struct script13 *s, struct tls_engine *client)
{
	const struct tls_suite *suite = tls_suite_by_id(0x1301);
	SECRET_SCOPED struct secret early = { 0 }, hs = { 0 }, c_hs = { 0 },
				    s_hs = { 0 }, shared = { 0 };
	struct record_keys k = { .version = TLS_VERSION_1_3,
				 .cipher = suite->cipher };
	uint8_t buf[8192], pub[64], th[TLS_HASH_MAX];
	struct client_hello ch;
	struct server_hello sh = { 0 };
	struct bytes body, share;
	struct kx_key *kx = NULL;
	WRITER_SCOPED(msg, 1024);
	size_t publen, n;
	int err;

	memset(s, 0, sizeof(*s));
	transcript_init(&s->t);
	n = plain_handshake(client, buf, sizeof(buf));
	TRY(first_message(client, TLS_HS_CLIENT_HELLO, buf, sizeof(buf),
			  &body));
	TRY(hs_client_hello_decode(body, &ch));
	TRY(hs_key_share_find(ch.key_shares, TLS_GROUP_X25519, &share));
	TRY(transcript_add(&s->t, buf, n));
	tls_engine_output_done(client, SIZE_MAX);

	err = kx_keygen(TLS_GROUP_X25519, &kx);
	if (!err)
		err = kx_public(kx, pub, sizeof(pub), &publen);
	if (!err)
		err = kx_derive(kx, share.p, share.len, &shared);
	kx_free(kx);
	TRY(err);
	sh.legacy_version = TLS_VERSION_1_2;
	sh.session_id = ch.session_id;
	sh.cipher_suite = suite->id;
	sh.exts = HS_EXT_SUPPORTED_VERSIONS | HS_EXT_KEY_SHARE;
	sh.selected_version = TLS_VERSION_1_3;
	sh.key_share_group = TLS_GROUP_X25519;
	sh.key_share = (struct bytes){ pub, publen };
	TRY(hs_server_hello_encode(&msg, &sh));
	TRY(transcript_add(&s->t, msg.data, msg.len));
	s->out_len = plain_records(TLS_CT_HANDSHAKE, msg.data, msg.len,
				   TLS_MAX_PLAINTEXT, s->out);

	TRY(tls13_early_secret(suite->hash, NULL, 0, &early));
	TRY(tls13_handshake_secret(suite->hash, &early, shared.bytes,
				   shared.len, &hs));
	TRY(transcript_hash(&s->t, suite->hash, th));
	TRY(tls13_handshake_traffic_secrets(suite->hash, &hs, th,
					    tls_hash_len(suite->hash), &c_hs,
					    &s_hs));
	TRY(tls13_traffic_key_iv(suite->hash, &s_hs, suite->key_len,
				 suite->iv_len, &k.key, &k.iv));
	err = record_dir_keys(&s->tx, &k, RECORD_SEAL);
	record_keys_wipe(&k);
	return err;
}

/* One handshake message, sealed, onto the flight. */
static int script13_send(struct script13 *s, struct writer *msg)
{
	size_t n;

	TRY(writer_error(msg));
	TRY(transcript_add(&s->t, msg->data, msg->len));
	TRY(record_seal(&s->tx, TLS_CT_HANDSHAKE, msg->data, msg->len, 0,
			s->out + s->out_len, sizeof(s->out) - s->out_len, &n));
	s->out_len += n;
	return 0;
}

static void script13_free(struct script13 *s)
{
	transcript_free(&s->t);
	record_dir_wipe(&s->tx);
}

/* A file of the test PKI, whole. */
static size_t read_pki(const char *name, uint8_t *buf, size_t cap)
{
	FILE *f = fopen(pki(name), "rb");
	size_t n;

	if (!f)
		abort();
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

/* A certificate of the test PKI in DER. */
static size_t read_cert_der(const char *name, uint8_t *buf, size_t cap)
{
	FILE *f = fopen(pki(name), "r");
	X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
	int n = x ? i2d_X509(x, NULL) : -1;

	if (n <= 0 || (size_t)n > cap)
		abort();
	n = i2d_X509(x, &buf);
	X509_free(x);
	fclose(f);
	return (size_t)n;
}

/* RFC 8446 §4.2: a client aborts on an answer to what it never asked. */
static void test_unrequested_extensions(void)
{
	static const struct {
		const char *what;
		uint32_t ee;	/* extensions in EncryptedExtensions */
		bool staple;	/* an OCSP response in the Certificate */
	} cases[] = {
		{ "early_data in EncryptedExtensions", HS_EXT_EARLY_DATA, false },
		{ "record_size_limit in EncryptedExtensions",
		  HS_EXT_RECORD_SIZE_LIMIT, false },
		{ "an OCSP staple the client did not ask for", 0, true },
	};
	static uint8_t der[8192], ocsp[8192];
	size_t der_len = read_cert_der("server-p256.pem", der, sizeof(der));
	size_t ocsp_len = read_pki("ocsp-good.der", ocsp, sizeof(ocsp));

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		/* No verification: a verifying client asks for a staple. */
		struct side c = { .max = "1.3" };
		struct encrypted_extensions ee = {
			.exts = cases[i].ee,
			.record_size_limit = 16385,
		};
		struct certificate cert = {
			.count = 1,
			.certs = { { der, der_len } },
		};
		WRITER_SCOPED(ee_msg, 1024);
		WRITER_SCOPED(cert_msg, 32768);
		struct tls_config cfg;
		struct tls_engine *e = engine(&cfg, &c, false);
		struct script13 s;
		int err;

		if (cases[i].staple)
			cert.ocsp_response = (struct bytes){ ocsp, ocsp_len };
		err = script13_start(&s, e);
		if (!err)
			err = hs_encrypted_extensions_encode(&ee_msg, &ee);
		if (!err)
			err = script13_send(&s, &ee_msg);
		if (!err)
			err = hs_certificate_encode(&cert_msg, TLS_VERSION_1_3,
						    &cert);
		if (!err)
			err = script13_send(&s, &cert_msg);
		CHECK(!err, "scripted server for %s: %d", cases[i].what, err);
		err = feed(e, s.out, s.out_len);
		CHECK(err == -EPROTO && tls_engine_alert(e) ==
						TLS_ALERT_UNSUPPORTED_EXTENSION,
		      "TLSv1.3 client refuses %s with unsupported_extension: err %d alert %d (%s)",
		      cases[i].what, err, tls_engine_alert(e),
		      tls_engine_reason(e));
		script13_free(&s);
		tls_engine_free(e);
		tls_config_free(&cfg);
	}
}

/*
 * RFC 8446 §4.3.2, §4.4.2: certificate_request_context is for
 * post-handshake authentication, which we never offer; in the handshake's
 * CertificateRequest and the server's Certificate it is empty.
 */
static void test_handshake_request_context(void)
{
	static const uint8_t context[] = { 0x2a };
	static const uint16_t scheme[] = { TLS_SIG_ECDSA_SECP256R1_SHA256 };
	static uint8_t der[8192];
	size_t der_len = read_cert_der("server-p256.pem", der, sizeof(der));
	uint8_t schemes[sizeof(scheme)];
	struct certificate_request cr = {
		.context = { context, sizeof(context) },
		.exts = HS_EXT_SIGNATURE_ALGORITHMS,
		.sig_algs = hs_u16_list(scheme, ARRAY_SIZE(scheme), schemes),
	};
	struct certificate cert = {
		.context = { context, sizeof(context) },
		.count = 1,
		.certs = { { der, der_len } },
	};

	for (int i = 0; i < 2; i++) {
		const char *what = i ? "the server's Certificate" :
				       "a CertificateRequest";
		struct side c = { .max = "1.3" };
		struct encrypted_extensions ee = { 0 };
		WRITER_SCOPED(ee_msg, 1024);
		WRITER_SCOPED(msg, 32768);
		struct tls_config cfg;
		struct tls_engine *e = engine(&cfg, &c, false);
		struct script13 s;
		int err;

		err = script13_start(&s, e);
		if (!err)
			err = hs_encrypted_extensions_encode(&ee_msg, &ee);
		if (!err)
			err = script13_send(&s, &ee_msg);
		if (!err)
			err = i ? hs_certificate_encode(&msg, TLS_VERSION_1_3,
							&cert) :
				  hs_certificate_request_encode(
					  &msg, TLS_VERSION_1_3, &cr);
		if (!err)
			err = script13_send(&s, &msg);
		CHECK(!err, "scripted server for %s: %d", what, err);
		err = feed(e, s.out, s.out_len);
		CHECK(err == -EPROTO &&
			      tls_engine_alert(e) == TLS_ALERT_ILLEGAL_PARAMETER,
		      "a certificate_request_context in %s: illegal_parameter (err %d, alert %d: %s)",
		      what, err, tls_engine_alert(e), tls_engine_reason(e));
		script13_free(&s);
		tls_engine_free(e);
		tls_config_free(&cfg);
	}
}

/* A TLS 1.2 ServerHello may not carry record_size_limit either. */
static void test_unrequested_record_size_limit_12(void)
{
	struct side c = { .max = "1.2", .ca = "root.pem" };
	struct server_hello sh = {
		.legacy_version = TLS_VERSION_1_2,
		.cipher_suite = 0xc02b,
		.exts = HS_EXT_RECORD_SIZE_LIMIT,
		.record_size_limit = 16385,
	};
	WRITER_SCOPED(msg, 1024);
	struct tls_config cfg;
	struct tls_engine *e = engine(&cfg, &c, false);
	uint8_t wire[1024];
	int err;

	err = hs_server_hello_encode(&msg, &sh);
	if (!err)
		err = feed(e, wire,
			   plain_records(TLS_CT_HANDSHAKE, msg.data, msg.len,
					 TLS_MAX_PLAINTEXT, wire));
	CHECK(err == -EPROTO &&
		      tls_engine_alert(e) == TLS_ALERT_UNSUPPORTED_EXTENSION,
	      "TLSv1.2 client refuses record_size_limit in ServerHello with unsupported_extension: err %d alert %d (%s)",
	      err, tls_engine_alert(e), tls_engine_reason(e));
	tls_engine_free(e);
	tls_config_free(&cfg);
}

/* ------------------------------------------ verify_peer, no server name */

static void test_verify_without_name(void)
{
	struct side c = { .ca = "root.pem" };
	struct tls_peer_request req = { .role = TLS_ROLE_CLIENT };
	struct tls_config cfg;
	struct tls_engine *e;

	if (side_config(&cfg, &c, false))
		abort();
	errno = 0;
	e = tls_engine_new(&cfg, &req);
	CHECK(!e && errno == EINVAL,
	      "a verifying client without a server name is refused (EINVAL), not left to check a chain for no name: %s",
	      e ? "engine made" : strerror(errno));
	tls_engine_free(e);
	req.server_name = "";
	e = tls_engine_new(&cfg, &req);
	CHECK(!e && errno == EINVAL,
	      "... nor with an empty one: %s",
	      e ? "engine made" : strerror(errno));
	tls_engine_free(e);
	cfg.verify_peer = false;
	e = tls_engine_new(&cfg, &req);
	CHECK(e != NULL, "a client that does not verify needs no name: %s",
	      e ? "ok" : strerror(errno));
	tls_engine_free(e);
	tls_config_free(&cfg);
}

/* ------------------------------------------------ HelloRetryRequest */

/* The client's ClientHello (the first message of its output), decoded. */
static int take_client_hello(struct tls_engine *e, uint8_t *buf, size_t cap,
			     struct client_hello *ch)
{
	struct bytes body;

	TRY(first_message(e, TLS_HS_CLIENT_HELLO, buf, cap, &body));
	tls_engine_output_done(e, SIZE_MAX);
	return hs_client_hello_decode(body, ch);
}

static void test_hello_retry(void)
{
	static const struct {
		const char *what;
		size_t cookie;
		uint16_t group;	/* HRR key_share, 0: none */
		int alert;	/* 0: answered */
	} cases[] = {
		{ "only a cookie", 40, 0, 0 },
		{ "only a 300-byte cookie", 300, 0, 0 },
		/* as much as an HRR's extensions block leaves room for */
		{ "only a 65000-byte cookie", 65000, 0, 0 },
		{ "P-384 and a 1000-byte cookie", 1000, TLS_GROUP_SECP384R1,
		  0 },
		{ "P-384, no cookie", 0, TLS_GROUP_SECP384R1, 0 },
		/* RFC 8446 §4.1.4 */
		{ "neither a cookie nor a group", 0, 0,
		  TLS_ALERT_ILLEGAL_PARAMETER },
		/* §4.2.8: a group we sent a share for */
		{ "P-256, which the client sent a share for", 0,
		  TLS_GROUP_SECP256R1, TLS_ALERT_ILLEGAL_PARAMETER },
	};
	static uint8_t cookie[65535], ch1_buf[8192], ch2_buf[80000];

	for (size_t i = 0; i < sizeof(cookie); i++)
		cookie[i] = (uint8_t)(i * 7 + 1);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct side c = { .max = "1.3", .ca = "root.pem" };
		struct tls_config cfg;
		struct tls_engine *e = engine(&cfg, &c, false);
		struct client_hello ch1, ch2;
		struct server_hello hrr = {
			.legacy_version = TLS_VERSION_1_2,
			.cipher_suite = 0x1301,
			.is_hrr = true,
			.exts = HS_EXT_SUPPORTED_VERSIONS,
			.selected_version = TLS_VERSION_1_3,
			.key_share_group = cases[i].group,
			.cookie = { cookie, cases[i].cookie },
		};
		WRITER_SCOPED(msg, 1024 + 65536);
		uint8_t *wire = malloc(80000);
		struct bytes share;
		char label[128];
		int err;

		snprintf(label, sizeof(label), "HelloRetryRequest with %s",
			 cases[i].what);
		err = take_client_hello(e, ch1_buf, sizeof(ch1_buf), &ch1);
		if (cases[i].group)
			hrr.exts |= HS_EXT_KEY_SHARE;
		if (cases[i].cookie)
			hrr.exts |= HS_EXT_COOKIE;
		hrr.session_id = ch1.session_id;
		if (!err)
			err = hs_server_hello_encode(&msg, &hrr);
		if (!err)
			err = feed(e, wire,
				   plain_records(TLS_CT_HANDSHAKE, msg.data,
						 msg.len, TLS_MAX_PLAINTEXT,
						 wire));
		if (cases[i].alert) {
			CHECK(err == -EPROTO &&
				      tls_engine_alert(e) == cases[i].alert,
			      "%s: refused with %s: err %d alert %d (%s)",
			      label, tls_alert_name(cases[i].alert), err,
			      tls_engine_alert(e), tls_engine_reason(e));
			goto next;
		}
		if (!err)
			err = take_client_hello(e, ch2_buf, sizeof(ch2_buf),
						&ch2);
		CHECK(!err, "%s: answered with a second ClientHello: err %d (%s)",
		      label, err, tls_engine_reason(e));
		if (err)
			goto next;
		/* §4.2.2: the cookie as it came */
		CHECK(ch2.cookie.len == cases[i].cookie &&
			      (!ch2.cookie.len ||
			       !memcmp(ch2.cookie.p, cookie, ch2.cookie.len)),
		      "%s: the cookie is echoed (%zu bytes)", label,
		      ch2.cookie.len);
		if (!cases[i].group)
			/* §4.1.2: nothing else changes, the shares included */
			CHECK(ch2.key_shares.len == ch1.key_shares.len &&
				      !memcmp(ch2.key_shares.p,
					      ch1.key_shares.p,
					      ch1.key_shares.len),
			      "%s: the same key shares again", label);
		else
			CHECK(!hs_key_share_find(ch2.key_shares,
						 cases[i].group, &share) &&
				      hs_key_share_find(ch2.key_shares,
							TLS_GROUP_X25519,
							&share),
			      "%s: one share, for the group asked for", label);
next:
		free(wire);
		tls_engine_free(e);
		tls_config_free(&cfg);
	}
}

/* A TLS 1.3 ClientHello with a real share for group, maybe offering early data. */
static size_t client_hello_13(uint8_t *wire, uint16_t group, bool early_data)
{
	static const uint8_t groups[] = { 0x00, 0x1d, 0x00, 0x17 };
	static const uint8_t schemes[] = { 0x04, 0x03 };
	static const uint8_t versions[] = { 0x03, 0x04 }, null_compression = 0;
	static const uint16_t suites[] = { 0x1301 };
	uint8_t suite_buf[2], shares[160], pub[128];
	struct client_hello ch = {
		.legacy_version = TLS_VERSION_1_2,
		.cipher_suites = hs_u16_list(suites, 1, suite_buf),
		.compression = { &null_compression, 1 },
		.exts = HS_EXT_SUPPORTED_GROUPS | HS_EXT_SIGNATURE_ALGORITHMS |
			HS_EXT_SUPPORTED_VERSIONS | HS_EXT_KEY_SHARE |
			(early_data ? HS_EXT_EARLY_DATA : 0),
		.supported_groups = { groups, sizeof(groups) },
		.sig_algs = { schemes, sizeof(schemes) },
		.supported_versions = { versions, sizeof(versions) },
	};
	WRITER_SCOPED(msg, 1024);
	struct kx_key *kx = NULL;
	size_t publen;

	ch.key_shares = (struct bytes){ shares, 0 };
	if (kx_keygen(group, &kx) || kx_public(kx, pub, sizeof(pub), &publen) ||
	    hs_key_share_add(shares, sizeof(shares), &ch.key_shares, group,
			     (struct bytes){ pub, publen }) ||
	    hs_client_hello_encode(&msg, &ch))
		abort();
	kx_free(kx);
	return plain_records(TLS_CT_HANDSHAKE, msg.data, msg.len,
			     TLS_MAX_PLAINTEXT, wire);
}

/* RFC 8446 §4.2.10: ClientHello2 must not offer early data again. */
static void test_early_data_in_second_hello(void)
{
	struct side s = { .id = "server-p256", .groups = "P-256" };
	struct tls_config cfg;
	struct tls_engine *e = engine(&cfg, &s, true);
	uint8_t wire[1024];
	int err;

	err = feed(e, wire, client_hello_13(wire, TLS_GROUP_X25519, true));
	CHECK(!err && tls_engine_alert(e) < 0,
	      "TLSv1.3 server, ClientHello offering early data with an X25519 share only: a HelloRetryRequest for P-256: err %d (%s)",
	      err, tls_engine_reason(e));
	tls_engine_output_done(e, SIZE_MAX);
	/* the P-256 share asked for, and early_data again */
	err = feed(e, wire, client_hello_13(wire, TLS_GROUP_SECP256R1, true));
	CHECK(err == -EPROTO &&
		      tls_engine_alert(e) == TLS_ALERT_ILLEGAL_PARAMETER,
	      "... a second ClientHello offering early data again: illegal_parameter: err %d alert %d (%s)",
	      err, tls_engine_alert(e), tls_engine_reason(e));
	tls_engine_free(e);
	tls_config_free(&cfg);
}

/* ------------------------------------------------------- key shares */

static void test_default_key_shares(void)
{
	static const uint16_t want[] = { TLS_GROUP_X25519,
					 TLS_GROUP_SECP256R1 };
	struct side c = { .ca = "root.pem" };
	struct tls_config cfg;
	struct tls_engine *e = engine(&cfg, &c, false);
	uint8_t buf[8192];
	struct client_hello ch;
	struct reader r;
	size_t n = 0;
	bool in_order = !take_client_hello(e, buf, sizeof(buf), &ch);

	/* KeyShareEntry: group, key_exchange<1..2^16-1> (RFC 8446 §4.2.8) */
	reader_init(&r, ch.key_shares.p, ch.key_shares.len);
	while (in_order && !reader_done(&r)) {
		uint16_t g;
		struct reader ke;

		if (reader_u16(&r, &g) || reader_vector(&r, 2, 1, 0xffff, &ke) ||
		    n >= ARRAY_SIZE(want) || g != want[n++])
			in_order = false;
	}
	CHECK(in_order && n == 2,
	      "the default ClientHello carries key shares for X25519 and P-256, in that order");
	tls_engine_free(e);
	tls_config_free(&cfg);

	/* A P-256-only server picks the second share: no HRR (§4.1.1). */
	for (int i = 0; i < 2; i++) {
		const char *groups = i ? "P-384" : "P-256";
		struct side s = { .id = "server-p256", .groups = groups };
		struct pair *p = pair_new(&c, &s);
		int flights = i ? 3 : 2;

		(void)pair_run(p);
		CHECK(pair_done(p) && p->flights[CLIENT] == flights &&
			      p->res[CLIENT].group ==
				      (i ? TLS_GROUP_SECP384R1 :
					   TLS_GROUP_SECP256R1),
		      "default client -> %s-only server: done in %d client flights (%s): %d flights, %s",
		      groups, flights, i ? "one HelloRetryRequest" : "no HelloRetryRequest",
		      p->flights[CLIENT], pair_status(p));
		pair_free(p);
	}
}

int main(void)
{
	if (pki_make())
		return 1;
	test_reassembly_at_limit();
	test_warning_alerts();
	test_renegotiation_info();
	test_unrequested_extensions();
	test_unrequested_record_size_limit_12();
	test_handshake_request_context();
	test_verify_without_name();
	test_hello_retry();
	test_early_data_in_second_hello();
	test_default_key_shares();
	pki_cleanup();
	return check_summary();
}
