// SPDX-License-Identifier: MIT
/*
 * The parts of a TLS 1.3 handshake both roles share (RFC 8446 §4.4 and §7):
 * the key schedule steps, and sending and checking Certificate,
 * CertificateVerify and Finished. Which side does what, and when, is in
 * hs13_client.c and hs13_server.c.
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/sig.h"
#include "crypto/tls13_keysched.h"
#include "engine/engine_priv.h"
#include "engine/hs13.h"

int hs13_derive_handshake(struct tls_engine *e, const struct secret *psk,
			  const struct secret *shared)
{
	SECRET_SCOPED struct secret early = { 0 };
	enum tls_hash hash = e->params.suite->hash;
	uint8_t th[TLS_HASH_MAX];
	size_t len;

	TRY(tls13_early_secret(hash, psk ? psk->bytes : NULL, psk ? psk->len : 0,
			       &early));
	TRY(tls13_handshake_secret(hash, &early, shared->bytes, shared->len,
				   &e->tls13.handshake_secret));
	TRY(engine_transcript_hash(e, th, &len));
	return tls13_handshake_traffic_secrets(hash, &e->tls13.handshake_secret,
					       th, len, &e->tls13.client_hs,
					       &e->tls13.server_hs);
}

int hs13_derive_application(struct tls_engine *e)
{
	enum tls_hash hash = e->params.suite->hash;
	uint8_t th[TLS_HASH_MAX];
	size_t len;

	TRY(tls13_master_secret(hash, &e->tls13.handshake_secret,
				&e->tls13.master_secret));
	secret_wipe(&e->tls13.handshake_secret);
	TRY(engine_transcript_hash(e, th, &len));
	return tls13_application_traffic_secrets(hash, &e->tls13.master_secret,
						 th, len, &e->tls13.client_ap,
						 &e->tls13.server_ap);
}

/* RFC 8446 §4.4.2: our chain; the leaf carries the OCSP staple if asked. */
int hs13_send_certificate(struct tls_engine *e, bool with_chain,
			  bool staple)
{
	const struct tls_config *cfg = e->cfg;
	/* the context stays empty: so is every CertificateRequest's we take */
	struct certificate c = { 0 };
	WRITER_SCOPED(msg, 256 * 1024);

	if (with_chain) {
		TRY(engine_chain(e, &c));
		if (staple && cfg->ocsp_staple_len)
			c.ocsp_response = (struct bytes){
				cfg->ocsp_staple, cfg->ocsp_staple_len
			};
	}
	TRY(hs_certificate_encode(&msg, TLS_VERSION_1_3, &c));
	return engine_send_msg(e, &msg);
}

/* RFC 8446 §4.4.4: Finished from our handshake traffic secret. */
int hs13_send_finished(struct tls_engine *e, const struct secret *base_key)
{
	SECRET_SCOPED struct secret verify = { 0 };
	uint8_t th[TLS_HASH_MAX];
	struct finished fin;
	WRITER_SCOPED(msg, 128);
	size_t len;

	TRY(engine_transcript_hash(e, th, &len));
	TRY(tls13_finished_verify_data(e->params.suite->hash, base_key, th, len,
				       &verify));
	fin.verify_data = (struct bytes){ verify.bytes, verify.len };
	TRY(hs_finished_encode(&msg, &fin));
	return engine_send_msg(e, &msg);
}

/* RFC 8446 §4.4.3: sign the context string and the transcript hash. */
int hs13_send_certificate_verify(struct tls_engine *e)
{
	uint8_t th[TLS_HASH_MAX], content[SIG_TLS13_CONTENT_MAX];
	size_t len, clen;

	TRY(engine_transcript_hash(e, th, &len));
	TRY(sig_tls13_content(e->role == TLS_ROLE_SERVER, th, len, content,
			      sizeof(content), &clen));
	return engine_send_certificate_verify(e, content, clen);
}

/* The peer's CertificateVerify over the transcript up to its Certificate. */
int hs13_on_certificate_verify(struct tls_engine *e,
			       const struct hs_message *m)
{
	struct certificate_verify cv;
	uint8_t th[TLS_HASH_MAX], content[SIG_TLS13_CONTENT_MAX];
	size_t len, clen;

	TRY(engine_decoded(e, hs_certificate_verify_decode(m->body, &cv),
			   "CertificateVerify"));
	TRY(engine_transcript_hash(e, th, &len));
	TRY(sig_tls13_content(e->role == TLS_ROLE_CLIENT, th, len, content,
			      sizeof(content), &clen));
	TRY(engine_verify_signature(e, cv.sig_scheme, content, clen,
				    cv.signature));
	return transcript_add(&e->transcript, m->whole.p, m->whole.len);
}

/* The peer's Finished, checked in constant time (§4.4.4). */
int hs13_on_finished(struct tls_engine *e, const struct hs_message *m,
		     const struct secret *base_key)
{
	SECRET_SCOPED struct secret expected = { 0 };
	uint8_t th[TLS_HASH_MAX];
	struct finished fin;
	size_t len;

	TRY(engine_decoded(e, hs_finished_decode(m->body, &fin), "Finished"));
	TRY(engine_transcript_hash(e, th, &len));
	TRY(tls13_finished_verify_data(e->params.suite->hash, base_key, th, len,
				       &expected));
	if (fin.verify_data.len != expected.len)
		return engine_fail(e, -EPROTO, TLS_ALERT_DECODE_ERROR,
				   "Finished of the wrong length");
	if (!secret_equals(&expected, fin.verify_data.p, fin.verify_data.len))
		return engine_fail(e, -EPROTO, TLS_ALERT_DECRYPT_ERROR,
				   "Finished does not match the handshake");
	return transcript_add(&e->transcript, m->whole.p, m->whole.len);
}

int hs13_psk_binder(struct tls_engine *e, enum tls_hash hash,
		    const struct secret *psk, const uint8_t *partial,
		    size_t partial_len, struct secret *binder)
{
	SECRET_SCOPED struct secret early = { 0 }, binder_key = { 0 };
	uint8_t empty[TLS_HASH_MAX], th[TLS_HASH_MAX];
	size_t hlen = tls_hash_len(hash);
	WRITER_SCOPED(msgs, transcript_len(&e->transcript) + partial_len);

	TRY(tls13_early_secret(hash, psk->bytes, psk->len, &early));
	TRY(tls_hash_digest(hash, "", 0, empty));
	/* §7.1: only resumption PSKs here, never external ones */
	TRY(tls13_derive_secret(hash, &early, "res binder", empty, hlen,
				&binder_key));
	TRY(writer_bytes(&msgs, transcript_data(&e->transcript),
			 transcript_len(&e->transcript)));
	TRY(writer_bytes(&msgs, partial, partial_len));
	TRY(tls_hash_digest(hash, msgs.data, msgs.len, th));
	return tls13_finished_verify_data(hash, &binder_key, th, hlen, binder);
}

int hs13_resumption_master(struct tls_engine *e, struct secret *out)
{
	uint8_t th[TLS_HASH_MAX];
	size_t len;

	TRY(engine_transcript_hash(e, th, &len));
	return tls13_derive_secret(e->params.suite->hash,
				   &e->tls13.master_secret, "res master", th,
				   len, out);
}
