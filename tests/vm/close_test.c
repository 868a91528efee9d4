// SPDX-License-Identifier: MIT
/*
 * close() must never end the stream in the middle of a record, nor short of
 * bytes send() accepted, with a FIN.
 *
 *   sender (ktlso, TLS_TX, tiny SO_SNDBUF) --- 127.0.0.1 --- peer (plain TCP,
 *   fills until a sealed record waits,                      not reading until
 *   shutdown(SHUT_WR), close()                              the sender closed)
 *
 * At close ktlso pushes what is left of its last sealed record; when TCP
 * refuses it (here because writing was shut down; in the field under hard
 * memory pressure, which this test cannot bring about reliably: TCP's own
 * close resets an orphan then), the bytes are lost, and the FIN queued
 * behind them would end the stream short of them. The peer must get every
 * byte sent, in whole records, or a reset.
 */
#include <linux/tls.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "../lib/check.h"
#include "../lib/raw_stream.h"
#include "../lib/tls_sock.h"
#include <linux/ktlso.h>

#define TAG 16

int main(void)
{
	static uint8_t buf[16384], stream[4 << 20];
	struct tls12_crypto_info_aes_gcm_128 k = { 0 };
	struct timeval tv = { .tv_sec = 10 };
	const char *what = "sealed record waiting";
	int sender, peer, small = 4096;
	size_t sent = 0, plaintext;
	struct raw_stream rs;
	ssize_t n;

	loopback_pair(&sender, &peer);
	setsockopt(sender, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	setsockopt(peer, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	setsockopt(peer, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	k.info.version = TLS_1_3_VERSION;
	k.info.cipher_type = TLS_CIPHER_AES_GCM_128;
	if (setsockopt(sender, SOL_TCP, TCP_ULP, KTLSO_ULP_NAME, sizeof(KTLSO_ULP_NAME)) ||
	    setsockopt(sender, SOL_TLS, TLS_TX, &k, sizeof(k))) {
		perror("sender setup");
		return 2;
	}

	/* Until TCP takes no more: the last record sealed waits. */
	while ((n = send(sender, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		sent += n;
	shutdown(sender, SHUT_WR);
	close(sender);

	/* Read the raw stream to its end; count whole records. */
	raw_stream_read(peer, stream, sizeof(stream), &rs);
	plaintext = rs.payload - rs.records * (TAG + 1);
	printf("# %s: %zu bytes sent; peer got %zu bytes, %zu of plaintext in whole records, ended by %s\n",
	       what, sent, rs.bytes, plaintext, rs.err ? strerror(rs.err) : "FIN");
	CHECK(rs.err == 0 || rs.err == ECONNRESET, "%s: the stream ended (%s)", what,
	      rs.err ? strerror(rs.err) : "FIN");
	if (rs.err == ECONNRESET)
		CHECK(1, "%s: reset: the peer knows the stream is incomplete", what);
	else if (!rs.err)
		CHECK(rs.whole == rs.bytes && plaintext == sent,
		      "%s: a FIN only after every byte sent, in whole records (%zu of %zu, %zu stray bytes)",
		      what, plaintext, sent, rs.bytes - rs.whole);
	close(peer);
	return check_summary();
}
