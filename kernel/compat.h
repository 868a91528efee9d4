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
