/* SPDX-License-Identifier: MIT */
/*
 * The handshake transcript (RFC 5246 §7.4.9 handshake_messages, RFC 8446
 * §4.4.1 Transcript-Hash): every handshake message, header included, in
 * order. The messages themselves are kept, not a running hash, because the
 * hash is not known until the suite is chosen, a TLS 1.2 CertificateVerify
 * signs the messages themselves, and a HelloRetryRequest rewrites the first
 * ClientHello. A handshake is a few kilobytes; hashing it on demand costs
 * nothing next to the public-key operations.
 */
#ifndef KTLSO_TRANSCRIPT_H
#define KTLSO_TRANSCRIPT_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/hash.h"
#include "try.h"
#include "wire/writer.h"

struct transcript {
	struct writer msgs;
};

void transcript_init(struct transcript *t);
void transcript_free(struct transcript *t);

int transcript_add(struct transcript *t, const uint8_t *msg, size_t len) WUR;

/* Hash(messages so far); out gets tls_hash_len(hash) bytes. */
int transcript_hash(const struct transcript *t, enum tls_hash hash,
		    uint8_t out[TLS_HASH_MAX]) WUR;

/*
 * RFC 8446 §4.4.1: after a HelloRetryRequest, ClientHello1 is replaced by
 * message_hash(254) || 00 00 Hash.length || Hash(ClientHello1). Call it
 * when the transcript holds exactly ClientHello1.
 */
int transcript_replace_with_hash(struct transcript *t, enum tls_hash hash) WUR;

static inline const uint8_t *transcript_data(const struct transcript *t)
{
	return t->msgs.data;
}

static inline size_t transcript_len(const struct transcript *t)
{
	return t->msgs.len;
}

#endif /* KTLSO_TRANSCRIPT_H */
