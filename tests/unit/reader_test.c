// SPDX-License-Identifier: MIT
/* userspace/lib/wire/reader.c: every read is whole or fails without moving. */
#include <errno.h>
#include <stdint.h>

#include "../lib/check.h"
#include "wire/reader.h"

static void test_integers(void)
{
	static const uint8_t wire[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
					0x07, 0x08, 0x09, 0x0a };
	struct reader r;
	uint8_t u8;
	uint16_t u16;
	uint32_t u24, u32;

	reader_init(&r, wire, sizeof(wire));
	CHECK(reader_u8(&r, &u8) == 0 && u8 == 0x01, "u8 reads one byte");
	CHECK(reader_u16(&r, &u16) == 0 && u16 == 0x0203, "u16 is big-endian");
	CHECK(reader_u24(&r, &u24) == 0 && u24 == 0x040506, "u24 is big-endian");
	CHECK(reader_u32(&r, &u32) == 0 && u32 == 0x0708090a, "u32 is big-endian");
	CHECK(reader_done(&r), "all bytes consumed");
}

static int read_u16(struct reader *r) { uint16_t v; return reader_u16(r, &v); }
static int read_u24(struct reader *r) { uint32_t v; return reader_u24(r, &v); }
static int read_u32(struct reader *r) { uint32_t v; return reader_u32(r, &v); }
static int skip_3(struct reader *r) { return reader_skip(r, 3); }
static int skip_huge(struct reader *r) { return reader_skip(r, SIZE_MAX); }
static int copy_4(struct reader *r) { uint8_t b[4]; return reader_copy(r, b, 4); }

static void test_short_input_fails_in_place(void)
{
	static const uint8_t wire[] = { 0xaa, 0xbb, 0xcc };
	const struct {
		const char *name;
		size_t offset;
		int (*read)(struct reader *r);
	} cases[] = {
		{ "u16 with one byte left", 2, read_u16 },
		{ "u24 with two bytes left", 1, read_u24 },
		{ "u32 with three bytes left", 0, read_u32 },
		{ "skip past the end", 1, skip_3 },
		{ "huge skip does not wrap", 1, skip_huge },
		{ "copy past the end", 0, copy_4 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct reader r;

		reader_init(&r, wire, sizeof(wire));
		r.pos = cases[i].offset;
		CHECK(cases[i].read(&r) == -EBADMSG && r.pos == cases[i].offset,
		      "%s: EBADMSG, cursor unmoved", cases[i].name);
	}
}

static void test_vectors(void)
{
	/* <2..5> with a 1-byte prefix holding 3 bytes, then a u16-prefixed
	 * empty vector, then a truncated u24-prefixed one.
	 */
	static const uint8_t wire[] = { 0x03, 'a', 'b', 'c', 0x00, 0x00,
					0x00, 0x00, 0x09, 'x' };
	struct reader r, body;
	const uint8_t *p;
	size_t before;

	reader_init(&r, wire, sizeof(wire));
	CHECK(reader_vector(&r, 1, 2, 5, &body) == 0 && reader_left(&body) == 3,
	      "1-byte vector yields its 3-byte body");
	CHECK(reader_borrow(&body, 3, &p) == 0 && p[0] == 'a' && p[2] == 'c' &&
		      reader_done(&body),
	      "body reads exactly the vector's bytes");
	CHECK(reader_vector(&r, 2, 0, 10, &body) == 0 && reader_done(&body),
	      "empty 2-byte vector is allowed when min is 0");

	before = r.pos;
	CHECK(reader_vector(&r, 3, 0, 100, &body) == -EBADMSG && r.pos == before,
	      "vector longer than the input fails, cursor unmoved");

	reader_init(&r, wire, sizeof(wire));
	CHECK(reader_vector(&r, 1, 4, 5, &body) == -EBADMSG && r.pos == 0,
	      "vector shorter than its minimum fails");
	CHECK(reader_vector(&r, 1, 0, 2, &body) == -EBADMSG && r.pos == 0,
	      "vector longer than its maximum fails");
	CHECK(reader_vector(&r, 4, 0, 2, &body) == -EINVAL,
	      "a 4-byte length prefix is a caller bug, not a decode error");
}

static void test_empty(void)
{
	struct reader r;
	uint8_t b;

	reader_init(&r, NULL, 5);
	CHECK(reader_left(&r) == 0 && reader_u8(&r, &b) == -EBADMSG,
	      "a NULL buffer reads as empty whatever its length");
}

int main(void)
{
	test_integers();
	test_short_input_fails_in_place();
	test_vectors();
	test_empty();
	return check_summary();
}
