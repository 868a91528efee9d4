// SPDX-License-Identifier: MIT
/*
 * userspace/lib/wire/hs_msg.c against a real peer: libssl, in this process, on
 * memory BIOs. A client (SNI, ALPN, status_request) sends its ClientHello,
 * TLS 1.2-and-1.3 or TLS 1.2 only; a server with an EC certificate made
 * here answers. Every message is decoded and checked against what libssl
 * reports through its own API (randoms, cipher lists, the negotiated
 * cipher, the certificate), the ServerKeyExchange signature is verified
 * over the params the decoder hands out, and each message is broken by
 * truncation and by one byte more.
 *
 *   client SSL ──ClientHello──► server SSL
 *              ◄─SH Cert SKE SHD─
 *              ──CKE CCS Fin───►
 */
#include <errno.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "../lib/check.h"
#include "../lib/hs_any.h"

#define ALPN_WIRE "\x02h2\x08http/1.1"

static EVP_PKEY *key;
static X509 *cert;

/* A fresh P-256 key and a self-signed certificate for it. */
static int make_cert(void)
{
	X509_NAME *name;

	key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	cert = X509_new();
	if (!key || !cert)
		return -1;
	name = X509_get_subject_name(cert);
	if (!X509_set_version(cert, X509_VERSION_3) ||
	    !ASN1_INTEGER_set(X509_get_serialNumber(cert), 1) ||
	    !X509_gmtime_adj(X509_getm_notBefore(cert), 0) ||
	    !X509_gmtime_adj(X509_getm_notAfter(cert), 3600) ||
	    !X509_set_pubkey(cert, key) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
					(const unsigned char *)"ktlso test",
					-1, -1, 0) ||
	    !X509_set_issuer_name(cert, name) ||
	    !X509_sign(cert, key, EVP_sha256()))
		return -1;
	return 0;
}

static SSL *new_ssl(bool server, int max_version)
{
	SSL_CTX *ctx = SSL_CTX_new(server ? TLS_server_method() :
					    TLS_client_method());
	SSL *s = NULL;

	if (ctx && SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) &&
	    SSL_CTX_set_max_proto_version(ctx, max_version))
		s = SSL_new(ctx);
	SSL_CTX_free(ctx);
	if (!s)
		return NULL;
	SSL_set_bio(s, BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()));
	if (server)
		SSL_set_accept_state(s);
	else
		SSL_set_connect_state(s);
	return s;
}

static SSL *new_client(int max_version)
{
	SSL *c = new_ssl(false, max_version);

	if (c && SSL_set1_groups_list(c, "X25519:P-256:P-384") &&
	    SSL_set_tlsext_host_name(c, "server.example") &&
	    !SSL_set_alpn_protos(c, (const unsigned char *)ALPN_WIRE,
				 sizeof(ALPN_WIRE) - 1) &&
	    SSL_set_tlsext_status_type(c, TLSEXT_STATUSTYPE_ocsp))
		return c;
	SSL_free(c);
	return NULL;
}

static int pick_http11(SSL *s, const unsigned char **out,
		       unsigned char *outlen, const unsigned char *in,
		       unsigned int inlen, void *arg)
{
	(void)s;
	(void)arg;
	return SSL_select_next_proto((unsigned char **)out, outlen,
				     (const unsigned char *)"\x08http/1.1", 9,
				     in, inlen) == OPENSSL_NPN_NEGOTIATED ?
		       SSL_TLSEXT_ERR_OK :
		       SSL_TLSEXT_ERR_ALERT_FATAL;
}

static SSL *new_server(int max_version)
{
	SSL *s = new_ssl(true, max_version);

	if (s && SSL_use_certificate(s, cert) && SSL_use_PrivateKey(s, key)) {
		SSL_CTX_set_alpn_select_cb(SSL_get_SSL_CTX(s), pick_http11,
					   NULL);
		return s;
	}
	SSL_free(s);
	return NULL;
}

/* What a peer sent, as records, and the handshake bytes in them. */
struct flight {
	uint8_t records[16384];
	size_t records_len;
	uint8_t hs[16384];
	size_t hs_len;
};

/*
 * Run one step of s, collect what it wrote, and keep the payload of the
 * handshake records before the first record of another type (in TLS 1.3
 * what follows is encrypted).
 */
static int step(SSL *s, struct flight *f)
{
	struct reader r, payload;
	uint8_t type;
	uint16_t version;
	int n;

	(void)SSL_do_handshake(s);
	n = BIO_read(SSL_get_wbio(s), f->records, sizeof(f->records));
	if (n <= 0)
		return -1;
	f->records_len = (size_t)n;
	f->hs_len = 0;
	reader_init(&r, f->records, f->records_len);
	while (!reader_done(&r)) {
		TRY(reader_u8(&r, &type));
		TRY(reader_u16(&r, &version));
		TRY(reader_vector(&r, 2, 1, TLS12_MAX_CIPHERTEXT, &payload));
		if (type != TLS_CT_HANDSHAKE)
			break;
		TRY(reader_copy(&payload, f->hs + f->hs_len,
				reader_left(&payload)));
		f->hs_len += payload.len;
	}
	return 0;
}

static int deliver(const struct flight *f, SSL *to)
{
	return BIO_write(SSL_get_rbio(to), f->records, (int)f->records_len) ==
			       (int)f->records_len ?
		       0 :
		       -1;
}

/* The n-th handshake message of a flight, of type want. */
static struct bytes whole;

static int nth(const struct flight *f, unsigned int n, uint8_t want,
	       struct bytes *body)
{
	struct reader r;
	uint8_t type = 0;

	reader_init(&r, f->hs, f->hs_len);
	for (unsigned int i = 0; i <= n; i++)
		TRY(hs_msg_next(&r, 0xffff, &type, body, &whole));
	return type == want ? 0 : -ENOMSG;
}

static void check_malformed(const char *what, struct hs_kind k,
			    struct bytes body)
{
	CHECK(hs_any_bad_truncation(k, body) == SIZE_MAX &&
		      hs_any_rejects_extra_byte(k, body),
	      "%s: every truncation and one byte more are -EBADMSG", what);
}

/* encode(decode(x)) decodes, and encodes to the same bytes again */
static void check_reencodes(const char *what, struct hs_kind k,
			    const union hs_any *m)
{
	struct writer w;
	struct bytes body;
	union hs_any again;

	writer_init(&w, 1 << 16);
	CHECK(hs_any_encode(&w, k, m) == 0 &&
		      hs_any_split(k, w.data, w.len, &body) == 0 &&
		      hs_any_decode(k, body, &again) == 0 &&
		      hs_any_encodes_to(k, &again, w.data, w.len),
	      "%s: re-encodes, and that decodes to the same message", what);
	writer_free(&w);
}

/* The cipher list is libssl's own, in order, then the SCSV. */
static bool suites_are_libssl_s(SSL *c, struct bytes suites)
{
	STACK_OF(SSL_CIPHER) *ours = SSL_get1_supported_ciphers(c);
	int n = ours ? sk_SSL_CIPHER_num(ours) : 0;
	bool ok = n > 0;
	uint16_t v;

	for (int i = 0; i < n && ok; i++)
		ok = hs_u16_list_at(suites, (size_t)i, &v) &&
		     v == SSL_CIPHER_get_protocol_id(
				  sk_SSL_CIPHER_value(ours, i));
	/* RFC 5746 §3.4: an initial handshake signals with the SCSV */
	ok = ok && hs_u16_list_at(suites, (size_t)n, &v) &&
	     v == TLS_EMPTY_RENEGOTIATION_INFO_SCSV &&
	     suites.len == 2 * ((size_t)n + 1);
	sk_SSL_CIPHER_free(ours);
	return ok;
}

static void check_client_hello(SSL *c, const struct flight *f, bool tls13,
			       union hs_any *m)
{
	const struct hs_kind k = { .type = TLS_HS_CLIENT_HELLO };
	const struct client_hello *ch = &m->ch;
	const char *v = tls13 ? "1.2+1.3" : "1.2";
	uint8_t random[32];
	struct bytes body, ke;

	CHECK(nth(f, 0, TLS_HS_CLIENT_HELLO, &body) == 0 &&
		      hs_client_hello_decode(body, &m->ch) == 0,
	      "libssl %s ClientHello decodes", v);
	check_malformed("libssl ClientHello", k, body);
	CHECK(SSL_get_client_random(c, random, 32) == 32 &&
		      !memcmp(ch->random, random, 32) &&
		      ch->legacy_version == TLS_VERSION_1_2,
	      "%s: the random is the one libssl reports", v);
	CHECK(suites_are_libssl_s(c, ch->cipher_suites),
	      "%s: the suites are libssl's list, in order, then the SCSV",
	      v);
	CHECK(hs_u16_list_has(ch->cipher_suites, TLS_AES_128_GCM_SHA256) ==
			      tls13 &&
		      hs_u16_list_has(ch->cipher_suites,
				      TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256),
	      "%s: TLS 1.3 suites %s, ECDHE-ECDSA-AES128-GCM offered", v,
	      tls13 ? "offered" : "absent");
	CHECK(ch->server_name.len == 14 &&
		      !memcmp(ch->server_name.p, "server.example", 14),
	      "%s: server_name", v);
	CHECK(ch->alpn.len == sizeof(ALPN_WIRE) - 1 &&
		      !memcmp(ch->alpn.p, ALPN_WIRE, ch->alpn.len),
	      "%s: ALPN h2, http/1.1", v);
	CHECK(ch->exts & HS_EXT_STATUS_REQUEST &&
		      ch->exts & HS_EXT_EXTENDED_MASTER_SECRET &&
		      ch->exts & HS_EXT_SESSION_TICKET &&
		      hs_u8_list_has(ch->ec_point_formats,
				     TLS_EC_POINT_UNCOMPRESSED),
	      "%s: status_request, EMS, session_ticket, uncompressed points",
	      v);
	CHECK(ch->supported_groups.len == 6 &&
		      !memcmp(ch->supported_groups.p,
			      "\x00\x1d\x00\x17\x00\x18", 6),
	      "%s: the groups the client was given, in its order", v);
	CHECK(hs_u16_list_has(ch->sig_algs, TLS_SIG_RSA_PSS_RSAE_SHA256) &&
		      hs_u16_list_has(ch->sig_algs,
				      TLS_SIG_ECDSA_SECP256R1_SHA256),
	      "%s: signature_algorithms", v);
	if (tls13) {
		CHECK(ch->supported_versions.len == 4 &&
			      !memcmp(ch->supported_versions.p,
				      "\x03\x04\x03\x03", 4),
		      "1.2+1.3: supported_versions 1.3, 1.2");
		CHECK(hs_key_share_find(ch->key_shares, TLS_GROUP_X25519,
					&ke) == 0 &&
			      ke.len == 32,
		      "1.2+1.3: a 32-byte x25519 key share");
		CHECK(hs_u8_list_has(ch->psk_modes, 1) &&
			      ch->session_id.len == 32,
		      "1.2+1.3: psk_dhe_ke, a 32-byte compatibility "
		      "session id");
	} else {
		CHECK(!(ch->exts & (HS_EXT_SUPPORTED_VERSIONS |
				    HS_EXT_KEY_SHARE |
				    HS_EXT_PSK_KEY_EXCHANGE_MODES)),
		      "1.2: no TLS 1.3 extensions");
	}
	check_reencodes(tls13 ? "libssl 1.2+1.3 ClientHello" :
				"libssl 1.2 ClientHello",
			k, m);
}

/* RFC 5246 §7.4.3: the signature covers both randoms and the params */
static bool ske_signature_verifies(SSL *srv,
				   const struct server_key_exchange *s)
{
	uint8_t signed_data[64 + 256];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok;

	ok = ctx && s->params.len <= 256 &&
	     SSL_get_client_random(srv, signed_data, 32) == 32 &&
	     SSL_get_server_random(srv, signed_data + 32, 32) == 32;
	if (ok) {
		memcpy(signed_data + 64, s->params.p, s->params.len);
		ok = EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL,
					  key) == 1 &&
		     EVP_DigestVerify(ctx, s->signature.p, s->signature.len,
				      signed_data, 64 + s->params.len) == 1;
	}
	EVP_MD_CTX_free(ctx);
	return ok;
}

static void test_tls12(void)
{
	SSL *c = new_client(TLS1_2_VERSION), *s = new_server(TLS1_3_VERSION);
	static struct flight ch_f, srv_f, cli_f;
	union hs_any m, ch;
	struct bytes body;
	uint8_t random[32], *der = NULL;
	int der_len;

	CHECK(c && s && step(c, &ch_f) == 0, "a TLS 1.2 client starts");
	check_client_hello(c, &ch_f, false, &ch);

	CHECK(deliver(&ch_f, s) == 0 && step(s, &srv_f) == 0,
	      "the server answers");
	CHECK(nth(&srv_f, 0, TLS_HS_SERVER_HELLO, &body) == 0 &&
		      hs_server_hello_decode(body, &m.sh) == 0,
	      "libssl TLS 1.2 ServerHello decodes");
	check_malformed("libssl ServerHello",
			HS_KIND(SERVER_HELLO), body);
	CHECK(hs_any_encodes_to(HS_KIND(SERVER_HELLO),
				&m, whole.p, whole.len),
	      "and encodes back to libssl's exact bytes");
	CHECK(SSL_get_server_random(s, random, 32) == 32 &&
		      !memcmp(m.sh.random, random, 32) && !m.sh.is_hrr &&
		      m.sh.legacy_version == TLS_VERSION_1_2,
	      "ServerHello: the random libssl reports, TLS 1.2");
	CHECK(SSL_get_pending_cipher(s) &&
		      m.sh.cipher_suite == SSL_CIPHER_get_protocol_id(
						   SSL_get_pending_cipher(s)),
	      "ServerHello: the suite libssl chose");
	CHECK(m.sh.exts & HS_EXT_EXTENDED_MASTER_SECRET &&
		      m.sh.exts & HS_EXT_RENEGOTIATION_INFO &&
		      !m.sh.renegotiation_info.len,
	      "ServerHello: EMS and an empty renegotiation_info");
	CHECK(m.sh.exts & HS_EXT_ALPN && m.sh.alpn.len == 8 &&
		      !memcmp(m.sh.alpn.p, "http/1.1", 8),
	      "ServerHello: ALPN http/1.1, as the server picked");

	der_len = i2d_X509(cert, &der);
	CHECK(nth(&srv_f, 1, TLS_HS_CERTIFICATE, &body) == 0 &&
		      hs_certificate_decode(body, TLS_VERSION_1_2, &m.cert) ==
			      0 &&
		      m.cert.count == 1 && der_len > 0 &&
		      m.cert.certs[0].len == (size_t)der_len &&
		      !memcmp(m.cert.certs[0].p, der, m.cert.certs[0].len),
	      "Certificate: exactly our certificate's DER");
	OPENSSL_free(der);
	check_malformed("libssl Certificate",
			HS_KIND_V(CERTIFICATE, TLS_VERSION_1_2),
			body);

	CHECK(nth(&srv_f, 2, TLS_HS_SERVER_KEY_EXCHANGE, &body) == 0 &&
		      hs_server_key_exchange_decode(body, &m.ske) == 0 &&
		      m.ske.group == TLS_GROUP_X25519 &&
		      m.ske.public_key.len == 32 &&
		      m.ske.sig_scheme == TLS_SIG_ECDSA_SECP256R1_SHA256,
	      "ServerKeyExchange: x25519, ecdsa_secp256r1_sha256");
	check_malformed("libssl ServerKeyExchange",
			HS_KIND(SERVER_KEY_EXCHANGE),
			body);
	CHECK(ske_signature_verifies(s, &m.ske),
	      "ServerKeyExchange: the signature verifies over the params "
	      "as decoded");
	CHECK(hs_any_encodes_to(HS_KIND(SERVER_KEY_EXCHANGE),
				&m, whole.p, whole.len),
	      "and encodes back to libssl's bytes");
	CHECK(nth(&srv_f, 3, TLS_HS_SERVER_HELLO_DONE, &body) == 0 &&
		      hs_server_hello_done_decode(body) == 0,
	      "ServerHelloDone");

	CHECK(deliver(&srv_f, c) == 0 && step(c, &cli_f) == 0 &&
		      nth(&cli_f, 0, TLS_HS_CLIENT_KEY_EXCHANGE, &body) == 0 &&
		      hs_client_key_exchange_decode(body, true, &m.cke) == 0 &&
		      m.cke.exchange.len == 32,
	      "ClientKeyExchange: a 32-byte x25519 point");
	CHECK(hs_any_encodes_to((struct hs_kind){
					.type = TLS_HS_CLIENT_KEY_EXCHANGE,
					.ecdhe = true },
				&m, whole.p, whole.len),
	      "and encodes back to libssl's bytes");
	SSL_free(c);
	SSL_free(s);
}

static void test_tls13(void)
{
	SSL *c = new_client(TLS1_3_VERSION), *s = new_server(TLS1_3_VERSION);
	static struct flight ch_f, srv_f;
	union hs_any ch, m;
	struct bytes body;

	CHECK(c && s && step(c, &ch_f) == 0, "a TLS 1.3 client starts");
	check_client_hello(c, &ch_f, true, &ch);
	CHECK(deliver(&ch_f, s) == 0 && step(s, &srv_f) == 0 &&
		      nth(&srv_f, 0, TLS_HS_SERVER_HELLO, &body) == 0 &&
		      hs_server_hello_decode(body, &m.sh) == 0,
	      "libssl TLS 1.3 ServerHello decodes");
	check_malformed("libssl TLS 1.3 ServerHello",
			HS_KIND(SERVER_HELLO), body);
	CHECK(!m.sh.is_hrr && m.sh.selected_version == TLS_VERSION_1_3 &&
		      m.sh.exts == (HS_EXT_SUPPORTED_VERSIONS |
				    HS_EXT_KEY_SHARE) &&
		      m.sh.key_share_group == TLS_GROUP_X25519 &&
		      m.sh.key_share.len == 32,
	      "TLS 1.3 ServerHello: version 1.3, an x25519 share");
	CHECK(m.sh.cipher_suite == SSL_CIPHER_get_protocol_id(
					   SSL_get_pending_cipher(s)) &&
		      m.sh.session_id.len == ch.ch.session_id.len &&
		      !memcmp(m.sh.session_id.p, ch.ch.session_id.p,
			      m.sh.session_id.len),
	      "TLS 1.3 ServerHello: libssl's suite, the session id echoed");
	check_reencodes("libssl TLS 1.3 ServerHello",
			HS_KIND(SERVER_HELLO), &m);
	SSL_free(c);
	SSL_free(s);
}

/* A client whose one key share the server does not take gets an HRR. */
static void test_hello_retry_request(void)
{
	SSL *c = new_client(TLS1_3_VERSION), *s = new_server(TLS1_3_VERSION);
	static struct flight ch_f, srv_f;
	union hs_any m;
	struct bytes body;

	CHECK(c && s && SSL_set1_groups_list(c, "P-256:X25519") &&
		      SSL_set1_groups_list(s, "X25519") &&
		      step(c, &ch_f) == 0 && deliver(&ch_f, s) == 0 &&
		      step(s, &srv_f) == 0 &&
		      nth(&srv_f, 0, TLS_HS_SERVER_HELLO, &body) == 0 &&
		      hs_server_hello_decode(body, &m.sh) == 0,
	      "libssl HelloRetryRequest decodes");
	CHECK(m.sh.is_hrr && m.sh.key_share_group == TLS_GROUP_X25519 &&
		      !m.sh.key_share.len &&
		      m.sh.selected_version == TLS_VERSION_1_3,
	      "HelloRetryRequest: asks for x25519");
	check_malformed("libssl HelloRetryRequest",
			HS_KIND(SERVER_HELLO), body);
	check_reencodes("libssl HelloRetryRequest",
			HS_KIND(SERVER_HELLO), &m);
	SSL_free(c);
	SSL_free(s);
}

int main(void)
{
	CHECK(make_cert() == 0, "a P-256 key and self-signed certificate");
	test_tls12();
	test_tls13();
	test_hello_retry_request();
	EVP_PKEY_free(key);
	X509_free(cert);
	return check_summary();
}
