// SPDX-License-Identifier: MIT
/*
 * userspace/lib/wire/writer.c: big-endian integers, nested length-prefixed
 * vectors closed with their bounds (RFC 8446 §3.4), growth up to a hard
 * limit, the sticky error, and that no byte written survives in memory
 * handed back to the allocator, also from a scoped writer.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/hex.h"
#include "wire/writer.h"

/*
 * Every free() of this program passes through here, so the test can look
 * at a buffer the writer gives back, at the moment it gives it back.
 * glibc exports its own free as __libc_free.
 */
extern void __libc_free(void *p);
static const void *watched;
static size_t watched_len;
static int watched_freed, watched_clean;

void free(void *p)
{
	if (p && p == watched) {
		const uint8_t *b = p;

		watched_clean = 1;
		for (size_t i = 0; i < watched_len; i++)
			watched_clean &= b[i] == 0;
		watched_freed = 1;
		watched = NULL;
	}
	__libc_free(p);
}

static void watch(const struct writer *w)
{
	watched = w->data;
	watched_len = w->cap;
	watched_freed = watched_clean = 0;
}

static void test_integers(void)
{
	struct writer w;

	writer_init(&w, 64);
	CHECK(writer_u8(&w, 0x01) == 0 && writer_u16(&w, 0x0203) == 0 &&
		      writer_u24(&w, 0x040506) == 0 &&
		      writer_u32(&w, 0x0708090a) == 0 &&
		      writer_bytes(&w, "\x0b\x0c", 2) == 0 &&
		      writer_bytes(&w, NULL, 0) == 0,
	      "integers and bytes are written");
	CHECK_HEX(w.data, w.len, "01 0203 040506 0708090a 0b0c",
		  "integers are big-endian, in order");
	CHECK(writer_u24(&w, 0x1000000) == -EINVAL,
	      "a u24 over 2^24-1 is refused");
	CHECK(writer_error(&w) == -EINVAL && writer_u8(&w, 0) == -EINVAL &&
		      w.len == 12,
	      "and that error sticks: nothing more is written");
	writer_reset(&w);
	CHECK(writer_error(&w) == 0 && w.len == 0 && writer_u8(&w, 7) == 0 &&
		      w.len == 1 && w.data[0] == 7,
	      "reset clears the error and the contents");
	writer_free(&w);
}

static void test_nested(void)
{
	struct writer w;

	/* An extension as RFC 8446 §4.2 nests it: type, u16 body, u8 list. */
	writer_init(&w, 64);
	CHECK(writer_u16(&w, 43) == 0 && writer_open(&w, 2) == 0 &&
		      writer_open(&w, 1) == 0 && writer_u16(&w, 0x0304) == 0 &&
		      writer_u16(&w, 0x0303) == 0 &&
		      writer_close(&w, 2, 254) == 0 &&
		      writer_close(&w, 0, 0xffff) == 0,
	      "supported_versions written as two nested vectors");
	CHECK_HEX(w.data, w.len, "002b 0005 04 0304 0303",
		  "each prefix holds the length of what it encloses");
	CHECK(w.depth == 0, "every vector is closed");

	writer_reset(&w);
	CHECK(writer_open(&w, 3) == 0 && writer_vector(&w, 1, "ab", 2) == 0 &&
		      writer_vector(&w, 2, NULL, 0) == 0 &&
		      writer_close(&w, 0, 0xffffff) == 0,
	      "writer_vector inside a u24 vector");
	CHECK_HEX(w.data, w.len, "000005 02 6162 0000",
		  "u24 prefix, then a u8 and an empty u16 vector");

	writer_reset(&w);
	for (unsigned int i = 0; i < WRITER_MAX_DEPTH; i++)
		if (writer_open(&w, 1))
			break;
	CHECK(w.depth == WRITER_MAX_DEPTH && writer_open(&w, 1) == -EINVAL,
	      "nesting deeper than WRITER_MAX_DEPTH is refused");
	writer_reset(&w);
	CHECK(writer_close(&w, 0, 10) == -EINVAL,
	      "closing a vector that was never opened is refused");
	writer_reset(&w);
	CHECK(writer_open(&w, 0) == -EINVAL, "a 0-byte prefix is refused");
	writer_reset(&w);
	CHECK(writer_open(&w, 4) == -EINVAL, "a 4-byte prefix is refused");
	writer_free(&w);
}

static void test_bounds(void)
{
	uint8_t big[300] = { 0 };
	struct writer w;

	writer_init(&w, 1024);
	/* RFC 8446 §4.2.7: named_group_list<2..2^16-1> may not be empty */
	CHECK(writer_open(&w, 2) == 0 && writer_close(&w, 2, 0xffff) ==
						 -EMSGSIZE,
	      "a vector shorter than its minimum fails on close");
	CHECK(writer_error(&w) == -EMSGSIZE && writer_u8(&w, 1) == -EMSGSIZE &&
		      writer_close(&w, 0, 10) == -EMSGSIZE,
	      "the failure is sticky: later writes and closes return it");

	writer_reset(&w);
	CHECK(writer_open(&w, 1) == 0 && writer_bytes(&w, big, 33) == 0 &&
		      writer_close(&w, 0, 32) == -EMSGSIZE,
	      "a vector longer than its maximum fails on close");

	writer_reset(&w);
	CHECK(writer_open(&w, 1) == 0 && writer_bytes(&w, big, 256) == 0 &&
		      writer_close(&w, 0, SIZE_MAX) == -EMSGSIZE,
	      "256 bytes do not fit a 1-byte prefix, whatever the bound");

	writer_reset(&w);
	CHECK(writer_open(&w, 1) == 0 && writer_bytes(&w, big, 255) == 0 &&
		      writer_close(&w, 1, 255) == 0 && w.len == 256 &&
		      w.data[0] == 255,
	      "255 bytes do");
	writer_free(&w);
}

static void test_growth_and_limit(void)
{
	struct writer w;
	size_t i;
	int ok = 1;

	writer_init(&w, 100000);
	for (i = 0; i < 100000 && ok; i++)
		ok = writer_u8(&w, (uint8_t)(i * 7)) == 0;
	CHECK(ok && w.len == 100000 && w.cap >= w.len && w.cap <= w.limit,
	      "the buffer grows to 100000 one byte at a time");
	for (i = 0; i < w.len && ok; i++)
		ok = w.data[i] == (uint8_t)(i * 7);
	CHECK(ok, "and every byte survives each reallocation");
	CHECK(writer_u8(&w, 0) == -EMSGSIZE && w.len == 100000,
	      "one byte past the limit is -EMSGSIZE, nothing written");
	CHECK(writer_error(&w) == -EMSGSIZE, "and sticks");
	writer_free(&w);

	writer_init(&w, 10);
	CHECK(writer_bytes(&w, "0123456789", 10) == 0 && w.len == 10,
	      "exactly the limit fits");
	writer_reset(&w);
	CHECK(writer_bytes(&w, "0123456789a", 11) == -EMSGSIZE && w.len == 0,
	      "a write that would cross the limit writes nothing");
	writer_reset(&w);
	CHECK(writer_open(&w, 3) == 0 && writer_bytes(&w, "01234567", 8) ==
						 -EMSGSIZE,
	      "a vector's prefix counts against the limit");
	writer_free(&w);
}

static void test_wipe(void)
{
	static const char key[] = "not-a-real-key-but-wipe-it-anyway";
	struct writer w;
	size_t i;
	int ok = 1;

	writer_init(&w, 1 << 20);
	CHECK(writer_bytes(&w, key, sizeof(key)) == 0, "a key is written");
	watch(&w);
	for (i = 0; i < 4096 && ok; i++)
		ok = writer_u8(&w, 0xa5) == 0;
	CHECK(ok && watched_freed && watched_clean,
	      "growing wipes the buffer it leaves behind");

	watch(&w);
	writer_free(&w);
	CHECK(watched_freed && watched_clean,
	      "writer_free wipes the whole buffer before freeing it");
	CHECK(w.data == NULL && w.len == 0 && w.cap == 0,
	      "and leaves an empty writer");

	CHECK(writer_bytes(&w, key, sizeof(key)) == 0,
	      "a freed writer is reusable");
	watch(&w);
	writer_reset(&w);
	CHECK(!watched_freed && w.cap && w.data[0] == 0 && w.len == 0,
	      "reset keeps the buffer but clears what was written");
	writer_free(&w);
}

/* A scoped writer holding a key, left by an early return as TRY() leaves. */
static int scoped_early_return(const char *key, size_t len)
{
	WRITER_SCOPED(w, 1 << 20);

	if (writer_bytes(&w, key, len))
		return -ENOMEM;
	watch(&w);
	return -EAGAIN;
}

static void test_scoped(void)
{
	static const char key[] = "not-a-real-key-but-wipe-it-anyway";

	CHECK(scoped_early_return(key, sizeof(key)) == -EAGAIN &&
		      watched_freed && watched_clean,
	      "a scoped writer is wiped and freed when its function returns");
	{
		WRITER_SCOPED(w, 4);

		CHECK(!w.data && !w.len && !writer_error(&w) &&
			      writer_bytes(&w, "01234", 5) == -EMSGSIZE,
		      "a scoped writer starts empty, with its limit");
	}
}

int main(void)
{
	test_integers();
	test_nested();
	test_bounds();
	test_growth_and_limit();
	test_wipe();
	test_scoped();
	return check_summary();
}
