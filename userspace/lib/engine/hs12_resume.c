// SPDX-License-Identifier: MIT
/*
 * TLS 1.2 server session resumption: session IDs (RFC 5246 §7.3, a
 * session_cache) and tickets (RFC 5077), for sessions with the extended
 * master secret only (RFC 7627 §5.3).
 *
 *   full:        ClientHello [empty SessionTicket]
 *                  ─► ServerHello(session_id, [SessionTicket]) ... Done
 *                ◄─ ... CCS Finished
 *                  ─► [NewSessionTicket] CCS Finished
 *   abbreviated: ClientHello(session_id | SessionTicket(ticket))
 *                  ─► ServerHello(the client's session_id) CCS Finished
 *                ◄─ CCS Finished
 *
 * A session keeps encrypt_then_mac as it was negotiated (RFC 7366 §3.1):
 * a client that offers a session but not the same gets a full handshake.
 * A session without EMS is neither cached nor given a ticket, and a client
 * that offers a session but not EMS gets a full handshake: RFC 7627 §5.3
 * forbids resuming either way round, and a master secret not bound to its
 * handshake is what the triple handshake attack resumes. Any session we
 * cannot use (unknown, expired, another profile, a suite the client no
 * longer offers, a client certificate the profile requires but the session
 * lacks) also gives a full handshake. A resumed session keeps its original
 * expiry: no new ticket is issued on an abbreviated handshake.
 */
#include <errno.h>
#include <string.h>

#include <openssl/rand.h>

#include "engine/engine_priv.h"
#include "engine/hs12.h"
#include "resume/session_cache.h"
#include "resume/ticket.h"

/* The session offered: the ticket's if there is one, else the ID's. */
static int find_session(struct tls_engine *e, const struct client_hello *ch,
			uint64_t now, struct ticket_state *st)
{
	const struct tls_config *cfg = e->cfg;
	int err;

	/* RFC 5077 §3.4: a ticket is tried first; a bad one, then the ID */
	if (cfg->tickets && (ch->exts & HS_EXT_SESSION_TICKET) &&
	    ch->session_ticket.len) {
		err = ticket_state_open(cfg->tickets, ch->session_ticket.p,
					ch->session_ticket.len,
					cfg->session_context, now, st);
		if (err != -ENOENT)
			return err;
	}
	if (cfg->session_cache && ch->session_id.len)
		return session_cache_get(cfg->session_cache, ch->session_id.p,
					 ch->session_id.len,
					 cfg->session_context, now, st);
	return -ENOENT;
}

/* May st resume this handshake? */
static bool session_fits(struct tls_engine *e, const struct client_hello *ch,
			 const struct ticket_state *st)
{
	const struct tls_suite *s = tls_suite_by_id(st->cipher_suite);

	if (st->version != TLS_VERSION_1_2 || !s || !engine_suite_usable(e, s))
		return false;
	/* RFC 5246 §7.4.1.2: the session's suite is among the offered */
	if (!hs_u16_list_has(ch->cipher_suites, s->id))
		return false;
	/* RFC 7627 §5.3: EMS then and now */
	if (!st->ems || !e->tls12.ems)
		return false;
	/*
	 * RFC 7366 §3.1: the record protection the session had. A client
	 * that no longer offers encrypt_then_mac for an EtM session (or now
	 * offers it for a MAC-then-encrypt one) gets a full handshake, and
	 * a new session negotiated in the open, never a changed old one.
	 */
	if (st->etm != (e->tls12.etm_offered && tls_suite_is_cbc(s)))
		return false;
	/* no CertificateRequest in an abbreviated handshake */
	if (e->cfg->client_auth == TLS_CLIENT_AUTH_REQUIRED &&
	    !st->peer_verified)
		return false;
	return true;
}

int hs12_server_try_resume(struct tls_engine *e, const struct client_hello *ch,
			   struct secret *master)
{
	struct ticket_state st;
	int err;

	err = find_session(e, ch, engine_now_ms(e), &st);
	if (err == -ENOENT)
		return 0;
	if (err)
		return engine_fail(e, err, TLS_ALERT_INTERNAL_ERROR,
				   "cannot open the session");
	if (session_fits(e, ch, &st)) {
		e->params.suite = tls_suite_by_id(st.cipher_suite);
		e->params.group = 0; /* no key exchange in this handshake */
		snprintf(e->result.peer_subject,
			 sizeof(e->result.peer_subject), "%s",
			 st.peer_subject);
		e->result.peer_verified = st.peer_verified;
		err = secret_set(master, st.secret.bytes, st.secret.len);
		e->resume.resumed = !err;
		/* RFC 5246 §7.4.1.3, RFC 5077 §3.4: echo the client's ID */
		memcpy(e->params.session_id, ch->session_id.p,
		       ch->session_id.len);
		e->params.session_id_len = ch->session_id.len;
	}
	ticket_state_wipe(&st);
	return err;
}

int hs12_server_new_session(struct tls_engine *e, const struct client_hello *ch)
{
	/* RFC 7627 §5.3: only EMS sessions are worth keeping */
	if (!e->tls12.ems)
		return 0;
	e->tls12.ticket_ext = e->cfg->tickets &&
			      (ch->exts & HS_EXT_SESSION_TICKET);
	if (!e->cfg->session_cache)
		return 0;
	/* RFC 5246 §7.4.1.3: an ID of ours names the session */
	e->params.session_id_len = HS_SESSION_ID_MAX;
	if (RAND_bytes(e->params.session_id, HS_SESSION_ID_MAX) != 1)
		return engine_fail(e, -EIO, TLS_ALERT_INTERNAL_ERROR,
				   "no randomness");
	return 0;
}

/* The session as it ends a full handshake. */
static void session_state(const struct tls_engine *e, struct ticket_state *st)
{
	memset(st, 0, sizeof(*st));
	st->version = TLS_VERSION_1_2;
	st->cipher_suite = e->params.suite->id;
	memcpy(st->context, e->cfg->session_context, TICKET_CONTEXT_LEN);
	st->created_ms = engine_now_ms(e);
	st->lifetime_s = e->cfg->ticket_lifetime;
	st->ems = e->tls12.ems;
	st->etm = e->tls12.etm;
	st->peer_verified = e->result.peer_verified;
	snprintf(st->peer_subject, sizeof(st->peer_subject), "%s",
		 e->result.peer_subject);
	st->secret = e->tls12.master;
}

int hs12_server_keep_session(struct tls_engine *e)
{
	struct ticket_state st;
	struct new_session_ticket nst = { 0 };
	uint8_t ticket[TICKET_MAX];
	size_t len = 0;
	int err = 0;
	WRITER_SCOPED(msg, TICKET_MAX + 64);

	if (e->resume.resumed || (!e->tls12.ticket_ext &&
				  !e->params.session_id_len))
		return 0;
	session_state(e, &st);
	if (e->params.session_id_len)
		err = session_cache_put(e->cfg->session_cache,
					e->params.session_id,
					e->params.session_id_len, &st);
	if (!err && e->tls12.ticket_ext)
		err = ticket_state_seal(e->cfg->tickets, &st, ticket,
					sizeof(ticket), &len);
	nst.lifetime = st.lifetime_s;
	ticket_state_wipe(&st);
	if (err)
		return engine_fail(e, err, TLS_ALERT_INTERNAL_ERROR,
				   "cannot keep the session");
	if (!e->tls12.ticket_ext)
		return 0;
	/* RFC 5077 §3.3: in the transcript, before our CCS */
	nst.ticket = (struct bytes){ ticket, len };
	TRY(hs_new_session_ticket_encode(&msg, TLS_VERSION_1_2, &nst));
	return engine_send_msg(e, &msg);
}
