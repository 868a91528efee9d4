/* SPDX-License-Identifier: MIT */
/*
 * Test vectors as published ("b6 7b 7d 69 ..." or "bdbbe875..."), decoded at
 * run time so they can be pasted from the source unchanged, and a check
 * that compares real bytes and shows both sides when they differ.
 */
#ifndef KTLSO_TEST_HEX_H
#define KTLSO_TEST_HEX_H

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"

/* A test with longer vectors defines its own before including this. */
#ifndef HEX_MAX
#define HEX_MAX 256
#endif

/* A decoded vector. Malformed hex is a bug in the test itself: abort. */
struct hexbuf {
	size_t len;
	uint8_t b[HEX_MAX];
};

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static struct hexbuf unhex(const char *s)
{
	struct hexbuf h = { 0 };
	int hi = -1;

	for (; *s; s++) {
		int v;

		if (isspace((unsigned char)*s))
			continue;
		v = nibble(*s);
		if (v < 0 || (hi < 0 && h.len == HEX_MAX)) {
			fprintf(stderr, "bad test vector near \"%.16s\"\n", s);
			abort();
		}
		if (hi < 0) {
			hi = v;
		} else {
			h.b[h.len++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	if (hi >= 0) {
		fprintf(stderr, "odd-length test vector\n");
		abort();
	}
	return h;
}

static void show_bytes(const char *tag, const uint8_t *p, size_t n)
{
	printf("    %s (%zu):", tag, n);
	for (size_t i = 0; i < n; i++)
		printf(" %02x", p[i]);
	printf("\n");
}

static int bytes_are(const uint8_t *got, size_t got_len, const char *want_hex)
{
	struct hexbuf want = unhex(want_hex);

	return got_len == want.len && !memcmp(got, want.b, want.len);
}

static void show_mismatch(const uint8_t *got, size_t got_len,
			  const char *want_hex)
{
	struct hexbuf want = unhex(want_hex);

	show_bytes("got ", got, got_len);
	show_bytes("want", want.b, want.len);
}

/* CHECK_HEX(bytes, len, "hex", "description", ...) */
#define CHECK_HEX(got, got_len, want_hex, ...)                                 \
	do {                                                                   \
		int ok_ = bytes_are((got), (got_len), (want_hex));             \
		check_report(ok_, #got " == " #want_hex, __LINE__,             \
			     __VA_ARGS__);                                     \
		if (!ok_)                                                      \
			show_mismatch((got), (got_len), (want_hex));           \
	} while (0)

/* CHECK_SECRET(&secret, "hex", "description", ...) */
#define CHECK_SECRET(s, want_hex, ...)                                         \
	CHECK_HEX((s)->bytes, (s)->len, want_hex, __VA_ARGS__)

#endif /* KTLSO_TEST_HEX_H */
