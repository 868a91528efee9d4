/* SPDX-License-Identifier: MIT */
/*
 * Handshake message codec (RFC 5246 §7.4, RFC 8446 §4): one struct per
 * message, one decoder that fills it from a message body and one encoder
 * that writes it back.
 *
 * Decoders parse only through the reader and never copy: every variable
 * field is a `struct bytes` borrowed from the body, valid while the body is.
 * Lists the engine searches (cipher suites, groups, signature schemes,
 * versions, key shares, ALPN names) are kept in wire form and read with the
 * iterators at the end. Encoders take the same structs, so a list the engine
 * offers is built once in wire form (hs_u16_list) and the same struct
 * round-trips.
 *
 * Decoders check syntax only: lengths, vector bounds, trailing bytes,
 * duplicate extensions (RFC 8446 §4.2), extensions a message may not carry
 * (RFC 8446 §4.2 table) and each extension's own syntax. Whether a value is
 * acceptable in this handshake (a suite we did not offer, an unsolicited
 * extension) is the engine's decision. They return 0 or:
 *   -EBADMSG   malformed: decode_error
 *   -EPROTO    well-formed but forbidden here (duplicate extension, an
 *              extension this message may not carry, pre_shared_key not
 *              last in a ClientHello, a KeyUpdate request_update other
 *              than 0 or 1, a record_size_limit under 64):
 *              illegal_parameter (RFC 8446 §4.2, §4.2.11, §4.6.3,
 *              RFC 8449 §4)
 *   -EOPNOTSUPP an extension type the codec does not know in a ServerHello,
 *              HelloRetryRequest, EncryptedExtensions or CertificateEntry.
 *              ktlso only ever sends the extensions below, so such an
 *              extension answers nothing we sent: unsupported_extension
 *              (RFC 8446 §4.2, RFC 5246 §7.4.1.4). Unknown extensions in a
 *              ClientHello, CertificateRequest or NewSessionTicket are
 *              skipped (RFC 8446 §4.1.2, §4.3.2, §4.6.1).
 *   -EMSGSIZE  a Certificate with more than HS_MAX_CHAIN certificates
 * Encoders return 0, the writer's error, or -EINVAL for a struct the wire
 * cannot carry (an extension bit the message may not carry, an odd-length
 * u16 list, a malformed list body).
 */
#ifndef KTLSO_HS_MSG_H
#define KTLSO_HS_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "try.h"
#include "wire/proto.h"
#include "wire/reader.h"
#include "wire/writer.h"

struct bytes {
	const uint8_t *p;
	size_t len;
};

#define HS_RANDOM_LEN 32
#define HS_SESSION_ID_MAX 32
#define HS_MAX_CHAIN 10 /* certificates accepted in one Certificate message */

/*
 * Extension presence bits, one per extension the codec understands, so the
 * engine can check "present" without a sentinel in every field.
 */
enum hs_ext_bit {
	HS_EXT_SERVER_NAME = 1u << 0,
	HS_EXT_STATUS_REQUEST = 1u << 1,
	HS_EXT_SUPPORTED_GROUPS = 1u << 2,
	HS_EXT_EC_POINT_FORMATS = 1u << 3,
	HS_EXT_SIGNATURE_ALGORITHMS = 1u << 4,
	HS_EXT_ALPN = 1u << 5,
	HS_EXT_EXTENDED_MASTER_SECRET = 1u << 6,
	HS_EXT_SESSION_TICKET = 1u << 7,
	HS_EXT_SUPPORTED_VERSIONS = 1u << 8,
	HS_EXT_COOKIE = 1u << 9,
	HS_EXT_PSK_KEY_EXCHANGE_MODES = 1u << 10,
	HS_EXT_KEY_SHARE = 1u << 11,
	HS_EXT_RENEGOTIATION_INFO = 1u << 12,
	HS_EXT_SIGNATURE_ALGORITHMS_CERT = 1u << 13,
	HS_EXT_PRE_SHARED_KEY = 1u << 14,
	HS_EXT_EARLY_DATA = 1u << 15,
	HS_EXT_CERTIFICATE_AUTHORITIES = 1u << 16,
	HS_EXT_ENCRYPT_THEN_MAC = 1u << 17,
	HS_EXT_RECORD_SIZE_LIMIT = 1u << 18,
};

/* RFC 5246 §7.4.1.2, RFC 8446 §4.1.2 */
struct client_hello {
	uint16_t legacy_version;
	uint8_t random[HS_RANDOM_LEN];
	struct bytes session_id;	/* <0..32> */
	struct bytes cipher_suites;	/* u16 list, wire form */
	struct bytes compression;	/* u8 list */
	uint32_t exts;			/* enum hs_ext_bit */
	struct bytes server_name;	/* the host_name, RFC 6066 §3 */
	struct bytes supported_groups;	/* u16 list */
	struct bytes ec_point_formats;	/* u8 list */
	struct bytes sig_algs;		/* u16 list */
	struct bytes sig_algs_cert;	/* u16 list */
	struct bytes alpn;		/* ProtocolNameList body, RFC 7301 §3.1 */
	struct bytes renegotiation_info; /* renegotiated_connection, RFC 5746 §3.2 */
	struct bytes session_ticket;	/* RFC 5077 §3.2, may be empty */
	struct bytes supported_versions; /* u16 list */
	struct bytes key_shares;	/* KeyShareEntry list body, §4.2.8 */
	struct bytes cookie;		/* §4.2.2 */
	struct bytes psk_modes;		/* u8 list, §4.2.9 */
	struct bytes authorities;	/* DistinguishedName list, §4.2.4 */
	uint16_t record_size_limit;	/* RFC 8449 §4 */
	/*
	 * §4.2.11 OfferedPsks: the identities body (read with
	 * hs_psk_identity_next) and the binders body (PskBinderEntry
	 * list). pre_shared_key is the last extension and binders its last
	 * field, so the ClientHello ends with the binders' 2-byte length and
	 * body: what §4.2.11.2 leaves out of the binders' transcript.
	 */
	struct bytes psk_identities;
	struct bytes psk_binders;
};

/*
 * RFC 5246 §7.4.1.3, RFC 8446 §4.1.3. A HelloRetryRequest is a ServerHello
 * whose random is tls13_hrr_random; the decoder sets is_hrr and, for it,
 * takes key_share as a bare selected group (§4.2.8). The encoder writes
 * tls13_hrr_random itself when is_hrr is set. A ServerHello carrying
 * supported_versions may only carry the TLS 1.3 extensions (key_share,
 * pre_shared_key; cookie in an HRR), one without it only the TLS 1.2 ones:
 * anything else is -EPROTO (RFC 8446 §4.2).
 */
struct server_hello {
	uint16_t legacy_version;
	uint8_t random[HS_RANDOM_LEN];
	struct bytes session_id;
	uint16_t cipher_suite;
	uint8_t compression;
	bool is_hrr;
	uint32_t exts;
	uint16_t selected_version;	/* supported_versions */
	uint16_t key_share_group;	/* key_share (or HRR selected_group) */
	struct bytes key_share;		/* key_exchange; empty in an HRR */
	struct bytes cookie;		/* HRR only */
	struct bytes alpn;		/* the one selected protocol name */
	struct bytes renegotiation_info;
	struct bytes ec_point_formats;
	uint16_t record_size_limit;	/* RFC 8449 §4 */
	uint16_t psk_identity;		/* pre_shared_key, §4.2.11 */
};

/* RFC 8446 §4.3.1 */
struct encrypted_extensions {
	uint32_t exts;
	struct bytes alpn;		/* the one selected protocol name */
	struct bytes supported_groups;	/* the server's preference, u16 list */
	uint16_t record_size_limit;	/* RFC 8449 §4 */
};

/*
 * RFC 5246 §7.4.2 and RFC 8446 §4.4.2: the chain as DER certificates, leaf
 * first. TLS 1.3 adds a request context and per-entry extensions, of which
 * only the leaf's status_request (a stapled OCSP response, §4.4.2.1) is
 * kept.
 */
struct certificate {
	struct bytes context;		/* TLS 1.3 only */
	size_t count;
	struct bytes certs[HS_MAX_CHAIN];
	struct bytes ocsp_response;	/* TLS 1.3 leaf entry only */
};

/* RFC 6066 §8: CertificateStatus with status_type ocsp(1) */
struct certificate_status {
	struct bytes ocsp_response;
};

/*
 * RFC 8422 §5.4 ServerKeyExchange for ECDHE with a named curve and the
 * TLS 1.2 digitally-signed struct (RFC 5246 §4.7, §7.4.3). params is the
 * ServerECDHParams as sent, the part the signature covers together with
 * the two randoms.
 */
struct server_key_exchange {
	uint16_t group;
	struct bytes public_key;	/* <1..2^8-1> */
	struct bytes params;
	uint16_t sig_scheme;
	struct bytes signature;		/* <0..2^16-1> */
};

/*
 * RFC 5246 §7.4.4 (certificate_types, supported_signature_algorithms,
 * certificate_authorities) and RFC 8446 §4.3.2 (context and extensions, of
 * which signature_algorithms is required: the engine checks the bit and
 * sends missing_extension).
 */
struct certificate_request {
	struct bytes context;		/* TLS 1.3 */
	struct bytes cert_types;	/* TLS 1.2, u8 list */
	uint32_t exts;			/* TLS 1.3 */
	struct bytes sig_algs;		/* u16 list, both versions */
	struct bytes sig_algs_cert;	/* TLS 1.3, u16 list */
	struct bytes authorities;	/* DistinguishedName list body */
};

/* RFC 8422 §5.7 ecdh_Yc, or RFC 5246 §7.4.7.1 EncryptedPreMasterSecret */
struct client_key_exchange {
	struct bytes exchange;
};

/* RFC 5246 §7.4.8 / §4.7 and RFC 8446 §4.4.3 */
struct certificate_verify {
	uint16_t sig_scheme;
	struct bytes signature;
};

/* RFC 5246 §7.4.9, RFC 8446 §4.4.4: length checked by the engine */
struct finished {
	struct bytes verify_data;
};

/*
 * RFC 5077 §3.3 (TLS 1.2) and RFC 8446 §4.6.1 (TLS 1.3). ktlso does not
 * resume TLS 1.3 sessions with early data: the extensions are checked and
 * dropped, and the encoder writes none.
 */
struct new_session_ticket {
	uint32_t lifetime;
	uint32_t age_add;		/* TLS 1.3 */
	struct bytes nonce;		/* TLS 1.3 */
	struct bytes ticket;
};

/* RFC 8446 §4.6.3: any value but 0 or 1 is -EPROTO (illegal_parameter) */
struct key_update {
	uint8_t request_update;
};

/*
 * Handshake framing (RFC 8446 §4): split the next whole message off a
 * buffer of reassembled handshake bytes. -EAGAIN (reader untouched) when
 * the message is not complete yet; -EMSGSIZE when its length exceeds max.
 * *whole covers header and body, for the transcript.
 */
int hs_msg_next(struct reader *r, size_t max, uint8_t *type,
		struct bytes *body, struct bytes *whole) WUR;

/* Open a message: type and a u24 length prefix, closed by writer_close. */
int hs_msg_open(struct writer *w, uint8_t type) WUR;
int hs_msg_close(struct writer *w) WUR;

/*
 * Decoders. The version matters where the two versions' messages differ;
 * for ServerHello and ClientHello it is not known yet and is not passed.
 */
int hs_client_hello_decode(struct bytes body, struct client_hello *ch) WUR;
int hs_server_hello_decode(struct bytes body, struct server_hello *sh) WUR;
int hs_encrypted_extensions_decode(struct bytes body,
				   struct encrypted_extensions *ee) WUR;
int hs_certificate_decode(struct bytes body, uint16_t version,
			  struct certificate *c) WUR;
int hs_certificate_status_decode(struct bytes body,
				 struct certificate_status *cs) WUR;
int hs_server_key_exchange_decode(struct bytes body,
				  struct server_key_exchange *ske) WUR;
int hs_certificate_request_decode(struct bytes body, uint16_t version,
				  struct certificate_request *cr) WUR;
int hs_server_hello_done_decode(struct bytes body) WUR;
/* ecdhe: a u8-prefixed point; otherwise a u16-prefixed RSA ciphertext */
int hs_client_key_exchange_decode(struct bytes body, bool ecdhe,
				  struct client_key_exchange *cke) WUR;
int hs_certificate_verify_decode(struct bytes body,
				 struct certificate_verify *cv) WUR;
int hs_finished_decode(struct bytes body, struct finished *fin) WUR;
int hs_new_session_ticket_decode(struct bytes body, uint16_t version,
				 struct new_session_ticket *nst) WUR;
int hs_key_update_decode(struct bytes body, struct key_update *ku) WUR;

/*
 * Encoders write the whole message, header included. Extensions are
 * written for each bit set in exts, from the matching field, in a fixed
 * order per message (RFC 8448's for ClientHello, the TLS 1.3 ServerHello,
 * HRR and EncryptedExtensions; OpenSSL's for a TLS 1.2 ServerHello), so
 * those messages re-encode byte for byte; a TLS 1.2 ServerHello with no
 * extension bit set carries no extensions block.
 * ServerKeyExchange takes params already encoded (hs_ecdh_params_encode),
 * because the signature covers exactly those bytes.
 */
int hs_client_hello_encode(struct writer *w, const struct client_hello *ch) WUR;
int hs_server_hello_encode(struct writer *w, const struct server_hello *sh) WUR;
int hs_encrypted_extensions_encode(struct writer *w,
				   const struct encrypted_extensions *ee) WUR;
int hs_certificate_encode(struct writer *w, uint16_t version,
			  const struct certificate *c) WUR;
int hs_certificate_status_encode(struct writer *w,
				 const struct certificate_status *cs) WUR;
int hs_ecdh_params_encode(struct writer *w, uint16_t group,
			  struct bytes public_key) WUR;
int hs_server_key_exchange_encode(struct writer *w,
				  const struct server_key_exchange *ske) WUR;
int hs_certificate_request_encode(struct writer *w, uint16_t version,
				  const struct certificate_request *cr) WUR;
int hs_server_hello_done_encode(struct writer *w) WUR;
int hs_client_key_exchange_encode(struct writer *w, bool ecdhe,
				  const struct client_key_exchange *cke) WUR;
int hs_certificate_verify_encode(struct writer *w,
				 const struct certificate_verify *cv) WUR;
int hs_finished_encode(struct writer *w, const struct finished *fin) WUR;
int hs_new_session_ticket_encode(struct writer *w, uint16_t version,
				 const struct new_session_ticket *nst) WUR;
int hs_key_update_encode(struct writer *w, const struct key_update *ku) WUR;

/* Wire-form list helpers. */
bool hs_u16_list_has(struct bytes list, uint16_t v);
bool hs_u8_list_has(struct bytes list, uint8_t v);
/* The n-th u16 of a list; false past the end. */
bool hs_u16_list_at(struct bytes list, size_t n, uint16_t *v);
/* Wire form of n values into out (2n bytes). */
struct bytes hs_u16_list(const uint16_t *values, size_t n, uint8_t *out);

/* The key_exchange of the share for group in a ClientHello; -ENOENT if none. */
int hs_key_share_find(struct bytes key_shares, uint16_t group,
		      struct bytes *key_exchange) WUR;
/*
 * The next KeyShareEntry of a key_shares body (a reader over it): 0,
 * -ENOENT at the end, -EBADMSG if malformed.
 */
int hs_key_share_next(struct reader *r, uint16_t *group,
		      struct bytes *key_exchange) WUR;
/* Append one KeyShareEntry to a key_shares body being built. */
int hs_key_share_add(uint8_t *buf, size_t cap, struct bytes *list,
		     uint16_t group, struct bytes key_exchange) WUR;

/*
 * The next PskIdentity of a psk_identities body (a reader over it): 0,
 * -ENOENT at the end, -EBADMSG if malformed (§4.2.11).
 */
int hs_psk_identity_next(struct reader *r, struct bytes *identity,
			 uint32_t *obfuscated_age) WUR;

/*
 * ALPN (RFC 7301 §3.2): the first of our protocols (a ProtocolNameList body
 * in wire form) the client offered, borrowed from ours, or -ENOENT
 * (-EBADMSG if either list is malformed).
 */
int hs_alpn_select(struct bytes ours, struct bytes offered,
		   struct bytes *selected) WUR;
/* Build a ProtocolNameList body from "h2,http/1.1"; -EINVAL on bad syntax. */
int hs_alpn_from_string(const char *csv, uint8_t *out, size_t cap,
			struct bytes *list) WUR;

#endif /* KTLSO_HS_MSG_H */
