/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * ktlso: the contract between the ktlso kernel module and userspace.
 *
 * Keys are installed exactly as with the kernel's own kTLS: the structs and
 * option numbers of <linux/tls.h> at level SOL_TLS. This header adds only
 * what is ktlso's own: TLS 1.2 CBC cipher types kTLS does not have, the
 * handshake request an application makes, and the generic netlink family
 * through which ktlsod serves it.
 */
#ifndef _UAPI_LINUX_KTLSO_H
#define _UAPI_LINUX_KTLSO_H

#include <linux/tls.h>
#include <linux/types.h>

/* setsockopt(fd, SOL_TCP, TCP_ULP, KTLSO_ULP_NAME, sizeof(KTLSO_ULP_NAME)) */
#define KTLSO_ULP_NAME "ktlso"

/*
 * TLS 1.2 AES-CBC with HMAC (RFC 5246 §6.2.3.2), installed with TLS_TX and
 * TLS_RX like kTLS's ciphers, in struct tls_crypto_info's cipher_type.
 * Upstream numbers its TLS_CIPHER_* from 51 up, one at a time (58 in 6.12);
 * ours sit at 0x6b10 ('k', as KTLSO_HANDSHAKE), so the two can never meet,
 * and the in-tree tls.ko refuses ours with EINVAL rather than misreading
 * the struct. TLS 1.2 only: TLS 1.3 has no CBC suites.
 */
#define KTLSO_CIPHER_AES_128_CBC_SHA	0x6b10	/* TLS_*_WITH_AES_128_CBC_SHA */
#define KTLSO_CIPHER_AES_256_CBC_SHA	0x6b11	/* TLS_*_WITH_AES_256_CBC_SHA */
#define KTLSO_CIPHER_AES_128_CBC_SHA256	0x6b12	/* ..._AES_128_CBC_SHA256 */
#define KTLSO_CIPHER_AES_256_CBC_SHA256	0x6b13	/* ..._AES_256_CBC_SHA256 */
#define KTLSO_CIPHER_AES_256_CBC_SHA384	0x6b14	/* ..._AES_256_CBC_SHA384 */

/*
 * flags: KTLSO_CBC_ENCRYPT_THEN_MAC when the handshake negotiated RFC 7366's
 * encrypt_then_mac extension, otherwise RFC 5246's MAC-then-encrypt. Other
 * bits are EINVAL. There is no IV field: every TLS 1.2 CBC record carries
 * its own IV (RFC 5246 §6.2.3.2), and the key block's write IVs go unused.
 */
#define KTLSO_CBC_ENCRYPT_THEN_MAC	(1U << 0)

#define KTLSO_CIPHER_CBC_REC_SEQ_SIZE	8
#define KTLSO_CIPHER_AES_128_KEY_SIZE	16
#define KTLSO_CIPHER_AES_256_KEY_SIZE	32
#define KTLSO_CIPHER_SHA1_MAC_KEY_SIZE	20
#define KTLSO_CIPHER_SHA256_MAC_KEY_SIZE 32
#define KTLSO_CIPHER_SHA384_MAC_KEY_SIZE 48

/*
 * One struct per cipher, optlen its exact size: the key block's write key
 * and MAC key of the direction (RFC 5246 §6.3), then the sequence number of
 * its next record.
 */
struct ktlso_crypto_info_aes_128_cbc_sha {
	struct tls_crypto_info info;
	__u32 flags;
	__u8 key[KTLSO_CIPHER_AES_128_KEY_SIZE];
	__u8 mac_key[KTLSO_CIPHER_SHA1_MAC_KEY_SIZE];
	__u8 rec_seq[KTLSO_CIPHER_CBC_REC_SEQ_SIZE];
};

struct ktlso_crypto_info_aes_256_cbc_sha {
	struct tls_crypto_info info;
	__u32 flags;
	__u8 key[KTLSO_CIPHER_AES_256_KEY_SIZE];
	__u8 mac_key[KTLSO_CIPHER_SHA1_MAC_KEY_SIZE];
	__u8 rec_seq[KTLSO_CIPHER_CBC_REC_SEQ_SIZE];
};

struct ktlso_crypto_info_aes_128_cbc_sha256 {
	struct tls_crypto_info info;
	__u32 flags;
	__u8 key[KTLSO_CIPHER_AES_128_KEY_SIZE];
	__u8 mac_key[KTLSO_CIPHER_SHA256_MAC_KEY_SIZE];
	__u8 rec_seq[KTLSO_CIPHER_CBC_REC_SEQ_SIZE];
};

struct ktlso_crypto_info_aes_256_cbc_sha256 {
	struct tls_crypto_info info;
	__u32 flags;
	__u8 key[KTLSO_CIPHER_AES_256_KEY_SIZE];
	__u8 mac_key[KTLSO_CIPHER_SHA256_MAC_KEY_SIZE];
	__u8 rec_seq[KTLSO_CIPHER_CBC_REC_SEQ_SIZE];
};

struct ktlso_crypto_info_aes_256_cbc_sha384 {
	struct tls_crypto_info info;
	__u32 flags;
	__u8 key[KTLSO_CIPHER_AES_256_KEY_SIZE];
	__u8 mac_key[KTLSO_CIPHER_SHA384_MAC_KEY_SIZE];
	__u8 rec_seq[KTLSO_CIPHER_CBC_REC_SEQ_SIZE];
};

/*
 * setsockopt(fd, SOL_TLS, KTLSO_HANDSHAKE, &req, sizeof(req)) asks ktlsod
 * for a handshake on a connected socket with the ULP attached;
 * getsockopt(fd, SOL_TLS, KTLSO_HANDSHAKE, &status, &len) reports on it.
 * Upstream's SOL_TLS options are small integers (TLS_TX = 1 ...); ours sit
 * far above them so the two can never collide. EAGAIN: too many requests of
 * the network namespace wait for a daemon (module parameter max_pending,
 * default 1024; Documentation/handshake.rst).
 */
#define KTLSO_HANDSHAKE 0x6b01

enum ktlso_role {
	KTLSO_ROLE_CLIENT = 1,
	KTLSO_ROLE_SERVER = 2,
};

#define KTLSO_NAME_MAX 256	/* peer name, certificate subject */
#define KTLSO_ALPN_MAX 256	/* "h2,http/1.1" */
#define KTLSO_PROFILE_MAX 64
#define KTLSO_DEFAULT_TIMEOUT_MS 30000

/* Strings are NUL-terminated; "" means none (profile: "default"). */
struct ktlso_handshake_req {
	__u32 role;			/* enum ktlso_role */
	__u32 timeout_ms;		/* 0: KTLSO_DEFAULT_TIMEOUT_MS */
	char peer_name[KTLSO_NAME_MAX];	/* client: SNI and the name to verify */
	char alpn[KTLSO_ALPN_MAX];	/* protocols to offer (client) */
	char profile[KTLSO_PROFILE_MAX]; /* ktlsod.conf profile */
};

enum ktlso_handshake_state {
	KTLSO_HS_NONE = 0,		/* never asked for */
	KTLSO_HS_IN_PROGRESS = 1,
	KTLSO_HS_DONE = 2,		/* TLS is up: read and write plaintext */
	KTLSO_HS_FAILED = 3,		/* see error; the socket is unusable */
};

struct ktlso_handshake_status {
	__u32 state;			/* enum ktlso_handshake_state */
	__s32 error;			/* positive errno when FAILED */
	__s32 alert;			/* TLS alert sent or received, -1: none */
	__u16 version;			/* 0x0303 TLS 1.2, 0x0304 TLS 1.3 */
	__u16 cipher_suite;		/* IANA number */
	__u16 cipher_type;		/* of the installed keys: TLS_CIPHER_*
					 * of <linux/tls.h>, or KTLSO_CIPHER_*
					 * (CBC) */
	__u8 peer_verified;		/* the peer's certificate was checked */
	__u8 resumed;			/* a session resumed (ticket, session
					 * ID): no certificate sent or checked
					 * now; the peer is the session's */
	char alpn[KTLSO_ALPN_MAX];	/* the protocol negotiated, "" if none */
	char peer_subject[KTLSO_NAME_MAX]; /* RFC 2253, "" if no certificate */
};

/*
 * Generic netlink family KTLSO_GENL_NAME (spec:
 * Documentation/netlink/specs/ktlso.yaml). A handshake request is announced
 * with KTLSO_CMD_READY on the multicast group; a daemon takes it with
 * KTLSO_CMD_ACCEPT, whose reply carries the socket, installed as a new file
 * descriptor in the caller, and the request; after installing the keys
 * with TLS_TX/TLS_RX the daemon reports KTLSO_CMD_DONE and closes its fd.
 * Joining the group, ACCEPT and DONE need CAP_NET_ADMIN.
 */
#define KTLSO_GENL_NAME "ktlso"
#define KTLSO_GENL_VERSION 1
#define KTLSO_GENL_MCGRP "handshake"

enum ktlso_cmd {
	KTLSO_CMD_UNSPEC,
	KTLSO_CMD_READY,	/* kernel → daemons: a request is waiting */
	KTLSO_CMD_ACCEPT,	/* daemon → kernel, reply: SOCKFD + request */
	KTLSO_CMD_DONE,		/* daemon → kernel: SOCKFD, STATUS, details */
	KTLSO_CMD_TICKET,	/* kernel → daemons: a TLS 1.3 server's
				 * NewSessionTicket on a client socket:
				 * PEER_NAME, PROFILE, TICKET, SOCK_COOKIE */
	__KTLSO_CMD_MAX,
};
#define KTLSO_CMD_MAX (__KTLSO_CMD_MAX - 1)

/*
 * ACCEPT sends at most this many supplementary groups, the first ones in
 * the kernel's (ascending) order: the reply must fit one netlink message.
 * A group left out can only take a permission away, never give one.
 */
#define KTLSO_GROUPS_MAX 256

enum ktlso_attr {
	KTLSO_A_UNSPEC,
	KTLSO_A_SOCKFD,		/* s32: the socket, in the daemon's fd table */
	KTLSO_A_ROLE,		/* u32: enum ktlso_role */
	KTLSO_A_PEER_NAME,	/* string */
	KTLSO_A_ALPN,		/* string: offered (ACCEPT), chosen (DONE) */
	KTLSO_A_PROFILE,	/* string */
	KTLSO_A_TIMEOUT_MS,	/* u32: what is left of the request's time */
	KTLSO_A_STATUS,		/* u32: 0, or the positive errno of the failure
				 * (above EHWPOISON: EPROTO for the application) */
	KTLSO_A_ALERT,		/* s32: TLS alert sent or received, -1: none */
	KTLSO_A_VERSION,	/* u16 */
	KTLSO_A_CIPHER_SUITE,	/* u16 */
	KTLSO_A_PEER_SUBJECT,	/* string */
	KTLSO_A_PEER_VERIFIED,	/* u8 */
	/*
	 * Who asked (ACCEPT): the credentials of the socket's file, ids in
	 * the user namespace of the daemon's netlink socket (the overflow id
	 * when unmapped), and the socket's cgroup v2 path in the daemon's
	 * cgroup namespace (Documentation/handshake.rst, "Who may use a
	 * profile").
	 */
	KTLSO_A_UID,		/* u32: effective uid */
	KTLSO_A_GID,		/* u32: effective gid */
	KTLSO_A_GROUP,		/* u32, repeated: each supplementary group,
				 * at most KTLSO_GROUPS_MAX of them */
	KTLSO_A_NETNS_COOKIE,	/* u64: the socket's network namespace */
	KTLSO_A_CGROUP,		/* string: absent when longer than PATH_MAX */
	KTLSO_A_PAD,
	KTLSO_A_TICKET,		/* binary: the whole NewSessionTicket message
				 * (RFC 8446 §4.6.1), its 4-byte header first */
	/*
	 * DONE of a TLS 1.3 handshake: the application traffic secrets
	 * (RFC 8446 §7.1), ours and the peer's, Hash.length bytes of the
	 * suite's hash each, from which the kernel derives every later key
	 * (KeyUpdate, §4.6.3); and after how many bytes it updates its own
	 * on its own. Without them the socket keeps kTLS's behaviour: a
	 * KeyUpdate stops reading (EKEYEXPIRED). Never readable back.
	 */
	KTLSO_A_TX_SECRET,	/* binary: the sender's (client's on a client) */
	KTLSO_A_RX_SECRET,	/* binary: the peer's */
	KTLSO_A_REKEY_AFTER,	/* u64: bytes under one key; 0 or absent: only
				 * the AEAD's limit (Documentation/handshake.rst) */
	KTLSO_A_RESUMED,	/* u8 (DONE): a resumed session */
	KTLSO_A_SOCK_COOKIE,	/* u64 (TICKET): the socket's SO_COOKIE, which
				 * names the connection the ticket is for */
	__KTLSO_A_MAX,
};
#define KTLSO_A_MAX (__KTLSO_A_MAX - 1)

#endif /* _UAPI_LINUX_KTLSO_H */
