// SPDX-License-Identifier: MIT
/*
 * TLS 1.3 KeyUpdate owned by the kernel, against a peer that makes and
 * reads its records by hand, in the VM.
 *
 *   victim: ULP ktlso, KTLSO_HANDSHAKE ──► fake daemon (this program, forked):
 *           ACCEPT, TLS_TX/TLS_RX from two known traffic secrets, DONE with
 *           the secrets (and rekey_after)
 *   peer:   plain TCP on the other end; records sealed and opened here
 *           (OpenSSL EVP), each generation's keys from libktlso's own key
 *           schedule (tls13_next_traffic_secret(), "key", "iv"), which the
 *           kernel's derivation must match
 *
 * The peer's KeyUpdate must switch RX at the record boundary and never
 * reach the reader; update_requested must bring one KeyUpdate back before
 * the victim's next record, once per silence; rekey_after must make the
 * victim update on its own; and every malformed KeyUpdate must fail the
 * read with its errno.
 */
#include <errno.h>
#include <linux/tls.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../lib/check.h"
#include "../lib/ktlso_stat.h"
#include "../lib/io.h"
#include "../lib/fake_daemon.h"
#include "../lib/tls_sock.h"
#include "crypto/tls13_keysched.h"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

#define HANDSHAKE 22
#define DATA 23
#define KEY_UPDATE 24

/* One direction as the peer sees it: a generation of keys, a sequence. */
struct dir {
	struct secret secret;
	uint8_t key[16], iv[12];
	uint64_t seq;
	unsigned int generation;
};

static void dir_keys(struct dir *d)
{
	struct secret key, iv;

	if (tls13_hkdf_expand_label(TLS_HASH_SHA256, &d->secret, "key", NULL, 0, 16, &key) ||
	    tls13_hkdf_expand_label(TLS_HASH_SHA256, &d->secret, "iv", NULL, 0, 12, &iv))
		exit(2);
	memcpy(d->key, key.bytes, 16);
	memcpy(d->iv, iv.bytes, 12);
	d->seq = 0;
}

static void dir_init(struct dir *d, uint8_t fill)
{
	memset(d, 0, sizeof(*d));
	d->secret.len = 32;
	memset(d->secret.bytes, fill, 32);
	dir_keys(d);
}

/* RFC 8446 §7.2: the next generation. */
static void dir_next(struct dir *d)
{
	if (tls13_next_traffic_secret(TLS_HASH_SHA256, &d->secret, &d->secret))
		exit(2);
	d->generation++;
	dir_keys(d);
}

static void nonce(const struct dir *d, uint8_t out[12])
{
	memcpy(out, d->iv, 12);
	for (int i = 0; i < 8; i++)
		out[11 - i] ^= (uint8_t)(d->seq >> (8 * i));
}

/* A record of inner type `type` with `n` bytes of content, into out. */
static size_t seal(struct dir *d, uint8_t type, const void *content, size_t n, uint8_t *out)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	uint8_t iv[12], inner[1 << 14 | 1];
	int len;

	memcpy(inner, content, n);
	inner[n++] = type;
	nonce(d, iv);
	out[0] = DATA;
	out[1] = 3;
	out[2] = 3;
	out[3] = (uint8_t)((n + 16) >> 8);
	out[4] = (uint8_t)(n + 16);
	EVP_EncryptInit_ex(c, EVP_aes_128_gcm(), NULL, d->key, iv);
	EVP_EncryptUpdate(c, NULL, &len, out, 5);
	EVP_EncryptUpdate(c, out + 5, &len, inner, (int)n);
	EVP_EncryptFinal_ex(c, out + 5 + n, &len);
	EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, out + 5 + n);
	EVP_CIPHER_CTX_free(c);
	d->seq++;
	return 5 + n + 16;
}

static void send_record(int fd, struct dir *d, uint8_t type, const void *content, size_t n)
{
	uint8_t rec[5 + (1 << 14) + 1 + 16];
	size_t len = seal(d, type, content, n, rec);

	if (send(fd, rec, len, 0) != (ssize_t)len)
		exit(2);
}

/*
 * The victim's next record, opened under d: its inner type and content.
 * Return: the content's length, or -1 when nothing came or it did not
 * authenticate.
 */
static int open_record(int fd, struct dir *d, uint8_t *type, uint8_t *out)
{
	uint8_t rec[5 + (1 << 14) + 256 + 16], iv[12];
	EVP_CIPHER_CTX *c;
	int len, n, ok;

	if (!read_full(fd, rec, 5, 5000))
		return -1;
	n = rec[3] << 8 | rec[4];
	if (n < 17 || !read_full(fd, rec + 5, (size_t)n, 5000))
		return -1;
	nonce(d, iv);
	c = EVP_CIPHER_CTX_new();
	EVP_DecryptInit_ex(c, EVP_aes_128_gcm(), NULL, d->key, iv);
	EVP_DecryptUpdate(c, NULL, &len, rec, 5);
	EVP_DecryptUpdate(c, out, &len, rec + 5, n - 16);
	EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, rec + 5 + n - 16);
	ok = EVP_DecryptFinal_ex(c, out + len, &len);
	EVP_CIPHER_CTX_free(c);
	if (ok != 1)
		return -1;
	d->seq++;
	n -= 16;
	while (n > 0 && !out[n - 1])
		n--;	/* §5.4 padding */
	if (n <= 0)
		return -1;
	*type = out[n - 1];
	return n - 1;
}

/* Does the victim's next record say KeyUpdate(update_not_requested)? */
static bool got_key_update(int fd, struct dir *d)
{
	uint8_t type, buf[1 << 14 | 256];
	int n = open_record(fd, d, &type, buf);

	return n == 5 && type == HANDSHAKE && !memcmp(buf, "\x18\x00\x00\x01\x00", 5);
}

/* ---- the fake daemon ---- */

static void key_info(struct tls12_crypto_info_aes_gcm_128 *ci, const struct dir *d)
{
	memset(ci, 0, sizeof(*ci));
	ci->info.version = TLS_1_3_VERSION;
	ci->info.cipher_type = TLS_CIPHER_AES_GCM_128;
	memcpy(ci->key, d->key, 16);
	memcpy(ci->salt, d->iv, 4);
	memcpy(ci->iv, d->iv + 4, 8);
}

/* ACCEPT, key the socket as the victim's side of (tx, rx), DONE. */
static void run_daemon(const char *profile, const struct dir *tx, const struct dir *rx,
		       bool secrets, uint64_t rekey_after)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct tls12_crypto_info_aes_gcm_128 ci;
	struct accepted acc;
	struct nlmsghdr *nlh;
	struct genl g;
	int fd;

	if (genl_open(&g))
		_exit(2);
	/* Requests other tests left pending until their timeout come first:
	 * ours is the one with our profile name.
	 */
	for (;;) {
		fd = genl_accept(&g, &acc);
		if (fd < 0)
			_exit(3);
		if (!strcmp(acc.profile, profile))
			break;
		(void)genl_done(&g, fd, ECONNABORTED, -1);
		close(fd);
	}
	key_info(&ci, tx);
	if (setsockopt(fd, SOL_TLS, TLS_TX, &ci, sizeof(ci)))
		_exit(4);
	key_info(&ci, rx);
	if (setsockopt(fd, SOL_TLS, TLS_RX, &ci, sizeof(ci)))
		_exit(4);
	nlh = genl_msg(buf, g.family, KTLSO_CMD_DONE, ++g.seq);
	mnl_attr_put_u32(nlh, KTLSO_A_SOCKFD, fd);
	mnl_attr_put_u32(nlh, KTLSO_A_STATUS, 0);
	mnl_attr_put_u16(nlh, KTLSO_A_VERSION, 0x0304);
	mnl_attr_put_u16(nlh, KTLSO_A_CIPHER_SUITE, 0x1301);
	if (secrets) {
		mnl_attr_put(nlh, KTLSO_A_TX_SECRET, 32, tx->secret.bytes);
		mnl_attr_put(nlh, KTLSO_A_RX_SECRET, 32, rx->secret.bytes);
	}
	if (rekey_after)
		mnl_attr_put_u64(nlh, KTLSO_A_REKEY_AFTER, rekey_after);
	_exit(genl_call(&g, nlh, NULL, NULL) ? 5 : 0);
}

/*
 * A daemon-established victim and its peer. up: the victim's sending
 * direction (the peer opens with it), down: the peer's.
 */
static bool connect_victim(int *victim, int *peer, struct dir *up, struct dir *down,
			   bool secrets, uint64_t rekey_after)
{
	/* Generous: the first keys of a boot load the AEAD's modules. */
	struct ktlso_handshake_req req = { .role = KTLSO_ROLE_CLIENT, .timeout_ms = 60000 };
	int status, ret;
	pid_t pid;

	snprintf(req.profile, sizeof(req.profile), "keyupdate-%d", (int)getpid());

	dir_init(up, 0xc1);
	dir_init(down, 0x5e);
	loopback_pair(victim, peer);
	if (setsockopt(*victim, SOL_TCP, TCP_ULP, KTLSO_ULP_NAME, sizeof(KTLSO_ULP_NAME)))
		return false;
	pid = fork();
	if (pid == 0)
		run_daemon(req.profile, up, down, secrets, rekey_after);
	/* The daemon must be listening before the request is made. */
	for (int i = 0; i < 500; i++) {
		ret = setsockopt(*victim, SOL_TLS, KTLSO_HANDSHAKE, &req, sizeof(req));
		if (!ret || errno != ECONNREFUSED)
			break;
		usleep(10000);
	}
	if (ret)
		printf("    KTLSO_HANDSHAKE: %s\n", strerror(errno));
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		printf("    fake daemon: status %#x\n", status);
	return !ret && WIFEXITED(status) && !WEXITSTATUS(status);
}

/* Read exactly n bytes of data from the victim. */
static bool victim_reads(int victim, const char *want)
{
	char buf[256];
	size_t n = strlen(want), got = 0;

	while (got < n) {
		ssize_t r = recv(victim, buf + got, n - got, 0);

		if (r <= 0)
			return false;
		got += (size_t)r;
	}
	return !memcmp(buf, want, n);
}

static const uint8_t ku_not_requested[] = { KEY_UPDATE, 0, 0, 1, 0 };
static const uint8_t ku_requested[] = { KEY_UPDATE, 0, 0, 1, 1 };

static void test_peer_updates(void)
{
	struct dir up, down;
	int victim, peer;
	long long rx0 = ktlso_counter("KtlsoKeyUpdateRx");

	CHECK(connect_victim(&victim, &peer, &up, &down, true, 0),
	      "a daemon-established socket, the traffic secrets in DONE");
	send_record(peer, &down, DATA, "one", 3);
	send_record(peer, &down, HANDSHAKE, ku_not_requested, 5);
	dir_next(&down);
	send_record(peer, &down, DATA, "two", 3);
	send_record(peer, &down, HANDSHAKE, ku_not_requested, 5);
	dir_next(&down);
	send_record(peer, &down, DATA, "three", 5);
	CHECK(victim_reads(victim, "onetwothree"),
	      "KeyUpdate(update_not_requested) twice: data on both sides of each, "
	      "the updates never seen by the reader");
	CHECK(ktlso_counter("KtlsoKeyUpdateRx") - rx0 == 2, "KtlsoKeyUpdateRx counted both");
	CHECK(send(victim, "up", 2, 0) == 2, "the victim writes");
	{
		uint8_t type, buf[1 << 14 | 256];
		int n = open_record(peer, &up, &type, buf);

		CHECK(n == 2 && type == DATA && !memcmp(buf, "up", 2),
		      "no update was asked for: its data comes under its first key");
	}
	close(victim);
	close(peer);
}

static void test_peer_requests(void)
{
	struct dir up, down;
	int victim, peer;
	uint8_t type, buf[1 << 14 | 256];
	long long tx0 = ktlso_counter("KtlsoKeyUpdateTx");
	int n, answers;

	CHECK(connect_victim(&victim, &peer, &up, &down, true, 0),
	      "a daemon-established socket");
	send_record(peer, &down, HANDSHAKE, ku_requested, 5);
	dir_next(&down);
	send_record(peer, &down, DATA, "x", 1);
	CHECK(victim_reads(victim, "x"), "KeyUpdate(update_requested): the data after it is read");
	CHECK(got_key_update(peer, &up),
	      "the victim answers with KeyUpdate(update_not_requested) under its old key, "
	      "without writing anything itself");
	dir_next(&up);
	CHECK(send(victim, "hello", 5, 0) == 5, "the victim writes");
	n = open_record(peer, &up, &type, buf);
	CHECK(n == 5 && type == DATA && !memcmp(buf, "hello", 5),
	      "its data comes under the next generation");

	/*
	 * §4.6.3: two requests in a row. The answer to the first may go out
	 * before the second is read (the victim is not silent then), so one
	 * or two answers, never more, and then the data under the generation
	 * they lead to.
	 */
	send_record(peer, &down, HANDSHAKE, ku_requested, 5);
	dir_next(&down);
	send_record(peer, &down, HANDSHAKE, ku_requested, 5);
	dir_next(&down);
	send_record(peer, &down, DATA, "y", 1);
	CHECK(victim_reads(victim, "y"), "two requests in a row: the data after them is read");
	CHECK(send(victim, "z", 1, 0) == 1, "the victim writes");
	answers = 0;
	while ((n = open_record(peer, &up, &type, buf)) == 5 && type == HANDSHAKE &&
	       !memcmp(buf, "\x18\x00\x00\x01\x00", 5)) {
		dir_next(&up);
		answers++;
	}
	CHECK(answers >= 1 && answers <= 2, "one or two KeyUpdates come back: %d", answers);
	CHECK(n == 1 && type == DATA && buf[0] == 'z',
	      "then the data, under generation %u", up.generation);
	CHECK(ktlso_counter("KtlsoKeyUpdateTx") - tx0 == 1 + answers,
	      "KtlsoKeyUpdateTx counted every answer");
	close(victim);
	close(peer);
}

/* rekey_after: the victim updates on its own. */
static void test_rekey_after(void)
{
	static uint8_t chunk[1 << 14];
	struct dir up, down;
	int victim, peer, updates = 0;
	size_t sent = 0, got = 0, total = 40 * sizeof(chunk);
	bool intact = true;

	for (size_t i = 0; i < sizeof(chunk); i++)
		chunk[i] = (uint8_t)(i * 7);
	CHECK(connect_victim(&victim, &peer, &up, &down, true, 64 * 1024),
	      "a daemon-established socket with rekey_after 64 KiB");
	while (got < total) {
		uint8_t type, buf[1 << 14 | 256];
		int n;

		if (sent < total) {
			if (send(victim, chunk, sizeof(chunk), 0) != (ssize_t)sizeof(chunk))
				break;
			sent += sizeof(chunk);
		}
		n = open_record(peer, &up, &type, buf);
		if (n < 0)
			break;
		if (type == HANDSHAKE && n == 5 && !memcmp(buf, "\x18\x00\x00\x01\x00", 5)) {
			dir_next(&up);
			updates++;
			continue;
		}
		if (type != DATA || memcmp(buf, chunk + got % sizeof(chunk), (size_t)n))
			intact = false;
		got += (size_t)n;
	}
	CHECK(got == total && intact, "640 KiB arrive intact across the updates (%zu bytes)", got);
	CHECK(updates == 9, "a KeyUpdate before every 64 KiB but the first: %d", updates);
	close(victim);
	close(peer);
}

struct bad {
	const char *what;
	uint8_t content[16];
	size_t len;
	int err;
};

static const struct bad bad_updates[] = {
	{ "body of 2 bytes (decode_error)", { KEY_UPDATE, 0, 0, 2, 0, 0 }, 6, EBADMSG },
	{ "body of 0 bytes (decode_error)", { KEY_UPDATE, 0, 0, 0 }, 4, EBADMSG },
	{ "request_update 2 (illegal_parameter)", { KEY_UPDATE, 0, 0, 1, 2 }, 5, EBADMSG },
	{ "not last in its record (unexpected_message)",
	  { KEY_UPDATE, 0, 0, 1, 0, KEY_UPDATE, 0, 0, 1, 0 }, 10, EPROTO },
	{ "after another handshake message (unexpected_message)",
	  { 20, 0, 0, 1, 0xaa, KEY_UPDATE, 0, 0, 1, 0 }, 10, EPROTO },
	{ "its header cut by the record's end (unexpected_message)",
	  { KEY_UPDATE, 0, 0 }, 3, EPROTO },
	{ "its body in the next record (unexpected_message)",
	  { KEY_UPDATE, 0, 0, 1 }, 4, EPROTO },
};

static void test_malformed(const struct bad *b)
{
	struct dir up, down;
	int victim, peer;
	char buf[64];

	if (!connect_victim(&victim, &peer, &up, &down, true, 0)) {
		CHECK(0, "%s: setup", b->what);
		return;
	}
	send_record(peer, &down, DATA, "ok", 2);
	send_record(peer, &down, HANDSHAKE, b->content, b->len);
	send_record(peer, &down, DATA, "never", 5);
	CHECK(victim_reads(victim, "ok"), "%s: the data before it is read", b->what);
	CHECK_ERRNO(recv(victim, buf, sizeof(buf), 0), b->err, "%s: %s", b->what,
		    strerror(b->err));
	CHECK_ERRNO(recv(victim, buf, sizeof(buf), MSG_DONTWAIT), b->err,
		    "%s: and again, nothing after it delivered", b->what);
	close(victim);
	close(peer);
}

/* A daemon that hands over no secrets: kTLS's behaviour, as before. */
static void test_without_secrets(void)
{
	struct dir up, down;
	int victim, peer;
	char buf[64];
	ssize_t r;

	CHECK(connect_victim(&victim, &peer, &up, &down, false, 0),
	      "a daemon-established socket, DONE without secrets");
	send_record(peer, &down, HANDSHAKE, ku_not_requested, 5);
	dir_next(&down);
	send_record(peer, &down, DATA, "lost", 4);
	/* The KeyUpdate record itself, as a control record, then
	 * EKEYEXPIRED until the application installs the next key.
	 */
	{
		char cbuf[CMSG_SPACE(1)];
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
				      .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
		struct cmsghdr *cm;

		r = recvmsg(victim, &msg, 0);
		cm = CMSG_FIRSTHDR(&msg);
		CHECK(r == 5 && cm && cm->cmsg_type == TLS_GET_RECORD_TYPE &&
			      *CMSG_DATA(cm) == HANDSHAKE && !memcmp(buf, ku_not_requested, 5),
		      "the KeyUpdate reaches the reader as a handshake record (%zd)", r);
	}
	CHECK_ERRNO(recv(victim, buf, sizeof(buf), MSG_DONTWAIT), EKEYEXPIRED,
		    "then EKEYEXPIRED: nobody can install the next key");
	close(victim);
	close(peer);
}

int main(void)
{
	test_peer_updates();
	test_peer_requests();
	test_rekey_after();
	for (size_t i = 0; i < sizeof(bad_updates) / sizeof(bad_updates[0]); i++)
		test_malformed(&bad_updates[i]);
	test_without_secrets();
	return check_summary();
}
