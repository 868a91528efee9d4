/* SPDX-License-Identifier: MIT */
/*
 * Inside the handshake codec (hs_msg.c, hs_ext.c, hs_list.c); nothing else
 * includes this. Two things the messages and their extensions share:
 *
 *  - struct hs_list (hs_list.c): the syntax of one TLS vector (RFC 8446
 *    §3.4) whose items are `head` fixed bytes optionally followed by an
 *    inner vector, read and written by the same description so the two
 *    cannot disagree.
 *  - the extensions block (hs_ext.c; RFC 8446 §4.2, RFC 5246 §7.4.1.4):
 *    one walker and one writer, driven by a table per message of the
 *    extensions that message may carry, in the order they are written.
 */
#ifndef KTLSO_HS_EXT_H
#define KTLSO_HS_EXT_H

#include "wire/hs_msg.h"

struct hs_list {
	uint8_t prefix;		/* length prefix: 1, 2 or 3 bytes */
	uint32_t min, max;	/* bounds of the whole body */
	uint8_t head;		/* fixed bytes at the start of each item */
	uint8_t inner;		/* prefix of the item's vector, 0: none */
	uint32_t inner_min, inner_max;
};

/* opaque x<lo..hi> */
#define HS_OPAQUE(pfx, lo, hi)                                                 \
	{ .prefix = pfx, .min = lo, .max = hi, .head = 1 }
/* uint16 x<lo..hi> (lo, hi in bytes, as the RFCs write them) */
#define HS_U16S(pfx, lo, hi) { .prefix = pfx, .min = lo, .max = hi, .head = 2 }
/* items of hd fixed bytes and an opaque <ilo..ihi> with an ipfx prefix */
#define HS_NESTED(pfx, lo, hi, hd, ipfx, ilo, ihi)                            \
	{ .prefix = pfx, .min = lo, .max = hi, .head = hd, .inner = ipfx,      \
	  .inner_min = ilo, .inner_max = ihi }

/* Read a list; -EBADMSG if it breaks l. *out is its body. */
int hs_list_read(struct reader *r, const struct hs_list *l,
		 struct bytes *out) WUR;
/* Write one; -EINVAL if in is not a body of l, else the writer's error. */
int hs_list_write(struct writer *w, const struct hs_list *l,
		  struct bytes in) WUR;

/* The unread rest of r, borrowed; r is done afterwards. */
struct bytes hs_rest(struct reader *r);

/* RFC 6066 §8 CertificateStatus: status_type ocsp and the OCSPResponse. */
int hs_cert_status_read(struct reader *r, struct bytes *ocsp_response) WUR;
int hs_cert_status_write(struct writer *w, struct bytes ocsp_response) WUR;

/* The messages that carry an extensions block. */
enum hs_ext_msg {
	HS_EXT_IN_CLIENT_HELLO,		/* struct client_hello */
	HS_EXT_IN_SERVER_HELLO,		/* struct server_hello */
	HS_EXT_IN_HRR,			/* struct server_hello */
	HS_EXT_IN_ENCRYPTED_EXTENSIONS,	/* struct encrypted_extensions */
	HS_EXT_IN_CERTIFICATE_REQUEST,	/* struct certificate_request */
	HS_EXT_IN_CERTIFICATE_ENTRY,	/* struct certificate */
	HS_EXT_IN_NEW_SESSION_TICKET,	/* nothing kept */
};

/*
 * Read the extensions block at r into msg, the struct named above, and set
 * *exts to the bits seen. Errors as in hs_msg.h.
 */
int hs_ext_decode(struct reader *r, enum hs_ext_msg m, void *msg,
		  uint32_t *exts) WUR;
/* Write the block: one extension per bit in exts, from msg's fields. */
int hs_ext_encode(struct writer *w, enum hs_ext_msg m, const void *msg,
		  uint32_t exts) WUR;

#endif /* KTLSO_HS_EXT_H */
