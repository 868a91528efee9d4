/* SPDX-License-Identifier: MIT */
/*
 * Session ticket keys (RFC 5077 §4, RFC 8446 §4.6.1): the AES-256-GCM keys
 * a server seals its tickets with, and the sealing itself.
 *
 *   ticket = key_name[16] || nonce[12] || AES-256-GCM(key, nonce,
 *            aad = key_name, state) || tag[16]
 *
 * The key name travels in the clear so that the server (or another host of
 * the fleet holding the same key file) finds the key that opens it. A ring
 * holds the key tickets are sealed with (keys[0]) and the keys still
 * accepted. It comes from one of:
 *
 *  - ticket_keys_generate(): random keys of this process. The sealing key
 *    is replaced once it is `lifetime` seconds old; the previous one keeps
 *    opening tickets for another `lifetime`, so every ticket it sealed can
 *    live out its lifetime. Nothing is written to disk.
 *  - ticket_keys_load(): a file of TICKET_KEY_RECORD_LEN-byte records
 *    (name, then key) that an operator distributes to every host of a
 *    fleet; the first record seals, every record opens. Never rotated by
 *    us: rotating is replacing the file (and reloading).
 *
 * A ring is shared by every worker thread: a mutex guards rotation, and
 * seal/open copy the key they need out under it. The keys are long-term
 * secrets: wiped on free.
 */
#ifndef KTLSO_TICKET_KEYS_H
#define KTLSO_TICKET_KEYS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "try.h"

#define TICKET_KEY_NAME_LEN 16
#define TICKET_KEY_LEN 32
#define TICKET_KEY_RECORD_LEN (TICKET_KEY_NAME_LEN + TICKET_KEY_LEN)
#define TICKET_KEYS_MAX 16		/* records in a key file */
#define TICKET_NONCE_LEN 12
#define TICKET_TAG_LEN 16
#define TICKET_OVERHEAD (TICKET_KEY_NAME_LEN + TICKET_NONCE_LEN + TICKET_TAG_LEN)

struct ticket_keys;

/* A ring of random keys, rotated every lifetime seconds from now_s. */
int ticket_keys_generate(struct ticket_keys **out, uint32_t lifetime,
			 int64_t now_s) WUR;

/*
 * A ring read from a key file: 1 to TICKET_KEYS_MAX records, a regular
 * file no one but its owner can read or write (-EPERM, with its own
 * message: the keys decrypt every ticket they sealed). If owner is not
 * (uid_t)-1, the file must belong to owner or root. A reason goes in err.
 */
int ticket_keys_load(struct ticket_keys **out, const char *path, uid_t owner,
		     char *err, size_t errlen) WUR;

/*
 * Another reference to k, for a configuration reloaded with the same
 * profile (the keys, generated ones above all, live on); each reference
 * is dropped with ticket_keys_free(), the last one frees.
 */
struct ticket_keys *ticket_keys_hold(struct ticket_keys *k);
void ticket_keys_free(struct ticket_keys *k);

/* How many keys open tickets now (tests, status). */
size_t ticket_keys_count(struct ticket_keys *k, int64_t now_s);

/*
 * Seal plain (len bytes) into out, which takes len + TICKET_OVERHEAD.
 * A generated ring rotates first if its sealing key is due.
 */
int ticket_seal(struct ticket_keys *k, int64_t now_s, const uint8_t *plain,
		size_t len, uint8_t *out, size_t cap, size_t *out_len) WUR;

/*
 * Open a ticket into plain (cap >= len - TICKET_OVERHEAD). -ENOENT: no key
 * of that name (unknown, or rotated out); -EBADMSG: too short, or it does
 * not authenticate (tampered, or another key of the same name).
 */
int ticket_open(struct ticket_keys *k, int64_t now_s, const uint8_t *ticket,
		size_t len, uint8_t *plain, size_t cap, size_t *plain_len) WUR;

#endif /* KTLSO_TICKET_KEYS_H */
