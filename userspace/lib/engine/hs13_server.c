// SPDX-License-Identifier: MIT
/*
 * TLS 1.3 server (RFC 8446 §2, §4):
 *
 *   ClientHello ─► [HelloRetryRequest, CCS ◄─ ClientHello]
 *     ─► ServerHello [CCS] {EncryptedExtensions} [{CertificateRequest}]
 *        {Certificate} {CertificateVerify} {Finished}
 *     ◄─ [{Certificate} {CertificateVerify}] {Finished}
 *
 * Resumed (hs13_resume.c): ServerHello carries pre_shared_key, and neither
 * side sends Certificate or CertificateVerify (§2.2).
 *
 * The server's first flight goes out in one go; the engine stops once the
 * client's Finished is checked, after queueing a NewSessionTicket if
 * tickets are on: it goes out under the server's application key before
 * the hand-off, so the sequence number handed over counts it.
 */
#include <errno.h>
#include <string.h>

#include "engine/engine_priv.h"
#include "engine/hs13.h"

static hs_step_fn on_client_certificate, on_client_certificate_verify,
	on_client_finished;

enum { CERTIFICATE, CERTIFICATE_VERIFY, FINISHED };
static const struct hs_step steps[] = {
	[CERTIFICATE] = { "Certificate", HS_TYPE(TLS_HS_CERTIFICATE),
			  on_client_certificate },
	[CERTIFICATE_VERIFY] = { "CertificateVerify",
				 HS_TYPE(TLS_HS_CERTIFICATE_VERIFY),
				 on_client_certificate_verify },
	[FINISHED] = { "Finished", HS_TYPE(TLS_HS_FINISHED),
		       on_client_finished },
};

/* Server preference: the first of our suites the client offered. */
static const struct tls_suite *choose_suite(struct tls_engine *e,
					    const struct client_hello *ch)
{
	for (size_t i = 0; i < e->cfg->n_suites; i++) {
		const struct tls_suite *s = tls_suite_by_id(e->cfg->suites[i]);

		if (s && s->version == TLS_VERSION_1_3 &&
		    engine_suite_usable(e, s) &&
		    hs_u16_list_has(ch->cipher_suites, s->id))
			return s;
	}
	return NULL;
}

/* One bit per NamedGroup: lists are checked in one pass, not n². */
struct group_set {
	uint8_t bits[65536 / 8];
};

static bool group_set_add(struct group_set *s, uint16_t g)
{
	uint8_t mask = (uint8_t)(1u << (g % 8));
	bool was = s->bits[g / 8] & mask;

	s->bits[g / 8] |= mask;
	return was;
}

/*
 * §4.2.8: every KeyShareEntry is for a group the client lists in
 * supported_groups, one per group; §4.2.8.2: a share for a group we know
 * has that group's length. Servers may check (§4.2.8) and we do: each
 * breach is illegal_parameter, as is a point off the curve once used.
 */
static int check_key_shares(struct tls_engine *e,
			    const struct client_hello *ch)
{
	struct group_set listed = { 0 }, shared = { 0 };
	struct reader r;
	struct bytes ke;
	uint16_t g;
	int err;

	for (size_t i = 0; hs_u16_list_at(ch->supported_groups, i, &g); i++)
		(void)group_set_add(&listed, g);
	reader_init(&r, ch->key_shares.p, ch->key_shares.len);
	while (!(err = hs_key_share_next(&r, &g, &ke))) {
		if (!group_set_add(&listed, g))
			return engine_fail(e, -EPROTO,
					   TLS_ALERT_ILLEGAL_PARAMETER,
					   "key share for group 0x%04x not in supported_groups",
					   g);
		if (group_set_add(&shared, g))
			return engine_fail(e, -EPROTO,
					   TLS_ALERT_ILLEGAL_PARAMETER,
					   "two key shares for group 0x%04x", g);
		if (kx_group_supported(g) && ke.len != kx_public_len(g))
			return engine_fail(e, -EPROTO,
					   TLS_ALERT_ILLEGAL_PARAMETER,
					   "%s key share of %zu bytes",
					   kx_group_name(g), ke.len);
	}
	/* the codec checked the list's syntax: only its end is left */
	return err == -ENOENT ? 0 : engine_decoded(e, err, "key_share");
}

/*
 * §4.2.8: the first of our groups the client sent a share for; failing
 * that, the first of our groups it supports, to ask for with an HRR.
 */
static void choose_group(struct tls_engine *e, const struct client_hello *ch,
			 uint16_t *shared, uint16_t *retry)
{
	struct bytes ks;

	*shared = *retry = 0;
	for (size_t i = 0; i < e->cfg->n_groups; i++) {
		uint16_t g = e->cfg->groups[i];

		if (!*shared && !hs_key_share_find(ch->key_shares, g, &ks))
			*shared = g;
		if (!*retry && hs_u16_list_has(ch->supported_groups, g))
			*retry = g;
	}
}

static int send_server_hello(struct tls_engine *e,
			     const struct client_hello *ch, bool hrr,
			     struct bytes share)
{
	struct server_hello sh = {
		.legacy_version = TLS_VERSION_1_2, /* §4.1.3 */
		.session_id = ch->session_id,
		.cipher_suite = e->params.suite->id,
		.exts = HS_EXT_SUPPORTED_VERSIONS | HS_EXT_KEY_SHARE,
		.selected_version = TLS_VERSION_1_3,
		.key_share_group = e->params.group,
		.key_share = share,
		.is_hrr = hrr,
	};

	/* §4.2.11: the identity whose ticket we resume */
	if (e->resume.resumed && !hrr) {
		sh.exts |= HS_EXT_PRE_SHARED_KEY;
		sh.psk_identity = e->resume.identity;
	}
	WRITER_SCOPED(msg, 1024);

	memcpy(sh.random, hrr ? tls13_hrr_random : e->params.server_random,
	       HS_RANDOM_LEN);
	TRY(hs_server_hello_encode(&msg, &sh));
	return engine_send_msg(e, &msg);
}

/* §4.1.4: ask for a share in a group we both support. */
static int send_hello_retry(struct tls_engine *e, const struct client_hello *ch,
			    struct bytes ch_whole, uint16_t group)
{
	e->params.group = group;
	e->params.sent_hrr = true;
	TRY(transcript_add(&e->transcript, ch_whole.p, ch_whole.len));
	TRY(transcript_replace_with_hash(&e->transcript,
					 e->params.suite->hash));
	TRY(send_server_hello(e, ch, true, (struct bytes){ NULL, 0 }));
	/* §D.4: CCS right after our first handshake message */
	if (ch->session_id.len)
		TRY(engine_send_ccs(e));
	e->record.ccs_ignorable = true;
	/* §4.2.10: 0-RTT data until ClientHello2 is all application_data */
	if (ch->exts & HS_EXT_EARLY_DATA)
		e->record.early_skip = EARLY_DATA_PROTECTED;
	engine_expect_second_client_hello(e);
	return 0;
}

static int send_encrypted_extensions(struct tls_engine *e,
				     const struct client_hello *ch)
{
	struct encrypted_extensions ee = { 0 };
	struct bytes chosen;
	WRITER_SCOPED(msg, 1024);

	if ((ch->exts & HS_EXT_ALPN) && e->alpn.len) {
		/* RFC 7301 §3.2: no overlap is no_application_protocol */
		if (hs_alpn_select(e->alpn, ch->alpn, &chosen))
			return engine_fail(e, -EPROTO,
					   TLS_ALERT_NO_APPLICATION_PROTOCOL,
					   "no ALPN protocol in common");
		ee.exts |= HS_EXT_ALPN;
		ee.alpn = chosen;
		engine_set_alpn(e, chosen);
	}
	TRY(hs_encrypted_extensions_encode(&msg, &ee));
	return engine_send_msg(e, &msg);
}

/* The whole server flight, from ServerHello to Finished. */
static int send_flight(struct tls_engine *e, const struct client_hello *ch,
		       struct bytes client_share)
{
	SECRET_SCOPED struct secret shared = { 0 };
	uint8_t pub[KX_PUBLIC_MAX];
	size_t publen;

	TRY(kx_keygen(e->params.group, &e->params.kx));
	TRY(engine_kx_derive(e, client_share, &shared));
	TRY(kx_public(e->params.kx, pub, sizeof(pub), &publen));
	kx_free(e->params.kx);
	e->params.kx = NULL;
	TRY(send_server_hello(e, ch, false, (struct bytes){ pub, publen }));
	if (!e->params.sent_hrr && ch->session_id.len)
		TRY(engine_send_ccs(e)); /* §D.4 */
	TRY(hs13_derive_handshake(e, e->resume.resumed ? &e->resume.psk : NULL,
				  &shared));
	TRY(engine_rx_boundary(e));
	TRY(engine_tls13_keys(e, ENGINE_TX, &e->tls13.server_hs));
	TRY(engine_tls13_keys(e, ENGINE_RX, &e->tls13.client_hs));
	e->record.ccs_ignorable = true;
	/*
	 * §4.2.10: we accept no early data (our tickets allow none): skip
	 * the records that do not open with the client's handshake keys.
	 */
	if (!e->params.sent_hrr && (ch->exts & HS_EXT_EARLY_DATA))
		e->record.early_skip = EARLY_DATA_UNDECRYPTABLE;

	TRY(send_encrypted_extensions(e, ch));
	/* §4.3.2, §2.2: a resumed session authenticates by the PSK */
	if (!e->resume.resumed) {
		if (e->cfg->client_auth != TLS_CLIENT_AUTH_NONE)
			TRY(engine_send_certificate_request(e));
		TRY(hs13_send_certificate(e, true,
					  ch->exts & HS_EXT_STATUS_REQUEST));
		TRY(hs13_send_certificate_verify(e));
	}
	TRY(hs13_send_finished(e, &e->tls13.server_hs));
	TRY(hs13_derive_application(e));
	TRY(engine_tls13_keys(e, ENGINE_TX, &e->tls13.server_ap));
	if (e->peer.cert_requested)
		return engine_next(e, &steps[CERTIFICATE]);
	return engine_next(e, &steps[FINISHED]);
}

int hs13_server_respond(struct tls_engine *e, const struct client_hello *ch,
			struct bytes ch_whole)
{
	uint16_t shared_group, retry_group;
	struct bytes share;

	if (!e->params.sent_hrr) {
		e->params.suite = choose_suite(e, ch);
		if (!e->params.suite)
			return engine_fail(e, -EPROTO,
					   TLS_ALERT_HANDSHAKE_FAILURE,
					   "no TLS 1.3 cipher suite in common");
	} else if (!hs_u16_list_has(ch->cipher_suites, e->params.suite->id)) {
		/* §4.1.2: ClientHello2 must still offer the suite */
		return engine_fail(e, -EPROTO, TLS_ALERT_ILLEGAL_PARAMETER,
				   "second ClientHello changed its suites");
	} else if (ch->exts & HS_EXT_EARLY_DATA) {
		/* §4.2.10: a client must not offer early data again */
		return engine_fail(e, -EPROTO, TLS_ALERT_ILLEGAL_PARAMETER,
				   "early_data in the second ClientHello");
	}
	if (e->params.sent_hrr)
		e->record.early_skip = EARLY_DATA_NONE;
	/* §9.2: these are mandatory for a certificate-based handshake */
	if (!(ch->exts & HS_EXT_SIGNATURE_ALGORITHMS) ||
	    !(ch->exts & HS_EXT_SUPPORTED_GROUPS) ||
	    !(ch->exts & HS_EXT_KEY_SHARE))
		return engine_fail(e, -EPROTO, TLS_ALERT_MISSING_EXTENSION,
				   "ClientHello lacks signature_algorithms, supported_groups or key_share");
	if (engine_pick_scheme(e, ch->sig_algs))
		return engine_fail(e, -EPROTO, TLS_ALERT_HANDSHAKE_FAILURE,
				   "no signature scheme fits our key");
	TRY(check_key_shares(e, ch));
	choose_group(e, ch, &shared_group, &retry_group);
	if (e->params.sent_hrr) {
		/* §4.1.2: ClientHello2 must carry the share we asked for */
		if (hs_key_share_find(ch->key_shares, e->params.group, &share))
			return engine_fail(e, -EPROTO,
					   TLS_ALERT_ILLEGAL_PARAMETER,
					   "second ClientHello without the requested share");
		shared_group = e->params.group;
	} else if (!shared_group) {
		if (!retry_group)
			return engine_fail(e, -EPROTO,
					   TLS_ALERT_HANDSHAKE_FAILURE,
					   "no key exchange group in common");
		return send_hello_retry(e, ch, ch_whole, retry_group);
	}
	e->params.group = shared_group;
	if (hs_key_share_find(ch->key_shares, e->params.group, &share))
		return engine_fail(e, -EPROTO, TLS_ALERT_ILLEGAL_PARAMETER,
				   "missing key share");
	TRY(hs13_server_try_psk(e, ch, ch_whole));
	TRY(transcript_add(&e->transcript, ch_whole.p, ch_whole.len));
	return send_flight(e, ch, share);
}

static int on_client_certificate(struct tls_engine *e,
				 const struct hs_message *m)
{
	bool empty;

	TRY(engine_on_certificate(e, m, &empty));
	/* §4.4.3: a client without one sends no CertificateVerify */
	return engine_next(e, &steps[empty ? FINISHED : CERTIFICATE_VERIFY]);
}

static int on_client_certificate_verify(struct tls_engine *e,
					const struct hs_message *m)
{
	TRY(hs13_on_certificate_verify(e, m));
	return engine_next(e, &steps[FINISHED]);
}

static int on_client_finished(struct tls_engine *e, const struct hs_message *m)
{
	TRY(hs13_on_finished(e, m, &e->tls13.client_hs));
	TRY(engine_rx_boundary(e));
	TRY(engine_tls13_keys(e, ENGINE_RX, &e->tls13.client_ap));
	TRY(hs13_server_send_ticket(e));
	return engine_complete(e);
}
