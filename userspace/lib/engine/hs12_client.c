// SPDX-License-Identifier: MIT
/*
 * TLS 1.2 client after ServerHello: the classic flow of RFC 5246 §7.3 that
 * the seeds walk through step by step.
 *
 *   ServerHello ─► Certificate ─► [CertificateStatus] ─► [ServerKeyExchange]
 *     ─► [CertificateRequest] ─► ServerHelloDone
 *     ◄─ [Certificate] ClientKeyExchange [CertificateVerify] CCS Finished
 *   [NewSessionTicket] ─► CCS ─► Finished
 *
 * or, when the server resumes the session offered (hs12_client_resume.c),
 * the abbreviated handshake, the server's Finished first:
 *
 *   ServerHello ─► [NewSessionTicket] ─► CCS ─► Finished
 *     ◄─ CCS Finished
 */
#include <errno.h>
#include <string.h>

#include "crypto/rsa_kx.h"
#include "engine/engine_priv.h"
#include "engine/hs12.h"

static hs_step_fn on_certificate, on_certificate_status, on_server_key_exchange,
	on_certificate_request, on_server_hello_done, on_new_session_ticket,
	on_server_finished;

/*
 * CertificateStatus and CertificateRequest are optional (RFC 6066 §8,
 * RFC 5246 §7.3): their steps also accept what may come instead and hand
 * it on. ServerKeyExchange is the step only for ECDHE suites.
 */
enum {
	CERTIFICATE,
	CERTIFICATE_STATUS,
	SERVER_KEY_EXCHANGE,
	CERTIFICATE_REQUEST,
	SERVER_HELLO_DONE,
	NEW_SESSION_TICKET,
	FINISHED,
};
static const struct hs_step steps[] = {
	[CERTIFICATE] = { "Certificate", HS_TYPE(TLS_HS_CERTIFICATE),
			  on_certificate },
	[CERTIFICATE_STATUS] = { "CertificateStatus",
				 HS_TYPE(TLS_HS_CERTIFICATE_STATUS) |
					 HS_TYPE(TLS_HS_SERVER_KEY_EXCHANGE) |
					 HS_TYPE(TLS_HS_CERTIFICATE_REQUEST) |
					 HS_TYPE(TLS_HS_SERVER_HELLO_DONE),
				 on_certificate_status },
	[SERVER_KEY_EXCHANGE] = { "ServerKeyExchange",
				  HS_TYPE(TLS_HS_SERVER_KEY_EXCHANGE),
				  on_server_key_exchange },
	[CERTIFICATE_REQUEST] = { "CertificateRequest",
				  HS_TYPE(TLS_HS_CERTIFICATE_REQUEST) |
					  HS_TYPE(TLS_HS_SERVER_HELLO_DONE),
				  on_certificate_request },
	[SERVER_HELLO_DONE] = { "ServerHelloDone",
				HS_TYPE(TLS_HS_SERVER_HELLO_DONE),
				on_server_hello_done },
	[NEW_SESSION_TICKET] = { "NewSessionTicket",
				 HS_TYPE(TLS_HS_NEW_SESSION_TICKET),
				 on_new_session_ticket },
	[FINISHED] = { "Finished", HS_TYPE(TLS_HS_FINISHED),
		       on_server_finished },
};

/* The extensions a TLS 1.2 ServerHello may answer ours with. */
#define SH12_ALLOWED                                                           \
	(HS_EXT_SERVER_NAME | HS_EXT_STATUS_REQUEST | HS_EXT_EC_POINT_FORMATS | \
	 HS_EXT_ALPN | HS_EXT_EXTENDED_MASTER_SECRET | HS_EXT_SESSION_TICKET |  \
	 HS_EXT_RENEGOTIATION_INFO | HS_EXT_ENCRYPT_THEN_MAC)

/*
 * The server's [NewSessionTicket] (RFC 5077 §3.3), CCS and Finished
 * (RFC 5246 §7.1).
 */
static int expect_server_finish(struct tls_engine *e)
{
	if (e->tls12.ticket_ext)
		return engine_next(e, &steps[NEW_SESSION_TICKET]);
	return hs12_expect_ccs(e, &steps[FINISHED]);
}

int hs12_client_after_server_hello(struct tls_engine *e,
				   const struct server_hello *sh)
{

	/* RFC 5246 §7.4.1.4: only extensions we sent may come back */
	if (sh->exts & ~SH12_ALLOWED ||
	    ((sh->exts & HS_EXT_STATUS_REQUEST) && !e->peer.status_requested) ||
	    ((sh->exts & HS_EXT_SERVER_NAME) && !e->server_name[0]) ||
	    ((sh->exts & HS_EXT_ALPN) && !e->alpn.len) ||
	    ((sh->exts & HS_EXT_ENCRYPT_THEN_MAC) && !e->tls12.etm_offered))
		return engine_fail(e, -EPROTO, TLS_ALERT_UNSUPPORTED_EXTENSION,
				   "unrequested extension in ServerHello");
	/*
	 * RFC 7366 §3: a server that chose an AEAD suite must not echo
	 * encrypt_then_mac; one that does disagrees with itself about the
	 * record protection (RFC 5246 §7.2.2: illegal_parameter).
	 */
	if ((sh->exts & HS_EXT_ENCRYPT_THEN_MAC) &&
	    !tls_suite_is_cbc(e->params.suite))
		return engine_fail(e, -EPROTO, TLS_ALERT_ILLEGAL_PARAMETER,
				   "encrypt_then_mac with the AEAD suite %s",
				   e->params.suite->name);
	/* RFC 5746 §3.4: on an initial handshake the extension is empty */
	if ((sh->exts & HS_EXT_RENEGOTIATION_INFO) &&
	    sh->renegotiation_info.len)
		return engine_fail(e, -EPROTO, TLS_ALERT_HANDSHAKE_FAILURE,
				   "non-empty renegotiation_info");
	/* RFC 8422 §5.2: if present, uncompressed must be listed */
	if ((sh->exts & HS_EXT_EC_POINT_FORMATS) &&
	    !hs_u8_list_has(sh->ec_point_formats, TLS_EC_POINT_UNCOMPRESSED))
		return engine_fail(e, -EPROTO, TLS_ALERT_ILLEGAL_PARAMETER,
				   "server cannot use uncompressed points");
	if (sh->exts & HS_EXT_ALPN) {
		if (!engine_alpn_offered(e, sh->alpn))
			return engine_fail(e, -EPROTO,
					   TLS_ALERT_ILLEGAL_PARAMETER,
					   "server chose an ALPN protocol we did not offer");
		engine_set_alpn(e, sh->alpn);
	}
	e->tls12.ems = sh->exts & HS_EXT_EXTENDED_MASTER_SECRET;
	e->tls12.etm = sh->exts & HS_EXT_ENCRYPT_THEN_MAC;
	e->tls12.ticket_ext = sh->exts & HS_EXT_SESSION_TICKET;
	e->peer.status_requested = sh->exts & HS_EXT_STATUS_REQUEST;
	TRY(hs12_client_on_server_hello(e, sh));
	if (e->resume.resumed)
		return expect_server_finish(e);
	return engine_next(e, &steps[CERTIFICATE]);
}

static int on_certificate(struct tls_engine *e, const struct hs_message *m)
{
	bool empty;

	TRY(engine_on_certificate(e, m, &empty));
	/* Verified once we know whether an OCSP response follows. */
	return engine_next(e, &steps[CERTIFICATE_STATUS]);
}

/* After the certificate (and its status): ServerKeyExchange for ECDHE. */
static const struct hs_step *after_certificate(const struct tls_engine *e)
{
	bool ecdhe = e->params.suite->kx == TLS_KX_ECDHE;

	return &steps[ecdhe ? SERVER_KEY_EXCHANGE : CERTIFICATE_REQUEST];
}

/* The stapled OCSP response, if status_request was acknowledged. */
static int on_certificate_status(struct tls_engine *e,
				 const struct hs_message *m)
{
	struct certificate_status cs;

	if (m->type != TLS_HS_CERTIFICATE_STATUS || !e->peer.status_requested) {
		TRY(hs12_verify_kept_chain(e, (struct bytes){ NULL, 0 }));
		return engine_step_on(e, after_certificate(e), m);
	}
	TRY(engine_decoded(e, hs_certificate_status_decode(m->body, &cs),
			   "CertificateStatus"));
	TRY(hs12_verify_kept_chain(e, cs.ocsp_response));
	TRY(transcript_add(&e->transcript, m->whole.p, m->whole.len));
	return engine_next(e, after_certificate(e));
}

/* RFC 8422 §5.4: the signed ECDHE parameters. */
static int on_server_key_exchange(struct tls_engine *e,
				  const struct hs_message *m)
{
	struct server_key_exchange ske;
	uint8_t tbs[2 * HS_RANDOM_LEN + 4 + 256];
	bool offered = false;

	TRY(engine_decoded(e, hs_server_key_exchange_decode(m->body, &ske),
			   "ServerKeyExchange"));
	for (size_t i = 0; i < e->cfg->n_groups; i++)
		offered |= e->cfg->groups[i] == ske.group;
	/* RFC 8422 §5.4: a curve we listed in supported_groups */
	if (!offered || ske.public_key.len > sizeof(e->tls12.peer_share))
		return engine_fail(e, -EPROTO, TLS_ALERT_ILLEGAL_PARAMETER,
				   "ServerKeyExchange for group 0x%04x we did not offer",
				   ske.group);
	if (ske.params.len > sizeof(tbs) - 2 * HS_RANDOM_LEN)
		return engine_fail(e, -EPROTO, TLS_ALERT_ILLEGAL_PARAMETER,
				   "ServerKeyExchange parameters too long");
	/* RFC 5246 §7.4.3: signed over client_random + server_random + params */
	memcpy(tbs, e->params.client_random, HS_RANDOM_LEN);
	memcpy(tbs + HS_RANDOM_LEN, e->params.server_random, HS_RANDOM_LEN);
	memcpy(tbs + 2 * HS_RANDOM_LEN, ske.params.p, ske.params.len);
	TRY(engine_verify_signature(e, ske.sig_scheme, tbs,
				    2 * HS_RANDOM_LEN + ske.params.len,
				    ske.signature));
	e->params.group = ske.group;
	memcpy(e->tls12.peer_share, ske.public_key.p, ske.public_key.len);
	e->tls12.peer_share_len = ske.public_key.len;
	TRY(transcript_add(&e->transcript, m->whole.p, m->whole.len));
	return engine_next(e, &steps[CERTIFICATE_REQUEST]);
}

static int on_certificate_request(struct tls_engine *e,
				  const struct hs_message *m)
{
	if (m->type != TLS_HS_CERTIFICATE_REQUEST)
		return engine_step_on(e, &steps[SERVER_HELLO_DONE], m);
	TRY(engine_on_certificate_request(e, m));
	return engine_next(e, &steps[SERVER_HELLO_DONE]);
}

/* The pre-master secret and its ClientKeyExchange (RFC 5246 §7.4.7). */
static int send_client_key_exchange(struct tls_engine *e,
				    struct secret *pms)
{
	bool ecdhe = e->params.suite->kx == TLS_KX_ECDHE;
	uint8_t exchange[1024];
	struct client_key_exchange cke;
	WRITER_SCOPED(msg, 2048);
	size_t len;
	int err;

	if (ecdhe) {
		kx_free(e->params.kx); /* the TLS 1.3 key share of our ClientHello */
		TRY(kx_keygen(e->params.group, &e->params.kx));
		TRY(engine_kx_derive(e,
				     (struct bytes){ e->tls12.peer_share,
						     e->tls12.peer_share_len },
				     pms));
		err = kx_public(e->params.kx, exchange, sizeof(exchange), &len);
	} else {
		/* §7.4.7.1: the version we offered in ClientHello */
		err = rsa_kx_encrypt(e->peer.key, TLS_VERSION_1_2, pms,
				     exchange, sizeof(exchange), &len);
	}
	if (err)
		return engine_fail(e, err, TLS_ALERT_INTERNAL_ERROR,
				   "key exchange failed");
	cke.exchange = (struct bytes){ exchange, len };
	TRY(hs_client_key_exchange_encode(&msg, ecdhe, &cke));
	return engine_send_msg(e, &msg);
}

/* ServerHelloDone: our whole second flight (§7.3). */
static int on_server_hello_done(struct tls_engine *e,
				const struct hs_message *m)
{
	SECRET_SCOPED struct secret pms = { 0 };
	bool have_cert = e->params.our_sig_scheme != 0;

	TRY(engine_decoded(e, hs_server_hello_done_decode(m->body),
			   "ServerHelloDone"));
	TRY(transcript_add(&e->transcript, m->whole.p, m->whole.len));
	if (e->peer.asked_for_ours)
		TRY(hs12_send_certificate(e, have_cert));
	TRY(send_client_key_exchange(e, &pms));
	TRY(hs12_derive_keys(e, &pms));
	if (e->peer.asked_for_ours && have_cert)
		TRY(hs12_send_certificate_verify(e));
	TRY(hs12_send_ccs_finished(e));
	return expect_server_finish(e);
}

/* RFC 5077 §3.3: a ticket we asked for, for the session we keep. */
static int on_new_session_ticket(struct tls_engine *e,
				 const struct hs_message *m)
{
	struct new_session_ticket nst;
	int err;

	err = hs_new_session_ticket_decode(m->body, TLS_VERSION_1_2, &nst);
	TRY(engine_decoded(e, err, "NewSessionTicket"));
	TRY(transcript_add(&e->transcript, m->whole.p, m->whole.len));
	hs12_client_take_ticket(e, &nst);
	return hs12_expect_ccs(e, &steps[FINISHED]);
}

/* §7.1: after the CCS, which the driver waits for (ccs_expected) */
static int on_server_finished(struct tls_engine *e, const struct hs_message *m)
{
	TRY(hs12_on_finished(e, m));
	/* §7.3: resumed, our CCS and Finished answer the server's */
	if (e->resume.resumed)
		TRY(hs12_send_ccs_finished(e));
	TRY(hs12_client_keep_session(e));
	return engine_complete(e);
}
