// SPDX-License-Identifier: MIT
/*
 * TLS 1.2 client session resumption: session IDs (RFC 5246 §7.3) and
 * tickets (RFC 5077), for sessions with the extended master secret only
 * (RFC 7627 §5.3).
 *
 *   full:        ClientHello(SessionTicket empty)
 *                  ─► ServerHello(session_id, [SessionTicket]) ... Done
 *                ◄─ ... CCS Finished
 *                  ─► [NewSessionTicket] CCS Finished    session kept
 *   abbreviated: ClientHello(session_id, [SessionTicket(ticket)])
 *                  ─► ServerHello(our session_id)
 *                     [NewSessionTicket] CCS Finished     (§7.3: first)
 *                ◄─ CCS Finished                         session kept
 *
 * The session offered is the one a full handshake kept: its session ID,
 * or beside a ticket alone an ID of our own, which a server that accepts
 * the ticket echoes (RFC 5077 §3.4): the echo is how we know it resumed.
 * A server that does not resume gives a full handshake, its certificate
 * verified as always, and a new session to keep. A server that resumes
 * must keep the session's suite (RFC 5246 §7.4.1.3, illegal_parameter),
 * the extended master secret (RFC 7627 §5.3, handshake_failure) and, for
 * a CBC suite, encrypt_then_mac as the session had it (RFC 7366 §3.1,
 * handshake_failure). A session without EMS is never kept, so never
 * offered. A new ticket on the abbreviated handshake replaces the
 * session's.
 */
#include <errno.h>
#include <string.h>

#include <openssl/rand.h>

#include "engine/engine_priv.h"
#include "engine/hs12.h"

_Static_assert(TLS_SESSION_ID_MAX == HS_SESSION_ID_MAX,
	       "a kept session ID fits the ClientHello's");

/* RFC 5246 §F.1.4: a session ID is suggested to live a day at most. */
#define SESSION_LIFETIME_DEFAULT (24 * 3600)

/* Is the session still one to offer in this ClientHello? */
static bool offer_fits(const struct tls_engine *e)
{
	const struct tls_session *s = &e->resume.offer;
	const struct tls_suite *suite = tls_suite_by_id(s->st.cipher_suite);

	if (s->st.version != TLS_VERSION_1_2 || !suite ||
	    suite->version != TLS_VERSION_1_2 ||
	    !engine_suite_usable(e, suite) ||
	    !tls_session_usable(s, engine_now_ms(e)))
		return false;
	/* RFC 7627 §5.3: only a session with the extended master secret */
	if (!s->st.ems)
		return false;
	/* A profile that verifies resumes only what it verified. */
	return !e->cfg->verify_peer || s->st.peer_verified;
}

int hs12_client_offer_session(struct tls_engine *e)
{
	const struct tls_session *s = &e->resume.offer;

	e->resume.offering12 = offer_fits(e);
	if (!e->resume.offering12)
		return 0;
	if (s->session_id_len) {
		/* RFC 5246 §7.4.1.2; RFC 8446 §4.1.2 when offering 1.3 too */
		memcpy(e->params.session_id, s->session_id, s->session_id_len);
		e->params.session_id_len = s->session_id_len;
		return 0;
	}
	/* RFC 5077 §3.4: an ID the server echoes if it takes the ticket */
	e->params.session_id_len = HS_SESSION_ID_MAX;
	if (RAND_bytes(e->params.session_id, HS_SESSION_ID_MAX) != 1)
		return -EIO;
	return 0;
}

void hs12_client_offer_ticket(struct tls_engine *e, struct client_hello *ch)
{
	const struct tls_session *s = &e->resume.offer;

	/* RFC 5077 §3.2: the ticket, or empty to ask for one */
	if (e->resume.offering12)
		ch->session_ticket = (struct bytes){ s->ticket, s->ticket_len };
}

/* RFC 5246 §7.4.1.3: the server resumes by echoing the ID we sent. */
static bool echoes_offer(const struct tls_engine *e,
			 const struct server_hello *sh)
{
	return e->resume.offering12 &&
	       sh->session_id.len == e->params.session_id_len &&
	       !memcmp(sh->session_id.p, e->params.session_id,
		       e->params.session_id_len);
}

int hs12_client_on_server_hello(struct tls_engine *e,
				const struct server_hello *sh)
{
	const struct tls_session *offer = &e->resume.offer;
	struct tls_session *kept = &e->result.session;

	tls_session_wipe(kept);
	if (!echoes_offer(e, sh)) {
		/* a full handshake: the ID of the new session, if any */
		memcpy(kept->session_id, sh->session_id.p, sh->session_id.len);
		kept->session_id_len = sh->session_id.len;
		return 0;
	}
	/* RFC 5246 §7.4.1.3: a resumed session keeps its cipher suite */
	if (e->params.suite->id != offer->st.cipher_suite)
		return engine_fail(e, -EPROTO, TLS_ALERT_ILLEGAL_PARAMETER,
				   "server resumed the session with suite "
				   "0x%04x, not its 0x%04x",
				   e->params.suite->id,
				   offer->st.cipher_suite);
	/* RFC 7627 §5.3: a session with EMS resumes only with EMS */
	if (!e->tls12.ems)
		return engine_fail(e, -EPROTO, TLS_ALERT_HANDSHAKE_FAILURE,
				   "server resumed the session without the "
				   "extended master secret");
	/*
	 * RFC 7366 §3.1: a session keeps its record protection; we never
	 * let a server resume an encrypt-then-MAC session as
	 * MAC-then-encrypt (nor the other way: the session was not made so).
	 */
	if (e->tls12.etm != offer->st.etm)
		return engine_fail(e, -EPROTO, TLS_ALERT_HANDSHAKE_FAILURE,
				   "server resumed the session %s "
				   "encrypt_then_mac",
				   offer->st.etm ? "without" : "with");
	*kept = *offer;
	/* no certificate now: the session's peer was verified then */
	snprintf(e->result.peer_subject, sizeof(e->result.peer_subject), "%s",
		 offer->st.peer_subject);
	e->result.peer_verified = offer->st.peer_verified;
	e->params.group = 0; /* no key exchange in this handshake */
	e->resume.resumed = true;
	return hs12_resume_keys(e, &offer->st.secret);
}

/*
 * RFC 5077 §3.3: the server's lifetime hint (0: none), within 7 days;
 * else the profile's ticket_lifetime, or a day.
 */
static uint32_t lifetime(const struct tls_engine *e, uint32_t hint)
{
	if (hint)
		return hint < TICKET_LIFETIME_MAX ? hint : TICKET_LIFETIME_MAX;
	return e->cfg->ticket_lifetime ? e->cfg->ticket_lifetime :
					 SESSION_LIFETIME_DEFAULT;
}

void hs12_client_take_ticket(struct tls_engine *e,
			     const struct new_session_ticket *nst)
{
	struct tls_session *kept = &e->result.session;

	/* RFC 5077 §3.3: an empty ticket: none issued, the old one stays */
	if (!nst->ticket.len)
		return;
	/* a new ticket replaces the old; one too long to keep leaves none */
	kept->ticket_len = 0;
	if (nst->ticket.len > TLS_SESSION_TICKET_MAX)
		return;
	memcpy(kept->ticket, nst->ticket.p, nst->ticket.len);
	kept->ticket_len = nst->ticket.len;
	kept->st.created_ms = engine_now_ms(e);
	kept->st.lifetime_s = lifetime(e, nst->lifetime);
}

/* A full handshake's session: what it negotiated and verified. */
static int new_session(struct tls_engine *e, struct tls_session *kept)
{
	kept->st.version = TLS_VERSION_1_2;
	kept->st.cipher_suite = e->params.suite->id;
	kept->st.ems = e->tls12.ems;
	kept->st.etm = e->tls12.etm;
	kept->st.peer_verified = e->result.peer_verified;
	snprintf(kept->st.peer_subject, sizeof(kept->st.peer_subject), "%s",
		 e->result.peer_subject);
	if (!kept->ticket_len) {
		kept->st.created_ms = engine_now_ms(e);
		kept->st.lifetime_s = lifetime(e, 0);
	}
	return secret_set(&kept->st.secret, e->tls12.master.bytes,
			  e->tls12.master.len);
}

int hs12_client_keep_session(struct tls_engine *e)
{
	struct tls_session *kept = &e->result.session;
	int err = 0;

	/* RFC 7627 §5.3: a session without EMS is not worth keeping */
	if (e->resume.keep && e->tls12.ems && !e->resume.resumed)
		err = new_session(e, kept);
	e->result.session_ready = !err && e->resume.keep && e->tls12.ems &&
				  tls_session_named(kept);
	if (!e->result.session_ready)
		tls_session_wipe(kept);
	if (err)
		return engine_fail(e, err, TLS_ALERT_INTERNAL_ERROR,
				   "cannot keep the session");
	return 0;
}
