/* SPDX-License-Identifier: MIT */
/*
 * A TLS record stream read raw, as a peer without the keys sees it: to its
 * end, then cut into records by their headers. The close tests use it to
 * tell a stream that ended on a record boundary from one cut short.
 */
#ifndef KTLSO_RAW_STREAM_H
#define KTLSO_RAW_STREAM_H

#include <stddef.h>
#include <stdint.h>

struct raw_stream {
	size_t bytes;	/* everything received */
	size_t whole;	/* of which in whole records */
	size_t records;	/* whole records */
	size_t payload;	/* their length fields, summed */
	int err;	/* 0 when a FIN ended it, else the errno that did */
};

/* Read @fd to its end into @buf (@cap bytes; more is an error, EMSGSIZE). */
void raw_stream_read(int fd, uint8_t *buf, size_t cap, struct raw_stream *rs);

/*
 * A ktlso sender and its raw peer on loopback: TLS 1.3 AES-GCM-128 with an
 * all-zero key (the peer only counts records); the peer's reads give up
 * after @timeout_s seconds. Exits 2 when the sender cannot be set up.
 */
void raw_stream_pair(int *sender, int *peer, int timeout_s);

/* The plaintext in @rs's whole records of raw_stream_pair()'s sender. */
size_t raw_stream_plaintext(const struct raw_stream *rs);

#endif /* KTLSO_RAW_STREAM_H */
