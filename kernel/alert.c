// SPDX-License-Identifier: GPL-2.0
/*
 * Alerts the kernel sends itself on a daemon-established socket (RFC 8446
 * §6): the fatal alert for a record the receive path refuses, a warning
 * no_renegotiation for a renegotiation request (posths.c). The alert is a
 * record like any other, sealed with the current TX key behind whatever
 * the application sent before it (tx.c, ktlso_tx_record()). After a fatal
 * alert nothing more is sent and TCP's FIN follows it. Sockets whose keys
 * the application installed never get here: their control records are
 * the application's business, as in kTLS.
 *
 * Locking: readers (recvmsg, splice, poll) ask for alerts holding rx_lock,
 * and must not wait for tx_lock: a blocking sender holds it for as long as
 * the peer does not read. So the alert is left in ctx->alert_wanted and
 * sent by whoever gets tx_lock first: the reader itself when it is free
 * (the usual case: the alert is on the wire before the reader gets its
 * errno), else the sender as it lets go (ktlso_tx_unlock()). Wanted first,
 * then the lock, on both sides, so neither can miss the other.
 */
#include <net/sock.h>

#include "ktlso.h"

#define ALERT_WANTED 0x10000

static void send_wanted_locked(struct sock *sk, struct ktlso_context *ctx)
{
	unsigned int wanted = xchg(&ctx->alert_wanted, 0);
	u8 alert[2] = { (wanted >> 8) & 0xff, wanted & 0xff };

	if (!(wanted & ALERT_WANTED) || !ctx->tx)
		return;
	/* Best effort: a peer that cannot be told still gets its FIN. */
	(void)ktlso_tx_record(sk, ctx, KTLSO_RECORD_ALERT, alert, sizeof(alert),
			      alert[0] == KTLSO_ALERT_FATAL);
}

/**
 * ktlso_alert_flush() - send the alert a reader left, if tx_lock is free
 * @sk: the socket
 * @ctx: its context
 */
void ktlso_alert_flush(struct sock *sk, struct ktlso_context *ctx)
{
	/* A reader: its alert_wanted before its trylock. A holder that has
	 * just let go: its unlock before this read. Either sees the other.
	 */
	smp_mb();
	while (READ_ONCE(ctx->alert_wanted) && mutex_trylock(&ctx->tx_lock)) {
		send_wanted_locked(sk, ctx);
		mutex_unlock(&ctx->tx_lock);
		/* Unlocked, then wanted: one asked for meanwhile is seen. */
		smp_mb();
	}
}

/**
 * ktlso_send_alert() - send a TLS alert on a daemon-established socket
 * @sk: the socket, not locked
 * @level: KTLSO_ALERT_WARNING or KTLSO_ALERT_FATAL
 * @desc: the AlertDescription
 *
 * Does nothing on a socket whose keys the application installed. Never
 * waits; see the locking note at the top of this file. A fatal alert ends
 * sending for good (later writes: EPIPE) and is followed by a FIN.
 */
void ktlso_send_alert(struct sock *sk, u8 level, u8 desc)
{
	struct ktlso_context *ctx = ktlso_ctx(sk);
	unsigned int wanted = ALERT_WANTED | level << 8 | desc;

	if (!ktlso_hs_established(ctx) || !READ_ONCE(ctx->tx))
		return;
	/* A fatal alert is not replaced by a warning still waiting. */
	if ((READ_ONCE(ctx->alert_wanted) >> 8 & 0xff) == KTLSO_ALERT_FATAL)
		return;
	if (level == KTLSO_ALERT_FATAL)
		ktlso_hs_set_alert(ctx, desc);
	WRITE_ONCE(ctx->alert_wanted, wanted);
	ktlso_alert_flush(sk, ctx);
}
