// SPDX-License-Identifier: MIT
/*
 * userspace/lib/resume/ticket.c: the session state sealed in a ticket and
 * the checks before a server resumes it: round trip of every field, a
 * tampered byte, a key name no key has, expiry (and a ticket from the
 * future), another profile's ticket, another format.
 */
#include <errno.h>
#include <string.h>

#include "../lib/check.h"
#include "resume/ticket.h"
#include "wire/proto.h"

static const uint8_t ctx_web[TICKET_CONTEXT_LEN] = "profile web";
static const uint8_t ctx_api[TICKET_CONTEXT_LEN] = "profile api";

#define T0 1800000000000ULL	/* ms */

static void sample(struct ticket_state *st)
{
	memset(st, 0, sizeof(*st));
	st->version = TLS_VERSION_1_3;
	st->cipher_suite = TLS_AES_256_GCM_SHA384;
	memcpy(st->context, ctx_web, TICKET_CONTEXT_LEN);
	st->created_ms = T0;
	st->lifetime_s = 7200;
	st->age_add = 0xdeadbeef;
	st->ems = true;
	st->peer_verified = true;
	memset(st->secret.bytes, 0x5a, 48);
	st->secret.len = 48;
	strcpy(st->peer_subject, "CN=client");
}

static bool same(const struct ticket_state *a, const struct ticket_state *b)
{
	return a->version == b->version && a->cipher_suite == b->cipher_suite &&
	       !memcmp(a->context, b->context, TICKET_CONTEXT_LEN) &&
	       a->created_ms == b->created_ms &&
	       a->lifetime_s == b->lifetime_s && a->age_add == b->age_add &&
	       a->ems == b->ems && a->etm == b->etm &&
	       a->peer_verified == b->peer_verified &&
	       secret_equals(&a->secret, b->secret.bytes, b->secret.len) &&
	       !strcmp(a->peer_subject, b->peer_subject);
}

int main(void)
{
	struct ticket_state st, got;
	struct ticket_keys *k, *other;
	uint8_t t[TICKET_MAX], bad[TICKET_MAX];
	size_t len;

	if (ticket_keys_generate(&k, 86400, T0 / 1000) ||
	    ticket_keys_generate(&other, 86400, T0 / 1000))
		return 1;
	sample(&st);
	len = 0;
	int err = ticket_state_seal(k, &st, t, sizeof(t), &len);

	CHECK(!err && len <= TICKET_MAX, "a state seals into a ticket of %zu "
					 "bytes", len);
	CHECK(ticket_state_open(k, t, len, ctx_web, T0 + 1000, &got) == 0 &&
		      same(&st, &got),
	      "and opens to every field it had");
	st.ems = false;
	st.peer_verified = false;
	st.peer_subject[0] = 0;
	st.version = TLS_VERSION_1_2;
	CHECK(ticket_state_seal(k, &st, t, sizeof(t), &len) == 0 &&
		      ticket_state_open(k, t, len, ctx_web, T0, &got) == 0 &&
		      same(&st, &got) && !got.ems,
	      "a TLS 1.2 state without EMS or a peer round-trips too");
	st.etm = true;
	CHECK(ticket_state_seal(k, &st, t, sizeof(t), &len) == 0 &&
		      ticket_state_open(k, t, len, ctx_web, T0, &got) == 0 &&
		      same(&st, &got) && got.etm,
	      "a TLS 1.2 CBC state keeps encrypt-then-MAC (RFC 7366 §3.1)");
	st.etm = false;

	memcpy(bad, t, len);
	bad[len / 2] ^= 0x80;
	CHECK(ticket_state_open(k, bad, len, ctx_web, T0, &got) == -ENOENT &&
		      got.secret.len == 0,
	      "a tampered byte: -ENOENT, nothing left in the state");
	CHECK(ticket_state_open(other, t, len, ctx_web, T0, &got) == -ENOENT,
	      "a key name this ring does not have: -ENOENT");
	CHECK(ticket_state_open(k, t, len, ctx_api, T0, &got) == -ENOENT,
	      "another profile's ticket: -ENOENT");
	CHECK(ticket_state_open(k, t, len, ctx_web, T0 + 7200 * 1000ULL - 1,
				&got) == 0,
	      "a millisecond before its lifetime ends it opens");
	CHECK(ticket_state_open(k, t, len, ctx_web, T0 + 7200 * 1000ULL,
				&got) == -ENOENT,
	      "at its lifetime's end it has expired: -ENOENT");
	CHECK(ticket_state_open(k, t, len, ctx_web, T0 - 1, &got) == -ENOENT,
	      "a ticket created after now (a clock gone back): -ENOENT");
	st.lifetime_s = TICKET_LIFETIME_MAX + 1;
	CHECK(ticket_state_seal(k, &st, t, sizeof(t), &len) == 0 &&
		      ticket_state_open(k, t, len, ctx_web, T0, &got) == -ENOENT,
	      "a lifetime over 7 days (RFC 8446 §4.6.1) is not honoured");
	st.secret.len = 0;
	CHECK(ticket_state_seal(k, &st, t, sizeof(t), &len) == -EINVAL,
	      "a state without a secret is not sealed");
	CHECK(ticket_state_seal(k, &got, t, 10, &len) != 0,
	      "nor into too small a buffer");
	/* A sealed plaintext of another format (a future version) */
	memset(bad, 2, 80);
	CHECK(ticket_seal(k, T0 / 1000, bad, 80, t, sizeof(t), &len) == 0 &&
		      ticket_state_open(k, t, len, ctx_web, T0, &got) == -ENOENT,
	      "a state of another format: -ENOENT");
	ticket_state_wipe(&got);
	ticket_keys_free(other);
	ticket_keys_free(k);
	return check_summary();
}
