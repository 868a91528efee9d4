// SPDX-License-Identifier: MIT
/*
 * TLS 1.2 client after ServerHello: the classic flow of RFC 5246 §7.3 that
 * the seeds walk through step by step.
 *
 *   ServerHello ─► Certificate ─► [CertificateStatus] ─► [ServerKeyExchange]
 *     ─► [CertificateRequest] ─► ServerHelloDone
 *     ◄─ [Certificate] ClientKeyExchange [CertificateVerify] CCS Finished
 *   [NewSessionTicket] ─► CCS ─► Finished
 */
#include <errno.h>
#include <string.h>

#include "crypto/rsa_kx.h"
#include "engine/engine_priv.h"
#include "engine/hs12.h"

static int on_certificate(struct tls_engine *e, uint8_t type,
			  struct bytes body, struct bytes whole);
static int after_certificate(struct tls_engine *e, uint8_t type,
			     struct bytes body, struct bytes whole);
static int on_key_exchange_done(struct tls_engine *e, uint8_t type,
				struct bytes body, struct bytes whole);
static int on_server_finished(struct tls_engine *e, uint8_t type,
			      struct bytes body, struct bytes whole);

/* The extensions a TLS 1.2 ServerHello may answer ours with. */
#define SH12_ALLOWED                                                           \
	(HS_EXT_SERVER_NAME | HS_EXT_STATUS_REQUEST | HS_EXT_EC_POINT_FORMATS | \
	 HS_EXT_ALPN | HS_EXT_EXTENDED_MASTER_SECRET | HS_EXT_SESSION_TICKET |  \
	 HS_EXT_RENEGOTIATION_INFO)

int hs12_client_after_server_hello(struct tls_engine *e,
				   const struct server_hello *sh)
{

	/* RFC 5246 §7.4.1.4: only extensions we sent may come back */
	if (sh->exts & ~SH12_ALLOWED ||
	    ((sh->exts & HS_EXT_STATUS_REQUEST) && !e->status_requested) ||
	    ((sh->exts & HS_EXT_SERVER_NAME) && !e->server_name[0]) ||
	    ((sh->exts & HS_EXT_ALPN) && !e->alpn.len))
		return engine_fail(e, -EPROTO, TLS_ALERT_UNSUPPORTED_EXTENSION,
				   "unrequested extension in ServerHello");
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
	e->ems = sh->exts & HS_EXT_EXTENDED_MASTER_SECRET;
	e->peer_ticket_ext = sh->exts & HS_EXT_SESSION_TICKET;
	e->status_requested = sh->exts & HS_EXT_STATUS_REQUEST;
	e->handle = on_certificate;
	return 0;
}

static int on_certificate(struct tls_engine *e, uint8_t type,
			  struct bytes body, struct bytes whole)
{
	bool empty;

	if (type != TLS_HS_CERTIFICATE)
		return engine_unexpected(e, type);
	TRY(hs12_on_certificate(e, body, whole, &empty));
	if (empty)
		/* RFC 5246 §7.4.2: every suite we offer needs one */
		return engine_fail(e, -EKEYREJECTED, TLS_ALERT_BAD_CERTIFICATE,
				   "server sent no certificate");
	/* Verified once we know whether an OCSP response follows. */
	e->handle = after_certificate;
	return 0;
}

/* RFC 8422 §5.4: the signed ECDHE parameters. */
static int on_server_key_exchange(struct tls_engine *e, struct bytes body,
				  struct bytes whole)
{
	struct server_key_exchange ske;
	uint8_t tbs[2 * HS_RANDOM_LEN + 4 + 256];
	bool offered = false;
	int err;

	err = hs_server_key_exchange_decode(body, &ske);
	if (err)
		return engine_decode_fail(e, err, "ServerKeyExchange");
	for (size_t i = 0; i < e->cfg->n_groups; i++)
		offered |= e->cfg->groups[i] == ske.group;
	/* RFC 8422 §5.4: a curve we listed in supported_groups */
	if (!offered || ske.public_key.len > sizeof(e->peer_share))
		return engine_fail(e, -EPROTO, TLS_ALERT_ILLEGAL_PARAMETER,
				   "ServerKeyExchange for group 0x%04x we did not offer",
				   ske.group);
	if (ske.params.len > sizeof(tbs) - 2 * HS_RANDOM_LEN)
		return engine_fail(e, -EPROTO, TLS_ALERT_ILLEGAL_PARAMETER,
				   "ServerKeyExchange parameters too long");
	/* RFC 5246 §7.4.3: signed over client_random + server_random + params */
	memcpy(tbs, e->client_random, HS_RANDOM_LEN);
	memcpy(tbs + HS_RANDOM_LEN, e->server_random, HS_RANDOM_LEN);
	memcpy(tbs + 2 * HS_RANDOM_LEN, ske.params.p, ske.params.len);
	TRY(engine_verify_signature(e, ske.sig_scheme, tbs,
				    2 * HS_RANDOM_LEN + ske.params.len,
				    ske.signature));
	e->group = ske.group;
	memcpy(e->peer_share, ske.public_key.p, ske.public_key.len);
	e->peer_share_len = ske.public_key.len;
	return transcript_add(&e->transcript, whole.p, whole.len);
}

static int on_certificate_request(struct tls_engine *e, struct bytes body,
				  struct bytes whole)
{
	struct certificate_request cr;
	int err;

	err = hs_certificate_request_decode(body, TLS_VERSION_1_2, &cr);
	if (err)
		return engine_decode_fail(e, err, "CertificateRequest");
	e->our_cert_requested = true;
	e->our_sig_scheme = 0;
	/* Without a usable scheme we answer with an empty Certificate. */
	if (e->cfg->chain && e->cfg->key &&
	    engine_pick_scheme(e, cr.sig_algs))
		e->our_sig_scheme = 0;
	return transcript_add(&e->transcript, whole.p, whole.len);
}

/* The pre-master secret and its ClientKeyExchange (RFC 5246 §7.4.7). */
static int send_client_key_exchange(struct tls_engine *e,
				    struct secret *pms)
{
	bool ecdhe = e->suite->kx == TLS_KX_ECDHE;
	uint8_t exchange[1024];
	struct client_key_exchange cke;
	struct writer msg;
	size_t len;
	int err;

	if (ecdhe) {
		kx_free(e->kx); /* the TLS 1.3 key share of our ClientHello */
		TRY(kx_keygen(e->group, &e->kx));
		err = kx_derive(e->kx, e->peer_share, e->peer_share_len, pms);
		if (err == -EBADMSG)
			return engine_fail(e, -EPROTO,
					   TLS_ALERT_ILLEGAL_PARAMETER,
					   "invalid ECDHE share from the server");
		if (!err)
			err = kx_public(e->kx, exchange, sizeof(exchange),
					&len);
	} else {
		/* §7.4.7.1: the version we offered in ClientHello */
		err = rsa_kx_encrypt(e->peer_key, TLS_VERSION_1_2, pms,
				     exchange, sizeof(exchange), &len);
	}
	if (err)
		return engine_fail(e, err, TLS_ALERT_INTERNAL_ERROR,
				   "key exchange failed");
	cke.exchange = (struct bytes){ exchange, len };
	writer_init(&msg, 2048);
	err = hs_client_key_exchange_encode(&msg, ecdhe, &cke);
	if (!err)
		err = engine_send_msg(e, &msg);
	writer_free(&msg);
	return err;
}

/* ServerHelloDone: our whole second flight (§7.3). */
static int on_server_hello_done(struct tls_engine *e, struct bytes body,
				struct bytes whole)
{
	SECRET_SCOPED struct secret pms = { 0 };
	bool have_cert = e->our_sig_scheme != 0;
	int err;

	err = hs_server_hello_done_decode(body);
	if (err)
		return engine_decode_fail(e, err, "ServerHelloDone");
	/* RFC 8422 §2: ECDHE suites need ServerKeyExchange */
	if (e->suite->kx == TLS_KX_ECDHE && !e->peer_share_len)
		return engine_unexpected(e, TLS_HS_SERVER_HELLO_DONE);
	TRY(transcript_add(&e->transcript, whole.p, whole.len));
	if (e->our_cert_requested)
		TRY(hs12_send_certificate(e, have_cert));
	TRY(send_client_key_exchange(e, &pms));
	TRY(hs12_derive_keys(e, &pms));
	if (e->our_cert_requested && have_cert)
		TRY(hs12_send_certificate_verify(e));
	TRY(hs12_send_ccs_finished(e));
	if (e->peer_ticket_ext) {
		e->handle = on_key_exchange_done;
		return 0;
	}
	TRY(hs12_expect_ccs(e));
	e->handle = on_server_finished;
	return 0;
}

/*
 * Certificate is followed by CertificateStatus (if status_request was
 * acknowledged; RFC 6066 §8 lets the server skip it), ServerKeyExchange
 * (ECDHE), CertificateRequest and ServerHelloDone, each optional but in
 * that order (RFC 5246 §7.3).
 */
static int after_certificate(struct tls_engine *e, uint8_t type,
			     struct bytes body, struct bytes whole)
{
	struct certificate_status cs;
	int err;

	if (e->peer_chain) {
		if (type == TLS_HS_CERTIFICATE_STATUS && e->status_requested) {
			err = hs_certificate_status_decode(body, &cs);
			if (err)
				return engine_decode_fail(e, err,
							  "CertificateStatus");
			TRY(hs12_verify_kept_chain(e, cs.ocsp_response));
			return transcript_add(&e->transcript, whole.p,
					      whole.len);
		}
		TRY(hs12_verify_kept_chain(e, (struct bytes){ NULL, 0 }));
	}
	if (type == TLS_HS_SERVER_KEY_EXCHANGE &&
	    e->suite->kx == TLS_KX_ECDHE && !e->peer_share_len &&
	    !e->our_cert_requested)
		return on_server_key_exchange(e, body, whole);
	if (type == TLS_HS_CERTIFICATE_REQUEST && !e->our_cert_requested)
		return on_certificate_request(e, body, whole);
	if (type == TLS_HS_SERVER_HELLO_DONE)
		return on_server_hello_done(e, body, whole);
	return engine_unexpected(e, type);
}

/* RFC 5077 §3.3: a ticket we asked for; we keep no sessions, so it is skipped. */
static int on_key_exchange_done(struct tls_engine *e, uint8_t type,
				struct bytes body, struct bytes whole)
{
	struct new_session_ticket nst;
	int err;

	if (type != TLS_HS_NEW_SESSION_TICKET)
		return engine_unexpected(e, type);
	err = hs_new_session_ticket_decode(body, TLS_VERSION_1_2, &nst);
	if (err)
		return engine_decode_fail(e, err, "NewSessionTicket");
	TRY(transcript_add(&e->transcript, whole.p, whole.len));
	TRY(hs12_expect_ccs(e));
	e->handle = on_server_finished;
	return 0;
}

static int on_server_finished(struct tls_engine *e, uint8_t type,
			      struct bytes body, struct bytes whole)
{
	/* §7.1: Finished must come after CCS */
	if (type != TLS_HS_FINISHED || e->ccs_expected)
		return engine_unexpected(e, type);
	TRY(hs12_on_finished(e, body, whole));
	return engine_complete(e);
}
