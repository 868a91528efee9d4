/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * ktlso: the contract between the ktlso kernel module and userspace.
 *
 * Keys are installed exactly as with the kernel's own kTLS: the structs and
 * option numbers of <linux/tls.h> at level SOL_TLS. This header adds only
 * what is ktlso's own.
 */
#ifndef _UAPI_LINUX_KTLSO_H
#define _UAPI_LINUX_KTLSO_H

/* setsockopt(fd, SOL_TCP, TCP_ULP, KTLSO_ULP_NAME, sizeof(KTLSO_ULP_NAME)) */
#define KTLSO_ULP_NAME "ktlso"

#endif /* _UAPI_LINUX_KTLSO_H */
