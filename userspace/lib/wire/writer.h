/* SPDX-License-Identifier: MIT */
/*
 * The writer: the reader's counterpart for everything ktlso sends.
 *
 * A writer appends big-endian integers, bytes and length-prefixed TLS
 * vectors (RFC 8446 §3.4) to a heap buffer that grows up to a hard limit.
 * A vector is opened, filled and closed; closing writes its length into the
 * prefix and checks the vector's bounds, so no encoder computes a length by
 * hand. Any failure (-ENOMEM, -EMSGSIZE over the limit or a vector bound) is
 * returned from that call and is also sticky: writer_error() reports it, and
 * later writes do nothing.
 */
#ifndef KTLSO_WRITER_H
#define KTLSO_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "try.h"

#define WRITER_MAX_DEPTH 6

struct writer {
	uint8_t *data;
	size_t len;
	size_t cap;
	size_t limit;
	int err;
	unsigned int depth;
	struct {
		size_t at;	     /* offset of the length prefix */
		unsigned int prefix; /* 1, 2 or 3 bytes */
	} open[WRITER_MAX_DEPTH];
};

/* An empty writer that may grow to limit bytes. */
void writer_init(struct writer *w, size_t limit);
/* Wipe (the buffer may hold secrets) and free. */
void writer_free(struct writer *w);

/*
 * A writer (empty, growing up to max) that is wiped and freed when the
 * variable goes out of scope, on every path, as SECRET_SCOPED does for
 * secrets; so an early TRY() return cannot leak it:
 *
 *	WRITER_SCOPED(msg, 1024);
 *	TRY(hs_finished_encode(&msg, &fin));
 *	return engine_send_msg(e, &msg);
 */
#define WRITER_SCOPED(name, max)                                  \
	struct writer name __attribute__((cleanup(writer_free))) = \
		{ .limit = (max) }

/* Forget the contents, keep the buffer. */
void writer_reset(struct writer *w);

static inline int writer_error(const struct writer *w)
{
	return w->err;
}

int writer_u8(struct writer *w, uint8_t v) WUR;
int writer_u16(struct writer *w, uint16_t v) WUR;
int writer_u24(struct writer *w, uint32_t v) WUR;
int writer_u32(struct writer *w, uint32_t v) WUR;
int writer_bytes(struct writer *w, const void *p, size_t n) WUR;

/* Open a vector with a prefix_bytes length; close it with its bounds. */
int writer_open(struct writer *w, unsigned int prefix_bytes) WUR;
int writer_close(struct writer *w, size_t min, size_t max) WUR;

/* A whole vector in one call: prefix, then n bytes of p. */
int writer_vector(struct writer *w, unsigned int prefix_bytes, const void *p,
		  size_t n) WUR;

#endif /* KTLSO_WRITER_H */
