// SPDX-License-Identifier: MIT
#include <errno.h>
#include <string.h>

#include "wire/reader.h"

void reader_init(struct reader *r, const void *data, size_t len)
{
	r->data = data;
	r->len = data ? len : 0;
	r->pos = 0;
}

int reader_borrow(struct reader *r, size_t n, const uint8_t **out)
{
	ENSURE(n <= reader_left(r), -EBADMSG);
	*out = r->data + r->pos;
	r->pos += n;
	return 0;
}

int reader_skip(struct reader *r, size_t n)
{
	const uint8_t *unused;

	return reader_borrow(r, n, &unused);
}

int reader_copy(struct reader *r, void *out, size_t n)
{
	const uint8_t *p;

	TRY(reader_borrow(r, n, &p));
	if (n)
		memcpy(out, p, n);
	return 0;
}

static int read_be(struct reader *r, unsigned int bytes, uint32_t *out)
{
	const uint8_t *p;
	uint32_t v = 0;

	TRY(reader_borrow(r, bytes, &p));
	for (unsigned int i = 0; i < bytes; i++)
		v = v << 8 | p[i];
	*out = v;
	return 0;
}

int reader_u8(struct reader *r, uint8_t *out)
{
	uint32_t v;

	TRY(read_be(r, 1, &v));
	*out = (uint8_t)v;
	return 0;
}

int reader_u16(struct reader *r, uint16_t *out)
{
	uint32_t v;

	TRY(read_be(r, 2, &v));
	*out = (uint16_t)v;
	return 0;
}

int reader_u24(struct reader *r, uint32_t *out)
{
	return read_be(r, 3, out);
}

int reader_u32(struct reader *r, uint32_t *out)
{
	return read_be(r, 4, out);
}

int reader_vector(struct reader *r, unsigned int prefix_bytes, size_t min,
		  size_t max, struct reader *body)
{
	size_t start = r->pos;
	const uint8_t *p;
	uint32_t n;
	int err;

	ENSURE(prefix_bytes >= 1 && prefix_bytes <= 3, -EINVAL);
	TRY(read_be(r, prefix_bytes, &n));
	err = n < min || n > max ? -EBADMSG : reader_borrow(r, n, &p);
	if (err) {
		r->pos = start;
		return err;
	}
	reader_init(body, p, n);
	return 0;
}
