// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "wire/writer.h"

#define WRITER_MIN_CAP 256

void writer_init(struct writer *w, size_t limit)
{
	memset(w, 0, sizeof(*w));
	w->limit = limit;
}

void writer_free(struct writer *w)
{
	if (w->data) {
		OPENSSL_cleanse(w->data, w->cap);
		free(w->data);
	}
	writer_init(w, w->limit);
}

void writer_reset(struct writer *w)
{
	if (w->data)
		OPENSSL_cleanse(w->data, w->len);
	w->len = 0;
	w->err = 0;
	w->depth = 0;
}

static int fail(struct writer *w, int err)
{
	w->err = err;
	return err;
}

/*
 * Make room for n more bytes. The old buffer is wiped rather than
 * realloc()ed, so no copy of what was written (perhaps a key) is left
 * behind in freed memory.
 */
static int reserve(struct writer *w, size_t n)
{
	size_t need, cap;
	uint8_t *p;

	if (w->err)
		return w->err;
	if (n > w->limit || w->len > w->limit - n)
		return fail(w, -EMSGSIZE);
	need = w->len + n;
	if (need <= w->cap)
		return 0;
	cap = w->cap ? w->cap : WRITER_MIN_CAP;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if (cap > w->limit)
		cap = w->limit;
	p = malloc(cap);
	if (!p)
		return fail(w, -ENOMEM);
	if (w->data) {
		memcpy(p, w->data, w->len);
		OPENSSL_cleanse(w->data, w->cap);
		free(w->data);
	}
	w->data = p;
	w->cap = cap;
	return 0;
}

static void put_be(uint8_t *p, unsigned int bytes, uint32_t v)
{
	for (unsigned int i = bytes; i > 0; i--) {
		p[i - 1] = (uint8_t)v;
		v >>= 8;
	}
}

static int write_be(struct writer *w, unsigned int bytes, uint32_t v)
{
	TRY(reserve(w, bytes));
	put_be(w->data + w->len, bytes, v);
	w->len += bytes;
	return 0;
}

int writer_u8(struct writer *w, uint8_t v)
{
	return write_be(w, 1, v);
}

int writer_u16(struct writer *w, uint16_t v)
{
	return write_be(w, 2, v);
}

int writer_u24(struct writer *w, uint32_t v)
{
	if (!w->err && v > 0xffffff)
		return fail(w, -EINVAL);
	return write_be(w, 3, v);
}

int writer_u32(struct writer *w, uint32_t v)
{
	return write_be(w, 4, v);
}

int writer_bytes(struct writer *w, const void *p, size_t n)
{
	if (!w->err && !p && n)
		return fail(w, -EINVAL);
	TRY(reserve(w, n));
	if (n)
		memcpy(w->data + w->len, p, n);
	w->len += n;
	return 0;
}

int writer_open(struct writer *w, unsigned int prefix_bytes)
{
	if (w->err)
		return w->err;
	if (prefix_bytes < 1 || prefix_bytes > 3 ||
	    w->depth == WRITER_MAX_DEPTH)
		return fail(w, -EINVAL);
	TRY(write_be(w, prefix_bytes, 0));
	w->open[w->depth].at = w->len - prefix_bytes;
	w->open[w->depth].prefix = prefix_bytes;
	w->depth++;
	return 0;
}

int writer_close(struct writer *w, size_t min, size_t max)
{
	unsigned int prefix;
	size_t at, n;

	if (w->err)
		return w->err;
	if (!w->depth)
		return fail(w, -EINVAL);
	w->depth--;
	at = w->open[w->depth].at;
	prefix = w->open[w->depth].prefix;
	n = w->len - at - prefix;
	/* RFC 8446 §3.4: the body must fit its bounds and its prefix. */
	if (n < min || n > max || n >> (8 * prefix))
		return fail(w, -EMSGSIZE);
	put_be(w->data + at, prefix, (uint32_t)n);
	return 0;
}

int writer_vector(struct writer *w, unsigned int prefix_bytes, const void *p,
		  size_t n)
{
	TRY(writer_open(w, prefix_bytes));
	TRY(writer_bytes(w, p, n));
	return writer_close(w, 0, SIZE_MAX);
}
