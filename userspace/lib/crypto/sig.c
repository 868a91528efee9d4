// SPDX-License-Identifier: MIT
#include <errno.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>

#include "crypto/sig.h"

enum { V12 = 1 << 0, V13 = 1 << 1 };

/* Everything the code needs to know about a scheme, in one place. */
struct sig_alg {
	uint16_t scheme;
	const char *name;	/* RFC 8446 §4.2.3 */
	const char *key_type;	/* libcrypto key type */
	int curve_nid;		/* ECDSA: the curve the scheme names */
	enum tls_hash hash;	/* 0: the scheme hashes itself (EdDSA) */
	int padding;		/* RSA padding, 0 for the others */
	unsigned int versions;	/* where handshake signatures may use it */
};

/*
 * RFC 8446 §4.2.3: PSS and EdDSA schemes apply to TLS 1.2 too, and
 * rsa_pkcs1_* is for certificates only in TLS 1.3 (§4.4.3).
 */
static const struct sig_alg algs[] = {
	{ TLS_SIG_ECDSA_SECP256R1_SHA256, "ecdsa_secp256r1_sha256", "EC",
	  NID_X9_62_prime256v1, TLS_HASH_SHA256, 0, V12 | V13 },
	{ TLS_SIG_ECDSA_SECP384R1_SHA384, "ecdsa_secp384r1_sha384", "EC",
	  NID_secp384r1, TLS_HASH_SHA384, 0, V12 | V13 },
	{ TLS_SIG_ED25519, "ed25519", "ED25519", NID_undef, 0, 0, V12 | V13 },
	{ TLS_SIG_RSA_PSS_RSAE_SHA256, "rsa_pss_rsae_sha256", "RSA", NID_undef,
	  TLS_HASH_SHA256, RSA_PKCS1_PSS_PADDING, V12 | V13 },
	{ TLS_SIG_RSA_PSS_RSAE_SHA384, "rsa_pss_rsae_sha384", "RSA", NID_undef,
	  TLS_HASH_SHA384, RSA_PKCS1_PSS_PADDING, V12 | V13 },
	{ TLS_SIG_RSA_PKCS1_SHA256, "rsa_pkcs1_sha256", "RSA", NID_undef,
	  TLS_HASH_SHA256, RSA_PKCS1_PADDING, V12 },
	{ TLS_SIG_RSA_PKCS1_SHA384, "rsa_pkcs1_sha384", "RSA", NID_undef,
	  TLS_HASH_SHA384, RSA_PKCS1_PADDING, V12 },
};

/*
 * Preference order. rsa_pkcs1_* stays in the list: in TLS 1.3 without
 * signature_algorithms_cert it also names what certificates may be signed
 * with (RFC 8446 §4.2.3), and most RSA certificates are.
 */
const uint16_t sig_default_schemes[] = {
	TLS_SIG_ECDSA_SECP256R1_SHA256, TLS_SIG_ECDSA_SECP384R1_SHA384,
	TLS_SIG_ED25519,		TLS_SIG_RSA_PSS_RSAE_SHA256,
	TLS_SIG_RSA_PSS_RSAE_SHA384,	TLS_SIG_RSA_PKCS1_SHA256,
	TLS_SIG_RSA_PKCS1_SHA384,
};
const size_t sig_default_schemes_len =
	sizeof(sig_default_schemes) / sizeof(sig_default_schemes[0]);

static const struct sig_alg *find_alg(uint16_t scheme)
{
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (algs[i].scheme == scheme)
			return &algs[i];
	return NULL;
}

const char *sig_scheme_name(uint16_t scheme)
{
	const struct sig_alg *a = find_alg(scheme);

	return a ? a->name : "unknown";
}

static int key_curve_nid(const EVP_PKEY *key)
{
	char name[64];
	size_t len = 0;
	int nid;

	if (EVP_PKEY_get_group_name(key, name, sizeof(name), &len) != 1)
		return NID_undef;
	nid = OBJ_sn2nid(name);
	return nid != NID_undef ? nid : EC_curve_nist2nid(name);
}

static bool alg_fits(const struct sig_alg *a, const EVP_PKEY *key,
		     uint16_t version, bool curve_bound)
{
	unsigned int v = version == TLS_VERSION_1_3 ? V13 :
			 version == TLS_VERSION_1_2 ? V12 : 0;

	if (!(a->versions & v) || !EVP_PKEY_is_a(key, a->key_type))
		return false;
	return !curve_bound || a->curve_nid == NID_undef ||
	       key_curve_nid(key) == a->curve_nid;
}

bool sig_scheme_fits_key(const EVP_PKEY *key, uint16_t scheme,
			 uint16_t version)
{
	const struct sig_alg *a = find_alg(scheme);

	/* RFC 8446 §4.2.3: in TLS 1.3 an ECDSA scheme fixes the curve */
	return a && alg_fits(a, key, version, version == TLS_VERSION_1_3);
}

static bool offered(const uint16_t *list, size_t n, uint16_t scheme)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == scheme)
			return true;
	return false;
}

static int pick_pass(const EVP_PKEY *key, uint16_t version, bool curve_bound,
		     const uint16_t *peer, size_t n, uint16_t *scheme)
{
	for (size_t i = 0; i < sig_default_schemes_len; i++) {
		const struct sig_alg *a = find_alg(sig_default_schemes[i]);

		if (a && offered(peer, n, a->scheme) &&
		    alg_fits(a, key, version, curve_bound)) {
			*scheme = a->scheme;
			return 0;
		}
	}
	return -ENOENT;
}

int sig_pick(const EVP_PKEY *key, uint16_t version,
	     const uint16_t *peer_schemes, size_t n, uint16_t *scheme)
{
	/*
	 * RFC 5246 §7.4.1.4.1 lets a TLS 1.2 ECDSA key use any offered hash;
	 * still prefer the one matching its curve, as TLS 1.3 requires.
	 */
	if (!pick_pass(key, version, true, peer_schemes, n, scheme))
		return 0;
	if (version == TLS_VERSION_1_2)
		return pick_pass(key, version, false, peer_schemes, n, scheme);
	return -ENOENT;
}

/* The scheme, if this key can compute it at all; else NULL. */
static const struct sig_alg *alg_for_key(uint16_t scheme, const EVP_PKEY *key)
{
	const struct sig_alg *a = find_alg(scheme);

	return a && EVP_PKEY_is_a(key, a->key_type) ? a : NULL;
}

static int init_md_ctx(EVP_MD_CTX *mctx, const struct sig_alg *a,
		       EVP_PKEY *key, bool sign)
{
	const char *md = a->hash ? tls_hash_name(a->hash) : NULL;
	EVP_PKEY_CTX *pctx = NULL;
	int ok;

	if (sign)
		ok = EVP_DigestSignInit_ex(mctx, &pctx, md, NULL, NULL, key,
					   NULL);
	else
		ok = EVP_DigestVerifyInit_ex(mctx, &pctx, md, NULL, NULL, key,
					     NULL);
	ENSURE(ok == 1, -EIO);
	if (a->padding)
		ENSURE(EVP_PKEY_CTX_set_rsa_padding(pctx, a->padding) == 1,
		       -EIO);
	if (a->padding == RSA_PKCS1_PSS_PADDING) {
		/*
		 * RFC 8446 §4.2.3: MGF1 uses the signature's hash and the salt
		 * is exactly as long as it; on verify, libcrypto then refuses
		 * any other salt length.
		 */
		ENSURE(EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, md, NULL) == 1,
		       -EIO);
		ENSURE(EVP_PKEY_CTX_set_rsa_pss_saltlen(
			       pctx, RSA_PSS_SALTLEN_DIGEST) == 1,
		       -EIO);
	}
	return 0;
}

static int sign_with(EVP_MD_CTX *mctx, const struct sig_alg *a, EVP_PKEY *key,
		     const uint8_t *tbs, size_t len, uint8_t *out, size_t cap,
		     size_t *outlen)
{
	size_t n = cap;

	TRY(init_md_ctx(mctx, a, key, true));
	ENSURE(EVP_DigestSign(mctx, out, &n, tbs, len) == 1, -EIO);
	*outlen = n;
	return 0;
}

int sig_sign(EVP_PKEY *key, uint16_t scheme, const uint8_t *tbs, size_t len,
	     uint8_t *out, size_t cap, size_t *outlen)
{
	const struct sig_alg *a = alg_for_key(scheme, key);
	int max = EVP_PKEY_get_size(key);
	EVP_MD_CTX *mctx;
	int err;

	ENSURE(a, -EINVAL);
	ENSURE(max > 0, -EIO);
	ENSURE(cap >= (size_t)max, -EMSGSIZE);
	mctx = EVP_MD_CTX_new();
	ENSURE(mctx, -ENOMEM);
	err = sign_with(mctx, a, key, tbs, len, out, cap, outlen);
	EVP_MD_CTX_free(mctx);
	return err;
}

static int verify_with(EVP_MD_CTX *mctx, const struct sig_alg *a,
		       EVP_PKEY *pub, const uint8_t *tbs, size_t len,
		       const uint8_t *sig, size_t siglen)
{
	TRY(init_md_ctx(mctx, a, pub, false));
	/* any failure past this point is about the signature's bytes */
	if (EVP_DigestVerify(mctx, sig, siglen, tbs, len) != 1) {
		ERR_clear_error();
		return -EBADMSG;
	}
	return 0;
}

int sig_verify(EVP_PKEY *pub, uint16_t scheme, const uint8_t *tbs, size_t len,
	       const uint8_t *sig, size_t siglen)
{
	/* RFC 8446 §4.4.3: a scheme the key cannot use is illegal_parameter */
	const struct sig_alg *a = alg_for_key(scheme, pub);
	EVP_MD_CTX *mctx;
	int err;

	ENSURE(a, -EINVAL);
	mctx = EVP_MD_CTX_new();
	ENSURE(mctx, -ENOMEM);
	err = verify_with(mctx, a, pub, tbs, len, sig, siglen);
	EVP_MD_CTX_free(mctx);
	return err;
}

int sig_tls13_content(bool is_server, const uint8_t *transcript_hash,
		      size_t hash_len, uint8_t *out, size_t cap, size_t *len)
{
	/* RFC 8446 §4.4.3; the string's NUL is the single 0 separator */
	static const char server[] = "TLS 1.3, server CertificateVerify";
	static const char client[] = "TLS 1.3, client CertificateVerify";
	const char *context = is_server ? server : client;
	size_t context_len = sizeof(server);
	size_t total = 64 + context_len + hash_len;

	_Static_assert(sizeof(server) == sizeof(client), "same length");
	_Static_assert(SIG_TLS13_CONTENT_MAX ==
			       64 + sizeof(server) + TLS_HASH_MAX,
		       "SIG_TLS13_CONTENT_MAX is the longest content");

	ENSURE(hash_len && hash_len <= TLS_HASH_MAX, -EINVAL);
	ENSURE(cap >= total, -EMSGSIZE);
	memset(out, 0x20, 64);
	memcpy(out + 64, context, context_len);
	memcpy(out + 64 + context_len, transcript_hash, hash_len);
	*len = total;
	return 0;
}
