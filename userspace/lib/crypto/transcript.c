// SPDX-License-Identifier: MIT
/* The handshake transcript: the messages, hashed on demand. */
#include <errno.h>

#include "crypto/transcript.h"
#include "wire/proto.h"

/* A handshake with a 10-certificate chain each way stays well below this. */
#define TRANSCRIPT_LIMIT (256 * 1024)

void transcript_init(struct transcript *t)
{
	writer_init(&t->msgs, TRANSCRIPT_LIMIT);
}

void transcript_free(struct transcript *t)
{
	writer_free(&t->msgs);
}

int transcript_add(struct transcript *t, const uint8_t *msg, size_t len)
{
	return writer_bytes(&t->msgs, msg, len);
}

int transcript_hash(const struct transcript *t, enum tls_hash hash,
		    uint8_t out[TLS_HASH_MAX])
{
	return tls_hash_digest(hash, t->msgs.data, t->msgs.len, out);
}

int transcript_replace_with_hash(struct transcript *t, enum tls_hash hash)
{
	uint8_t digest[TLS_HASH_MAX];
	size_t n = tls_hash_len(hash);

	TRY(transcript_hash(t, hash, digest));
	writer_reset(&t->msgs);
	TRY(writer_u8(&t->msgs, TLS_HS_MESSAGE_HASH));
	TRY(writer_u24(&t->msgs, n));
	TRY(writer_bytes(&t->msgs, digest, n));
	return 0;
}
