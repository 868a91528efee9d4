/* SPDX-License-Identifier: MIT */
/*
 * A session a client can resume (RFC 8446 §4.6.1, §2.2; RFC 5246 §7.3,
 * RFC 5077): the server's ticket, opaque to us, or (TLS 1.2) the session
 * ID it gave, or both, and what they stand for. The state is the one a
 * server seals into its own tickets (ticket.h), read the client's way:
 *
 *   st.version, st.cipher_suite  the handshake that made it
 *   st.created_ms                when the ticket (or TLS 1.2 session)
 *                                arrived (wall clock)
 *   st.lifetime_s, st.age_add    the server's (§4.6.1)
 *   st.ems                       TLS 1.2: extended master secret (RFC 7627)
 *   st.etm                       TLS 1.2 CBC: encrypt-then-MAC (RFC 7366)
 *   st.secret                    the PSK of the ticket; in a session still
 *                                waiting for its tickets (tls_result), the
 *                                connection's resumption_master_secret;
 *                                TLS 1.2: the master secret
 *   st.peer_subject, _verified   the server as the full handshake checked
 *                                it: a resumed session has no certificate
 *   st.context                   the client's cache key (client_cache.h)
 *
 * It holds a secret: wipe it (tls_session_wipe).
 */
#ifndef KTLSO_RESUME_SESSION_H
#define KTLSO_RESUME_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "resume/ticket.h"
#include "try.h"

/*
 * The longest ticket kept, which sizes every slot of a client cache. A
 * longer one (a server that seals a client certificate into its tickets
 * may send one) is not kept: the next connection makes a full handshake.
 */
#define TLS_SESSION_TICKET_MAX 2048
/* RFC 5246 §7.4.1.2: SessionID session_id<0..32> */
#define TLS_SESSION_ID_MAX 32

struct tls_session {
	struct ticket_state st;
	uint8_t ticket[TLS_SESSION_TICKET_MAX];
	size_t ticket_len;
	uint8_t session_id[TLS_SESSION_ID_MAX];	/* TLS 1.2 only */
	size_t session_id_len;
};

/* Has the server named s, with a ticket or a session ID? */
bool tls_session_named(const struct tls_session *s);

/*
 * TLS 1.3: the session a NewSessionTicket (msg: the whole message, its
 * 4-byte header first) gives the connection whose state is pending, its
 * secret the resumption master secret (§4.6.1: PSK = HKDF-Expand-Label(
 * resumption_master_secret, "resumption", ticket_nonce, Hash.length)).
 * -EBADMSG for a malformed message, -ENOENT for a ticket not to keep
 * (lifetime 0, longer than TLS_SESSION_TICKET_MAX). out is wiped on error.
 */
int tls_session_from_ticket(const struct ticket_state *pending,
			    const uint8_t *msg, size_t len, uint64_t now_ms,
			    struct tls_session *out) WUR;

/*
 * May a client offer s at now_ms: named (a ticket, or a TLS 1.2 session
 * ID), within its lifetime (at most TICKET_LIFETIME_MAX, §4.6.1), not
 * received in the future?
 */
bool tls_session_usable(const struct tls_session *s, uint64_t now_ms);

/* §4.2.11.1: the ticket's age as the server will read it. */
uint32_t tls_session_obfuscated_age(const struct tls_session *s,
				    uint64_t now_ms);

void tls_session_wipe(struct tls_session *s);

#endif /* KTLSO_RESUME_SESSION_H */
