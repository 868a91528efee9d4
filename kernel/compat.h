/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where ktlso tells Debian's 6.1 and 6.12 kernels apart, and a
 * leaf: it includes only kernel headers and calls only kernel APIs. The
 * version tests below turn into KTLSO_HAVE_* feature macros; the rest of
 * this file and the module test those (the code that adapts ktlso to an
 * older interface lives beside what it adapts), never LINUX_VERSION_CODE.
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

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 5, 0)
/*
 * struct proto has ->sendpage: sendfile()/splice() into a socket arrive
 * there one page at a time, with MSG_SENDPAGE_NOTLAST on all but the last.
 */
#define KTLSO_HAVE_PROTO_SENDPAGE 1
#else
/*
 * sendfile()/splice() arrive through ->sendmsg with MSG_SPLICE_PAGES, and
 * TCP's sendmsg takes such pages by reference instead of copying them;
 * extract_iter_to_sg() and copy_splice_read() exist. (Debian's 6.1 defines
 * the flag, but its TCP ignores it.)
 */
#define KTLSO_HAVE_MSG_SPLICE_PAGES 1
#endif

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
/* get/put_unaligned_be*() moved from <asm/unaligned.h>. */
#define KTLSO_HAVE_LINUX_UNALIGNED_H 1
#endif

#ifdef KTLSO_HAVE_LINUX_UNALIGNED_H
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/*
 * Hand a sealed record to TCP: the bytes of @bv (@nr entries, @len bytes in
 * all) from @off on. With MSG_SPLICE_PAGES TCP takes its own references to
 * the pages and copies nothing. 6.1 has TCP copy them: handing them to 6.1's
 * sendpage instead made the kTLS selftest's multi-process sendfile case
 * take half as long again (15 s against 10 s under QEMU). Return: bytes
 * TCP took, or -errno when it took none.
 */
static inline int ktlso_compat_send_pages(struct sock *sk, const struct bio_vec *bv,
					  unsigned int nr, size_t len, size_t off,
					  int flags)
{
#ifdef KTLSO_HAVE_MSG_SPLICE_PAGES
	struct msghdr msg = { .msg_flags = flags | MSG_SPLICE_PAGES };
#else
	struct msghdr msg = { .msg_flags = flags };
#endif

	iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, bv, nr, len);
	iov_iter_advance(&msg.msg_iter, off);
	return tcp_sendmsg_locked(sk, &msg, len - off);
}

/*
 * Point sg (at most @max entries) at the next @len bytes of a bvec iterator
 * without copying them, and step past them. Return: entries used, or 0 when
 * they would take more (the iterator is as it was). Without
 * MSG_SPLICE_PAGES, splice into a socket comes a page at a time (through
 * ktlso_sendpage(), tx.c), so never brings a record's worth.
 */
static inline unsigned int ktlso_compat_bvec_to_sg(struct iov_iter *iter, size_t len,
						   struct scatterlist *sg,
						   unsigned int max)
{
#ifdef KTLSO_HAVE_MSG_SPLICE_PAGES
	struct sg_table t = { .sgl = sg };
	ssize_t got = extract_iter_to_sg(iter, len, &t, max, 0);

	if (got == len)
		return t.nents;
	if (got > 0)
		iov_iter_revert(iter, got);
	return 0;
#else
	return 0;
#endif
}

/* Splice out of any file through its read_iter. */
static inline ssize_t ktlso_compat_splice_read(struct file *file, loff_t *ppos,
					       struct pipe_inode_info *pipe,
					       size_t len, unsigned int flags)
{
#ifdef KTLSO_HAVE_MSG_SPLICE_PAGES
	return copy_splice_read(file, ppos, pipe, len, flags);
#else
	return generic_file_splice_read(file, ppos, pipe, len, flags);
#endif
}

#endif /* KTLSO_COMPAT_H */
