// SPDX-License-Identifier: MIT
/* libssl over memory BIOs (ssl_mem.h). */
#include <stdlib.h>
#include <string.h>

#include "engine_pair.h"
#include "record/record.h"
#include "ssl_mem.h"
#include "wire/proto.h"
#include "wire/reader.h"

SSL *ssl_mem_new(SSL_CTX *ctx, bool server)
{
	SSL *s = SSL_new(ctx);

	if (!s)
		abort();
	SSL_set_bio(s, BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()));
	if (server)
		SSL_set_accept_state(s);
	else
		SSL_set_connect_state(s);
	return s;
}

void ssl_mem_carry(SSL *from, SSL *to)
{
	char buf[16384];
	int n;

	while ((n = BIO_read(SSL_get_wbio(from), buf, sizeof(buf))) > 0)
		BIO_write(SSL_get_rbio(to), buf, n);
}

void ssl_mem_pump(SSL *s, struct tls_engine *e, uint8_t *rest, size_t cap,
		  size_t *rest_len)
{
	const uint8_t *out;
	size_t len, used;
	int n;

	*rest_len = 0;
	/* a handshake is at most a few flights each way */
	for (int i = 0; i < 10; i++) {
		tls_engine_output(e, &out, &len);
		BIO_write(SSL_get_rbio(s), out, (int)len);
		tls_engine_output_done(e, len);
		(void)SSL_do_handshake(s);
		while (*rest_len < cap &&
		       (n = BIO_read(SSL_get_wbio(s), rest + *rest_len,
				     (int)(cap - *rest_len))) > 0)
			*rest_len += n;
		if (tls_engine_feed(e, rest, *rest_len, &used))
			break;
		memmove(rest, rest + used, *rest_len - used);
		*rest_len -= used;
	}
}

/* Seal msg with res's tx keys: the record into rec. */
static bool seal(const struct tls_result *res, const char *msg, uint8_t *rec,
		 size_t cap, size_t *n)
{
	struct record_keys k = { 0 };
	struct record_dir d = { 0 };
	bool ok = !record_keys_from_result(res, true, &k) &&
		  !record_dir_keys(&d, &k, RECORD_SEAL) &&
		  !record_seal(&d, TLS_CT_APPLICATION_DATA,
			       (const uint8_t *)msg, strlen(msg), 0, rec, cap,
			       n);

	keys_wipe(&k);
	record_dir_wipe(&d);
	return ok;
}

/* Does rec[0..n) open with res's rx keys to msg? */
static bool opens_to(const struct tls_result *res, const uint8_t *rec,
		     size_t n, const char *msg)
{
	struct record_keys k = { 0 };
	struct record_dir d = { 0 };
	uint8_t pt[RECORD_MAX_LEN], type = 0;
	struct record_frame f;
	struct reader r;
	size_t len = 0;
	bool ok;

	reader_init(&r, rec, n);
	ok = !record_keys_from_result(res, false, &k) &&
	     !record_dir_keys(&d, &k, RECORD_OPEN) &&
	     !record_parse(&d, &r, &f) &&
	     !record_open(&d, &f, &type, pt, sizeof(pt), &len) &&
	     type == TLS_CT_APPLICATION_DATA && len == strlen(msg) &&
	     !memcmp(pt, msg, len);
	keys_wipe(&k);
	record_dir_wipe(&d);
	return ok;
}

bool ssl_mem_talks(SSL *s, const struct tls_result *res)
{
	static const char down[] = "engine to libssl", up[] = "and back";
	uint8_t rec[RECORD_MAX_LEN];
	char got[64];
	size_t n = 0;
	int r;

	if (!seal(res, down, rec, sizeof(rec), &n) ||
	    BIO_write(SSL_get_rbio(s), rec, (int)n) != (int)n ||
	    SSL_read(s, got, sizeof(got)) != (int)strlen(down) ||
	    memcmp(got, down, strlen(down)))
		return false;
	if (SSL_write(s, up, strlen(up)) != (int)strlen(up))
		return false;
	r = BIO_read(SSL_get_wbio(s), rec, sizeof(rec));
	return r > 0 && opens_to(res, rec, (size_t)r, up);
}
