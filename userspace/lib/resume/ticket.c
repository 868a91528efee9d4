// SPDX-License-Identifier: MIT
/* The state inside a ticket, and its checks (ticket.h). */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include "resume/ticket.h"
#include "wire/reader.h"
#include "wire/writer.h"

/* A ticket from before FLAG_ETM reads as MAC-then-encrypt: what it had. */
enum { FLAG_EMS = 1, FLAG_PEER_VERIFIED = 2, FLAG_ETM = 4 };

void ticket_state_wipe(struct ticket_state *st)
{
	OPENSSL_cleanse(st, sizeof(*st));
}

static int encode(struct writer *w, const struct ticket_state *st)
{
	size_t subject = strnlen(st->peer_subject, TICKET_SUBJECT_MAX);

	TRY(writer_u8(w, TICKET_FORMAT));
	TRY(writer_u16(w, st->version));
	TRY(writer_u16(w, st->cipher_suite));
	TRY(writer_bytes(w, st->context, TICKET_CONTEXT_LEN));
	TRY(writer_u32(w, (uint32_t)(st->created_ms >> 32)));
	TRY(writer_u32(w, (uint32_t)st->created_ms));
	TRY(writer_u32(w, st->lifetime_s));
	TRY(writer_u32(w, st->age_add));
	TRY(writer_u8(w, (st->ems ? FLAG_EMS : 0) |
			 (st->peer_verified ? FLAG_PEER_VERIFIED : 0) |
			 (st->etm ? FLAG_ETM : 0)));
	TRY(writer_vector(w, 1, st->secret.bytes, st->secret.len));
	return writer_vector(w, 1, st->peer_subject, subject);
}

int ticket_state_seal(struct ticket_keys *k, const struct ticket_state *st,
		      uint8_t *out, size_t cap, size_t *len)
{
	WRITER_SCOPED(w, TICKET_STATE_MAX);

	if (!st->secret.len)
		return -EINVAL;
	TRY(encode(&w, st));
	return ticket_seal(k, (int64_t)(st->created_ms / 1000), w.data, w.len,
			   out, cap, len);
}

static int decode(struct reader *r, struct ticket_state *st)
{
	uint32_t hi, lo;
	uint8_t format, flags;
	struct reader v;

	TRY(reader_u8(r, &format));
	ENSURE(format == TICKET_FORMAT, -ENOENT);
	TRY(reader_u16(r, &st->version));
	TRY(reader_u16(r, &st->cipher_suite));
	TRY(reader_copy(r, st->context, TICKET_CONTEXT_LEN));
	TRY(reader_u32(r, &hi));
	TRY(reader_u32(r, &lo));
	st->created_ms = (uint64_t)hi << 32 | lo;
	TRY(reader_u32(r, &st->lifetime_s));
	TRY(reader_u32(r, &st->age_add));
	TRY(reader_u8(r, &flags));
	st->ems = flags & FLAG_EMS;
	st->peer_verified = flags & FLAG_PEER_VERIFIED;
	st->etm = flags & FLAG_ETM;
	TRY(reader_vector(r, 1, 1, SECRET_MAX, &v));
	TRY(reader_copy(&v, st->secret.bytes, reader_left(&v)));
	st->secret.len = v.len;
	TRY(reader_vector(r, 1, 0, TICKET_SUBJECT_MAX, &v));
	TRY(reader_copy(&v, st->peer_subject, reader_left(&v)));
	ENSURE(reader_done(r), -EBADMSG);
	return 0;
}

bool ticket_state_usable(const struct ticket_state *st,
			 const uint8_t context[TICKET_CONTEXT_LEN],
			 uint64_t now_ms)
{
	/* The issuing profile only (the identity it was checked against) */
	if (CRYPTO_memcmp(st->context, context, TICKET_CONTEXT_LEN))
		return false;
	/* RFC 8446 §4.6.1, RFC 5077 §5.6: not past its lifetime */
	if (st->lifetime_s > TICKET_LIFETIME_MAX || st->created_ms > now_ms)
		return false;
	return now_ms - st->created_ms < (uint64_t)st->lifetime_s * 1000;
}

int ticket_state_open(struct ticket_keys *k, const uint8_t *ticket,
		      size_t len, const uint8_t context[TICKET_CONTEXT_LEN],
		      uint64_t now_ms, struct ticket_state *st)
{
	uint8_t plain[TICKET_STATE_MAX];
	struct reader r;
	size_t n;
	int ret;

	memset(st, 0, sizeof(*st));
	ret = ticket_open(k, (int64_t)(now_ms / 1000), ticket, len, plain,
			  sizeof(plain), &n);
	if (!ret) {
		reader_init(&r, plain, n);
		ret = decode(&r, st);
		if (!ret && !ticket_state_usable(st, context, now_ms))
			ret = -ENOENT;
	}
	OPENSSL_cleanse(plain, sizeof(plain));
	if (ret) {
		ticket_state_wipe(st);
		/* Whatever is wrong with a ticket, the client gets a full
		 * handshake; only libcrypto failing is an error of ours. */
		return ret == -EIO || ret == -ENOMEM ? ret : -ENOENT;
	}
	return 0;
}
