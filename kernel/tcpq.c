// SPDX-License-Identifier: GPL-2.0
/*
 * Records where TCP keeps them. The receive side waits until TCP's receive
 * queue holds a whole record, decrypts it from the queued skbs and only then
 * consumes it, instead of copying the ciphertext out first; the kernel's own
 * kTLS does the same with its stream parser. Everything here runs under the
 * socket lock, which keeps the queued skbs in place.
 */
#include <linux/scatterlist.h>
#include <linux/skbuff.h>
#include <net/tcp.h>

#include "ktlso.h"

/* The queued skb holding stream byte seq, and the offset of it there. */
static struct sk_buff *queued_skb(struct sock *sk, u32 seq, u32 *off)
{
	struct sk_buff *skb;

	skb_queue_walk(&sk->sk_receive_queue, skb) {
		u32 o = seq - TCP_SKB_CB(skb)->seq;

		if (TCP_SKB_CB(skb)->tcp_flags & TCPHDR_SYN)
			o--;
		if (o < skb->len) {
			*off = o;
			return skb;
		}
	}
	return NULL;
}

/* At most how many entries skb_to_sgvec() makes of any part of skb. */
static unsigned int sg_bound(const struct sk_buff *skb, int depth)
{
	const struct sk_buff *frag;
	unsigned int n = 1 + skb_shinfo(skb)->nr_frags;

	if (depth > 2)
		return UINT_MAX / 4;
	skb_walk_frags(skb, frag)
		n += sg_bound(frag, depth + 1);
	return n;
}

/*
 * Copy (buf) or map (sg, at most max entries) the len bytes that lie off
 * bytes past what the application has read. Return: entries used, or
 * -EMSGSIZE (more than max), -ENODATA (not all queued).
 */
static int walk(struct sock *sk, unsigned int off, unsigned int len, u8 *buf,
		struct scatterlist *sg, unsigned int max)
{
	u32 seq = tcp_sk(sk)->copied_seq + off;
	unsigned int n = 0;

	while (len) {
		struct sk_buff *skb;
		unsigned int part;
		u32 o;
		int got;

		skb = queued_skb(sk, seq, &o);
		if (!skb)
			return -ENODATA;
		part = min(len, skb->len - o);
		if (buf) {
			if (skb_copy_bits(skb, o, buf, part))
				return -ENODATA;
			buf += part;
		} else {
			if (sg_bound(skb, 0) > max - n)
				return -EMSGSIZE;
			got = skb_to_sgvec_nomark(skb, sg + n, o, part);
			if (got < 0)
				return got;
			n += got;
		}
		seq += part;
		len -= part;
	}
	return n;
}

/**
 * ktlso_tcpq_copy() - copy queued bytes without consuming them
 * @sk: the socket, locked
 * @off: bytes past what the application has read
 * @buf: out
 * @len: bytes to copy
 *
 * Return: 0, or -ENODATA when they are not all queued.
 */
int ktlso_tcpq_copy(struct sock *sk, unsigned int off, void *buf, unsigned int len)
{
	int err = walk(sk, off, len, buf, NULL, 0);

	return err < 0 ? err : 0;
}

/**
 * ktlso_tcpq_map() - point a scatterlist at queued bytes
 * @sk: the socket, locked until the scatterlist is no longer used
 * @off: bytes past what the application has read
 * @len: bytes to map
 * @sg: entries to fill, not terminated here
 * @max: how many there are
 *
 * Return: entries used, or -EMSGSIZE when the bytes are spread over more
 * than @max pieces, -ENODATA when they are not all queued.
 */
int ktlso_tcpq_map(struct sock *sk, unsigned int off, unsigned int len,
		   struct scatterlist *sg, unsigned int max)
{
	return walk(sk, off, len, NULL, sg, max);
}

static int discard(read_descriptor_t *desc, struct sk_buff *skb,
		   unsigned int off, size_t len)
{
	size_t n = min(len, desc->count);

	desc->count -= n;
	return n;
}

/**
 * ktlso_tcpq_consume() - drop bytes the record layer has dealt with
 * @sk: the socket, locked
 * @len: bytes at the head of the queue
 *
 * TCP accounts them as read: the skbs go, and the window opens again.
 *
 * Return: 0, or -EIO when fewer than @len bytes could be consumed.
 */
int ktlso_tcpq_consume(struct sock *sk, unsigned int len)
{
	read_descriptor_t desc = { .count = len };

	return tcp_read_sock(sk, &desc, discard) == len ? 0 : -EIO;
}

/**
 * ktlso_tcpq_wait() - wait until TCP holds len bytes the application has not read
 * @sk: the socket, locked (released while sleeping)
 * @len: bytes wanted
 * @timeo: what is left of the receive timeout; 0 for no waiting
 *
 * Return: 1 when they are queued; 0 when this is not a case for waiting
 * here: an error or the end of the stream, a receive buffer too full ever
 * to hold them, or urgent data, which tcp_inq() stops short of and
 * tcp_read_sock() cannot consume past (TCP's own recvmsg then gives the
 * exact answer, as it copies the bytes out); -EAGAIN when the timeout ran
 * out or there was none (the bytes that are there stay in TCP's queue, to
 * be decrypted from there once the rest comes), or the errno of a signal.
 */
int ktlso_tcpq_wait(struct sock *sk, unsigned int len, long *timeo)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);

	for (;;) {
		if (tcp_inq(sk) >= (int)len)
			return 1;
		if (sk->sk_err || (sk->sk_shutdown & RCV_SHUTDOWN) ||
		    sock_flag(sk, SOCK_DONE) || sk->sk_state == TCP_CLOSE ||
		    tcp_epollin_ready(sk, INT_MAX) ||
		    READ_ONCE(tcp_sk(sk)->urg_data))
			return 0;
		if (!*timeo)
			return -EAGAIN;
		if (signal_pending(current))
			return sock_intr_errno(*timeo);

		add_wait_queue(sk_sleep(sk), &wait);
		sk_set_bit(SOCKWQ_ASYNC_WAITDATA, sk);
		sk_wait_event(sk, timeo, tcp_inq(sk) >= (int)len || sk->sk_err ||
			      (sk->sk_shutdown & RCV_SHUTDOWN), &wait);
		sk_clear_bit(SOCKWQ_ASYNC_WAITDATA, sk);
		remove_wait_queue(sk_sleep(sk), &wait);
		if (!*timeo && tcp_inq(sk) < (int)len)
			return -EAGAIN;
	}
}
