// SPDX-License-Identifier: MIT
/*
 * Handshake messages (RFC 5246 §7.4, RFC 8446 §4): framing, one decoder and
 * one encoder per message. Every vector is described once as a struct
 * hs_list and used both ways; the extensions blocks are hs_ext.c's.
 */
#include <errno.h>
#include <string.h>

#include "wire/hs_ext.h"

/* RFC 8446 §4.1.2, RFC 5246 §7.4.1.2 */
static const struct hs_list session_id = HS_OPAQUE(1, 0, HS_SESSION_ID_MAX);
static const struct hs_list cipher_suites = HS_U16S(2, 2, 0xfffe);
static const struct hs_list compression_methods = HS_OPAQUE(1, 1, 0xff);
/* RFC 8446 §4.3.2, §4.4.2: opaque certificate_request_context<0..2^8-1> */
static const struct hs_list request_context = HS_OPAQUE(1, 0, 0xff);
/* RFC 5246 §7.4.2, RFC 8446 §4.4.2: certificate_list<0..2^24-1> of
 * opaque ASN.1Cert / cert_data<1..2^24-1>
 */
static const struct hs_list cert_data = HS_OPAQUE(3, 1, 0xffffff);
/* RFC 5246 §7.4.4 */
static const struct hs_list certificate_types = HS_OPAQUE(1, 1, 0xff);
static const struct hs_list signature_algorithms = HS_U16S(2, 2, 0xfffe);
static const struct hs_list authorities_12 = HS_NESTED(2, 0, 0xffff, 0, 2, 1,
						       0xffff);
/* RFC 8422 §5.4: ECPoint point<1..2^8-1>, also the §5.7 ecdh_Yc */
static const struct hs_list ec_point = HS_OPAQUE(1, 1, 0xff);
/* RFC 5246 §4.7 digitally-signed, RFC 8446 §4.4.3: signature<0..2^16-1> */
static const struct hs_list signature = HS_OPAQUE(2, 0, 0xffff);
/* RFC 5246 §7.4.7.1: public-key-encrypted PreMasterSecret, a u16 vector */
static const struct hs_list encrypted_pms = HS_OPAQUE(2, 0, 0xffff);
/* RFC 5077 §3.3: opaque ticket<0..2^16-1> */
static const struct hs_list ticket_12 = HS_OPAQUE(2, 0, 0xffff);
/* RFC 8446 §4.6.1: ticket_nonce<0..255>, ticket<1..2^16-1> */
static const struct hs_list ticket_nonce = HS_OPAQUE(1, 0, 0xff);
static const struct hs_list ticket_13 = HS_OPAQUE(2, 1, 0xffff);

static bool is_tls13(uint16_t version)
{
	return version >= TLS_VERSION_1_3;
}

/* Start a decoder: a reader over the body. */
static void begin(struct reader *r, struct bytes body)
{
	reader_init(r, body.p, body.len);
}

/* End a decoder: nothing may follow the message (RFC 8446 §4). */
static int end(const struct reader *r)
{
	return reader_done(r) ? 0 : -EBADMSG;
}

int hs_msg_next(struct reader *r, size_t max, uint8_t *type,
		struct bytes *body, struct bytes *whole)
{
	struct reader peek = *r;
	uint32_t len;
	uint8_t t;

	/* RFC 8446 §4: msg_type, uint24 length, then the body */
	if (reader_u8(&peek, &t) || reader_u24(&peek, &len))
		return -EAGAIN;
	/* Refuse a length we would not buffer before waiting for it. */
	ENSURE(len <= max, -EMSGSIZE);
	if (reader_borrow(&peek, len, &body->p))
		return -EAGAIN;
	body->len = len;
	TRY(reader_borrow(r, TLS_HS_HEADER_LEN + len, &whole->p));
	whole->len = TLS_HS_HEADER_LEN + len;
	*type = t;
	return 0;
}

int hs_msg_open(struct writer *w, uint8_t type)
{
	TRY(writer_u8(w, type));
	return writer_open(w, 3);
}

int hs_msg_close(struct writer *w)
{
	return writer_close(w, 0, 0xffffff);
}

/* ClientHello */

int hs_client_hello_decode(struct bytes body, struct client_hello *ch)
{
	struct reader r;

	memset(ch, 0, sizeof(*ch));
	begin(&r, body);
	TRY(reader_u16(&r, &ch->legacy_version));
	TRY(reader_copy(&r, ch->random, HS_RANDOM_LEN));
	TRY(hs_list_read(&r, &session_id, &ch->session_id));
	TRY(hs_list_read(&r, &cipher_suites, &ch->cipher_suites));
	TRY(hs_list_read(&r, &compression_methods, &ch->compression));
	/* RFC 5246 §7.4.1.2: the extensions block may be absent */
	if (!reader_done(&r))
		TRY(hs_ext_decode(&r, HS_EXT_IN_CLIENT_HELLO, ch, &ch->exts));
	return end(&r);
}

int hs_client_hello_encode(struct writer *w, const struct client_hello *ch)
{
	TRY(hs_msg_open(w, TLS_HS_CLIENT_HELLO));
	TRY(writer_u16(w, ch->legacy_version));
	TRY(writer_bytes(w, ch->random, HS_RANDOM_LEN));
	TRY(hs_list_write(w, &session_id, ch->session_id));
	TRY(hs_list_write(w, &cipher_suites, ch->cipher_suites));
	TRY(hs_list_write(w, &compression_methods, ch->compression));
	TRY(hs_ext_encode(w, HS_EXT_IN_CLIENT_HELLO, ch, ch->exts));
	return hs_msg_close(w);
}

/* ServerHello and HelloRetryRequest */

/*
 * RFC 8446 §4.2: a ServerHello that selects TLS 1.3 (supported_versions)
 * carries only TLS 1.3 extensions, one without it only TLS 1.2 ones.
 */
#define SH_TLS13_EXTS                                                          \
	(HS_EXT_SUPPORTED_VERSIONS | HS_EXT_KEY_SHARE | HS_EXT_PRE_SHARED_KEY |\
	 HS_EXT_COOKIE)

static bool sh_exts_consistent(uint32_t exts)
{
	if (exts & HS_EXT_SUPPORTED_VERSIONS)
		return !(exts & ~SH_TLS13_EXTS);
	return !(exts & SH_TLS13_EXTS);
}

int hs_server_hello_decode(struct bytes body, struct server_hello *sh)
{
	struct reader r;

	memset(sh, 0, sizeof(*sh));
	begin(&r, body);
	TRY(reader_u16(&r, &sh->legacy_version));
	TRY(reader_copy(&r, sh->random, HS_RANDOM_LEN));
	/* RFC 8446 §4.1.3: the random marks a HelloRetryRequest */
	sh->is_hrr = !memcmp(sh->random, tls13_hrr_random, HS_RANDOM_LEN);
	TRY(hs_list_read(&r, &session_id, &sh->session_id));
	TRY(reader_u16(&r, &sh->cipher_suite));
	TRY(reader_u8(&r, &sh->compression));
	/* RFC 5246 §7.4.1.3: a TLS 1.2 server may omit the block */
	if (sh->is_hrr || !reader_done(&r))
		TRY(hs_ext_decode(&r, sh->is_hrr ? HS_EXT_IN_HRR :
						   HS_EXT_IN_SERVER_HELLO,
				  sh, &sh->exts));
	TRY(end(&r));
	ENSURE(sh_exts_consistent(sh->exts), -EPROTO);
	return 0;
}

int hs_server_hello_encode(struct writer *w, const struct server_hello *sh)
{
	ENSURE(sh_exts_consistent(sh->exts), -EINVAL);
	TRY(hs_msg_open(w, TLS_HS_SERVER_HELLO));
	TRY(writer_u16(w, sh->legacy_version));
	TRY(writer_bytes(w, sh->is_hrr ? tls13_hrr_random : sh->random,
			 HS_RANDOM_LEN));
	TRY(hs_list_write(w, &session_id, sh->session_id));
	TRY(writer_u16(w, sh->cipher_suite));
	TRY(writer_u8(w, sh->compression));
	/* RFC 5246 §7.4.1.3: no extensions, no block */
	if (sh->is_hrr || sh->exts)
		TRY(hs_ext_encode(w, sh->is_hrr ? HS_EXT_IN_HRR :
						  HS_EXT_IN_SERVER_HELLO,
				  sh, sh->exts));
	return hs_msg_close(w);
}

/* EncryptedExtensions, RFC 8446 §4.3.1 */

int hs_encrypted_extensions_decode(struct bytes body,
				   struct encrypted_extensions *ee)
{
	struct reader r;

	memset(ee, 0, sizeof(*ee));
	begin(&r, body);
	TRY(hs_ext_decode(&r, HS_EXT_IN_ENCRYPTED_EXTENSIONS, ee, &ee->exts));
	return end(&r);
}

int hs_encrypted_extensions_encode(struct writer *w,
				   const struct encrypted_extensions *ee)
{
	TRY(hs_msg_open(w, TLS_HS_ENCRYPTED_EXTENSIONS));
	TRY(hs_ext_encode(w, HS_EXT_IN_ENCRYPTED_EXTENSIONS, ee, ee->exts));
	return hs_msg_close(w);
}

/* Certificate */

int hs_certificate_decode(struct bytes body, uint16_t version,
			  struct certificate *c)
{
	struct certificate not_leaf;
	struct reader r, list;
	struct bytes cert;
	uint32_t exts;

	memset(c, 0, sizeof(*c));
	begin(&r, body);
	if (is_tls13(version))
		TRY(hs_list_read(&r, &request_context, &c->context));
	TRY(reader_vector(&r, 3, 0, 0xffffff, &list));
	TRY(end(&r));
	while (!reader_done(&list)) {
		TRY(hs_list_read(&list, &cert_data, &cert));
		/* RFC 8446 §4.4.2.1: only the leaf's OCSP response is kept */
		if (is_tls13(version))
			TRY(hs_ext_decode(&list, HS_EXT_IN_CERTIFICATE_ENTRY,
					  c->count ? &not_leaf : c, &exts));
		ENSURE(c->count < HS_MAX_CHAIN, -EMSGSIZE);
		c->certs[c->count++] = cert;
	}
	return 0;
}

int hs_certificate_encode(struct writer *w, uint16_t version,
			  const struct certificate *c)
{
	bool tls13 = is_tls13(version);

	ENSURE(c->count <= HS_MAX_CHAIN, -EINVAL);
	/* TLS 1.2 has neither; its OCSP response is a CertificateStatus */
	ENSURE(tls13 || (!c->context.len && !c->ocsp_response.len), -EINVAL);
	TRY(hs_msg_open(w, TLS_HS_CERTIFICATE));
	if (tls13)
		TRY(hs_list_write(w, &request_context, c->context));
	TRY(writer_open(w, 3));
	for (size_t i = 0; i < c->count; i++) {
		TRY(hs_list_write(w, &cert_data, c->certs[i]));
		if (tls13)
			TRY(hs_ext_encode(w, HS_EXT_IN_CERTIFICATE_ENTRY, c,
					  !i && c->ocsp_response.len ?
						  HS_EXT_STATUS_REQUEST : 0));
	}
	TRY(writer_close(w, 0, 0xffffff));
	return hs_msg_close(w);
}

/* CertificateStatus, RFC 6066 §8 */

int hs_certificate_status_decode(struct bytes body,
				 struct certificate_status *cs)
{
	struct reader r;

	memset(cs, 0, sizeof(*cs));
	begin(&r, body);
	TRY(hs_cert_status_read(&r, &cs->ocsp_response));
	return end(&r);
}

int hs_certificate_status_encode(struct writer *w,
				 const struct certificate_status *cs)
{
	TRY(hs_msg_open(w, TLS_HS_CERTIFICATE_STATUS));
	TRY(hs_cert_status_write(w, cs->ocsp_response));
	return hs_msg_close(w);
}

/* ServerKeyExchange, RFC 8422 §5.4 */

/* ServerECDHParams: ECParameters curve_params; ECPoint public; */
static int read_ecdh_params(struct reader *r, uint16_t *group,
			    struct bytes *public_key)
{
	uint8_t curve_type;

	TRY(reader_u8(r, &curve_type));
	/* RFC 8422 §5.4: explicit curves are deprecated; named only */
	ENSURE(curve_type == TLS_EC_CURVE_NAMED, -EPROTO);
	TRY(reader_u16(r, group));
	return hs_list_read(r, &ec_point, public_key);
}

int hs_ecdh_params_encode(struct writer *w, uint16_t group,
			  struct bytes public_key)
{
	TRY(writer_u8(w, TLS_EC_CURVE_NAMED));
	TRY(writer_u16(w, group));
	return hs_list_write(w, &ec_point, public_key);
}

int hs_server_key_exchange_decode(struct bytes body,
				  struct server_key_exchange *ske)
{
	struct reader r, params;

	memset(ske, 0, sizeof(*ske));
	begin(&r, body);
	params = r;
	TRY(read_ecdh_params(&r, &ske->group, &ske->public_key));
	/* the signed part: from the start to the end of the point */
	ske->params.len = reader_left(&params) - reader_left(&r);
	TRY(reader_borrow(&params, ske->params.len, &ske->params.p));
	/* RFC 5246 §4.7: digitally-signed { SignatureAndHashAlgorithm; sig } */
	TRY(reader_u16(&r, &ske->sig_scheme));
	TRY(hs_list_read(&r, &signature, &ske->signature));
	return end(&r);
}

int hs_server_key_exchange_encode(struct writer *w,
				  const struct server_key_exchange *ske)
{
	struct bytes unused;
	struct reader params;
	uint16_t group;

	/* the params the engine signed must be one ServerECDHParams */
	reader_init(&params, ske->params.p, ske->params.len);
	ENSURE(read_ecdh_params(&params, &group, &unused) == 0 &&
		       reader_done(&params),
	       -EINVAL);
	TRY(hs_msg_open(w, TLS_HS_SERVER_KEY_EXCHANGE));
	TRY(writer_bytes(w, ske->params.p, ske->params.len));
	TRY(writer_u16(w, ske->sig_scheme));
	TRY(hs_list_write(w, &signature, ske->signature));
	return hs_msg_close(w);
}

/* CertificateRequest */

int hs_certificate_request_decode(struct bytes body, uint16_t version,
				  struct certificate_request *cr)
{
	struct reader r;

	memset(cr, 0, sizeof(*cr));
	begin(&r, body);
	if (is_tls13(version)) {
		/* RFC 8446 §4.3.2 */
		TRY(hs_list_read(&r, &request_context, &cr->context));
		TRY(hs_ext_decode(&r, HS_EXT_IN_CERTIFICATE_REQUEST, cr,
				  &cr->exts));
	} else {
		/* RFC 5246 §7.4.4 */
		TRY(hs_list_read(&r, &certificate_types, &cr->cert_types));
		TRY(hs_list_read(&r, &signature_algorithms, &cr->sig_algs));
		TRY(hs_list_read(&r, &authorities_12, &cr->authorities));
	}
	return end(&r);
}

int hs_certificate_request_encode(struct writer *w, uint16_t version,
				  const struct certificate_request *cr)
{
	bool tls13 = is_tls13(version);

	/* each version's fields only */
	if (tls13)
		ENSURE(!cr->cert_types.len, -EINVAL);
	else
		ENSURE(!cr->context.len && !cr->exts && !cr->sig_algs_cert.len,
		       -EINVAL);
	TRY(hs_msg_open(w, TLS_HS_CERTIFICATE_REQUEST));
	if (tls13) {
		TRY(hs_list_write(w, &request_context, cr->context));
		TRY(hs_ext_encode(w, HS_EXT_IN_CERTIFICATE_REQUEST, cr,
				  cr->exts));
	} else {
		TRY(hs_list_write(w, &certificate_types, cr->cert_types));
		TRY(hs_list_write(w, &signature_algorithms, cr->sig_algs));
		TRY(hs_list_write(w, &authorities_12, cr->authorities));
	}
	return hs_msg_close(w);
}

/* ServerHelloDone, RFC 5246 §7.4.5: empty */

int hs_server_hello_done_decode(struct bytes body)
{
	return body.len ? -EBADMSG : 0;
}

int hs_server_hello_done_encode(struct writer *w)
{
	TRY(hs_msg_open(w, TLS_HS_SERVER_HELLO_DONE));
	return hs_msg_close(w);
}

/* ClientKeyExchange */

int hs_client_key_exchange_decode(struct bytes body, bool ecdhe,
				  struct client_key_exchange *cke)
{
	struct reader r;

	memset(cke, 0, sizeof(*cke));
	begin(&r, body);
	TRY(hs_list_read(&r, ecdhe ? &ec_point : &encrypted_pms,
			 &cke->exchange));
	return end(&r);
}

int hs_client_key_exchange_encode(struct writer *w, bool ecdhe,
				  const struct client_key_exchange *cke)
{
	TRY(hs_msg_open(w, TLS_HS_CLIENT_KEY_EXCHANGE));
	TRY(hs_list_write(w, ecdhe ? &ec_point : &encrypted_pms,
			  cke->exchange));
	return hs_msg_close(w);
}

/* CertificateVerify */

int hs_certificate_verify_decode(struct bytes body,
				 struct certificate_verify *cv)
{
	struct reader r;

	memset(cv, 0, sizeof(*cv));
	begin(&r, body);
	TRY(reader_u16(&r, &cv->sig_scheme));
	TRY(hs_list_read(&r, &signature, &cv->signature));
	return end(&r);
}

int hs_certificate_verify_encode(struct writer *w,
				 const struct certificate_verify *cv)
{
	TRY(hs_msg_open(w, TLS_HS_CERTIFICATE_VERIFY));
	TRY(writer_u16(w, cv->sig_scheme));
	TRY(hs_list_write(w, &signature, cv->signature));
	return hs_msg_close(w);
}

/* Finished: the body is verify_data */

int hs_finished_decode(struct bytes body, struct finished *fin)
{
	fin->verify_data = body;
	return 0;
}

int hs_finished_encode(struct writer *w, const struct finished *fin)
{
	TRY(hs_msg_open(w, TLS_HS_FINISHED));
	TRY(writer_bytes(w, fin->verify_data.p, fin->verify_data.len));
	return hs_msg_close(w);
}

/* NewSessionTicket */

int hs_new_session_ticket_decode(struct bytes body, uint16_t version,
				 struct new_session_ticket *nst)
{
	struct reader r;
	uint32_t exts;

	memset(nst, 0, sizeof(*nst));
	begin(&r, body);
	TRY(reader_u32(&r, &nst->lifetime));
	if (!is_tls13(version)) {
		TRY(hs_list_read(&r, &ticket_12, &nst->ticket));
		return end(&r);
	}
	TRY(reader_u32(&r, &nst->age_add));
	TRY(hs_list_read(&r, &ticket_nonce, &nst->nonce));
	TRY(hs_list_read(&r, &ticket_13, &nst->ticket));
	TRY(hs_ext_decode(&r, HS_EXT_IN_NEW_SESSION_TICKET, NULL, &exts));
	return end(&r);
}

int hs_new_session_ticket_encode(struct writer *w, uint16_t version,
				 const struct new_session_ticket *nst)
{
	bool tls13 = is_tls13(version);

	ENSURE(tls13 || (!nst->age_add && !nst->nonce.len), -EINVAL);
	TRY(hs_msg_open(w, TLS_HS_NEW_SESSION_TICKET));
	TRY(writer_u32(w, nst->lifetime));
	if (tls13) {
		TRY(writer_u32(w, nst->age_add));
		TRY(hs_list_write(w, &ticket_nonce, nst->nonce));
		TRY(hs_list_write(w, &ticket_13, nst->ticket));
		TRY(hs_ext_encode(w, HS_EXT_IN_NEW_SESSION_TICKET, NULL, 0));
	} else {
		TRY(hs_list_write(w, &ticket_12, nst->ticket));
	}
	return hs_msg_close(w);
}

/* KeyUpdate, RFC 8446 §4.6.3 */

int hs_key_update_decode(struct bytes body, struct key_update *ku)
{
	struct reader r;

	begin(&r, body);
	TRY(reader_u8(&r, &ku->request_update));
	TRY(end(&r));
	/* update_not_requested(0), update_requested(1); else illegal */
	ENSURE(ku->request_update <= 1, -EPROTO);
	return 0;
}

int hs_key_update_encode(struct writer *w, const struct key_update *ku)
{
	ENSURE(ku->request_update <= 1, -EINVAL);
	TRY(hs_msg_open(w, TLS_HS_KEY_UPDATE));
	TRY(writer_u8(w, ku->request_update));
	return hs_msg_close(w);
}

