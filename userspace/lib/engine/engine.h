/* SPDX-License-Identifier: MIT */
/*
 * The sans-IO TLS handshake engine: TLS 1.2 and TLS 1.3, client and server.
 *
 * The caller moves bytes; the engine never touches a socket:
 *
 *     peer bytes ──► tls_engine_feed() ──► (records, messages, state)
 *                                              │
 *     peer ◄── tls_engine_output() / _output_done() ◄─┘
 *
 * tls_engine_feed() takes bytes from the TCP stream and reports how many it
 * consumed. It consumes at most up to the end of the last handshake record:
 * once the handshake is complete it takes nothing more, so whatever follows
 * (application data, a TLS 1.3 NewSessionTicket) is left for the kernel,
 * which takes over the stream at exactly that byte.
 *
 * Failure is sticky (as in BearSSL): the first fatal error is kept, a fatal
 * alert is queued in the output (send it, then close), and every later call
 * returns the same error. Errors:
 *   -EPROTO        the handshake failed; tls_engine_alert() says why
 *   -EKEYREJECTED  the peer's certificate was rejected (alert and reason
 *                  in tls_engine_result() / tls_engine_reason())
 *   -ECONNRESET    the peer sent an alert (tls_engine_peer_alert())
 *   -ENOMEM, -EIO  resources, or libcrypto failed (internal_error)
 */
#ifndef KTLSO_ENGINE_H
#define KTLSO_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/secret.h"
#include "resume/session.h"
#include "tls_config.h"
#include "try.h"

struct tls_engine;

enum tls_role {
	TLS_ROLE_CLIENT,
	TLS_ROLE_SERVER,
};

/* What one connection asks for beyond the shared configuration. */
struct tls_peer_request {
	enum tls_role role;
	/* Client: SNI and the name (or IP literal) the certificate must match. */
	const char *server_name;
	/* ALPN protocols, comma-separated ("h2,http/1.1"); NULL for none. */
	const char *alpn;
	/*
	 * The largest handshake message to take from the peer, at least
	 * TLS_ENGINE_MSG_MIN; 0: TLS_ENGINE_MSG_MAX. Bounds what a peer can
	 * make the engine hold (tls_engine_max_message()).
	 */
	size_t max_message;
	/*
	 * Client: a session to resume (TLS 1.3: offered as a PSK, RFC 8446
	 * §4.2.11; TLS 1.2: its session ID and/or ticket, RFC 5077 §3.4),
	 * copied; NULL: none. keep_session: fill tls_result.session so that
	 * a later connection can resume.
	 */
	const struct tls_session *session;
	bool keep_session;
};

/* A 10-certificate chain fits in the largest; a usual one in the least. */
#define TLS_ENGINE_MSG_MAX (128 * 1024)
#define TLS_ENGINE_MSG_MIN (16 * 1024)

/*
 * One handshake's memory, at most, when the engine takes messages of up
 * to max_message bytes (Documentation/engine.rst, Memory); and the
 * largest max_message within a budget, 0 when even TLS_ENGINE_MSG_MIN
 * does not fit.
 */
size_t tls_engine_memory(size_t max_message);
size_t tls_engine_max_message(size_t budget);
/* The least budget a handshake can run in: tls_engine_memory(MSG_MIN). */
size_t tls_engine_memory_min(void);

/* One direction's record protection, in the form <linux/tls.h> takes. */
struct tls_direction_keys {
	struct secret key;
	struct secret salt;	/* GCM/CCM: 4 bytes; ChaCha20: none */
	struct secret iv;	/* GCM/CCM: 8 bytes; ChaCha20: 12; CBC: none */
	struct secret mac_key;	/* legacy CBC suites only */
	uint64_t seq;		/* the next record's sequence number */
	struct secret traffic_secret; /* TLS 1.3: for KeyUpdate (§7.2) */
};

#define TLS_RESULT_TEXT 256

/* The outcome of a completed handshake. Wiped by tls_result_wipe(). */
struct tls_result {
	uint16_t version;		/* TLS_VERSION_1_2 / _1_3 */
	uint16_t cipher_suite;		/* IANA number */
	uint16_t group;			/* key exchange group, 0 for RSA */
	uint16_t kernel_cipher;		/* tls_suite.kernel_cipher, 0: none */
	/*
	 * TLS 1.2 CBC suites: RFC 7366's encrypt_then_mac was negotiated
	 * (a resumed session keeps the one it was made with, §3.1); else
	 * RFC 5246's MAC-then-encrypt. Always false for AEADs.
	 */
	bool encrypt_then_mac;
	struct tls_direction_keys tx, rx;
	char alpn[TLS_RESULT_TEXT];	/* "" when none was negotiated */
	char peer_subject[TLS_RESULT_TEXT]; /* "" when the peer sent no certificate */
	bool peer_verified;		/* a certificate was checked and accepted */
	/*
	 * Resumed from a ticket (or TLS 1.2 session): no certificate was
	 * sent or checked now; the peer fields are the ticket's.
	 */
	bool resumed;
	/*
	 * Client with keep_session, TLS 1.3: the session waiting for the
	 * server's NewSessionTickets, its secret the resumption master
	 * secret (tls_session_from_ticket() makes each ticket a session).
	 */
	bool session_pending;
	/*
	 * Client with keep_session, TLS 1.2: session is whole (a session ID,
	 * a ticket or both, its secret the master secret), to keep as it
	 * is: a full handshake's new session, or the resumed one with any
	 * new ticket the server sent (RFC 5077 §3.3). Only sessions with the
	 * extended master secret are kept (RFC 7627 §5.3).
	 */
	bool session_ready;
	struct tls_session session;
};

/*
 * A new engine for one connection. The config must outlive it. Returns NULL
 * with errno set (ENOMEM, EINVAL for a request the config cannot serve:
 * among them a client that verifies the server but has no server_name to
 * verify it for).
 * A client has its ClientHello in the output straight away.
 */
struct tls_engine *tls_engine_new(const struct tls_config *cfg,
				  const struct tls_peer_request *req);
void tls_engine_free(struct tls_engine *e);

/*
 * The most a peer may send in one handshake, records and all: three
 * messages of the largest size taken (a ClientHello twice, a Certificate),
 * 0-RTT data skipped in the smallest records, and the rest with room to
 * spare. A peer that sends more without finishing gets unexpected_message,
 * so no stream of ignorable records keeps a handshake alive.
 */
#define TLS_ENGINE_INPUT_MAX (1024 * 1024)

/*
 * Bytes from the peer; *consumed is set even on failure. Every call ends
 * in one of: complete (tls_engine_done), failed with a fatal alert queued
 * or received (the error), or all bytes taken and more needed.
 */
int tls_engine_feed(struct tls_engine *e, const uint8_t *in, size_t len,
		    size_t *consumed) WUR;

/* Bytes to send to the peer, and how many of them were sent. */
void tls_engine_output(const struct tls_engine *e, const uint8_t **out,
		       size_t *len);
void tls_engine_output_done(struct tls_engine *e, size_t n);

/* 0 while in progress (or done), else the sticky error. */
int tls_engine_error(const struct tls_engine *e);
/* Complete: the output may still hold our last flight. */
bool tls_engine_done(const struct tls_engine *e);
/* The alert we sent (or -1), the alert the peer sent (or -1). */
int tls_engine_alert(const struct tls_engine *e);
int tls_engine_peer_alert(const struct tls_engine *e);
/* A one-line human reason for the failure, "" if none. */
const char *tls_engine_reason(const struct tls_engine *e);

/*
 * Move the result out once done (keys included; the engine keeps none).
 * -EAGAIN before the handshake is complete.
 */
int tls_engine_take_result(struct tls_engine *e, struct tls_result *res) WUR;
void tls_result_wipe(struct tls_result *res);

/*
 * Fill the crypto info for TLS_TX or TLS_RX, one direction; *len gets its
 * size: <linux/tls.h>'s struct for an AEAD (tls12_crypto_info_aes_gcm_128
 * etc.), <linux/ktlso.h>'s for a CBC suite (key, MAC key, rec_seq and
 * KTLSO_CBC_ENCRYPT_THEN_MAC when negotiated), which only ktlso.ko takes.
 * -EOPNOTSUPP when the suite has no kernel cipher. TLS_CRYPTO_INFO_MAX
 * bytes hold any of them. The caller wipes buf after setsockopt.
 */
#define TLS_CRYPTO_INFO_MAX 128
int tls_result_crypto_info(const struct tls_result *res, bool tx, void *buf,
			   size_t cap, size_t *len) WUR;

#endif /* KTLSO_ENGINE_H */
