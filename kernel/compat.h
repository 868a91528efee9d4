/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where ktlso tells Debian's 6.1 and 6.12 kernels apart.
 * Every difference is a static inline here; no other file tests
 * LINUX_VERSION_CODE.
 */
#ifndef KTLSO_COMPAT_H
#define KTLSO_COMPAT_H

#include <linux/bvec.h>
#include <linux/fs.h>
#include <linux/splice.h>
#include <linux/socket.h>
#include <linux/uio.h>
#include <linux/version.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "ktlso.h"

/* get/put_unaligned_be*(): 6.12 moved the header. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 12, 0)
#include <asm/unaligned.h>
#else
#include <linux/unaligned.h>
#endif

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 5, 0)
/*
 * 6.1: sendfile()/splice() into a socket arrive one page at a time through
 * proto->sendpage, which TCP would otherwise serve in plaintext. Feed each
 * page to the record layer like a write.
 */
static inline int compat_sendpage(struct sock *sk, struct page *page, int offset,
			   size_t size, int flags)
{
	struct msghdr msg = { .msg_flags = flags & ~MSG_SENDPAGE_NOTLAST };
	struct bio_vec bvec;

	if (flags & MSG_SENDPAGE_NOTLAST)
		msg.msg_flags |= MSG_MORE;
	bvec_set_page(&bvec, page, size, offset);
	iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, &bvec, 1, size);
	return ktlso_sendmsg(sk, &msg, size);
}

static inline void ktlso_compat_set_sendpage(struct proto *prot)
{
	prot->sendpage = compat_sendpage;
}

/*
 * While a handshake is open (handshake.c), pages wait at the same gate as
 * writes: TCP's own sendpage would put them on the wire in clear.
 */
static inline int compat_gated_sendpage(struct sock *sk, struct page *page,
					int offset, size_t size, int flags)
{
	struct ktlso_context *ctx = ktlso_ctx(sk);
	int err = ktlso_hs_gate(sk, ctx, flags & MSG_DONTWAIT);

	if (err)
		return err;
	return ktlso_proto_ungated(ctx)->sendpage(sk, page, offset, size,
						  flags);
}

static inline void ktlso_compat_gate_sendpage(struct proto *prot)
{
	prot->sendpage = compat_gated_sendpage;
}

/* Internal flags a sendpage() caller may set on top of the user's. */
#define KTLSO_COMPAT_SENDPAGE_FLAGS (MSG_SENDPAGE_NOTLAST | MSG_SENDPAGE_NOPOLICY)
#else
/* 6.12: splice arrives through sendmsg with MSG_SPLICE_PAGES. */
static inline void ktlso_compat_set_sendpage(struct proto *prot)
{
}

static inline void ktlso_compat_gate_sendpage(struct proto *prot)
{
}

#define KTLSO_COMPAT_SENDPAGE_FLAGS MSG_SENDPAGE_NOPOLICY
#endif

/*
 * Hand a sealed record to TCP: the bytes of @bv (@nr entries, @len bytes in
 * all) from @off on. 6.12 splices the pages (TCP takes its own references
 * and copies nothing). 6.1 has TCP copy them: handing them to 6.1's
 * sendpage instead made the kTLS selftest's multi-process sendfile case
 * take half as long again (15 s against 10 s under QEMU). Return: bytes
 * TCP took, or -errno when it took none.
 */
static inline int ktlso_compat_send_pages(struct sock *sk, const struct bio_vec *bv,
					  unsigned int nr, size_t len, size_t off,
					  int flags)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 5, 0)
	struct msghdr msg = { .msg_flags = flags };
#else
	struct msghdr msg = { .msg_flags = flags | MSG_SPLICE_PAGES };
#endif

	iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, bv, nr, len);
	iov_iter_advance(&msg.msg_iter, off);
	return tcp_sendmsg_locked(sk, &msg, len - off);
}

/*
 * Point sg (at most @max entries) at the next @len bytes of a bvec iterator
 * without copying them, and step past them. Return: entries used, or 0 when
 * they would take more (the iterator is as it was). 6.1 splices into a
 * socket a page at a time (compat_sendpage), so never has a record's worth.
 */
static inline unsigned int ktlso_compat_bvec_to_sg(struct iov_iter *iter, size_t len,
						   struct scatterlist *sg,
						   unsigned int max)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 5, 0)
	return 0;
#else
	struct sg_table t = { .sgl = sg };
	ssize_t got = extract_iter_to_sg(iter, len, &t, max, 0);

	if (got == len)
		return t.nents;
	if (got > 0)
		iov_iter_revert(iter, got);
	return 0;
#endif
}

/* Splice out of any file through its read_iter. */
static inline ssize_t ktlso_compat_splice_read(struct file *file, loff_t *ppos,
					       struct pipe_inode_info *pipe,
					       size_t len, unsigned int flags)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 5, 0)
	return generic_file_splice_read(file, ppos, pipe, len, flags);
#else
	return copy_splice_read(file, ppos, pipe, len, flags);
#endif
}

#endif /* KTLSO_COMPAT_H */
