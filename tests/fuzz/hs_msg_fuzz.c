// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the handshake codec (userspace/lib/wire/hs_*.c), built
 * and run by `make fuzz` with AddressSanitizer and UBSan.
 *
 * The first input byte picks a decoder (and the version or key exchange
 * where the type alone does not fix the syntax), the rest is the body.
 * The whole input is also split with hs_msg_next and each message decoded
 * by its own type, as the engine would. Whatever decodes must encode, and
 * encode(decode(encode(x))) must equal encode(x): a decoder that accepts
 * what the encoder cannot write, or reads back something else, aborts.
 *
 * Built with -DHS_FUZZ_SEEDS instead, main() writes the RFC 8448 messages
 * into a directory as the seed corpus.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/hs_any.h"

static const struct hs_kind kinds[] = {
	{ .type = TLS_HS_CLIENT_HELLO },
	{ .type = TLS_HS_SERVER_HELLO },
	{ .type = TLS_HS_ENCRYPTED_EXTENSIONS },
	{ .type = TLS_HS_CERTIFICATE, .version = TLS_VERSION_1_2 },
	{ .type = TLS_HS_CERTIFICATE, .version = TLS_VERSION_1_3 },
	{ .type = TLS_HS_CERTIFICATE_STATUS },
	{ .type = TLS_HS_SERVER_KEY_EXCHANGE },
	{ .type = TLS_HS_CERTIFICATE_REQUEST, .version = TLS_VERSION_1_2 },
	{ .type = TLS_HS_CERTIFICATE_REQUEST, .version = TLS_VERSION_1_3 },
	{ .type = TLS_HS_SERVER_HELLO_DONE },
	{ .type = TLS_HS_CLIENT_KEY_EXCHANGE, .ecdhe = true },
	{ .type = TLS_HS_CLIENT_KEY_EXCHANGE },
	{ .type = TLS_HS_CERTIFICATE_VERIFY },
	{ .type = TLS_HS_FINISHED },
	{ .type = TLS_HS_NEW_SESSION_TICKET, .version = TLS_VERSION_1_2 },
	{ .type = TLS_HS_NEW_SESSION_TICKET, .version = TLS_VERSION_1_3 },
	{ .type = TLS_HS_KEY_UPDATE },
};

#define N_KINDS (sizeof(kinds) / sizeof(kinds[0]))

static void fail(const char *what, struct hs_kind k, int err)
{
	fprintf(stderr, "hs_msg_fuzz: %s (type %u, version %04x): %d\n", what,
		k.type, k.version, err);
	abort();
}

/* The list helpers on what a peer's hello carries. */
static void use_lists(struct hs_kind k, const union hs_any *m)
{
	static const uint8_t ours[] = "\x02h2\x08http/1.1";
	struct bytes ke, sel;
	uint16_t v;

	if (k.type != TLS_HS_CLIENT_HELLO)
		return;
	if (hs_key_share_find(m->ch.key_shares, TLS_GROUP_X25519, &ke) == 0 &&
	    !ke.len)
		fail("empty key share found", k, 0);
	if (hs_alpn_select((struct bytes){ ours, sizeof(ours) - 1 },
			   m->ch.alpn, &sel) == -EBADMSG)
		fail("a decoded ALPN list does not parse", k, -EBADMSG);
	for (size_t i = 0; hs_u16_list_at(m->ch.cipher_suites, i, &v); i++)
		if (!hs_u16_list_has(m->ch.cipher_suites, v))
			fail("list_at and list_has disagree", k, 0);
}

static void round_trip(struct hs_kind k, union hs_any *m)
{
	struct writer w1, w2;
	struct bytes body;
	union hs_any again;
	int err;

	/* ktlso never sends pre_shared_key, so it cannot be encoded */
	if (k.type == TLS_HS_CLIENT_HELLO)
		m->ch.exts &= ~HS_EXT_PRE_SHARED_KEY;
	if (k.type == TLS_HS_SERVER_HELLO)
		m->sh.exts &= ~HS_EXT_PRE_SHARED_KEY;
	use_lists(k, m);
	/*
	 * A TLS 1.3 CertificateRequest of unknown extensions only decodes
	 * (they are skipped) but has nothing to write back, and an empty
	 * block breaks its <2..2^16-1> bound.
	 */
	if (k.type == TLS_HS_CERTIFICATE_REQUEST &&
	    k.version == TLS_VERSION_1_3 && !m->cr.exts)
		return;

	writer_init(&w1, 1 << 25);
	writer_init(&w2, 1 << 25);
	err = hs_any_encode(&w1, k, m);
	if (err)
		fail("decoded but does not encode", k, err);
	err = hs_any_split(k, w1.data, w1.len, &body);
	if (!err)
		err = hs_any_decode(k, body, &again);
	if (err)
		fail("encoded but does not decode", k, err);
	err = hs_any_encode(&w2, k, &again);
	if (err || w1.len != w2.len || memcmp(w1.data, w2.data, w1.len))
		fail("encodes differently the second time", k, err);
	writer_free(&w1);
	writer_free(&w2);
}

static void one(struct hs_kind k, struct bytes body)
{
	union hs_any m;

	if (hs_any_decode(k, body, &m) == 0)
		round_trip(k, &m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bytes body, whole;
	struct reader r;
	uint8_t type;

	if (!size)
		return 0;
	one(kinds[data[0] % N_KINDS], (struct bytes){ data + 1, size - 1 });

	/* The engine's path: frame, then decode each message by its type. */
	reader_init(&r, data, size);
	while (hs_msg_next(&r, 1 << 16, &type, &body, &whole) == 0) {
		if (whole.len != body.len + TLS_HS_HEADER_LEN)
			fail("framing", (struct hs_kind){ .type = type }, 0);
		for (size_t i = 0; i < N_KINDS; i++)
			if (kinds[i].type == type)
				one(kinds[i], body);
	}
	return 0;
}

#ifdef HS_FUZZ_SEEDS
#include "../lib/hex.h"
#include "../lib/rfc8448.h"

/* One seed file: an optional selector byte, then n bytes. */
static int save(const char *dir, size_t i, const char *suffix,
		const uint8_t *sel, const uint8_t *p, size_t n)
{
	char path[4096];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "%s/rfc8448-%zu%s", dir, i, suffix);
	f = fopen(path, "wb");
	if (!f)
		return -1;
	ok = (!sel || fwrite(sel, 1, 1, f) == 1) && fwrite(p, 1, n, f) == n;
	return fclose(f) == 0 && ok ? 0 : -1;
}

/* Seeds: each RFC 8448 message, as selector + body and as it is. */
int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	for (size_t i = 0; i < RFC8448_COUNT; i++) {
		struct hexbuf h = unhex(rfc8448[i].hex);
		uint8_t sel = 0;

		while (sel < N_KINDS &&
		       !(kinds[sel].type == rfc8448[i].type &&
			 (!kinds[sel].version ||
			  kinds[sel].version == rfc8448[i].version)))
			sel++;
		if (save(argv[1], i, "", &sel, h.b + TLS_HS_HEADER_LEN,
			 h.len - TLS_HS_HEADER_LEN) ||
		    save(argv[1], i, "-whole", NULL, h.b, h.len))
			return 1;
	}
	return 0;
}
#endif
