// SPDX-License-Identifier: MIT
/*
 * A FIN, from shutdown(SHUT_WR) or close(), must never end the stream in
 * the middle of a record, nor short of bytes send() accepted.
 *
 *   sender (ktlso, TLS_TX, tiny SO_SNDBUF) --- 127.0.0.1 --- peer (plain TCP,
 *   fills until a sealed record waits,                      not reading until
 *   shutdown(SHUT_WR), close()                              the sender closed)
 *
 * The last sealed record waits in ktlso for send buffer space; shutdown
 * queues it past the buffer's limit ahead of TCP's FIN, without waiting
 * for the peer, as TCP queues its own data. The peer must get every byte
 * sent, in whole records, or a reset (what close() does when TCP refuses
 * the memory: tests/vm/close_fault_test).
 *
 * And a record MSG_MORE holds open is sealed and sent before the FIN of
 * shutdown(SHUT_WR), which would otherwise end the stream cleanly short of
 * it.
 */
#include <linux/tls.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "../lib/check.h"
#include "../lib/raw_stream.h"
#include "../lib/tls_sock.h"
#include <linux/ktlso.h>

static uint8_t buf[16384], stream[4 << 20];

static void shutdown_sends_open_record(void)
{
	const size_t held = 1000;
	struct raw_stream rs;
	int sender, peer;

	raw_stream_pair(&sender, &peer, 10);
	if (send(sender, buf, held, MSG_MORE) != (ssize_t)held) {
		perror("send");
		exit(2);
	}
	CHECK(shutdown(sender, SHUT_WR) == 0, "shutdown(SHUT_WR) with a record held open");
	raw_stream_read(peer, stream, sizeof(stream), &rs);
	CHECK(!rs.err && rs.records == 1 && rs.whole == rs.bytes &&
	      raw_stream_plaintext(&rs) == held,
	      "shutdown(SHUT_WR): the held record, whole, then the FIN "
	      "(%zu records, %zu bytes, %zu of them whole, ended by %s)",
	      rs.records, rs.bytes, rs.whole, rs.err ? strerror(rs.err) : "FIN");
	close(sender);
	close(peer);
}

int main(void)
{
	const char *what = "sealed record waiting";
	int sender, peer, small = 4096;
	size_t sent = 0, plaintext;
	struct raw_stream rs;
	ssize_t n;

	raw_stream_pair(&sender, &peer, 10);
	setsockopt(sender, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	setsockopt(peer, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));

	/* Until TCP takes no more: the last record sealed waits. */
	while ((n = send(sender, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		sent += n;
	shutdown(sender, SHUT_WR);
	close(sender);

	/* Read the raw stream to its end; count whole records. */
	raw_stream_read(peer, stream, sizeof(stream), &rs);
	plaintext = raw_stream_plaintext(&rs);
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
	shutdown_sends_open_record();
	return check_summary();
}
