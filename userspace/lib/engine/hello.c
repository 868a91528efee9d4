// SPDX-License-Identifier: MIT
/*
 * The hellos: the ClientHello a client sends (offering TLS 1.2 and/or 1.3
 * at once), the client's reading of ServerHello and HelloRetryRequest, and
 * the server's choice of version from a ClientHello. After the hellos the
 * version-specific state machines take over.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <openssl/rand.h>

#include "crypto/sig.h"
#include "engine/engine_priv.h"

static bool offers(const struct tls_engine *e, uint16_t version)
{
	return e->cfg->min_version <= version && version <= e->cfg->max_version;
}

bool engine_suite_usable(const struct tls_engine *e, const struct tls_suite *s)
{
	const struct tls_config *cfg = e->cfg;
	bool listed = false;

	for (size_t i = 0; i < cfg->n_suites; i++)
		listed |= cfg->suites[i] == s->id;
	return listed && offers(e, s->version) && (!s->legacy || cfg->legacy);
}

static bool is_ip_literal(const char *name)
{
	uint8_t addr[16];

	return inet_pton(AF_INET, name, addr) == 1 ||
	       inet_pton(AF_INET6, name, addr) == 1;
}

/*
 * Fresh key shares for group and, unless it is 0, second: RFC 8446 §4.2.8
 * lets a client send several, so a server that prefers the second needs
 * no HelloRetryRequest.
 */
static int new_key_shares(struct tls_engine *e, uint16_t group,
			  uint16_t second)
{
	kx_free(e->params.kx);
	kx_free(e->params.kx_second);
	e->params.kx = e->params.kx_second = NULL;
	e->params.group = group;
	TRY(kx_keygen(group, &e->params.kx));
	if (second)
		TRY(kx_keygen(second, &e->params.kx_second));
	return 0;
}

/* The key_share list of our shares (§4.2.8), in preference order. */
static int key_share_list(const struct tls_engine *e, uint8_t *buf,
			  size_t cap, struct bytes *list)
{
	const struct kx_key *keys[] = { e->params.kx, e->params.kx_second };
	uint8_t pub[KX_PUBLIC_MAX];
	size_t publen;

	*list = (struct bytes){ buf, 0 };
	for (size_t i = 0; i < 2 && keys[i]; i++) {
		TRY(kx_public(keys[i], pub, sizeof(pub), &publen));
		TRY(hs_key_share_add(buf, cap, list, kx_key_group(keys[i]),
				     (struct bytes){ pub, publen }));
	}
	return 0;
}

/*
 * The ClientHello, first or after a HelloRetryRequest (RFC 8446 §4.1.2),
 * with the key shares made for it.
 */
static int send_client_hello(struct tls_engine *e)
{
	const struct tls_config *cfg = e->cfg;
	uint8_t suites[2 * TLS_CONFIG_MAX_LIST], groups[2 * TLS_CONFIG_MAX_LIST];
	uint8_t schemes[2 * TLS_CONFIG_MAX_LIST], versions[4];
	uint8_t shares[2 * (4 + KX_PUBLIC_MAX)];
	uint8_t psk_ids[TLS_SESSION_TICKET_MAX + 8];
	uint8_t psk_binders[HS13_PSK_BINDERS_MAX];
	static const uint8_t null_compression = 0, uncompressed = 0;
	uint16_t ids[TLS_CONFIG_MAX_LIST], vers[2];
	struct client_hello ch = { 0 };
	WRITER_SCOPED(msg, 4096 + e->params.cookie_len + sizeof(psk_ids));
	size_t n = 0, nv = 0;

	e->tls12.etm_offered = false;
	for (size_t i = 0; i < cfg->n_suites; i++) {
		const struct tls_suite *s = tls_suite_by_id(cfg->suites[i]);

		if (!s || !engine_suite_usable(e, s))
			continue;
		ids[n++] = s->id;
		e->tls12.etm_offered |= tls_suite_is_cbc(s);
	}
	if (!n)
		return engine_fail(e, -EINVAL, -1,
				   "no cipher suite enabled for these versions");

	ch.legacy_version = TLS_VERSION_1_2; /* RFC 8446 §4.1.2 */
	memcpy(ch.random, e->params.client_random, HS_RANDOM_LEN);
	ch.session_id = (struct bytes){ e->params.session_id,
					e->params.session_id_len };
	ch.cipher_suites = hs_u16_list(ids, n, suites);
	ch.compression = (struct bytes){ &null_compression, 1 };
	ch.exts = HS_EXT_SUPPORTED_GROUPS | HS_EXT_SIGNATURE_ALGORITHMS;
	ch.supported_groups = hs_u16_list(cfg->groups, cfg->n_groups, groups);
	ch.sig_algs = hs_u16_list(cfg->sig_schemes, cfg->n_sig_schemes,
				  schemes);
	/* RFC 6066 §3: a literal IP address is not a HostName */
	if (e->server_name[0] && !is_ip_literal(e->server_name)) {
		ch.exts |= HS_EXT_SERVER_NAME;
		ch.server_name = (struct bytes){ (const uint8_t *)e->server_name,
						 strlen(e->server_name) };
	}
	if (e->alpn.len) {
		ch.exts |= HS_EXT_ALPN;
		ch.alpn = e->alpn;
	}
	if (cfg->verify_peer) {
		ch.exts |= HS_EXT_STATUS_REQUEST;
		e->peer.status_requested = true;
	}
	if (offers(e, TLS_VERSION_1_2)) {
		/* RFC 8422 §5.1.2, RFC 7627 §5.1, RFC 5746 §3.4, RFC 5077 §3.2 */
		ch.exts |= HS_EXT_EC_POINT_FORMATS |
			   HS_EXT_EXTENDED_MASTER_SECRET |
			   HS_EXT_RENEGOTIATION_INFO | HS_EXT_SESSION_TICKET;
		ch.ec_point_formats = (struct bytes){ &uncompressed, 1 };
		hs12_client_offer_ticket(e, &ch);
		/* RFC 7366 §2: with any CBC suite, always encrypt-then-MAC */
		if (e->tls12.etm_offered)
			ch.exts |= HS_EXT_ENCRYPT_THEN_MAC;
	}
	if (offers(e, TLS_VERSION_1_3)) {
		vers[nv++] = TLS_VERSION_1_3;
		if (offers(e, TLS_VERSION_1_2))
			vers[nv++] = TLS_VERSION_1_2;
		ch.exts |= HS_EXT_SUPPORTED_VERSIONS | HS_EXT_KEY_SHARE;
		ch.supported_versions = hs_u16_list(vers, nv, versions);
		TRY(key_share_list(e, shares, sizeof(shares), &ch.key_shares));
		if (e->params.cookie_len) {
			ch.exts |= HS_EXT_COOKIE;
			ch.cookie = (struct bytes){ e->params.cookie,
						    e->params.cookie_len };
		}
		/* §4.2.11: a ticket of an earlier session, as a PSK */
		TRY(hs13_client_offer_psk(e, &ch, psk_ids, sizeof(psk_ids),
					  psk_binders));
	}

	TRY(hs_client_hello_encode(&msg, &ch));
	TRY(hs13_client_bind_psk(e, &msg));
	return engine_send_msg(e, &msg);
}

static hs_step_fn on_server_hello, on_client_hello;

/* The first step of each role. */
enum { SERVER_HELLO, CLIENT_HELLO };
static const struct hs_step hello_steps[] = {
	[SERVER_HELLO] = { "ServerHello", HS_TYPE(TLS_HS_SERVER_HELLO),
			   on_server_hello },
	[CLIENT_HELLO] = { "ClientHello", HS_TYPE(TLS_HS_CLIENT_HELLO),
			   on_client_hello },
};

int engine_client_start(struct tls_engine *e)
{
	const struct tls_config *cfg = e->cfg;

	/*
	 * A chain proves nothing without the name it must be for: a client
	 * that verifies needs a server name (or an IP literal) to check.
	 */
	if (cfg->verify_peer && (!cfg->trust || !e->server_name[0]))
		return -EINVAL;
	if (RAND_bytes(e->params.client_random, HS_RANDOM_LEN) != 1)
		return -EIO;
	if (offers(e, TLS_VERSION_1_3)) {
		/* RFC 8446 §D.4: middlebox compatibility mode */
		e->params.session_id_len = HS_SESSION_ID_MAX;
		if (RAND_bytes(e->params.session_id, HS_SESSION_ID_MAX) != 1)
			return -EIO;
		if (!cfg->n_groups)
			return -EINVAL;
	}
	/* a TLS 1.2 session to resume: its ID in place of that one */
	if (offers(e, TLS_VERSION_1_2))
		TRY(hs12_client_offer_session(e));
	e->step = &hello_steps[SERVER_HELLO];
	/*
	 * Shares for our first two groups: X25519 and P-256 by default
	 * (§4.2.8: never two for one group).
	 */
	if (offers(e, TLS_VERSION_1_3))
		TRY(new_key_shares(e, cfg->groups[0],
				   cfg->n_groups > 1 &&
						   cfg->groups[1] != cfg->groups[0] ?
					   cfg->groups[1] : 0));
	TRY(send_client_hello(e));
	/* RFC 8446 §5.1: 0x0303 on every record after the first ClientHello */
	record_dir_plain(&e->record.tx, TLS_VERSION_1_2);
	/*
	 * RFC 8446 §5: a TLS 1.3 peer's CCS may come at any time after our
	 * first ClientHello, even before its ServerHello. Whether that was
	 * allowed is known once the ServerHello names the version.
	 */
	e->record.ccs_ignorable = offers(e, TLS_VERSION_1_3);
	return 0;
}

/* Did our ClientHello carry a share for group? */
static bool shared(const struct tls_engine *e, uint16_t group)
{
	return (e->params.kx && kx_key_group(e->params.kx) == group) ||
	       (e->params.kx_second &&
		kx_key_group(e->params.kx_second) == group);
}

/* §4.2.2: the cookie goes back in ClientHello2 as it came. */
static int keep_cookie(struct tls_engine *e, struct bytes cookie)
{
	free(e->params.cookie);
	e->params.cookie = NULL;
	e->params.cookie_len = 0;
	if (!cookie.len)
		return 0;
	e->params.cookie = malloc(cookie.len);
	if (!e->params.cookie)
		return engine_fail(e, -ENOMEM, TLS_ALERT_INTERNAL_ERROR,
				   "out of memory");
	memcpy(e->params.cookie, cookie.p, cookie.len);
	e->params.cookie_len = cookie.len;
	return 0;
}

/*
 * RFC 8446 §4.1.4: HelloRetryRequest, then a second ClientHello that
 * differs only as the HRR asks: one share for its key_share group, and its
 * cookie. An HRR with only a cookie keeps our shares as they were.
 */
static int client_retry(struct tls_engine *e, const struct server_hello *hrr,
			struct bytes whole)
{
	bool offered = false;

	/* §4.1.4: a second HelloRetryRequest is unexpected_message */
	if (e->params.got_hrr)
		return engine_unexpected(e, TLS_HS_SERVER_HELLO);
	e->params.got_hrr = true;
	/* §4.1.4: an HRR that would change nothing is illegal_parameter */
	if (!(hrr->exts & (HS_EXT_KEY_SHARE | HS_EXT_COOKIE)))
		return engine_fail(e, -EPROTO, TLS_ALERT_ILLEGAL_PARAMETER,
				   "HelloRetryRequest asks for no change");
	if (hrr->exts & HS_EXT_KEY_SHARE) {
		for (size_t i = 0; i < e->cfg->n_groups; i++)
			offered |= e->cfg->groups[i] == hrr->key_share_group;
		/* §4.2.8: the group must be offered and not already shared */
		if (!offered || shared(e, hrr->key_share_group))
			return engine_fail(e, -EPROTO,
					   TLS_ALERT_ILLEGAL_PARAMETER,
					   "HelloRetryRequest for an unusable group");
		TRY(new_key_shares(e, hrr->key_share_group, 0));
	}
	TRY(keep_cookie(e, hrr->cookie));
	/* §4.4.1: ClientHello1 becomes message_hash in the transcript */
	TRY(transcript_replace_with_hash(&e->transcript,
					 e->params.suite->hash));
	TRY(transcript_add(&e->transcript, whole.p, whole.len));
	/* §D.4: a CCS goes out before the second ClientHello */
	TRY(engine_send_ccs(e));
	e->record.ccs_ignorable = true;
	return send_client_hello(e);
}

static int on_server_hello(struct tls_engine *e, const struct hs_message *m)
{
	struct server_hello sh;
	const struct tls_suite *s;

	TRY(engine_decoded(e, hs_server_hello_decode(m->body, &sh),
			   "ServerHello"));

	/* RFC 8446 §D.5: legacy_version 0x0300 or lower is protocol_version */
	if (sh.legacy_version <= TLS_VERSION_SSL3)
		return engine_fail(e, -EPROTO, TLS_ALERT_PROTOCOL_VERSION,
				   "ServerHello legacy_version 0x%04x",
				   sh.legacy_version);
	/*
	 * RFC 8446 §4.2.1: a supported_versions naming a version we did
	 * not offer or one before TLS 1.3 is illegal_parameter.
	 */
	if ((sh.exts & HS_EXT_SUPPORTED_VERSIONS) &&
	    (sh.selected_version != TLS_VERSION_1_3 ||
	     !offers(e, TLS_VERSION_1_3)))
		return engine_fail(e, -EPROTO, TLS_ALERT_ILLEGAL_PARAMETER,
				   "server selected version 0x%04x",
				   sh.selected_version);
	/* RFC 8446 §4.2.1: supported_versions decides; else legacy_version */
	e->params.version = sh.exts & HS_EXT_SUPPORTED_VERSIONS ?
				    sh.selected_version :
				    sh.legacy_version;
	/*
	 * RFC 5246 §E.1: without supported_versions only TLS 1.2 can be
	 * chosen (we never offer older); any other is protocol_version.
	 */
	if (e->params.version != TLS_VERSION_1_3 &&
	    (e->params.version != TLS_VERSION_1_2 ||
	     !offers(e, TLS_VERSION_1_2)))
		return engine_fail(e, -EPROTO, TLS_ALERT_PROTOCOL_VERSION,
				   "server chose version 0x%04x",
				   e->params.version);
	if (!(sh.exts & HS_EXT_SUPPORTED_VERSIONS) &&
	    e->params.version == TLS_VERSION_1_3)
		return engine_fail(e, -EPROTO, TLS_ALERT_PROTOCOL_VERSION,
				   "TLS 1.3 chosen by legacy_version");
	/*
	 * RFC 5246 §7.1: in TLS 1.2 the server's CCS belongs just before its
	 * Finished; one that came ahead of the ServerHello was never allowed.
	 */
	if (e->params.version == TLS_VERSION_1_2) {
		if (e->record.ccs_ignored)
			return engine_fail(e, -EPROTO,
					   TLS_ALERT_UNEXPECTED_MESSAGE,
					   "ChangeCipherSpec before a TLS 1.2 ServerHello");
		e->record.ccs_ignorable = false;
	}
	/* §4.1.3: a TLS 1.2 answer to a TLS 1.3 offer must not say DOWNGRD */
	if (e->params.version == TLS_VERSION_1_2 &&
	    offers(e, TLS_VERSION_1_3) &&
	    !memcmp(sh.random + 24, tls13_downgrade_tls12, 8))
		return engine_fail(e, -EPROTO, TLS_ALERT_ILLEGAL_PARAMETER,
				   "downgrade to TLS 1.2 detected");
	s = tls_suite_by_id(sh.cipher_suite);
	/* RFC 8446 §4.1.3, RFC 5246 §7.4.1.3: one of the suites we offered */
	if (!s || s->version != e->params.version || !engine_suite_usable(e, s))
		return engine_fail(e, -EPROTO, TLS_ALERT_ILLEGAL_PARAMETER,
				   "server chose suite 0x%04x we did not offer",
				   sh.cipher_suite);
	if (e->params.got_hrr && s != e->params.suite)
		/* §4.1.4: ServerHello must repeat the HRR's suite */
		return engine_fail(e, -EPROTO, TLS_ALERT_ILLEGAL_PARAMETER,
				   "suite changed after HelloRetryRequest");
	e->params.suite = s;
	if (sh.compression != 0)
		return engine_fail(e, -EPROTO, TLS_ALERT_ILLEGAL_PARAMETER,
				   "server chose compression %u",
				   sh.compression);
	if (e->params.version == TLS_VERSION_1_3 &&
	    (sh.session_id.len != e->params.session_id_len ||
	     memcmp(sh.session_id.p, e->params.session_id,
		    e->params.session_id_len)))
		/* §4.1.3: legacy_session_id_echo */
		return engine_fail(e, -EPROTO, TLS_ALERT_ILLEGAL_PARAMETER,
				   "session id not echoed");
	memcpy(e->params.server_random, sh.random, HS_RANDOM_LEN);
	if (sh.is_hrr) {
		if (e->params.version != TLS_VERSION_1_3)
			return engine_fail(e, -EPROTO,
					   TLS_ALERT_ILLEGAL_PARAMETER,
					   "HelloRetryRequest for TLS 1.2");
		return client_retry(e, &sh, m->whole);
	}
	TRY(transcript_add(&e->transcript, m->whole.p, m->whole.len));
	if (e->params.version == TLS_VERSION_1_3)
		return hs13_client_after_server_hello(e, &sh);
	return hs12_client_after_server_hello(e, &sh);
}

/* Server: which version to speak (RFC 8446 §4.2.1, RFC 5246 §E.1). */
static int choose_version(struct tls_engine *e, const struct client_hello *ch)
{
	bool client_13 = false, client_12 = false;

	if (ch->exts & HS_EXT_SUPPORTED_VERSIONS) {
		client_13 = hs_u16_list_has(ch->supported_versions,
					    TLS_VERSION_1_3);
		client_12 = hs_u16_list_has(ch->supported_versions,
					    TLS_VERSION_1_2);
	} else {
		client_12 = ch->legacy_version >= TLS_VERSION_1_2;
	}
	if (client_13 && offers(e, TLS_VERSION_1_3))
		e->params.version = TLS_VERSION_1_3;
	else if (client_12 && offers(e, TLS_VERSION_1_2))
		e->params.version = TLS_VERSION_1_2;
	else
		return engine_fail(e, -EPROTO, TLS_ALERT_PROTOCOL_VERSION,
				   "no common protocol version");
	/* RFC 7507 §3: a fallback connection while we could do better */
	if (hs_u16_list_has(ch->cipher_suites, TLS_FALLBACK_SCSV) &&
	    e->params.version < e->cfg->max_version)
		return engine_fail(e, -EPROTO,
				   TLS_ALERT_INAPPROPRIATE_FALLBACK,
				   "fallback from a higher version");
	return 0;
}

static int on_client_hello(struct tls_engine *e, const struct hs_message *m)
{
	struct client_hello ch;

	TRY(engine_decoded(e, hs_client_hello_decode(m->body, &ch),
			   "ClientHello"));
	/*
	 * RFC 8446 §D.5: legacy_version 0x0300 (SSL 3.0) or lower is
	 * protocol_version, whatever supported_versions says.
	 */
	if (ch.legacy_version <= TLS_VERSION_SSL3)
		return engine_fail(e, -EPROTO, TLS_ALERT_PROTOCOL_VERSION,
				   "ClientHello legacy_version 0x%04x",
				   ch.legacy_version);
	if (e->params.sent_hrr)
		/* The second ClientHello keeps the version already chosen. */
		return hs13_server_respond(e, &ch, m->whole);
	TRY(choose_version(e, &ch));
	/* RFC 8446 §4.1.2 / RFC 5246 §7.4.1.2: null compression offered */
	if (!hs_u8_list_has(ch.compression, 0) ||
	    (e->params.version == TLS_VERSION_1_3 && ch.compression.len != 1))
		return engine_fail(e, -EPROTO, TLS_ALERT_ILLEGAL_PARAMETER,
				   "ClientHello without null compression");
	memcpy(e->params.client_random, ch.random, HS_RANDOM_LEN);
	if (RAND_bytes(e->params.server_random, HS_RANDOM_LEN) != 1)
		return engine_fail(e, -EIO, TLS_ALERT_INTERNAL_ERROR,
				   "no randomness");
	/* RFC 8446 §4.1.3: a TLS 1.3 server answering 1.2 says so */
	if (e->params.version == TLS_VERSION_1_2 && offers(e, TLS_VERSION_1_3))
		memcpy(e->params.server_random + 24, tls13_downgrade_tls12, 8);
	if (e->params.version == TLS_VERSION_1_3)
		return hs13_server_respond(e, &ch, m->whole);
	TRY(transcript_add(&e->transcript, m->whole.p, m->whole.len));
	return hs12_server_respond(e, &ch);
}

int engine_server_start(struct tls_engine *e)
{
	if (!e->cfg->chain || !e->cfg->key)
		return -EINVAL;
	if (e->cfg->client_auth != TLS_CLIENT_AUTH_NONE && !e->cfg->trust)
		return -EINVAL;
	return engine_next(e, &hello_steps[CLIENT_HELLO]);
}

/* Server, after a HelloRetryRequest: the next message is ClientHello2. */
void engine_expect_second_client_hello(struct tls_engine *e)
{
	e->step = &hello_steps[CLIENT_HELLO];
}
