// SPDX-License-Identifier: MIT
/*
 * The parts of a TLS 1.2 handshake both roles share (RFC 5246 §7.4, §8):
 * master secret and key block, ChangeCipherSpec and Finished, and the
 * certificate messages. The flows are in hs12_client.c and hs12_server.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/sig.h"
#include "crypto/tls12_prf.h"
#include "engine/engine_priv.h"
#include "engine/hs12.h"

bool hs12_key_fits_suite(const EVP_PKEY *key, const struct tls_suite *s)
{
	int id = EVP_PKEY_get_base_id(key);

	if (s->auth == TLS_AUTH_RSA)
		return id == EVP_PKEY_RSA;
	/* RFC 8422 §2 (ECDSA), RFC 8422 §5.1.3 (EdDSA under ECDHE_ECDSA) */
	return id == EVP_PKEY_EC || id == EVP_PKEY_ED25519;
}

/* §6.3: key_block = client MAC, server MAC, client key, server key, IVs. */
static int split_key_block(struct tls_engine *e)
{
	const struct tls_suite *s = e->params.suite;
	size_t mac = s->mac_key_len, key = s->key_len, iv = s->iv_len;
	size_t n = 2 * (mac + key + iv);
	/* the most: a SHA-384 MAC key and AES-256, or AES-256 and its IV */
	uint8_t block[2 * (48 + 32 + 12)];
	struct record_keys *c = &e->tls12.client_keys,
			   *srv = &e->tls12.server_keys;
	const uint8_t *p = block;
	int err;

	ENSURE(n <= sizeof(block), -EINVAL);
	err = tls12_key_block(s->hash, &e->tls12.master,
			      e->params.server_random, e->params.client_random,
			      block, n);
	for (int i = 0; !err && i < 2; i++) {
		struct record_keys *k = i ? srv : c;

		k->version = TLS_VERSION_1_2;
		k->cipher = s->cipher;
		/* RFC 7366 §3: from the CCS on, both ways */
		k->encrypt_then_mac = e->tls12.etm;
	}
	if (!err)
		err = secret_set(&c->mac_key, p, mac);
	if (!err)
		err = secret_set(&srv->mac_key, p + mac, mac);
	p += 2 * mac;
	if (!err)
		err = secret_set(&c->key, p, key);
	if (!err)
		err = secret_set(&srv->key, p + key, key);
	p += 2 * key;
	if (!err)
		err = secret_set(&c->iv, p, iv);
	if (!err)
		err = secret_set(&srv->iv, p + iv, iv);
	OPENSSL_cleanse(block, sizeof(block));
	return err;
}

int hs12_derive_keys(struct tls_engine *e, const struct secret *pms)
{
	enum tls_hash hash = e->params.suite->hash;
	uint8_t session_hash[TLS_HASH_MAX];
	size_t len;
	int err;

	if (e->tls12.ems) {
		/* RFC 7627 §3: session_hash covers ClientHello..ClientKeyExchange */
		TRY(engine_transcript_hash(e, session_hash, &len));
		err = tls12_extended_master_secret(hash, pms->bytes, pms->len,
						   session_hash, len,
						   &e->tls12.master);
	} else {
		err = tls12_master_secret(hash, pms->bytes, pms->len,
					  e->params.client_random,
					  e->params.server_random,
					  &e->tls12.master);
	}
	if (!err)
		err = split_key_block(e);
	if (err)
		return engine_fail(e, err, TLS_ALERT_INTERNAL_ERROR,
				   "key derivation failed");
	return 0;
}

int hs12_resume_keys(struct tls_engine *e, const struct secret *master)
{
	int err = secret_set(&e->tls12.master, master->bytes, master->len);

	/* §7.3: the session's master secret, the new randoms' key block */
	if (!err)
		err = split_key_block(e);
	if (err)
		return engine_fail(e, err, TLS_ALERT_INTERNAL_ERROR,
				   "key derivation failed");
	return 0;
}

/* Our half of the key block (§6.3), or the peer's. */
static struct record_keys *key_half(struct tls_engine *e, bool ours)
{
	bool client = (e->role == TLS_ROLE_CLIENT) == ours;

	return client ? &e->tls12.client_keys : &e->tls12.server_keys;
}

/* Key a direction with a half, which is wiped: the direction keeps a copy. */
static int install_half(struct tls_engine *e, enum engine_dir which,
			struct record_keys *half)
{
	int err = engine_install_keys(e, which, half);

	record_keys_wipe(half);
	return err;
}

int hs12_expect_ccs(struct tls_engine *e, const struct hs_step *finished)
{
	e->record.ccs_expected = true;
	e->step = finished;
	return install_half(e, ENGINE_RX_PENDING, key_half(e, false));
}

static int send_finished(struct tls_engine *e)
{
	uint8_t verify[TLS12_VERIFY_DATA_LEN], th[TLS_HASH_MAX];
	struct finished fin = { .verify_data = { verify, sizeof(verify) } };
	WRITER_SCOPED(msg, 64);
	size_t len;

	TRY(engine_transcript_hash(e, th, &len));
	TRY(tls12_finished_verify_data(e->params.suite->hash, &e->tls12.master,
				       e->role == TLS_ROLE_CLIENT ?
					       TLS12_CLIENT : TLS12_SERVER,
				       th, len, verify));
	TRY(hs_finished_encode(&msg, &fin));
	return engine_send_msg(e, &msg);
}

int hs12_send_ccs_finished(struct tls_engine *e)
{
	TRY(engine_send_ccs(e));
	TRY(install_half(e, ENGINE_TX, key_half(e, true)));
	return send_finished(e);
}

int hs12_on_finished(struct tls_engine *e, const struct hs_message *m)
{
	uint8_t expected[TLS12_VERIFY_DATA_LEN], th[TLS_HASH_MAX];
	struct secret got = { 0 };
	struct finished fin;
	size_t len;
	int err;

	TRY(engine_decoded(e, hs_finished_decode(m->body, &fin), "Finished"));
	/* §7.4.9: verify_data is 12 bytes for every suite we have */
	if (fin.verify_data.len != TLS12_VERIFY_DATA_LEN)
		return engine_fail(e, -EPROTO, TLS_ALERT_DECODE_ERROR,
				   "Finished of the wrong length");
	TRY(engine_transcript_hash(e, th, &len));
	TRY(tls12_finished_verify_data(e->params.suite->hash, &e->tls12.master,
				       e->role == TLS_ROLE_CLIENT ?
					       TLS12_SERVER : TLS12_CLIENT,
				       th, len, expected));
	TRY(secret_set(&got, expected, sizeof(expected)));
	OPENSSL_cleanse(expected, sizeof(expected));
	err = secret_equals(&got, fin.verify_data.p, fin.verify_data.len) ?
		      0 : -EPROTO;
	secret_wipe(&got);
	if (err)
		/* §7.4.9: decrypt_error */
		return engine_fail(e, -EPROTO, TLS_ALERT_DECRYPT_ERROR,
				   "Finished does not match the handshake");
	return transcript_add(&e->transcript, m->whole.p, m->whole.len);
}

int hs12_verify_kept_chain(struct tls_engine *e, struct bytes ocsp)
{
	struct certificate c;
	int err;

	err = hs_certificate_decode((struct bytes){ e->peer.chain,
						    e->peer.chain_len },
				    TLS_VERSION_1_2, &c);
	if (!err)
		err = engine_verify_peer_chain(e, &c, ocsp);
	free(e->peer.chain);
	e->peer.chain = NULL;
	TRY(err);
	if (e->role == TLS_ROLE_CLIENT &&
	    !hs12_key_fits_suite(e->peer.key, e->params.suite))
		/* RFC 5246 §7.4.2: the key must match the key exchange */
		return engine_fail(e, -EKEYREJECTED,
				   TLS_ALERT_UNSUPPORTED_CERTIFICATE,
				   "server key type does not fit %s",
				   e->params.suite->name);
	return 0;
}

int hs12_send_certificate(struct tls_engine *e, bool with_chain)
{
	struct certificate c = { 0 };
	WRITER_SCOPED(msg, 256 * 1024);

	if (with_chain)
		TRY(engine_chain(e, &c));
	TRY(hs_certificate_encode(&msg, TLS_VERSION_1_2, &c));
	return engine_send_msg(e, &msg);
}

/* RFC 5246 §7.4.8: signed over handshake_messages themselves. */
int hs12_send_certificate_verify(struct tls_engine *e)
{
	return engine_send_certificate_verify(e,
					      transcript_data(&e->transcript),
					      transcript_len(&e->transcript));
}

int hs12_on_certificate_verify(struct tls_engine *e,
			       const struct hs_message *m)
{
	struct certificate_verify cv;

	TRY(engine_decoded(e, hs_certificate_verify_decode(m->body, &cv),
			   "CertificateVerify"));
	/* §7.4.8: over handshake_messages up to, not including, this one */
	TRY(engine_verify_signature(e, cv.sig_scheme,
				    transcript_data(&e->transcript),
				    transcript_len(&e->transcript),
				    cv.signature));
	return transcript_add(&e->transcript, m->whole.p, m->whole.len);
}
