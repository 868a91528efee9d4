// SPDX-License-Identifier: MIT
/*
 * TLS vectors of items (RFC 8446 §3.4): read and written from one
 * description (struct hs_list, hs_ext.h), and the wire-form lists of
 * hs_msg.h, searched for the engine and built for what it offers.
 */
#include <errno.h>
#include <string.h>

#include "wire/hs_ext.h"

struct bytes hs_rest(struct reader *r)
{
	struct bytes b = { NULL, reader_left(r) };

	if (reader_borrow(r, b.len, &b.p))
		b.len = 0; /* cannot happen: exactly what is left */
	return b;
}

/* Every item of a list body r is l->head bytes and its inner vector. */
static int list_items(struct reader r, const struct hs_list *l)
{
	struct reader item;

	if (!l->inner)
		return reader_left(&r) % l->head ? -EBADMSG : 0;
	while (!reader_done(&r)) {
		TRY(reader_skip(&r, l->head));
		TRY(reader_vector(&r, l->inner, l->inner_min, l->inner_max,
				  &item));
	}
	return 0;
}

int hs_list_read(struct reader *r, const struct hs_list *l, struct bytes *out)
{
	struct reader body;

	TRY(reader_vector(r, l->prefix, l->min, l->max, &body));
	TRY(list_items(body, l));
	*out = hs_rest(&body);
	return 0;
}

int hs_list_write(struct writer *w, const struct hs_list *l, struct bytes in)
{
	struct reader body;

	reader_init(&body, in.p, in.len);
	ENSURE(list_items(body, l) == 0, -EINVAL);
	TRY(writer_open(w, l->prefix));
	TRY(writer_bytes(w, in.p, in.len));
	return writer_close(w, l->min, l->max);
}

bool hs_u16_list_has(struct bytes list, uint16_t v)
{
	struct reader r;
	uint16_t x;

	reader_init(&r, list.p, list.len);
	while (reader_u16(&r, &x) == 0)
		if (x == v)
			return true;
	return false;
}

bool hs_u8_list_has(struct bytes list, uint8_t v)
{
	struct reader r;
	uint8_t x;

	reader_init(&r, list.p, list.len);
	while (reader_u8(&r, &x) == 0)
		if (x == v)
			return true;
	return false;
}

bool hs_u16_list_at(struct bytes list, size_t n, uint16_t *v)
{
	struct reader r;

	reader_init(&r, list.p, list.len);
	return n < list.len / 2 && reader_skip(&r, 2 * n) == 0 &&
	       reader_u16(&r, v) == 0;
}

struct bytes hs_u16_list(const uint16_t *values, size_t n, uint8_t *out)
{
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = (uint8_t)(values[i] >> 8);
		out[2 * i + 1] = (uint8_t)values[i];
	}
	return (struct bytes){ out, 2 * n };
}

int hs_key_share_find(struct bytes key_shares, uint16_t group,
		      struct bytes *key_exchange)
{
	struct reader r, ke;
	uint16_t g;

	reader_init(&r, key_shares.p, key_shares.len);
	while (!reader_done(&r)) {
		/* RFC 8446 §4.2.8: KeyShareEntry */
		TRY(reader_u16(&r, &g));
		TRY(reader_vector(&r, 2, 1, 0xffff, &ke));
		if (g == group) {
			*key_exchange = hs_rest(&ke);
			return 0;
		}
	}
	return -ENOENT;
}

int hs_key_share_next(struct reader *r, uint16_t *group,
		      struct bytes *key_exchange)
{
	struct reader ke;

	if (reader_done(r))
		return -ENOENT;
	/* RFC 8446 §4.2.8: KeyShareEntry */
	TRY(reader_u16(r, group));
	TRY(reader_vector(r, 2, 1, 0xffff, &ke));
	*key_exchange = hs_rest(&ke);
	return 0;
}

int hs_key_share_add(uint8_t *buf, size_t cap, struct bytes *list,
		     uint16_t group, struct bytes key_exchange)
{
	size_t at = list->len;

	ENSURE(!at || list->p == buf, -EINVAL);
	ENSURE(key_exchange.len >= 1 && key_exchange.len <= 0xffff, -EINVAL);
	ENSURE(at <= cap && 4 + key_exchange.len <= cap - at, -EMSGSIZE);
	buf[at] = (uint8_t)(group >> 8);
	buf[at + 1] = (uint8_t)group;
	buf[at + 2] = (uint8_t)(key_exchange.len >> 8);
	buf[at + 3] = (uint8_t)key_exchange.len;
	memcpy(buf + at + 4, key_exchange.p, key_exchange.len);
	list->p = buf;
	list->len = at + 4 + key_exchange.len;
	return 0;
}

/* The next ProtocolName of a ProtocolNameList body; false at the end. */
static int next_name(struct reader *r, struct bytes *name)
{
	struct reader n;

	TRY(reader_vector(r, 1, 1, 0xff, &n));
	*name = hs_rest(&n);
	return 0;
}

static bool same(struct bytes a, struct bytes b)
{
	return a.len == b.len && !memcmp(a.p, b.p, a.len);
}

int hs_alpn_select(struct bytes ours, struct bytes offered,
		   struct bytes *selected)
{
	struct bytes mine, theirs;
	struct reader o, t;

	/* RFC 7301 §3.2: the server picks, by its own preference */
	reader_init(&o, ours.p, ours.len);
	while (!reader_done(&o)) {
		TRY(next_name(&o, &mine));
		reader_init(&t, offered.p, offered.len);
		while (!reader_done(&t)) {
			TRY(next_name(&t, &theirs));
			if (same(mine, theirs)) {
				*selected = mine;
				return 0;
			}
		}
	}
	return -ENOENT;
}

int hs_alpn_from_string(const char *csv, uint8_t *out, size_t cap,
			struct bytes *list)
{
	size_t len = 0, n;
	const char *end;

	ENSURE(csv, -EINVAL);
	for (;;) {
		end = strchrnul(csv, ',');
		n = (size_t)(end - csv);
		/* RFC 7301 §3.1: opaque ProtocolName<1..2^8-1> */
		ENSURE(n >= 1 && n <= 0xff, -EINVAL);
		ENSURE(len <= cap && 1 + n <= cap - len, -EMSGSIZE);
		out[len++] = (uint8_t)n;
		memcpy(out + len, csv, n);
		len += n;
		if (!*end)
			break;
		csv = end + 1;
	}
	/* ProtocolName protocol_name_list<2..2^16-1> */
	ENSURE(len <= 0xffff, -EINVAL);
	*list = (struct bytes){ out, len };
	return 0;
}
