// SPDX-License-Identifier: MIT
/*
 * Attaching the "ktlso" ULP, in the VM with ktlso.ko and tls.ko loaded.
 *
 *   client socket --- loopback (127.0.0.1, ::1, ::ffff:127.0.0.1) --- server
 *   (ULP "ktlso")                                                (ULP "ktlso")
 *
 * With no keys installed the ULP must be invisible to the byte stream, refuse
 * what the kernel's own kTLS refuses with the same errno, and answer SOL_TLS
 * queries like it. TCP's zero-copy receive (mmap() of the socket,
 * TCP_ZEROCOPY_RECEIVE) would hand out TCP's pages past the record layer and
 * the handshake gate: it is refused from the moment the ULP is attached.
 */
#include <linux/tls.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../lib/check.h"
#include "../lib/tls_sock.h"
#include <linux/ktlso.h>

struct family {
	const char *name;
	const char *addr;
};

static const struct family families[] = {
	{ "IPv4", "127.0.0.1" },
	{ "IPv6", "::1" },
	{ "IPv4-mapped IPv6", "::ffff:127.0.0.1" },
};

/* An established pair; exits on failure (test setup). */
static void connect_pair(const struct family *f, int *client, int *server)
{
	int err = tcp_pair(f->addr, client, server);

	if (err) {
		fprintf(stderr, "%s pair: %s\n", f->name, strerror(-err));
		exit(2);
	}
}

static int attach(int fd, const char *ulp)
{
	return setsockopt(fd, SOL_TCP, TCP_ULP, ulp, strlen(ulp) + 1);
}

/* Push n pattern bytes from one end and check the other end reads exactly
 * them; the sizes straddle socket buffer sizes so both ends block.
 */
static bool stream_is_unchanged(int from, int to, size_t n)
{
	uint8_t *out = malloc(n), *in = malloc(n);
	size_t sent = 0, got = 0;
	bool same;

	for (size_t i = 0; i < n; i++)
		out[i] = (uint8_t)(i * 7 + i / 251);
	while (got < n) {
		if (sent < n) {
			ssize_t w = send(from, out + sent, n - sent, MSG_DONTWAIT);

			if (w > 0)
				sent += (size_t)w;
		}
		ssize_t r = recv(to, in + got, n - got, MSG_DONTWAIT);

		if (r > 0)
			got += (size_t)r;
		else if (r == 0)
			break;
	}
	same = got == n && !memcmp(in, out, n);
	free(out);
	free(in);
	return same;
}

static void test_family(const struct family *f)
{
	struct tls12_crypto_info_aes_gcm_128 info = { 0 };
	char name[16] = { 0 };
	socklen_t len = sizeof(name);
	int client, server, one = 1, val = 0;

	connect_pair(f, &client, &server);
	CHECK(attach(client, KTLSO_ULP_NAME) == 0, "%s: attach to the client end", f->name);
	CHECK(attach(server, KTLSO_ULP_NAME) == 0, "%s: attach to the accepted end", f->name);
	CHECK(getsockopt(client, SOL_TCP, TCP_ULP, name, &len) == 0 &&
		      !strcmp(name, KTLSO_ULP_NAME),
	      "%s: TCP_ULP reads back \"%s\"", f->name, name);
	CHECK_ERRNO(attach(client, KTLSO_ULP_NAME), EEXIST,
		    "%s: a second attach is EEXIST", f->name);

	CHECK(stream_is_unchanged(client, server, 3 << 20),
	      "%s: 3 MiB client->server arrive unchanged", f->name);
	CHECK(stream_is_unchanged(server, client, 3 << 20),
	      "%s: 3 MiB server->client arrive unchanged", f->name);

	len = sizeof(val);
	CHECK(setsockopt(client, SOL_TCP, TCP_NODELAY, &one, sizeof(one)) == 0 &&
		      getsockopt(client, SOL_TCP, TCP_NODELAY, &val, &len) == 0 && val,
	      "%s: TCP options still reach TCP", f->name);

	len = sizeof(info);
	CHECK_ERRNO(getsockopt(client, SOL_TLS, TLS_TX, &info, &len), EBUSY,
		    "%s: TLS_TX before keys is EBUSY, like kTLS", f->name);
	len = 1;
	CHECK_ERRNO(getsockopt(client, SOL_TLS, TLS_RX, &info, &len), EINVAL,
		    "%s: TLS_RX into a too-short buffer is EINVAL", f->name);
	len = sizeof(info);
	CHECK_ERRNO(getsockopt(client, SOL_TLS, 0x7fff, &info, &len), ENOPROTOOPT,
		    "%s: unknown SOL_TLS option is ENOPROTOOPT", f->name);

	info.info.version = TLS_1_3_VERSION;
	info.info.cipher_type = TLS_CIPHER_AES_GCM_128;
	info.info.cipher_type = 0x7ff;
	CHECK_ERRNO(setsockopt(client, SOL_TLS, TLS_RX, &info, sizeof(info)), EINVAL,
		    "%s: TLS_RX with an unknown cipher is EINVAL", f->name);

	struct sockaddr unspec = { .sa_family = AF_UNSPEC };

	CHECK_ERRNO(connect(client, &unspec, sizeof(unspec)), EOPNOTSUPP,
		    "%s: connect(AF_UNSPEC) is refused, like kTLS", f->name);
	CHECK(stream_is_unchanged(client, server, 4096),
	      "%s: the stream still works after the refused disconnect", f->name);

	/* Data written just before close is delivered, then EOF. */
	CHECK(send(client, "bye", 3, 0) == 3, "%s: send before close", f->name);
	close(client);
	char buf[8];
	ssize_t n1 = recv(server, buf, sizeof(buf), MSG_WAITALL);

	CHECK(n1 == 3 && !memcmp(buf, "bye", 3), "%s: bytes sent before close arrive", f->name);
	CHECK(recv(server, buf, sizeof(buf), 0) == 0, "%s: then EOF", f->name);
	close(server);
}

/* mmap() of the socket, as TCP_ZEROCOPY_RECEIVE wants it: 0 or an errno. */
static int try_mmap(int fd, void **map)
{
	*map = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	return *map == MAP_FAILED ? errno : 0;
}

/* getsockopt(TCP_ZEROCOPY_RECEIVE) for up to a page at map: 0 or an errno. */
static int try_zerocopy(int fd, void *map)
{
	struct tcp_zerocopy_receive zc = { .address = (uintptr_t)map, .length = 4096 };
	socklen_t len = sizeof(zc);

	return getsockopt(fd, SOL_TCP, TCP_ZEROCOPY_RECEIVE, &zc, &len) ? errno : 0;
}

/*
 * A plain TCP socket maps and zero-copy-receives (so the refusals below are
 * ours, not a kernel that lacks the feature); with the ULP attached, with or
 * without receive keys, both are EOPNOTSUPP.
 */
static void test_zerocopy_refused(const struct family *f)
{
	struct tls12_crypto_info_aes_gcm_128 k = { 0 };
	int client, server, e_map, e_zc;
	void *map, *plain_map;

	connect_pair(f, &client, &server);
	e_map = try_mmap(server, &plain_map);
	CHECK(e_map == 0, "%s: plain TCP: mmap() of the socket works (%s)", f->name,
	      strerror(e_map));
	e_zc = e_map ? -1 : try_zerocopy(server, plain_map);
	CHECK(e_zc == 0, "%s: plain TCP: TCP_ZEROCOPY_RECEIVE works (%s)", f->name,
	      e_zc < 0 ? "no mapping" : strerror(e_zc));

	CHECK(attach(server, KTLSO_ULP_NAME) == 0, "%s: attach", f->name);
	e_map = try_mmap(server, &map);
	CHECK(e_map == EOPNOTSUPP, "%s: ULP attached: mmap() is EOPNOTSUPP (got %s)",
	      f->name, strerror(e_map));
	if (!e_map)
		munmap(map, 4096);
	e_zc = plain_map == MAP_FAILED ? -1 : try_zerocopy(server, plain_map);
	CHECK(e_zc == EOPNOTSUPP,
	      "%s: ULP attached: TCP_ZEROCOPY_RECEIVE is EOPNOTSUPP (got %s)", f->name,
	      e_zc < 0 ? "no mapping" : strerror(e_zc));

	k.info.version = TLS_1_3_VERSION;
	k.info.cipher_type = TLS_CIPHER_AES_GCM_128;
	CHECK(setsockopt(server, SOL_TLS, TLS_RX, &k, sizeof(k)) == 0, "%s: TLS_RX", f->name);
	e_map = try_mmap(server, &map);
	CHECK(e_map == EOPNOTSUPP, "%s: with TLS_RX: mmap() is EOPNOTSUPP (got %s)",
	      f->name, strerror(e_map));
	if (!e_map)
		munmap(map, 4096);
	e_zc = plain_map == MAP_FAILED ? -1 : try_zerocopy(server, plain_map);
	CHECK(e_zc == EOPNOTSUPP,
	      "%s: with TLS_RX: TCP_ZEROCOPY_RECEIVE is EOPNOTSUPP (got %s)", f->name,
	      e_zc < 0 ? "no mapping" : strerror(e_zc));

	if (plain_map != MAP_FAILED)
		munmap(plain_map, 4096);
	close(client);
	close(server);
}

/* Refusals must match the in-tree "tls" ULP errno for errno. */
static void test_refusals_match_ktls(void)
{
	const char *ulps[] = { "tls", KTLSO_ULP_NAME };
	int want_listen = 0, want_unconnected = 0, want_udp = 0;

	for (int i = 0; i < 2; i++) {
		int lfd = tcp_listen(families[0].addr, 8);
		int fresh = socket(AF_INET, SOCK_STREAM, 0);
		int udp = socket(AF_INET, SOCK_DGRAM, 0);
		int e_listen, e_fresh, e_udp;

		errno = 0;
		e_listen = attach(lfd, ulps[i]) ? errno : 0;
		errno = 0;
		e_fresh = attach(fresh, ulps[i]) ? errno : 0;
		errno = 0;
		e_udp = attach(udp, ulps[i]) ? errno : 0;
		close(lfd);
		close(fresh);
		close(udp);

		if (i == 0) {
			CHECK(e_listen && e_fresh && e_udp,
			      "kernel tls refuses listening (%s), unconnected (%s) and UDP (%s) sockets",
			      strerror(e_listen), strerror(e_fresh), strerror(e_udp));
			want_listen = e_listen;
			want_unconnected = e_fresh;
			want_udp = e_udp;
			continue;
		}
		CHECK(e_listen == want_listen, "listening socket: %s, like kTLS", strerror(e_listen));
		CHECK(e_fresh == want_unconnected, "unconnected socket: %s, like kTLS", strerror(e_fresh));
		CHECK(e_udp == want_udp, "UDP socket: %s, like kTLS", strerror(e_udp));
	}
}

int main(void)
{
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		test_family(&families[i]);
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		test_zerocopy_refused(&families[i]);
	test_refusals_match_ktls();
	return check_summary();
}
