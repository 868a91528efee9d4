// SPDX-License-Identifier: MIT
/*
 * userspace/lib/wire/hs_ext.c: the extensions block of each message that has
 * one. A table of blocks, each placed in a minimal valid message of that
 * kind, and the result the RFCs ask for: duplicates and extensions a
 * message may not carry (RFC 8446 §4.2), unknown types skipped or refused
 * depending on who sent them, and each extension's own syntax, trailing
 * bytes included.
 */
#include <errno.h>
#include <string.h>

#include "../lib/hex.h"
#include "../lib/hs_any.h"

/* RFC 8446 §4.2.11: an OfferedPsks of one identity "aa" and one binder */
#define BINDER31 "11111111111111111111111111111111111111111111111111111111111111"
#define BINDER32 BINDER31 "11"
#define PSK_EXT "0029 002c 0007 0001 aa 00000000 0021 20 " BINDER32

enum carrier {
	IN_CH,		/* ClientHello */
	IN_SH12,	/* ServerHello without supported_versions */
	IN_SH13,	/* ServerHello; its block holds supported_versions */
	IN_HRR,		/* HelloRetryRequest */
	IN_EE,		/* EncryptedExtensions */
	IN_CR13,	/* TLS 1.3 CertificateRequest */
	IN_CERT13,	/* the leaf CertificateEntry of a TLS 1.3 Certificate */
	IN_NST13,	/* TLS 1.3 NewSessionTicket */
};

static const char zeros32[] =
	"0000000000000000000000000000000000000000000000000000000000000000";

static struct hs_kind kind_of(enum carrier c)
{
	static const uint8_t types[] = {
		[IN_CH] = TLS_HS_CLIENT_HELLO,
		[IN_SH12] = TLS_HS_SERVER_HELLO,
		[IN_SH13] = TLS_HS_SERVER_HELLO,
		[IN_HRR] = TLS_HS_SERVER_HELLO,
		[IN_EE] = TLS_HS_ENCRYPTED_EXTENSIONS,
		[IN_CR13] = TLS_HS_CERTIFICATE_REQUEST,
		[IN_CERT13] = TLS_HS_CERTIFICATE,
		[IN_NST13] = TLS_HS_NEW_SESSION_TICKET,
	};

	return (struct hs_kind){ .type = types[c], .version = TLS_VERSION_1_3 };
}

static int put_hex(struct writer *w, const char *hex)
{
	struct hexbuf h = unhex(hex);

	return writer_bytes(w, h.b, h.len);
}

/* The fixed fields of a minimal message of kind c, before its block. */
static int put_head(struct writer *w, enum carrier c)
{
	switch (c) {
	case IN_CH:
		TRY(put_hex(w, "0303"));
		TRY(put_hex(w, zeros32));
		return put_hex(w, "00 0002 1301 0100");
	case IN_SH12:
	case IN_SH13:
		TRY(put_hex(w, "0303"));
		TRY(put_hex(w, zeros32));
		return put_hex(w, "00 1301 00");
	case IN_HRR:
		TRY(put_hex(w, "0303"));
		TRY(writer_bytes(w, tls13_hrr_random, 32));
		return put_hex(w, "00 1301 00");
	case IN_CR13:
		return put_hex(w, "00");
	case IN_CERT13:
		/* context, then a list of one entry: cert_data "aa" */
		TRY(put_hex(w, "00"));
		TRY(writer_open(w, 3));
		return put_hex(w, "000001 aa");
	case IN_NST13:
		return put_hex(w, "00000e10 01020304 00 0001 aa");
	case IN_EE:
		break;
	}
	return 0;
}

/* The body of a minimal message of kind c around the block exts. */
static int build(struct writer *w, enum carrier c, const char *exts)
{
	TRY(put_head(w, c));
	TRY(writer_open(w, 2));
	TRY(put_hex(w, exts));
	TRY(writer_close(w, 0, 0xffff));
	return c == IN_CERT13 ? writer_close(w, 0, 0xffffff) : 0;
}

/* Decode a block in a message of kind c: the error, *m filled. */
static int decode(enum carrier c, const char *exts, struct writer *w,
		  union hs_any *m)
{
	writer_reset(w);
	if (build(w, c, exts))
		return 1; /* a bug in the test, not an -errno */
	return hs_any_decode(kind_of(c), (struct bytes){ w->data, w->len }, m);
}

static const struct {
	const char *what;
	enum carrier in;
	const char *exts;
	int err;
} cases[] = {
	/* RFC 8446 §4.2: one of a type per block */
	{ "two supported_groups in EE", IN_EE,
	  "000a 0004 0002001d 000a 0004 00020017", -EPROTO },
	{ "an unknown type twice in a ClientHello", IN_CH,
	  "1234 0000 1234 0001 00", -EPROTO },
	{ "two key_shares in a ServerHello", IN_SH13,
	  "002b 0002 0304 0033 0006 001d 0002 aaaa 0033 0006 001d 0002 aaaa",
	  -EPROTO },
	/* RFC 8446 §4.2 table: known extensions in the wrong message */
	{ "key_share in EE", IN_EE, "0033 0006 001d 0002 aaaa", -EPROTO },
	{ "supported_versions in EE", IN_EE, "002b 0002 0304", -EPROTO },
	{ "supported_versions in a CertificateRequest", IN_CR13,
	  "000d 0004 0002 0804 002b 0002 0304", -EPROTO },
	{ "extended_master_secret in an HRR", IN_HRR,
	  "002b 0002 0304 0017 0000", -EPROTO },
	{ "early_data in a CertificateEntry", IN_CERT13, "002a 0000",
	  -EPROTO },
	{ "key_share in a NewSessionTicket", IN_NST13, "0033 0002 001d",
	  -EPROTO },
	/* RFC 8446 §4.2.11: pre_shared_key last in a ClientHello */
	{ "pre_shared_key before another extension", IN_CH,
	  PSK_EXT " 0017 0000", -EPROTO },
	{ "pre_shared_key before an unknown extension", IN_CH,
	  PSK_EXT " 1234 0000", -EPROTO },
	{ "pre_shared_key last", IN_CH, "0017 0000 " PSK_EXT, 0 },
	/* RFC 8446 §4.2.11: OfferedPsks' syntax */
	{ "pre_shared_key of 2 bytes", IN_CH, "0029 0002 abcd", -EBADMSG },
	{ "pre_shared_key without binders", IN_CH,
	  "0029 0009 0007 0001 aa 00000000", -EBADMSG },
	{ "a PskIdentity without its age", IN_CH,
	  "0029 002c 0007 0005 aabbccddee 0021 20 " BINDER32, -EBADMSG },
	{ "a binder of 31 bytes", IN_CH,
	  "0029 002b 0007 0001 aa 00000000 0020 1f " BINDER31, -EBADMSG },
	{ "an empty identity", IN_CH,
	  "0029 002b 0006 0000 00000000 0021 20 " BINDER32, -EBADMSG },
	/* Unknown types: skipped from a client, refused from a server */
	{ "an unknown type in a ClientHello", IN_CH, "1234 0003 616263", 0 },
	{ "an unknown type in a CertificateRequest", IN_CR13,
	  "000d 0004 0002 0804 1234 0000", 0 },
	{ "an unknown type in a NewSessionTicket", IN_NST13, "1234 0000", 0 },
	{ "an unknown type in EE", IN_EE, "1234 0000", -EOPNOTSUPP },
	{ "an unknown type in a TLS 1.2 ServerHello", IN_SH12, "1234 0000",
	  -EOPNOTSUPP },
	{ "an unknown type in an HRR", IN_HRR, "002b 0002 0304 1234 0000",
	  -EOPNOTSUPP },
	{ "signed_certificate_timestamp in a CertificateEntry", IN_CERT13,
	  "0012 0000", -EOPNOTSUPP },
	/* Framing of the block itself */
	{ "extension_data longer than the block", IN_EE, "000a 0010 0002001d",
	  -EBADMSG },
	{ "half an extension header", IN_EE, "000a 00", -EBADMSG },
	{ "an HRR block under its 6-byte minimum", IN_HRR, "002b 0000",
	  -EBADMSG },
	{ "an empty CertificateRequest block", IN_CR13, "", -EBADMSG },
	/* RFC 6066 §3 server_name */
	{ "server_name with two host names", IN_CH,
	  "0000 000e 000c 00 0003 616263 00 0003 646566", -EBADMSG },
	{ "server_name of name_type 1", IN_CH, "0000 0008 0006 01 0003 616263",
	  -EBADMSG },
	{ "server_name with an empty host name", IN_CH,
	  "0000 0005 0003 00 0000",
	  -EBADMSG },
	{ "server_name with an empty list", IN_CH, "0000 0002 0000", -EBADMSG },
	{ "server_name with a byte after the list", IN_CH,
	  "0000 0009 0006 00 0003 616263 00", -EBADMSG },
	{ "a non-empty server_name from the server", IN_EE, "0000 0001 00",
	  -EBADMSG },
	/* RFC 7301 §3.1 ALPN */
	{ "ALPN with a zero-length name", IN_CH, "0010 0005 0003 02 6832 00",
	  -EBADMSG },
	{ "ALPN with an empty list", IN_CH, "0010 0002 0000", -EBADMSG },
	{ "ALPN list with a name overrunning it", IN_CH,
	  "0010 0005 0003 03 6832",
	  -EBADMSG },
	{ "two selected ALPN names in EE", IN_EE,
	  "0010 0008 0006 02 6832 02 6833", -EBADMSG },
	{ "two selected ALPN names in a ServerHello", IN_SH12,
	  "0010 0008 0006 02 6832 02 6833", -EBADMSG },
	{ "no selected ALPN name in EE", IN_EE, "0010 0003 0001 00", -EBADMSG },
	/* RFC 8446 §4.2.7, §4.2.3, RFC 8422 §5.1.2: lists */
	{ "an odd-length supported_groups", IN_CH, "000a 0005 0003 001d 00",
	  -EBADMSG },
	{ "an empty supported_groups", IN_CH, "000a 0002 0000", -EBADMSG },
	{ "an empty signature_algorithms", IN_CH, "000d 0002 0000", -EBADMSG },
	{ "an odd-length signature_algorithms_cert", IN_CH,
	  "0032 0004 0002 08", -EBADMSG },
	{ "an empty ec_point_formats", IN_CH, "000b 0001 00", -EBADMSG },
	{ "supported_groups with a byte after its list", IN_CH,
	  "000a 0005 0002 001d 00", -EBADMSG },
	/* RFC 6066 §8 status_request */
	{ "status_request for ocsp with responder IDs", IN_CH,
	  "0005 000a 01 0005 0003 616263 0000", 0 },
	{ "status_request of status_type 2", IN_CH, "0005 0005 02 0000 0000",
	  -EBADMSG },
	{ "status_request with an empty responder ID", IN_CH,
	  "0005 0007 01 0002 0000 0000", -EBADMSG },
	{ "status_request without request_extensions", IN_CH,
	  "0005 0003 01 0000", -EBADMSG },
	{ "a non-empty status_request from a TLS 1.2 server", IN_SH12,
	  "0005 0001 00", -EBADMSG },
	{ "a CertificateStatus of type 2 in a CertificateEntry", IN_CERT13,
	  "0005 0005 02 000001 aa", -EBADMSG },
	{ "an empty OCSP response in a CertificateEntry", IN_CERT13,
	  "0005 0004 01 000000", -EBADMSG },
	/* empty ones: RFC 7627 §5.1, RFC 7366 §2, RFC 5077 §3.2, RFC 8446
	 * §4.2.10
	 */
	{ "a non-empty extended_master_secret", IN_CH, "0017 0001 00",
	  -EBADMSG },
	{ "a non-empty encrypt_then_mac", IN_SH12, "0016 0001 00", -EBADMSG },
	{ "a non-empty session_ticket from the server", IN_SH12,
	  "0023 0001 00", -EBADMSG },
	{ "a non-empty early_data in a ClientHello", IN_CH, "002a 0001 00",
	  -EBADMSG },
	{ "early_data with max_early_data_size in a NewSessionTicket",
	  IN_NST13, "002a 0004 00004000", 0 },
	{ "early_data with 3 bytes in a NewSessionTicket", IN_NST13,
	  "002a 0003 000040", -EBADMSG },
	/* RFC 8446 §4.2.1 supported_versions */
	{ "an odd-length supported_versions list", IN_CH, "002b 0004 03 030403",
	  -EBADMSG },
	{ "an empty supported_versions list", IN_CH, "002b 0001 00", -EBADMSG },
	{ "a selected version with a byte more", IN_SH13, "002b 0003 030400",
	  -EBADMSG },
	{ "a selected version of one byte", IN_SH13, "002b 0001 03", -EBADMSG },
	/* RFC 8446 §4.2.2, §4.2.9 */
	{ "an empty cookie", IN_CH, "002c 0002 0000", -EBADMSG },
	{ "an empty psk_key_exchange_modes", IN_CH, "002d 0001 00", -EBADMSG },
	/* RFC 8446 §4.2.8 key_share */
	{ "an empty client_shares", IN_CH, "0033 0002 0000", 0 },
	{ "a KeyShareEntry with an empty key", IN_CH,
	  "0033 0006 0004 001d 0000",
	  -EBADMSG },
	{ "a KeyShareEntry cut short", IN_CH,
	  "0033 0008 0006 001d 0002 aaaa 00",
	  -EBADMSG },
	{ "a server_share with a byte more", IN_SH13,
	  "002b 0002 0304 0033 0007 001d 0002 aaaa 00", -EBADMSG },
	{ "an HRR selected_group with a byte more", IN_HRR,
	  "002b 0002 0304 0033 0003 001d 00", -EBADMSG },
	/* RFC 5746 §3.2 renegotiation_info */
	{ "an empty renegotiated_connection", IN_CH, "ff01 0001 00", 0 },
	{ "renegotiation_info without its length byte", IN_CH, "ff01 0000",
	  -EBADMSG },
	{ "renegotiation_info with a byte more", IN_CH, "ff01 0002 0000",
	  -EBADMSG },
	/* RFC 8446 §4.2.4 certificate_authorities */
	{ "an empty certificate_authorities", IN_CR13,
	  "000d 0004 0002 0804 002f 0002 0000", -EBADMSG },
	{ "an empty DistinguishedName", IN_CR13,
	  "000d 0004 0002 0804 002f 0006 0004 0001 aa 00", -EBADMSG },
	/* RFC 8449 §4 record_size_limit */
	{ "record_size_limit 63", IN_EE, "001c 0002 003f", -EPROTO },
	{ "record_size_limit 64", IN_EE, "001c 0002 0040", 0 },
	{ "record_size_limit of 3 bytes", IN_EE, "001c 0003 004000", -EBADMSG },
	/* RFC 8446 §4.2.11: the server's selected_identity */
	{ "pre_shared_key in a TLS 1.3 ServerHello", IN_SH13,
	  "002b 0002 0304 0029 0002 0000", 0 },
	{ "a ServerHello pre_shared_key of 3 bytes", IN_SH13,
	  "002b 0002 0304 0029 0003 000000", -EBADMSG },
};

static void test_table(void)
{
	struct writer w;
	union hs_any m;

	writer_init(&w, 1 << 16);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int err = decode(cases[i].in, cases[i].exts, &w, &m);

		CHECK(err == cases[i].err, "%s: %s", cases[i].what,
		      cases[i].err == -EPROTO	   ? "-EPROTO" :
		      cases[i].err == -EBADMSG	   ? "-EBADMSG" :
		      cases[i].err == -EOPNOTSUPP ? "-EOPNOTSUPP" :
						    "accepted");
		if (err != cases[i].err)
			printf("    got %d (%s)\n", err, strerror(-err));
	}
	writer_free(&w);
}

/* What the accepted ones keep. */
static void test_values(void)
{
	struct writer w;
	union hs_any m;

	writer_init(&w, 1 << 16);
	CHECK(decode(IN_CH, "1234 0003 616263 002b 0003 02 0304", &w, &m) ==
			      0 &&
		      m.ch.exts == HS_EXT_SUPPORTED_VERSIONS &&
		      bytes_are(m.ch.supported_versions.p,
				m.ch.supported_versions.len, "0304"),
	      "an unknown extension leaves no trace, the next one is read");
	CHECK(decode(IN_CH, "0023 0005 7469636b74", &w, &m) == 0,
	      "a ClientHello session_ticket of any bytes is accepted");
	CHECK_HEX(m.ch.session_ticket.p, m.ch.session_ticket.len, "7469636b74",
		  "and kept whole");
	CHECK(decode(IN_CH, "0010 000c 000a 02 6832 03 683263 02 6833", &w,
		     &m) == 0 &&
		      bytes_are(m.ch.alpn.p, m.ch.alpn.len,
				"02 6832 03 683263 02 6833"),
	      "a ClientHello ALPN list is kept as its body");
	CHECK(decode(IN_EE, "0010 0005 0003 02 6832", &w, &m) == 0 &&
		      bytes_are(m.ee.alpn.p, m.ee.alpn.len, "6832"),
	      "EE ALPN keeps the one name");
	CHECK(decode(IN_CH, PSK_EXT, &w, &m) == 0 &&
		      m.ch.exts == HS_EXT_PRE_SHARED_KEY &&
		      bytes_are(m.ch.psk_identities.p, m.ch.psk_identities.len,
				"0001 aa 00000000") &&
		      bytes_are(m.ch.psk_binders.p, m.ch.psk_binders.len,
				"20 " BINDER32),
	      "pre_shared_key keeps the identities and binders bodies");
	CHECK(decode(IN_SH13, "002b 0002 0304 0029 0002 0001", &w, &m) == 0 &&
		      m.sh.psk_identity == 1,
	      "a ServerHello's selected_identity is kept");
	CHECK(decode(IN_CERT13, "0005 0007 01 000003 aabbcc", &w, &m) == 0 &&
		      bytes_are(m.cert.ocsp_response.p,
				m.cert.ocsp_response.len, "aabbcc"),
	      "the leaf's OCSP response is kept");
	CHECK(decode(IN_CR13, "002f 0007 0005 0003 434e3d 000d 0004 0002 0403",
		     &w, &m) == 0 &&
		      m.cr.exts == (HS_EXT_CERTIFICATE_AUTHORITIES |
				    HS_EXT_SIGNATURE_ALGORITHMS) &&
		      bytes_are(m.cr.authorities.p, m.cr.authorities.len,
				"0003 434e3d"),
	      "CertificateRequest authorities and schemes are kept");
	writer_free(&w);
}

/* An OCSP response in an intermediate's entry is checked, not kept. */
static void test_intermediate_status(void)
{
	struct writer w;
	union hs_any m;
	int err;

	writer_init(&w, 1024);
	err = put_hex(&w, "00") || writer_open(&w, 3) ||
	      put_hex(&w, "000001 aa 0000") ||
	      put_hex(&w, "000001 bb 000b 0005 0007 01 000003 ccddee") ||
	      writer_close(&w, 0, 0xffffff);
	if (!err)
		err = hs_any_decode(kind_of(IN_CERT13),
				    (struct bytes){ w.data, w.len }, &m);
	CHECK(err == 0 && m.cert.count == 2 && !m.cert.ocsp_response.len,
	      "an intermediate's OCSP response is accepted and not kept");
	writer_free(&w);
}

int main(void)
{
	test_table();
	test_values();
	test_intermediate_status();
	return check_summary();
}
