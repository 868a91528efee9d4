// SPDX-License-Identifier: GPL-2.0
/*
 * TLS 1.3 KeyUpdate (RFC 8446 §4.6.3), owned by the kernel on sockets
 * whose handshake ktlsod did: ktlsod hands over the two application
 * traffic secrets in DONE, and from then on the kernel derives every next
 * generation itself (§7.2: HKDF-Expand-Label(secret, "traffic upd", "",
 * Hash.length), then "key" and "iv", §7.3), so the application never sees
 * a KeyUpdate and never holds a secret.
 *
 *   receive: the peer's KeyUpdate is checked, the next RX key prepared
 *            (ktlso_ku_received()), and switched to once the record is
 *            consumed (ktlso_ku_rx_switch()); update_requested marks TX.
 *   send:    before a data record, when the peer asked, when rekey_after
 *            bytes went out under one key, or before the AEAD's limit
 *            (§5.5), tx.c seals a KeyUpdate under the old key and switches
 *            (ktlso_ku_tx_due(), _prepare(), _commit()).
 *
 * Sockets whose keys the application installed have no state here and
 * keep kTLS's behaviour: EKEYEXPIRED until the next TLS_RX.
 *
 * Lifetime and locking: ctx->ku is set once, at DONE, under the socket lock
 * and before the application may read or write; it is freed at close,
 * after TX and RX. Its RX half is used under ctx->rx_lock, its TX half
 * under ctx->tx_lock; the one bit RX leaves for TX (the peer asked for an
 * update) is atomic. Secrets and prepared keys are wiped on every update
 * and on close.
 */
#include <crypto/hash.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "ktlso.h"

/* RFC 8446 §4.6.3 KeyUpdateRequest */
#define UPDATE_NOT_REQUESTED 0
#define UPDATE_REQUESTED 1

/*
 * RFC 8446 §5.5: AES-GCM may protect at most 2^24.5 full-size records
 * under one key; ktlso updates at 2^23, well before, and uses the same
 * bound for the other AES/SM4/ARIA modes. ChaCha20-Poly1305's limit lies
 * beyond the sequence space: update long before the sequence number could
 * wrap (which ktlso_record_advance() refuses).
 */
#define RECORD_LIMIT_AES (1ULL << 23)
#define RECORD_LIMIT_SEQ (1ULL << 62)

/**
 * ktlso_ku_record_limit() - records TX seals under one key before updating
 * @cipher_type: the TLS_CIPHER_* of the socket's suite
 *
 * Return: the sequence number at which ktlso_ku_tx_due() asks for a
 * KeyUpdate before the next record.
 */
u64 ktlso_ku_record_limit(u16 cipher_type)
{
	return cipher_type == TLS_CIPHER_CHACHA20_POLY1305 ?
	       RECORD_LIMIT_SEQ : RECORD_LIMIT_AES;
}

#define KU_REPLY 0		/* flags: the peer asked; TX owes a KeyUpdate */

struct ktlso_ku {
	const char *hmac;		/* the suite's hash, for HKDF */
	unsigned int secret_len;	/* its output length */
	u64 rekey_after;		/* plaintext bytes under one TX key; 0: off */
	u64 record_limit;		/* records under one TX key */
	unsigned long flags;
	/* TX: under ctx->tx_lock */
	u8 tx_secret[KTLSO_HASH_MAX];
	u8 tx_next[KTLSO_HASH_MAX];	/* prepared, not yet committed */
	bool tx_reply;			/* this update answers the peer */
	/* RX: under ctx->rx_lock */
	u8 rx_secret[KTLSO_HASH_MAX];
	u8 rx_next_secret[KTLSO_HASH_MAX];
	struct ktlso_crypto rx_next;	/* keyed, when rx_ready */
	bool rx_ready;
};

/* RFC 8446 §B.4: only TLS_AES_256_GCM_SHA384 hashes with SHA-384. */
static const char *suite_hmac(u16 suite, unsigned int *len)
{
	*len = suite == 0x1302 ? 48 : 32;
	return suite == 0x1302 ? "hmac(sha384)" : "hmac(sha256)";
}

/**
 * ktlso_ku_new() - the state DONE hands over, checked
 * @suite: the negotiated TLS 1.3 cipher suite (IANA number)
 * @tx_secret: our application traffic secret, Hash.length bytes
 * @rx_secret: the peer's
 * @len: the length of each
 * @rekey_after: bytes after which TX updates on its own; 0 for never
 *
 * Return: the state; NULL when this kernel has no HMAC for the suite's
 * hash (the socket then keeps kTLS's behaviour, EKEYEXPIRED after a
 * KeyUpdate, rather than failing a read at the first update);
 * ERR_PTR(-EINVAL) when the secrets' length is not the suite's hash
 * length, or ERR_PTR(-ENOMEM).
 */
struct ktlso_ku *ktlso_ku_new(u16 suite, const u8 *tx_secret,
			      const u8 *rx_secret, unsigned int len,
			      u64 rekey_after)
{
	struct ktlso_ku *ku;
	unsigned int hash_len;
	const char *hmac = suite_hmac(suite, &hash_len);

	if (len != hash_len)
		return ERR_PTR(-EINVAL);
	if (!crypto_has_shash(hmac, 0, 0)) {
		pr_warn_once("no %s in this kernel: TLS 1.3 KeyUpdate is left to the application\n",
			     hmac);
		return NULL;
	}
	ku = kzalloc(sizeof(*ku), GFP_KERNEL_ACCOUNT);
	if (!ku)
		return ERR_PTR(-ENOMEM);
	ku->hmac = hmac;
	ku->secret_len = len;
	ku->rekey_after = rekey_after;
	memcpy(ku->tx_secret, tx_secret, len);
	memcpy(ku->rx_secret, rx_secret, len);
	return ku;
}

/* Free the state, wiping every secret and prepared key. */
void ktlso_ku_free(struct ktlso_ku *ku)
{
	if (!ku)
		return;
	if (ku->rx_ready)
		ktlso_crypto_uninit(&ku->rx_next);
	kfree_sensitive(ku);
}

/**
 * ktlso_ku_attach() - hang DONE's state on a socket keyed for TLS 1.3
 * @ctx: the context, under the socket lock, TX and RX installed
 * @ku: the state; owned by the context from now on, or freed
 *
 * Anything else than a TLS 1.3 pair of keys (a TLS 1.2 session, a daemon
 * that sent no secrets) keeps today's behaviour.
 */
void ktlso_ku_attach(struct ktlso_context *ctx, struct ktlso_ku *ku)
{
	struct ktlso_crypto *tx = ktlso_tx_crypto(ctx), *rx = ktlso_rx_crypto(ctx);

	if (!ku)
		return;
	if (ctx->ku || !tx || !rx || tx->version != TLS_1_3_VERSION ||
	    rx->version != TLS_1_3_VERSION) {
		ktlso_ku_free(ku);
		return;
	}
	ku->record_limit = ktlso_ku_record_limit(tx->cipher->type);
	WRITE_ONCE(ctx->ku, ku);
}

void ktlso_ku_release(struct ktlso_context *ctx)
{
	ktlso_ku_free(ctx->ku);
	ctx->ku = NULL;
}

/**
 * ktlso_ku_derive() - the next traffic secret and the record keys it gives
 * @hmac: the suite's "hmac(shaN)"
 * @secret: application_traffic_secret_N
 * @len: its length (the hash's)
 * @cipher: the direction's cipher
 * @next: set to application_traffic_secret_N+1 (@len bytes)
 * @info: set to a TLS 1.3 crypto_info keyed from @next, sequence 0
 *
 * Return: 0 or -errno, with @next and @info wiped.
 */
int ktlso_ku_derive(const char *hmac, const u8 *secret, unsigned int len,
		    const struct ktlso_cipher *cipher, u8 *next,
		    union ktlso_crypto_info *info)
{
	u8 iv[KTLSO_NONCE_SIZE];
	int err;

	memset(info, 0, sizeof(*info));
	info->info.version = TLS_1_3_VERSION;
	info->info.cipher_type = cipher->type;
	/* RFC 8446 §7.2, then §7.3: key and iv of the new secret */
	err = ktlso_hkdf_expand_label(hmac, secret, len, "traffic upd", NULL, 0,
				      next, len);
	err = err ?: ktlso_hkdf_expand_label(hmac, next, len, "key", NULL, 0,
					     ktlso_cipher_key(cipher, info),
					     cipher->key);
	err = err ?: ktlso_hkdf_expand_label(hmac, next, len, "iv", NULL, 0,
					     iv, sizeof(iv));
	if (!err) {
		/* The 12-byte IV is salt || iv in <linux/tls.h> terms. */
		memcpy(ktlso_cipher_salt(cipher, info), iv, cipher->salt);
		memcpy(ktlso_cipher_iv(cipher, info), iv + cipher->salt, cipher->iv);
	} else {
		memzero_explicit(next, len);
		memzero_explicit(info, sizeof(*info));
	}
	memzero_explicit(iv, sizeof(iv));
	return err;
}

/* The next key for a direction, keyed and ready to swap in. */
static int prepare(struct ktlso_ku *ku, const u8 *secret,
		   const struct ktlso_crypto *now, u8 *next_secret,
		   struct ktlso_crypto *next)
{
	union ktlso_crypto_info info;
	int err;

	err = ktlso_ku_derive(ku->hmac, secret, ku->secret_len, now->cipher,
			      next_secret, &info);
	if (err)
		return err;
	memset(next, 0, sizeof(*next));
	err = ktlso_crypto_init(next, &info);
	memzero_explicit(&info, sizeof(info));
	if (err)
		memzero_explicit(next_secret, ku->secret_len);
	return err;
}

/* A malformed KeyUpdate: the alert RFC 8446 names, and our errno for it. */
static int malformed(int *alert, int which)
{
	*alert = which;
	return which == KTLSO_ALERT_UNEXPECTED_MESSAGE ? -EPROTO : -EBADMSG;
}

/*
 * Find a KeyUpdate in a record's handshake messages. Return: 0 when there
 * is none (the record is not ours), 1 with *requested set, or -errno with
 * *alert set.
 */
static int parse(const u8 *data, unsigned int len, bool *requested, int *alert)
{
	unsigned int pos = 0;
	bool other = false;

	while (pos < len) {
		unsigned int left = len - pos;
		u32 body;

		if (left < 4) {
			/* §5.1: a KeyUpdate may not span a key change. */
			if (data[pos] == KTLSO_HANDSHAKE_KEY_UPDATE)
				return malformed(alert, KTLSO_ALERT_UNEXPECTED_MESSAGE);
			return 0;
		}
		/* RFC 8446 §4: msg_type, then a 24-bit length */
		body = get_unaligned_be24(data + pos + 1);
		if (data[pos] != KTLSO_HANDSHAKE_KEY_UPDATE) {
			if (body > left - 4)
				return 0;	/* a fragment of another message */
			if (data[pos] != KTLSO_HANDSHAKE_NEW_SESSION_TICKET)
				other = true;
			pos += 4 + body;
			continue;
		}
		/* §4.6.3: struct { KeyUpdateRequest request_update; } */
		if (body != 1)
			return malformed(alert, KTLSO_ALERT_DECODE_ERROR);
		/* §5.1: it must end the record, whole; and it is not part of
		 * any other message's flight.
		 */
		if (left != 5 || other)
			return malformed(alert, KTLSO_ALERT_UNEXPECTED_MESSAGE);
		if (data[pos + 4] != UPDATE_NOT_REQUESTED &&
		    data[pos + 4] != UPDATE_REQUESTED)
			return malformed(alert, KTLSO_ALERT_ILLEGAL_PARAMETER);
		*requested = data[pos + 4] == UPDATE_REQUESTED;
		return 1;
	}
	return 0;
}

/**
 * ktlso_ku_received() - a decrypted TLS 1.3 handshake record: a KeyUpdate?
 * @sk: the socket, with ctx->rx_lock held
 * @c: its RX state, still at the record's key and sequence number
 * @type: the record's inner content type
 * @data: its plaintext
 * @len: the plaintext's length
 * @alert: set to the RFC 8446 alert for a malformed KeyUpdate
 *
 * On a socket with kernel-owned updates the next RX key is prepared now,
 * so that nothing can fail once the record is consumed: the caller
 * consumes it, then calls ktlso_ku_rx_switch(). A requested update marks
 * TX to answer with one of its own before its next record, once however
 * many requests come before it does (§4.6.3).
 *
 * Return: 0 for a record that holds no KeyUpdate; KTLSO_KU_EXPIRED on a
 * socket the application keys (kTLS: no reads until the next TLS_RX);
 * KTLSO_KU_APPLIED when the record is to be dropped and the key switched;
 * -EBADMSG (decode_error, illegal_parameter) or -EPROTO
 * (unexpected_message) for a malformed one; -ENOMEM, nothing changed.
 */
int ktlso_ku_received(struct sock *sk, const struct ktlso_crypto *c, u8 type,
		      const u8 *data, unsigned int len, int *alert)
{
	struct ktlso_context *ctx = ktlso_ctx(sk);
	struct ktlso_ku *ku = READ_ONCE(ctx->ku);
	bool requested;
	int err;

	if (c->version != TLS_1_3_VERSION || type != KTLSO_RECORD_HANDSHAKE || !len)
		return 0;
	if (!ku)
		return data[0] == KTLSO_HANDSHAKE_KEY_UPDATE ? KTLSO_KU_EXPIRED : 0;

	err = parse(data, len, &requested, alert);
	if (err <= 0)
		return err;
	if (ku->rx_ready) {	/* left from a try that could not finish */
		ktlso_crypto_uninit(&ku->rx_next);
		ku->rx_ready = false;
	}
	err = prepare(ku, ku->rx_secret, c, ku->rx_next_secret, &ku->rx_next);
	if (err)
		return err;
	ku->rx_ready = true;
	if (requested) {
		ktlso_stat_add(sk, KTLSO_STAT_KEYUPDATE_REQUESTED, 1);
		set_bit(KU_REPLY, &ku->flags);
		ktlso_tx_kick(ctx);
	}
	return KTLSO_KU_APPLIED;
}

/**
 * ktlso_ku_rx_switch() - the KeyUpdate record is consumed: take the next key
 * @sk: the socket, with ctx->rx_lock held
 * @c: its RX state, replaced
 */
void ktlso_ku_rx_switch(struct sock *sk, struct ktlso_crypto *c)
{
	struct ktlso_ku *ku = ktlso_ctx(sk)->ku;

	if (WARN_ON_ONCE(!ku || !ku->rx_ready))
		return;
	ktlso_crypto_uninit(c);
	*c = ku->rx_next;
	memzero_explicit(&ku->rx_next, sizeof(ku->rx_next));
	ku->rx_ready = false;
	memcpy(ku->rx_secret, ku->rx_next_secret, ku->secret_len);
	memzero_explicit(ku->rx_next_secret, sizeof(ku->rx_next_secret));
	ktlso_stat_add(sk, KTLSO_STAT_KEYUPDATE_RX, 1);
}

/**
 * ktlso_ku_tx_due() - should TX send a KeyUpdate before its next record?
 * @ctx: the context, with ctx->tx_lock held
 * @c: the TX state (its sequence number counts records under this key)
 * @bytes: plaintext bytes sent under this key
 */
bool ktlso_ku_tx_due(struct ktlso_context *ctx, const struct ktlso_crypto *c,
		     u64 bytes)
{
	struct ktlso_ku *ku = ctx->ku;

	if (!ku)
		return false;
	return test_bit(KU_REPLY, &ku->flags) || c->seq >= ku->record_limit ||
	       (ku->rekey_after && bytes >= ku->rekey_after);
}

/**
 * ktlso_ku_tx_prepare() - derive and key TX's next generation
 * @ctx: the context, with ctx->tx_lock held
 * @c: the TX state
 * @next: set to the next state, to swap in once the KeyUpdate is sealed
 *
 * Return: 0, or -errno with nothing changed.
 */
int ktlso_ku_tx_prepare(struct ktlso_context *ctx, const struct ktlso_crypto *c,
			struct ktlso_crypto *next)
{
	struct ktlso_ku *ku = ctx->ku;

	/* Every request so far is answered by this update; one that comes
	 * later waits for the next. Put back if this one fails.
	 */
	ku->tx_reply = test_and_clear_bit(KU_REPLY, &ku->flags);
	return prepare(ku, ku->tx_secret, c, ku->tx_next, next);
}

/* The KeyUpdate could not be sealed: forget the prepared generation. */
void ktlso_ku_tx_abort(struct ktlso_context *ctx, struct ktlso_crypto *next)
{
	struct ktlso_ku *ku = ctx->ku;

	ktlso_crypto_uninit(next);
	memzero_explicit(ku->tx_next, sizeof(ku->tx_next));
	if (ku->tx_reply)
		set_bit(KU_REPLY, &ku->flags);
}

/**
 * ktlso_ku_tx_commit() - the KeyUpdate is sealed: switch TX to @next
 * @sk: the socket
 * @c: the TX state, replaced
 * @next: what ktlso_ku_tx_prepare() made, consumed
 */
void ktlso_ku_tx_commit(struct sock *sk, struct ktlso_crypto *c,
			struct ktlso_crypto *next)
{
	struct ktlso_ku *ku = ktlso_ctx(sk)->ku;

	ktlso_crypto_uninit(c);
	*c = *next;
	memzero_explicit(next, sizeof(*next));
	memcpy(ku->tx_secret, ku->tx_next, ku->secret_len);
	memzero_explicit(ku->tx_next, sizeof(ku->tx_next));
	ktlso_stat_add(sk, KTLSO_STAT_KEYUPDATE_TX, 1);
}

/* RFC 8446 §4.6.3: the one message TX sends, update_not_requested. */
void ktlso_ku_message(u8 msg[KTLSO_KU_MSG_LEN])
{
	msg[0] = KTLSO_HANDSHAKE_KEY_UPDATE;
	put_unaligned_be24(1, msg + 1);
	msg[4] = UPDATE_NOT_REQUESTED;
}
