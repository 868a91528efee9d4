/* SPDX-License-Identifier: MIT */
/*
 * Verifying the peer's certificate chain: a client checking a server, or a
 * server checking a client for mutual TLS. Path validation (RFC 5280 §6),
 * name matching (RFC 6125 §6), CRLs and the OCSP staple (RFC 6066 §8,
 * RFC 6960) are all libcrypto's X509_STORE_CTX / X509_VERIFY_PARAM / OCSP
 * code; this file chooses the policy and turns the outcome into the alert
 * the engine sends:
 *
 *   certificate_expired       a certificate is outside its validity period
 *                             ("has expired or is not currently valid",
 *                             RFC 5246 §7.2.2, RFC 8446 §6.2)
 *   unknown_ca                no path to a trust anchor: unknown issuer, a
 *                             self-signed certificate we do not trust, a
 *                             missing intermediate, an issuer that is no CA
 *                             ("could not be matched with a known trust
 *                             anchor", RFC 8446 §6.2)
 *   certificate_revoked       listed in a loaded CRL, or OCSP says revoked
 *   bad_certificate           corrupt DER, a signature that does not verify,
 *                             a name that does not match the peer, and any
 *                             other defect libcrypto finds in a certificate
 *                             (extensions, name constraints, policies):
 *                             "corrupt, contained signatures that did not
 *                             verify correctly, etc." (RFC 8446 §6.2)
 *   unsupported_certificate   the certificate may not be used for this:
 *                             extended key usage (serverAuth / clientAuth),
 *                             key usage, or a key or hash below 112-bit
 *                             security (OpenSSL security level 2); "of an
 *                             unsupported type" (RFC 5246 §7.2.2)
 *   bad_certificate_status_response
 *                             the stapled OCSP response is malformed, not
 *                             "successful", badly signed, signed by someone
 *                             the CA did not authorise, stale, about another
 *                             certificate, or says "unknown": "invalid or
 *                             unacceptable" (RFC 6066 §8, RFC 8446 §6.2).
 *                             Only the leaf's status is checked.
 *   certificate_unknown       CRL checking is on but a CRL for some
 *                             certificate of the chain is missing, expired,
 *                             not yet valid or badly signed: the status
 *                             cannot be known, so the chain is refused
 *                             ("some other (unspecified) issue arose in
 *                             processing the certificate", RFC 8446 §6.2)
 *
 * Trust anchors are self-signed roots; an intermediate in the CA file does
 * not end a path on its own (no X509_V_FLAG_PARTIAL_CHAIN).
 */
#ifndef KTLSO_CERT_VERIFY_H
#define KTLSO_CERT_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "try.h"

/* One DER certificate, as carried in a Certificate message. */
struct cert_der {
	const uint8_t *data;
	size_t len;
};

/* Trust anchors and CRLs; read-only once loaded, shareable by threads. */
struct cert_trust;

/*
 * Load trust anchors from ca_path, a PEM file of certificates or a
 * directory in OpenSSL's hashed format (`openssl rehash`, e.g.
 * /etc/ssl/certs), plus n_crls PEM files of CRLs. On failure err gets
 * "PATH: reason" and the return is as for cert_load.h's functions.
 */
int cert_trust_load(const char *ca_path, const char *const *crl_paths,
		    size_t n_crls, struct cert_trust **trust, char *err,
		    size_t errlen) WUR;

void cert_trust_free(struct cert_trust *trust);

/* Which end the certificate belongs to (RFC 5280 §4.2.1.12 EKU). */
enum cert_peer {
	CERT_PEER_SERVER = 1, /* id-kp-serverAuth: we are the client */
	CERT_PEER_CLIENT = 2, /* id-kp-clientAuth: mutual TLS */
};

/* What the leaf key will do (RFC 5280 §4.2.1.3 key usage). */
enum cert_key_use {
	/* digitalSignature: every TLS 1.3 certificate (RFC 8446 §4.4.2.2),
	 * TLS 1.2 (EC)DHE ServerKeyExchange and CertificateVerify */
	CERT_USE_SIGN = 1,
	/* keyEncipherment on an RSA key: TLS 1.2 RSA key exchange
	 * (RFC 5246 §7.4.2) */
	CERT_USE_KEY_ENCIPHERMENT = 2,
};

struct cert_check {
	/*
	 * The name the application asked for: a DNS name (matched against
	 * dNSName SANs only, with RFC 6125 §6.4.3 wildcards: a whole
	 * left-most label, one label deep) or an IPv4/IPv6 literal (matched
	 * against iPAddress SANs). NULL skips the name check (typical for
	 * client certificates). A name starting with '.' is refused.
	 */
	const char *peer_name;
	enum cert_peer peer;
	enum cert_key_use key_use;
	/* The stapled OCSPResponse (RFC 6066 §8 CertificateStatus), DER. */
	const uint8_t *ocsp;
	size_t ocsp_len;
	/* Check the CRLs of every certificate in the chain (needs CRLs). */
	bool check_crl;
	/* Verification time for validity, CRLs and OCSP; 0 = now. */
	time_t now;
};

#define CERT_TEXT_MAX 256

struct cert_result {
	int alert;	/* enum tls_alert when rejected, 0 when accepted */
	int x509_error; /* X509_V_ERR_* behind the alert, 0 if none */
	int depth;	/* the certificate at fault (0 = leaf), -1 if none */
	char reason[CERT_TEXT_MAX];  /* one line for logs and users */
	char subject[CERT_TEXT_MAX]; /* leaf subject (RFC 2253), "" if none */
};

/*
 * Verify certs[0..n), leaf first as received (RFC 8446 §4.4.2), against
 * trust. On acceptance returns 0 and, if leaf_key is not NULL, the leaf's
 * public key for the CertificateVerify / ServerKeyExchange signature
 * (caller frees it with EVP_PKEY_free). On rejection returns -EKEYREJECTED
 * with res->alert and res->reason set. Other returns, all with res->alert
 * internal_error: -EINVAL for misuse (n == 0: an empty Certificate is the
 * engine's to handle, RFC 8446 §4.4.2.4; peer or key_use left 0), -ENOMEM,
 * -EIO when libcrypto fails internally.
 */
int cert_verify(const struct cert_trust *trust, const struct cert_check *check,
		const struct cert_der *certs, size_t n, struct cert_result *res,
		EVP_PKEY **leaf_key) WUR;

/* A name as one escaped RFC 2253 line ("CN=a,O=b"), truncated to fit. */
void cert_name_text(const X509_NAME *name, char *buf, size_t size);

#endif /* KTLSO_CERT_VERIFY_H */
