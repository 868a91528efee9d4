// SPDX-License-Identifier: MIT
/*
 * The extensions block of the handshake messages: each extension the codec
 * knows is described once (its type, presence bit and syntax), each message
 * lists the ones it may carry in the order they are written, and one walker
 * and one writer work from those tables. See hs_ext.h.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "wire/hs_ext.h"

/* RFC 6066 §8: struct { CertificateStatusType status_type; OCSPResponse } */
static const struct hs_list ocsp_response = HS_OPAQUE(3, 1, 0xffffff);

int hs_cert_status_read(struct reader *r, struct bytes *resp)
{
	uint8_t type;

	TRY(reader_u8(r, &type));
	/* ocsp is the only CertificateStatusType: nothing else parses */
	ENSURE(type == TLS_CERT_STATUS_OCSP, -EBADMSG);
	return hs_list_read(r, &ocsp_response, resp);
}

int hs_cert_status_write(struct writer *w, struct bytes resp)
{
	TRY(writer_u8(w, TLS_CERT_STATUS_OCSP));
	return hs_list_write(w, &ocsp_response, resp);
}

/* The syntax of one extension_data. */
enum shape {
	EMPTY,		/* nothing */
	OPAQUE,		/* any bytes, kept whole */
	LIST,		/* one struct hs_list, kept as its body */
	U16,		/* one uint16 of at least .min */
	U32,		/* one uint32 */
	SERVER_NAME,	/* ServerNameList of one host_name: keep the name */
	ALPN_ONE,	/* ProtocolNameList of one name: keep the name */
	STATUS_REQUEST,	/* CertificateStatusRequest for ocsp */
	STATUS,		/* CertificateStatus: keep the OCSPResponse */
	KEY_SHARE,	/* one KeyShareEntry: keep group and key_exchange */
	PSK_OFFER,	/* OfferedPsks: keep identities and binders */
};

struct kind {
	uint16_t type;
	uint32_t bit;
	enum shape shape;
	uint16_t min;		/* U16 */
	struct hs_list list;	/* LIST */
};

enum {
	K_SERVER_NAME, K_SERVER_NAME_ACK, K_STATUS_REQUEST, K_STATUS_ACK,
	K_STATUS, K_GROUPS, K_POINT_FORMATS, K_SIG_ALGS, K_SIG_ALGS_CERT,
	K_ALPN, K_ALPN_ONE, K_EMS, K_ETM, K_TICKET, K_TICKET_ACK, K_VERSIONS,
	K_VERSION, K_COOKIE, K_PSK_MODES, K_KEY_SHARES, K_KEY_SHARE,
	K_KEY_SHARE_HRR, K_RENEGOTIATION, K_AUTHORITIES, K_RECORD_SIZE_LIMIT,
	K_PRE_SHARED_KEY, K_PSK_SELECTED, K_EARLY_DATA, K_EARLY_DATA_NST,
	K_COUNT
};

/* One extension's syntax; the type and bit share their name. */
#define EXT(name, sh, ...)                                                     \
	{ .type = TLS_EXT_##name, .bit = HS_EXT_##name, .shape = sh,           \
	  __VA_ARGS__ }

static const struct kind kinds[K_COUNT] = {
	/* RFC 6066 §3: the client's ServerNameList, the server's empty */
	[K_SERVER_NAME] = EXT(SERVER_NAME, SERVER_NAME),
	[K_SERVER_NAME_ACK] = EXT(SERVER_NAME, EMPTY),
	/*
	 * RFC 6066 §8: a CertificateStatusRequest from the client, empty from
	 * a TLS 1.2 server; RFC 8446 §4.4.2.1: empty in a CertificateRequest,
	 * a CertificateStatus in a CertificateEntry.
	 */
	[K_STATUS_REQUEST] = EXT(STATUS_REQUEST, STATUS_REQUEST),
	[K_STATUS_ACK] = EXT(STATUS_REQUEST, EMPTY),
	[K_STATUS] = EXT(STATUS_REQUEST, STATUS),
	/* RFC 8446 §4.2.7: NamedGroup named_group_list<2..2^16-1> */
	[K_GROUPS] = EXT(SUPPORTED_GROUPS, LIST,
			 .list = HS_U16S(2, 2, 0xffff)),
	/* RFC 8422 §5.1.2: ECPointFormat ec_point_format_list<1..2^8-1> */
	[K_POINT_FORMATS] = EXT(EC_POINT_FORMATS, LIST,
				.list = HS_OPAQUE(1, 1, 0xff)),
	/*
	 * RFC 8446 §4.2.3: SignatureScheme supported_signature_algorithms
	 * <2..2^16-2>, the same for signature_algorithms_cert
	 */
	[K_SIG_ALGS] = EXT(SIGNATURE_ALGORITHMS, LIST,
			   .list = HS_U16S(2, 2, 0xfffe)),
	[K_SIG_ALGS_CERT] = EXT(SIGNATURE_ALGORITHMS_CERT, LIST,
				.list = HS_U16S(2, 2, 0xfffe)),
	/*
	 * RFC 7301 §3.1: ProtocolName protocol_name_list<2..2^16-1>,
	 * opaque ProtocolName<1..2^8-1>; the server's holds exactly one.
	 */
	[K_ALPN] = EXT(ALPN, LIST,
		       .list = HS_NESTED(2, 2, 0xffff, 0, 1, 1, 0xff)),
	[K_ALPN_ONE] = EXT(ALPN, ALPN_ONE),
	/* RFC 7627 §5.1, RFC 7366 §2: empty */
	[K_EMS] = EXT(EXTENDED_MASTER_SECRET, EMPTY),
	[K_ETM] = EXT(ENCRYPT_THEN_MAC, EMPTY),
	/* RFC 5077 §3.2: the client's ticket (any bytes), the server's empty */
	[K_TICKET] = EXT(SESSION_TICKET, OPAQUE),
	[K_TICKET_ACK] = EXT(SESSION_TICKET, EMPTY),
	/*
	 * RFC 8446 §4.2.1: ProtocolVersion versions<2..254> from the client,
	 * one selected_version from the server.
	 */
	[K_VERSIONS] = EXT(SUPPORTED_VERSIONS, LIST,
			   .list = HS_U16S(1, 2, 254)),
	[K_VERSION] = EXT(SUPPORTED_VERSIONS, U16),
	/* RFC 8446 §4.2.2: opaque cookie<1..2^16-1> */
	[K_COOKIE] = EXT(COOKIE, LIST, .list = HS_OPAQUE(2, 1, 0xffff)),
	/* RFC 8446 §4.2.9: PskKeyExchangeMode ke_modes<1..255> */
	[K_PSK_MODES] = EXT(PSK_KEY_EXCHANGE_MODES, LIST,
			    .list = HS_OPAQUE(1, 1, 0xff)),
	/*
	 * RFC 8446 §4.2.8: KeyShareEntry client_shares<0..2^16-1> of
	 * { NamedGroup group; opaque key_exchange<1..2^16-1>; }, one
	 * server_share, or an HRR's bare selected_group.
	 */
	[K_KEY_SHARES] = EXT(KEY_SHARE, LIST,
			     .list = HS_NESTED(2, 0, 0xffff, 2, 2, 1, 0xffff)),
	[K_KEY_SHARE] = EXT(KEY_SHARE, KEY_SHARE),
	[K_KEY_SHARE_HRR] = EXT(KEY_SHARE, U16),
	/* RFC 5746 §3.2: opaque renegotiated_connection<0..255> */
	[K_RENEGOTIATION] = EXT(RENEGOTIATION_INFO, LIST,
				.list = HS_OPAQUE(1, 0, 0xff)),
	/*
	 * RFC 8446 §4.2.4: DistinguishedName authorities<3..2^16-1>,
	 * opaque DistinguishedName<1..2^16-1>.
	 */
	[K_AUTHORITIES] = EXT(CERTIFICATE_AUTHORITIES, LIST,
			      .list = HS_NESTED(2, 3, 0xffff, 0, 2, 1, 0xffff)),
	/* RFC 8449 §4: uint16 RecordSizeLimit, 64 at least */
	[K_RECORD_SIZE_LIMIT] = EXT(RECORD_SIZE_LIMIT, U16, .min = 64),
	/*
	 * RFC 8446 §4.2.11: the client's OfferedPsks, the server's
	 * selected_identity.
	 */
	[K_PRE_SHARED_KEY] = EXT(PRE_SHARED_KEY, PSK_OFFER),
	[K_PSK_SELECTED] = EXT(PRE_SHARED_KEY, U16),
	/* RFC 8446 §4.2.10: empty, or uint32 max_early_data_size in NST */
	[K_EARLY_DATA] = EXT(EARLY_DATA, EMPTY),
	[K_EARLY_DATA_NST] = EXT(EARLY_DATA, U32),
};

/* One extension a message may carry, and where its value lives. */
struct use {
	uint8_t kind;
	uint16_t at;	/* offset of the field, NONE: checked, not kept */
	uint16_t at2;	/* KEY_SHARE: offset of the group */
};

#define NONE 0xffff
/* offsetof(T, f), refusing to compile unless f is a `want` */
#define FIELD(T, f, want)                                                      \
	(offsetof(T, f) + 0 * sizeof(&((T *)0)->f == (want *)0))
#define KEEP(k, T, f) { k, FIELD(T, f, struct bytes), NONE }
#define KEEP16(k, T, f) { k, FIELD(T, f, uint16_t), NONE }
#define SHARE(k, T, group, f)                                                  \
	{ k, FIELD(T, f, struct bytes), FIELD(T, group, uint16_t) }
#define PSK(k, T, ids, binders)                                                \
	{ k, FIELD(T, ids, struct bytes), FIELD(T, binders, struct bytes) }
#define FLAG(k) { k, NONE, NONE }

#define CH struct client_hello
/* The order RFC 8448 §3 shows; pre_shared_key last (RFC 8446 §4.2.11). */
static const struct use in_client_hello[] = {
	KEEP(K_SERVER_NAME, CH, server_name),
	FLAG(K_EMS),
	KEEP(K_RENEGOTIATION, CH, renegotiation_info),
	KEEP(K_GROUPS, CH, supported_groups),
	KEEP(K_POINT_FORMATS, CH, ec_point_formats),
	KEEP(K_TICKET, CH, session_ticket),
	KEEP(K_ALPN, CH, alpn),
	FLAG(K_STATUS_REQUEST),
	KEEP(K_KEY_SHARES, CH, key_shares),
	KEEP(K_VERSIONS, CH, supported_versions),
	KEEP(K_SIG_ALGS, CH, sig_algs),
	KEEP(K_SIG_ALGS_CERT, CH, sig_algs_cert),
	KEEP(K_AUTHORITIES, CH, authorities),
	KEEP(K_PSK_MODES, CH, psk_modes),
	KEEP16(K_RECORD_SIZE_LIMIT, CH, record_size_limit),
	KEEP(K_COOKIE, CH, cookie),
	FLAG(K_ETM),
	FLAG(K_EARLY_DATA),
	PSK(K_PRE_SHARED_KEY, CH, psk_identities, psk_binders),
};
#undef CH

#define SH struct server_hello
/*
 * Both versions' ServerHello extensions; hs_msg.c then holds a ServerHello
 * to one version's set. TLS 1.2 ones in OpenSSL's order, TLS 1.3 ones in
 * RFC 8448's.
 */
static const struct use in_server_hello[] = {
	KEEP(K_RENEGOTIATION, SH, renegotiation_info),
	FLAG(K_SERVER_NAME_ACK),
	KEEP(K_POINT_FORMATS, SH, ec_point_formats),
	FLAG(K_TICKET_ACK),
	FLAG(K_STATUS_ACK),
	KEEP(K_ALPN_ONE, SH, alpn),
	FLAG(K_ETM),
	FLAG(K_EMS),
	KEEP16(K_RECORD_SIZE_LIMIT, SH, record_size_limit),
	SHARE(K_KEY_SHARE, SH, key_share_group, key_share),
	KEEP16(K_PSK_SELECTED, SH, psk_identity),
	KEEP16(K_VERSION, SH, selected_version),
};

/* RFC 8446 §4.1.4, in RFC 8448 §5's order */
static const struct use in_hrr[] = {
	KEEP16(K_KEY_SHARE_HRR, SH, key_share_group),
	KEEP(K_COOKIE, SH, cookie),
	KEEP16(K_VERSION, SH, selected_version),
};
#undef SH

#define EE struct encrypted_extensions
/* RFC 8446 §4.3.1, in RFC 8448 §3's order */
static const struct use in_encrypted_extensions[] = {
	KEEP(K_GROUPS, EE, supported_groups),
	KEEP16(K_RECORD_SIZE_LIMIT, EE, record_size_limit),
	FLAG(K_SERVER_NAME_ACK),
	KEEP(K_ALPN_ONE, EE, alpn),
	FLAG(K_EARLY_DATA),
};
#undef EE

#define CR struct certificate_request
/* RFC 8446 §4.3.2 */
static const struct use in_certificate_request[] = {
	FLAG(K_STATUS_ACK),
	KEEP(K_SIG_ALGS_CERT, CR, sig_algs_cert),
	KEEP(K_SIG_ALGS, CR, sig_algs),
	KEEP(K_AUTHORITIES, CR, authorities),
};
#undef CR

/* RFC 8446 §4.4.2 */
static const struct use in_certificate_entry[] = {
	KEEP(K_STATUS, struct certificate, ocsp_response),
};

/* RFC 8446 §4.6.1 */
static const struct use in_new_session_ticket[] = {
	FLAG(K_EARLY_DATA_NST),
};

struct ext_msg {
	const struct use *uses;
	size_t n;
	uint32_t min, max;	/* bounds of the block */
	int unknown;		/* an unknown type: 0 skip, else this error */
	bool psk_last;
};

#define USES(a) .uses = a, .n = sizeof(a) / sizeof(a[0])

static const struct ext_msg ext_msgs[] = {
	/*
	 * RFC 5246 §7.4.1.2 allows <0..2^16-1>; the TLS 1.3 minimum of 8
	 * follows from the extensions the engine requires. Unknown types
	 * are skipped (RFC 8446 §4.1.2, RFC 5246 §7.4.1.4).
	 */
	[HS_EXT_IN_CLIENT_HELLO] = { USES(in_client_hello), 0, 0xffff, 0,
				     true },
	/* An extension we did not send (RFC 8446 §4.2, RFC 5246 §7.4.1.4) */
	[HS_EXT_IN_SERVER_HELLO] = { USES(in_server_hello), 0, 0xffff,
				     -EOPNOTSUPP, false },
	/* RFC 8446 §4.1.3: extensions<6..2^16-1> */
	[HS_EXT_IN_HRR] = { USES(in_hrr), 6, 0xffff, -EOPNOTSUPP, false },
	[HS_EXT_IN_ENCRYPTED_EXTENSIONS] = { USES(in_encrypted_extensions), 0,
					     0xffff, -EOPNOTSUPP, false },
	/* RFC 8446 §4.3.2: <2..2^16-1>, unknown ones ignored */
	[HS_EXT_IN_CERTIFICATE_REQUEST] = { USES(in_certificate_request), 2,
					    0xffff, 0, false },
	[HS_EXT_IN_CERTIFICATE_ENTRY] = { USES(in_certificate_entry), 0,
					  0xffff, -EOPNOTSUPP, false },
	/* RFC 8446 §4.6.1: <0..2^16-2>, unknown ones ignored */
	[HS_EXT_IN_NEW_SESSION_TICKET] = { USES(in_new_session_ticket), 0,
					   0xfffe, 0, false },
};

static bool known_type(uint16_t type)
{
	for (size_t i = 0; i < K_COUNT; i++)
		if (kinds[i].type == type)
			return true;
	return false;
}

static const struct use *find_use(const struct ext_msg *m, uint16_t type)
{
	for (size_t i = 0; i < m->n; i++)
		if (kinds[m->uses[i].kind].type == type)
			return &m->uses[i];
	return NULL;
}

/* RFC 6066 §3: ServerName server_name_list<1..2^16-1> */
static const struct hs_list server_name_list = HS_OPAQUE(2, 1, 0xffff);
static const struct hs_list host_name = HS_OPAQUE(2, 1, 0xffff);
/* RFC 7301 §3.1 */
static const struct hs_list protocol_name_list = HS_OPAQUE(2, 2, 0xffff);
static const struct hs_list protocol_name = HS_OPAQUE(1, 1, 0xff);
/* RFC 6066 §8: ResponderID responder_id_list<0..2^16-1>, ResponderID
 * <1..2^16-1>; Extensions request_extensions<0..2^16-1> (DER, opaque here)
 */
static const struct hs_list responder_ids = HS_NESTED(2, 0, 0xffff, 0, 2, 1,
						      0xffff);
static const struct hs_list request_extensions = HS_OPAQUE(2, 0, 0xffff);
/* RFC 8446 §4.2.8: opaque key_exchange<1..2^16-1> */
static const struct hs_list key_exchange = HS_OPAQUE(2, 1, 0xffff);
/*
 * RFC 8446 §4.2.11: PskIdentity identities<7..2^16-1> of { opaque
 * identity<1..2^16-1>; uint32 obfuscated_ticket_age; }, PskBinderEntry
 * binders<33..2^16-1> of opaque <32..255>.
 */
static const struct hs_list psk_identity = HS_OPAQUE(2, 1, 0xffff);
static const struct hs_list psk_binders = HS_NESTED(2, 33, 0xffff, 0, 1, 32,
						    0xff);

int hs_psk_identity_next(struct reader *r, struct bytes *identity,
			 uint32_t *obfuscated_age)
{
	if (reader_done(r))
		return -ENOENT;
	TRY(hs_list_read(r, &psk_identity, identity));
	return reader_u32(r, obfuscated_age);
}

/* The identities vector, each entry checked, kept as its body. */
static int psk_identities_read(struct reader *r, struct bytes *out)
{
	struct reader list;
	struct bytes id;
	uint32_t age;
	int err;

	TRY(reader_vector(r, 2, 7, 0xffff, &list));
	*out = (struct bytes){ list.data, list.len };
	while (!(err = hs_psk_identity_next(&list, &id, &age)))
		;
	return err == -ENOENT ? 0 : -EBADMSG;
}

/* A vector holding exactly one inner vector: that one is kept. */
static int read_only_item(struct reader *r, const struct hs_list *outer,
			  const struct hs_list *inner, struct bytes *out)
{
	struct bytes list;
	struct reader lr;

	TRY(hs_list_read(r, outer, &list));
	reader_init(&lr, list.p, list.len);
	TRY(hs_list_read(&lr, inner, out));
	ENSURE(reader_done(&lr), -EBADMSG);
	return 0;
}

static int write_only_item(struct writer *w, const struct hs_list *outer,
			   const struct hs_list *inner, struct bytes in)
{
	TRY(writer_open(w, outer->prefix));
	TRY(hs_list_write(w, inner, in));
	return writer_close(w, outer->min, outer->max);
}

static int read_server_name(struct reader *r, struct bytes *name)
{
	struct reader list;
	struct bytes body;
	uint8_t type;

	TRY(hs_list_read(r, &server_name_list, &body));
	reader_init(&list, body.p, body.len);
	/*
	 * RFC 6066 §3: host_name is the only NameType, and the list may not
	 * hold two names of one type: exactly one entry.
	 */
	TRY(reader_u8(&list, &type));
	ENSURE(type == TLS_SNI_HOST_NAME, -EBADMSG);
	TRY(hs_list_read(&list, &host_name, name));
	ENSURE(reader_done(&list), -EBADMSG);
	return 0;
}

static int write_server_name(struct writer *w, struct bytes name)
{
	TRY(writer_open(w, server_name_list.prefix));
	TRY(writer_u8(w, TLS_SNI_HOST_NAME));
	TRY(hs_list_write(w, &host_name, name));
	return writer_close(w, server_name_list.min, server_name_list.max);
}

static int read_status_request(struct reader *r)
{
	struct bytes unused;
	uint8_t type;

	/* RFC 6066 §8: ocsp is the only CertificateStatusType */
	TRY(reader_u8(r, &type));
	ENSURE(type == TLS_CERT_STATUS_OCSP, -EBADMSG);
	TRY(hs_list_read(r, &responder_ids, &unused));
	return hs_list_read(r, &request_extensions, &unused);
}

static int write_status_request(struct writer *w)
{
	/* ocsp, no responder IDs, no request extensions */
	TRY(writer_u8(w, TLS_CERT_STATUS_OCSP));
	TRY(writer_u16(w, 0));
	return writer_u16(w, 0);
}

/* Parse one extension_data r into the field(s) u names in msg. */
static int parse(struct reader *r, const struct use *u, void *msg)
{
	const struct kind *k = &kinds[u->kind];
	union {
		struct bytes b;
		uint16_t u16;
		uint32_t u32;
	} scratch;
	void *at = u->at == NONE ? (void *)&scratch : (char *)msg + u->at;

	switch (k->shape) {
	case EMPTY:
		return 0;
	case OPAQUE:
		*(struct bytes *)at = hs_rest(r);
		return 0;
	case LIST:
		return hs_list_read(r, &k->list, at);
	case U16:
		TRY(reader_u16(r, at));
		ENSURE(*(uint16_t *)at >= k->min, -EPROTO);
		return 0;
	case U32:
		return reader_u32(r, at);
	case SERVER_NAME:
		return read_server_name(r, at);
	case ALPN_ONE:
		return read_only_item(r, &protocol_name_list, &protocol_name,
				      at);
	case STATUS_REQUEST:
		return read_status_request(r);
	case STATUS:
		return hs_cert_status_read(r, at);
	case KEY_SHARE:
		TRY(reader_u16(r, (uint16_t *)((char *)msg + u->at2)));
		return hs_list_read(r, &key_exchange, at);
	case PSK_OFFER:
		TRY(psk_identities_read(r, at));
		return hs_list_read(r, &psk_binders,
				    (struct bytes *)((char *)msg + u->at2));
	}
	return -EINVAL;
}

/* §4.2.11 OfferedPsks from its two bodies, each entry checked. */
static int write_psk_offer(struct writer *w, struct bytes ids,
			   struct bytes binders)
{
	struct reader r;
	struct bytes id;
	uint32_t age;
	int err;

	reader_init(&r, ids.p, ids.len);
	while (!(err = hs_psk_identity_next(&r, &id, &age)))
		;
	ENSURE(err == -ENOENT, -EINVAL);
	TRY(writer_open(w, 2));
	TRY(writer_bytes(w, ids.p, ids.len));
	TRY(writer_close(w, 7, 0xffff));
	return hs_list_write(w, &psk_binders, binders);
}

/* Write the extension_data of u from msg. */
static int emit(struct writer *w, const struct use *u, const void *msg)
{
	const struct kind *k = &kinds[u->kind];
	const void *at = (const char *)msg + u->at;

	switch (k->shape) {
	case EMPTY:
		return 0;
	case STATUS_REQUEST:
		return write_status_request(w);
	case PSK_OFFER:
		return write_psk_offer(w, *(const struct bytes *)at,
				       *(const struct bytes *)((const char *)msg +
							       u->at2));
	default:
		break;
	}
	ENSURE(u->at != NONE, -EINVAL);
	switch (k->shape) {
	case OPAQUE:
		return writer_bytes(w, ((const struct bytes *)at)->p,
				    ((const struct bytes *)at)->len);
	case LIST:
		return hs_list_write(w, &k->list, *(const struct bytes *)at);
	case U16:
		ENSURE(*(const uint16_t *)at >= k->min, -EINVAL);
		return writer_u16(w, *(const uint16_t *)at);
	case SERVER_NAME:
		return write_server_name(w, *(const struct bytes *)at);
	case ALPN_ONE:
		return write_only_item(w, &protocol_name_list, &protocol_name,
				       *(const struct bytes *)at);
	case STATUS:
		return hs_cert_status_write(w, *(const struct bytes *)at);
	case KEY_SHARE:
		TRY(writer_u16(w, *(const uint16_t *)((const char *)msg +
						      u->at2)));
		return hs_list_write(w, &key_exchange,
				     *(const struct bytes *)at);
	default:
		return -EINVAL;
	}
}

/* One bit per extension type, for duplicates among unknown types too. */
struct seen {
	uint8_t bits[65536 / 8];
};

static bool test_and_set(struct seen *s, uint16_t type)
{
	uint8_t mask = (uint8_t)(1u << (type % 8));
	bool was = s->bits[type / 8] & mask;

	s->bits[type / 8] |= mask;
	return was;
}

int hs_ext_decode(struct reader *r, enum hs_ext_msg m, void *msg,
		  uint32_t *exts)
{
	const struct ext_msg *em = &ext_msgs[m];
	struct reader block, data;
	const struct use *u;
	struct seen seen;
	uint16_t type;

	*exts = 0;
	memset(&seen, 0, sizeof(seen));
	/* RFC 8446 §4.2: Extension extensions<..>, the bounds per message */
	TRY(reader_vector(r, 2, em->min, em->max, &block));
	while (!reader_done(&block)) {
		/* RFC 8446 §4.2.11: pre_shared_key is the last in a CH */
		ENSURE(!(em->psk_last && *exts & HS_EXT_PRE_SHARED_KEY),
		       -EPROTO);
		TRY(reader_u16(&block, &type));
		TRY(reader_vector(&block, 2, 0, 0xffff, &data));
		/* RFC 8446 §4.2: one extension of a type per block */
		ENSURE(!test_and_set(&seen, type), -EPROTO);
		u = find_use(em, type);
		if (!u) {
			/* RFC 8446 §4.2: a known one in the wrong message */
			ENSURE(!known_type(type), -EPROTO);
			if (em->unknown)
				return em->unknown;
			continue;
		}
		TRY(parse(&data, u, msg));
		ENSURE(reader_done(&data), -EBADMSG);
		*exts |= kinds[u->kind].bit;
	}
	return 0;
}

int hs_ext_encode(struct writer *w, enum hs_ext_msg m, const void *msg,
		  uint32_t exts)
{
	const struct ext_msg *em = &ext_msgs[m];
	uint32_t allowed = 0;

	for (size_t i = 0; i < em->n; i++)
		allowed |= kinds[em->uses[i].kind].bit;
	ENSURE(!(exts & ~allowed), -EINVAL);

	TRY(writer_open(w, 2));
	for (size_t i = 0; i < em->n; i++) {
		const struct kind *k = &kinds[em->uses[i].kind];

		if (!(exts & k->bit))
			continue;
		TRY(writer_u16(w, k->type));
		TRY(writer_open(w, 2));
		TRY(emit(w, &em->uses[i], msg));
		TRY(writer_close(w, 0, 0xffff));
	}
	return writer_close(w, em->min, em->max);
}
