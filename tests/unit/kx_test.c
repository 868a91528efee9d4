// SPDX-License-Identifier: MIT
/*
 * userspace/lib/crypto/kx.c against published vectors:
 *  - RFC 7748 §6.1 and §6.2, the X25519 and X448 Diffie-Hellman examples
 *    (Alice and Bob);
 *  - NIST CAVS 14.1 "ECC CDH Primitive" (KAS_ECC_CDH_PrimitiveTest.txt),
 *    [P-256], [P-384] and [P-521] COUNT = 0 (P-521's values without the
 *    file's extra leading zero bytes, at the field size of 66);
 * and against the shares a hostile peer can send: wrong lengths,
 * compressed and hybrid points, points off the curve or outside the field,
 * the X25519 low-order points listed at https://cr.yp.to/ecdh.html and
 * X448's 0 and 1 (all give an all-zero secret, RFC 7748 §6, RFC 8446
 * §7.4.2).
 */
#include <errno.h>
#include <string.h>

#include "crypto/kx.h"
#include "../lib/hex.h"

struct kat {
	const char *name;
	enum tls_group group;
	const char *priv, *pub, *peer_pub, *shared;
};

static const struct kat kats[] = {
	{
		.name = "RFC 7748 §6.1 Alice",
		.group = TLS_GROUP_X25519,
		.priv = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
		.pub = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
		.peer_pub = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
		.shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742",
	},
	{
		.name = "RFC 7748 §6.1 Bob",
		.group = TLS_GROUP_X25519,
		.priv = "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
		.pub = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
		.peer_pub = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
		.shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742",
	},
	{
		.name = "CAVS ECC CDH P-256 COUNT 0",
		.group = TLS_GROUP_SECP256R1,
		.priv = "7d7dc5f71eb29ddaf80d6214632eeae03d9058af1fb6d22ed80badb62bc1a534",
		.pub = "04 ead218590119e8876b29146ff89ca61770c4edbbf97d38ce385ed281d8a6b230"
		       "28af61281fd35e2fa7002523acc85a429cb06ee6648325389f59edfce1405141",
		.peer_pub = "04 700c48f77f56584c5cc632ca65640db91b6bacce3a4df6b42ce7cc838833d287"
			    "db71e509e3fd9b060ddb20ba5c51dcc5948d46fbf640dfe0441782cab85fa4ac",
		.shared = "46fc62106420ff012e54a434fbdd2d25ccc5852060561e68040dd7778997bd7b",
	},
	{
		.name = "CAVS ECC CDH P-384 COUNT 0",
		.group = TLS_GROUP_SECP384R1,
		.priv = "3cc3122a68f0d95027ad38c067916ba0eb8c38894d22e1b15618b6818a661774ad463b205da88cf699ab4d43c9cf98a1",
		.pub = "04 9803807f2f6d2fd966cdd0290bd410c0190352fbec7ff6247de1302df86f25d34fe4a97bef60cff548355c015dbb3e5f"
		       "ba26ca69ec2f5b5d9dad20cc9da711383a9dbe34ea3fa5a2af75b46502629ad54dd8b7d73a8abb06a3a3be47d650cc99",
		.peer_pub = "04 a7c76b970c3b5fe8b05d2838ae04ab47697b9eaf52e764592efda27fe7513272734466b400091adbf2d68c58e0c50066"
			    "ac68f19f2e1cb879aed43a9969b91a0839c4c38a49749b661efedf243451915ed0905a32b060992b468c64766fc8437a",
		.shared = "5f9d29dc5e31a163060356213669c8ce132e22f57c9a04f40ba7fcead493b457e5621e766c40a2e3d4d6a04b25e533f1",
	},
	{
		.name = "CAVS ECC CDH P-521 COUNT 0",
		.group = TLS_GROUP_SECP521R1,
		.priv = "017eecc07ab4b329068fba65e56a1f8890aa935e57134ae0ffcce802735151f4eac6564f6ee9974c5e6887a1fefee5743ae2241bfeb95d5ce31ddcb6f9edb4d6fc47",
		.pub = "04 00602f9d0cf9e526b29e22381c203c48a886c2b0673033366314f1ffbcba240ba42f4ef38a76174635f91e6b4ed34275eb01c8467d05ca80315bf1a7bbd945f550a5"
		       "01b7c85f26f5d4b2d7355cf6b02117659943762b6d1db5ab4f1dbc44ce7b2946eb6c7de342962893fd387d1b73d7a8672d1f236961170b7eb3579953ee5cdc88cd2d",
		.peer_pub = "04 00685a48e86c79f0f0875f7bc18d25eb5fc8c0b07e5da4f4370f3a9490340854334b1e1b87fa395464c60626124a4e70d0f785601d37c09870ebf176666877a2046d"
			    "01ba52c56fc8776d9e8f5db4f0cc27636d0b741bbe05400697942e80b739884a83bde99e0f6716939e632bc8986fa18dccd443a348b6c3e522497955a4f3c302f676",
		.shared = "005fc70477c3e63bc3954bd0df3ea0d1f41ee21746ed95fc5e1fdf90930d5e136672d72cc770742d1711c3c3a4c334a0ad9759436a4d3c5bf6e74b9578fac148c831",
	},
	{
		.name = "RFC 7748 §6.2 Alice",
		.group = TLS_GROUP_X448,
		.priv = "9a8f4925d1519f5775cf46b04b5800d4ee9ee8bae8bc5565d498c28dd9c9baf574a9419744897391006382a6f127ab1d9ac2d8c0a598726b",
		.pub = "9b08f7cc31b7e3e67d22d5aea121074a273bd2b83de09c63faa73d2c22c5d9bbc836647241d953d40c5b12da88120d53177f80e532c41fa0",
		.peer_pub = "3eb7a829b0cd20f5bcfc0b599b6feccf6da4627107bdb0d4f345b43027d8b972fc3e34fb4232a13ca706dcb57aec3dae07bdc1c67bf33609",
		.shared = "07fff4181ac6cc95ec1c16a94a0f74d12da232ce40a77552281d282bb60c0b56fd2464c335543936521c24403085d59a449a5037514a879d",
	},
	{
		.name = "RFC 7748 §6.2 Bob",
		.group = TLS_GROUP_X448,
		.priv = "1c306a7ac2a0e2e0990b294470cba339e6453772b075811d8fad0d1d6927c120bb5ee8972b0d3e21374c9c921b09d1b0366f10b65173992d",
		.pub = "3eb7a829b0cd20f5bcfc0b599b6feccf6da4627107bdb0d4f345b43027d8b972fc3e34fb4232a13ca706dcb57aec3dae07bdc1c67bf33609",
		.peer_pub = "9b08f7cc31b7e3e67d22d5aea121074a273bd2b83de09c63faa73d2c22c5d9bbc836647241d953d40c5b12da88120d53177f80e532c41fa0",
		.shared = "07fff4181ac6cc95ec1c16a94a0f74d12da232ce40a77552281d282bb60c0b56fd2464c335543936521c24403085d59a449a5037514a879d",
	},
};

static const enum tls_group all_groups[] = {
	TLS_GROUP_X25519, TLS_GROUP_SECP256R1, TLS_GROUP_SECP384R1,
	TLS_GROUP_SECP521R1, TLS_GROUP_X448,
};

/* RFC 8446 §7.4: the field size, the shared secret's length */
static size_t secret_len(enum tls_group g)
{
	switch (g) {
	case TLS_GROUP_SECP384R1:
		return 48;
	case TLS_GROUP_SECP521R1:
		return 66;
	case TLS_GROUP_X448:
		return 56;
	default:
		return 32;
	}
}

static bool is_nist(enum tls_group g)
{
	return g == TLS_GROUP_SECP256R1 || g == TLS_GROUP_SECP384R1 ||
	       g == TLS_GROUP_SECP521R1;
}

static void test_kat(const struct kat *t)
{
	struct hexbuf priv = unhex(t->priv), peer = unhex(t->peer_pub);
	struct secret shared SECRET_SCOPED = { 0 };
	uint8_t pub[KX_PUBLIC_MAX];
	struct kx_key *key = NULL;
	size_t len = 0;

	CHECK(kx_key_from_private(t->group, priv.b, priv.len, &key) == 0,
	      "%s: key from the published private value", t->name);
	if (!key)
		return;
	CHECK(kx_key_group(key) == t->group, "%s: key knows its group",
	      t->name);
	CHECK(kx_public(key, pub, sizeof(pub), &len) == 0,
	      "%s: public value encodes", t->name);
	CHECK_HEX(pub, len, t->pub, "%s: public value is the published one",
		  t->name);
	CHECK(kx_derive(key, peer.b, peer.len, &shared) == 0,
	      "%s: derive with the peer's public value", t->name);
	CHECK_SECRET(&shared, t->shared, "%s: shared secret is the published one",
		     t->name);
	kx_free(key);
}

/* Both sides of a fresh exchange reach the same secret of the right size. */
static void test_round_trip(enum tls_group group)
{
	struct secret s1 SECRET_SCOPED = { 0 }, s2 SECRET_SCOPED = { 0 };
	uint8_t p1[KX_PUBLIC_MAX], p2[KX_PUBLIC_MAX];
	struct kx_key *k1 = NULL, *k2 = NULL;
	const char *name = kx_group_name(group);
	size_t l1 = 0, l2 = 0;

	CHECK(kx_keygen(group, &k1) == 0 && kx_keygen(group, &k2) == 0,
	      "%s: two fresh keys", name);
	if (!k1 || !k2)
		goto out;
	CHECK(kx_public(k1, p1, sizeof(p1), &l1) == 0 &&
		      kx_public(k2, p2, sizeof(p2), &l2) == 0,
	      "%s: both public values encode", name);
	CHECK(l1 == kx_public_len(group) && l2 == l1,
	      "%s: public value is %zu bytes, as kx_public_len says", name,
	      kx_public_len(group));
	CHECK(!is_nist(group) || (p1[0] == 0x04 && p2[0] == 0x04),
	      "%s: public value is in uncompressed form", name);
	CHECK(memcmp(p1, p2, l1) != 0, "%s: two keys differ", name);
	CHECK(kx_derive(k1, p2, l2, &s1) == 0 && kx_derive(k2, p1, l1, &s2) == 0,
	      "%s: both sides derive", name);
	CHECK(s1.len == secret_len(group),
	      "%s: shared secret has the field size (%zu bytes)", name, s1.len);
	CHECK(s1.len == s2.len && !memcmp(s1.bytes, s2.bytes, s1.len),
	      "%s: both sides reach the same secret", name);
out:
	kx_free(k1);
	kx_free(k2);
}

static void check_rejected(struct kx_key *key, const uint8_t *share,
			   size_t len, const char *what)
{
	struct secret shared SECRET_SCOPED = { 0 };
	int err;

	shared.len = 7;
	err = kx_derive(key, share, len, &shared);
	CHECK(err == -EBADMSG && shared.len == 7,
	      "%s: rejected with EBADMSG, output untouched", what);
	if (err != -EBADMSG)
		printf("    got %d\n", err);
}

/* RFC 7748 §6.1 / RFC 8446 §7.4.2: shares that give an all-zero secret. */
static void test_x25519_low_order(void)
{
	static const char *const low_order[] = {
		"0000000000000000000000000000000000000000000000000000000000000000",
		"0100000000000000000000000000000000000000000000000000000000000000",
		"e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
		"5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	};
	struct kx_key *key = NULL;

	CHECK(kx_keygen(TLS_GROUP_X25519, &key) == 0, "x25519: fresh key");
	if (!key)
		return;
	for (size_t i = 0; i < sizeof(low_order) / sizeof(low_order[0]); i++) {
		struct hexbuf u = unhex(low_order[i]);
		char what[64];

		snprintf(what, sizeof(what), "x25519 low-order share %.8s...",
			 low_order[i]);
		check_rejected(key, u.b, u.len, what);
	}
	kx_free(key);
}

/* RFC 7748 §6.2: X448's low-order u-coordinates, 0 and 1 (and p, p + 1
 * reduced), give the all-zero secret.
 */
static void test_x448_low_order(void)
{
	uint8_t u[56] = { 0 };
	struct kx_key *key = NULL;

	CHECK(kx_keygen(TLS_GROUP_X448, &key) == 0, "x448: fresh key");
	if (!key)
		return;
	check_rejected(key, u, sizeof(u), "x448 low-order share 0");
	u[0] = 1;
	check_rejected(key, u, sizeof(u), "x448 low-order share 1");
	kx_free(key);
}

static void test_bad_lengths(void)
{
	uint8_t share[KX_PUBLIC_MAX + 1];

	for (size_t i = 0; i < sizeof(all_groups) / sizeof(all_groups[0]); i++) {
		enum tls_group g = all_groups[i];
		size_t n = kx_public_len(g);
		struct kx_key *key = NULL;
		uint8_t pub[KX_PUBLIC_MAX];
		size_t len = 0;
		char what[64];

		CHECK(kx_keygen(g, &key) == 0, "%s: fresh key",
		      kx_group_name(g));
		if (!key)
			continue;
		CHECK(kx_public(key, pub, sizeof(pub), &len) == 0,
		      "%s: public value", kx_group_name(g));
		/* a real share, one byte short and one byte long */
		memcpy(share, pub, len);
		share[len] = 0;
		snprintf(what, sizeof(what), "%s: share one byte short",
			 kx_group_name(g));
		check_rejected(key, share, n - 1, what);
		snprintf(what, sizeof(what), "%s: share one byte long",
			 kx_group_name(g));
		check_rejected(key, share, n + 1, what);
		snprintf(what, sizeof(what), "%s: empty share",
			 kx_group_name(g));
		check_rejected(key, share, 0, what);
		CHECK(kx_public(key, pub, n - 1, &len) == -EMSGSIZE,
		      "%s: public value into a short buffer: EMSGSIZE",
		      kx_group_name(g));
		kx_free(key);
	}
}

/* RFC 8446 §4.2.8.2: NIST shares are uncompressed points on the curve. */
static void test_bad_nist_points(void)
{
	/* CAVS P-256 COUNT 0's QCAVS, a valid point, and its variants */
	static const char x[] = "700c48f77f56584c5cc632ca65640db91b6bacce3a4df6b42ce7cc838833d287";
	static const char y[] = "db71e509e3fd9b060ddb20ba5c51dcc5948d46fbf640dfe0441782cab85fa4ac";
	/* the P-256 field prime p (FIPS 186-4 §D.1.2.3) */
	static const char p[] = "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff";
	struct secret shared SECRET_SCOPED = { 0 };
	struct kx_key *key = NULL;
	struct hexbuf share;
	char buf[2 + 64 + 64 + 1];

	CHECK(kx_keygen(TLS_GROUP_SECP256R1, &key) == 0, "P-256: fresh key");
	if (!key)
		return;

	snprintf(buf, sizeof(buf), "04%s%s", x, y);
	share = unhex(buf);
	CHECK(kx_derive(key, share.b, share.len, &shared) == 0,
	      "P-256: the unmodified point is accepted (control)");

	share.b[64] ^= 0x01;
	check_rejected(key, share.b, share.len, "P-256: point off the curve");

	snprintf(buf, sizeof(buf), "02%s", x);
	share = unhex(buf);
	check_rejected(key, share.b, share.len,
		       "P-256: compressed point (33 bytes)");

	snprintf(buf, sizeof(buf), "03%s%s", x, y);
	share = unhex(buf);
	check_rejected(key, share.b, share.len,
		       "P-256: compressed prefix on a 65-byte share");

	/* y is even: 0x06 is the consistent hybrid form libcrypto accepts */
	snprintf(buf, sizeof(buf), "06%s%s", x, y);
	share = unhex(buf);
	check_rejected(key, share.b, share.len,
		       "P-256: hybrid form (X9.62 0x06)");

	snprintf(buf, sizeof(buf), "04%s%s", p, y);
	share = unhex(buf);
	check_rejected(key, share.b, share.len,
		       "P-256: x-coordinate equal to the field prime");

	share = unhex("00");
	check_rejected(key, share.b, share.len, "P-256: point at infinity");

	memset(share.b, 0, 65);
	share.b[0] = 0x04;
	check_rejected(key, share.b, 65, "P-256: (0, 0) is not on the curve");
	kx_free(key);

	/* a valid P-256 share given to a P-384 key */
	CHECK(kx_keygen(TLS_GROUP_SECP384R1, &key) == 0, "P-384: fresh key");
	if (!key)
		return;
	snprintf(buf, sizeof(buf), "04%s%s", x, y);
	share = unhex(buf);
	check_rejected(key, share.b, share.len, "P-384: a P-256 share");
	kx_free(key);
}

/* P-521: the CAVS peer point is accepted; one bit of y flipped is not. */
static void test_bad_p521_point(void)
{
	const struct kat *t = NULL;
	struct secret shared SECRET_SCOPED = { 0 };
	struct kx_key *key = NULL;
	struct hexbuf share;

	for (size_t i = 0; i < sizeof(kats) / sizeof(kats[0]); i++)
		if (kats[i].group == TLS_GROUP_SECP521R1)
			t = &kats[i];
	CHECK(t && kx_keygen(TLS_GROUP_SECP521R1, &key) == 0,
	      "P-521: fresh key");
	if (!t || !key)
		return;
	share = unhex(t->peer_pub);
	CHECK(kx_derive(key, share.b, share.len, &shared) == 0,
	      "P-521: the CAVS point is accepted (control)");
	share.b[132] ^= 0x01;
	check_rejected(key, share.b, share.len, "P-521: point off the curve");
	kx_free(key);
}

static void test_private_value_bounds(void)
{
	/* the P-256 group order n (FIPS 186-4 §D.1.2.3) */
	struct hexbuf n = unhex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
	uint8_t zero[48] = { 0 };
	struct kx_key *key = NULL;

	CHECK(kx_key_from_private(TLS_GROUP_SECP256R1, zero, 32, &key) ==
		      -EINVAL,
	      "P-256: private value 0 is refused");
	CHECK(kx_key_from_private(TLS_GROUP_SECP256R1, n.b, n.len, &key) ==
		      -EINVAL,
	      "P-256: private value n is refused");
	n.b[31]--;
	CHECK(kx_key_from_private(TLS_GROUP_SECP256R1, n.b, n.len, &key) == 0,
	      "P-256: private value n - 1 is accepted");
	kx_free(key);
	CHECK(kx_key_from_private(TLS_GROUP_SECP384R1, n.b, n.len, &key) ==
		      -EINVAL,
	      "P-384: a 32-byte private value is refused");
	CHECK(kx_key_from_private(TLS_GROUP_X25519, zero, 31, &key) == -EINVAL,
	      "x25519: a 31-byte private value is refused");
}

static void test_names_and_support(void)
{
	static const struct {
		const char *name;
		enum tls_group group;
	} names[] = {
		{ "x25519", TLS_GROUP_X25519 },
		{ "X25519", TLS_GROUP_X25519 },
		{ "secp256r1", TLS_GROUP_SECP256R1 },
		{ "P-256", TLS_GROUP_SECP256R1 },
		{ "p-256", TLS_GROUP_SECP256R1 },
		{ "secp384r1", TLS_GROUP_SECP384R1 },
		{ "P-384", TLS_GROUP_SECP384R1 },
		{ "secp521r1", TLS_GROUP_SECP521R1 },
		{ "P-521", TLS_GROUP_SECP521R1 },
		{ "x448", TLS_GROUP_X448 },
		{ "X448", TLS_GROUP_X448 },
	};
	enum tls_group g = 0;
	struct kx_key *key = NULL;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		CHECK(kx_group_from_name(names[i].name, &g) == 0 &&
			      g == names[i].group,
		      "config name \"%s\" is group 0x%04x", names[i].name,
		      names[i].group);
	CHECK(kx_group_from_name("ffdhe2048", &g) == -ENOENT,
	      "unsupported group name: ENOENT");
	CHECK(kx_group_from_name("ffdhe3072", &g) == -ENOENT,
	      "ffdhe3072 (no finite-field groups): ENOENT");
	CHECK(!strcmp(kx_group_name(TLS_GROUP_X25519), "x25519") &&
		      !strcmp(kx_group_name(TLS_GROUP_SECP256R1), "secp256r1") &&
		      !strcmp(kx_group_name(TLS_GROUP_SECP384R1), "secp384r1") &&
		      !strcmp(kx_group_name(TLS_GROUP_SECP521R1), "secp521r1") &&
		      !strcmp(kx_group_name(TLS_GROUP_X448), "x448"),
	      "log names are the IANA names");
	CHECK(!strcmp(kx_group_name(0x0100), "unknown"),
	      "ffdhe2048 (0x0100) logs as unknown");

	CHECK(kx_public_len(TLS_GROUP_X25519) == 32 &&
		      kx_public_len(TLS_GROUP_SECP256R1) == 65 &&
		      kx_public_len(TLS_GROUP_SECP384R1) == 97 &&
		      kx_public_len(TLS_GROUP_SECP521R1) == 133 &&
		      kx_public_len(TLS_GROUP_X448) == 56,
	      "share lengths of RFC 8446 §4.2.8.2: 32, 65, 97, 133, 56");
	CHECK(kx_public_len(0x0100) == 0 && kx_public_len(0x0016) == 0,
	      "unsupported groups have share length 0");
	for (size_t i = 0; i < sizeof(all_groups) / sizeof(all_groups[0]); i++)
		CHECK(kx_group_supported(all_groups[i]), "%s is supported",
		      kx_group_name(all_groups[i]));
	CHECK(!kx_group_supported(0x0100) && !kx_group_supported(0x0016) &&
		      !kx_group_supported(0),
	      "ffdhe2048, secp256k1 and 0 are not supported");
	CHECK(kx_keygen(0x0100, &key) == -EOPNOTSUPP && !key,
	      "keygen for ffdhe2048: EOPNOTSUPP");
}

int main(void)
{
	for (size_t i = 0; i < sizeof(kats) / sizeof(kats[0]); i++)
		test_kat(&kats[i]);
	for (size_t i = 0; i < sizeof(all_groups) / sizeof(all_groups[0]); i++)
		test_round_trip(all_groups[i]);
	test_x25519_low_order();
	test_x448_low_order();
	test_bad_lengths();
	test_bad_nist_points();
	test_bad_p521_point();
	test_private_value_bounds();
	test_names_and_support();
	kx_free(NULL);
	return check_summary();
}
