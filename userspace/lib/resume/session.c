// SPDX-License-Identifier: MIT
/* A session a client can resume (session.h). */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/tls13_keysched.h"
#include "resume/session.h"
#include "tls_suite.h"
#include "wire/hs_msg.h"
#include "wire/proto.h"
#include "wire/reader.h"

void tls_session_wipe(struct tls_session *s)
{
	OPENSSL_cleanse(s, sizeof(*s));
}

/* The message's body, if it is one whole NewSessionTicket. */
static int nst_body(const uint8_t *msg, size_t len, struct bytes *body)
{
	struct reader r;
	struct bytes whole;
	uint8_t type;

	reader_init(&r, msg, len);
	if (hs_msg_next(&r, len, &type, body, &whole) || !reader_done(&r) ||
	    type != TLS_HS_NEW_SESSION_TICKET)
		return -EBADMSG;
	return 0;
}

int tls_session_from_ticket(const struct ticket_state *pending,
			    const uint8_t *msg, size_t len, uint64_t now_ms,
			    struct tls_session *out)
{
	const struct tls_suite *s = tls_suite_by_id(pending->cipher_suite);
	struct new_session_ticket nst;
	struct bytes body;
	int err;

	memset(out, 0, sizeof(*out));
	if (!s || pending->version != TLS_VERSION_1_3)
		return -EINVAL;
	TRY(nst_body(msg, len, &body));
	if (hs_new_session_ticket_decode(body, TLS_VERSION_1_3, &nst))
		return -EBADMSG;
	/* §4.6.1: lifetime 0 means discard it at once */
	if (!nst.lifetime || nst.ticket.len > TLS_SESSION_TICKET_MAX)
		return -ENOENT;
	out->st = *pending;
	secret_wipe(&out->st.secret);
	/* §4.6.1: never to be kept beyond 7 days, whatever it says */
	out->st.lifetime_s = nst.lifetime < TICKET_LIFETIME_MAX ?
				     nst.lifetime : TICKET_LIFETIME_MAX;
	out->st.age_add = nst.age_add;
	out->st.created_ms = now_ms;
	memcpy(out->ticket, nst.ticket.p, nst.ticket.len);
	out->ticket_len = nst.ticket.len;
	err = tls13_ticket_psk(s->hash, &pending->secret, nst.nonce.p,
			       nst.nonce.len, &out->st.secret);
	if (err)
		tls_session_wipe(out);
	return err;
}

bool tls_session_named(const struct tls_session *s)
{
	return s->ticket_len || s->session_id_len;
}

bool tls_session_usable(const struct tls_session *s, uint64_t now_ms)
{
	/* the lifetime a server checks, its own context aside */
	return tls_session_named(s) && s->st.secret.len &&
	       ticket_state_usable(&s->st, s->st.context, now_ms);
}

uint32_t tls_session_obfuscated_age(const struct tls_session *s,
				    uint64_t now_ms)
{
	/* §4.2.11.1: milliseconds since the ticket came, plus age_add mod 2^32 */
	return (uint32_t)(now_ms - s->st.created_ms) + s->st.age_add;
}
