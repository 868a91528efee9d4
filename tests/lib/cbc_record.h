/* SPDX-License-Identifier: MIT */
/*
 * TLS 1.2 AES-CBC-HMAC records made and opened with OpenSSL's EVP, as a
 * peer's record layer would (RFC 5246 §6.2.3.2 MAC-then-encrypt, RFC 7366
 * encrypt-then-MAC), and a ktlso socket keyed with ktlso's CBC cipher
 * types: for the CBC VM tests and the record benchmark. A peer can also
 * seal hostile records (struct cbc_tamper).
 *
 * The EVP contexts of the last key are kept for the next record, per
 * process, so a benchmark pays no key setup per record.
 */
#ifndef KTLSO_CBC_RECORD_H
#define KTLSO_CBC_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define CBC_HEADER 5
#define CBC_BLOCK 16
#define CBC_MAX_PLAINTEXT 16384
/* The longest record: header, IV, content, the longest MAC, 256 bytes of
 * padding. */
#define CBC_MAX_RECORD (CBC_HEADER + CBC_BLOCK + CBC_MAX_PLAINTEXT + 48 + 256)

struct cbc_suite {
	const char *name;		/* "AES-128-CBC-SHA256" */
	uint16_t type;			/* KTLSO_CIPHER_* */
	const char *cipher, *digest;	/* EVP's names */
	size_t key, mac;		/* lengths of the keys */
};

/* Every ktlso CBC cipher type. */
extern const struct cbc_suite cbc_suites[];
extern const size_t cbc_num_suites;

/* One direction as both ends know it. */
struct cbc_dir {
	const struct cbc_suite *s;
	bool etm;		/* RFC 7366 encrypt-then-MAC */
	uint8_t key[32], mac_key[48];
	uint64_t seq;		/* of the next record */
	char name[48];		/* "AES-128-CBC-SHA MtE" */
};

/* A direction with keys made from @salt, the next record @seq. */
struct cbc_dir cbc_dir_of(const struct cbc_suite *s, bool etm, uint8_t salt, uint64_t seq);

/* @d as <linux/ktlso.h>'s struct for TLS_TX/TLS_RX, in @buf (256 bytes):
 * 0, or -1 if the struct's layout is not the one Documentation/uapi.rst
 * describes. */
int cbc_crypto_info(const struct cbc_dir *d, uint8_t *buf, socklen_t *len);

/* setsockopt(SOL_TLS, @optname) with @d: 0, or -1 and errno. */
int cbc_install(int fd, int optname, const struct cbc_dir *d);

/* A ktlso socket with @tx's keys for what it sends and @rx's for what it
 * reads (either may be NULL), a 5 s SO_RCVTIMEO, and its plain TCP peer;
 * exits 2 on failure (test setup). */
void cbc_pair(const struct cbc_dir *tx, const struct cbc_dir *rx, int *ktlso, int *peer);

/* The first suite this kernel's crypto API cannot run (installing it is
 * ENOENT: a kernel built without cbc(aes) or an hmac(sha*)), or NULL. */
const char *cbc_unsupported_suite(void);

/* What a hostile peer does to a record it seals. */
struct cbc_tamper {
	int pad;		/* padding_length, -1: the least */
	int pad_byte;		/* set this padding byte (padding_length's is
				 * the last), -1: none ... */
	int pad_value;		/* ... to this value */
	int flip_mac;		/* flip a bit of this MAC byte, -1: none */
};

extern const struct cbc_tamper cbc_honest;

/* Seal @len bytes of @content as a record of @type at d->seq (which
 * advances) into @out (CBC_MAX_RECORD bytes). Return: its length. */
size_t cbc_seal(struct cbc_dir *d, uint8_t type, const uint8_t *content, size_t len,
		const struct cbc_tamper *t, uint8_t *out);

/* The length of the record cbc_seal() makes of @len bytes, honestly. */
size_t cbc_sealed_len(const struct cbc_dir *d, size_t len);

/* Open the record @rec of @n bytes at d->seq (which advances on success),
 * decrypting it in place (not in constant time: a peer in a test).
 * Return: the content's length, its type in *type and the content in
 * @content, or -1 if the record is not authentic. */
long cbc_open(struct cbc_dir *d, uint8_t *rec, size_t n, uint8_t *type, uint8_t *content);

/* One whole record off a plain socket into @rec (CBC_MAX_RECORD bytes),
 * waiting at most 5 s. Return: its length, or 0. */
size_t cbc_read_record(int fd, uint8_t *rec);

#endif /* KTLSO_CBC_RECORD_H */
