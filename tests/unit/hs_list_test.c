// SPDX-License-Identifier: MIT
/*
 * userspace/lib/wire/hs_list.c: searching the wire-form lists a peer sent and
 * building the ones ktlso offers, checked against RFC 8448 §3's
 * ClientHello (its groups, signature schemes and key share) and the ALPN
 * rules of RFC 7301.
 */
#include <errno.h>
#include <string.h>

#include "../lib/hex.h"
#include "../lib/rfc8448.h"
#include "wire/hs_msg.h"

#define B(s) ((struct bytes){ (const uint8_t *)(s), sizeof(s) - 1 })

static struct client_hello ch;
static struct hexbuf ch_msg;

static int load_rfc8448_client_hello(void)
{
	ch_msg = unhex(rfc8448[RFC8448_CLIENT_HELLO].hex);
	return hs_client_hello_decode((struct bytes){ ch_msg.b + 4,
						      ch_msg.len - 4 },
				      &ch);
}

static void test_u16_lists(void)
{
	static const uint16_t groups[] = { TLS_GROUP_X25519,
					   TLS_GROUP_SECP256R1,
					   TLS_GROUP_SECP384R1, 0x0019,
					   0x0100, 0x0101, 0x0102, 0x0103,
					   0x0104 };
	uint8_t out[sizeof(groups)];
	struct bytes built = hs_u16_list(groups, 9, out);
	uint16_t v = 0;
	int ok = 1;

	CHECK(built.p == out && built.len == 18 &&
		      built.len == ch.supported_groups.len &&
		      !memcmp(built.p, ch.supported_groups.p, built.len),
	      "hs_u16_list builds RFC 8448's named_group_list byte for byte");
	for (size_t i = 0; i < 9 && ok; i++)
		ok = hs_u16_list_at(ch.supported_groups, i, &v) &&
		     v == groups[i];
	CHECK(ok, "hs_u16_list_at reads each group in order");
	CHECK(!hs_u16_list_at(ch.supported_groups, 9, &v) &&
		      !hs_u16_list_at(ch.supported_groups, SIZE_MAX / 2 + 1,
				      &v),
	      "and nothing past the end, however far");
	CHECK(hs_u16_list_has(ch.sig_algs, TLS_SIG_RSA_PSS_RSAE_SHA256) &&
		      hs_u16_list_has(ch.sig_algs,
				      TLS_SIG_ECDSA_SECP256R1_SHA256) &&
		      !hs_u16_list_has(ch.sig_algs, TLS_SIG_ED25519),
	      "hs_u16_list_has: RFC 8448 offers rsa_pss_rsae_sha256 and "
	      "ecdsa_secp256r1_sha256, not ed25519");
	CHECK(!hs_u16_list_has(B("\x03"), 0x0300) &&
		      !hs_u16_list_has(B(""), 0),
	      "a half entry or an empty list holds nothing");
	CHECK(hs_u8_list_has(ch.psk_modes, 1) &&
		      !hs_u8_list_has(ch.psk_modes, 0) &&
		      hs_u8_list_has(ch.compression, 0),
	      "hs_u8_list_has: psk_dhe_ke, not psk_ke; null compression");
}

static void test_key_shares(void)
{
	static const char x25519[] = "99 38 1d e5 60 e4 bd 43 d2 3d 8e 43 5a 7d ba fe b3 c0 6e 51 c1 3c ae 4d 54 13 69 1e 52 9a af 2c";
	struct hexbuf pub = unhex(x25519);
	uint8_t buf[64];
	struct bytes list = { NULL, 0 }, ke;

	CHECK(hs_key_share_add(buf, sizeof(buf), &list, TLS_GROUP_X25519,
			       (struct bytes){ pub.b, pub.len }) == 0 &&
		      list.len == ch.key_shares.len &&
		      !memcmp(list.p, ch.key_shares.p, list.len),
	      "hs_key_share_add builds RFC 8448's client_shares exactly");
	CHECK(hs_key_share_add(buf, sizeof(buf), &list, TLS_GROUP_SECP256R1,
			       B("\x04xyz")) == 0 &&
		      list.len == 36 + 8,
	      "a second share appends");
	CHECK(hs_key_share_find(list, TLS_GROUP_SECP256R1, &ke) == 0 &&
		      ke.len == 4 && !memcmp(ke.p, "\x04xyz", 4),
	      "hs_key_share_find finds the second");
	CHECK(hs_key_share_find(list, TLS_GROUP_X25519, &ke) == 0 &&
		      ke.len == 32 && !memcmp(ke.p, pub.b, 32),
	      "and the first");
	CHECK(hs_key_share_find(list, TLS_GROUP_SECP384R1, &ke) == -ENOENT,
	      "and -ENOENT for a group without a share");
	CHECK(hs_key_share_add(buf, sizeof(buf), &list, TLS_GROUP_SECP384R1,
			       B("0123456789abcdef01234")) == -EMSGSIZE &&
		      list.len == 44,
	      "a share that does not fit is -EMSGSIZE, the list unchanged");
	CHECK(hs_key_share_add(buf, sizeof(buf), &list, TLS_GROUP_SECP384R1,
			       B("")) == -EINVAL,
	      "an empty key_exchange is -EINVAL (RFC 8446 §4.2.8: <1..>)");
	CHECK(hs_key_share_find(B("\x00\x1d\x00\x05xy"), TLS_GROUP_X25519,
				&ke) == -EBADMSG,
	      "a malformed list is -EBADMSG, not read past");
}

static void test_alpn(void)
{
	uint8_t ours_buf[64], theirs_buf[64], tiny[8];
	struct bytes ours, theirs, sel;

	CHECK(hs_alpn_from_string("h2,http/1.1", ours_buf, sizeof(ours_buf),
				  &ours) == 0,
	      "hs_alpn_from_string parses \"h2,http/1.1\"");
	CHECK_HEX(ours.p, ours.len, "02 6832 08 687474702f312e31",
		  "into a ProtocolNameList body (RFC 7301 §3.1)");
	CHECK(hs_alpn_from_string("", ours_buf, sizeof(ours_buf), &sel) ==
			      -EINVAL &&
		      hs_alpn_from_string("h2,", ours_buf, sizeof(ours_buf),
					  &sel) == -EINVAL &&
		      hs_alpn_from_string(",h2", ours_buf, sizeof(ours_buf),
					  &sel) == -EINVAL &&
		      hs_alpn_from_string("h2,,x", ours_buf, sizeof(ours_buf),
					  &sel) == -EINVAL,
	      "an empty name anywhere is -EINVAL");
	CHECK(hs_alpn_from_string("http/1.1", tiny, sizeof(tiny), &sel) ==
		      -EMSGSIZE,
	      "a list that does not fit is -EMSGSIZE");
	CHECK(hs_alpn_from_string("http/1.1,h2", theirs_buf,
				  sizeof(theirs_buf), &theirs) == 0 &&
		      hs_alpn_select(ours, theirs, &sel) == 0 &&
		      sel.len == 2 && !memcmp(sel.p, "h2", 2),
	      "hs_alpn_select follows our preference, not the client's");
	CHECK(hs_alpn_from_string("spdy/3,http/1.1", theirs_buf,
				  sizeof(theirs_buf), &theirs) == 0 &&
		      hs_alpn_select(ours, theirs, &sel) == 0 &&
		      sel.len == 8 && !memcmp(sel.p, "http/1.1", 8),
	      "and finds a later common protocol");
	CHECK(hs_alpn_from_string("h3", theirs_buf, sizeof(theirs_buf),
				  &theirs) == 0 &&
		      hs_alpn_select(ours, theirs, &sel) == -ENOENT,
	      "-ENOENT with nothing in common");
	CHECK(hs_alpn_from_string("h", theirs_buf, sizeof(theirs_buf),
				  &theirs) == 0 &&
		      hs_alpn_select(ours, theirs, &sel) == -ENOENT,
	      "a prefix of a name is not a match");
}

int main(void)
{
	CHECK(load_rfc8448_client_hello() == 0,
	      "RFC 8448 §3 ClientHello decodes");
	test_u16_lists();
	test_key_shares();
	test_alpn();
	return check_summary();
}
