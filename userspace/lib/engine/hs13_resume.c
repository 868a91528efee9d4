// SPDX-License-Identifier: MIT
/*
 * TLS 1.3 server session resumption (RFC 8446 §2.2, §4.2.11, §4.6.1):
 *
 *   full handshake ... ◄─ {Finished}
 *                      ─► [NewSessionTicket]   (ticket = sealed PSK, ticket.h)
 *   ClientHello + key_share + pre_shared_key(ticket, binder)
 *                      ─► ServerHello + key_share + pre_shared_key
 *                         {EncryptedExtensions} {Finished}
 *                      ◄─ {Finished}
 *
 * Only psk_dhe_ke (§4.2.9): every resumed session runs a fresh (EC)DHE, so
 * a stolen ticket key does not open the traffic of a resumed session. No
 * early data is ever accepted (§4.2.10): hs13_server.c skips it. Any
 * ticket we cannot use (unknown key, tampered, expired, another profile,
 * another hash, a client certificate the profile requires but the ticket
 * lacks, an age off by more than the window) leaves a full handshake; a
 * binder that does not verify is fatal (§4.2.11).
 */
#include <errno.h>
#include <string.h>

#include <openssl/rand.h>

#include "crypto/tls13_keysched.h"
#include "engine/engine_priv.h"
#include "engine/hs13.h"
#include "resume/ticket.h"

_Static_assert(sizeof(((struct tls_config *)0)->session_context) ==
		       TICKET_CONTEXT_LEN,
	       "the profile context is what a ticket carries");

/* Identities looked at, in the client's order (§4.2.11: its preference). */
#define PSK_IDENTITIES_MAX 4
/*
 * §8.3: how far the client's view of a ticket's age may be from ours.
 * With no 0-RTT nothing is replayable; the check still refuses tickets
 * replayed long after a client used them. 10 s covers round trips and
 * fleet clocks kept by NTP.
 */
#define TICKET_AGE_WINDOW_MS 10000

/* §4.2.9: psk_ke = 0, psk_dhe_ke = 1 */
#define PSK_DHE_KE 1

/* The binder'th PskBinderEntry of a binders body, or -ENOENT. */
static int binder_at(struct bytes binders, size_t index, struct bytes *out)
{
	struct reader r;
	struct reader entry;

	reader_init(&r, binders.p, binders.len);
	for (size_t i = 0; i <= index; i++) {
		if (reader_done(&r))
			return -ENOENT;
		TRY(reader_vector(&r, 1, 32, 255, &entry));
	}
	*out = (struct bytes){ entry.data, entry.len };
	return 0;
}

/*
 * §4.2.11.2: the binder is a Finished over the transcript up to the
 * ClientHello without its binders (after an HRR, what precedes it too),
 * keyed from the early secret's "res binder" secret.
 */
static int binder_verify(struct tls_engine *e, const struct secret *psk,
			 const struct client_hello *ch, struct bytes ch_whole,
			 struct bytes binder)
{
	SECRET_SCOPED struct secret expected = { 0 };
	/* the 2-byte length and the binders end the message (hs_msg.h) */
	size_t partial = ch_whole.len - 2 - ch->psk_binders.len;

	TRY(hs13_psk_binder(e, e->params.suite->hash, psk, ch_whole.p, partial,
			    &expected));
	/* §4.2.11: constant time, and fatal: the client holds a wrong PSK */
	if (!secret_equals(&expected, binder.p, binder.len))
		return engine_fail(e, -EPROTO, TLS_ALERT_DECRYPT_ERROR,
				   "PSK binder does not verify");
	return 0;
}

/* Can this ticket resume this handshake? (The ticket layer checked the
 * profile and the lifetime.) */
static bool ticket_fits(struct tls_engine *e, const struct ticket_state *st,
			uint32_t obfuscated_age, uint64_t now_ms)
{
	const struct tls_suite *s = tls_suite_by_id(st->cipher_suite);
	uint32_t client_age = obfuscated_age - st->age_add; /* mod 2^32 */
	uint64_t our_age = now_ms - st->created_ms;
	uint64_t skew = client_age > our_age ? client_age - our_age :
					       our_age - client_age;

	if (st->version != TLS_VERSION_1_3 || !s)
		return false;
	/* §4.2.11: the PSK's hash is the suite's */
	if (s->hash != e->params.suite->hash)
		return false;
	/* §4.2.11.1: the age the client saw is close to ours */
	if (skew > TICKET_AGE_WINDOW_MS)
		return false;
	/* §4.3.2: no CertificateRequest now: the ticket must vouch */
	if (e->cfg->client_auth == TLS_CLIENT_AUTH_REQUIRED &&
	    !st->peer_verified)
		return false;
	return true;
}

/* The peer the ticket was issued to becomes this session's peer. */
static void take_peer(struct tls_engine *e, const struct ticket_state *st)
{
	snprintf(e->result.peer_subject, sizeof(e->result.peer_subject), "%s",
		 st->peer_subject);
	e->result.peer_verified = st->peer_verified;
}

int hs13_server_try_psk(struct tls_engine *e, const struct client_hello *ch,
			struct bytes ch_whole)
{
	struct ticket_state st;
	struct bytes id, binder;
	uint32_t age;
	uint64_t now;
	struct reader r;
	int err = 0;

	e->resume.client_dhe_ke = (ch->exts & HS_EXT_PSK_KEY_EXCHANGE_MODES) &&
				  hs_u8_list_has(ch->psk_modes, PSK_DHE_KE);
	if (!(ch->exts & HS_EXT_PRE_SHARED_KEY))
		return 0;
	/* §4.2.9: a PSK offered without modes is missing_extension */
	if (!(ch->exts & HS_EXT_PSK_KEY_EXCHANGE_MODES))
		return engine_fail(e, -EPROTO, TLS_ALERT_MISSING_EXTENSION,
				   "pre_shared_key without psk_key_exchange_modes");
	/* never psk_ke: a resumed session without (EC)DHE */
	if (!e->cfg->tickets || !e->resume.client_dhe_ke)
		return 0;
	now = engine_now_ms(e);
	reader_init(&r, ch->psk_identities.p, ch->psk_identities.len);
	for (uint16_t i = 0; i < PSK_IDENTITIES_MAX; i++) {
		err = hs_psk_identity_next(&r, &id, &age);
		if (err)
			break;
		err = ticket_state_open(e->cfg->tickets, id.p, id.len,
					e->cfg->session_context, now, &st);
		if (err == -ENOENT)
			continue;
		if (err)
			break;
		if (!ticket_fits(e, &st, age, now)) {
			ticket_state_wipe(&st);
			continue;
		}
		/* §4.2.11: one binder per identity, in the same order */
		if (binder_at(ch->psk_binders, i, &binder)) {
			ticket_state_wipe(&st);
			return engine_fail(e, -EPROTO,
					   TLS_ALERT_ILLEGAL_PARAMETER,
					   "no binder for PSK identity %u", i);
		}
		err = binder_verify(e, &st.secret, ch, ch_whole, binder);
		if (!err) {
			take_peer(e, &st);
			err = secret_set(&e->resume.psk, st.secret.bytes,
					 st.secret.len);
		}
		ticket_state_wipe(&st);
		TRY(err);
		e->resume.resumed = true;
		e->resume.identity = i;
		return 0;
	}
	/* the codec checked the list: its end, or libcrypto failing */
	return err == -ENOENT || !err ? 0 : err;
}

/* §4.6.1: the ticket's PSK, from the master of the whole handshake. */
static int ticket_psk(struct tls_engine *e, const uint8_t *nonce,
		      size_t nonce_len, struct secret *psk)
{
	SECRET_SCOPED struct secret res_master = { 0 };

	TRY(hs13_resumption_master(e, &res_master));
	return tls13_ticket_psk(e->params.suite->hash, &res_master, nonce,
				nonce_len, psk);
}

int hs13_server_send_ticket(struct tls_engine *e)
{
	static const uint8_t nonce[1] = { 0 }; /* one ticket per connection */
	struct ticket_state st = {
		.version = TLS_VERSION_1_3,
		.cipher_suite = e->params.suite->id,
		.created_ms = engine_now_ms(e),
		.lifetime_s = e->cfg->ticket_lifetime,
		.peer_verified = e->result.peer_verified,
	};
	struct new_session_ticket nst = { 0 };
	uint8_t ticket[TICKET_MAX];
	size_t len;
	int err;
	WRITER_SCOPED(msg, TICKET_MAX + 64);

	if (!e->cfg->tickets || !e->resume.client_dhe_ke)
		return 0;
	memcpy(st.context, e->cfg->session_context, TICKET_CONTEXT_LEN);
	snprintf(st.peer_subject, sizeof(st.peer_subject), "%s",
		 e->result.peer_subject);
	/* §4.6.1: a fresh age_add per ticket */
	err = RAND_bytes((uint8_t *)&st.age_add, sizeof(st.age_add)) == 1 ?
		      0 : -EIO;
	if (!err)
		err = ticket_psk(e, nonce, sizeof(nonce), &st.secret);
	if (!err)
		err = ticket_state_seal(e->cfg->tickets, &st, ticket,
					sizeof(ticket), &len);
	nst.lifetime = st.lifetime_s;
	nst.age_add = st.age_add;
	ticket_state_wipe(&st);
	TRY(err);
	nst.nonce = (struct bytes){ nonce, sizeof(nonce) };
	nst.ticket = (struct bytes){ ticket, len };
	TRY(hs_new_session_ticket_encode(&msg, TLS_VERSION_1_3, &nst));
	return engine_send_post_handshake(e, &msg);
}
