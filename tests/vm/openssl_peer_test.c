// SPDX-License-Identifier: MIT
/*
 * ktlso against an unmodified OpenSSL peer, in the VM.
 *
 *   this program: libssl handshake ---- 127.0.0.1 ---- openssl s_server -rev
 *                 then ktlso records                    (echoes lines reversed)
 *
 * libssl runs a real handshake; its keylog callback hands us the secrets,
 * libktlso's key schedule turns them into record keys (HKDF-Expand-Label for
 * TLS 1.3, the PRF key block for TLS 1.2), and from then on the kernel does
 * the records: a line goes out, s_server's reversed line comes back, then
 * close_notify each way.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/tls.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../lib/check.h"
#include "../lib/tls_sock.h"
#include "crypto/tls12_prf.h"
#include "crypto/tls13_keysched.h"
#include <linux/ktlso.h>

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

extern char **environ;

struct suite {
	const char *name;	/* OpenSSL's */
	uint16_t version, cipher;
	enum tls_hash hash;
	enum tls12_aead aead12;
	unsigned int key_len;
};

static const struct suite suites[] = {
	{ "TLS_AES_128_GCM_SHA256", TLS_1_3_VERSION, TLS_CIPHER_AES_GCM_128, TLS_HASH_SHA256, 0, 16 },
	{ "TLS_AES_256_GCM_SHA384", TLS_1_3_VERSION, TLS_CIPHER_AES_GCM_256, TLS_HASH_SHA384, 0, 32 },
	{ "TLS_CHACHA20_POLY1305_SHA256", TLS_1_3_VERSION, TLS_CIPHER_CHACHA20_POLY1305,
	  TLS_HASH_SHA256, 0, 32 },
	{ "ECDHE-RSA-AES128-GCM-SHA256", TLS_1_2_VERSION, TLS_CIPHER_AES_GCM_128,
	  TLS_HASH_SHA256, TLS12_AES_128_GCM, 16 },
	{ "ECDHE-RSA-AES256-GCM-SHA384", TLS_1_2_VERSION, TLS_CIPHER_AES_GCM_256,
	  TLS_HASH_SHA384, TLS12_AES_256_GCM, 32 },
	{ "ECDHE-RSA-CHACHA20-POLY1305", TLS_1_2_VERSION, TLS_CIPHER_CHACHA20_POLY1305,
	  TLS_HASH_SHA256, TLS12_CHACHA20_POLY1305, 32 },
};

/* The secrets libssl reports, by keylog label. */
static char keylog[4][256];
static const char *const labels[4] = { "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0",
				       "CLIENT_RANDOM", "" };

static void on_keylog(const SSL *ssl, const char *line)
{
	(void)ssl;
	for (int i = 0; i < 3; i++)
		if (!strncmp(line, labels[i], strlen(labels[i])) && line[strlen(labels[i])] == ' ')
			snprintf(keylog[i], sizeof(keylog[i]), "%s", line);
}

/* The secret (third field) of a keylog line. */
static bool keylog_secret(int which, struct secret *s)
{
	const char *hex = strrchr(keylog[which], ' ');
	uint8_t buf[64];
	size_t n = 0;

	if (!hex)
		return false;
	for (hex++; hex[0] && hex[1] && n < sizeof(buf); hex += 2)
		sscanf(hex, "%2hhx", &buf[n++]);
	return secret_set(s, buf, n) == 0;
}

/* A crypto_info for one direction, in <linux/tls.h> layout. */
struct info {
	uint8_t buf[64];
	unsigned int len;
};

static struct info make_info(const struct suite *s, const struct secret *key,
			     const struct secret *iv, uint64_t seq)
{
	struct info k = { 0 };
	struct tls_crypto_info *h = (struct tls_crypto_info *)k.buf;
	uint8_t *p = k.buf + sizeof(*h);
	bool chacha = s->cipher == TLS_CIPHER_CHACHA20_POLY1305;
	unsigned int salt = chacha ? 0 : 4, ivn = chacha ? 12 : 8;
	uint8_t explicit[8];

	h->version = s->version;
	h->cipher_type = s->cipher;
	for (int i = 0; i < 8; i++)
		explicit[i] = (uint8_t)(seq >> (56 - 8 * i));
	/* iv | key | salt | rec_seq. TLS 1.3 and ChaCha20 IVs are the static
	 * IV's tail; a TLS 1.2 GCM "iv" is the first explicit nonce (RFC 5288
	 * §3), and the sequence number makes a unique one.
	 */
	if (s->version == TLS_1_2_VERSION && !chacha)
		memcpy(p, explicit, 8);
	else
		memcpy(p, iv->bytes + salt, ivn);
	memcpy(p + ivn, key->bytes, s->key_len);
	memcpy(p + ivn + s->key_len, iv->bytes, salt);
	memcpy(p + ivn + s->key_len + salt, explicit, 8);
	k.len = sizeof(*h) + ivn + s->key_len + salt + 8;
	return k;
}

static bool derive(const struct suite *s, SSL *ssl, struct info *tx, struct info *rx)
{
	struct secret key = { 0 }, iv = { 0 };
	bool ok = true;

	if (s->version == TLS_1_3_VERSION) {
		struct secret c = { 0 }, srv = { 0 };
		unsigned int iv_len = 12;

		/* RFC 8446 §7.3; no NewSessionTicket (-num_tickets 0): both at 0. */
		ok = keylog_secret(0, &c) && keylog_secret(1, &srv) &&
		     !tls13_traffic_key_iv(s->hash, &c, s->key_len, iv_len, &key, &iv);
		*tx = make_info(s, &key, &iv, 0);
		ok = ok && !tls13_traffic_key_iv(s->hash, &srv, s->key_len, iv_len, &key, &iv);
		*rx = make_info(s, &key, &iv, 0);
		secret_wipe(&c);
		secret_wipe(&srv);
	} else {
		struct tls12_aead_keys keys;
		struct secret master = { 0 };
		uint8_t cr[32], sr[32];

		SSL_get_client_random(ssl, cr, sizeof(cr));
		SSL_get_server_random(ssl, sr, sizeof(sr));
		/* RFC 5246 §6.3; each side's Finished was record 0, so 1 is next. */
		ok = keylog_secret(2, &master) &&
		     !tls12_aead_keys(s->hash, s->aead12, &master, cr, sr, &keys);
		if (ok) {
			*tx = make_info(s, &keys.client_key, &keys.client_iv, 1);
			*rx = make_info(s, &keys.server_key, &keys.server_iv, 1);
		}
		tls12_aead_keys_wipe(&keys);
		secret_wipe(&master);
	}
	secret_wipe(&key);
	secret_wipe(&iv);
	return ok;
}

static pid_t start_server(const struct suite *s, int port)
{
	char accept[32], *argv[20];
	int n = 0;
	pid_t pid;

	snprintf(accept, sizeof(accept), "127.0.0.1:%d", port);
	argv[n++] = "openssl";
	argv[n++] = "s_server";
	argv[n++] = "-quiet";
	argv[n++] = "-rev";
	argv[n++] = "-naccept";
	argv[n++] = "1";
	argv[n++] = "-num_tickets";
	argv[n++] = "0";
	argv[n++] = "-cert";
	argv[n++] = "/tmp/ktlso-peer.pem";
	argv[n++] = "-accept";
	argv[n++] = accept;
	argv[n++] = s->version == TLS_1_3_VERSION ? "-tls1_3" : "-tls1_2";
	argv[n++] = s->version == TLS_1_3_VERSION ? "-ciphersuites" : "-cipher";
	argv[n++] = (char *)s->name;
	argv[n] = NULL;
	posix_spawn_file_actions_t quiet;

	/* -rev chats about each connection on stdout; keep ours readable. */
	posix_spawn_file_actions_init(&quiet);
	posix_spawn_file_actions_addopen(&quiet, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	if (posix_spawnp(&pid, "openssl", &quiet, NULL, argv, environ))
		pid = -1;
	posix_spawn_file_actions_destroy(&quiet);
	return pid;
}

static int connect_retry(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

	for (int i = 0; i < 200; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		if (!connect(fd, (struct sockaddr *)&a, sizeof(a)))
			return fd;
		close(fd);
		usleep(50000);
	}
	return -1;
}

static void run(const struct suite *s, int port)
{
	const char *v = s->version == TLS_1_3_VERSION ? "TLS1.3" : "TLS1.2";
	static const char line[] = "hello from the kernel\n";
	static const char want[] = "lenrek eht morf olleh\n";
	char buf[256] = { 0 };
	struct info tx, rx;
	pid_t server = start_server(s, port);
	int fd = connect_retry(port), status;
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl = SSL_new(ctx);
	uint8_t type;

	memset(keylog, 0, sizeof(keylog));
	SSL_CTX_set_keylog_callback(ctx, on_keylog);
	SSL_set_min_proto_version(ssl, s->version == TLS_1_3_VERSION ? TLS1_3_VERSION : TLS1_2_VERSION);
	SSL_set_max_proto_version(ssl, s->version == TLS_1_3_VERSION ? TLS1_3_VERSION : TLS1_2_VERSION);
	if (s->version == TLS_1_3_VERSION)
		SSL_set_ciphersuites(ssl, s->name);
	else
		SSL_set_cipher_list(ssl, s->name);
	SSL_set_fd(ssl, fd);

	CHECK(server > 0 && fd >= 0 && SSL_connect(ssl) == 1 &&
		      !strcmp(SSL_get_cipher_name(ssl), s->name),
	      "%s %s: libssl handshake with openssl s_server", v, s->name);
	/* The kernel must take the stream exactly where libssl left it. */
	CHECK(!SSL_has_pending(ssl), "%s %s: libssl holds no unread bytes", v, s->name);
	CHECK(derive(s, ssl, &tx, &rx), "%s %s: record keys from the keylog secrets", v, s->name);
	CHECK(!setsockopt(fd, SOL_TCP, TCP_ULP, KTLSO_ULP_NAME, sizeof(KTLSO_ULP_NAME)) &&
		      !setsockopt(fd, SOL_TLS, TLS_TX, tx.buf, tx.len) &&
		      !setsockopt(fd, SOL_TLS, TLS_RX, rx.buf, rx.len),
	      "%s %s: keys installed into ktlso", v, s->name);
	memset(&tx, 0, sizeof(tx));
	memset(&rx, 0, sizeof(rx));

	CHECK(send(fd, line, strlen(line), 0) == (ssize_t)strlen(line),
	      "%s %s: a line goes out through ktlso", v, s->name);
	size_t got = 0;

	while (got < strlen(want)) {
		ssize_t n = recv_with_type(fd, buf + got, sizeof(buf) - 1 - got, 0, &type);

		if (n <= 0 || type != 23)
			break;
		got += (size_t)n;
	}
	CHECK(got == strlen(want) && !memcmp(buf, want, got),
	      "%s %s: s_server's reply decrypts: %.*s", v, s->name, (int)got - 1, buf);

	/* RFC 8446 §6.1: close_notify is a warning-level alert 0. */
	CHECK(send_with_type(fd, 21, "\x01\x00", 2) == 2, "%s %s: close_notify sent", v, s->name);
	ssize_t n = recv_with_type(fd, buf, sizeof(buf), 0, &type);

	CHECK(n == 2 && type == 21 && buf[0] == 1 && buf[1] == 0,
	      "%s %s: s_server's close_notify arrives as an alert record", v, s->name);
	CHECK(waitpid(server, &status, 0) == server && WIFEXITED(status) &&
		      WEXITSTATUS(status) == 0,
	      "%s %s: s_server exits cleanly", v, s->name);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
}

int main(void)
{
	if (system("openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 1 "
		   "-keyout /tmp/ktlso-peer.pem -out /tmp/ktlso-peer.crt 2>/dev/null && "
		   "cat /tmp/ktlso-peer.crt >>/tmp/ktlso-peer.pem")) {
		CHECK(0, "a throw-away certificate for s_server");
		return check_summary();
	}
	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		run(&suites[i], 24400 + (int)i);
	return check_summary();
}
