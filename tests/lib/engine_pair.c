// SPDX-License-Identifier: MIT
/*
 * Two engines joined in memory (engine_pair.h has the picture): building
 * their configurations from named options, pumping flights between them,
 * and checking what a finished or failed pair shows.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "engine_pair.h"
#include "pki.h"
#include "tls_suite.h"
#include "wire/hs_msg.h"
#include "wire/proto.h"
#include "wire/reader.h"

int side_config(struct tls_config *cfg, const struct side *o, bool server)
{
	char err[TLS_CONFIG_ERR] = "", chain[128], key[128];
	const char *crls[2];
	size_t n_crls = 0;
	int ret = 0;

	tls_config_init(cfg);
	if (o->min || o->max)
		ret = tls_config_set_versions(cfg, o->min ? o->min : "1.2",
					      o->max ? o->max : "1.3", err,
					      sizeof(err));
	if (!ret && o->suites)
		ret = tls_config_set_suites(cfg, o->suites, err, sizeof(err));
	if (!ret && o->groups)
		ret = tls_config_set_groups(cfg, o->groups, err, sizeof(err));
	if (!ret && o->id) {
		snprintf(chain, sizeof(chain), "%s-chain.pem", o->id);
		snprintf(key, sizeof(key), "%s.key", o->id);
		ret = tls_config_load_identity(cfg,
					       pki(o->chain ? o->chain : chain),
					       pki(key), err, sizeof(err));
	}
	for (size_t i = 0; i < 2 && o->crls[i]; i++)
		crls[n_crls++] = pki(o->crls[i]);
	if (!ret && o->ca)
		ret = tls_config_load_trust(cfg, pki(o->ca), crls, n_crls, err,
					    sizeof(err));
	if (!ret && o->ocsp)
		ret = tls_config_load_ocsp(cfg, pki(o->ocsp), err, sizeof(err));
	if (!ret && server && o->alpn)
		ret = tls_config_set_alpn(cfg, o->alpn, err, sizeof(err));
	if (o->schemes) {
		memcpy(cfg->sig_schemes, o->schemes,
		       o->n_schemes * sizeof(*o->schemes));
		cfg->n_sig_schemes = o->n_schemes;
	}
	cfg->client_auth = o->client_auth;
	cfg->legacy = o->legacy;
	if (!server)
		cfg->verify_peer = o->ca != NULL;
	if (ret)
		fprintf(stderr, "config: %s\n", err);
	return ret;
}

struct pair *pair_new(const struct side *c, const struct side *s)
{
	struct pair *p = calloc(1, sizeof(*p));

	if (!p)
		abort();
	p->copt = *c;
	p->sopt = *s;
	return p;
}

void pair_free(struct pair *p)
{
	for (int i = 0; i < 2; i++) {
		tls_engine_free(p->e[i]);
		if (p->have_res[i])
			tls_result_wipe(&p->res[i]);
	}
	tls_config_free(&p->ccfg);
	tls_config_free(&p->scfg);
	free(p);
}

/* Build both configs and engines; the client's ClientHello is queued. */
int pair_start(struct pair *p)
{
	struct tls_peer_request creq = {
		.role = TLS_ROLE_CLIENT,
		.server_name = p->copt.server_name ? p->copt.server_name :
						      "localhost",
		.alpn = p->copt.alpn,
	};
	struct tls_peer_request sreq = { .role = TLS_ROLE_SERVER };

	TRY(side_config(&p->ccfg, &p->copt, false));
	TRY(side_config(&p->scfg, &p->sopt, true));
	p->e[SERVER] = tls_engine_new(&p->scfg, &sreq);
	if (!p->e[SERVER])
		return -errno;
	p->e[CLIENT] = tls_engine_new(&p->ccfg, &creq);
	if (!p->e[CLIENT])
		return -errno;
	return 0;
}

/* Feed buf to side `to` in chunks; returns how much it consumed. */
static size_t pair_feed(struct pair *p, int to, const uint8_t *buf,
			size_t len)
{
	size_t pos = 0;

	while (pos < len) {
		size_t n = p->chunk && p->chunk < len - pos ? p->chunk :
							       len - pos;
		size_t used = 0;
		int err = tls_engine_feed(p->e[to], buf + pos, n, &used);

		pos += used;
		if (err || used < n)
			break;
	}
	return pos;
}

/* Carry one side's pending output to the other; false if there was none. */
static bool pair_deliver(struct pair *p, int from)
{
	static uint8_t buf[TRANSIT_MAX + sizeof(GARBAGE)];
	struct tls_engine *src = p->e[from];
	int to = !from;
	const uint8_t *out;
	size_t len, flight_len, used;
	bool final;

	tls_engine_output(src, &out, &len);
	if (!len)
		return false;
	if (len > TRANSIT_MAX)
		abort();
	memcpy(buf, out, len);
	tls_engine_output_done(src, len);
	if (p->tamper)
		p->tamper(p, to, p->flights[from], buf, &len);
	p->flights[from]++;
	/* A side that is done sends nothing after this flight. */
	final = tls_engine_done(src);
	flight_len = len;
	if (final && p->garbage_after_final) {
		memcpy(buf + len, GARBAGE, sizeof(GARBAGE) - 1);
		len += sizeof(GARBAGE) - 1;
	}
	if (p->log_len[to] + len <= TRANSIT_MAX) {
		memcpy(p->log[to] + p->log_len[to], buf, len);
		p->log_len[to] += len;
	}
	used = pair_feed(p, to, buf, len);
	p->left[to] = len - used;
	if (final) {
		p->got_final[to] = true;
		p->final_len[to] = flight_len;
		p->final_consumed[to] = used;
	}
	return true;
}

/* Move bytes both ways until neither side has anything to say. */
static void pair_pump(struct pair *p)
{
	for (int round = 0; round < 64; round++) {
		bool moved = pair_deliver(p, CLIENT);

		moved |= pair_deliver(p, SERVER);
		if (!moved)
			return;
	}
}

bool pair_done(const struct pair *p)
{
	return tls_engine_done(p->e[CLIENT]) && tls_engine_done(p->e[SERVER]);
}

/* Start, pump, and take both results if both finished. */
int pair_run(struct pair *p)
{
	TRY(pair_start(p));
	pair_pump(p);
	for (int i = 0; i < 2; i++)
		if (!tls_engine_take_result(p->e[i], &p->res[i]))
			p->have_res[i] = true;
	return p->have_res[CLIENT] && p->have_res[SERVER] ? 0 : -EPROTO;
}

/* A one-line account of how a pair ended, for failure messages. */
const char *pair_status(const struct pair *p)
{
	static char buf[768];

	if (!p->e[CLIENT] || !p->e[SERVER])
		return "engines not created";
	snprintf(buf, sizeof(buf),
		 "client err %d alert %d peer_alert %d \"%s\"; server err %d alert %d peer_alert %d \"%s\"",
		 tls_engine_error(p->e[CLIENT]), tls_engine_alert(p->e[CLIENT]),
		 tls_engine_peer_alert(p->e[CLIENT]),
		 tls_engine_reason(p->e[CLIENT]),
		 tls_engine_error(p->e[SERVER]), tls_engine_alert(p->e[SERVER]),
		 tls_engine_peer_alert(p->e[SERVER]),
		 tls_engine_reason(p->e[SERVER]));
	return buf;
}

/* ------------------------------------------------------- result checks */

void keys_wipe(struct record_keys *k)
{
	secret_wipe(&k->key);
	secret_wipe(&k->iv);
	secret_wipe(&k->mac_key);
}

static bool secret_same(const struct secret *a, const struct secret *b)
{
	return a->len == b->len && !memcmp(a->bytes, b->bytes, a->len);
}

static bool dir_same(const struct tls_direction_keys *a,
		     const struct tls_direction_keys *b)
{
	return secret_same(&a->key, &b->key) &&
	       secret_same(&a->salt, &b->salt) && secret_same(&a->iv, &b->iv) && a->seq == b->seq &&
	       secret_same(&a->traffic_secret, &b->traffic_secret);
}

/*
 * The record layer's keys for one direction of a result: the IV is salt and
 * iv joined (TLS 1.3 and ChaCha20, RFC 8446 §5.3, RFC 7905 §2), or just the
 * 4-byte salt for TLS 1.2 GCM, whose explicit nonce is the sequence number.
 */
int record_keys_from_result(const struct tls_result *r, bool tx,
			    struct record_keys *k)
{
	const struct tls_direction_keys *d = tx ? &r->tx : &r->rx;
	const struct tls_suite *s = tls_suite_by_id(r->cipher_suite);
	uint8_t iv[2 * SECRET_MAX];
	size_t n = 0;

	ENSURE(s, -EINVAL);
	memset(k, 0, sizeof(*k));
	k->version = r->version;
	k->cipher = s->cipher;
	k->seq = d->seq;
	k->encrypt_then_mac = r->encrypt_then_mac;
	TRY(secret_set(&k->key, d->key.bytes, d->key.len));
	TRY(secret_set(&k->mac_key, d->mac_key.bytes, d->mac_key.len));
	memcpy(iv, d->salt.bytes, d->salt.len);
	n = d->salt.len;
	if (!(r->version == TLS_VERSION_1_2 && d->salt.len)) {
		memcpy(iv + n, d->iv.bytes, d->iv.len);
		n += d->iv.len;
	}
	return secret_set(&k->iv, iv, n);
}

/*
 * Seal `count` application-data records with `from`'s keys and open them
 * with `to`'s, through record/record.h. Returns 0 when every record opens to
 * what was sealed and the sequence numbers advanced in step.
 */
int keys_transfer(const struct record_keys *from,
		  const struct record_keys *to, int count,
		  char *why, size_t whylen)
{
	struct record_dir seal = { 0 }, open = { 0 };
	static uint8_t rec[RECORD_MAX_LEN], pt[RECORD_MAX_LEN];
	int ret = 0;

	if (record_dir_keys(&seal, from, RECORD_SEAL) ||
	    record_dir_keys(&open, to, RECORD_OPEN)) {
		snprintf(why, whylen, "record_dir_keys refused the keys");
		ret = -EINVAL;
		goto out;
	}
	for (int i = 0; i < count && !ret; i++) {
		char msg[64];
		struct record_frame f;
		struct reader r;
		size_t len, ptlen;
		uint8_t type;

		snprintf(msg, sizeof(msg), "application data record %d", i);
		ret = record_seal(&seal, TLS_CT_APPLICATION_DATA, msg,
				  strlen(msg), 0, rec, sizeof(rec), &len);
		if (ret) {
			snprintf(why, whylen, "seal: %d", ret);
			break;
		}
		reader_init(&r, rec, len);
		ret = record_parse(&open, &r, &f);
		if (!ret)
			ret = record_open(&open, &f, &type, pt, sizeof(pt),
					  &ptlen);
		if (ret) {
			snprintf(why, whylen, "record %d does not open: %d", i,
				 ret);
			break;
		}
		if (type != TLS_CT_APPLICATION_DATA || ptlen != strlen(msg) ||
		    memcmp(pt, msg, ptlen)) {
			snprintf(why, whylen, "record %d opens to other data",
				 i);
			ret = -EBADMSG;
		}
	}
	if (!ret && (seal.seq != from->seq + count ||
		     open.seq != to->seq + count)) {
		snprintf(why, whylen, "sequence numbers out of step");
		ret = -EPROTO;
	}
out:
	record_dir_wipe(&seal);
	record_dir_wipe(&open);
	return ret;
}

/* Application data client→server and server→client with the results. */
static int app_data_both_ways(const struct pair *p, char *why,
			      size_t whylen)
{
	struct record_keys ctx = { 0 }, crx = { 0 }, stx = { 0 }, srx = { 0 };
	int ret;

	ret = record_keys_from_result(&p->res[CLIENT], true, &ctx);
	if (!ret)
		ret = record_keys_from_result(&p->res[CLIENT], false, &crx);
	if (!ret)
		ret = record_keys_from_result(&p->res[SERVER], true, &stx);
	if (!ret)
		ret = record_keys_from_result(&p->res[SERVER], false, &srx);
	if (ret)
		snprintf(why, whylen, "result keys unusable");
	if (!ret)
		ret = keys_transfer(&ctx, &srx, 3, why, whylen);
	if (!ret)
		ret = keys_transfer(&stx, &crx, 3, why, whylen);
	keys_wipe(&ctx);
	keys_wipe(&crx);
	keys_wipe(&stx);
	keys_wipe(&srx);
	return ret;
}

/*
 * Everything a finished pair must show: both done, same version, suite
 * and group as expected, keys crosswise equal and distinct per direction,
 * the RFCs' sequence numbers, and application data both ways.
 */
void check_finished_pair(const char *label, struct pair *p,
			 uint16_t version, uint16_t suite,
			 uint16_t group)
{
	const struct tls_result *c = &p->res[CLIENT], *s = &p->res[SERVER];
	/* RFC 5246 §7.1: Finished is each side's first record under the new
	 * keys (seq 0), so the next is 1; RFC 8446 §5.3: fresh keys, 0. */
	uint64_t seq = version == TLS_VERSION_1_2 ? 1 : 0;
	char why[128] = "";
	bool both = p->have_res[CLIENT] && p->have_res[SERVER];

	CHECK(both, "%s: both engines finish%s%s", label, both ? "" : ": ",
	      both ? "" : pair_status(p));
	if (!both)
		return;
	CHECK(c->version == version && s->version == version,
	      "%s: both at version 0x%04x (client 0x%04x, server 0x%04x)",
	      label, version, c->version, s->version);
	CHECK(c->cipher_suite == suite && s->cipher_suite == suite,
	      "%s: both on suite 0x%04x (client 0x%04x, server 0x%04x)", label,
	      suite, c->cipher_suite, s->cipher_suite);
	CHECK(c->group == group && s->group == group,
	      "%s: both on group 0x%04x (client 0x%04x, server 0x%04x)", label,
	      group, c->group, s->group);
	CHECK(dir_same(&c->tx, &s->rx) && dir_same(&c->rx, &s->tx),
	      "%s: client tx == server rx and client rx == server tx", label);
	CHECK(c->tx.key.len && !secret_same(&c->tx.key, &c->rx.key),
	      "%s: the two directions have different keys", label);
	CHECK(c->tx.seq == seq && c->rx.seq == seq && s->tx.seq == seq &&
		      s->rx.seq == seq,
	      "%s: sequence numbers %llu (client %llu/%llu, server %llu/%llu)",
	      label, (unsigned long long)seq, (unsigned long long)c->tx.seq,
	      (unsigned long long)c->rx.seq, (unsigned long long)s->tx.seq,
	      (unsigned long long)s->rx.seq);
	CHECK(app_data_both_ways(p, why, sizeof(why)) == 0,
	      "%s: application data both ways with the result's keys%s%s",
	      label, why[0] ? ": " : "", why);
}

/*
 * A failed pair: `sender` failed with err and sent alert; the other side
 * got exactly that alert (-ECONNRESET), and nobody finished.
 */
void check_alerted(const char *label, const struct pair *p,
		   int sender, int err, int alert)
{
	const struct tls_engine *snd = p->e[sender], *rcv = p->e[!sender];
	const char *who = sender == CLIENT ? "client" : "server";

	if (!snd || !rcv) {
		CHECK(0, "%s: engines created", label);
		return;
	}
	CHECK(tls_engine_error(snd) == err && tls_engine_alert(snd) == alert,
	      "%s: %s fails (%d) and sends %s: %s", label, who, err,
	      tls_alert_name(alert), pair_status(p));
	CHECK(tls_engine_error(rcv) == -ECONNRESET &&
		      tls_engine_peer_alert(rcv) == alert,
	      "%s: the peer fails with -ECONNRESET and reads %s", label,
	      tls_alert_name(alert));
	CHECK(!tls_engine_done(snd) && !tls_engine_done(rcv),
	      "%s: neither side completes", label);
}

void check_server_hello_alert(const char *label, struct tls_engine *e,
			      const struct server_hello *sh, int alert)
{
	uint8_t rec[5 + 4096];
	const uint8_t *out;
	size_t len, used;
	int err;
	WRITER_SCOPED(w, 4096);

	if (hs_server_hello_encode(&w, sh) || w.len > sizeof(rec) - 5)
		abort();
	/* RFC 5246 §6.2.1: the record header, then the message. */
	rec[0] = TLS_CT_HANDSHAKE;
	rec[1] = 3;
	rec[2] = 3;
	rec[3] = (uint8_t)(w.len >> 8);
	rec[4] = (uint8_t)w.len;
	memcpy(rec + 5, w.data, w.len);
	tls_engine_output(e, &out, &len);
	tls_engine_output_done(e, len);
	err = tls_engine_feed(e, rec, w.len + 5, &used);
	CHECK(err == -EPROTO && tls_engine_alert(e) == alert,
	      "%s: alert %d (%s)", label, tls_engine_alert(e),
	      tls_engine_reason(e));
	tls_engine_free(e);
}
