// SPDX-License-Identifier: MIT
/*
 * TLS 1.2 server: the classic flow of RFC 5246 §7.3.
 *
 *   ClientHello ─► ServerHello Certificate [CertificateStatus]
 *                  [ServerKeyExchange] [CertificateRequest] ServerHelloDone
 *     ◄─ [Certificate] ClientKeyExchange [CertificateVerify] CCS Finished
 *     ─► CCS Finished
 *
 * With a session cache or tickets (hs12_resume.c) the session is kept
 * ([NewSessionTicket] before our CCS), and a client that offers one gets
 * the abbreviated handshake of §7.3:
 *
 *   ClientHello ─► ServerHello CCS Finished ◄─ CCS Finished
 */
#include <errno.h>
#include <string.h>

#include "crypto/rsa_kx.h"
#include "crypto/sig.h"
#include "engine/engine_priv.h"
#include "engine/hs12.h"

static hs_step_fn on_client_certificate, on_client_key_exchange,
	on_client_certificate_verify, on_client_finished,
	on_resumed_client_finished;

enum { CERTIFICATE, CLIENT_KEY_EXCHANGE, CERTIFICATE_VERIFY, FINISHED,
       RESUMED_FINISHED };
static const struct hs_step steps[] = {
	[CERTIFICATE] = { "Certificate", HS_TYPE(TLS_HS_CERTIFICATE),
			  on_client_certificate },
	[CLIENT_KEY_EXCHANGE] = { "ClientKeyExchange",
				  HS_TYPE(TLS_HS_CLIENT_KEY_EXCHANGE),
				  on_client_key_exchange },
	[CERTIFICATE_VERIFY] = { "CertificateVerify",
				 HS_TYPE(TLS_HS_CERTIFICATE_VERIFY),
				 on_client_certificate_verify },
	[FINISHED] = { "Finished", HS_TYPE(TLS_HS_FINISHED),
		       on_client_finished },
	[RESUMED_FINISHED] = { "Finished", HS_TYPE(TLS_HS_FINISHED),
			       on_resumed_client_finished },
};

/* Server preference among the client's groups (RFC 8422 §5.1.1). */
static uint16_t choose_group(const struct tls_engine *e,
			     const struct client_hello *ch)
{
	for (size_t i = 0; i < e->cfg->n_groups; i++)
		if (hs_u16_list_has(ch->supported_groups, e->cfg->groups[i]))
			return e->cfg->groups[i];
	return 0;
}

/*
 * RFC 8422 §5.1: with an ECDSA certificate, its curve must be one the client
 * listed (when it listed any), or the client cannot check our signatures.
 */
static bool client_takes_our_curve(const struct tls_engine *e,
				   const struct client_hello *ch)
{
	char name[64];
	uint16_t group;

	if (EVP_PKEY_get_base_id(e->cfg->key) != EVP_PKEY_EC ||
	    !(ch->exts & HS_EXT_SUPPORTED_GROUPS))
		return true;
	if (!EVP_PKEY_get_group_name(e->cfg->key, name, sizeof(name), NULL))
		return false;
	if (!strcmp(name, "prime256v1"))
		group = TLS_GROUP_SECP256R1;
	else if (!strcmp(name, "secp384r1"))
		group = TLS_GROUP_SECP384R1;
	else
		return false;
	return hs_u16_list_has(ch->supported_groups, group);
}

/*
 * Server preference: the first of our suites the client offered that our
 * key can authenticate and, for ECDHE, with a group in common.
 */
static const struct tls_suite *choose_suite(struct tls_engine *e,
					    const struct client_hello *ch)
{
	for (size_t i = 0; i < e->cfg->n_suites; i++) {
		const struct tls_suite *s = tls_suite_by_id(e->cfg->suites[i]);

		if (!s || s->version != TLS_VERSION_1_2 ||
		    !engine_suite_usable(e, s) ||
		    !hs_u16_list_has(ch->cipher_suites, s->id) ||
		    !hs12_key_fits_suite(e->cfg->key, s))
			continue;
		if (s->kx == TLS_KX_ECDHE && !e->params.group)
			continue;
		if (s->auth == TLS_AUTH_ECDSA && !client_takes_our_curve(e, ch))
			continue;
		return s;
	}
	return NULL;
}

static int send_server_hello(struct tls_engine *e,
			     const struct client_hello *ch, bool staple)
{
	static const uint8_t uncompressed = TLS_EC_POINT_UNCOMPRESSED;
	struct server_hello sh = {
		.legacy_version = TLS_VERSION_1_2,
		.session_id = { e->params.session_id,
				e->params.session_id_len },
		.cipher_suite = e->params.suite->id,
		.compression = 0,
	};
	WRITER_SCOPED(msg, 1024);

	memcpy(sh.random, e->params.server_random, HS_RANDOM_LEN);
	/*
	 * RFC 5746 §3.6: an empty renegotiation_info when the client sent
	 * the extension or the SCSV; RFC 5246 §7.4.1.4: else none at all.
	 */
	if ((ch->exts & HS_EXT_RENEGOTIATION_INFO) ||
	    hs_u16_list_has(ch->cipher_suites,
			    TLS_EMPTY_RENEGOTIATION_INFO_SCSV))
		sh.exts |= HS_EXT_RENEGOTIATION_INFO;
	if (e->tls12.ems)
		sh.exts |= HS_EXT_EXTENDED_MASTER_SECRET;
	if (e->tls12.etm)
		sh.exts |= HS_EXT_ENCRYPT_THEN_MAC;
	if (e->params.suite->kx == TLS_KX_ECDHE &&
	    (ch->exts & HS_EXT_EC_POINT_FORMATS)) {
		sh.exts |= HS_EXT_EC_POINT_FORMATS;
		sh.ec_point_formats = (struct bytes){ &uncompressed, 1 };
	}
	if (e->result.alpn[0]) {
		sh.exts |= HS_EXT_ALPN;
		sh.alpn = (struct bytes){ (const uint8_t *)e->result.alpn,
					  strlen(e->result.alpn) };
	}
	if (staple)
		sh.exts |= HS_EXT_STATUS_REQUEST;
	/* RFC 5077 §3.2: a NewSessionTicket will follow */
	if (e->tls12.ticket_ext)
		sh.exts |= HS_EXT_SESSION_TICKET;
	TRY(hs_server_hello_encode(&msg, &sh));
	return engine_send_msg(e, &msg);
}

static int send_certificate_status(struct tls_engine *e)
{
	struct certificate_status cs = {
		.ocsp_response = { e->cfg->ocsp_staple,
				   e->cfg->ocsp_staple_len },
	};
	WRITER_SCOPED(msg, e->cfg->ocsp_staple_len + 64);

	TRY(hs_certificate_status_encode(&msg, &cs));
	return engine_send_msg(e, &msg);
}

/* RFC 8422 §5.4: fresh ECDHE parameters, signed with our key. */
static int send_server_key_exchange(struct tls_engine *e)
{
	uint8_t pub[KX_PUBLIC_MAX], tbs[2 * HS_RANDOM_LEN + 4 + KX_PUBLIC_MAX];
	uint8_t sigbuf[1024];
	struct server_key_exchange ske = {
		.group = e->params.group,
		.sig_scheme = e->params.our_sig_scheme,
	};
	WRITER_SCOPED(params, 256);
	WRITER_SCOPED(msg, 2048);
	size_t publen, siglen;
	int err;

	TRY(kx_keygen(e->params.group, &e->params.kx));
	TRY(kx_public(e->params.kx, pub, sizeof(pub), &publen));
	err = hs_ecdh_params_encode(&params, e->params.group,
				    (struct bytes){ pub, publen });
	if (!err && params.len > sizeof(tbs) - 2 * HS_RANDOM_LEN)
		err = -EMSGSIZE;
	if (!err) {
		/* RFC 5246 §7.4.3: client_random + server_random + params */
		memcpy(tbs, e->params.client_random, HS_RANDOM_LEN);
		memcpy(tbs + HS_RANDOM_LEN, e->params.server_random,
		       HS_RANDOM_LEN);
		memcpy(tbs + 2 * HS_RANDOM_LEN, params.data, params.len);
		err = sig_sign(e->cfg->key, e->params.our_sig_scheme, tbs,
			       2 * HS_RANDOM_LEN + params.len, sigbuf,
			       sizeof(sigbuf), &siglen);
	}
	if (err)
		return engine_fail(e, err, TLS_ALERT_INTERNAL_ERROR,
				   "signing ServerKeyExchange failed");
	ske.public_key = (struct bytes){ pub, publen };
	ske.params = (struct bytes){ params.data, params.len };
	ske.signature = (struct bytes){ sigbuf, siglen };
	TRY(hs_server_key_exchange_encode(&msg, &ske));
	return engine_send_msg(e, &msg);
}

static int send_server_hello_done(struct tls_engine *e)
{
	WRITER_SCOPED(msg, 16);

	TRY(hs_server_hello_done_encode(&msg));
	return engine_send_msg(e, &msg);
}

/* What the ClientHello asks of a TLS 1.2 server, checked and recorded. */
static int read_client_hello(struct tls_engine *e,
			     const struct client_hello *ch)
{
	struct bytes chosen;

	/* RFC 5746 §3.6: SCSV or an empty extension; anything else fails */
	if ((ch->exts & HS_EXT_RENEGOTIATION_INFO) &&
	    ch->renegotiation_info.len)
		return engine_fail(e, -EPROTO, TLS_ALERT_HANDSHAKE_FAILURE,
				   "renegotiation_info on an initial handshake");
	/* RFC 8422 §5.1.2: if sent, it must list uncompressed */
	if ((ch->exts & HS_EXT_EC_POINT_FORMATS) &&
	    !hs_u8_list_has(ch->ec_point_formats, TLS_EC_POINT_UNCOMPRESSED))
		return engine_fail(e, -EPROTO, TLS_ALERT_ILLEGAL_PARAMETER,
				   "client cannot use uncompressed points");
	/* RFC 7627 §5.2: use it whenever the client offers it */
	e->tls12.ems = ch->exts & HS_EXT_EXTENDED_MASTER_SECRET;
	e->tls12.etm_offered = ch->exts & HS_EXT_ENCRYPT_THEN_MAC;
	if ((ch->exts & HS_EXT_ALPN) && e->alpn.len) {
		if (hs_alpn_select(e->alpn, ch->alpn, &chosen))
			return engine_fail(e, -EPROTO,
					   TLS_ALERT_NO_APPLICATION_PROTOCOL,
					   "no ALPN protocol in common");
		engine_set_alpn(e, chosen);
	}
	e->params.group = choose_group(e, ch);
	e->params.suite = choose_suite(e, ch);
	if (!e->params.suite)
		return engine_fail(e, -EPROTO, TLS_ALERT_HANDSHAKE_FAILURE,
				   "no TLS 1.2 cipher suite in common");
	if (e->params.suite->kx == TLS_KX_RSA) {
		e->params.group = 0;
		/* §7.4.7.1: the pre-master carries the version the client offered */
		e->tls12.rsa_client_version = ch->legacy_version;
	}
	/*
	 * RFC 5246 §7.4.1.4.1: signature_algorithms says what we may sign
	 * with; without it only SHA-1 would do, which we do not offer.
	 */
	if (e->params.suite->kx == TLS_KX_ECDHE &&
	    engine_pick_scheme(e, ch->sig_algs))
		return engine_fail(e, -EPROTO, TLS_ALERT_HANDSHAKE_FAILURE,
				   "no signature scheme fits our key");
	return 0;
}

/* §7.3: the abbreviated handshake; we send our Finished first. */
static int resume_flight(struct tls_engine *e, const struct client_hello *ch,
			 const struct secret *master)
{
	TRY(send_server_hello(e, ch, false));
	TRY(hs12_resume_keys(e, master));
	TRY(hs12_send_ccs_finished(e));
	return hs12_expect_ccs(e, &steps[RESUMED_FINISHED]);
}

int hs12_server_respond(struct tls_engine *e, const struct client_hello *ch)
{
	SECRET_SCOPED struct secret master = { 0 };
	bool staple = (ch->exts & HS_EXT_STATUS_REQUEST) &&
		      e->cfg->ocsp_staple_len;

	TRY(read_client_hello(e, ch));
	TRY(hs12_server_try_resume(e, ch, &master));
	/*
	 * RFC 7366 §3: encrypt-then-MAC whenever the client offers it and
	 * the suite (the session's, when resuming) is CBC; never echoed for
	 * an AEAD. A session resumes only with what it had (hs12_resume.c).
	 */
	e->tls12.etm = e->tls12.etm_offered &&
		       tls_suite_is_cbc(e->params.suite);
	if (e->resume.resumed)
		return resume_flight(e, ch, &master);
	TRY(hs12_server_new_session(e, ch));
	TRY(send_server_hello(e, ch, staple));
	TRY(hs12_send_certificate(e, true));
	if (staple)
		TRY(send_certificate_status(e));
	if (e->params.suite->kx == TLS_KX_ECDHE)
		TRY(send_server_key_exchange(e));
	if (e->cfg->client_auth != TLS_CLIENT_AUTH_NONE)
		TRY(engine_send_certificate_request(e));
	TRY(send_server_hello_done(e));
	if (e->peer.cert_requested)
		return engine_next(e, &steps[CERTIFICATE]);
	return engine_next(e, &steps[CLIENT_KEY_EXCHANGE]);
}

static int on_client_certificate(struct tls_engine *e,
				 const struct hs_message *m)
{
	bool empty;

	TRY(engine_on_certificate(e, m, &empty));
	/* No CertificateStatus comes from a client: verify the chain now. */
	if (!empty)
		TRY(hs12_verify_kept_chain(e, (struct bytes){ NULL, 0 }));
	return engine_next(e, &steps[CLIENT_KEY_EXCHANGE]);
}

static int on_client_key_exchange(struct tls_engine *e,
				  const struct hs_message *m)
{
	SECRET_SCOPED struct secret pms = { 0 };
	bool ecdhe = e->params.suite->kx == TLS_KX_ECDHE;
	struct client_key_exchange cke;
	int err;

	TRY(engine_decoded(e,
			   hs_client_key_exchange_decode(m->body, ecdhe, &cke),
			   "ClientKeyExchange"));
	if (ecdhe) {
		TRY(engine_kx_derive(e, cke.exchange, &pms));
	} else {
		/*
		 * §7.4.7.1: a bad decryption goes on with a random
		 * pre-master and fails at Finished, indistinguishably.
		 */
		err = rsa_kx_decrypt(e->cfg->key, e->tls12.rsa_client_version,
				     cke.exchange.p, cke.exchange.len, &pms);
		if (err == -EBADMSG)
			return engine_fail(e, -EPROTO, TLS_ALERT_DECODE_ERROR,
					   "RSA ClientKeyExchange of the wrong length");
		if (err)
			return engine_fail(e, err, TLS_ALERT_INTERNAL_ERROR,
					   "key exchange failed");
	}
	kx_free(e->params.kx);
	e->params.kx = NULL;
	TRY(transcript_add(&e->transcript, m->whole.p, m->whole.len));
	TRY(hs12_derive_keys(e, &pms));
	if (e->peer.key)
		/* §7.4.8: a client that sent a certificate proves it */
		return engine_next(e, &steps[CERTIFICATE_VERIFY]);
	return hs12_expect_ccs(e, &steps[FINISHED]);
}

static int on_client_certificate_verify(struct tls_engine *e,
					const struct hs_message *m)
{
	TRY(hs12_on_certificate_verify(e, m));
	return hs12_expect_ccs(e, &steps[FINISHED]);
}

/* §7.1: after the CCS, which the driver waits for (ccs_expected) */
static int on_client_finished(struct tls_engine *e, const struct hs_message *m)
{
	TRY(hs12_on_finished(e, m));
	TRY(hs12_server_keep_session(e));
	TRY(hs12_send_ccs_finished(e));
	return engine_complete(e);
}

static int on_resumed_client_finished(struct tls_engine *e,
				      const struct hs_message *m)
{
	TRY(hs12_on_finished(e, m));
	return engine_complete(e);
}
