/* SPDX-License-Identifier: MIT */
/*
 * The TLS record layer in userspace (RFC 8446 §5, RFC 5246 §6.2).
 *
 * The handshake engine uses it for its own records: plaintext hellos, TLS
 * 1.3's encrypted handshake, TLS 1.2's Finished; test tools use it to
 * protect application data. Bulk application data is the kernel's.
 *
 *   record_parse()  one whole record at the reader's cursor, and nothing past
 *                   it: the kernel takes the stream over at the next byte
 *   record_open()   authenticate and decrypt it with one direction's keys
 *   record_seal()   build one protected (or plaintext) record
 *
 * A struct record_dir is one direction's state: cipher, static IV, sequence
 * number and reusable libcrypto contexts (which hold the keys and clear them
 * when freed). Start from a zeroed struct: a zeroed dir refuses to work
 * (-EINVAL) until record_dir_plain() or record_dir_keys() sets it, and a
 * failed record_dir_keys() leaves it zeroed again, never in plaintext.
 *
 *   cipher              version  iv (struct record_keys)     on the wire
 *   AES-128/256-GCM     1.3      12-byte IV, XOR seq (§5.3)  ct + tag
 *   ChaCha20-Poly1305   1.3      12-byte IV, XOR seq (§5.3)  ct + tag
 *   AES-128/256-GCM     1.2      4-byte salt (RFC 5288 §3)   seq + ct + tag
 *   ChaCha20-Poly1305   1.2      12-byte IV, XOR seq (RFC 7905 §2)  ct + tag
 *   AES-128/256-CBC     1.2      unused: random per-record   IV + ct
 *     -HMAC-SHA1/SHA256,         IV (RFC 5246 §6.2.3.2)      (+ MAC, RFC 7366)
 *   AES-256-CBC-HMAC-SHA384
 *
 * Errors and the alert each calls for (RFC 8446 §6.2, RFC 5246 §7.2):
 *   -EAGAIN           (record_parse) no whole record yet; not an error
 *   -EBADMSG          bad_record_mac: authentication failed; for CBC also bad
 *                     padding, a ciphertext no record can have. (Elsewhere in
 *                     libktlso -EBADMSG is the reader's decode_error.)
 *   -EMSGSIZE         record_overflow: a length over RFC 8446 §5.1/§5.2/§5.4
 *                     or RFC 5246 §6.2.1/§6.2.3
 *   -EPROTO           unexpected_message: unknown content type, TLS 1.3
 *                     outer type not application_data, inner plaintext all
 *                     zeros or of type change_cipher_spec, an empty
 *                     handshake, alert or change_cipher_spec fragment
 *   -EPROTONOSUPPORT  protocol_version: TLS 1.2 record version not 0x0303
 *   -EKEYEXPIRED      the sequence number is used up (RFC 8446 §5.3,
 *                     RFC 5246 §6.1): rekey (KeyUpdate) or close
 *   -EINVAL -ENOBUFS -EOPNOTSUPP -ENOMEM -EIO
 *                     the caller's or libcrypto's fault: internal_error
 * A direction that failed to open a record must not be used again: the
 * connection is over (RFC 8446 §5.2: bad_record_mac is always fatal). The
 * one exception is a TLS 1.3 server skipping 0-RTT data it did not accept
 * (RFC 8446 §4.2.10): after -EBADMSG an AEAD direction keeps its sequence
 * number and retains nothing of the failed record, so it may try the next.
 */
#ifndef KTLSO_TLS_RECORD_H
#define KTLSO_TLS_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#include "crypto/secret.h"
#include "try.h"
#include "wire/proto.h"
#include "wire/reader.h"

/* Room for any record record_seal() writes or record_parse() accepts. */
#define RECORD_MAX_LEN (TLS_RECORD_HEADER_LEN + TLS12_MAX_CIPHERTEXT)

/* 0 is deliberately not a cipher, so a zeroed dir cannot be used. */
enum record_cipher {
	RECORD_PLAINTEXT = 1,	   /* before keys: framing only */
	RECORD_AES_128_GCM,
	RECORD_AES_256_GCM,
	RECORD_CHACHA20_POLY1305,
	/* TLS 1.2 only, legacy: AES-CBC with HMAC-SHA1/SHA256/SHA384 */
	RECORD_AES_128_CBC_SHA,
	RECORD_AES_256_CBC_SHA,
	RECORD_AES_128_CBC_SHA256,
	RECORD_AES_256_CBC_SHA256,
	RECORD_AES_256_CBC_SHA384,
};

struct record_hmac; /* a CBC suite's HMAC: record_cbc.h */

enum record_op {
	RECORD_SEAL = 1,
	RECORD_OPEN,
};

/* What the handshake derived for one direction; the caller wipes it. */
struct record_keys {
	enum tls_version version; /* TLS_VERSION_1_2 or TLS_VERSION_1_3 */
	enum record_cipher cipher;
	bool encrypt_then_mac;	  /* RFC 7366, CBC suites only */
	struct secret key;
	struct secret iv;	  /* see the table above; empty for CBC */
	struct secret mac_key;	  /* CBC suites only: 20, 32 or 48 bytes,
				   * the length of the HMAC's output */
	uint64_t seq;		  /* the first record number: 0 if new */
};

struct record_dir {
	enum record_cipher cipher;
	enum tls_version version;
	uint16_t record_version; /* header version field when sealing */
	enum record_op op;
	bool encrypt_then_mac;
	bool exhausted;		 /* record number 2^64 - 1 is spent */
	const struct record_hmac *hmac; /* CBC suites only */
	/* The next record's number: read it for the kernel's rec_seq. */
	uint64_t seq;
	struct secret iv;
	EVP_CIPHER_CTX *cipher_ctx;
	EVP_MAC_CTX *mac_ctx;	 /* CBC: HMAC keyed with the MAC key */
	EVP_MD_CTX *pad_ctx;	 /* CBC open: evens out the MAC's timing */
};

/* One record as framed on the wire; body points into the parsed bytes. */
struct record_frame {
	uint8_t type;
	uint16_t version;
	const uint8_t *body;
	size_t body_len;
	size_t size; /* header + body; on -EAGAIN, the bytes needed in all */
};

/*
 * Plaintext framing before keys. record_version goes in the header of
 * sealed records: 0x0301 for an initial ClientHello, 0x0303 otherwise
 * (RFC 8446 §5.1).
 */
void record_dir_plain(struct record_dir *d, uint16_t record_version);

/*
 * Protect this direction with k, for sealing or for opening. Replaces what
 * d held. -EINVAL for a combination the table above does not have or keys
 * of the wrong length; -ENOMEM/-EIO when libcrypto fails.
 */
int record_dir_keys(struct record_dir *d, const struct record_keys *k,
		    enum record_op op) WUR;

/* Free the contexts and wipe everything. Safe on a zeroed or wiped dir. */
void record_dir_wipe(struct record_dir *d);

/* Wipe the keys (safe on zeroed or wiped ones); the rest is not secret. */
static inline void record_keys_wipe(struct record_keys *k)
{
	secret_wipe(&k->key);
	secret_wipe(&k->iv);
	secret_wipe(&k->mac_key);
}

/*
 * One record at r's cursor, checked against d's length bound: 2^14
 * plaintext (RFC 8446 §5.1), 2^14 + 256 under TLS 1.3 keys (§5.2), 2^14 +
 * 2048 under TLS 1.2 keys (RFC 5246 §6.2.3). On success the cursor moves
 * past exactly that record. On -EAGAIN (incomplete), -EMSGSIZE or -EPROTO
 * (unknown content type) it stays put; -EAGAIN sets f->size to the bytes the
 * record needs from the cursor on, so a caller can read exactly that many.
 */
int record_parse(const struct record_dir *d, struct reader *r,
		 struct record_frame *f) WUR;

/*
 * The length record_seal() will write for len bytes of content and pad
 * bytes of TLS 1.3 padding, or 0 if it will refuse them.
 */
size_t record_sealed_len(const struct record_dir *d, size_t len, size_t pad);

/*
 * Write one whole record (header and protected body) of content type type
 * to out[0..*out_len). pad zero bytes of padding are added under TLS 1.3
 * keys (RFC 8446 §5.4) and must be 0 otherwise; -EMSGSIZE if len + pad is
 * over 2^14 (§5.1). out must not overlap data; -ENOBUFS if cap is short.
 */
int record_seal(struct record_dir *d, uint8_t type, const void *data,
		size_t len, size_t pad, uint8_t *out, size_t cap,
		size_t *out_len) WUR;

/*
 * Authenticate and decrypt one parsed record into out[0..*pt_len) and its
 * (inner) content type into *type. out needs f->body_len bytes of room and
 * must not overlap the body; on failure it holds nothing of the record.
 */
int record_open(struct record_dir *d, const struct record_frame *f,
		uint8_t *type, uint8_t *out, size_t cap, size_t *pt_len) WUR;

#endif /* KTLSO_TLS_RECORD_H */
