// SPDX-License-Identifier: MIT
/*
 * TLS 1.3 client session resumption (RFC 8446 §2.2, §4.2.9, §4.2.11):
 *
 *   ClientHello + key_share + psk_key_exchange_modes(psk_dhe_ke)
 *               + pre_shared_key(ticket, obfuscated age, binder)
 *     ─► ServerHello + key_share + pre_shared_key(0)
 *        {EncryptedExtensions} {Finished}     (no certificate: §2.2)
 *     ◄─ {Finished}
 *
 * One ticket is offered, the session's (resume/session.h), and only with
 * psk_dhe_ke: a fresh (EC)DHE runs every time. No early data is ever sent.
 * A server that ignores the PSK gets a full handshake, its certificate
 * verified as always. A server that picks it must pick identity 0 and a
 * suite of the ticket's hash (§4.2.11, illegal_parameter otherwise); the
 * resumed session's peer is the one the original handshake verified, as
 * the session carries it.
 */
#include <errno.h>
#include <string.h>

#include "engine/engine_priv.h"
#include "engine/hs13.h"

/* §4.2.9: psk_ke = 0, psk_dhe_ke = 1 */
static const uint8_t psk_dhe_ke = 1;

static const struct tls_suite *offer_suite(const struct tls_engine *e)
{
	return tls_suite_by_id(e->resume.offer.st.cipher_suite);
}

/* Is the session still one to offer in this ClientHello? */
static bool offer_fits(const struct tls_engine *e)
{
	const struct tls_session *s = &e->resume.offer;
	const struct tls_suite *suite = offer_suite(e);

	if (!s->ticket_len || s->st.version != TLS_VERSION_1_3 || !suite ||
	    suite->version != TLS_VERSION_1_3 ||
	    !engine_suite_usable(e, suite) ||
	    !tls_session_usable(s, engine_now_ms(e)))
		return false;
	/* A profile that verifies resumes only what it verified. */
	if (e->cfg->verify_peer && !s->st.peer_verified)
		return false;
	/* §4.1.4: after an HRR, only PSKs of the chosen suite's hash */
	if (e->params.got_hrr && suite->hash != e->params.suite->hash)
		return false;
	return true;
}

int hs13_client_offer_psk(struct tls_engine *e, struct client_hello *ch,
			  uint8_t *ids, size_t ids_cap, uint8_t *binders)
{
	const struct tls_session *s = &e->resume.offer;
	uint32_t age;
	size_t hlen;

	/* §4.2.9: the mode also tells a server it may send tickets */
	if (e->resume.keep || s->ticket_len) {
		ch->exts |= HS_EXT_PSK_KEY_EXCHANGE_MODES;
		ch->psk_modes = (struct bytes){ &psk_dhe_ke, 1 };
	}
	e->resume.offering = offer_fits(e);
	if (!e->resume.offering)
		return 0;
	hlen = tls_hash_len(offer_suite(e)->hash);
	/* §4.2.11: PskIdentity { identity<1..2^16-1>; obfuscated_ticket_age } */
	if (s->ticket_len + 6 > ids_cap || s->ticket_len > 0xffff)
		return -EINVAL;
	age = tls_session_obfuscated_age(s, engine_now_ms(e));
	ids[0] = (uint8_t)(s->ticket_len >> 8);
	ids[1] = (uint8_t)s->ticket_len;
	memcpy(ids + 2, s->ticket, s->ticket_len);
	for (int i = 0; i < 4; i++)
		ids[2 + s->ticket_len + i] = (uint8_t)(age >> (24 - 8 * i));
	ch->psk_identities = (struct bytes){ ids, s->ticket_len + 6 };
	/* PskBinderEntry<32..255>: zeros until bind_psk */
	binders[0] = (uint8_t)hlen;
	memset(binders + 1, 0, hlen);
	ch->psk_binders = (struct bytes){ binders, 1 + hlen };
	ch->exts |= HS_EXT_PRE_SHARED_KEY;
	return 0;
}

int hs13_client_bind_psk(struct tls_engine *e, struct writer *msg)
{
	SECRET_SCOPED struct secret binder = { 0 };
	enum tls_hash hash;
	size_t hlen;

	if (!e->resume.offering)
		return 0;
	TRY(writer_error(msg));
	hash = offer_suite(e)->hash;
	hlen = tls_hash_len(hash);
	/* the binders (2-byte length, 1-byte length, binder) end it */
	if (msg->len < 4 + 3 + hlen)
		return -EINVAL;
	/* §4.2.11.2: over the transcript and the ClientHello up to them */
	TRY(hs13_psk_binder(e, hash, &e->resume.offer.st.secret, msg->data,
			    msg->len - 3 - hlen, &binder));
	memcpy(msg->data + msg->len - hlen, binder.bytes, hlen);
	return 0;
}

int hs13_client_psk_accepted(struct tls_engine *e,
			     const struct server_hello *sh)
{
	const struct ticket_state *st = &e->resume.offer.st;

	if (!(sh->exts & HS_EXT_PRE_SHARED_KEY))
		return 0;	/* a full handshake */
	/* §4.2: the extension answers only an offer */
	if (!e->resume.offering)
		return engine_fail(e, -EPROTO, TLS_ALERT_UNSUPPORTED_EXTENSION,
				   "pre_shared_key we did not offer");
	/* §4.2.11: within the identities offered (we offer one) */
	if (sh->psk_identity != 0)
		return engine_fail(e, -EPROTO, TLS_ALERT_ILLEGAL_PARAMETER,
				   "server selected PSK identity %u of 1",
				   sh->psk_identity);
	/* §4.2.11: a suite of the PSK's hash */
	if (e->params.suite->hash != offer_suite(e)->hash)
		return engine_fail(e, -EPROTO, TLS_ALERT_ILLEGAL_PARAMETER,
				   "server resumed with a suite of another hash");
	/* §4.2.11: psk_dhe_ke, the only mode offered, needs its key_share */
	if (!(sh->exts & HS_EXT_KEY_SHARE))
		return engine_fail(e, -EPROTO, TLS_ALERT_ILLEGAL_PARAMETER,
				   "PSK without the key_share psk_dhe_ke needs");
	TRY(secret_set(&e->resume.psk, st->secret.bytes, st->secret.len));
	/* §2.2: no certificate now; the session's peer was verified then */
	snprintf(e->result.peer_subject, sizeof(e->result.peer_subject), "%s",
		 st->peer_subject);
	e->result.peer_verified = st->peer_verified;
	e->resume.resumed = true;
	return 0;
}

int hs13_client_keep_session(struct tls_engine *e)
{
	struct tls_session *s = &e->result.session;

	if (!e->resume.keep)
		return 0;
	tls_session_wipe(s);
	s->st.version = TLS_VERSION_1_3;
	s->st.cipher_suite = e->params.suite->id;
	s->st.peer_verified = e->result.peer_verified;
	snprintf(s->st.peer_subject, sizeof(s->st.peer_subject), "%s",
		 e->result.peer_subject);
	/* §7.1: the transcript now ends with our Finished */
	TRY(hs13_resumption_master(e, &s->st.secret));
	e->result.session_pending = true;
	return 0;
}
