// SPDX-License-Identifier: MIT
/* libssl over memory BIOs (ssl_mem.h). */
#include <stdlib.h>

#include "ssl_mem.h"

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
