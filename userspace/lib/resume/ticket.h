/* SPDX-License-Identifier: MIT */
/*
 * What a ticket carries: the state a server needs to resume a session
 * (RFC 5077 §4's "StatePlaintext", RFC 8446 §4.6.1), sealed with a ring of
 * ticket keys (ticket_keys.h). Only this server reads it, so the format is
 * ours:
 *
 *   u8  format (TICKET_FORMAT)
 *   u16 TLS version, u16 cipher suite
 *   u8  context[32]   the profile identity (struct tls_config): a ticket
 *                     resumes only in the profile that issued it
 *   u64 created_ms    wall-clock milliseconds, so a fleet agrees on it
 *   u32 lifetime_s, u32 age_add (TLS 1.3, §4.6.1)
 *   u8  flags         EMS (TLS 1.2, RFC 7627), peer verified,
 *                     encrypt-then-MAC (TLS 1.2 CBC, RFC 7366)
 *   opaque secret<1..255>   TLS 1.3: the PSK; TLS 1.2: the master secret
 *   opaque peer_subject<0..255>  the client certificate it was issued to
 *
 * ticket_state_open() refuses, with -ENOENT (a full handshake follows), a
 * ticket that does not open, is of another format, has expired, was born
 * in the future, or is another profile's.
 */
#ifndef KTLSO_TICKET_H
#define KTLSO_TICKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/secret.h"
#include "resume/ticket_keys.h"
#include "try.h"

#define TICKET_FORMAT 1
#define TICKET_CONTEXT_LEN 32
#define TICKET_SUBJECT_MAX 255
/* The state's largest encoding, and the largest sealed ticket. */
#define TICKET_STATE_MAX (1 + 2 + 2 + TICKET_CONTEXT_LEN + 8 + 4 + 4 + 1 + \
			  1 + SECRET_MAX + 1 + TICKET_SUBJECT_MAX)
#define TICKET_MAX (TICKET_STATE_MAX + TICKET_OVERHEAD)
/* RFC 8446 §4.6.1: a ticket lives at most 7 days. */
#define TICKET_LIFETIME_MAX (7 * 24 * 3600)

struct ticket_state {
	uint16_t version;
	uint16_t cipher_suite;
	uint8_t context[TICKET_CONTEXT_LEN];
	uint64_t created_ms;
	uint32_t lifetime_s;
	uint32_t age_add;
	bool ems;
	bool etm;
	bool peer_verified;
	struct secret secret;
	char peer_subject[TICKET_SUBJECT_MAX + 1];
};

/* Seal st into out (TICKET_MAX bytes suffice). */
int ticket_state_seal(struct ticket_keys *k, const struct ticket_state *st,
		      uint8_t *out, size_t cap, size_t *len) WUR;

/*
 * Open a ticket into st for a server of this context at now_ms: -ENOENT
 * for any ticket not to resume (the header), -EIO if libcrypto failed.
 * st is wiped unless 0 is returned.
 */
int ticket_state_open(struct ticket_keys *k, const uint8_t *ticket,
		      size_t len, const uint8_t context[TICKET_CONTEXT_LEN],
		      uint64_t now_ms, struct ticket_state *st) WUR;

/*
 * May a server of this context resume st at now_ms: its profile, within its
 * lifetime (at most TICKET_LIFETIME_MAX), not created in the future?
 */
bool ticket_state_usable(const struct ticket_state *st,
			 const uint8_t context[TICKET_CONTEXT_LEN],
			 uint64_t now_ms);

void ticket_state_wipe(struct ticket_state *st);

#endif /* KTLSO_TICKET_H */
