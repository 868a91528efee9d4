// SPDX-License-Identifier: MIT
/*
 * userspace/lib/wire/hs_msg.c against RFC 8448's handshake messages, and every
 * message struct through encode, decode and encode again in both versions.
 *
 *  - RFC 8448 §3 "Simple 1-RTT Handshake" and the §5 HelloRetryRequest:
 *    each message decodes to the values the RFC prints elsewhere in the
 *    trace (the x25519 public keys derived from its private keys, the
 *    certificate, a CertificateVerify signature that verifies) and encodes
 *    back to the identical bytes.
 *  - Every strict prefix of every message is -EBADMSG, as is one byte more.
 *  - Message-level rejections; extension-level ones are in hs_ext_test.c,
 *    real OpenSSL peers in hs_msg_openssl_test.c.
 */
#include <errno.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "../lib/hex.h"
#include "../lib/hs_any.h"
#include "../lib/rfc8448.h"

static struct hexbuf msg[RFC8448_COUNT];

static struct hs_kind kind_of(enum rfc8448_msg i)
{
	return (struct hs_kind){ rfc8448[i].type, rfc8448[i].version, true };
}

static struct bytes body_of(enum rfc8448_msg i)
{
	struct bytes body = { NULL, 0 };

	if (hs_any_split(kind_of(i), msg[i].b, msg[i].len, &body))
		body.len = 0;
	return body;
}

static bool equal(struct bytes b, const char *hex)
{
	return bytes_are(b.p, b.len, hex);
}

/* SHA-256 of the concatenation of messages first..last */
static void transcript(enum rfc8448_msg last, uint8_t out[32])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);

	for (int i = RFC8448_CLIENT_HELLO; ok && i <= (int)last; i++)
		ok = EVP_DigestUpdate(ctx, msg[i].b, msg[i].len);
	if (!ok || !EVP_DigestFinal_ex(ctx, out, NULL))
		memset(out, 0, 32);
	EVP_MD_CTX_free(ctx);
}

/* The messages are pasted right: they hash to the RFC's transcript hashes. */
static void test_rfc8448_verbatim(void)
{
	uint8_t h[32];

	for (int i = 0; i < RFC8448_COUNT; i++)
		msg[i] = unhex(rfc8448[i].hex);
	transcript(RFC8448_SERVER_HELLO, h);
	CHECK_HEX(h, 32, "86 0c 06 ed c0 78 58 ee 8e 78 f0 e7 42 8c 58 ed d6 b4 3f 2c a3 e6 e9 5f 02 ed 06 3c f0 e1 ca d8",
		  "RFC 8448 §3: Hash(ClientHello..ServerHello)");
	transcript(RFC8448_SERVER_FINISHED, h);
	CHECK_HEX(h, 32, "96 08 10 2a 0f 1c cc 6d b6 25 0b 7b 7e 41 7b 1a 00 0e aa da 3d aa e4 77 7a 76 86 c9 ff 83 df 13",
		  "RFC 8448 §3: Hash(ClientHello..server Finished)");
	transcript(RFC8448_CLIENT_FINISHED, h);
	CHECK_HEX(h, 32, "20 91 45 a9 6e e8 e2 a1 22 ff 81 00 47 cc 95 26 84 65 8d 60 49 e8 64 29 42 6d b8 7c 54 ad 14 3d",
		  "RFC 8448 §3: Hash(ClientHello..client Finished)");
}

/* The X25519 public key of a private key the RFC prints. */
static bool x25519_public_is(const char *priv_hex, struct bytes pub)
{
	struct hexbuf priv = unhex(priv_hex);
	uint8_t out[32];
	size_t n = sizeof(out);
	EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL,
						   priv.b, priv.len);
	bool ok = k && EVP_PKEY_get_raw_public_key(k, out, &n) &&
		  n == pub.len && !memcmp(out, pub.p, n);

	EVP_PKEY_free(k);
	return ok;
}

/*
 * Every strict prefix of a valid body is -EBADMSG, and so is the body with
 * one byte more. Not for Finished, whose body is verify_data of any length.
 */
static void check_malformed(const char *what, struct hs_kind k,
			    struct bytes body)
{
	size_t bad = hs_any_bad_truncation(k, body);

	CHECK(bad == SIZE_MAX, "%s: every truncation is -EBADMSG", what);
	if (bad != SIZE_MAX)
		printf("    the %zu-byte prefix is not\n", bad);
	CHECK(hs_any_rejects_extra_byte(k, body),
	      "%s with one byte more is -EBADMSG", what);
}

/* Decoding and re-encoding one RFC message, and breaking it. */
static void check_both_ways(enum rfc8448_msg i, union hs_any *m)
{
	struct bytes body = body_of(i);

	if (i != RFC8448_SERVER_FINISHED && i != RFC8448_CLIENT_FINISHED)
		check_malformed(rfc8448[i].name, kind_of(i), body);
	CHECK(body.len && hs_any_decode(kind_of(i), body, m) == 0,
	      "%s decodes", rfc8448[i].name);
	/* NewSessionTicket drops its early_data extension (wire/hs_msg.h) */
	if (i != RFC8448_NEW_SESSION_TICKET)
		CHECK(hs_any_encodes_to(kind_of(i), m, msg[i].b, msg[i].len),
		      "%s encodes back to the RFC's bytes", rfc8448[i].name);
}

static void test_rfc8448_client_hello(void)
{
	const struct client_hello *ch;
	union hs_any m;
	struct bytes ke;
	uint16_t v;

	check_both_ways(RFC8448_CLIENT_HELLO, &m);
	ch = &m.ch;
	CHECK(ch->legacy_version == TLS_VERSION_1_2 &&
		      bytes_are(ch->random, 32, "cb 34 ec b1 e7 81 63 ba 1c 38 c6 da cb 19 6a 6d ff a2 1a 8d 99 12 ec 18 a2 ef 62 83 02 4d ec e7") &&
		      !ch->session_id.len,
	      "ClientHello: legacy_version, random, empty session id");
	CHECK(equal(ch->cipher_suites, "1301 1303 1302") &&
		      equal(ch->compression, "00"),
	      "ClientHello: the three TLS 1.3 suites, null compression");
	CHECK(ch->exts == (HS_EXT_SERVER_NAME | HS_EXT_RENEGOTIATION_INFO |
			   HS_EXT_SUPPORTED_GROUPS | HS_EXT_SESSION_TICKET |
			   HS_EXT_KEY_SHARE | HS_EXT_SUPPORTED_VERSIONS |
			   HS_EXT_SIGNATURE_ALGORITHMS |
			   HS_EXT_PSK_KEY_EXCHANGE_MODES |
			   HS_EXT_RECORD_SIZE_LIMIT),
	      "ClientHello: exactly the nine extensions sent");
	CHECK(equal(ch->server_name, "736572766572") &&
		      !ch->renegotiation_info.len && !ch->session_ticket.len,
	      "ClientHello: server_name \"server\", empty renegotiation_info "
	      "and session_ticket");
	CHECK(hs_u16_list_at(ch->supported_groups, 0, &v) &&
		      v == TLS_GROUP_X25519 &&
		      hs_u16_list_has(ch->supported_groups, 0x0104) &&
		      ch->supported_groups.len == 18,
	      "ClientHello: nine groups, x25519 first");
	CHECK(hs_key_share_find(ch->key_shares, TLS_GROUP_X25519, &ke) == 0 &&
		      x25519_public_is("49 af 42 ba 7f 79 94 85 2d 71 3e f2 78 4b cb ca a7 91 1d e2 6a dc 56 42 cb 63 45 40 e7 ea 50 05",
				       ke),
	      "ClientHello: the x25519 share is the public key of the "
	      "client's private key in the RFC");
	CHECK(hs_key_share_find(ch->key_shares, TLS_GROUP_SECP256R1, &ke) ==
		      -ENOENT,
	      "ClientHello: no secp256r1 share");
	CHECK(equal(ch->supported_versions, "0304") &&
		      hs_u16_list_has(ch->sig_algs,
				      TLS_SIG_RSA_PSS_RSAE_SHA256) &&
		      ch->sig_algs.len == 30 && equal(ch->psk_modes, "01") &&
		      ch->record_size_limit == 0x4001,
	      "ClientHello: versions, 15 signature schemes, psk_dhe_ke, "
	      "record_size_limit 16385");
}

static void test_rfc8448_server_hello(void)
{
	const struct server_hello *sh;
	union hs_any m;

	check_both_ways(RFC8448_SERVER_HELLO, &m);
	sh = &m.sh;
	CHECK(!sh->is_hrr && sh->cipher_suite == TLS_AES_128_GCM_SHA256 &&
		      sh->compression == 0 && !sh->session_id.len,
	      "ServerHello: TLS_AES_128_GCM_SHA256, not an HRR");
	CHECK(sh->exts == (HS_EXT_KEY_SHARE | HS_EXT_SUPPORTED_VERSIONS) &&
		      sh->selected_version == TLS_VERSION_1_3,
	      "ServerHello: key_share and supported_versions 0x0304");
	CHECK(sh->key_share_group == TLS_GROUP_X25519 &&
		      x25519_public_is("b1 58 0e ea df 6d d5 89 b8 ef 4f 2d 56 52 57 8c c8 10 e9 98 01 91 ec 8d 05 83 08 ce a2 16 a2 1e",
				       sh->key_share),
	      "ServerHello: x25519 share of the server's private key");
}

static void test_rfc8448_encrypted_extensions(void)
{
	union hs_any m;

	check_both_ways(RFC8448_ENCRYPTED_EXTENSIONS, &m);
	CHECK(m.ee.exts == (HS_EXT_SUPPORTED_GROUPS | HS_EXT_SERVER_NAME |
			    HS_EXT_RECORD_SIZE_LIMIT) &&
		      hs_u16_list_has(m.ee.supported_groups,
				      TLS_GROUP_X25519) &&
		      m.ee.record_size_limit == 0x4001 && !m.ee.alpn.len,
	      "EncryptedExtensions: groups, record_size_limit, empty "
	      "server_name");
}

/* RFC 8446 §4.4.3: the content a TLS 1.3 server signs */
static size_t cv_content(const uint8_t hash[32], uint8_t *out)
{
	static const char ctx[] = "TLS 1.3, server CertificateVerify";

	memset(out, 0x20, 64);
	memcpy(out + 64, ctx, sizeof(ctx)); /* with its 0 byte */
	memcpy(out + 64 + sizeof(ctx), hash, 32);
	return 64 + sizeof(ctx) + 32;
}

static void test_rfc8448_certificate(void)
{
	union hs_any m, cv;
	const uint8_t *der;
	uint8_t hash[32], content[200];
	X509 *x = NULL;
	EVP_PKEY *key;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	size_t n;
	int verified = 0;

	check_both_ways(RFC8448_CERTIFICATE, &m);
	CHECK(!m.cert.context.len && m.cert.count == 1 &&
		      m.cert.certs[0].len == 432 && !m.cert.ocsp_response.len,
	      "Certificate: no context, one 432-byte certificate");
	der = m.cert.certs[0].p;
	if (m.cert.count == 1)
		x = d2i_X509(NULL, &der, (long)m.cert.certs[0].len);
	CHECK(x && der == m.cert.certs[0].p + m.cert.certs[0].len,
	      "Certificate: the entry is exactly one DER certificate");

	check_both_ways(RFC8448_CERTIFICATE_VERIFY, &cv);
	CHECK(cv.cv.sig_scheme == TLS_SIG_RSA_PSS_RSAE_SHA256 &&
		      cv.cv.signature.len == 128,
	      "CertificateVerify: rsa_pss_rsae_sha256, 128-byte signature");

	/* The decoded signature verifies under the decoded certificate. */
	transcript(RFC8448_CERTIFICATE, hash);
	n = cv_content(hash, content);
	key = x ? X509_get0_pubkey(x) : NULL;
	if (key && ctx &&
	    EVP_DigestVerifyInit(ctx, &pctx, EVP_sha256(), NULL, key) == 1 &&
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1)
		verified = EVP_DigestVerify(ctx, cv.cv.signature.p,
					    cv.cv.signature.len, content,
					    n) == 1;
	CHECK(verified, "CertificateVerify: its signature verifies with the "
			"Certificate's key over the RFC transcript");
	EVP_MD_CTX_free(ctx);
	X509_free(x);
}

static void test_rfc8448_finished_and_ticket(void)
{
	union hs_any m;

	check_both_ways(RFC8448_SERVER_FINISHED, &m);
	CHECK(equal(m.fin.verify_data, "9b 9b 14 1d 90 63 37 fb d2 cb dc e7 1d f4 de da 4a b4 2c 30 95 72 cb 7f ff ee 54 54 b7 8f 07 18"),
	      "server Finished: the verify_data of RFC 8448 §3");
	check_both_ways(RFC8448_CLIENT_FINISHED, &m);
	CHECK(equal(m.fin.verify_data, "a8 ec 43 6d 67 76 34 ae 52 5a c1 fc eb e1 1a 03 9e c1 76 94 fa c6 e9 85 27 b6 42 f2 ed d5 ce 61"),
	      "client Finished: the verify_data of RFC 8448 §3");

	check_both_ways(RFC8448_NEW_SESSION_TICKET, &m);
	CHECK(m.nst.lifetime == 30 && m.nst.age_add == 0xfad6aac5 &&
		      equal(m.nst.nonce, "0000") && m.nst.ticket.len == 178,
	      "NewSessionTicket: lifetime 30, age_add, nonce 00 00, a "
	      "178-byte ticket (its early_data extension dropped)");
}

static void test_rfc8448_hello_retry_request(void)
{
	const struct server_hello *sh;
	union hs_any m;

	check_both_ways(RFC8448_HELLO_RETRY_REQUEST, &m);
	sh = &m.sh;
	CHECK(sh->is_hrr && sh->cipher_suite == TLS_AES_128_GCM_SHA256,
	      "HelloRetryRequest: recognised by its random");
	CHECK(sh->exts == (HS_EXT_KEY_SHARE | HS_EXT_COOKIE |
			   HS_EXT_SUPPORTED_VERSIONS) &&
		      sh->key_share_group == TLS_GROUP_SECP256R1 &&
		      !sh->key_share.len && sh->selected_version == 0x0304,
	      "HelloRetryRequest: selected_group secp256r1, no key");
	CHECK(sh->cookie.len == 114 && sh->cookie.p[0] == 0x71 &&
		      sh->cookie.p[113] == 0xb0,
	      "HelloRetryRequest: the 114-byte cookie");
}

/* hs_msg_next over the server's first flight, one message at a time. */
static void test_framing(void)
{
	static const enum rfc8448_msg flight[] = {
		RFC8448_SERVER_HELLO, RFC8448_ENCRYPTED_EXTENSIONS,
		RFC8448_CERTIFICATE, RFC8448_CERTIFICATE_VERIFY,
		RFC8448_SERVER_FINISHED,
	};
	uint8_t buf[1024];
	struct bytes body, whole;
	struct reader r;
	size_t len = 0, i, pos;
	uint8_t type;
	int ok = 1;

	for (i = 0; i < 5; i++) {
		memcpy(buf + len, msg[flight[i]].b, msg[flight[i]].len);
		len += msg[flight[i]].len;
	}
	reader_init(&r, buf, len);
	for (i = 0; i < 5 && ok; i++) {
		const struct hexbuf *m = &msg[flight[i]];

		ok = hs_msg_next(&r, 0xffffff, &type, &body, &whole) == 0 &&
		     type == rfc8448[flight[i]].type &&
		     whole.len == m->len && !memcmp(whole.p, m->b, m->len) &&
		     body.p == whole.p + 4 && body.len == m->len - 4;
	}
	CHECK(ok && reader_done(&r),
	      "hs_msg_next splits the flight into its five messages");
	CHECK(hs_msg_next(&r, 0xffffff, &type, &body, &whole) == -EAGAIN,
	      "and then wants more");

	/* Every incomplete prefix: -EAGAIN, and the reader stays put. */
	for (i = 0, ok = 1; i < msg[RFC8448_CERTIFICATE].len && ok; i++) {
		reader_init(&r, msg[RFC8448_CERTIFICATE].b, i);
		pos = r.pos;
		ok = hs_msg_next(&r, 0xffffff, &type, &body, &whole) ==
			     -EAGAIN &&
		     r.pos == pos;
	}
	CHECK(ok, "a message cut anywhere is -EAGAIN, reader untouched");
	reader_init(&r, msg[RFC8448_CERTIFICATE].b, 4);
	CHECK(hs_msg_next(&r, 440, &type, &body, &whole) == -EMSGSIZE &&
		      r.pos == 0,
	      "a 441-byte body over a 440-byte limit is -EMSGSIZE from the "
	      "header alone");
	reader_init(&r, msg[RFC8448_CERTIFICATE].b,
		    msg[RFC8448_CERTIFICATE].len);
	CHECK(hs_msg_next(&r, 441, &type, &body, &whole) == 0,
	      "and fits a 441-byte limit");
}

/*
 * Encode m, split, decode, encode again: the same bytes both times. *out
 * is the decoded struct, borrowing from a buffer kept until the next call.
 */
static void check_round_trip(const char *what, struct hs_kind k,
			     const union hs_any *m, union hs_any *out)
{
	static struct writer w;
	struct bytes body = { NULL, 0 };
	bool ok;

	writer_free(&w);
	writer_init(&w, 1 << 20);
	ok = hs_any_encode(&w, k, m) == 0 &&
	     hs_any_split(k, w.data, w.len, &body) == 0 &&
	     hs_any_decode(k, body, out) == 0 &&
	     hs_any_encodes_to(k, out, w.data, w.len);
	CHECK(ok, "%s: encode, decode, encode gives the same bytes", what);
	if (ok && k.type != TLS_HS_FINISHED)
		check_malformed(what, k, body);
	if (ok)
		(void)hs_any_decode(k, body, out);
}

#define B(s) ((struct bytes){ (const uint8_t *)(s), sizeof(s) - 1 })

static void test_round_trip_hellos(void)
{
	union hs_any m, out;
	const struct client_hello *c = &out.ch;
	const struct server_hello *s = &out.sh;

	memset(&m, 0, sizeof(m));
	m.ch = (struct client_hello){
		.legacy_version = TLS_VERSION_1_2,
		.session_id = B("0123456789abcdef0123456789abcdef"),
		.cipher_suites = B("\x13\x01\xc0\x2b\x00\xff"),
		.compression = B("\x00"),
		.exts = 0x7ffff & ~HS_EXT_PRE_SHARED_KEY,
		.server_name = B("example.test"),
		.supported_groups = B("\x00\x1d\x00\x17"),
		.ec_point_formats = B("\x00"),
		.sig_algs = B("\x08\x04\x04\x03"),
		.sig_algs_cert = B("\x04\x01"),
		.alpn = B("\x02h2\x08http/1.1"),
		.renegotiation_info = B(""),
		.session_ticket = B("opaque ticket"),
		.supported_versions = B("\x03\x04\x03\x03"),
		.key_shares = B("\x00\x1d\x00\x02xy\x00\x17\x00\x01z"),
		.cookie = B("cookie"),
		.psk_modes = B("\x01"),
		.authorities = B("\x00\x03" "abc"),
		.record_size_limit = 64,
	};
	memset(m.ch.random, 0x5a, sizeof(m.ch.random));
	check_round_trip("ClientHello with every extension",
			 HS_KIND(CLIENT_HELLO), &m, &out);
	CHECK(c->exts == m.ch.exts && c->record_size_limit == 64 &&
		      equal(c->server_name, "6578616d706c652e74657374") &&
		      equal(c->authorities, "0003616263") &&
		      c->random[31] == 0x5a && c->session_id.len == 32,
	      "ClientHello: fields survive");

	m.ch.exts = 0;
	check_round_trip("ClientHello without extensions",
			 HS_KIND(CLIENT_HELLO), &m, &out);

	memset(&m, 0, sizeof(m));
	m.sh = (struct server_hello){
		.legacy_version = TLS_VERSION_1_2,
		.session_id = B("sid"),
		.cipher_suite = TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
		.exts = HS_EXT_RENEGOTIATION_INFO | HS_EXT_SERVER_NAME |
			HS_EXT_EC_POINT_FORMATS | HS_EXT_SESSION_TICKET |
			HS_EXT_STATUS_REQUEST | HS_EXT_ALPN |
			HS_EXT_ENCRYPT_THEN_MAC |
			HS_EXT_EXTENDED_MASTER_SECRET |
			HS_EXT_RECORD_SIZE_LIMIT,
		.alpn = B("h2"),
		.renegotiation_info = B("0123456789abcdef01234567"),
		.ec_point_formats = B("\x00"),
		.record_size_limit = 0x4001,
	};
	check_round_trip("TLS 1.2 ServerHello with its extensions",
			 HS_KIND(SERVER_HELLO), &m, &out);
	CHECK(s->exts == m.sh.exts && equal(s->alpn, "6832") &&
		      s->renegotiation_info.len == 24 && !s->is_hrr,
	      "TLS 1.2 ServerHello: fields survive");

	m.sh.exts = 0;
	check_round_trip("TLS 1.2 ServerHello without extensions",
			 HS_KIND(SERVER_HELLO), &m, &out);

	m.sh = (struct server_hello){
		.legacy_version = TLS_VERSION_1_2,
		.cipher_suite = TLS_AES_256_GCM_SHA384,
		.exts = HS_EXT_SUPPORTED_VERSIONS | HS_EXT_KEY_SHARE,
		.selected_version = TLS_VERSION_1_3,
		.key_share_group = TLS_GROUP_SECP256R1,
		.key_share = B("\x04 pretend this is a point"),
	};
	check_round_trip("TLS 1.3 ServerHello",
			 HS_KIND(SERVER_HELLO), &m, &out);
	CHECK(s->key_share_group == TLS_GROUP_SECP256R1 &&
		      s->key_share.len == 25,
	      "TLS 1.3 ServerHello: the share survives");

	m.sh = (struct server_hello){
		.legacy_version = TLS_VERSION_1_2,
		.cipher_suite = TLS_AES_128_GCM_SHA256,
		.is_hrr = true,
		.exts = HS_EXT_SUPPORTED_VERSIONS | HS_EXT_KEY_SHARE,
		.selected_version = TLS_VERSION_1_3,
		.key_share_group = TLS_GROUP_X25519,
	};
	check_round_trip("HelloRetryRequest without a cookie",
			 HS_KIND(SERVER_HELLO), &m, &out);
	CHECK(s->is_hrr && !memcmp(s->random, tls13_hrr_random, 32) &&
		      s->key_share_group == TLS_GROUP_X25519,
	      "HelloRetryRequest: the encoder writes the HRR random itself");
}

static void test_round_trip_others(void)
{
	static const uint16_t versions[] = { TLS_VERSION_1_2, TLS_VERSION_1_3 };
	union hs_any m, out;
	struct writer params;
	char what[64];

	memset(&m, 0, sizeof(m));
	m.ee = (struct encrypted_extensions){
		.exts = HS_EXT_SUPPORTED_GROUPS | HS_EXT_RECORD_SIZE_LIMIT |
			HS_EXT_SERVER_NAME | HS_EXT_ALPN | HS_EXT_EARLY_DATA,
		.alpn = B("http/1.1"),
		.supported_groups = B("\x00\x1d"),
		.record_size_limit = 0x4001,
	};
	check_round_trip("EncryptedExtensions with every extension",
			 HS_KIND(ENCRYPTED_EXTENSIONS), &m,
			 &out);
	CHECK(out.ee.exts == m.ee.exts &&
		      equal(out.ee.alpn, "687474702f312e31"),
	      "EncryptedExtensions: fields survive");

	for (int v = 0; v < 2; v++) {
		struct hs_kind k = { .type = TLS_HS_CERTIFICATE,
				   .version = versions[v] };
		bool tls13 = versions[v] == TLS_VERSION_1_3;

		memset(&m, 0, sizeof(m));
		m.cert.count = 3;
		m.cert.certs[0] = B("leaf");
		m.cert.certs[1] = B("intermediate");
		m.cert.certs[2] = B("root");
		if (tls13) {
			m.cert.context = B("ctx");
			m.cert.ocsp_response = B("ocsp");
		}
		snprintf(what, sizeof(what), "Certificate %04x", versions[v]);
		check_round_trip(what, k, &m, &out);
		CHECK(out.cert.count == 3 &&
			      equal(out.cert.certs[1],
				    "696e7465726d656469617465") &&
			      out.cert.ocsp_response.len == (tls13 ? 4 : 0),
		      "%s: chain and OCSP response survive", what);
		m.cert.count = 0;
		snprintf(what, sizeof(what), "empty Certificate %04x",
			 versions[v]);
		check_round_trip(what, k, &m, &out);

		memset(&m, 0, sizeof(m));
		m.cr.sig_algs = B("\x08\x04\x04\x03");
		m.cr.authorities = B("\x00\x02" "CA\x00\x01" "D");
		if (tls13) {
			m.cr.context = B("\x01");
			m.cr.sig_algs_cert = B("\x04\x03");
			m.cr.exts = HS_EXT_SIGNATURE_ALGORITHMS |
				    HS_EXT_SIGNATURE_ALGORITHMS_CERT |
				    HS_EXT_CERTIFICATE_AUTHORITIES |
				    HS_EXT_STATUS_REQUEST;
		} else {
			m.cr.cert_types = B("\x01\x40");
		}
		k.type = TLS_HS_CERTIFICATE_REQUEST;
		snprintf(what, sizeof(what), "CertificateRequest %04x",
			 versions[v]);
		check_round_trip(what, k, &m, &out);
		CHECK(equal(out.cr.sig_algs, "08040403") &&
			      equal(out.cr.authorities, "0002434100 0144"),
		      "%s: schemes and authorities survive", what);

		memset(&m, 0, sizeof(m));
		m.nst.lifetime = 7200;
		m.nst.ticket = B("ticket");
		if (tls13) {
			m.nst.age_add = 0x01020304;
			m.nst.nonce = B("\x00\x01");
		}
		k.type = TLS_HS_NEW_SESSION_TICKET;
		snprintf(what, sizeof(what), "NewSessionTicket %04x",
			 versions[v]);
		check_round_trip(what, k, &m, &out);
		CHECK(out.nst.lifetime == 7200 && out.nst.ticket.len == 6 &&
			      out.nst.age_add == (tls13 ? 0x01020304u : 0),
		      "%s: fields survive", what);
	}

	memset(&m, 0, sizeof(m));
	m.cs.ocsp_response = B("an OCSP response");
	check_round_trip("CertificateStatus",
			 HS_KIND(CERTIFICATE_STATUS), &m,
			 &out);

	writer_init(&params, 1024);
	CHECK(hs_ecdh_params_encode(&params, TLS_GROUP_X25519,
				    B("0123456789abcdef0123456789abcdef")) ==
		      0,
	      "ECDH parameters encode");
	memset(&m, 0, sizeof(m));
	m.ske.params = (struct bytes){ params.data, params.len };
	m.ske.sig_scheme = TLS_SIG_ECDSA_SECP256R1_SHA256;
	m.ske.signature = B("a signature");
	check_round_trip("ServerKeyExchange",
			 HS_KIND(SERVER_KEY_EXCHANGE), &m,
			 &out);
	CHECK(out.ske.group == TLS_GROUP_X25519 &&
		      out.ske.public_key.len == 32 &&
		      out.ske.params.len == 36 &&
		      out.ske.sig_scheme == TLS_SIG_ECDSA_SECP256R1_SHA256,
	      "ServerKeyExchange: group, point, signed params survive");
	writer_free(&params);

	check_round_trip("ServerHelloDone",
			 HS_KIND(SERVER_HELLO_DONE), &m,
			 &out);
	m.cke.exchange = B("a point");
	check_round_trip("ClientKeyExchange (ECDHE)",
			 (struct hs_kind){ .type = TLS_HS_CLIENT_KEY_EXCHANGE,
					   .ecdhe = true },
			 &m, &out);
	m.cke.exchange = B("an RSA-encrypted premaster secret");
	check_round_trip("ClientKeyExchange (RSA)",
			 HS_KIND(CLIENT_KEY_EXCHANGE),
			 &m, &out);
	CHECK(out.cke.exchange.len == 33, "ClientKeyExchange: the ciphertext "
					  "survives");
	m.cv.sig_scheme = TLS_SIG_ED25519;
	m.cv.signature = B("sig");
	check_round_trip("CertificateVerify",
			 HS_KIND(CERTIFICATE_VERIFY), &m,
			 &out);
	m.fin.verify_data = B("twelve bytes");
	check_round_trip("Finished", HS_KIND(FINISHED), &m,
			 &out);
	m.ku.request_update = 1;
	check_round_trip("KeyUpdate", HS_KIND(KEY_UPDATE),
			 &m, &out);
	CHECK(out.ku.request_update == 1, "KeyUpdate: update_requested");
}

/* legacy_version and an all-zero random */
#define ZERO32 "0000000000000000000000000000000000000000000000000000000000000000"
#define HELLO_HEAD "0303" ZERO32

/* A body from hex, decoded as kind k: the error. */
static int decode_hex(struct hs_kind k, const char *hex)
{
	static struct hexbuf h;
	union hs_any m;

	h = unhex(hex);
	return hs_any_decode(k, (struct bytes){ h.b, h.len }, &m);
}

static void test_rejections(void)
{
	union hs_any m, m2;
	struct writer w;
	char big[1024];
	size_t n = 0;

	/* RFC 8446 §4.6.3: any value but 0 and 1 is illegal_parameter */
	CHECK(decode_hex(HS_KIND(KEY_UPDATE), "02") ==
		      -EPROTO,
	      "KeyUpdate with request_update 2 is -EPROTO");
	CHECK(decode_hex(HS_KIND(KEY_UPDATE), "0000") ==
		      -EBADMSG,
	      "KeyUpdate with a byte more is -EBADMSG");
	CHECK(decode_hex(HS_KIND(SERVER_HELLO_DONE), "00") ==
		      -EBADMSG,
	      "a non-empty ServerHelloDone is -EBADMSG");
	/* RFC 8422 §5.4: explicit_prime curve parameters */
	CHECK(decode_hex(HS_KIND(SERVER_KEY_EXCHANGE),
			 "01 0017 01 04 0403 0000") == -EPROTO,
	      "ServerKeyExchange with an explicit curve is -EPROTO");
	CHECK(decode_hex(HS_KIND(SERVER_KEY_EXCHANGE),
			 "03 001d 00 0403 0000") == -EBADMSG,
	      "ServerKeyExchange with an empty point is -EBADMSG");
	CHECK(decode_hex(HS_KIND(CERTIFICATE_STATUS),
			 "02 000001 00") == -EBADMSG,
	      "CertificateStatus of a type other than ocsp is -EBADMSG");
	CHECK(decode_hex(HS_KIND_V(CERTIFICATE, TLS_VERSION_1_2),
			 "000003 000000") == -EBADMSG,
	      "a zero-length certificate is -EBADMSG");
	CHECK(decode_hex(HS_KIND(CLIENT_HELLO),
			 HELLO_HEAD
			 "00 0003 130113 0100") == -EBADMSG,
	      "an odd-length cipher_suites is -EBADMSG");
	CHECK(decode_hex(HS_KIND(CLIENT_HELLO),
			 HELLO_HEAD
			 "21" ZERO32 "00"
			 "0002 1301 0100") == -EBADMSG,
	      "a 33-byte session id is -EBADMSG");
	/* Compression methods are the engine's to judge (RFC 8446 §4.1.2) */
	CHECK(decode_hex(HS_KIND(CLIENT_HELLO),
			 HELLO_HEAD
			 "00 0002 1301 0101") == 0,
	      "a ClientHello without the null compression method decodes");

	/* RFC 8446 §4.2: a ServerHello holds one version's extensions */
	CHECK(decode_hex(HS_KIND(SERVER_HELLO),
			 HELLO_HEAD
			 "00 1301 00 000a 002b00020304 00170000") == -EPROTO,
	      "a TLS 1.3 ServerHello with extended_master_secret is -EPROTO");
	CHECK(decode_hex(HS_KIND(SERVER_HELLO),
			 HELLO_HEAD
			 "00 c02b 00 0008 003300040017 0000") == -EBADMSG,
	      "a TLS 1.2 ServerHello key_share with an empty key is "
	      "-EBADMSG");
	CHECK(decode_hex(HS_KIND(SERVER_HELLO),
			 HELLO_HEAD
			 "00 c02b 00 0009 0033000500170001aa") == -EPROTO,
	      "a TLS 1.2 ServerHello with key_share is -EPROTO");

	/* More certificates than HS_MAX_CHAIN */
	n += (size_t)sprintf(big + n, "%06x", (HS_MAX_CHAIN + 1) * 4);
	for (int i = 0; i <= HS_MAX_CHAIN; i++)
		n += (size_t)sprintf(big + n, "000001%02x", i);
	CHECK(decode_hex(HS_KIND_V(CERTIFICATE, TLS_VERSION_1_2),
			 big) == -EMSGSIZE,
	      "a chain of HS_MAX_CHAIN + 1 certificates is -EMSGSIZE");

	/* Encoders refuse what the wire cannot carry. */
	writer_init(&w, 1 << 16);
	memset(&m, 0, sizeof(m));
	m.ku.request_update = 2;
	CHECK(hs_key_update_encode(&w, &m.ku) == -EINVAL,
	      "encoding KeyUpdate 2 is -EINVAL");
	m.ch.cipher_suites = B("\x13\x01");
	m.ch.compression = B("\x00");
	m.ch.exts = HS_EXT_PRE_SHARED_KEY;
	/* RFC 8446 §4.2.11: a malformed identity, a binder under 32 bytes */
	m.ch.psk_identities = B("\x00\x01\x41\x00\x00\x00");
	m.ch.psk_binders = B("\x20" "0123456789abcdef0123456789abcdef");
	CHECK(hs_client_hello_encode(&w, &m.ch) == -EINVAL,
	      "encoding a PSK identity missing its age byte is -EINVAL");
	writer_reset(&w);
	m.ch.psk_identities = B("\x00\x01\x41\x00\x00\x00\x07");
	m.ch.psk_binders = B("\x05" "01234");
	CHECK(hs_client_hello_encode(&w, &m.ch) < 0,
	      "encoding a 5-byte PSK binder fails");
	writer_reset(&w);
	m.ch.psk_binders = B("\x20" "0123456789abcdef0123456789abcdef");
	CHECK(hs_client_hello_encode(&w, &m.ch) == 0 &&
		      !hs_client_hello_decode((struct bytes){ w.data + 4,
							      w.len - 4 },
					      &m2.ch) &&
		      m2.ch.psk_identities.len == 7 &&
		      m2.ch.psk_binders.len == 33 &&
		      !memcmp(w.data + w.len - 32, "0123456789abcdef", 16),
	      "a ClientHello's pre_shared_key encodes last, and decodes back");
	writer_reset(&w);
	m.ch.exts = HS_EXT_SUPPORTED_GROUPS;
	m.ch.supported_groups = B("\x00\x1d\x00");
	CHECK(hs_client_hello_encode(&w, &m.ch) == -EINVAL,
	      "encoding an odd-length group list is -EINVAL");
	writer_reset(&w);
	m.ch.supported_groups = B("");
	CHECK(hs_client_hello_encode(&w, &m.ch) == -EMSGSIZE,
	      "encoding an empty group list breaks its <2..> bound: "
	      "-EMSGSIZE");
	writer_reset(&w);
	memset(&m, 0, sizeof(m));
	m.ee.exts = HS_EXT_KEY_SHARE;
	CHECK(hs_encrypted_extensions_encode(&w, &m.ee) == -EINVAL,
	      "encoding key_share in EncryptedExtensions is -EINVAL");
	writer_reset(&w);
	m.ee.exts = HS_EXT_ALPN;
	m.ee.alpn = B("");
	CHECK(hs_encrypted_extensions_encode(&w, &m.ee) == -EMSGSIZE,
	      "encoding an empty selected ALPN name is -EMSGSIZE");
	writer_reset(&w);
	memset(&m, 0, sizeof(m));
	m.sh.exts = HS_EXT_SUPPORTED_VERSIONS | HS_EXT_ALPN;
	CHECK(hs_server_hello_encode(&w, &m.sh) == -EINVAL,
	      "encoding ALPN in a TLS 1.3 ServerHello is -EINVAL");
	writer_reset(&w);
	memset(&m, 0, sizeof(m));
	m.cert.count = 1;
	m.cert.certs[0] = B("x");
	m.cert.ocsp_response = B("ocsp");
	CHECK(hs_certificate_encode(&w, TLS_VERSION_1_2, &m.cert) == -EINVAL,
	      "encoding an OCSP response in a TLS 1.2 Certificate is "
	      "-EINVAL");
	writer_reset(&w);
	memset(&m, 0, sizeof(m));
	m.ske.params = B("\x03\x00\x1d\x00");
	CHECK(hs_server_key_exchange_encode(&w, &m.ske) == -EINVAL,
	      "encoding ServerKeyExchange over malformed params is -EINVAL");
	writer_free(&w);
}

int main(void)
{
	test_rfc8448_verbatim();
	test_rfc8448_client_hello();
	test_rfc8448_server_hello();
	test_rfc8448_encrypted_extensions();
	test_rfc8448_certificate();
	test_rfc8448_finished_and_ticket();
	test_rfc8448_hello_retry_request();
	test_framing();
	test_round_trip_hellos();
	test_round_trip_others();
	test_rejections();
	return check_summary();
}
