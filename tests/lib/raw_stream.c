// SPDX-License-Identifier: MIT
#include <errno.h>
#include <linux/tls.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <linux/ktlso.h>

#include "raw_stream.h"
#include "tls_sock.h"

#define RECORD_HEADER 5	/* RFC 8446 §5.1: type, legacy version, length */
#define RECORD_TRAILER (16 + 1)	/* AES-GCM's tag, the inner content type */

void raw_stream_read(int fd, uint8_t *buf, size_t cap, struct raw_stream *rs)
{
	ssize_t n;

	*rs = (struct raw_stream){ 0 };
	for (;;) {
		if (rs->bytes == cap) {
			rs->err = EMSGSIZE;
			break;
		}
		n = recv(fd, buf + rs->bytes, cap - rs->bytes, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rs->err = errno;
		}
		if (n <= 0)
			break;
		rs->bytes += n;
	}
	while (rs->whole + RECORD_HEADER <= rs->bytes) {
		const uint8_t *h = buf + rs->whole;
		size_t len = (size_t)h[3] << 8 | h[4];

		if (rs->whole + RECORD_HEADER + len > rs->bytes)
			break;
		rs->whole += RECORD_HEADER + len;
		rs->payload += len;
		rs->records++;
	}
}

void raw_stream_pair(int *sender, int *peer, int timeout_s)
{
	struct tls12_crypto_info_aes_gcm_128 k = { 0 };
	struct timeval tv = { .tv_sec = timeout_s };

	loopback_pair(sender, peer);
	setsockopt(*peer, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	k.info.version = TLS_1_3_VERSION;
	k.info.cipher_type = TLS_CIPHER_AES_GCM_128;
	if (setsockopt(*sender, SOL_TCP, TCP_ULP, KTLSO_ULP_NAME, sizeof(KTLSO_ULP_NAME)) ||
	    setsockopt(*sender, SOL_TLS, TLS_TX, &k, sizeof(k))) {
		perror("sender setup");
		exit(2);
	}
}

size_t raw_stream_plaintext(const struct raw_stream *rs)
{
	return rs->payload - rs->records * RECORD_TRAILER;
}
