/* SPDX-License-Identifier: MIT */
/*
 * Test vectors as published ("b6 7b 7d 69 ..." or "bdbbe875..."), decoded at
 * run time so they can be pasted from the source unchanged, and a check
 * that compares real bytes and shows both sides when they differ.
 */
#ifndef KTLSO_TEST_HEX_H
#define KTLSO_TEST_HEX_H

#include <stddef.h>
#include <stdint.h>

#include "check.h"

/* Room for the longest vector (record_test.c's 679-byte server flight). */
#define HEX_MAX 1024

/* A decoded vector. Malformed hex is a bug in the test itself: abort. */
struct hexbuf {
	size_t len;
	uint8_t b[HEX_MAX];
};

struct hexbuf unhex(const char *s);

/* Whether got[0..got_len) is exactly the bytes want_hex spells. */
int bytes_are(const uint8_t *got, size_t got_len, const char *want_hex);

/* Both sides, one line each, under a failed check. */
void show_mismatch(const uint8_t *got, size_t got_len, const char *want_hex);

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
