// SPDX-License-Identifier: MIT
/*
 * Any handshake message through one door: the dispatch on hs_any.h's
 * message kinds, and the round-trip and truncation checks built on it.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "hs_any.h"
#include "wire/reader.h"
#include "wire/writer.h"

int hs_any_decode(struct hs_kind k, struct bytes body, union hs_any *m)
{
	switch (k.type) {
	case TLS_HS_CLIENT_HELLO:
		return hs_client_hello_decode(body, &m->ch);
	case TLS_HS_SERVER_HELLO:
		return hs_server_hello_decode(body, &m->sh);
	case TLS_HS_ENCRYPTED_EXTENSIONS:
		return hs_encrypted_extensions_decode(body, &m->ee);
	case TLS_HS_CERTIFICATE:
		return hs_certificate_decode(body, k.version, &m->cert);
	case TLS_HS_CERTIFICATE_STATUS:
		return hs_certificate_status_decode(body, &m->cs);
	case TLS_HS_SERVER_KEY_EXCHANGE:
		return hs_server_key_exchange_decode(body, &m->ske);
	case TLS_HS_CERTIFICATE_REQUEST:
		return hs_certificate_request_decode(body, k.version, &m->cr);
	case TLS_HS_SERVER_HELLO_DONE:
		return hs_server_hello_done_decode(body);
	case TLS_HS_CLIENT_KEY_EXCHANGE:
		return hs_client_key_exchange_decode(body, k.ecdhe, &m->cke);
	case TLS_HS_CERTIFICATE_VERIFY:
		return hs_certificate_verify_decode(body, &m->cv);
	case TLS_HS_FINISHED:
		return hs_finished_decode(body, &m->fin);
	case TLS_HS_NEW_SESSION_TICKET:
		return hs_new_session_ticket_decode(body, k.version, &m->nst);
	case TLS_HS_KEY_UPDATE:
		return hs_key_update_decode(body, &m->ku);
	}
	return -ENOTSUP;
}

int hs_any_encode(struct writer *w, struct hs_kind k, const union hs_any *m)
{
	switch (k.type) {
	case TLS_HS_CLIENT_HELLO:
		return hs_client_hello_encode(w, &m->ch);
	case TLS_HS_SERVER_HELLO:
		return hs_server_hello_encode(w, &m->sh);
	case TLS_HS_ENCRYPTED_EXTENSIONS:
		return hs_encrypted_extensions_encode(w, &m->ee);
	case TLS_HS_CERTIFICATE:
		return hs_certificate_encode(w, k.version, &m->cert);
	case TLS_HS_CERTIFICATE_STATUS:
		return hs_certificate_status_encode(w, &m->cs);
	case TLS_HS_SERVER_KEY_EXCHANGE:
		return hs_server_key_exchange_encode(w, &m->ske);
	case TLS_HS_CERTIFICATE_REQUEST:
		return hs_certificate_request_encode(w, k.version, &m->cr);
	case TLS_HS_SERVER_HELLO_DONE:
		return hs_server_hello_done_encode(w);
	case TLS_HS_CLIENT_KEY_EXCHANGE:
		return hs_client_key_exchange_encode(w, k.ecdhe, &m->cke);
	case TLS_HS_CERTIFICATE_VERIFY:
		return hs_certificate_verify_encode(w, &m->cv);
	case TLS_HS_FINISHED:
		return hs_finished_encode(w, &m->fin);
	case TLS_HS_NEW_SESSION_TICKET:
		return hs_new_session_ticket_encode(w, k.version, &m->nst);
	case TLS_HS_KEY_UPDATE:
		return hs_key_update_encode(w, &m->ku);
	}
	return -ENOTSUP;
}

/* The body of one whole message (header included) of type k.type. */
int hs_any_split(struct hs_kind k, const uint8_t *p, size_t n,
		 struct bytes *body)
{
	struct bytes whole;
	struct reader r;
	uint8_t type;

	reader_init(&r, p, n);
	TRY(hs_msg_next(&r, 0xffffff, &type, body, &whole));
	ENSURE(type == k.type && reader_done(&r), -EINVAL);
	return 0;
}

/* Encode m and compare with a whole message. */
bool hs_any_encodes_to(struct hs_kind k, const union hs_any *m,
		       const uint8_t *p, size_t n)
{
	struct writer w;
	bool same;

	writer_init(&w, 1 << 24);
	same = hs_any_encode(&w, k, m) == 0 && w.len == n &&
	       !memcmp(w.data, p, n);
	writer_free(&w);
	return same;
}

/*
 * Decoding each strict prefix of body must fail with -EBADMSG. The one
 * exception is a ClientHello or TLS 1.2 ServerHello cut right before its
 * extensions block, which is optional (RFC 5246 §7.4.1.2, §7.4.1.3): that
 * prefix must decode, with no extensions. Returns the first length that
 * misbehaves, or SIZE_MAX.
 */
size_t hs_any_bad_truncation(struct hs_kind k, struct bytes body)
{
	bool hello = k.type == TLS_HS_CLIENT_HELLO ||
		     k.type == TLS_HS_SERVER_HELLO;
	unsigned int decoded = 0;
	union hs_any m;

	for (size_t n = 0; n < body.len; n++) {
		struct bytes cut = { body.p, n };
		int err = hs_any_decode(k, cut, &m);

		if (err == -EBADMSG)
			continue;
		if (err || !hello || decoded++ ||
		    (k.type == TLS_HS_CLIENT_HELLO ? m.ch.exts : m.sh.exts))
			return n;
	}
	return SIZE_MAX;
}

/* The body with one byte more must be -EBADMSG. */
bool hs_any_rejects_extra_byte(struct hs_kind k, struct bytes body)
{
	static uint8_t longer[1 << 16];
	union hs_any m;

	if (body.len >= sizeof(longer))
		return false;
	memcpy(longer, body.p, body.len);
	longer[body.len] = 0;
	return hs_any_decode(k, (struct bytes){ longer, body.len + 1 }, &m) ==
	       -EBADMSG;
}
