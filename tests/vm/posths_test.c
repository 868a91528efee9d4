// SPDX-License-Identifier: MIT
/*
 * After the handshake, on a daemon-established socket: what the kernel does
 * with the control records a peer sends, and the alerts it sends itself.
 *
 *   parent: victim (ktlso, KTLSO_HANDSHAKE) ──TCP loopback── peer (raw TCP,
 *           holds both keys, writes crafted records, decrypts what comes back)
 *   child:  fake daemon (genl "ktlso"): ACCEPT, fixed keys, DONE; then it
 *           listens for TICKET notifications and reports how many came
 *           for its socket (the SO_COOKIE it read)
 *
 * Each case checks what the reader gets (errno, EOF, data) and what the
 * peer gets (the alert, decrypted with the keys, and the FIN after a fatal
 * one). Sockets whose keys the application installed are hostile_test's.
 */
#include <errno.h>
#include <linux/tls.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/ktlso.h>

#include "../lib/check.h"
#include "../lib/io.h"
#include "../lib/fake_daemon.h"
#include "../lib/tls_sock.h"

#define REC_DATA 23
#define REC_ALERT 21
#define REC_HANDSHAKE 22
#define FATAL 2
#define WARNING 1

/* victim → peer, peer → victim */
static const uint8_t key_out[16] = "victim to peer!", key_in[16] = "peer to victim!";

struct conn {
	int victim, peer;
	uint16_t version;
	uint64_t seq_in, seq_out;	/* peer → victim, victim → peer */
	pid_t daemon;
	int tickets;			/* the daemon's pipe: TICKETs it saw */
};

static void fill(struct tls12_crypto_info_aes_gcm_128 *ci, uint16_t version,
		 const uint8_t *key)
{
	memset(ci, 0, sizeof(*ci));
	ci->info.version = version;
	ci->info.cipher_type = TLS_CIPHER_AES_GCM_128;
	memcpy(ci->key, key, 16);
	memcpy(ci->iv, "ivivivi", 8);
	memcpy(ci->salt, "salt", 4);
}

/*
 * Count TICKET multicasts for 1 s: with a ticket, the peer name and
 * profile, and the cookie of the socket they came on.
 */
static int count_tickets(struct genl *g, uint64_t cookie)
{
	struct timeval tv = { .tv_sec = 1 };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int n, count = 0;

	setsockopt(mnl_socket_get_fd(g->nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while ((n = mnl_socket_recvfrom(g->nl, buf, sizeof(buf))) > 0) {
		struct nlmsghdr *nlh = (struct nlmsghdr *)buf;

		for (; mnl_nlmsg_ok(nlh, n); nlh = mnl_nlmsg_next(nlh, &n)) {
			struct genlmsghdr *gh = mnl_nlmsg_get_payload(nlh);
			struct nlattr *a;
			bool ticket = false, names = true, ours = false;

			if (nlh->nlmsg_type != g->family || gh->cmd != KTLSO_CMD_TICKET)
				continue;
			mnl_attr_for_each(a, nlh, sizeof(*gh)) {
				if (mnl_attr_get_type(a) == KTLSO_A_TICKET)
					ticket = mnl_attr_get_payload_len(a) >= 4 &&
						 ((uint8_t *)mnl_attr_get_payload(a))[0] == 4;
				if (mnl_attr_get_type(a) == KTLSO_A_PEER_NAME)
					names &= !strcmp(mnl_attr_get_str(a), "peer.test");
				if (mnl_attr_get_type(a) == KTLSO_A_PROFILE)
					names &= !strcmp(mnl_attr_get_str(a), "p1");
				if (mnl_attr_get_type(a) == KTLSO_A_SOCK_COOKIE)
					ours = mnl_attr_get_u64(a) == cookie;
			}
			count += ticket && names && ours;
		}
	}
	return count;
}

static void run_daemon(uint16_t version, int to_parent)
{
	struct tls12_crypto_info_aes_gcm_128 tx, rx;
	struct accepted acc;
	struct genl g;
	uint64_t cookie = 0;
	socklen_t clen = sizeof(cookie);
	int fd, count;

	if (genl_open(&g) || write(to_parent, "r", 1) != 1)
		_exit(2);
	fd = genl_accept(&g, &acc);
	if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_COOKIE, &cookie, &clen))
		_exit(3);
	fill(&tx, version, key_out);
	fill(&rx, version, key_in);
	if (setsockopt(fd, SOL_TLS, TLS_TX, &tx, sizeof(tx)) ||
	    setsockopt(fd, SOL_TLS, TLS_RX, &rx, sizeof(rx)) || genl_done(&g, fd, 0, -1))
		_exit(4);
	close(fd);
	/* Until the parent closes the pipe's read end, count tickets. */
	for (;;) {
		count = count_tickets(&g, cookie);
		if (write(to_parent, &count, sizeof(count)) != sizeof(count))
			_exit(0);
	}
}

static void open_conn(struct conn *c, uint16_t version, uint32_t role)
{
	/* Generous: the fake daemon's fork and DONE are slow on a loaded
	 * host under the debug kernel, and no check here is about time. */
	struct ktlso_handshake_req req = { .role = role, .timeout_ms = 30000 };
	int up[2];
	char ready;

	memset(c, 0, sizeof(*c));
	c->version = version;
	signal(SIGPIPE, SIG_IGN);
	if (pipe(up))
		exit(2);
	c->daemon = fork();
	if (c->daemon == 0) {
		close(up[0]);
		run_daemon(version, up[1]);
	}
	close(up[1]);
	c->tickets = up[0];
	if (read(c->tickets, &ready, 1) != 1)
		exit(2);
	snprintf(req.peer_name, sizeof(req.peer_name), "peer.test");
	snprintf(req.profile, sizeof(req.profile), "p1");
	loopback_pair(&c->victim, &c->peer);
	if (setsockopt(c->victim, SOL_TCP, TCP_ULP, KTLSO_ULP_NAME, sizeof(KTLSO_ULP_NAME)) ||
	    setsockopt(c->victim, SOL_TLS, KTLSO_HANDSHAKE, &req, sizeof(req))) {
		perror("victim handshake");
		exit(2);
	}
}

/* TICKETs the daemon saw since the last call (a second's wait). */
static int tickets_seen(struct conn *c)
{
	int count = -1;

	if (read(c->tickets, &count, sizeof(count)) != sizeof(count))
		return -1;
	return count;
}

static void close_conn(struct conn *c)
{
	close(c->victim);
	close(c->peer);
	close(c->tickets);
	kill(c->daemon, SIGKILL);
	waitpid(c->daemon, NULL, 0);
}

/* The AEAD nonce: salt || iv with the sequence number XORed in (TLS 1.3),
 * salt || explicit nonce (TLS 1.2, which we take to be the sequence number).
 */
static void nonce_of(const struct conn *c, uint64_t seq, const uint8_t *explicit_nonce,
		     uint8_t nonce[12])
{
	memcpy(nonce, "salt", 4);
	if (c->version == TLS_1_2_VERSION) {
		memcpy(nonce + 4, explicit_nonce, 8);
		return;
	}
	memcpy(nonce + 4, "ivivivi", 8);
	for (int i = 0; i < 8; i++)
		nonce[11 - i] ^= (uint8_t)(seq >> (8 * i));
}

static void aad12(uint64_t seq, uint8_t type, size_t len, uint8_t aad[13])
{
	for (int i = 0; i < 8; i++)
		aad[i] = (uint8_t)(seq >> (56 - 8 * i));
	aad[8] = type;
	aad[9] = 3;
	aad[10] = 3;
	aad[11] = (uint8_t)(len >> 8);
	aad[12] = (uint8_t)len;
}

/* Seal one record of type from the peer; returns its wire length. */
static size_t seal(struct conn *c, uint8_t type, const void *data, size_t n, uint8_t *out)
{
	bool v13 = c->version == TLS_1_3_VERSION;
	size_t prefix = v13 ? 0 : 8, inner = n + (v13 ? 1 : 0), body = prefix + inner + 16;
	uint64_t seq = c->seq_in++;
	EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
	uint8_t nonce[12], explicit_nonce[8], aad[13], plain[17000];
	int len;

	for (int i = 0; i < 8; i++)
		explicit_nonce[i] = (uint8_t)(seq >> (56 - 8 * i));
	memcpy(plain, data, n);
	plain[n] = type;
	out[0] = v13 ? REC_DATA : type;
	out[1] = 3;
	out[2] = 3;
	out[3] = (uint8_t)(body >> 8);
	out[4] = (uint8_t)body;
	memcpy(out + 5, explicit_nonce, prefix);
	nonce_of(c, seq, explicit_nonce, nonce);
	EVP_EncryptInit_ex(x, EVP_aes_128_gcm(), NULL, key_in, nonce);
	if (v13)
		EVP_EncryptUpdate(x, NULL, &len, out, 5);
	else {
		aad12(seq, type, n, aad);
		EVP_EncryptUpdate(x, NULL, &len, aad, 13);
	}
	EVP_EncryptUpdate(x, out + 5 + prefix, &len, plain, (int)inner);
	EVP_EncryptFinal_ex(x, out + 5 + prefix + inner, &len);
	EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_GET_TAG, 16, out + 5 + prefix + inner);
	EVP_CIPHER_CTX_free(x);
	return 5 + body;
}

static void peer_send(struct conn *c, uint8_t type, const void *data, size_t n)
{
	static uint8_t wire[17100];
	size_t len = seal(c, type, data, n, wire);

	if (send(c->peer, wire, len, MSG_NOSIGNAL) != (ssize_t)len)
		perror("peer send");
}

/*
 * The next record from the victim, opened: its type and content in
 * type/out. Return: content length; -1 on timeout or a bad record; -2 at
 * end of stream (the FIN).
 */
static int peer_recv(struct conn *c, uint8_t *type, uint8_t *out)
{
	bool v13 = c->version == TLS_1_3_VERSION;
	size_t prefix = v13 ? 0 : 8;
	uint8_t head[5], body[17000], nonce[12], aad[13];
	struct pollfd p = { .fd = c->peer, .events = POLLIN };
	EVP_CIPHER_CTX *x;
	size_t n;
	int len, ok;
	uint64_t seq;

	if (poll(&p, 1, 2000) != 1)
		return -1;
	if (recv(c->peer, head, 1, MSG_PEEK) == 0)
		return -2;
	if (!read_full(c->peer, head, 5, 2000))
		return -1;
	n = (size_t)head[3] << 8 | head[4];
	if (n < prefix + 16 + (v13 ? 1 : 0) || n > sizeof(body) || !read_full(c->peer, body, n, 2000))
		return -1;
	seq = c->seq_out++;
	nonce_of(c, seq, body, nonce);
	n -= prefix + 16;
	x = EVP_CIPHER_CTX_new();
	EVP_DecryptInit_ex(x, EVP_aes_128_gcm(), NULL, key_out, nonce);
	if (v13)
		EVP_DecryptUpdate(x, NULL, &len, head, 5);
	else {
		aad12(seq, head[0], n, aad);
		EVP_DecryptUpdate(x, NULL, &len, aad, 13);
	}
	EVP_DecryptUpdate(x, out, &len, body + prefix, (int)n);
	EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_SET_TAG, 16, body + prefix + n);
	ok = EVP_DecryptFinal_ex(x, out + len, &len) == 1;
	EVP_CIPHER_CTX_free(x);
	if (!ok)
		return -1;
	*type = head[0];
	if (v13) {
		while (n && !out[n - 1])
			n--;
		if (!n)
			return -1;
		*type = out[--n];
	}
	return (int)n;
}

/* The peer's next record is this alert. */
static bool peer_gets_alert(struct conn *c, uint8_t level, uint8_t desc)
{
	uint8_t type, out[17000];
	int n = peer_recv(c, &type, out);

	if (n == 2 && type == REC_ALERT && out[0] == level && out[1] == desc)
		return true;
	printf("    peer got %d bytes of type %u (%u %u)\n", n, n > 0 ? type : 0,
	       n > 0 ? out[0] : 0, n > 1 ? out[1] : 0);
	return false;
}

static bool peer_gets_data(struct conn *c, const char *want)
{
	uint8_t type, out[17000];
	int n = peer_recv(c, &type, out);

	return n == (int)strlen(want) && type == REC_DATA && !memcmp(out, want, n);
}

static bool peer_gets_fin(struct conn *c)
{
	uint8_t type, out[17000];

	return peer_recv(c, &type, out) == -2;
}

/* Nothing at all comes from the victim for a moment. */
static bool peer_gets_nothing(struct conn *c)
{
	struct pollfd p = { .fd = c->peer, .events = POLLIN };

	return poll(&p, 1, 300) == 0;
}

/* The alert getsockopt(KTLSO_HANDSHAKE) reports. */
static int status_alert(int fd)
{
	struct ktlso_handshake_status st;
	socklen_t len = sizeof(st);

	if (getsockopt(fd, SOL_TLS, KTLSO_HANDSHAKE, &st, &len))
		return -2;
	return st.alert;
}

static const char *name(uint16_t version)
{
	return version == TLS_1_2_VERSION ? "TLS1.2" : "TLS1.3";
}

/*
 * The peer sends records (made by send_them); the victim's read fails
 * with want_errno; the peer gets the fatal alert, then the FIN; the victim
 * can no longer write (EPIPE).
 */
static void fatal_case(const char *what, uint16_t version, uint32_t role,
		       void (*send_them)(struct conn *), int want_errno, uint8_t alert)
{
	struct conn c;
	char buf[64];

	open_conn(&c, version, role);
	send_them(&c);
	CHECK_ERRNO(recv(c.victim, buf, sizeof(buf), 0), want_errno, "%s %s: the reader gets %s",
		    name(version), what, strerror(want_errno));
	CHECK(peer_gets_alert(&c, FATAL, alert), "%s %s: the peer gets fatal alert %u", name(version),
	      what, alert);
	CHECK(peer_gets_fin(&c), "%s %s: then the FIN", name(version), what);
	CHECK(status_alert(c.victim) == alert, "%s %s: getsockopt(KTLSO_HANDSHAKE) says alert %u",
	      name(version), what, alert);
	CHECK_ERRNO(send(c.victim, "x", 1, MSG_NOSIGNAL), EPIPE,
		    "%s %s: writing after the fatal alert: EPIPE", name(version), what);
	close_conn(&c);
}

static void send_garbage(struct conn *c)
{
	uint8_t wire[5 + 48];

	memcpy(wire, "\x17\x03\x03\x00\x30", 5);
	memset(wire + 5, 0x5a, 48);
	send(c->peer, wire, sizeof(wire), 0);
}

static void send_oversized(struct conn *c)
{
	static uint8_t wire[5 + 0x4200];

	memcpy(wire, "\x17\x03\x03\x42\x00", 5);
	send(c->peer, wire, sizeof(wire), 0);
}

static void send_all_padding(struct conn *c)
{
	/* RFC 8446 §5.4: content type 0 and zeros: no type at all. */
	peer_send(c, 0, "\0\0\0\0\0\0\0", 7);
}

static void send_unknown_type(struct conn *c)
{
	peer_send(c, 99, "what", 4);
}

static void send_empty_alert(struct conn *c)
{
	peer_send(c, REC_ALERT, "", 0);
}

static void send_long_alert(struct conn *c)
{
	peer_send(c, REC_ALERT, "\x01\x00\x00", 3);
}

static void send_bad_alert_level(struct conn *c)
{
	peer_send(c, REC_ALERT, "\x07\x00", 2);
}

static void send_plain_ccs(struct conn *c)
{
	send(c->peer, "\x14\x03\x03\x00\x01\x01", 6, 0);
}

static void send_protected_ccs(struct conn *c)
{
	peer_send(c, 20, "\x01", 1);
}

static void send_certificate_request(struct conn *c)
{
	/* RFC 8446 §4.3.2: context "", extensions: signature_algorithms */
	peer_send(c, REC_HANDSHAKE, "\x0d\x00\x00\x0b\x00\x00\x08\x00\x0d\x00\x04\x00\x02\x08\x04",
		  15);
}

static void send_nst_as_server_gets(struct conn *c)
{
	peer_send(c, REC_HANDSHAKE, "\x04\x00\x00\x00", 4);
}

static void send_hello_request(struct conn *c)
{
	peer_send(c, REC_HANDSHAKE, "\x00\x00\x00\x00", 4);
}

static void send_long_hello_request(struct conn *c)
{
	peer_send(c, REC_HANDSHAKE, "\x00\x00\x00\x01\x00", 5);
}

static void send_interleaved(struct conn *c)
{
	/* Half a ticket's header... then data. */
	peer_send(c, REC_HANDSHAKE, "\x04\x00", 2);
	peer_send(c, REC_DATA, "data", 4);
}

/* A NewSessionTicket message with a ticket of n bytes. */
static size_t nst(uint8_t *out, size_t n, uint8_t fillc)
{
	size_t body = 4 + 4 + 1 + 2 + n + 2;

	out[0] = 4;
	out[1] = (uint8_t)(body >> 16);
	out[2] = (uint8_t)(body >> 8);
	out[3] = (uint8_t)body;
	memcpy(out + 4, "\x00\x00\x1c\x20" "\x01\x02\x03\x04" "\x00", 9);
	out[13] = (uint8_t)(n >> 8);
	out[14] = (uint8_t)n;
	memset(out + 15, fillc, n);
	out[15 + n] = 0;
	out[16 + n] = 0;
	return 4 + body;
}

static void tickets_never_reach_the_application(void)
{
	static uint8_t msgs[3 * 2000];
	struct conn c;
	char buf[64] = { 0 };
	size_t a, b, d;
	ssize_t r;

	open_conn(&c, TLS_1_3_VERSION, KTLSO_ROLE_CLIENT);
	/* One whole; one split across three records, with the header
	 * itself split; two in one record.
	 */
	a = nst(msgs, 100, 'a');
	peer_send(&c, REC_HANDSHAKE, msgs, a);
	b = nst(msgs, 1500, 'b');
	peer_send(&c, REC_HANDSHAKE, msgs, 2);
	peer_send(&c, REC_HANDSHAKE, msgs + 2, 700);
	peer_send(&c, REC_HANDSHAKE, msgs + 702, b - 702);
	d = nst(msgs, 50, 'c');
	d += nst(msgs + d, 60, 'd');
	peer_send(&c, REC_HANDSHAKE, msgs, d);
	peer_send(&c, REC_DATA, "after the tickets", 17);
	r = recv(c.victim, buf, sizeof(buf), 0);
	CHECK(r == 17 && !memcmp(buf, "after the tickets", 17),
	      "TLS1.3 client: four tickets (whole, split across 3 records, 2 in one) never "
	      "reach the application, the data after them does (got %zd)", r);
	r = tickets_seen(&c);
	CHECK(r == 4, "TLS1.3 client: the daemon is handed all four tickets with peer name "
	      "and profile (got %zd)", r);
	CHECK(peer_gets_nothing(&c), "TLS1.3 client: and the peer is sent nothing");
	close_conn(&c);
}

/* With no daemon listening, a ticket is dropped all the same. */
static void ticket_without_daemon(void)
{
	static uint8_t msg[200];
	struct conn c;
	char buf[64] = { 0 };
	size_t n;
	ssize_t r;

	open_conn(&c, TLS_1_3_VERSION, KTLSO_ROLE_CLIENT);
	kill(c.daemon, SIGKILL);
	waitpid(c.daemon, NULL, 0);
	n = nst(msg, 100, 'x');
	peer_send(&c, REC_HANDSHAKE, msg, n);
	peer_send(&c, REC_DATA, "no daemon", 9);
	r = recv(c.victim, buf, sizeof(buf), 0);
	CHECK(r == 9 && !memcmp(buf, "no daemon", 9),
	      "TLS1.3 client, no daemon listening: the ticket is dropped, the data read (got %zd)",
	      r);
	close_conn(&c);
}

/* RFC 5246 §7.4.1.1, RFC 5746 §4.2/§4.4: refused, and the stream goes on. */
static void renegotiation_refused(uint32_t role)
{
	bool client = role == KTLSO_ROLE_CLIENT;
	const char *what = client ? "HelloRequest to a client" :
				    "renegotiation ClientHello to a server";
	static uint8_t hello[600];
	struct conn c;
	char buf[64] = { 0 };
	ssize_t r;

	open_conn(&c, TLS_1_2_VERSION, role);
	if (client) {
		peer_send(&c, REC_HANDSHAKE, "\x00\x00\x00\x00", 4);
	} else {
		/* Split across two records: only the header is read. A client
		 * may try again and again (gnutls-cli --rehandshake does).
		 */
		struct timeval tv = { .tv_usec = 300 * 1000 }, none = { 0 };
		int refused = 0;

		memcpy(hello, "\x01\x00\x02\x00\x03\x03", 6);
		memset(hello + 6, 0x42, sizeof(hello) - 6);
		setsockopt(c.victim, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		for (int i = 0; i < 8; i++) {
			peer_send(&c, REC_HANDSHAKE, hello, 300);
			peer_send(&c, REC_HANDSHAKE, hello + 300, 4 + 0x200 - 300);
			if (recv(c.victim, buf, sizeof(buf), 0) != -1 || errno != EAGAIN ||
			    !peer_gets_alert(&c, WARNING, 100))
				break;
			refused++;
		}
		setsockopt(c.victim, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof(none));
		CHECK(refused == 8, "%s: eight in turn, each refused (got %d)", what, refused);
		peer_send(&c, REC_HANDSHAKE, hello, 300);
		peer_send(&c, REC_HANDSHAKE, hello + 300, 4 + 0x200 - 300);
	}
	peer_send(&c, REC_DATA, "still here", 10);
	r = recv(c.victim, buf, sizeof(buf), 0);
	CHECK(r == 10 && !memcmp(buf, "still here", 10),
	      "TLS1.2 %s: the reader gets the data after it (got %zd)", what, r);
	CHECK(peer_gets_alert(&c, WARNING, 100), "TLS1.2 %s: warning no_renegotiation", what);
	CHECK(send(c.victim, "reply", 5, 0) == 5 && peer_gets_data(&c, "reply"),
	      "TLS1.2 %s: the victim still writes", what);
	peer_send(&c, REC_DATA, "more", 4);
	CHECK(recv(c.victim, buf, sizeof(buf), 0) == 4, "TLS1.2 %s: and still reads", what);
	close_conn(&c);
}

static void close_notify_both_ways(uint16_t version)
{
	struct conn c;
	char buf[64];

	/* Received: end of stream, every time. */
	open_conn(&c, version, KTLSO_ROLE_CLIENT);
	peer_send(&c, REC_DATA, "last", 4);
	peer_send(&c, REC_ALERT, "\x01\x00", 2);
	CHECK(recv(c.victim, buf, sizeof(buf), 0) == 4, "%s close_notify: the data before it",
	      name(version));
	CHECK(recv(c.victim, buf, sizeof(buf), 0) == 0 &&
		      recv(c.victim, buf, sizeof(buf), MSG_DONTWAIT) == 0,
	      "%s close_notify received: the reader sees end of stream, and again", name(version));
	CHECK(peer_gets_nothing(&c), "%s close_notify received: nothing sent back by itself",
	      name(version));
	/* Sent: shutdown(SHUT_WR) ends our side with close_notify, then FIN. */
	CHECK(send(c.victim, "bye", 3, MSG_MORE) == 3 && shutdown(c.victim, SHUT_WR) == 0,
	      "%s shutdown(SHUT_WR)", name(version));
	CHECK(peer_gets_data(&c, "bye"), "%s shutdown: the data MSG_MORE held first",
	      name(version));
	CHECK(peer_gets_alert(&c, WARNING, 0), "%s shutdown: then close_notify", name(version));
	CHECK(peer_gets_fin(&c), "%s shutdown: then the FIN", name(version));
	close_conn(&c);

	/* close() likewise. */
	open_conn(&c, version, KTLSO_ROLE_SERVER);
	CHECK(send(c.victim, "end", 3, 0) == 3, "%s close(): data", name(version));
	close(c.victim);
	c.victim = -1;
	CHECK(peer_gets_data(&c, "end") && peer_gets_alert(&c, WARNING, 0) && peer_gets_fin(&c),
	      "%s close(): the data, close_notify, then the FIN", name(version));
	close_conn(&c);
}

/* A fatal alert from the peer: ECONNRESET, and no alert back. */
static void fatal_alert_received(uint16_t version, const char *alert, const char *what)
{
	struct conn c;
	char buf[64];

	open_conn(&c, version, KTLSO_ROLE_CLIENT);
	peer_send(&c, REC_ALERT, alert, 2);
	CHECK_ERRNO(recv(c.victim, buf, sizeof(buf), 0), ECONNRESET,
		    "%s %s received: ECONNRESET", name(version), what);
	CHECK_ERRNO(recv(c.victim, buf, sizeof(buf), MSG_DONTWAIT), ECONNRESET,
		    "%s %s received: and again", name(version), what);
	CHECK(peer_gets_nothing(&c), "%s %s received: no alert answers it", name(version), what);
	CHECK(status_alert(c.victim) == (uint8_t)alert[1],
	      "%s %s received: getsockopt(KTLSO_HANDSHAKE) says which (got %d)", name(version),
	      what, status_alert(c.victim));
	close_conn(&c);
}

/* A warning the stream goes on after. */
static void warning_dropped(uint16_t version, const char *alert, const char *what)
{
	struct conn c;
	char buf[64];

	open_conn(&c, version, KTLSO_ROLE_CLIENT);
	peer_send(&c, REC_ALERT, alert, 2);
	peer_send(&c, REC_DATA, "on", 2);
	CHECK(recv(c.victim, buf, sizeof(buf), 0) == 2, "%s %s: dropped, the data after it read",
	      name(version), what);
	close_conn(&c);
}

int main(void)
{
	static const uint16_t versions[] = { TLS_1_2_VERSION, TLS_1_3_VERSION };

	for (int i = 0; i < 2; i++) {
		uint16_t v = versions[i];

		fatal_case("record that does not authenticate", v, KTLSO_ROLE_CLIENT,
			   send_garbage, EBADMSG, 20);
		fatal_case("oversized record", v, KTLSO_ROLE_CLIENT, send_oversized, EMSGSIZE, 22);
		fatal_case("unknown content type", v, KTLSO_ROLE_CLIENT, send_unknown_type,
			   EPROTO, 10);
		fatal_case("empty alert", v, KTLSO_ROLE_CLIENT, send_empty_alert, EPROTO, 10);
		fatal_case("3-byte alert", v, KTLSO_ROLE_CLIENT, send_long_alert, EPROTO, 50);
		fatal_case("alert level 7", v, KTLSO_ROLE_CLIENT, send_bad_alert_level, EPROTO, 50);
		fatal_case("ChangeCipherSpec in clear", v, KTLSO_ROLE_CLIENT, send_plain_ccs,
			   EPROTO, 10);
		fatal_case("protected ChangeCipherSpec", v, KTLSO_ROLE_CLIENT, send_protected_ccs,
			   EPROTO, 10);
		fatal_case("data between a handshake message's fragments", v, KTLSO_ROLE_CLIENT,
			   send_interleaved, EPROTO, 10);
		close_notify_both_ways(v);
	}
	fatal_case("inner plaintext all padding", TLS_1_3_VERSION, KTLSO_ROLE_CLIENT,
		   send_all_padding, EBADMSG, 10);
	fatal_case("post-handshake CertificateRequest", TLS_1_3_VERSION, KTLSO_ROLE_CLIENT,
		   send_certificate_request, EPROTO, 10);
	fatal_case("NewSessionTicket to a server", TLS_1_3_VERSION, KTLSO_ROLE_SERVER,
		   send_nst_as_server_gets, EPROTO, 10);
	fatal_case("HelloRequest with a body", TLS_1_2_VERSION, KTLSO_ROLE_CLIENT,
		   send_long_hello_request, EPROTO, 50);
	fatal_case("HelloRequest to a server", TLS_1_2_VERSION, KTLSO_ROLE_SERVER,
		   send_hello_request, EPROTO, 10);

	tickets_never_reach_the_application();
	ticket_without_daemon();
	renegotiation_refused(KTLSO_ROLE_CLIENT);
	renegotiation_refused(KTLSO_ROLE_SERVER);

	fatal_alert_received(TLS_1_3_VERSION, "\x02\x28", "handshake_failure");
	fatal_alert_received(TLS_1_3_VERSION, "\x01\x2a", "bad_certificate at warning level");
	fatal_alert_received(TLS_1_2_VERSION, "\x02\x28", "handshake_failure");
	warning_dropped(TLS_1_3_VERSION, "\x01\x5a", "user_canceled");
	warning_dropped(TLS_1_2_VERSION, "\x01\x64", "no_renegotiation warning");
	return check_summary();
}
