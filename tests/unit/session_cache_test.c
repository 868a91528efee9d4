// SPDX-License-Identifier: MIT
/*
 * userspace/lib/resume/session_cache.c: the TLS 1.2 server session cache.
 * A session comes back under its ID only, for its own profile, within its
 * lifetime; the cache never holds more than its slots (a new session takes
 * a full slot); its size is what session_cache_memory() says.
 */
#include <errno.h>
#include <string.h>

#include "../lib/check.h"
#include "resume/session_cache.h"
#include "wire/proto.h"

static const uint8_t ctx_web[TICKET_CONTEXT_LEN] = "web";
static const uint8_t ctx_api[TICKET_CONTEXT_LEN] = "api";

static void state(struct ticket_state *st, uint8_t tag)
{
	memset(st, 0, sizeof(*st));
	st->version = TLS_VERSION_1_2;
	st->cipher_suite = TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;
	memcpy(st->context, ctx_web, TICKET_CONTEXT_LEN);
	st->created_ms = 1000;
	st->lifetime_s = 10;
	st->ems = true;
	memset(st->secret.bytes, tag, 48);
	st->secret.len = 48;
}

int main(void)
{
	uint8_t id[32], other[32];
	struct ticket_state st, got;
	struct session_cache *c = session_cache_new(4);
	int held = 0;

	CHECK(c && !session_cache_new(0) &&
		      !session_cache_new(SESSION_CACHE_SLOTS_MAX + 1),
	      "a cache of 4 slots; none of 0 or too many");
	memset(id, 0x11, sizeof(id));
	memcpy(other, id, sizeof(id));
	other[31] ^= 1;
	state(&st, 0xaa);
	CHECK(session_cache_put(c, id, sizeof(id), &st) == 0 &&
		      session_cache_get(c, id, sizeof(id), ctx_web, 2000,
					&got) == 0 &&
		      secret_equals(&got.secret, st.secret.bytes, 48),
	      "a session comes back under its ID");
	CHECK(session_cache_get(c, other, sizeof(other), ctx_web, 2000,
				&got) == -ENOENT && got.secret.len == 0,
	      "an ID that differs in its last byte finds nothing");
	CHECK(session_cache_get(c, id, 16, ctx_web, 2000, &got) == -ENOENT,
	      "nor does a prefix of the ID");
	CHECK(session_cache_get(c, id, sizeof(id), ctx_api, 2000, &got) ==
		      -ENOENT,
	      "another profile does not get it");
	CHECK(session_cache_get(c, id, sizeof(id), ctx_web, 11000, &got) ==
		      -ENOENT,
	      "nor does anyone once its lifetime is over");
	CHECK(session_cache_put(c, id, 0, &st) == -EINVAL &&
		      session_cache_put(c, id, 33, &st) == -EINVAL,
	      "IDs of 0 or 33 bytes are refused");
	/* 100 sessions into 4 slots: at most 4 are still there */
	for (int i = 0; i < 100; i++) {
		id[0] = (uint8_t)i;
		state(&st, (uint8_t)i);
		if (session_cache_put(c, id, sizeof(id), &st))
			held = -1000;
	}
	for (int i = 0; i < 100; i++) {
		id[0] = (uint8_t)i;
		held += !session_cache_get(c, id, sizeof(id), ctx_web, 2000,
					   &got);
	}
	CHECK(held >= 2 && held <= 4,
	      "100 sessions in 4 slots: %d still held, the latest win", held);
	id[0] = 99;
	CHECK(session_cache_get(c, id, sizeof(id), ctx_web, 2000, &got) == 0 &&
		      got.secret.bytes[0] == 99,
	      "the last one put is there");
	CHECK(session_cache_memory(4) < session_cache_memory(5) &&
		      session_cache_memory(1000) < 1000 * 1024,
	      "memory grows with the slots, under 1 KiB each (%zu for 1000)",
	      session_cache_memory(1000));
	ticket_state_wipe(&got);
	session_cache_free(c);
	return check_summary();
}
