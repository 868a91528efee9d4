// SPDX-License-Identifier: MIT
/*
 * TLS 1.3 client after ServerHello (RFC 8446 §2, §4):
 *
 *   ServerHello ─► {EncryptedExtensions} ─► [{CertificateRequest}]
 *     ─► {Certificate} ─► {CertificateVerify} ─► {Finished}
 *     ◄─ [CCS] [{Certificate} {CertificateVerify}] {Finished}
 *
 * Resumed (hs13_client_resume.c): EncryptedExtensions, then Finished.
 *
 * {} is under the handshake traffic keys. The engine stops right after the
 * server's Finished has been checked and our Finished is queued, so a
 * NewSessionTicket or application data that follows is the kernel's.
 */
#include <errno.h>
#include <string.h>

#include "engine/engine_priv.h"
#include "engine/hs13.h"

static hs_step_fn on_encrypted_extensions, on_certificate_request,
	on_certificate, on_certificate_verify, on_finished;

/* CertificateRequest is optional (§4.3.2): its step hands a Certificate on. */
enum {
	ENCRYPTED_EXTENSIONS,
	CERTIFICATE_REQUEST,
	CERTIFICATE,
	CERTIFICATE_VERIFY,
	FINISHED,
};
static const struct hs_step steps[] = {
	[ENCRYPTED_EXTENSIONS] = { "EncryptedExtensions",
				   HS_TYPE(TLS_HS_ENCRYPTED_EXTENSIONS),
				   on_encrypted_extensions },
	[CERTIFICATE_REQUEST] = { "CertificateRequest",
				  HS_TYPE(TLS_HS_CERTIFICATE_REQUEST) |
					  HS_TYPE(TLS_HS_CERTIFICATE),
				  on_certificate_request },
	[CERTIFICATE] = { "Certificate", HS_TYPE(TLS_HS_CERTIFICATE),
			  on_certificate },
	[CERTIFICATE_VERIFY] = { "CertificateVerify",
				 HS_TYPE(TLS_HS_CERTIFICATE_VERIFY),
				 on_certificate_verify },
	[FINISHED] = { "Finished", HS_TYPE(TLS_HS_FINISHED), on_finished },
};

int hs13_client_after_server_hello(struct tls_engine *e,
				   const struct server_hello *sh)
{
	SECRET_SCOPED struct secret shared = { 0 };

	/* RFC 8446 §4.2: ServerHello carries only these three */
	if (sh->exts & ~(HS_EXT_SUPPORTED_VERSIONS | HS_EXT_KEY_SHARE |
			 HS_EXT_PRE_SHARED_KEY))
		return engine_fail(e, -EPROTO, TLS_ALERT_UNSUPPORTED_EXTENSION,
				   "unrequested extension in ServerHello");
	TRY(hs13_client_psk_accepted(e, sh));
	/* §9.2: without PSK, key_share is mandatory */
	if (!(sh->exts & HS_EXT_KEY_SHARE))
		return engine_fail(e, -EPROTO, TLS_ALERT_MISSING_EXTENSION,
				   "ServerHello without key_share");
	/* §4.2.8: the server's share must be for a group we sent one for */
	if (e->params.kx_second &&
	    sh->key_share_group == kx_key_group(e->params.kx_second)) {
		kx_free(e->params.kx);
		e->params.kx = e->params.kx_second;
		e->params.kx_second = NULL;
		e->params.group = sh->key_share_group;
	}
	if (sh->key_share_group != e->params.group)
		return engine_fail(e, -EPROTO, TLS_ALERT_ILLEGAL_PARAMETER,
				   "key share for a group we did not send");
	TRY(engine_kx_derive(e, sh->key_share, &shared));
	kx_free(e->params.kx);
	e->params.kx = NULL;
	TRY(hs13_derive_handshake(e, e->resume.resumed ? &e->resume.psk : NULL,
				  &shared));
	TRY(engine_rx_boundary(e));
	TRY(engine_tls13_keys(e, ENGINE_RX, &e->tls13.server_hs));
	TRY(engine_tls13_keys(e, ENGINE_TX, &e->tls13.client_hs));
	/* §5: a CCS from a middlebox-compatible server is ignored */
	e->record.ccs_ignorable = true;
	return engine_next(e, &steps[ENCRYPTED_EXTENSIONS]);
}

static int on_encrypted_extensions(struct tls_engine *e,
				   const struct hs_message *m)
{
	struct encrypted_extensions ee;

	TRY(engine_decoded(e, hs_encrypted_extensions_decode(m->body, &ee),
			   "EncryptedExtensions"));
	if (ee.exts & HS_EXT_ALPN) {
		/* RFC 7301 §3.1, RFC 8446 §4.2: one of ours, and only if asked */
		if (!e->alpn.len)
			return engine_fail(e, -EPROTO,
					   TLS_ALERT_UNSUPPORTED_EXTENSION,
					   "unrequested ALPN");
		if (!engine_alpn_offered(e, ee.alpn))
			return engine_fail(e, -EPROTO,
					   TLS_ALERT_ILLEGAL_PARAMETER,
					   "server chose an ALPN protocol we did not offer");
		engine_set_alpn(e, ee.alpn);
	}
	if ((ee.exts & HS_EXT_SERVER_NAME) && !e->server_name[0])
		return engine_fail(e, -EPROTO, TLS_ALERT_UNSUPPORTED_EXTENSION,
				   "unrequested server_name");
	/* §4.2: we offer neither 0-RTT data nor a record size limit */
	if (ee.exts & (HS_EXT_EARLY_DATA | HS_EXT_RECORD_SIZE_LIMIT))
		return engine_fail(e, -EPROTO, TLS_ALERT_UNSUPPORTED_EXTENSION,
				   "unrequested %s in EncryptedExtensions",
				   ee.exts & HS_EXT_EARLY_DATA ?
					   "early_data" : "record_size_limit");
	TRY(transcript_add(&e->transcript, m->whole.p, m->whole.len));
	/* §2.2, §4.3.2: resumed, the server authenticates by the PSK, and
	 * a CertificateRequest is unexpected */
	return engine_next(e, &steps[e->resume.resumed ? FINISHED :
							  CERTIFICATE_REQUEST]);
}

static int on_certificate_request(struct tls_engine *e,
				  const struct hs_message *m)
{
	if (m->type != TLS_HS_CERTIFICATE_REQUEST)
		return engine_step_on(e, &steps[CERTIFICATE], m);
	TRY(engine_on_certificate_request(e, m));
	return engine_next(e, &steps[CERTIFICATE]);
}

static int on_certificate(struct tls_engine *e, const struct hs_message *m)
{
	bool empty;

	TRY(engine_on_certificate(e, m, &empty));
	return engine_next(e, &steps[CERTIFICATE_VERIFY]);
}

static int on_certificate_verify(struct tls_engine *e,
				 const struct hs_message *m)
{
	TRY(hs13_on_certificate_verify(e, m));
	return engine_next(e, &steps[FINISHED]);
}

static int on_finished(struct tls_engine *e, const struct hs_message *m)
{
	bool have_cert = e->cfg->chain && e->cfg->key &&
			 e->params.our_sig_scheme;

	TRY(hs13_on_finished(e, m, &e->tls13.server_hs));
	/* §7.1: application secrets cover ClientHello..server Finished */
	TRY(hs13_derive_application(e));
	TRY(engine_rx_boundary(e));
	TRY(engine_tls13_keys(e, ENGINE_RX, &e->tls13.server_ap));
	e->record.ccs_ignorable = false;

	/* §D.4: our CCS, unless one went out before a second ClientHello */
	if (!e->params.got_hrr)
		TRY(engine_send_ccs(e));
	if (e->peer.asked_for_ours) {
		TRY(hs13_send_certificate(e, have_cert, false));
		if (have_cert)
			TRY(hs13_send_certificate_verify(e));
	}
	TRY(hs13_send_finished(e, &e->tls13.client_hs));
	TRY(engine_tls13_keys(e, ENGINE_TX, &e->tls13.client_ap));
	TRY(hs13_client_keep_session(e));
	return engine_complete(e);
}
