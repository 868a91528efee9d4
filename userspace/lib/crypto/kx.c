// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>

#include "crypto/kx.h"

/* SEC 1 §2.3.3 leading octet of an uncompressed point */
#define SEC1_UNCOMPRESSED 0x04

struct kx_group {
	enum tls_group id;
	const char *name;	/* IANA TLS name, for config and logs */
	const char *alias;	/* NIST name, also accepted in config */
	const char *curve;	/* libcrypto EC group, NULL for X25519/X448 */
	const char *raw;	/* libcrypto key type of X25519/X448 */
	int nid;
	size_t public_len;	/* RFC 8446 §4.2.8.2 */
	size_t secret_len;	/* RFC 8446 §7.4 */
};

static const struct kx_group groups[] = {
	{ TLS_GROUP_X25519, "x25519", NULL, NULL, "X25519", NID_X25519, 32,
	  32 },
	{ TLS_GROUP_SECP256R1, "secp256r1", "P-256", "P-256", NULL,
	  NID_X9_62_prime256v1, 65, 32 },
	{ TLS_GROUP_SECP384R1, "secp384r1", "P-384", "P-384", NULL,
	  NID_secp384r1, 97, 48 },
	/* RFC 8446 §4.2.8.2: 1 + 2 * 66 bytes; the secret is 66 (§7.4.1) */
	{ TLS_GROUP_SECP521R1, "secp521r1", "P-521", "P-521", NULL,
	  NID_secp521r1, 133, 66 },
	/* RFC 7748 §5: 56-byte u-coordinates and results */
	{ TLS_GROUP_X448, "x448", NULL, NULL, "X448", NID_X448, 56, 56 },
};

struct kx_key {
	const struct kx_group *g;
	EVP_PKEY *pkey;
};

static const struct kx_group *find_group(enum tls_group id)
{
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (groups[i].id == id)
			return &groups[i];
	return NULL;
}

bool kx_group_supported(enum tls_group group)
{
	return find_group(group) != NULL;
}

size_t kx_public_len(enum tls_group group)
{
	const struct kx_group *g = find_group(group);

	return g ? g->public_len : 0;
}

const char *kx_group_name(enum tls_group group)
{
	const struct kx_group *g = find_group(group);

	return g ? g->name : "unknown";
}

int kx_group_from_name(const char *name, enum tls_group *group)
{
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		const struct kx_group *g = &groups[i];

		if (!strcasecmp(name, g->name) ||
		    (g->alias && !strcasecmp(name, g->alias))) {
			*group = g->id;
			return 0;
		}
	}
	return -ENOENT;
}

enum tls_group kx_key_group(const struct kx_key *key)
{
	return key->g->id;
}

/* Takes ownership of pkey, on failure too. */
static int wrap_key(const struct kx_group *g, EVP_PKEY *pkey,
		    struct kx_key **out)
{
	struct kx_key *key;

	ENSURE(pkey, -EIO);
	key = malloc(sizeof(*key));
	if (!key) {
		EVP_PKEY_free(pkey);
		return -ENOMEM;
	}
	key->g = g;
	key->pkey = pkey;
	*out = key;
	return 0;
}

int kx_keygen(enum tls_group group, struct kx_key **key)
{
	const struct kx_group *g = find_group(group);
	EVP_PKEY *pkey;

	ENSURE(g, -EOPNOTSUPP);
	if (g->curve)
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", g->curve);
	else
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, g->raw);
	return wrap_key(g, pkey, key);
}

/*
 * libcrypto 3.0 does not compute the public point when a key is imported
 * from its private scalar alone, so do it here: Q = d·G, encoded
 * uncompressed.
 */
static int ec_public_from_private(const struct kx_group *g, const BIGNUM *d,
				  uint8_t *pub)
{
	EC_GROUP *group = EC_GROUP_new_by_curve_name(g->nid);
	EC_POINT *q = group ? EC_POINT_new(group) : NULL;
	int err = -EIO;

	if (!q)
		goto out;
	err = -EINVAL;
	if (BN_is_zero(d) || BN_cmp(d, EC_GROUP_get0_order(group)) >= 0)
		goto out;
	err = -EIO;
	if (EC_POINT_mul(group, q, d, NULL, NULL, NULL) == 1 &&
	    EC_POINT_point2oct(group, q, POINT_CONVERSION_UNCOMPRESSED, pub,
			       g->public_len, NULL) == g->public_len)
		err = 0;
out:
	EC_POINT_free(q);
	EC_GROUP_free(group);
	return err;
}

/* An EC key of group g from an encoded public point and optional scalar. */
static int ec_fromdata(const struct kx_group *g, const uint8_t *pub,
		       const BIGNUM *d, EVP_PKEY **out)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	int selection = d ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY;
	OSSL_PARAM *params = NULL;
	int ok = 0;

	if (ctx && bld &&
	    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
					    g->curve, 0) &&
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub,
					     g->public_len) &&
	    (!d || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d)))
		params = OSSL_PARAM_BLD_to_param(bld);
	if (params && EVP_PKEY_fromdata_init(ctx) == 1)
		ok = EVP_PKEY_fromdata(ctx, out, selection, params) == 1;
	/* the secure BIGNUM d was copied to a secure part, cleared on free */
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	return ok ? 0 : -EIO;
}

static int ec_from_private(const struct kx_group *g, const uint8_t *priv,
			   size_t len, EVP_PKEY **out)
{
	uint8_t pub[KX_PUBLIC_MAX];
	BIGNUM *d;
	int err;

	/* the scalar is exactly as long as the x-coordinate (SEC 1 §2.3.7) */
	ENSURE(len == g->secret_len, -EINVAL);
	d = BN_secure_new();
	ENSURE(d, -ENOMEM);
	err = BN_bin2bn(priv, (int)len, d) ? 0 : -EIO;
	if (!err)
		err = ec_public_from_private(g, d, pub);
	if (!err)
		err = ec_fromdata(g, pub, d, out);
	BN_clear_free(d);
	return err;
}

int kx_key_from_private(enum tls_group group, const uint8_t *priv,
			size_t len, struct kx_key **key)
{
	const struct kx_group *g = find_group(group);
	EVP_PKEY *pkey = NULL;

	ENSURE(g, -EOPNOTSUPP);
	if (g->curve) {
		TRY(ec_from_private(g, priv, len, &pkey));
	} else {
		/* RFC 7748 §5: any 32 (56) bytes are a scalar, clamped on use */
		ENSURE(len == g->secret_len, -EINVAL);
		pkey = EVP_PKEY_new_raw_private_key_ex(NULL, g->raw, NULL, priv,
						       len);
	}
	return wrap_key(g, pkey, key);
}

int kx_public(const struct kx_key *key, uint8_t *out, size_t cap,
	      size_t *len)
{
	const struct kx_group *g = key->g;
	size_t n = cap;
	int ok;

	ENSURE(cap >= g->public_len, -EMSGSIZE);
	if (g->curve)
		ok = EVP_PKEY_get_octet_string_param(
			key->pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, out, cap,
			&n);
	else
		ok = EVP_PKEY_get_raw_public_key(key->pkey, out, &n);
	ENSURE(ok == 1 && n == g->public_len, -EIO);
	/* RFC 8446 §4.2.8.2, RFC 8422 §5.1.2: only the uncompressed form */
	ENSURE(!g->curve || out[0] == SEC1_UNCOMPRESSED, -EIO);
	*len = n;
	return 0;
}

/* The peer's share as a key of our group, or -EBADMSG. */
static int peer_key(const struct kx_group *g, const uint8_t *pub, size_t len,
		    EVP_PKEY **out)
{
	/* RFC 8446 §4.2.8.2 / RFC 8422 §5.4: fixed length per group */
	ENSURE(len == g->public_len, -EBADMSG);
	if (!g->curve) {
		/* RFC 7748 §5: every 32 (56) byte string is a u-coordinate */
		*out = EVP_PKEY_new_raw_public_key_ex(NULL, g->raw, NULL, pub,
						      len);
		return *out ? 0 : -EIO;
	}
	/* RFC 8446 §4.2.8.2: compressed or hybrid forms are illegal */
	ENSURE(pub[0] == SEC1_UNCOMPRESSED, -EBADMSG);
	/*
	 * RFC 8422 §5.11: decoding rejects coordinates outside the field and
	 * points not on the curve, the only causes the peer controls.
	 */
	if (ec_fromdata(g, pub, NULL, out) < 0) {
		ERR_clear_error();
		return -EBADMSG;
	}
	return 0;
}

static int derive_with(EVP_PKEY_CTX *ctx, const struct kx_group *g,
		       EVP_PKEY *peer, uint8_t *buf, size_t *n)
{
	ENSURE(EVP_PKEY_derive_init(ctx) == 1, -EIO);
	/* validate: libcrypto's full public-key check (RFC 8446 §4.2.8.2) */
	if (EVP_PKEY_derive_set_peer_ex(ctx, peer, 1) != 1) {
		ERR_clear_error();
		return -EBADMSG;
	}
	if (EVP_PKEY_derive(ctx, buf, n) != 1) {
		/*
		 * libcrypto refuses an all-zero X25519/X448 result, the one
		 * way a valid-looking u-coordinate fails (RFC 7748 §6).
		 */
		ERR_clear_error();
		return g->curve ? -EIO : -EBADMSG;
	}
	ENSURE(*n == g->secret_len, -EIO);
	return 0;
}

int kx_derive(const struct kx_key *key, const uint8_t *peer_pub,
	      size_t peer_len, struct secret *shared)
{
	static const uint8_t zeros[SECRET_MAX];
	const struct kx_group *g = key->g;
	uint8_t buf[SECRET_MAX];
	size_t n = sizeof(buf);
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *peer = NULL;
	int err;

	TRY(peer_key(g, peer_pub, peer_len, &peer));
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key->pkey, NULL);
	err = ctx ? derive_with(ctx, g, peer, buf, &n) : -ENOMEM;
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(peer);
	/*
	 * RFC 8446 §7.4.2, RFC 7748 §6: an all-zero X25519/X448 secret means
	 * a low-order share. libcrypto checks too; this does not rely on it.
	 */
	if (!err && !g->curve && !CRYPTO_memcmp(buf, zeros, n))
		err = -EBADMSG;
	if (!err)
		err = secret_set(shared, buf, n);
	OPENSSL_cleanse(buf, sizeof(buf));
	return err;
}

void kx_free(struct kx_key *key)
{
	if (!key)
		return;
	/* libcrypto clears the private key as it frees it */
	EVP_PKEY_free(key->pkey);
	free(key);
}
