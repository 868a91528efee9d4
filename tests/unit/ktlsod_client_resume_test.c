// SPDX-License-Identifier: MIT
/*
 * ktlsod's client sessions (userspace/daemon/client_resume.c) on real
 * loopback sockets, the TICKET notification played by the test:
 *
 *   client handshake done ─► client_resume_keep(socket)   (its secret)
 *   TICKET {ticket, SO_COOKIE of the socket} ─► client_resume_ticket()
 *   next connection, same (profile, peer, port) ─► client_resume_offer()
 *
 * The session offered must carry the ticket and the PSK RFC 8446 §4.6.1
 * derives from the connection's secret and the ticket's nonce; it is
 * offered once; another peer name or port, another socket's cookie, a
 * ticket of lifetime 0 and a reloaded configuration get nothing. A TLS
 * 1.2 session (its ID and master secret) is cached when its handshake
 * ends, no TICKET needed, and offered once.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include "../lib/check.h"
#include "../lib/pki.h"
#include "client_resume.h"
#include "config.h"
#include "crypto/tls13_keysched.h"
#include "resume/client_cache.h"
#include "wire/hs_msg.h"
#include "wire/proto.h"

static const struct config_options no_system_ca = { .system_ca = NULL };
static const char conf[] =
	"[profile resume]\nca = root.pem\ntickets = on\n"
	"[profile plain]\nca = root.pem\n";

/* A listener: every connection to it has the same peer port. */
static int listener, lport;

static int connect_fd(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons(lport);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)))
		abort();
	close(accept(listener, NULL, NULL));
	return fd;
}

static void listen_once(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	listener = socket(AF_INET, SOCK_STREAM, 0);
	if (listener < 0 || bind(listener, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(listener, 8) ||
	    getsockname(listener, (struct sockaddr *)&a, &len))
		abort();
	lport = ntohs(a.sin_port);
}

static uint64_t cookie_of(int fd)
{
	uint64_t c = 0;
	socklen_t len = sizeof(c);

	if (getsockopt(fd, SOL_SOCKET, SO_COOKIE, &c, &len))
		abort();
	return c;
}

/* A finished TLS 1.3 client handshake's result, with a known secret. */
static void result_of(struct tls_result *r)
{
	memset(r, 0, sizeof(*r));
	r->version = TLS_VERSION_1_3;
	r->cipher_suite = TLS_AES_128_GCM_SHA256;
	r->session_pending = true;
	r->session.st.version = TLS_VERSION_1_3;
	r->session.st.cipher_suite = TLS_AES_128_GCM_SHA256;
	r->session.st.peer_verified = true;
	snprintf(r->session.st.peer_subject, sizeof(r->session.st.peer_subject),
		 "CN=server");
	if (secret_set(&r->session.st.secret,
		       "resumption master secret, 32 by", 32))
		abort();
}

/* A finished TLS 1.2 client handshake's result: a session ID, kept. */
static void result12_of(struct tls_result *r)
{
	memset(r, 0, sizeof(*r));
	r->version = TLS_VERSION_1_2;
	r->cipher_suite = TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;
	r->session_ready = true;
	r->session.st.version = TLS_VERSION_1_2;
	r->session.st.cipher_suite = r->cipher_suite;
	r->session.st.ems = true;
	r->session.st.created_ms = (uint64_t)time(NULL) * 1000;
	r->session.st.lifetime_s = 100;
	memcpy(r->session.session_id, "S1", 2);
	r->session.session_id_len = 2;
	if (secret_set(&r->session.st.secret, "master secret, 48 bytes long, "
		       "of a TLS 1.2 session", 48))
		abort();
}

/* TICKET for fd: a NewSessionTicket of lifetime and ticket text. */
static int ticket(int fd, uint32_t lifetime, const char *text)
{
	static const uint8_t nonce[] = { 7 };
	struct new_session_ticket nst = {
		.lifetime = lifetime,
		.age_add = 12345,
		.nonce = { nonce, sizeof(nonce) },
		.ticket = { (const uint8_t *)text, strlen(text) },
	};
	struct nl_ticket t = { .peer_name = "localhost", .profile = "resume" };
	WRITER_SCOPED(w, 1024);

	if (hs_new_session_ticket_encode(&w, TLS_VERSION_1_3, &nst))
		abort();
	t.msg = w.data;
	t.len = w.len;
	t.cookie = fd >= 0 ? cookie_of(fd) : 42;
	return client_resume_ticket(&t);
}

static bool offered(const struct profile *p, const char *peer, int fd,
		    const char *want)
{
	struct tls_session s;
	bool ok = client_resume_offer(p, peer, fd, &s);

	ok = ok && s.ticket_len == strlen(want) &&
	     !memcmp(s.ticket, want, s.ticket_len);
	tls_session_wipe(&s);
	return ok;
}

int main(void)
{
	struct config *cfg, *cfg2;
	const struct profile *p, *plain;
	struct tls_result r;
	struct tls_session s;
	SECRET_SCOPED struct secret psk = { 0 };
	char err[CONFIG_ERR] = "";
	int a, b;

	if (pki_make() ||
	    config_load(pki_write("client.conf", conf), &no_system_ca, &cfg,
			err, sizeof(err))) {
		CHECK(0, "the test PKI and configuration: %s", err);
		return check_summary();
	}
	p = config_profile(cfg, "resume");
	plain = config_profile(cfg, "plain");
	listen_once();
	result_of(&r);

	a = connect_fd();
	client_resume_keep(cfg, p, "localhost", a, &r);
	CHECK(ticket(-1, 100, "T0") == -ENOENT,
	      "a TICKET of a socket nobody waits on is not kept");
	CHECK(ticket(a, 100, "T1") == 0,
	      "the waiting connection's ticket becomes a session");
	b = connect_fd();
	CHECK(!offered(p, "other.example", b, "T1"),
	      "another peer name is offered nothing");
	CHECK(client_resume_offer(p, "localhost", b, &s) &&
		      s.ticket_len == 2 && !memcmp(s.ticket, "T1", 2) &&
		      s.st.peer_verified && !strcmp(s.st.peer_subject, "CN=server"),
	      "the next connection to the same peer and port is offered it, "
	      "with the peer verified then");
	CHECK(!tls13_ticket_psk(TLS_HASH_SHA256, &r.session.st.secret,
				(const uint8_t *)"\x07", 1, &psk) &&
		      secret_equals(&psk, s.st.secret.bytes, s.st.secret.len) &&
		      s.st.age_add == 12345 && s.st.lifetime_s == 100,
	      "its PSK is HKDF-Expand-Label(secret, \"resumption\", nonce)");
	tls_session_wipe(&s);
	CHECK(!offered(p, "localhost", b, "T1"),
	      "a ticket is offered once (RFC 8446 §C.4)");
	CHECK(ticket(a, 100, "T2") == 0 && ticket(a, 100, "T3") == 0 &&
		      offered(p, "localhost", b, "T3"),
	      "more tickets on the connection: the latest is kept");
	CHECK(ticket(a, 0, "T4") == -ENOENT && !offered(p, "localhost", b, "T4"),
	      "a ticket of lifetime 0 is not kept (RFC 8446 §4.6.1)");
	CHECK(!client_resume_offer(plain, "localhost", b, &s),
	      "a profile without tickets = on offers nothing");
	client_resume_keep(cfg, plain, "localhost", b, &r);
	CHECK(ticket(b, 100, "T5") == -ENOENT,
	      "nor waits for tickets");

	/* TLS 1.2: the session is whole when the handshake ends */
	tls_result_wipe(&r);
	result12_of(&r);
	client_resume_keep(cfg, p, "localhost", b, &r);
	CHECK(client_resume_offer(p, "localhost", b, &s) &&
		      s.st.version == TLS_VERSION_1_2 && s.st.ems &&
		      s.session_id_len == 2 && !memcmp(s.session_id, "S1", 2) &&
		      secret_equals(&r.session.st.secret, s.st.secret.bytes,
				    s.st.secret.len),
	      "a TLS 1.2 session is kept when its handshake ends, with its "
	      "ID and master secret");
	tls_session_wipe(&s);
	CHECK(ticket(b, 100, "T9") == -ENOENT &&
		      !client_resume_offer(p, "localhost", b, &s),
	      "  taken once; its connection waits for no TLS 1.3 ticket");
	tls_result_wipe(&r);
	result_of(&r);

	/* a reload: the new generation's cache starts empty */
	CHECK(ticket(a, 100, "T6") == 0, "one more session, then a reload");
	if (config_load(pki_write("client.conf", conf), &no_system_ca, &cfg2,
			err, sizeof(err)))
		abort();
	CHECK(!offered(config_profile(cfg2, "resume"), "localhost", b, "T6"),
	      "after a reload, the profile offers no session of before");
	config_put(cfg);
	CHECK(ticket(a, 100, "T7") == 0,
	      "a connection of the old generation still takes its tickets");
	CHECK(!offered(config_profile(cfg2, "resume"), "localhost", b, "T7"),
	      "into the old generation's cache, not the new one's");
	client_resume_clear();
	CHECK(ticket(a, 100, "T8") == -ENOENT,
	      "once cleared, no connection waits");
	config_put(cfg2);
	tls_result_wipe(&r);
	close(a);
	close(b);
	close(listener);
	pki_cleanup();
	return check_summary();
}
