// SPDX-License-Identifier: MIT
/*
 * Mode openssl: libssl end to end, records sealed and opened in userspace
 * (SSL_write, SSL_read; libssl's own kTLS stays off, its default).
 * --cipher: a TLS 1.3 name ("TLS_...") sets the 1.3 suites and TLS 1.3,
 * any other an OpenSSL 1.2 cipher list and TLS 1.2.
 */
#include <errno.h>
#include <openssl/err.h>
#include <string.h>

#include "perf.h"

static int fail(char *err, size_t errlen, const char *what)
{
	unsigned long e = ERR_get_error();

	snprintf(err, errlen, "mode openssl: %s: %s", what,
		 e ? ERR_reason_error_string(e) : "failed");
	ERR_clear_error();
	return -EPROTO;
}

static int versions(SSL_CTX *ctx, const struct perf_params *p, char *err,
		    size_t errlen)
{
	int v = 0;

	if (!strcmp(p->tls, "1.2"))
		v = TLS1_2_VERSION;
	else if (!strcmp(p->tls, "1.3"))
		v = TLS1_3_VERSION;
	if (p->cipher[0] && !strncmp(p->cipher, "TLS_", 4)) {
		if (v == TLS1_2_VERSION || !SSL_CTX_set_ciphersuites(ctx, p->cipher))
			return fail(err, errlen, "--cipher (TLS 1.3 suite)");
		v = TLS1_3_VERSION;
	} else if (p->cipher[0]) {
		if (v == TLS1_3_VERSION || !SSL_CTX_set_cipher_list(ctx, p->cipher))
			return fail(err, errlen, "--cipher (TLS 1.2 cipher list)");
		v = TLS1_2_VERSION;
	}
	if (!SSL_CTX_set_min_proto_version(ctx, v ? v : TLS1_2_VERSION) ||
	    !SSL_CTX_set_max_proto_version(ctx, v))
		return fail(err, errlen, "--tls");
	return 0;
}

int ossl_context(struct perf_test *t, char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(t->l.server ? TLS_server_method() :
						 TLS_client_method());

	if (!ctx)
		return fail(err, errlen, "SSL_CTX_new");
	t->ssl_ctx = ctx;
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
				      SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	TRY(versions(ctx, &t->p, err, errlen));
	if (t->l.server) {
		if (!t->l.cert || !t->l.key) {
			snprintf(err, errlen, "mode openssl needs --cert and "
				 "--key on the server");
			return -EINVAL;
		}
		if (SSL_CTX_use_certificate_chain_file(ctx, t->l.cert) != 1 ||
		    SSL_CTX_use_PrivateKey_file(ctx, t->l.key, SSL_FILETYPE_PEM) != 1)
			return fail(err, errlen, "--cert/--key");
		return 0;
	}
	if (t->l.ca) {
		if (SSL_CTX_load_verify_locations(ctx, t->l.ca, NULL) != 1)
			return fail(err, errlen, "--ca");
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	}
	return 0;
}

int ossl_handshake(struct perf_test *t, struct perf_stream *s, bool server,
		   char *err, size_t errlen)
{
	const char *name = t->l.name ? t->l.name : t->l.host;
	int ret;

	if (!t->ssl_ctx)
		TRY(ossl_context(t, err, errlen));
	s->ssl = SSL_new(t->ssl_ctx);
	if (!s->ssl || !SSL_set_fd(s->ssl, s->fd))
		return fail(err, errlen, "SSL_new");
	if (!server) {
		SSL_set_tlsext_host_name(s->ssl, name);
		if (t->l.ca && !SSL_set1_host(s->ssl, name))
			return fail(err, errlen, "SSL_set1_host");
	}
	ret = server ? SSL_accept(s->ssl) : SSL_connect(s->ssl);
	if (ret != 1)
		return fail(err, errlen, "handshake failed");
	ossl_describe(s->ssl, t->me.cipher, sizeof(t->me.cipher));
	return 0;
}

void ossl_describe(const SSL *ssl, char *buf, size_t len)
{
	const SSL_CIPHER *c = SSL_get_current_cipher(ssl);

	snprintf(buf, len, "%s %s", SSL_get_version(ssl),
		 c ? SSL_CIPHER_standard_name(c) : "unknown");
}
