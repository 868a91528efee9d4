/* SPDX-License-Identifier: MIT */
/*
 * The one bounds-checked reader for everything a peer sends.
 *
 * A reader is a window (data, len) and a cursor. Every read either succeeds
 * whole and advances the cursor, or fails with -EBADMSG (TLS's decode_error)
 * and leaves the cursor where it was. Integers are big-endian, as on the
 * wire. Nothing else in ktlso does pointer arithmetic on peer data.
 */
#ifndef KTLSO_READER_H
#define KTLSO_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "try.h"

struct reader {
	const uint8_t *data;
	size_t len;
	size_t pos;
};

void reader_init(struct reader *r, const void *data, size_t len);

static inline size_t reader_left(const struct reader *r)
{
	return r->len - r->pos;
}

static inline bool reader_done(const struct reader *r)
{
	return r->pos == r->len;
}

int reader_u8(struct reader *r, uint8_t *out) WUR;
int reader_u16(struct reader *r, uint16_t *out) WUR;
int reader_u24(struct reader *r, uint32_t *out) WUR;
int reader_u32(struct reader *r, uint32_t *out) WUR;

/* Copy n bytes out. */
int reader_copy(struct reader *r, void *out, size_t n) WUR;
/* Borrow n bytes in place; *out stays valid as long as the data does. */
int reader_borrow(struct reader *r, size_t n, const uint8_t **out) WUR;
int reader_skip(struct reader *r, size_t n) WUR;

/*
 * A TLS vector <min..max> with a 1, 2 or 3 byte length prefix
 * (RFC 8446 §3.4): checks the bounds and hands its body out as a sub-reader.
 */
int reader_vector(struct reader *r, unsigned int prefix_bytes, size_t min,
		  size_t max, struct reader *body) WUR;

#endif /* KTLSO_READER_H */
