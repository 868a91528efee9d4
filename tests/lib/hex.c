// SPDX-License-Identifier: MIT
/*
 * Hex test vectors: decoding (whitespace ignored, anything else malformed
 * aborts, since it is a typo in a test) and showing bytes side by side.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

struct hexbuf unhex(const char *s)
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

int bytes_are(const uint8_t *got, size_t got_len, const char *want_hex)
{
	struct hexbuf want = unhex(want_hex);

	return got_len == want.len && !memcmp(got, want.b, want.len);
}

void show_mismatch(const uint8_t *got, size_t got_len, const char *want_hex)
{
	struct hexbuf want = unhex(want_hex);

	show_bytes("got ", got, got_len);
	show_bytes("want", want.b, want.len);
}
