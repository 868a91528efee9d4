// SPDX-License-Identifier: GPL-2.0
/*
 * What a daemon-established socket does with the control records that come
 * after the handshake, before the application would see them: handshake
 * messages, reassembled across records and walked one by one, and alerts.
 * The application asked for a byte stream, not for TLS, so none of them
 * reaches it. Sockets whose keys the
 * application installed never get here: they get every record, as in kTLS.
 *
 *   NewSessionTicket (TLS 1.3, client)   to ktlsod (netlink), then dropped
 *   HelloRequest (TLS 1.2, client)       warning no_renegotiation, dropped
 *   ClientHello (TLS 1.2, server)        warning no_renegotiation, dropped
 *   KeyUpdate (TLS 1.3)                  found; keyupdate.c applies it
 *   anything else                        fatal unexpected_message
 *   close_notify                         end of stream
 *   a warning alert (TLS 1.2),
 *   user_canceled (TLS 1.3)              dropped
 *   any other alert                      ECONNRESET, nothing sent back
 *
 * Only a message being kept (a ticket) is buffered, and only up to
 * MAX_KEPT bytes; any other message is decided on from its 4-byte header
 * and its body skipped as it goes by, so a peer cannot make a socket hold
 * more than that however long the messages it announces.
 *
 * Lifetime and locking: the walker's state is allocated on the first
 * handshake record and freed with the receive state; it is used only by
 * the reader, under ctx->rx_lock.
 */
#include <linux/slab.h>
#include <net/sock.h>

#include "ktlso.h"

/*
 * The largest ticket handed to ktlsod: a record's worth. Tickets seen in
 * practice are a few hundred bytes (OpenSSL's ~250, with client
 * certificates embedded a few KiB); RFC 8446 §4.6.1 allows 128 KiB, which
 * every socket would then have to be able to hold. A longer ticket is
 * skipped like any message we do not keep: the connection goes on, only
 * resumption with that ticket is lost.
 */
#define MAX_KEPT KTLSO_MAX_PLAINTEXT

struct ktlso_posths {
	u8 head[KTLSO_HANDSHAKE_HEADER_SIZE];
	unsigned int head_len;	/* header bytes of the current message */
	unsigned int body;	/* its body length, once the header is whole */
	unsigned int got;	/* body bytes seen */
	u8 *kept;		/* header and body of a message being kept */
	unsigned int ku_at;	/* where the last KeyUpdate found starts */
};

/* What a message header decides. */
enum step { SKIP, KEEP, KEY_UPDATE };

static bool is_client(const struct sock *sk)
{
	return ktlso_hs_request_of(ktlso_ctx(sk))->role == KTLSO_ROLE_CLIENT;
}

/* The whole message is in: act on it. */
static void finish(struct sock *sk, struct ktlso_posths *ph, u16 version)
{
	u8 type = ph->head[0];

	if (type == KTLSO_HANDSHAKE_NEW_SESSION_TICKET)
		ktlso_stat_add(sk, KTLSO_STAT_TICKET_RX, 1);
	if (type == KTLSO_HANDSHAKE_NEW_SESSION_TICKET && ph->kept)
		(void)ktlso_upcall_ticket(sk, ktlso_hs_request_of(ktlso_ctx(sk)),
					  ph->kept, KTLSO_HANDSHAKE_HEADER_SIZE + ph->body);
	/* RFC 5746 §4.2/§4.4 and RFC 5246 §7.4.1.1: refusing renegotiation
	 * politely leaves the connection as it is.
	 */
	if (version == TLS_1_2_VERSION && (type == KTLSO_HANDSHAKE_HELLO_REQUEST ||
					   type == KTLSO_HANDSHAKE_CLIENT_HELLO))
		ktlso_send_alert(sk, KTLSO_ALERT_WARNING, KTLSO_ALERT_NO_RENEGOTIATION);
	kfree_sensitive(ph->kept);
	ph->kept = NULL;
	ph->head_len = 0;
	ph->got = 0;
}

/* A whole message header: what to do with the body, or -EPROTO. */
static int start(struct sock *sk, struct ktlso_posths *ph, u16 version, int *alert)
{
	u8 type = ph->head[0];
	bool client = is_client(sk);

	ph->body = get_unaligned_be24(ph->head + 1);
	*alert = KTLSO_ALERT_UNEXPECTED_MESSAGE;
	if (version == TLS_1_3_VERSION) {
		/* For keyupdate.c, which checks the rest. */
		if (type == KTLSO_HANDSHAKE_KEY_UPDATE)
			return KEY_UPDATE;
		/* RFC 8446 §4.6.1: only a server sends tickets. */
		if (type == KTLSO_HANDSHAKE_NEW_SESSION_TICKET && client)
			return ph->body <= MAX_KEPT ? KEEP : SKIP;
		/* RFC 8446 §4.6.2: a CertificateRequest after the handshake
		 * needs post_handshake_auth, which ktlsod never offers; §4:
		 * any other message is unexpected here.
		 */
		return -EPROTO;
	}
	/* RFC 5246 §7.4.1.1: a HelloRequest to the client is empty. */
	if (type == KTLSO_HANDSHAKE_HELLO_REQUEST && client) {
		*alert = KTLSO_ALERT_DECODE_ERROR;
		return ph->body ? -EPROTO : SKIP;
	}
	/* A renegotiation ClientHello to a server: read past, then refuse. */
	if (type == KTLSO_HANDSHAKE_CLIENT_HELLO && !client)
		return SKIP;
	return -EPROTO;
}

/* Walk a handshake record's messages. Return: a verdict, or -errno. */
static int walk(struct sock *sk, struct ktlso_posths *ph, u16 version,
		const u8 *data, unsigned int len, int *alert)
{
	unsigned int pos = 0;

	while (pos < len) {
		/* Where a message starting in this record starts. */
		unsigned int take, from = pos;
		bool head_here = !ph->head_len;

		if (ph->head_len < KTLSO_HANDSHAKE_HEADER_SIZE) {
			take = min(KTLSO_HANDSHAKE_HEADER_SIZE - ph->head_len, len - pos);
			memcpy(ph->head + ph->head_len, data + pos, take);
			ph->head_len += take;
			pos += take;
			if (ph->head_len < KTLSO_HANDSHAKE_HEADER_SIZE)
				break;
			switch (start(sk, ph, version, alert)) {
			case KEEP:
				ph->kept = kmalloc(KTLSO_HANDSHAKE_HEADER_SIZE + ph->body,
						   GFP_KERNEL_ACCOUNT);
				/* Out of memory loses the ticket, not the stream. */
				if (ph->kept)
					memcpy(ph->kept, ph->head, KTLSO_HANDSHAKE_HEADER_SIZE);
				break;
			case SKIP:
				break;
			case KEY_UPDATE:
				ph->head_len = 0;
				/* RFC 8446 §5.1: a KeyUpdate may not span
				 * records (its header began in the last one).
				 */
				if (!head_here)
					return -EPROTO;
				/* What was before it in this record is done. */
				ph->ku_at = from;
				return KTLSO_POSTHS_KEY_UPDATE;
			default:
				return -EPROTO;
			}
		}
		take = min(ph->body - ph->got, len - pos);
		if (ph->kept)
			memcpy(ph->kept + KTLSO_HANDSHAKE_HEADER_SIZE + ph->got, data + pos, take);
		ph->got += take;
		pos += take;
		if (ph->got == ph->body)
			finish(sk, ph, version);
	}
	return KTLSO_POSTHS_DROP;
}

/* RFC 8446 §6, RFC 5246 §7.2: a received alert. */
static int alert_record(struct sock *sk, u16 version, const u8 *data,
			unsigned int len, int *alert)
{
	/* RFC 8446 §5.1: alerts are never fragmented nor coalesced. */
	*alert = KTLSO_ALERT_DECODE_ERROR;
	if (len != 2 || (data[0] != KTLSO_ALERT_WARNING && data[0] != KTLSO_ALERT_FATAL))
		return -EPROTO;
	*alert = KTLSO_ALERT_NONE;
	ktlso_stat_add(sk, KTLSO_STAT_ALERT_RX, 1);
	if (data[1] == KTLSO_ALERT_CLOSE_NOTIFY)
		return KTLSO_POSTHS_EOF;
	/* RFC 8446 §6: in TLS 1.3 every other alert but user_canceled is
	 * fatal, whatever its level says; TLS 1.2 goes by the level.
	 */
	if (version == TLS_1_3_VERSION ? data[1] == KTLSO_ALERT_USER_CANCELED :
					 data[0] == KTLSO_ALERT_WARNING)
		return KTLSO_POSTHS_DROP;
	/* RFC 8446 §6.2: never answer a fatal alert. The application may
	 * ask which it was (getsockopt(KTLSO_HANDSHAKE)).
	 */
	ktlso_hs_set_alert(ktlso_ctx(sk), data[1]);
	return -ECONNRESET;
}

/**
 * ktlso_posths_record() - a decrypted record on a daemon-established socket
 * @sk: the socket
 * @ph: the walker's state, allocated here when first needed
 * @version: the record protocol version
 * @type: the record's (TLS 1.3: inner) content type
 * @data: its content
 * @len: the content's length
 * @alert: out: the fatal alert to send when -errno is returned, or
 *         KTLSO_ALERT_NONE
 *
 * Return: a verdict (enum ktlso_posths_verdict), or -errno: -EPROTO with
 * the alert to send (RFC 8446 §6.2), -ECONNRESET for a fatal alert from
 * the peer, -ENOMEM.
 */
int ktlso_posths_record(struct sock *sk, struct ktlso_posths **ph, u16 version,
			u8 type, const u8 *data, unsigned int len, int *alert)
{
	*alert = KTLSO_ALERT_UNEXPECTED_MESSAGE;
	/* RFC 8446 §5.1: no other record between a message's fragments. */
	if (type != KTLSO_RECORD_HANDSHAKE && ktlso_posths_busy(*ph))
		return -EPROTO;
	switch (type) {
	case KTLSO_RECORD_DATA:
		return KTLSO_POSTHS_DELIVER;
	case KTLSO_RECORD_ALERT:
		/* RFC 8446 §5.1: an empty alert is unexpected_message. */
		return len ? alert_record(sk, version, data, len, alert) : -EPROTO;
	case KTLSO_RECORD_HANDSHAKE:
		/* RFC 8446 §5.1: no zero-length handshake fragments. */
		if (!len)
			return -EPROTO;
		/* The common case, with no state to allocate. */
		if (version == TLS_1_3_VERSION && !ktlso_posths_busy(*ph) &&
		    data[0] == KTLSO_HANDSHAKE_KEY_UPDATE) {
			if (*ph)
				(*ph)->ku_at = 0;
			return KTLSO_POSTHS_KEY_UPDATE;
		}
		if (!*ph) {
			*ph = kzalloc(sizeof(**ph), GFP_KERNEL_ACCOUNT);
			/* The record stays gathered for the next try. */
			if (!*ph) {
				*alert = KTLSO_ALERT_NONE;
				return -ENOMEM;
			}
		}
		return walk(sk, *ph, version, data, len, alert);
	default:
		/* RFC 8446 §5: ChangeCipherSpec after the handshake, or a
		 * type we do not know.
		 */
		return -EPROTO;
	}
}

/* A handshake message is half in: nothing else may come until it is whole. */
bool ktlso_posths_busy(const struct ktlso_posths *ph)
{
	return ph && ph->head_len;
}

/* Where the KeyUpdate of a KTLSO_POSTHS_KEY_UPDATE verdict starts. */
unsigned int ktlso_posths_ku_at(const struct ktlso_posths *ph)
{
	return ph ? ph->ku_at : 0;
}

void ktlso_posths_free(struct ktlso_posths *ph)
{
	if (!ph)
		return;
	kfree_sensitive(ph->kept);
	kfree(ph);
}
