/* SPDX-License-Identifier: MIT */
/*
 * Inside the engine: the connection state shared by the record handling in
 * engine.c and the per-version, per-role state machines (hs13_client.c,
 * hs13_server.c, hs12_client.c, hs12_server.c, hello.c).
 *
 * A state machine is a static const table of steps, one per state. A step
 * names the handshake message types it accepts; the driver
 * (engine_dispatch) refuses any other with unexpected_message before the
 * step's function runs, so that function holds only the protocol logic:
 * it processes the message, may send messages and switch keys, and names
 * the step that follows (engine_next). The struct is grouped by concern.
 */
#ifndef KTLSO_ENGINE_PRIV_H
#define KTLSO_ENGINE_PRIV_H

#include <stdarg.h>

#include "crypto/kx.h"
#include "crypto/secret.h"
#include "crypto/transcript.h"
#include "engine/engine.h"
#include "record/record.h"
#include "tls_config.h"
#include "tls_suite.h"
#include "wire/hs_msg.h"
#include "wire/proto.h"
#include "wire/writer.h"

struct tls_engine;

/* One handshake message, as the driver hands it to a step. */
struct hs_message {
	uint8_t type;
	struct bytes body;	/* after the 4-byte header */
	struct bytes whole;	/* header and body: what the transcript takes */
};

typedef int hs_step_fn(struct tls_engine *e, const struct hs_message *m);

/* The bit of a handshake type in hs_step.accepts (all we accept are < 32). */
#define HS_TYPE(type) (UINT32_C(1) << (type))

/* A state: what it waits for (for the reason), what it accepts, its logic. */
struct hs_step {
	const char *name;
	uint32_t accepts;
	hs_step_fn *fn;
};

/* Input: the record being assembled, its plaintext, handshake reassembly. */
struct engine_input {
	uint8_t rec[TLS_RECORD_HEADER_LEN + TLS12_MAX_CIPHERTEXT];
	size_t rec_len;
	uint8_t plain[TLS_MAX_PLAINTEXT + 256];
	struct writer hs;		/* handshake bytes not yet handled */
	size_t max_msg;			/* the largest message taken */
	size_t hs_rest;			/* bytes after the message being handled */
	unsigned int warnings;		/* TLS 1.2 warning alerts ignored */
	size_t taken;			/* bytes consumed, for the budget */
};

/* Output: records waiting to be sent, and the scratch to seal one. */
struct engine_output {
	struct writer queue;
	uint8_t sealed[RECORD_MAX_LEN];
};

/* Record protection per direction, and the keys behind it for the result. */
struct engine_record {
	struct record_dir rx, tx;
	struct record_keys rx_keys, tx_keys;
	/* TLS 1.2: rx after the peer's CCS, which is due when ccs_expected. */
	struct record_dir rx_pending;
	struct record_keys rx_pending_keys;
	bool ccs_expected;
	/*
	 * TLS 1.3 §5: one CCS record may arrive before the peer's Finished
	 * (a client allows it from its first ClientHello on).
	 */
	bool ccs_ignorable;
	bool ccs_ignored;	/* that one has come: a second is refused */
	/*
	 * TLS 1.3 server, §4.2.10: the client offered 0-RTT data we do not
	 * accept. Skip records that fail to open with the handshake keys
	 * (after our ServerHello), or every application_data record (after
	 * a HelloRetryRequest, until the second ClientHello), counting the
	 * bytes skipped.
	 */
	enum {
		EARLY_DATA_NONE,
		EARLY_DATA_UNDECRYPTABLE,
		EARLY_DATA_PROTECTED,
	} early_skip;
	size_t early_skipped;
};

/* What the hellos settled (and what they need until they do). */
struct engine_params {
	uint16_t version;
	const struct tls_suite *suite;
	uint16_t group;
	uint8_t client_random[HS_RANDOM_LEN];
	uint8_t server_random[HS_RANDOM_LEN];
	uint8_t session_id[HS_SESSION_ID_MAX];
	size_t session_id_len;
	struct kx_key *kx;		/* our key share, until used */
	/* Client: a second key share (§4.2.8), until ServerHello picks one */
	struct kx_key *kx_second;
	bool sent_hrr;			/* server: HelloRetryRequest sent */
	bool got_hrr;			/* client: HelloRetryRequest received */
	uint8_t *cookie;		/* client: the HRR's, <1..2^16-1> */
	size_t cookie_len;
	uint16_t our_sig_scheme;	/* for our CertificateVerify / SKE */
};

/* The peer's certificate, and the certificate requests either way. */
struct engine_peer {
	EVP_PKEY *key;			/* the verified leaf's key */
	uint8_t *chain;			/* TLS 1.2: its Certificate body, kept */
	size_t chain_len;		/* until any CertificateStatus is in */
	bool status_requested;		/* OCSP stapling asked for and agreed */
	bool cert_requested;		/* we sent a CertificateRequest */
	bool asked_for_ours;		/* the peer sent one */
};

/* TLS 1.3 secrets (RFC 8446 §7.1) */
struct engine_tls13 {
	struct secret handshake_secret;
	struct secret master_secret;
	struct secret client_hs, server_hs;
	struct secret client_ap, server_ap;
};

/* TLS 1.2 (RFC 5246) */
struct engine_tls12 {
	struct secret master;
	struct record_keys client_keys, server_keys; /* until each CCS */
	uint8_t peer_share[KX_PUBLIC_MAX]; /* ServerKeyExchange public key */
	size_t peer_share_len;
	uint16_t rsa_client_version;	/* ClientHello.client_version (§7.4.7.1) */
	bool ems;			/* RFC 7627 negotiated */
	/*
	 * RFC 7366: the client offered encrypt_then_mac (a client: we did,
	 * with a CBC suite), and it was negotiated (a CBC suite was chosen
	 * and the server echoed it).
	 */
	bool etm_offered;
	bool etm;
	bool ticket_ext;		/* RFC 5077: server will send a ticket */
};

/*
 * Server session resumption (hs13_resume.c): the PSK a ticket gave, which
 * of the client's identities it was, and whether the client can take
 * tickets (§4.2.9: it offered psk_dhe_ke, the only mode we use).
 * Client (hs13_client_resume.c, hs12_client_resume.c): the session to
 * offer, whether the ClientHello being sent offers it as a TLS 1.3 PSK or
 * as a TLS 1.2 session, whether to keep the new session.
 */
struct engine_resume {
	bool resumed;
	bool client_dhe_ke;
	uint16_t identity;
	struct secret psk;
	bool offering;
	bool offering12;
	bool keep;
	struct tls_session offer;
};

/*
 * One connection's handshake. Beside the request and the outcome, the
 * state is grouped by concern (as net/tls groups tls_context into tx, rx
 * and prot_info): bytes in, bytes out, record protection, then what the
 * state machines negotiate and keep.
 */
struct tls_engine {
	const struct tls_config *cfg;
	enum tls_role role;
	char server_name[256];
	uint8_t alpn_buf[256];
	struct bytes alpn;		/* our protocols, wire form */

	/* Outcome */
	int err;
	int alert;			/* the alert we sent, or -1 */
	int peer_alert;			/* the alert we received, or -1 */
	char reason[256];
	bool done;

	struct engine_input in;
	struct engine_output out;
	struct engine_record record;
	struct transcript transcript;
	const struct hs_step *step;	/* the state: what comes next */

	struct engine_params params;
	struct engine_peer peer;
	struct engine_tls13 tls13;
	struct engine_tls12 tls12;
	struct engine_resume resume;

	struct tls_result result;
};

/*
 * Record the first fatal error, queue alert, keep a reason. Returns err so
 * handlers can `return engine_fail(...)`.
 */
int engine_fail(struct tls_engine *e, int err, int alert, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * A codec's result for the message named what: 0, or the failure with the
 * alert the error calls for. TRY(engine_decoded(e, hs_x_decode(...), "X")).
 */
int engine_decoded(struct tls_engine *e, int err, const char *what) WUR;

/* A message that is out of order for a reason beyond its type. */
int engine_unexpected(struct tls_engine *e, uint8_t type);

/* The step for the message after this one; 0, so a step ends with it. */
static inline int engine_next(struct tls_engine *e, const struct hs_step *next)
{
	e->step = next;
	return 0;
}

/*
 * The driver: hand m to the current step if the step accepts its type,
 * else unexpected_message (RFC 8446 §6.2, RFC 5246 §7.2.2).
 */
int engine_dispatch(struct tls_engine *e, const struct hs_message *m) WUR;
/*
 * The current step's message is optional and was left out: m belongs to
 * next, which becomes the current step and is checked like any other.
 */
int engine_step_on(struct tls_engine *e, const struct hs_step *next,
		   const struct hs_message *m) WUR;

/*
 * A post-handshake message (NewSessionTicket): sent under the current
 * keys, outside the transcript.
 */
int engine_send_post_handshake(struct tls_engine *e, struct writer *msg) WUR;

/* Wall-clock milliseconds (tls_config.clock_ms). */
uint64_t engine_now_ms(const struct tls_engine *e);

/* Add the finished message in msg to the transcript and send it. */
int engine_send_msg(struct tls_engine *e, struct writer *msg) WUR;
/* TLS 1.2 ChangeCipherSpec, or TLS 1.3 middlebox-compatibility CCS */
int engine_send_ccs(struct tls_engine *e) WUR;

/*
 * Key a direction (tx: sealing, rx: opening, pending: TLS 1.2 rx after the
 * peer's CCS), keeping the keys for the result.
 */
enum engine_dir {
	ENGINE_TX,
	ENGINE_RX,
	ENGINE_RX_PENDING,
};
int engine_install_keys(struct tls_engine *e, enum engine_dir which,
			struct record_keys *k) WUR;
/* TLS 1.3: a direction keyed from a traffic secret (§7.3). */
int engine_tls13_keys(struct tls_engine *e, enum engine_dir which,
		      const struct secret *traffic) WUR;
/*
 * ECDHE: the shared secret from our key share (params.kx) and the peer's;
 * illegal_parameter for an invalid share.
 */
int engine_kx_derive(struct tls_engine *e, struct bytes peer_share,
		     struct secret *shared) WUR;
/* TLS 1.3 switching rx must fall on a record boundary (§5.1). */
int engine_rx_boundary(struct tls_engine *e) WUR;

/* Transcript hash with the negotiated suite's hash. */
int engine_transcript_hash(struct tls_engine *e, uint8_t out[TLS_HASH_MAX],
			   size_t *len) WUR;

/* Peer certificate: verify the chain, keep the leaf key (both versions). */
int engine_verify_peer_chain(struct tls_engine *e, const struct certificate *c,
			     struct bytes ocsp) WUR;

/*
 * The peer's Certificate (RFC 8446 §4.4.2, RFC 5246 §7.4.2 and §7.4.6).
 * An empty one fails unless the peer is a client we do not require a
 * certificate of; *empty says it was. TLS 1.3
 * verifies the chain now, with the leaf's OCSP response; TLS 1.2 keeps it
 * until any CertificateStatus is in (hs12_verify_kept_chain).
 */
int engine_on_certificate(struct tls_engine *e, const struct hs_message *m,
			  bool *empty) WUR;

/* Our chain (config) as the certs of a Certificate message. */
int engine_chain(struct tls_engine *e, struct certificate *c) WUR;

/* Is name (a server's choice) one of the protocols we offered? */
bool engine_alpn_offered(const struct tls_engine *e, struct bytes name);

/* The negotiated ALPN protocol, kept for the result. */
void engine_set_alpn(struct tls_engine *e, struct bytes proto);

/* The handshake is complete: fill the result and stop consuming. */
int engine_complete(struct tls_engine *e) WUR;

/* The suite is enabled by the config, for a version we offer. */
bool engine_suite_usable(const struct tls_engine *e, const struct tls_suite *s);

/*
 * Our signature scheme for the key we would sign with, from the peer's
 * signature_algorithms (wire form); handshake_failure if none fits.
 */
int engine_pick_scheme(struct tls_engine *e, struct bytes peer_schemes) WUR;

/* CertificateRequest for the negotiated version. */
int engine_send_certificate_request(struct tls_engine *e) WUR;
/*
 * The peer's CertificateRequest: keep its context (TLS 1.3) and pick our
 * signature scheme from its list; none that fits means we will answer
 * with an empty Certificate.
 */
int engine_on_certificate_request(struct tls_engine *e,
				  const struct hs_message *m) WUR;
/* CertificateVerify signing tbs with our key and scheme. */
int engine_send_certificate_verify(struct tls_engine *e, const uint8_t *tbs,
				   size_t tbs_len) WUR;

/* The peer's signature over tbs with its certificate's key. */
int engine_verify_signature(struct tls_engine *e, uint16_t scheme,
			    const uint8_t *tbs, size_t tbs_len,
			    struct bytes signature) WUR;

/* Server after a HelloRetryRequest: ClientHello2 is next. */
void engine_expect_second_client_hello(struct tls_engine *e);

/* Role entry points */
int engine_client_start(struct tls_engine *e) WUR;
int engine_server_start(struct tls_engine *e) WUR;

/* Version-specific continuations after the hellos */
int hs13_client_after_server_hello(struct tls_engine *e,
				   const struct server_hello *sh) WUR;
int hs12_client_after_server_hello(struct tls_engine *e,
				   const struct server_hello *sh) WUR;
int hs13_server_respond(struct tls_engine *e, const struct client_hello *ch,
			struct bytes ch_whole) WUR;
int hs12_server_respond(struct tls_engine *e, const struct client_hello *ch) WUR;

/*
 * TLS 1.3 server resumption (hs13_resume.c). Before the ClientHello joins
 * the transcript: resume from the first usable ticket the client offers
 * (a fatal alert only for a wrong binder or a malformed offer; any other
 * unusable ticket means a full handshake). After the client's Finished:
 * send a NewSessionTicket if tickets are on and the client takes them.
 */
int hs13_server_try_psk(struct tls_engine *e, const struct client_hello *ch,
			struct bytes ch_whole) WUR;
int hs13_server_send_ticket(struct tls_engine *e) WUR;

/*
 * TLS 1.3 client resumption (hs13_client_resume.c). offer_psk: add
 * psk_key_exchange_modes and the pre_shared_key of the session to ch (ids
 * and binders are its buffers, TLS_SESSION_TICKET_MAX + 8 and 256 bytes),
 * a zero binder standing in; bind_psk: the real binder into the encoded
 * ClientHello in msg. psk_accepted: the ServerHello's pre_shared_key
 * checked, the PSK and the session's peer taken. keep_session: the
 * result's pending session, after our Finished.
 */
#define HS13_PSK_BINDERS_MAX 256
int hs13_client_offer_psk(struct tls_engine *e, struct client_hello *ch,
			  uint8_t *ids, size_t ids_cap, uint8_t *binders) WUR;
int hs13_client_bind_psk(struct tls_engine *e, struct writer *msg) WUR;
int hs13_client_psk_accepted(struct tls_engine *e,
			     const struct server_hello *sh) WUR;
int hs13_client_keep_session(struct tls_engine *e) WUR;

/*
 * TLS 1.2 server resumption (hs12_resume.c). try_resume: after the
 * ClientHello is read, resume the session it offers if we can (sets
 * resume.resumed, the suite, the peer, the echoed session ID, *master).
 * new_session: a full handshake's session ID and whether a ticket will
 * follow. keep_session: after the client's Finished, cache the session and
 * send its NewSessionTicket.
 */
int hs12_server_try_resume(struct tls_engine *e, const struct client_hello *ch,
			   struct secret *master) WUR;
int hs12_server_new_session(struct tls_engine *e,
			    const struct client_hello *ch) WUR;
int hs12_server_keep_session(struct tls_engine *e) WUR;

/*
 * TLS 1.2 client resumption (hs12_client_resume.c). offer_session: before
 * the first ClientHello, the session ID to send for the session to offer
 * (its own, or a fresh one beside a ticket, RFC 5077 §3.4); offer_ticket:
 * its ticket into ch (else the empty SessionTicket asking for one).
 * on_server_hello: did the server resume (resume.resumed: the suite, EMS
 * and peer checked, the keys derived) or start a full handshake.
 * take_ticket: a NewSessionTicket's ticket for the session we keep.
 * keep_session: after the server's Finished, the result's session.
 */
int hs12_client_offer_session(struct tls_engine *e) WUR;
void hs12_client_offer_ticket(struct tls_engine *e, struct client_hello *ch);
int hs12_client_on_server_hello(struct tls_engine *e,
				const struct server_hello *sh) WUR;
void hs12_client_take_ticket(struct tls_engine *e,
			     const struct new_session_ticket *nst);
int hs12_client_keep_session(struct tls_engine *e) WUR;

#endif /* KTLSO_ENGINE_PRIV_H */
