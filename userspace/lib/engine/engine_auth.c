// SPDX-License-Identifier: MIT
/*
 * Authentication inside the engine: our chain and signature scheme, the
 * peer's chain (cert_verify.c) and signatures (sig.c), and ALPN results.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "crypto/sig.h"
#include "engine/engine_priv.h"
#include "x509/cert_load.h"
#include "x509/cert_verify.h"

int engine_chain(struct tls_engine *e, struct certificate *c)
{
	const struct cert_chain *chain = e->cfg->chain;

	c->count = chain->n;
	for (size_t i = 0; i < chain->n; i++)
		c->certs[i] = (struct bytes){ chain->certs[i].data,
					      chain->certs[i].len };
	return 0;
}

int engine_pick_scheme(struct tls_engine *e, struct bytes peer_schemes)
{
	uint16_t usable[TLS_CONFIG_MAX_LIST], v;
	size_t n = 0;

	/*
	 * RFC 8446 §4.2.3: the list may hold any number of schemes we do
	 * not know (up to 32767); keep only those our key can make, once
	 * each, so the one we can use is found wherever it stands.
	 */
	for (size_t i = 0; hs_u16_list_at(peer_schemes, i, &v); i++) {
		bool seen = false;

		if (!sig_scheme_fits_key(e->cfg->key, v, e->params.version))
			continue;
		for (size_t j = 0; j < n; j++)
			seen |= usable[j] == v;
		if (!seen && n < TLS_CONFIG_MAX_LIST)
			usable[n++] = v;
	}
	return sig_pick(e->cfg->key, e->params.version, usable, n,
			&e->params.our_sig_scheme);
}

int engine_verify_signature(struct tls_engine *e, uint16_t scheme,
			    const uint8_t *tbs, size_t tbs_len,
			    struct bytes signature)
{
	bool offered = false;
	int err;

	for (size_t i = 0; i < e->cfg->n_sig_schemes; i++)
		offered |= e->cfg->sig_schemes[i] == scheme;
	/* RFC 8446 §4.4.3, RFC 5246 §7.4.1.4.1: a scheme we offered, fit for the key */
	if (!offered ||
	    !sig_scheme_fits_key(e->peer.key, scheme, e->params.version))
		return engine_fail(e, -EPROTO, TLS_ALERT_ILLEGAL_PARAMETER,
				   "peer signed with %s, which we did not offer or its key cannot make",
				   sig_scheme_name(scheme));
	err = sig_verify(e->peer.key, scheme, tbs, tbs_len, signature.p,
			 signature.len);
	if (err)
		/* RFC 8446 §4.4.3: decrypt_error */
		return engine_fail(e, -EPROTO, TLS_ALERT_DECRYPT_ERROR,
				   "peer's signature does not verify");
	return 0;
}

/* No verification asked for: the leaf key is still needed for signatures. */
static int leaf_key_only(struct tls_engine *e, struct bytes leaf)
{
	const unsigned char *p = leaf.p;
	X509 *x = d2i_X509(NULL, &p, leaf.len);

	if (!x || p != leaf.p + leaf.len) {
		X509_free(x);
		return engine_fail(e, -EKEYREJECTED,
				   TLS_ALERT_BAD_CERTIFICATE,
				   "peer certificate does not parse");
	}
	e->peer.key = X509_get_pubkey(x);
	cert_name_text(X509_get_subject_name(x), e->result.peer_subject,
		       sizeof(e->result.peer_subject));
	X509_free(x);
	if (!e->peer.key)
		return engine_fail(e, -EKEYREJECTED,
				   TLS_ALERT_UNSUPPORTED_CERTIFICATE,
				   "peer key unusable");
	return 0;
}

int engine_verify_peer_chain(struct tls_engine *e, const struct certificate *c,
			     struct bytes ocsp)
{
	struct cert_der der[HS_MAX_CHAIN];
	bool server_peer = e->role == TLS_ROLE_CLIENT;
	struct cert_check check = {
		.peer_name = server_peer && e->server_name[0] ? e->server_name :
								NULL,
		.peer = server_peer ? CERT_PEER_SERVER : CERT_PEER_CLIENT,
		.key_use = e->params.suite->kx == TLS_KX_RSA && server_peer ?
				   CERT_USE_KEY_ENCIPHERMENT :
				   CERT_USE_SIGN,
		.ocsp = ocsp.len ? ocsp.p : NULL,
		.ocsp_len = ocsp.len,
		.check_crl = e->cfg->check_crl,
		.now = e->cfg->verify_time,
	};
	struct cert_result res = { 0 };
	int err;

	EVP_PKEY_free(e->peer.key);
	e->peer.key = NULL;
	if (!e->cfg->verify_peer && server_peer)
		return leaf_key_only(e, c->certs[0]);
	for (size_t i = 0; i < c->count; i++)
		der[i] = (struct cert_der){ c->certs[i].p, c->certs[i].len };
	err = cert_verify(e->cfg->trust, &check, der, c->count, &res,
			  &e->peer.key);
	snprintf(e->result.peer_subject, sizeof(e->result.peer_subject), "%s",
		 res.subject);
	if (err == -EKEYREJECTED)
		return engine_fail(e, -EKEYREJECTED, res.alert,
				   "peer certificate rejected: %s", res.reason);
	if (err)
		return engine_fail(e, err, TLS_ALERT_INTERNAL_ERROR,
				   "certificate verification failed: %s",
				   res.reason);
	e->result.peer_verified = true;
	return 0;
}

/* TLS 1.2: the Certificate body, verified once any CertificateStatus is in. */
static int keep_chain(struct tls_engine *e, struct bytes body)
{
	free(e->peer.chain);
	e->peer.chain = malloc(body.len);
	if (!e->peer.chain)
		return engine_fail(e, -ENOMEM, TLS_ALERT_INTERNAL_ERROR,
				   "out of memory");
	memcpy(e->peer.chain, body.p, body.len);
	e->peer.chain_len = body.len;
	return 0;
}

/*
 * An empty Certificate. A server must send one: RFC 8446 §4.4.2.4 says
 * decode_error; in TLS 1.2 every suite we offer needs one (RFC 5246
 * §7.4.2). A client may send none unless we require one: RFC 8446
 * §4.4.2.4 certificate_required, RFC 5246 §7.4.6 handshake_failure.
 */
static int no_certificate(struct tls_engine *e)
{
	bool tls13 = e->params.version == TLS_VERSION_1_3;

	if (e->role == TLS_ROLE_CLIENT && tls13)
		return engine_fail(e, -EPROTO, TLS_ALERT_DECODE_ERROR,
				   "server sent no certificate");
	if (e->role == TLS_ROLE_CLIENT)
		return engine_fail(e, -EKEYREJECTED, TLS_ALERT_BAD_CERTIFICATE,
				   "server sent no certificate");
	if (e->cfg->client_auth != TLS_CLIENT_AUTH_REQUIRED)
		return 0;
	return engine_fail(e, -EKEYREJECTED,
			   tls13 ? TLS_ALERT_CERTIFICATE_REQUIRED :
				   TLS_ALERT_HANDSHAKE_FAILURE,
			   "client sent no certificate");
}

int engine_on_certificate(struct tls_engine *e, const struct hs_message *m,
			  bool *empty)
{
	bool tls13 = e->params.version == TLS_VERSION_1_3;
	struct certificate c;

	TRY(engine_decoded(e,
			   hs_certificate_decode(m->body, e->params.version, &c),
			   "Certificate"));
	/*
	 * RFC 8446 §4.4.2: empty for the server's chain, and for a client's
	 * it echoes our CertificateRequest's, which is empty (§4.3.2).
	 */
	if (tls13 && c.context.len)
		return engine_fail(e, -EPROTO, TLS_ALERT_ILLEGAL_PARAMETER,
				   "certificate_request_context in a handshake Certificate");
	/*
	 * RFC 8446 §4.4.2.1, §4.2: a staple only if we sent status_request
	 * (a client that verifies; never a server, whose CertificateRequest
	 * asks for none)
	 */
	if (tls13 && c.ocsp_response.len &&
	    !(e->role == TLS_ROLE_CLIENT && e->peer.status_requested))
		return engine_fail(e, -EPROTO, TLS_ALERT_UNSUPPORTED_EXTENSION,
				   "unrequested OCSP response in Certificate");
	*empty = c.count == 0;
	if (*empty)
		TRY(no_certificate(e));
	if (!tls13)
		TRY(keep_chain(e, m->body));
	else if (!*empty)
		TRY(engine_verify_peer_chain(e, &c, c.ocsp_response));
	return transcript_add(&e->transcript, m->whole.p, m->whole.len);
}

/*
 * CertificateRequest with our signature_algorithms: TLS 1.2 also names
 * the certificate types (RFC 5246 §7.4.4: rsa_sign, and ecdsa_sign from
 * RFC 8422 §5.5), TLS 1.3 carries them as an extension (RFC 8446 §4.3.2).
 */
int engine_send_certificate_request(struct tls_engine *e)
{
	static const uint8_t types[] = { 1, 64 };
	uint8_t schemes[2 * TLS_CONFIG_MAX_LIST];
	struct certificate_request cr = {
		.sig_algs = hs_u16_list(e->cfg->sig_schemes,
					e->cfg->n_sig_schemes, schemes),
	};
	WRITER_SCOPED(msg, 1024);

	if (e->params.version == TLS_VERSION_1_3)
		cr.exts = HS_EXT_SIGNATURE_ALGORITHMS;
	else
		cr.cert_types = (struct bytes){ types, sizeof(types) };
	e->peer.cert_requested = true;
	TRY(hs_certificate_request_encode(&msg, e->params.version, &cr));
	return engine_send_msg(e, &msg);
}

int engine_on_certificate_request(struct tls_engine *e,
				  const struct hs_message *m)
{
	struct certificate_request cr;
	int err;

	err = hs_certificate_request_decode(m->body, e->params.version, &cr);
	TRY(engine_decoded(e, err, "CertificateRequest"));
	/* RFC 8446 §4.3.2: signature_algorithms must be present */
	if (e->params.version == TLS_VERSION_1_3 &&
	    !(cr.exts & HS_EXT_SIGNATURE_ALGORITHMS))
		return engine_fail(e, -EPROTO, TLS_ALERT_MISSING_EXTENSION,
				   "CertificateRequest without signature_algorithms");
	/*
	 * RFC 8446 §4.3.2: the context is for post-handshake authentication
	 * only, which we never offer; in the handshake it is empty.
	 */
	if (cr.context.len)
		return engine_fail(e, -EPROTO, TLS_ALERT_ILLEGAL_PARAMETER,
				   "certificate_request_context in the handshake");
	e->peer.asked_for_ours = true;
	/*
	 * Without a usable scheme we answer with an empty Certificate
	 * (RFC 8446 §4.4.2, RFC 5246 §7.4.6).
	 */
	e->params.our_sig_scheme = 0;
	if (e->cfg->chain && e->cfg->key && engine_pick_scheme(e, cr.sig_algs))
		e->params.our_sig_scheme = 0;
	return transcript_add(&e->transcript, m->whole.p, m->whole.len);
}

/* CertificateVerify: our signature over tbs, as each version defines it. */
int engine_send_certificate_verify(struct tls_engine *e, const uint8_t *tbs,
				   size_t tbs_len)
{
	uint16_t scheme = e->params.our_sig_scheme;
	struct certificate_verify cv = { .sig_scheme = scheme };
	uint8_t sigbuf[1024];
	WRITER_SCOPED(msg, 2048);
	size_t siglen;
	int err;

	err = sig_sign(e->cfg->key, scheme, tbs, tbs_len, sigbuf,
		       sizeof(sigbuf), &siglen);
	if (err)
		return engine_fail(e, err, TLS_ALERT_INTERNAL_ERROR,
				   "signing CertificateVerify failed");
	cv.signature = (struct bytes){ sigbuf, siglen };
	TRY(hs_certificate_verify_encode(&msg, &cv));
	return engine_send_msg(e, &msg);
}

bool engine_alpn_offered(const struct tls_engine *e, struct bytes name)
{
	uint8_t one[256];
	struct bytes chosen;

	/* The server's answer as a one-name list, against ours (RFC 7301 §3.1) */
	if (!name.len || name.len > 255)
		return false;
	one[0] = name.len;
	memcpy(one + 1, name.p, name.len);
	return !hs_alpn_select(e->alpn, (struct bytes){ one, name.len + 1 },
			       &chosen);
}

void engine_set_alpn(struct tls_engine *e, struct bytes proto)
{
	size_t n = proto.len < sizeof(e->result.alpn) - 1 ?
			   proto.len :
			   sizeof(e->result.alpn) - 1;

	memcpy(e->result.alpn, proto.p, n);
	e->result.alpn[n] = '\0';
}
