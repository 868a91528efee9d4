// SPDX-License-Identifier: MIT
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/x509v3.h>

#include "wire/proto.h"
#include "x509/cert_load.h"
#include "x509/cert_verify.h"

/*
 * OpenSSL security level for every certificate and signature on the path:
 * level 2 is 112 bits (RSA/DSA >= 2048, EC >= 224, no SHA-1 or MD5), the
 * default of Debian's OpenSSL for TLS itself.
 */
#define AUTH_LEVEL 2
/* Clock skew tolerated on OCSP thisUpdate/nextUpdate (RFC 6960 §4.2.2.1). */
#define OCSP_SKEW (5 * 60)
/* How long a response without nextUpdate is believed. */
#define OCSP_MAX_AGE (7 * 24 * 60 * 60)

struct cert_trust {
	X509_STORE *store;
};

static void bio_text(BIO *bio, char *buf, size_t size)
{
	int n = BIO_read(bio, buf, (int)size - 1);

	buf[n > 0 ? n : 0] = '\0';
}

void cert_name_text(const X509_NAME *name, char *buf, size_t size)
{
	BIO *bio;

	if (!size)
		return;
	buf[0] = '\0';
	bio = BIO_new(BIO_s_mem());
	/* RFC 2253 escaping keeps control characters out of log lines. */
	if (bio && name &&
	    X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253) >= 0)
		bio_text(bio, buf, size);
	BIO_free(bio);
}

static void time_text(const ASN1_TIME *t, char *buf, size_t size)
{
	BIO *bio = BIO_new(BIO_s_mem());

	buf[0] = '\0';
	if (bio && t && ASN1_TIME_print(bio, t))
		bio_text(bio, buf, size);
	BIO_free(bio);
}

/* ---- trust anchors ---- */

void cert_trust_free(struct cert_trust *trust)
{
	if (!trust)
		return;
	X509_STORE_free(trust->store);
	OPENSSL_free(trust);
}

/* Add the certificates (if want_certs) and CRLs of one PEM file. */
static int add_pem(X509_STORE *store, const char *path, bool want_certs,
		   char *err, size_t errlen)
{
	STACK_OF(X509_INFO) *infos;
	size_t certs = 0, crls = 0;
	int ret = 0;

	TRY(cert_pem_read(path, &infos, err, errlen));
	for (int i = 0; i < sk_X509_INFO_num(infos) && !ret; i++) {
		X509_INFO *info = sk_X509_INFO_value(infos, i);

		if (want_certs && info->x509) {
			if (!X509_STORE_add_cert(store, info->x509))
				ret = -ENOMEM;
			certs++;
		}
		if (info->crl) {
			if (!X509_STORE_add_crl(store, info->crl))
				ret = -ENOMEM;
			crls++;
		}
	}
	sk_X509_INFO_pop_free(infos, X509_INFO_free);
	if (ret) {
		cert_err_openssl(err, errlen, path);
		return ret;
	}
	if (want_certs && !certs)
		return cert_errf(-EBADMSG, err, errlen,
				 "%s: no certificate found", path);
	if (!want_certs && !crls)
		return cert_errf(-EBADMSG, err, errlen, "%s: no CRL found",
				 path);
	return 0;
}

static int add_anchors(X509_STORE *store, const char *path, char *err,
		       size_t errlen)
{
	struct stat st;

	if (stat(path, &st) < 0 ||
	    (S_ISDIR(st.st_mode) && access(path, R_OK | X_OK) < 0))
		return cert_errf(-errno, err, errlen, "%s: %s", path,
				 strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return add_pem(store, path, true, err, errlen);
	/* Looked up lazily by subject hash, as OpenSSL's -CApath. */
	if (!X509_STORE_load_path(store, path)) {
		cert_err_openssl(err, errlen, path);
		return -ENOMEM;
	}
	return 0;
}

int cert_trust_load(const char *ca_path, const char *const *crl_paths,
		    size_t n_crls, struct cert_trust **trust, char *err,
		    size_t errlen)
{
	struct cert_trust *t;
	int ret;

	ENSURE(ca_path && trust && (crl_paths || !n_crls), -EINVAL);
	*trust = NULL;
	t = OPENSSL_zalloc(sizeof(*t));
	ENSURE(t, -ENOMEM);
	t->store = X509_STORE_new();
	ret = t->store ? add_anchors(t->store, ca_path, err, errlen) : -ENOMEM;
	for (size_t i = 0; i < n_crls && !ret; i++)
		ret = add_pem(t->store, crl_paths[i], false, err, errlen);
	if (ret) {
		cert_trust_free(t);
		return ret;
	}
	*trust = t;
	return 0;
}

/* ---- verification ---- */

static int __attribute__((format(printf, 3, 4)))
reject(struct cert_result *res, int alert, const char *fmt, ...)
{
	va_list ap;

	res->alert = alert;
	va_start(ap, fmt);
	vsnprintf(res->reason, sizeof(res->reason), fmt, ap);
	va_end(ap);
	return -EKEYREJECTED;
}

static int x509_alert(int err)
{
	switch (err) {
	/* RFC 8446 §6.2: "has expired or is not currently valid" */
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return TLS_ALERT_CERTIFICATE_EXPIRED;
	/*
	 * RFC 8446 §6.2: "the CA certificate could not be located or could
	 * not be matched with a known trust anchor"
	 */
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_CERT_UNTRUSTED:
	case X509_V_ERR_CERT_REJECTED:
	case X509_V_ERR_INVALID_CA:
	case X509_V_ERR_KEYUSAGE_NO_CERTSIGN:
	case X509_V_ERR_PATH_LENGTH_EXCEEDED:
	case X509_V_ERR_CERT_CHAIN_TOO_LONG:
	case X509_V_ERR_PATH_LOOP:
		return TLS_ALERT_UNKNOWN_CA;
	case X509_V_ERR_CERT_REVOKED:
		return TLS_ALERT_CERTIFICATE_REVOKED;
	/* RFC 5246 §7.2.2: not a certificate we accept for this use */
	case X509_V_ERR_INVALID_PURPOSE:
	case X509_V_ERR_KEYUSAGE_NO_DIGITAL_SIGNATURE:
	case X509_V_ERR_EE_KEY_TOO_SMALL:
	case X509_V_ERR_CA_KEY_TOO_SMALL:
	case X509_V_ERR_CA_MD_TOO_WEAK:
		return TLS_ALERT_UNSUPPORTED_CERTIFICATE;
	/* RFC 8446 §6.2: the revocation status cannot be established */
	case X509_V_ERR_UNABLE_TO_GET_CRL:
	case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER:
	case X509_V_ERR_CRL_HAS_EXPIRED:
	case X509_V_ERR_CRL_NOT_YET_VALID:
	case X509_V_ERR_CRL_SIGNATURE_FAILURE:
	case X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE:
	case X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD:
	case X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD:
	case X509_V_ERR_KEYUSAGE_NO_CRL_SIGN:
	case X509_V_ERR_UNHANDLED_CRITICAL_CRL_EXTENSION:
	case X509_V_ERR_DIFFERENT_CRL_SCOPE:
	case X509_V_ERR_CRL_PATH_VALIDATION_ERROR:
		return TLS_ALERT_CERTIFICATE_UNKNOWN;
	}
	/*
	 * Signatures, encodings, names, extensions, name constraints and
	 * policies: RFC 8446 §6.2 "corrupt, contained signatures that did
	 * not verify correctly, etc."
	 */
	return TLS_ALERT_BAD_CERTIFICATE;
}

/* A context for one path validation under the caller's time and policy. */
static X509_STORE_CTX *path_ctx(const struct cert_trust *trust,
				const struct cert_check *check, X509 *cert,
				STACK_OF(X509) *untrusted, int purpose,
				bool crl)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	X509_VERIFY_PARAM *param;

	if (!ctx || !X509_STORE_CTX_init(ctx, trust->store, cert, untrusted) ||
	    !X509_STORE_CTX_set_purpose(ctx, purpose)) {
		X509_STORE_CTX_free(ctx);
		return NULL;
	}
	param = X509_STORE_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_auth_level(param, AUTH_LEVEL);
	if (check->now)
		X509_VERIFY_PARAM_set_time(param, check->now);
	if (crl)
		X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_CRL_CHECK |
						   X509_V_FLAG_CRL_CHECK_ALL);
	return ctx;
}

static int set_peer_name(X509_VERIFY_PARAM *param, const char *name)
{
	unsigned char addr[16];

	if (!name)
		return 0;
	/* RFC 6125 §3.1.3.2 / RFC 5280 §4.2.1.6: literals match iPAddress */
	if (inet_pton(AF_INET, name, addr) == 1 ||
	    inet_pton(AF_INET6, name, addr) == 1)
		return X509_VERIFY_PARAM_set1_ip_asc(param, name) ? 0 : -ENOMEM;
	/*
	 * RFC 6125 §6.4.3: a wildcard is only the whole left-most label and
	 * covers one label ("w*" and "*.*" never match; OpenSSL also refuses
	 * a wildcard directly above a top-level label). RFC 6125 §6.4.4 /
	 * RFC 9525 §6.3: never fall back to the subject's CN.
	 */
	X509_VERIFY_PARAM_set_hostflags(param,
					X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS |
					X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
	return X509_VERIFY_PARAM_set1_host(param, name, 0) ? 0 : -ENOMEM;
}

/* Run X509_verify_cert and describe a rejection: "what: error ... at depth". */
static int run_path(X509_STORE_CTX *ctx, const char *what,
		    const char *peer_name, struct cert_result *res)
{
	int rc = X509_verify_cert(ctx);
	int err = X509_STORE_CTX_get_error(ctx);
	X509 *cert = X509_STORE_CTX_get_current_cert(ctx);
	char name[CERT_TEXT_MAX], detail[CERT_TEXT_MAX] = "", t[64];

	if (rc == 1)
		return 0;
	if (err == X509_V_ERR_OUT_OF_MEM)
		return -ENOMEM;
	if (rc < 0 || err == X509_V_OK)
		return -EIO;
	if (err == X509_V_ERR_CERT_HAS_EXPIRED && cert) {
		time_text(X509_get0_notAfter(cert), t, sizeof(t));
		snprintf(detail, sizeof(detail), " (notAfter %s)", t);
	} else if (err == X509_V_ERR_CERT_NOT_YET_VALID && cert) {
		time_text(X509_get0_notBefore(cert), t, sizeof(t));
		snprintf(detail, sizeof(detail), " (notBefore %s)", t);
	} else if ((err == X509_V_ERR_HOSTNAME_MISMATCH ||
		    err == X509_V_ERR_IP_ADDRESS_MISMATCH) && peer_name) {
		snprintf(detail, sizeof(detail), ": not valid for \"%s\"",
			 peer_name);
	}
	cert_name_text(cert ? X509_get_subject_name(cert) : NULL, name,
		       sizeof(name));
	res->x509_error = err;
	res->depth = X509_STORE_CTX_get_error_depth(ctx);
	return reject(res, x509_alert(err), "%s%s%s at depth %d (%s)", what,
		      X509_verify_cert_error_string(err), detail, res->depth,
		      name);
}

/* Decode the Certificate message's cert_data entries, leaf first. */
static int parse_chain(const struct cert_der *certs, size_t n,
		       STACK_OF(X509) *chain, struct cert_result *res)
{
	for (size_t i = 0; i < n; i++) {
		const unsigned char *p = certs[i].data;
		X509 *x = NULL;

		if (p && certs[i].len <= LONG_MAX)
			x = d2i_X509(NULL, &p, (long)certs[i].len);
		/* RFC 8446 §4.4.2: each cert_data is one DER certificate */
		if (!x || p != certs[i].data + certs[i].len) {
			X509_free(x);
			res->depth = (int)i;
			return reject(res, TLS_ALERT_BAD_CERTIFICATE,
				      "certificate %zu of %zu is not a valid DER X.509 certificate",
				      i + 1, n);
		}
		if (!sk_X509_push(chain, x)) {
			X509_free(x);
			return -ENOMEM;
		}
	}
	return 0;
}

static int check_key_use(const struct cert_check *check, X509 *leaf,
			 struct cert_result *res)
{
	/* UINT32_MAX when there is no keyUsage extension: any use is fine */
	uint32_t ku = X509_get_key_usage(leaf);
	EVP_PKEY *key = X509_get0_pubkey(leaf);

	res->depth = 0;
	if (!key)
		return reject(res, TLS_ALERT_BAD_CERTIFICATE,
			      "the certificate's public key cannot be decoded");
	if (check->key_use == CERT_USE_SIGN) {
		/* RFC 8446 §4.4.2.2: digitalSignature if keyUsage present */
		if (!(ku & KU_DIGITAL_SIGNATURE))
			return reject(res, TLS_ALERT_UNSUPPORTED_CERTIFICATE,
				      "the certificate's key usage does not allow digitalSignature");
		return 0;
	}
	/* RFC 5246 §7.4.2: RSA key exchange: RSA key, keyEncipherment */
	if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA)
		return reject(res, TLS_ALERT_UNSUPPORTED_CERTIFICATE,
			      "RSA key exchange needs an RSA key, the certificate has %s",
			      EVP_PKEY_get0_type_name(key));
	if (!(ku & KU_KEY_ENCIPHERMENT))
		return reject(res, TLS_ALERT_UNSUPPORTED_CERTIFICATE,
			      "the certificate's key usage does not allow keyEncipherment");
	return 0;
}

/* The same CA: same subject and same key (a reissued certificate counts). */
static bool same_entity(X509 *a, X509 *b)
{
	EVP_PKEY *ka = X509_get0_pubkey(a), *kb = X509_get0_pubkey(b);

	return !X509_NAME_cmp(X509_get_subject_name(a),
			      X509_get_subject_name(b)) &&
	       ka && kb && EVP_PKEY_eq(ka, kb) == 1;
}

/*
 * RFC 6960 §4.2.2.2: a delegated responder is issued directly by the CA
 * that issued the certificate in question and carries id-kp-OCSPSigning.
 * Its own path is validated like the leaf's, at check->now.
 */
static int ocsp_check_delegate(const struct cert_trust *trust,
			       const struct cert_check *check,
			       OCSP_BASICRESP *bs, X509 *signer,
			       STACK_OF(X509) *chain, X509 *issuer,
			       struct cert_result *res)
{
	const STACK_OF(X509) *extra = OCSP_resp_get0_certs(bs);
	STACK_OF(X509) *untrusted, *path;
	X509_STORE_CTX *ctx = NULL;
	char name[CERT_TEXT_MAX];
	bool crl;
	int ret;

	cert_name_text(X509_get_subject_name(signer), name, sizeof(name));
	if (!(X509_get_extension_flags(signer) & EXFLAG_XKUSAGE) ||
	    !(X509_get_extended_key_usage(signer) & XKU_OCSP_SIGN))
		return reject(res, TLS_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE,
			      "the OCSP response is signed by %s, which is neither the issuing CA nor authorised by it (no id-kp-OCSPSigning, RFC 6960 §4.2.2.2)",
			      name);
	untrusted = sk_X509_dup(chain);
	for (int i = 0; untrusted && i < sk_X509_num(extra); i++)
		if (!sk_X509_push(untrusted, sk_X509_value(extra, i)))
			break;
	if (!untrusted || sk_X509_num(untrusted) !=
				  sk_X509_num(chain) + sk_X509_num(extra)) {
		ret = -ENOMEM;
		goto out;
	}
	/* RFC 6960 §4.2.2.2.1: id-pkix-ocsp-nocheck: no revocation check */
	crl = check->check_crl &&
	      X509_get_ext_by_NID(signer, NID_id_pkix_OCSP_noCheck, -1) < 0;
	ctx = path_ctx(trust, check, signer, untrusted,
		       X509_PURPOSE_OCSP_HELPER, crl);
	ret = ctx ? run_path(ctx, "OCSP responder certificate: ", NULL, res) :
		    -ENOMEM;
	if (ret == -EKEYREJECTED) {
		res->alert = TLS_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE;
		goto out;
	}
	if (ret)
		goto out;
	path = X509_STORE_CTX_get0_chain(ctx);
	if (sk_X509_num(path) < 2 ||
	    !same_entity(sk_X509_value(path, 1), issuer))
		ret = reject(res, TLS_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE,
			     "the OCSP responder %s was not issued by the certificate's CA (RFC 6960 §4.2.2.2)",
			     name);
out:
	X509_STORE_CTX_free(ctx);
	sk_X509_free(untrusted);
	return ret;
}

static int ocsp_check_signer(const struct cert_trust *trust,
			     const struct cert_check *check,
			     OCSP_BASICRESP *bs, STACK_OF(X509) *chain,
			     X509 *issuer, struct cert_result *res)
{
	X509 *signer = NULL;

	/* RFC 6960 §4.2.1: the ResponderID names the signer */
	if (OCSP_resp_get0_signer(bs, &signer, chain) != 1)
		return reject(res, TLS_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE,
			      "the OCSP response does not carry its signer's certificate");
	/*
	 * The signature only: OCSP_basic_verify's own check of the signer
	 * would run at the wall-clock time, so who may sign is decided here.
	 */
	if (OCSP_basic_verify(bs, chain, trust->store, OCSP_NOVERIFY) != 1)
		return reject(res, TLS_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE,
			      "the OCSP response signature does not verify");
	/* RFC 6960 §4.2.2.2: the CA that issued the certificate ... */
	if (same_entity(signer, issuer))
		return 0;
	/* ... or a responder that CA designated */
	return ocsp_check_delegate(trust, check, bs, signer, chain, issuer,
				   res);
}

/* The SingleResponse about leaf, whatever hash its CertID uses. */
static int ocsp_find_single(OCSP_BASICRESP *bs, X509 *leaf, X509 *issuer,
			    OCSP_SINGLERESP **single)
{
	static const EVP_MD *(*const hashes[])(void) = {
		EVP_sha1, /* RFC 5019 §2.1.1: what responders use */
		EVP_sha256, EVP_sha384, EVP_sha512,
	};

	for (size_t i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++) {
		OCSP_CERTID *id = OCSP_cert_to_id(hashes[i](), leaf, issuer);
		int idx;

		ENSURE(id, -ENOMEM);
		idx = OCSP_resp_find(bs, id, -1);
		OCSP_CERTID_free(id);
		if (idx >= 0) {
			*single = OCSP_resp_get0(bs, idx);
			return 0;
		}
	}
	return -ENOENT;
}

/*
 * RFC 6960 §2.4 / §4.2.2.1: thisUpdate not in the future, nextUpdate not
 * in the past, within OCSP_SKEW. OCSP_check_validity does the same against
 * the wall clock only; check->now must govern here as everywhere else.
 */
static int ocsp_check_times(const struct cert_check *check,
			    const ASN1_GENERALIZEDTIME *thisupd,
			    const ASN1_GENERALIZEDTIME *nextupd,
			    struct cert_result *res)
{
	time_t now = check->now ? check->now : time(NULL);
	char t[64];

	if (!thisupd || !ASN1_TIME_check(thisupd) ||
	    (nextupd && !ASN1_TIME_check(nextupd)))
		return reject(res, TLS_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE,
			      "the OCSP response has a malformed update time");
	if (ASN1_TIME_cmp_time_t(thisupd, now + OCSP_SKEW) > 0) {
		time_text(thisupd, t, sizeof(t));
		return reject(res, TLS_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE,
			      "the OCSP response is not valid yet (thisUpdate %s)",
			      t);
	}
	if (nextupd ? ASN1_TIME_cmp_time_t(nextupd, now - OCSP_SKEW) < 0 ||
			      ASN1_TIME_compare(nextupd, thisupd) < 0 :
		      ASN1_TIME_cmp_time_t(thisupd, now - OCSP_MAX_AGE) < 0) {
		time_text(nextupd ? nextupd : thisupd, t, sizeof(t));
		return reject(res, TLS_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE,
			      "the OCSP response is stale (%s %s)",
			      nextupd ? "nextUpdate" : "thisUpdate", t);
	}
	return 0;
}

static int ocsp_check_status(const struct cert_check *check,
			     OCSP_BASICRESP *bs, X509 *leaf, X509 *issuer,
			     struct cert_result *res)
{
	ASN1_GENERALIZEDTIME *revoked, *thisupd, *nextupd;
	OCSP_SINGLERESP *single;
	char t[64];
	int reason, status, ret;

	ret = ocsp_find_single(bs, leaf, issuer, &single);
	if (ret == -ENOENT)
		return reject(res, TLS_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE,
			      "the OCSP response is not about this certificate (no matching CertID, RFC 6960 §4.1.1)");
	TRY(ret);
	status = OCSP_single_get0_status(single, &reason, &revoked, &thisupd,
					 &nextupd);
	TRY(ocsp_check_times(check, thisupd, nextupd, res));
	switch (status) {
	case V_OCSP_CERTSTATUS_GOOD:
		return 0;
	case V_OCSP_CERTSTATUS_REVOKED:
		time_text(revoked, t, sizeof(t));
		return reject(res, TLS_ALERT_CERTIFICATE_REVOKED,
			      "certificate revoked (OCSP) on %s, reason %s", t,
			      reason >= 0 ? OCSP_crl_reason_str(reason) :
					    "not given");
	}
	/* RFC 6960 §2.2: the responder does not know the certificate */
	return reject(res, TLS_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE,
		      "the OCSP responder does not know this certificate (status \"unknown\")");
}

/* The stapled response (RFC 6066 §8), about the verified path's leaf. */
static int check_ocsp(const struct cert_trust *trust,
		      const struct cert_check *check, X509_STORE_CTX *ctx,
		      struct cert_result *res)
{
	STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(ctx);
	X509 *leaf = sk_X509_value(chain, 0);
	X509 *issuer = sk_X509_value(chain, sk_X509_num(chain) > 1 ? 1 : 0);
	const unsigned char *p = check->ocsp;
	OCSP_RESPONSE *resp = NULL;
	OCSP_BASICRESP *bs = NULL;
	int status, ret;

	res->depth = 0;
	if (p && check->ocsp_len)
		resp = d2i_OCSP_RESPONSE(NULL, &p, (long)check->ocsp_len);
	if (!resp || p != check->ocsp + check->ocsp_len) {
		ret = reject(res, TLS_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE,
			     "the stapled OCSP response is not valid DER (RFC 6960 §4.2.1)");
		goto out;
	}
	/* RFC 6960 §2.3: only a "successful" response carries a status */
	status = OCSP_response_status(resp);
	if (status != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
		ret = reject(res, TLS_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE,
			     "the stapled OCSP response says \"%s\", not \"successful\"",
			     OCSP_response_status_str(status));
		goto out;
	}
	bs = OCSP_response_get1_basic(resp);
	if (!bs) {
		ret = reject(res, TLS_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE,
			     "the stapled OCSP response is not a BasicOCSPResponse (RFC 6960 §4.2.1)");
		goto out;
	}
	ret = ocsp_check_signer(trust, check, bs, chain, issuer, res);
	if (!ret)
		ret = ocsp_check_status(check, bs, leaf, issuer, res);
out:
	OCSP_BASICRESP_free(bs);
	OCSP_RESPONSE_free(resp);
	return ret;
}

static int check_args(const struct cert_trust *trust,
		      const struct cert_check *check,
		      const struct cert_der *certs, size_t n)
{
	ENSURE(trust && check && certs && n, -EINVAL);
	ENSURE(check->peer == CERT_PEER_SERVER ||
		       check->peer == CERT_PEER_CLIENT, -EINVAL);
	ENSURE(check->key_use == CERT_USE_SIGN ||
		       check->key_use == CERT_USE_KEY_ENCIPHERMENT, -EINVAL);
	ENSURE(check->ocsp || !check->ocsp_len, -EINVAL);
	ENSURE(check->ocsp_len <= LONG_MAX, -EINVAL);
	/* OpenSSL would read a leading '.' as "any subdomain of" */
	ENSURE(!check->peer_name ||
		       (check->peer_name[0] && check->peer_name[0] != '.'),
	       -EINVAL);
	return 0;
}

static int verify(const struct cert_trust *trust,
		  const struct cert_check *check, const struct cert_der *certs,
		  size_t n, struct cert_result *res, EVP_PKEY **leaf_key)
{
	int purpose = check->peer == CERT_PEER_SERVER ?
			      X509_PURPOSE_SSL_SERVER :
			      X509_PURPOSE_SSL_CLIENT;
	STACK_OF(X509) *chain = sk_X509_new_null();
	X509_STORE_CTX *ctx = NULL;
	X509 *leaf;
	int ret;

	ENSURE(chain, -ENOMEM);
	ret = parse_chain(certs, n, chain, res);
	if (ret)
		goto out;
	leaf = sk_X509_value(chain, 0);
	cert_name_text(X509_get_subject_name(leaf), res->subject,
		       sizeof(res->subject));
	/* RFC 5280 §6 path, RFC 6125 name, RFC 5280 §6.3 CRLs, EKU purpose */
	ctx = path_ctx(trust, check, leaf, chain, purpose, check->check_crl);
	ret = ctx ? set_peer_name(X509_STORE_CTX_get0_param(ctx),
				  check->peer_name) : -ENOMEM;
	if (!ret)
		ret = run_path(ctx, "", check->peer_name, res);
	if (!ret)
		ret = check_key_use(check, leaf, res);
	if (!ret && check->ocsp)
		ret = check_ocsp(trust, check, ctx, res);
	if (!ret && leaf_key && !(*leaf_key = X509_get_pubkey(leaf)))
		ret = -ENOMEM;
out:
	X509_STORE_CTX_free(ctx);
	sk_X509_pop_free(chain, X509_free);
	return ret;
}

int cert_verify(const struct cert_trust *trust, const struct cert_check *check,
		const struct cert_der *certs, size_t n, struct cert_result *res,
		EVP_PKEY **leaf_key)
{
	int ret;

	if (leaf_key)
		*leaf_key = NULL;
	ENSURE(res, -EINVAL);
	memset(res, 0, sizeof(*res));
	res->depth = -1;
	ret = check_args(trust, check, certs, n);
	if (!ret)
		ret = verify(trust, check, certs, n, res, leaf_key);
	/* Nothing a peer sends may leave errors behind for the next caller. */
	ERR_clear_error();
	if (!ret) {
		res->depth = -1;
		snprintf(res->reason, sizeof(res->reason),
			 "certificate chain verified%s",
			 check->ocsp ? ", OCSP status good" : "");
	} else if (ret != -EKEYREJECTED) {
		reject(res, TLS_ALERT_INTERNAL_ERROR, "internal error: %s",
		       strerror(-ret));
	}
	return ret;
}
